/**
 * The audit report: stitched sessions turned into what people and tools read (per-account summaries, what changed,
 * the timeline), filtered by --user and the --from/--to range. Pure data; lib/audit/render.ts formats it.
 */
import { isDenied, isWrite, serviceOf, type AuditEvent, type AuditScope } from './events';
import type { Attempt, LinkedEvent, RoleSession, Session, StitchResult, Unlinked } from './stitch';

export interface ReportScope extends AuditScope {
  /** Names shown next to account IDs (config alerts.accountNames). */
  readonly accountNames?: Readonly<Record<string, string>>;
}

export interface ReportOptions {
  readonly scope: ReportScope;
  readonly configFile: string;
  /** Where the records came from, in words ("12 files", "Athena table db.t"). */
  readonly input: string;
  readonly source: 'files' | 'athena';
  readonly from?: number;
  readonly to?: number;
  readonly user?: string;
  readonly generatedAt?: string;
  readonly unreadable?: number;
  readonly recordsRead?: number;
  readonly passes?: number;
  readonly bytesScanned?: number;
}

export interface ReportEvent {
  readonly eventID: string;
  readonly time: string;
  readonly account: string;
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean | null;
  readonly errorCode: string | null;
  readonly errorMessage?: string;
  readonly write: boolean;
  readonly denied: boolean;
  /** Who made the call, as CloudTrail names it. */
  readonly principal: string;
  readonly sourceIPAddress?: string;
  readonly roleSession?: string;
  /** The rule that linked the record to the session. */
  readonly link: string;
}

export interface AccountSummary {
  readonly account: string;
  readonly name?: string;
  readonly events: number;
  readonly writes: number;
  readonly denied: number;
  readonly errors: number;
  readonly regions: string[];
  readonly first: string;
  readonly last: string;
}

export interface ServiceChanges {
  readonly service: string;
  readonly count: number;
  readonly calls: { eventName: string; count: number; accounts: string[] }[];
}

export interface ReportSession {
  readonly id: string;
  readonly user: string;
  readonly kind: 'console' | 'cli';
  readonly start: string;
  readonly end: string;
  readonly durationSeconds: number;
  readonly accounts: string[];
  readonly signIn?: { eventID: string; time: string; region: string; sourceIPAddress?: string; userAgent?: string; mfaUsed?: string };
  readonly sourceIPs: string[];
  readonly roleSessions: {
    id: string; account: string; roleArn: string; sessionArn?: string; via: string; start: string;
    sourceIdentity?: string; chainedFrom?: string;
  }[];
  readonly accountSummaries: AccountSummary[];
  readonly changes: ServiceChanges[];
  readonly writes: number;
  readonly denied: number;
  readonly events: ReportEvent[];
  readonly notes: string[];
}

export interface ReportAttempt {
  readonly eventID: string;
  readonly time: string;
  readonly user: string | null;
  readonly account: string;
  readonly region: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly mfaUsed?: string;
  readonly errorMessage?: string;
  readonly reason: string;
}

export interface ReportUnlinked {
  readonly eventID: string;
  readonly time: string;
  readonly account: string;
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly principal: string;
  readonly errorCode: string | null;
  readonly reason: string;
}

/**
 * JSON schema 1 (fields may be added in later versions of schema 1; none is removed or renamed):
 * {"schemaVersion":1,"generatedAt","config","source","input","range":{"from","to"},"user","scope":{...},
 *  "summary":{...},"sessions":[ReportSession],"attempts":[ReportAttempt],"unlinked":[ReportUnlinked]}
 */
export interface AuditReport {
  readonly schemaVersion: 1;
  readonly generatedAt: string;
  readonly config: string;
  readonly source: 'files' | 'athena';
  readonly input: string;
  readonly range: { from: string | null; to: string | null };
  readonly user: string | null;
  readonly scope: { securityAccountId: string; users: string[]; roleName: string; accountNames: Record<string, string> };
  readonly summary: {
    sessions: number; attempts: number; unlinked: number; events: number; accounts: number; writes: number; denied: number;
    recordsRead?: number; unreadable?: number; passes?: number; bytesScanned?: number;
  };
  readonly sessions: ReportSession[];
  readonly attempts: ReportAttempt[];
  readonly unlinked: ReportUnlinked[];
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.000Z$/, 'Z');

/** Who made a call, as short as it stays unambiguous. */
export function principalOf(e: AuditEvent): string {
  const id = e.identity;
  if (id.type === 'AWSAccount') return `account ${id.accountId ?? '?'} (role owner's copy)`;
  if (id.type === 'IAMUser') return id.arn ?? `user ${id.userName ?? '?'} in ${id.accountId ?? '?'}`;
  return id.arn ?? id.userName ?? id.type ?? '?';
}

function reportEvent(l: LinkedEvent): ReportEvent {
  const e = l.event;
  return {
    eventID: e.eventID,
    time: e.eventTime,
    account: e.account,
    region: e.region,
    eventSource: e.eventSource,
    eventName: e.eventName,
    readOnly: e.readOnly ?? null,
    errorCode: e.errorCode ?? null,
    ...(e.errorMessage ? { errorMessage: e.errorMessage } : {}),
    write: isWrite(e),
    denied: isDenied(e),
    principal: principalOf(e),
    ...(e.sourceIPAddress ? { sourceIPAddress: e.sourceIPAddress } : {}),
    ...(l.roleSession ? { roleSession: l.roleSession } : {}),
    link: l.link,
  };
}

function accountSummaries(events: LinkedEvent[], names: Readonly<Record<string, string>>): AccountSummary[] {
  const by = new Map<string, AuditEvent[]>();
  for (const { event } of events) {
    const list = by.get(event.account) ?? [];
    list.push(event);
    by.set(event.account, list);
  }
  return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([account, list]) => ({
    account,
    ...(names[account] ? { name: names[account] } : {}),
    events: list.length,
    writes: list.filter(isWrite).length,
    denied: list.filter(isDenied).length,
    errors: list.filter((e) => e.errorCode).length,
    regions: [...new Set(list.map((e) => e.region).filter(Boolean))].sort(),
    first: list[0]!.eventTime,
    last: list[list.length - 1]!.eventTime,
  }));
}

/** Write calls that succeeded, grouped by service, then by call. */
function changes(events: LinkedEvent[]): ServiceChanges[] {
  const by = new Map<string, Map<string, Set<string> & { n?: number }>>();
  const counts = new Map<string, number>();
  for (const { event } of events) {
    if (!isWrite(event)) continue;
    const service = serviceOf(event.eventSource);
    const calls = by.get(service) ?? new Map();
    const accounts = calls.get(event.eventName) ?? new Set<string>();
    accounts.add(event.account);
    calls.set(event.eventName, accounts);
    by.set(service, calls);
    counts.set(`${service}\u0000${event.eventName}`, (counts.get(`${service}\u0000${event.eventName}`) ?? 0) + 1);
  }
  return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([service, calls]) => {
    const list = [...calls.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([eventName, accounts]) => ({ eventName, count: counts.get(`${service}\u0000${eventName}`)!, accounts: [...accounts].sort() }));
    return { service, count: list.reduce((n, c) => n + c.count, 0), calls: list };
  });
}

function roleSessionOut(r: RoleSession) {
  return {
    id: r.id, account: r.account, roleArn: r.roleArn, ...(r.arn ? { sessionArn: r.arn } : {}), via: r.via, start: iso(r.start),
    ...(r.sourceIdentity ? { sourceIdentity: r.sourceIdentity } : {}), ...(r.parent ? { chainedFrom: r.parent } : {}),
  };
}

function sessionOut(s: Session, scope: ReportScope): ReportSession {
  const events = s.events;
  const end = events.length ? events[events.length - 1]!.event.time : s.start;
  const accounts = [...new Set([scope.securityAccountId, ...events.map((l) => l.event.account).filter(Boolean)])].sort();
  const ips = [...new Set(events.map((l) => l.event.sourceIPAddress).filter((x): x is string => !!x && x !== 'AWS Internal' && !x.endsWith('.amazonaws.com')))].sort();
  const out = events.map(reportEvent);
  return {
    id: s.id,
    user: s.user,
    kind: s.kind,
    start: iso(s.start),
    end: iso(end),
    durationSeconds: Math.round((end - s.start) / 1000),
    accounts,
    ...(s.signIn ? { signIn: { eventID: s.signIn.eventID, time: iso(s.signIn.time), region: s.signIn.region, ...(s.signIn.sourceIPAddress ? { sourceIPAddress: s.signIn.sourceIPAddress } : {}), ...(s.signIn.userAgent ? { userAgent: s.signIn.userAgent } : {}), ...(s.signIn.mfaUsed ? { mfaUsed: s.signIn.mfaUsed } : {}) } } : {}),
    sourceIPs: ips,
    roleSessions: s.roleSessions.map(roleSessionOut),
    accountSummaries: accountSummaries(events, scope.accountNames ?? {}),
    changes: changes(events),
    writes: out.filter((e) => e.write).length,
    denied: out.filter((e) => e.denied).length,
    events: out,
    notes: s.notes,
  };
}

function attemptOut(a: Attempt): ReportAttempt {
  const e = a.event;
  return {
    eventID: e.eventID, time: e.eventTime, user: a.user ?? null, account: e.account, region: e.region,
    ...(e.sourceIPAddress ? { sourceIPAddress: e.sourceIPAddress } : {}), ...(e.userAgent ? { userAgent: e.userAgent } : {}),
    ...(e.mfaUsed ? { mfaUsed: e.mfaUsed } : {}), ...(e.errorMessage ? { errorMessage: e.errorMessage } : {}), reason: a.reason,
  };
}

function unlinkedOut(u: Unlinked): ReportUnlinked {
  const e = u.event;
  return {
    eventID: e.eventID, time: e.eventTime, account: e.account, region: e.region, eventSource: e.eventSource,
    eventName: e.eventName, principal: principalOf(e), errorCode: e.errorCode ?? null, reason: u.reason,
  };
}

const inRange = (t0: number, t1: number, o: ReportOptions) => (o.from === undefined || t1 >= o.from) && (o.to === undefined || t0 <= o.to);

/** Sessions overlapping [from, to] (whole sessions, not clipped); attempts and unlinked records inside it. */
export function buildReport(result: StitchResult, o: ReportOptions): AuditReport {
  const sessions = result.sessions
    .filter((s) => (o.user === undefined || s.user === o.user)
      && inRange(s.start, s.events.length ? s.events[s.events.length - 1]!.event.time : s.start, o))
    .map((s) => sessionOut(s, o.scope));
  const attempts = result.attempts
    .filter((a) => (o.user === undefined || a.user === o.user) && inRange(a.event.time, a.event.time, o))
    .map(attemptOut);
  const unlinked = o.user === undefined ? result.unlinked.filter((u) => inRange(u.event.time, u.event.time, o)).map(unlinkedOut) : [];
  const allEvents = sessions.flatMap((s) => s.events);
  return {
    schemaVersion: 1,
    generatedAt: o.generatedAt ?? iso(Date.now()),
    config: o.configFile,
    source: o.source,
    input: o.input,
    range: { from: o.from !== undefined ? iso(o.from) : null, to: o.to !== undefined ? iso(o.to) : null },
    user: o.user ?? null,
    scope: { securityAccountId: o.scope.securityAccountId, users: [...o.scope.userNames], roleName: o.scope.roleName, accountNames: { ...(o.scope.accountNames ?? {}) } },
    summary: {
      sessions: sessions.length,
      attempts: attempts.length,
      unlinked: unlinked.length,
      events: allEvents.length,
      accounts: new Set(sessions.flatMap((s) => s.accounts)).size,
      writes: allEvents.filter((e) => e.write).length,
      denied: allEvents.filter((e) => e.denied).length,
      ...(o.recordsRead !== undefined ? { recordsRead: o.recordsRead } : {}),
      ...(o.unreadable !== undefined ? { unreadable: o.unreadable } : {}),
      ...(o.passes !== undefined ? { passes: o.passes } : {}),
      ...(o.bytesScanned !== undefined ? { bytesScanned: o.bytesScanned } : {}),
    },
    sessions,
    attempts,
    unlinked,
  };
}
