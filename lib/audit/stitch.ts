/**
 * Session stitching: which CloudTrail records belong to which break-glass session. Pure (no I/O, no AWS SDK): the
 * local reader and the Athena path feed it the same records, so its tests cover both.
 *
 * How it is used: `wants(record)` says whether a record can matter (it is kept; everything else is dropped at once,
 * so memory follows break-glass activity, not the input), `resolve()` links what was kept, and `needles()` names the
 * credentials of chained role sessions that a further pass over the input must look for (calls made with a role
 * assumed FROM a break-glass session carry nothing that names break-glass, only the access key). Records may come in
 * any order (an organization trail is laid out by account, region and day): resolve() sorts them and links
 * iteratively, so a call read before the AssumeRole that issued its credentials is still linked.
 *
 * The rules (docs/audit.md, "How a session is recognised"; field facts in lib/audit/events.ts):
 *  1. A session starts at a successful ConsoleLogin of a break-glass user (IAMUser, security account, configured name
 *     compared whole), or, with no console session of that user covering the time, at the user's first authenticated
 *     call (CLI). A failed ConsoleLogin is an attempt, never a session; so is one with the user name hidden by
 *     CloudTrail in the security account. Every sign-in starts its own session (several a day, or the next day).
 *  2. A call by the break-glass user joins: the session that already used its access key; else the user's session
 *     whose window (12 h from its start) covers it, and for console calls the latest sign-in not after the
 *     credentials' creationDate (sessionContext.attributes.creationDate), so two sign-ins of one day stay apart.
 *  3. An AssumeRole made in a session (the caller's copy) opens a role session: its issued key
 *     (responseElements.credentials.accessKeyId), its session ARN (responseElements.assumedRoleUser.arn) and its
 *     sharedEventID are registered. The role owner's copy (userIdentity.type AWSAccount) joins by sharedEventID.
 *  4. A console SwitchRole joins the console session of the user named by additionalEventData.SwitchFrom (exact ARN
 *     of a break-glass user in the security account) and becomes, or merges with, the role session of that ARN.
 *  5. A call made with a role session's credentials joins by access key; without a key, by the assumed-role session
 *     ARN together with its creationDate inside that role session's lifetime. An AssumeRole made with those
 *     credentials opens a chained role session (rule 3 again), however deep.
 *  6. Nothing is linked by substring: role names, user names and ARNs are parsed and compared whole.
 *  What cannot be linked but touches the break-glass role (its session start is outside the input, or someone else
 *  assumed it) is reported as unlinked, with the reason.
 */
import {
  breakGlassUser, breakGlassUserArn, HIDDEN_USER, isAssumeRole, isBreakGlassRoleSession, isConsoleLogin, isSwitchRole,
  parseAssumedRoleArn, parseRoleArn, targetsBreakGlassRole, toAuditEvent, type AuditEvent, type AuditScope,
} from './events';

export interface StitchOptions {
  /**
   * How long after its start a user session takes calls that carry no known key: 12 h, the default lifetime of an
   * IAM user's temporary session credentials (STS API reference, GetSessionToken DurationSeconds: "43,200 seconds
   * (12 hours) as the default"), and an upper bound for a console session.
   */
  readonly userWindowMs?: number;
  /** Longest break-glass role session (the role's MaxSessionDuration from the config). @default 3600 s */
  readonly roleMaxSessionMs?: number;
  /** Slack between a sign-in's eventTime and the creationDate of the credentials it issued. @default 120 s */
  readonly creationSlackMs?: number;
}

const HOUR = 3_600_000;
/** Role chaining limits a session to one hour (STS API reference, AssumeRole DurationSeconds). */
const CHAINED_MAX_MS = HOUR;
/** AssumeRole without DurationSeconds issues credentials for one hour (STS API reference, AssumeRole). */
const ASSUME_DEFAULT_MS = HOUR;
/** A sign-in step (CheckMfa …) belongs to the sign-in that follows it within this time. */
const SIGNIN_STEP_MS = 5 * 60_000;

export type SessionKind = 'console' | 'cli';

export interface SignIn {
  readonly eventID: string;
  readonly time: number;
  readonly region: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly mfaUsed?: string;
}

export interface RoleSession {
  readonly id: string;
  /** Assumed-role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). */
  readonly arn?: string;
  readonly roleArn: string;
  readonly account: string;
  readonly start: number;
  readonly end: number;
  /** How it was opened: the AssumeRole (CLI, or the console's own call), or a console SwitchRole. */
  via: 'AssumeRole' | 'SwitchRole';
  key?: string;
  /** The role session whose credentials assumed this one (role chaining). */
  readonly parent?: string;
  readonly sourceIdentity?: string;
  /** The role is not the break-glass role: reached by role chaining. */
  readonly chained: boolean;
  sharedEventID?: string;
}

export interface LinkedEvent {
  readonly event: AuditEvent;
  /** Which rule linked it: "sign-in", "user session", "access key", "sharedEventID", "SwitchFrom", … */
  readonly link: string;
  /** The role session whose credentials made the call, when it was one. */
  readonly roleSession?: string;
}

export interface Session {
  readonly id: string;
  readonly user: string;
  readonly kind: SessionKind;
  readonly start: number;
  readonly windowEnd: number;
  readonly signIn?: SignIn;
  readonly events: LinkedEvent[];
  readonly roleSessions: RoleSession[];
  readonly notes: string[];
}

export interface Attempt {
  readonly event: AuditEvent;
  /** The break-glass user, or undefined when CloudTrail hid the name that was typed. */
  readonly user?: string;
  readonly reason: string;
}

export interface Unlinked {
  readonly event: AuditEvent;
  readonly reason: string;
}

export interface StitchResult {
  readonly sessions: Session[];
  readonly attempts: Attempt[];
  readonly unlinked: Unlinked[];
}

/** What a further pass over the input must keep: credentials of chained role sessions. */
export interface Needles {
  readonly keys: ReadonlySet<string>;
  readonly sharedEventIDs: ReadonlySet<string>;
  readonly arns: ReadonlySet<string>;
}

interface KeyTarget { readonly session: Session; readonly roleSession?: RoleSession }

/** Sort order of records with the same eventTime: what opens something first. */
function rank(e: AuditEvent): number {
  if (isConsoleLogin(e)) return 0;
  if (isAssumeRole(e)) return e.identity.type === 'AWSAccount' ? 2 : 1;
  if (isSwitchRole(e)) return 3;
  return 4;
}

function compactTime(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

export class Stitcher {
  private readonly kept = new Map<string, AuditEvent>();
  private readonly keys = new Set<string>();
  private readonly shared = new Set<string>();
  private readonly arns = new Set<string>();
  private readonly userWindowMs: number;
  private readonly roleMaxMs: number;
  private readonly slackMs: number;

  constructor(readonly scope: AuditScope, opts: StitchOptions = {}) {
    this.userWindowMs = opts.userWindowMs ?? 12 * HOUR;
    this.roleMaxMs = opts.roleMaxSessionMs ?? HOUR;
    this.slackMs = opts.creationSlackMs ?? 120_000;
  }

  /** Records kept so far. */
  get size(): number { return this.kept.size; }

  /** Literal strings at least one of which appears in the JSON text of every record wants() can keep. */
  rawNeedles(): string[] {
    return [...this.scope.userNames, this.scope.roleName, HIDDEN_USER, ...this.keys, ...this.shared, ...this.arns];
  }

  /** Keeps the record when it can belong to a session or attempt; returns whether it did. */
  offer(record: unknown): boolean {
    const e = toAuditEvent(record);
    if (!e || !this.wants(e)) return false;
    this.kept.set(`${e.eventID}|${e.account}`, e);
    return true;
  }

  wants(e: AuditEvent): boolean {
    const s = this.scope;
    const id = e.identity;
    if (breakGlassUser(id, s) !== undefined) return true;
    if (isConsoleLogin(e) && id.userName === HIDDEN_USER && e.account === s.securityAccountId) return true;
    if (isBreakGlassRoleSession(id, s)) return true;
    if (isAssumeRole(e) && targetsBreakGlassRole(e, s)) return true;
    if (isSwitchRole(e) && breakGlassUserArn(e.switchFrom, s) !== undefined) return true;
    if (id.accessKeyId && this.keys.has(id.accessKeyId)) return true;
    if (e.sharedEventID && this.shared.has(e.sharedEventID)) return true;
    if (id.arn && this.arns.has(id.arn)) return true;
    return false;
  }

  /**
   * Links the kept records. Returns the result and whether chained role sessions were found whose calls a further
   * pass over the input must collect (see needles()).
   */
  resolve(): { result: StitchResult; morePasses: boolean } {
    const run = new Resolution(this.scope, this.userWindowMs, this.roleMaxMs, this.slackMs);
    const result = run.link([...this.kept.values()]);
    let more = false;
    for (const r of result.sessions.flatMap((x) => x.roleSessions)) {
      if (!r.chained) continue;
      if (r.key && !this.keys.has(r.key)) { this.keys.add(r.key); more = true; }
      if (r.sharedEventID && !this.shared.has(r.sharedEventID)) { this.shared.add(r.sharedEventID); more = true; }
      if (r.arn && !this.arns.has(r.arn)) { this.arns.add(r.arn); more = true; }
    }
    return { result, morePasses: more };
  }

  needles(): Needles {
    return { keys: this.keys, sharedEventIDs: this.shared, arns: this.arns };
  }
}

/** One linking run over a fixed set of records. */
class Resolution {
  private readonly sessions: Session[] = [];
  private readonly byUser = new Map<string, Session[]>();
  private readonly byKey = new Map<string, KeyTarget>();
  private readonly byShared = new Map<string, KeyTarget>();
  private readonly byArn = new Map<string, { session: Session; rs: RoleSession }[]>();
  private readonly principalUser = new Map<string, string>();
  private readonly attempts: Attempt[] = [];
  private readonly unlinked: Unlinked[] = [];
  private readonly ids = new Set<string>();

  constructor(private readonly scope: AuditScope, private readonly userWindowMs: number, private readonly roleMaxMs: number,
    private readonly slackMs: number) {}

  link(events: AuditEvent[]): StitchResult {
    let pending = events.sort((a, b) => a.time - b.time || rank(a) - rank(b) || (a.eventID < b.eventID ? -1 : a.eventID > b.eventID ? 1 : 0));
    // Principal IDs of the break-glass users, for role-owner copies whose caller copy is missing.
    for (const e of pending) {
      const u = breakGlassUser(e.identity, this.scope);
      if (u && e.identity.principalId) this.principalUser.set(e.identity.principalId, u);
    }
    for (let final = false; ;) {
      const next: AuditEvent[] = [];
      let progress = false;
      for (const e of pending) {
        if (this.place(e, final)) progress = true;
        else next.push(e);
      }
      pending = next;
      if (pending.length === 0) break;
      if (progress) { final = false; continue; }
      if (final) break;
      final = true;
    }
    for (const e of pending) this.leftOver(e);
    for (const s of this.sessions) s.events.sort((a, b) => a.event.time - b.event.time || rank(a.event) - rank(b.event) || (a.event.eventID < b.event.eventID ? -1 : 1));
    this.attempts.sort((a, b) => a.event.time - b.event.time);
    this.unlinked.sort((a, b) => a.event.time - b.event.time);
    return { sessions: this.sessions.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1)), attempts: this.attempts, unlinked: this.unlinked };
  }

  /** Links one record; false = not yet (try again after the others). `final` allows the fallback rules. */
  private place(e: AuditEvent, final: boolean): boolean {
    const s = this.scope;
    const id = e.identity;
    if (isConsoleLogin(e)) {
      const u = breakGlassUser(id, s);
      if (!u) {
        if (id.userName === HIDDEN_USER && e.account === s.securityAccountId && e.loginResult !== 'Success') {
          this.attempts.push({ event: e, reason: 'failed sign-in with a user name that does not exist in the security account (CloudTrail hides what was typed)' });
        }
        return true;
      }
      if (e.loginResult === 'Success' && !e.errorCode) {
        this.add(this.newSession(u, 'console', e), e, 'sign-in');
      } else {
        this.attempts.push({ event: e, user: u, reason: `failed sign-in${e.errorMessage ? ` (${e.errorMessage})` : ''}` });
      }
      return true;
    }

    const user = breakGlassUser(id, s);
    if (user) return this.placeUserEvent(user, e, final);

    if (isAssumeRole(e) && id.type === 'AWSAccount') {
      const t = e.sharedEventID ? this.byShared.get(e.sharedEventID) : undefined;
      if (t) {
        this.add(t.session, e, 'sharedEventID', t.roleSession);
        return true;
      }
      if (!final) return false;
      // Fallback: the caller's copy is not in the input; the owner's copy names the caller by principal ID.
      const u = id.principalId ? this.principalUser.get(id.principalId) : undefined;
      if (u && id.accountId === s.securityAccountId && targetsBreakGlassRole(e, s)) {
        const session = this.userSessionAt(u, e.time, undefined);
        if (session) {
          this.add(session, e, 'principalId of the caller (the caller\'s copy of this AssumeRole is not in the input)');
          this.openRoleSession(session, undefined, e);
          return true;
        }
      }
      return false;
    }

    if (isSwitchRole(e)) {
      const u = breakGlassUserArn(e.switchFrom, s);
      if (!u || !isBreakGlassRoleSession(id, s)) return false;
      // The console's own AssumeRole (caller's copy, linked by the console credentials) normally opened this role
      // session already: same session ARN, same time.
      const existing = id.arn ? this.byArn.get(id.arn)?.find((x) => x.session.user === u && Math.abs(x.rs.start - e.time) <= this.slackMs) : undefined;
      if (existing) {
        existing.rs.via = 'SwitchRole';
        this.add(existing.session, e, 'SwitchFrom', existing.rs);
        return true;
      }
      if (!final) return false;
      // Fallback: that AssumeRole is not in the input; the latest console sign-in of the user covering the time.
      let session = this.latest(this.byUser.get(u) ?? [], (x) => x.kind === 'console' && x.start <= e.time && e.time <= x.windowEnd);
      if (!session) {
        session = this.newSession(u, 'console', e);
        session.notes.push('The sign-in of this session is not in the input: it starts at the first switch to the role.');
      }
      this.add(session, e, 'SwitchFrom', this.switchRoleSession(session, e));
      return true;
    }

    const key = id.accessKeyId;
    if (key) {
      const t = this.byKey.get(key);
      if (t) {
        this.add(t.session, e, 'access key', t.roleSession);
        if (isAssumeRole(e)) this.openRoleSession(t.session, t.roleSession, e);
        return true;
      }
    }
    if (id.type === 'AssumedRole' && id.arn) {
      const hit = this.roleSessionByArn(id.arn, id.createdAt ?? e.time, id.createdAt !== undefined);
      if (hit) {
        if (key && !this.byKey.has(key)) this.byKey.set(key, { session: hit.session, roleSession: hit.rs });
        this.add(hit.session, e, id.createdAt !== undefined ? 'role session ARN and creationDate' : 'role session ARN within its lifetime', hit.rs);
        if (isAssumeRole(e)) this.openRoleSession(hit.session, hit.rs, e);
        return true;
      }
    }
    return false;
  }

  private placeUserEvent(user: string, e: AuditEvent, final: boolean): boolean {
    const key = e.identity.accessKeyId;
    // A user's own key (a long-term access key, or the console's credentials) links only inside the session's
    // window: the same key used the next day opens a new session.
    const known = key ? this.byKey.get(key) : undefined;
    let session = known && e.time <= known.session.windowEnd ? known.session : undefined;
    let link = 'access key';
    if (!session && e.eventSource === 'signin.amazonaws.com') {
      // A sign-in step (CheckMfa, …): the sign-in it belongs to follows within minutes, or it is an attempt.
      session = this.latest(this.byUser.get(user) ?? [], (x) => x.kind === 'console' && x.start >= e.time && x.start <= e.time + SIGNIN_STEP_MS)
        ?? this.userSessionAt(user, e.time, undefined);
      if (!session) {
        if (!final) return false;
        this.attempts.push({ event: e, user, reason: 'sign-in step without a completed sign-in' });
        return true;
      }
      link = 'sign-in step';
    }
    if (!session) {
      session = this.userSessionAt(user, e.time, e.identity.createdAt, key);
      link = e.identity.createdAt !== undefined ? 'user session (creationDate)' : 'user session window';
    }
    if (!session) {
      session = this.newSession(user, 'cli', e);
      link = 'first call';
    }
    this.add(session, e, link);
    if (key && this.byKey.get(key)?.session !== session) this.byKey.set(key, { session });
    if (isAssumeRole(e)) this.openRoleSession(session, undefined, e);
    return true;
  }

  /**
   * The user's session a call at `t` belongs to: the latest one started at or before the credentials' creationDate
   * (console: the sign-in that issued them), else before `t`, still inside its window. A call with an unknown key
   * joins a console session only (a CLI session is one set of credentials).
   */
  private userSessionAt(user: string, t: number, createdAt: number | undefined, unknownKey?: string): Session | undefined {
    const ref = createdAt !== undefined ? createdAt + this.slackMs : t;
    return this.latest(this.byUser.get(user) ?? [], (x) => x.start <= ref && t <= x.windowEnd && x.start <= t + this.slackMs
      && (unknownKey === undefined || x.kind === 'console'));
  }

  private latest(list: Session[], ok: (s: Session) => boolean): Session | undefined {
    let best: Session | undefined;
    for (const s of list) if (ok(s) && (!best || s.start >= best.start)) best = s;
    return best;
  }

  /** Opens a session starting at `e` (the caller adds `e` to it). */
  private newSession(user: string, kind: SessionKind, e: AuditEvent): Session {
    let id = `${user}-${compactTime(e.time)}`;
    for (let n = 2; this.ids.has(id); n++) id = `${user}-${compactTime(e.time)}-${n}`;
    this.ids.add(id);
    const session: Session = {
      id, user, kind, start: e.time, windowEnd: e.time + this.userWindowMs,
      ...(isConsoleLogin(e) ? { signIn: { eventID: e.eventID, time: e.time, region: e.region, sourceIPAddress: e.sourceIPAddress, userAgent: e.userAgent, mfaUsed: e.mfaUsed } } : {}),
      events: [], roleSessions: [], notes: [],
    };
    this.sessions.push(session);
    const list = this.byUser.get(user) ?? [];
    list.push(session);
    this.byUser.set(user, list);
    return session;
  }

  private add(session: Session, e: AuditEvent, link: string, roleSession?: RoleSession): void {
    session.events.push({ event: e, link, ...(roleSession ? { roleSession: roleSession.id } : {}) });
  }

  /** Registers the role session an AssumeRole (either copy) opened, unless it failed. */
  private openRoleSession(session: Session, parent: RoleSession | undefined, e: AuditEvent): RoleSession | undefined {
    if (e.errorCode || !e.issuedKey || !e.roleArn) return undefined;
    const role = parseRoleArn(e.roleArn);
    if (!role) return undefined;
    let rs = e.sharedEventID ? this.byShared.get(e.sharedEventID)?.roleSession : undefined;
    if (!rs && e.assumedRoleArn) {
      // A console switch: the SwitchRole may have been placed first (same second).
      rs = this.byArn.get(e.assumedRoleArn)?.find((x) => x.session === session && Math.abs(x.rs.start - e.time) <= this.slackMs)?.rs;
    }
    const chained = parent !== undefined || role.name !== this.scope.roleName;
    if (!rs) {
      const max = chained && parent !== undefined ? CHAINED_MAX_MS : this.roleMaxMs;
      const asked = e.durationSeconds !== undefined ? e.durationSeconds * 1000 : ASSUME_DEFAULT_MS;
      rs = {
        id: `${session.id}/r${session.roleSessions.length + 1}`,
        ...(e.assumedRoleArn ? { arn: e.assumedRoleArn } : {}),
        roleArn: e.roleArn, account: role.account, start: e.time, end: e.time + Math.min(asked, max),
        via: 'AssumeRole', key: e.issuedKey,
        ...(parent ? { parent: parent.id } : {}),
        ...(e.requestedSourceIdentity ?? e.identity.sourceIdentity ? { sourceIdentity: e.requestedSourceIdentity ?? e.identity.sourceIdentity } : {}),
        chained,
        ...(e.sharedEventID ? { sharedEventID: e.sharedEventID } : {}),
      };
      session.roleSessions.push(rs);
      if (rs.arn) this.indexArn(rs.arn, session, rs);
    } else {
      rs.key ??= e.issuedKey;
      rs.sharedEventID ??= e.sharedEventID;
    }
    if (!this.byKey.has(e.issuedKey)) this.byKey.set(e.issuedKey, { session, roleSession: rs });
    if (e.sharedEventID && !this.byShared.has(e.sharedEventID)) this.byShared.set(e.sharedEventID, { session, roleSession: rs });
    return rs;
  }

  /** The role session a console SwitchRole opened: the one its AssumeRole already registered, or a new one. */
  private switchRoleSession(session: Session, e: AuditEvent): RoleSession | undefined {
    const arn = e.identity.arn;
    const parsed = parseAssumedRoleArn(arn);
    if (!arn || !parsed) return undefined;
    const existing = this.byArn.get(arn)?.find((x) => x.session === session && Math.abs(x.rs.start - e.time) <= this.slackMs);
    if (existing) {
      existing.rs.via = 'SwitchRole';
      return existing.rs;
    }
    const rs: RoleSession = {
      id: `${session.id}/r${session.roleSessions.length + 1}`, arn,
      roleArn: e.identity.issuerArn ?? `arn:aws:iam::${parsed.account}:role/${parsed.role}`,
      account: parsed.account, start: e.time, end: e.time + this.roleMaxMs, via: 'SwitchRole', chained: false,
    };
    session.roleSessions.push(rs);
    this.indexArn(arn, session, rs);
    return rs;
  }

  private indexArn(arn: string, session: Session, rs: RoleSession): void {
    const list = this.byArn.get(arn) ?? [];
    list.push({ session, rs });
    this.byArn.set(arn, list);
  }

  /**
   * The role session with this assumed-role ARN that issued credentials created at `at` (creationDate, within the
   * slack), or that was alive at `at` (no creationDate): the latest one started before.
   */
  private roleSessionByArn(arn: string, at: number, isCreation: boolean): { session: Session; rs: RoleSession } | undefined {
    let best: { session: Session; rs: RoleSession } | undefined;
    for (const x of this.byArn.get(arn) ?? []) {
      const fits = isCreation ? Math.abs(x.rs.start - at) <= this.slackMs : x.rs.start <= at + this.slackMs && at <= x.rs.end;
      if (fits && (!best || x.rs.start >= best.rs.start)) best = x;
    }
    return best;
  }

  /** A kept record no rule could link: reported when it touches the break-glass role, dropped otherwise. */
  private leftOver(e: AuditEvent): void {
    const s = this.scope;
    if (isBreakGlassRoleSession(e.identity, s)) {
      this.unlinked.push({ event: e, reason: isSwitchRole(e)
        ? 'switch to the break-glass role by an identity that is not a break-glass user of the security account'
        : 'made with the break-glass role, but the AssumeRole or sign-in that started its session is not in the input' });
    } else if (isAssumeRole(e) && targetsBreakGlassRole(e, s)) {
      this.unlinked.push({ event: e, reason: e.identity.type === 'AWSAccount'
        ? 'role owner\'s copy of an AssumeRole of the break-glass role whose caller is not a linked break-glass session'
        : 'AssumeRole of the break-glass role by an identity that is not a break-glass session' });
    }
  }
}
