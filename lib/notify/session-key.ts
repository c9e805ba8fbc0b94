/**
 * One page per break-glass session (issue 13): which alerts belong to the same break-glass session, and which of them
 * is the first. The first alert of a session pages; the later ones are follow-ups (still emailed, threaded in chat).
 * Alerts that belong to no user session (tampering, root, role changes, failed sign-ins, ...) page on their own.
 * Decision record: docs/decisions/0005-one-page-per-session.md.
 *
 * Pure: no AWS SDK, no aws-cdk-lib, no clock (callers pass `now`). The notifier runs it over a DynamoDB store
 * (./session-store-dynamodb.ts), `breakglass simulate` and the tests over MemorySessionStore.
 *
 * How a session is recognised, consistent with `breakglass audit` (lib/audit/stitch.ts) where the notifier, which sees
 * one alert at a time and in any order, can be:
 *  - Who: the user is read only from what AWS records and compared whole with the configured names (lib/audit/events.ts
 *    breakGlassUser / breakGlassUserArn). console-login and assume-role carry the user's own identity; switch-role
 *    names it in additionalEventData.SwitchFrom; role-assumed (the role owner's copy, userIdentity type AWSAccount)
 *    names it only in the role session name, which the role's trust requires to equal the IAM user name
 *    (sts:RoleSessionName = ${aws:username}, lib/constructs/break-glass-role.ts; IAM user guide, "IAM and AWS STS
 *    condition context keys", sts:RoleSessionName), or in the source identity, which the trust also pins to the
 *    user name (sts:SourceIdentity). An unknown name is no session: the alert pages on its own.
 *  - When it began: a successful ConsoleLogin always begins a new session (its eventTime). A call by the user carries
 *    userIdentity.sessionContext.attributes.creationDate, when the credentials in use were issued (CloudTrail user
 *    guide, "CloudTrail userIdentity element"): credentials issued during a console session (the console's own
 *    switch-role call, invokedBy "AWS Internal") belong to it; other credentials issued after the stored session
 *    began are a new command-line session. Alerts in member accounts (switch-role, role-assumed) carry no such date:
 *    they join the user's current session.
 *  - How long: a session ends after SESSION_WINDOW of no alerts; the next alert starts a new one. 12 h is the default
 *    lifetime of an IAM user's temporary session credentials (STS API reference, GetSessionToken DurationSeconds:
 *    "43,200 seconds (12 hours) as the default"), audit's user window, and at least the role's MaxSessionDuration.
 *  - Order: alerts arrive in any order (CloudTrail delivery differs by account and region). A session first seen
 *    through a member-account alert is "unanchored"; the sign-in or credentials seen later anchor it without
 *    changing its key. Alerts older than the session being tracked (an earlier session of the user) page on their
 *    own, without a key: only the latest session per user is kept.
 *  - Concurrency: every write is conditional on the version read (optimistic concurrency), so concurrent notifier
 *    invocations agree on which alert was first; a loser reads again and becomes a follow-up.
 *  - Fail open: any store error, or no answer within the deadline, and the alert pages as the first of a new session.
 */
import {
  breakGlassUser, breakGlassUserArn, isAssumeRole, isBreakGlassRoleSession, parseAssumedRoleArn, targetsBreakGlassRole,
  toAuditEvent, type AuditScope,
} from '../audit/events';

/** The catalogue rules whose alerts belong to a user's break-glass session (lib/detection/catalogue.ts). */
export const SESSION_RULES: readonly string[] = ['console-login', 'assume-role', 'role-assumed', 'switch-role'];

/** See the header: 12 hours. */
export const DEFAULT_SESSION_WINDOW_SECONDS = 12 * 3600;
/** Slack between a sign-in's eventTime and the creationDate of the credentials it issued (as lib/audit/stitch.ts). */
export const CREATION_SLACK_MS = 120_000;
/** How long the notifier waits for the session store before paging anyway. */
export const STORE_DEADLINE_MS = 2_000;

/** The session window for a role whose sessions last up to `roleMaxSessionSeconds` (config role.maxSessionDuration). */
export const sessionWindowSeconds = (roleMaxSessionSeconds = 0): number => Math.max(DEFAULT_SESSION_WINDOW_SECONDS, roleMaxSessionSeconds);

export interface SessionScope extends AuditScope {
  /** The role's trust requires the role session name to be the user name (config role.requireSessionNameIsUserName). */
  readonly sessionNameIsUserName: boolean;
}

/** What one alert says about the session it belongs to. */
export interface SessionFacts {
  readonly user: string;
  /** sign-in: ConsoleLogin; call: the user's own call (AssumeRole); member: a record in the account of the role. */
  readonly via: 'sign-in' | 'call' | 'member';
  readonly time: number;
  readonly eventId: string;
  /** When the session began, as far as this record proves it: the sign-in time, or the credentials' creationDate. */
  readonly anchor?: number;
  /** Whether those credentials are the console's (a sign-in, or a call the console made: invokedBy AWS Internal). */
  readonly console?: boolean;
}

const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined);

/** The session facts of an alert raised by `ruleId` for `event` (EventBridge event or CloudTrail record); undefined: no user session. */
export function sessionFactsOf(ruleId: string, event: unknown, scope: SessionScope): SessionFacts | undefined {
  if (!SESSION_RULES.includes(ruleId)) return undefined;
  const record = obj(obj(event)?.detail) ?? obj(event);
  const e = toAuditEvent(record);
  if (!e) return undefined;
  const at = { time: e.time, eventId: e.eventID };
  const configured = (name: string | undefined) => (name !== undefined && scope.userNames.includes(name) ? name : undefined);
  switch (ruleId) {
    case 'console-login': {
      const user = breakGlassUser(e.identity, scope);
      if (!user || e.eventName !== 'ConsoleLogin' || e.loginResult !== 'Success' || e.errorCode) return undefined;
      return { user, via: 'sign-in', anchor: e.time, console: true, ...at };
    }
    case 'assume-role': {
      const user = breakGlassUser(e.identity, scope);
      if (!user || !isAssumeRole(e)) return undefined;
      const created = e.identity.createdAt;
      return { user, via: 'call', ...(created !== undefined ? { anchor: created, console: e.identity.invokedBy === 'AWS Internal' } : {}), ...at };
    }
    case 'role-assumed': {
      // Only a successful AssumeRole was checked against the trust policy, which pins the names checked here.
      if (!isAssumeRole(e) || e.identity.type !== 'AWSAccount' || e.identity.accountId !== scope.securityAccountId || e.errorCode || !targetsBreakGlassRole(e, scope)) return undefined;
      const byName = scope.sessionNameIsUserName ? configured(e.roleSessionName) : undefined;
      const bySource = configured(e.requestedSourceIdentity);
      if (byName && bySource && byName !== bySource) return undefined;
      const user = byName ?? bySource;
      return user ? { user, via: 'member', ...at } : undefined;
    }
    case 'switch-role': {
      const result = obj(record?.responseElements)?.SwitchRole;
      if (!isBreakGlassRoleSession(e.identity, scope) || e.errorCode || result === 'Failure') return undefined;
      let user = breakGlassUserArn(e.switchFrom, scope);
      if (!user && e.switchFrom === undefined && scope.sessionNameIsUserName) user = configured(parseAssumedRoleArn(e.identity.arn)?.session);
      return user ? { user, via: 'member', ...at } : undefined;
    }
    default:
      return undefined;
  }
}

// ---- keys --------------------------------------------------------------------------------------------------------

/** IAM user names: letters, digits and +=,.@_- (IAM user guide, "IAM identifiers"; config users[].name). */
const USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** A key as sessionKeyFor makes it, with the suffix decide() adds when two sessions of a user begin in the same second. */
const SESSION_KEY = /^bg-[\w+=,.@-]{1,64}-\d{8}T\d{6}Z(-\d{1,12})?$/;

const compactUtc = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

/** `bg-<user>-<YYYYMMDDTHHMMSSZ>`: readable, stable for the session, only IAM-name characters. */
export function sessionKeyFor(user: string, startMs: number): string {
  if (!USER_NAME.test(user) || !Number.isFinite(startMs)) throw new Error('session key: not an IAM user name or not a time');
  return `bg-${user}-${compactUtc(startMs)}`;
}

// ---- stored state and the decision -------------------------------------------------------------------------------

/** The one item kept per user: the user's latest session. */
export interface StoredSession {
  readonly user: string;
  readonly key: string;
  /** Earliest known time of the session (anchored: its sign-in or credentials; else its earliest alert). */
  readonly startMs: number;
  /** console: a sign-in or console credentials began it; cli: other credentials; absent: not yet known. */
  readonly anchor?: 'console' | 'cli';
  /** eventID of its ConsoleLogin, once seen. */
  readonly signIn?: string;
  /** eventID of the alert that began it: a retried or repeated delivery of that alert pages again. */
  readonly first?: string;
  readonly lastSeenMs: number;
  readonly followUps: number;
  /** Every write sets version + 1 and requires the version it read. */
  readonly version: number;
}

export type Decision =
  | { readonly kind: 'first' | 'follow-up'; readonly next: StoredSession }
  /** The alert that began the session, again (Lambda retried an invocation whose publishing failed): page again. */
  | { readonly kind: 'again'; readonly key: string }
  | { readonly kind: 'older'; readonly current: string };

export interface DecideOptions {
  readonly windowMs: number;
  /** @default CREATION_SLACK_MS */
  readonly slackMs?: number;
  /** Wall clock: a stored session that claims a later time than this was not written by us and is replaced. */
  readonly now?: number;
}

/** A stored item as we write it; anything else (hand-edited, corrupt) is replaced rather than trusted. */
export function isValidStored(s: StoredSession, user: string, o: DecideOptions): boolean {
  const slack = o.slackMs ?? CREATION_SLACK_MS;
  return s.user === user && typeof s.key === 'string' && s.key.startsWith(`bg-${user}-`) && SESSION_KEY.test(s.key)
    && Number.isFinite(s.startMs) && Number.isFinite(s.lastSeenMs) && s.startMs <= s.lastSeenMs
    && Number.isInteger(s.followUps) && s.followUps >= 0 && Number.isInteger(s.version) && s.version >= 0
    && (s.anchor === undefined || s.anchor === 'console' || s.anchor === 'cli') && (s.first === undefined || typeof s.first === 'string')
    && (o.now === undefined || s.lastSeenMs <= o.now + slack);
}

/** What one alert does to the user's stored session. Pure. */
export function decide(stored: StoredSession | undefined, f: SessionFacts, o: DecideOptions): Decision {
  const slack = o.slackMs ?? CREATION_SLACK_MS;
  const start = (): Decision => {
    const at = f.anchor ?? f.time;
    let key = sessionKeyFor(f.user, at);
    if (stored && key === stored.key) key = `${key}-2`;
    return {
      kind: 'first',
      next: {
        user: f.user, key, startMs: at, lastSeenMs: Math.max(at, f.time), followUps: 0, version: stored && Number.isInteger(stored.version) && stored.version >= 0 ? stored.version + 1 : 1,
        ...(f.anchor !== undefined ? { anchor: f.console ? 'console' : 'cli' } : {}),
        ...(f.via === 'sign-in' ? { signIn: f.eventId } : {}),
        first: f.eventId,
      },
    };
  };
  if (!stored || !isValidStored(stored, f.user, o) || f.time > stored.lastSeenMs + o.windowMs) return start();
  const s = stored;
  // Never lose the page: if delivering the first alert failed after this was stored, Lambda's retry pages again.
  if (s.first === f.eventId) return { kind: 'again', key: s.key };
  const join = (patch: Partial<Pick<StoredSession, 'startMs' | 'anchor' | 'signIn'>> = {}): Decision => ({
    kind: 'follow-up',
    next: { ...s, ...patch, lastSeenMs: Math.max(s.lastSeenMs, f.time), followUps: s.followUps + 1, version: s.version + 1 },
  });
  const older: Decision = { kind: 'older', current: s.key };
  const a = f.anchor;
  if (a === undefined) {
    // A member-account alert (or a call without creationDate): it joins the current session unless it happened
    // before that session began.
    if (s.anchor ? f.time < s.startMs - slack : f.time < s.startMs - o.windowMs) return older;
    return join(s.anchor ? {} : { startMs: Math.min(s.startMs, f.time) });
  }
  const anchorNow = (kind: 'console' | 'cli') => ({ startMs: a, anchor: kind, ...(f.via === 'sign-in' ? { signIn: f.eventId } : {}) });
  if (f.via === 'sign-in') {
    if (s.signIn === f.eventId) return join(); // the same sign-in delivered again
    // Every sign-in begins a session: it joins only the session its own credentials began (seen before it, or a
    // session first seen in a member account whose sign-in this is).
    if (!s.signIn && (s.anchor ? Math.abs(a - s.startMs) <= slack : a >= s.startMs - o.windowMs && a <= s.startMs + slack)) return join(anchorNow('console'));
    return a > s.startMs ? start() : older;
  }
  if (!s.anchor) {
    if (a >= s.startMs - o.windowMs && a <= s.startMs + slack) return join(anchorNow(f.console ? 'console' : 'cli'));
    return a > s.startMs ? start() : older;
  }
  if (s.anchor === 'console') {
    // Credentials issued during a console session (the console's switch-role call, CloudShell) belong to it.
    if (a >= s.startMs - slack && a <= s.startMs + o.windowMs) return join();
    return a > s.startMs ? start() : older;
  }
  // A command-line session is one set of credentials: others issued later are a new session.
  if (Math.abs(a - s.startMs) <= slack) return join();
  return a > s.startMs ? start() : older;
}

// ---- outcome -----------------------------------------------------------------------------------------------------

export interface SessionOutcome {
  /** The session key, also the chat threadId; null when the alert belongs to no tracked session. */
  readonly key: string | null;
  /** Whether the alert pages (HTTPS subscriptions require the message attribute page = "true"). */
  readonly page: boolean;
  readonly status: 'sessionless' | 'first' | 'follow-up' | 'older' | 'unavailable';
  /** follow-up: 1 for the second alert of the session, 2 for the third, ... */
  readonly followUp?: number;
  /** older: the key of the session being tracked for the user. */
  readonly current?: string;
}

export const SESSIONLESS: SessionOutcome = { key: null, page: true, status: 'sessionless' };

function outcomeOf(d: Decision): SessionOutcome {
  if (d.kind === 'older') return { key: null, page: true, status: 'older', current: d.current };
  if (d.kind === 'again') return { key: d.key, page: true, status: 'first' };
  if (d.kind === 'first') return { key: d.next.key, page: true, status: 'first' };
  return { key: d.next.key, page: false, status: 'follow-up', followUp: d.next.followUps };
}

/** Fail open: the alert pages as the first of a new session, keyed as a new session would be. */
export function failOpen(f: SessionFacts): SessionOutcome {
  let key: string | null = null;
  try { key = sessionKeyFor(f.user, f.anchor ?? f.time); } catch { /* a name that is no IAM name: page without a key */ }
  return { key, page: true, status: 'unavailable' };
}

// ---- stores ------------------------------------------------------------------------------------------------------

export interface SessionStore {
  /** The user's stored session (a strongly consistent read). */
  get(user: string, signal?: AbortSignal): Promise<StoredSession | undefined>;
  /**
   * Writes `next` only if the item is still `expected` (same version; undefined: no item). false: another writer was
   * first. Throws on any other failure.
   */
  put(next: StoredSession, expected: StoredSession | undefined, signal?: AbortSignal): Promise<boolean>;
}

/** In memory: for `breakglass simulate` (synchronous use) and tests (the asynchronous interface, with real interleaving). */
export class MemorySessionStore implements SessionStore {
  private readonly items = new Map<string, StoredSession>();

  read(user: string): StoredSession | undefined { return this.items.get(user); }

  /** The conditional write, as DynamoDB's ConditionExpression does it. */
  write(next: StoredSession, expected: StoredSession | undefined): boolean {
    const current = this.items.get(next.user);
    if (expected === undefined ? current !== undefined : current?.version !== expected.version) return false;
    this.items.set(next.user, next);
    return true;
  }

  async get(user: string): Promise<StoredSession | undefined> {
    await new Promise((r) => setImmediate(r));
    return this.read(user);
  }

  async put(next: StoredSession, expected: StoredSession | undefined): Promise<boolean> {
    await new Promise((r) => setImmediate(r));
    return this.write(next, expected);
  }
}

export interface ResolveOptions extends DecideOptions {
  /** @default STORE_DEADLINE_MS */
  readonly deadlineMs?: number;
  /** Reads and conditional writes before giving up on a contended item (then: fail open). @default 10 */
  readonly maxAttempts?: number;
  /** Told about a store failure before the alert fails open (the notifier logs it). */
  readonly onError?: (e: unknown) => void;
}

/** The notifier's session decision for one alert: read, decide, write conditionally; fail open on any error or the deadline. */
export async function resolveSession(store: SessionStore, f: SessionFacts | undefined, o: ResolveOptions): Promise<SessionOutcome> {
  if (!f) return SESSIONLESS;
  const ms = o.deadlineMs ?? STORE_DEADLINE_MS;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { abort.abort(); reject(new Error(`session store: no answer within ${ms} ms`)); }, ms);
  });
  const work = (async () => {
    for (let i = 0; i < (o.maxAttempts ?? 10); i++) {
      const stored = await store.get(f.user, abort.signal);
      const d = decide(stored, f, o);
      if (d.kind === 'older' || d.kind === 'again') return outcomeOf(d);
      if (await store.put(d.next, stored, abort.signal)) return outcomeOf(d);
    }
    throw new Error('session store: the item kept changing (too many concurrent writers)');
  })();
  work.catch(() => { /* reported through the race below */ });
  try {
    return await Promise.race([work, deadline]);
  } catch (e) {
    o.onError?.(e);
    return failOpen(f);
  } finally {
    clearTimeout(timer);
  }
}

/** Synchronous tracking over an event stream in input order (`breakglass simulate`): one writer, so no conflicts. */
export class SessionTracker {
  constructor(private readonly scope: SessionScope, private readonly o: DecideOptions, private readonly store = new MemorySessionStore()) {}

  track(ruleId: string, event: unknown): SessionOutcome {
    const f = sessionFactsOf(ruleId, event, this.scope);
    if (!f) return SESSIONLESS;
    const stored = this.store.read(f.user);
    const d = decide(stored, f, this.o);
    if (d.kind === 'first' || d.kind === 'follow-up') this.store.write(d.next, stored);
    return outcomeOf(d);
  }
}
