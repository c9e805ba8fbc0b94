/**
 * One page per session (lib/notify/session-key.ts): which alerts belong to a user's break-glass session, which one is
 * first, and what happens under concurrency and store failure. Records are the project's fixtures
 * (test/fixtures/cloudtrail.ts, written from the documented formats) with the fields a session turns on set here:
 * eventTime, eventID, and userIdentity.sessionContext.attributes.creationDate (CloudTrail user guide, "CloudTrail
 * userIdentity element"), wrapped as EventBridge delivers them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE } from '../../lib/detection/catalogue';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import {
  decide, MemorySessionStore, resolveSession, SESSION_RULES, sessionFactsOf, sessionKeyFor, SessionTracker, sessionWindowSeconds,
  type SessionOutcome, type SessionScope, type SessionStore, type StoredSession,
} from '../../lib/notify/session-key';
import * as f from '../fixtures/cloudtrail';

type Rec = Record<string, any>;
const U1 = f.USER;
const U2 = 'BreakGlassUser2';
const M2 = '444444444444';
const scope: SessionScope = { securityAccountId: f.S, userNames: [U1, U2], roleName: f.ROLE, sessionNameIsUserName: true };
const WINDOW = 12 * 3600_000;
const opts = { windowMs: WINDOW };

let seq = 0;
const at = (t: string, day = '2026-11-23') => `${day}T${t}Z`;
function wrap(r: Rec): Rec {
  const c = toEventBridgeEvent({ ...r, eventID: r.eventID ?? `5e551011-0000-4000-8000-${String(++seq).padStart(12, '0')}` });
  if ('error' in c) throw new Error(c.error);
  return c.event;
}
const login = (user: string, time: string, o: { result?: 'Success' | 'Failure'; id?: string } = {}) =>
  wrap({ ...f.consoleLogin({ user, result: o.result }), eventTime: time, ...(o.id ? { eventID: o.id } : {}) });
/** The caller's copy of AssumeRole, made with credentials issued at `created` (console: the console's own call). */
const assume = (user: string, time: string, created: string | undefined, o: { console?: boolean; roleAccount?: string } = {}) => wrap({
  ...f.assumeRoleCaller({ user, console: o.console, roleAccount: o.roleAccount }),
  eventTime: time,
  userIdentity: {
    ...f.iamUser(user), ...(o.console ? { invokedBy: 'AWS Internal' } : {}),
    ...(created ? { sessionContext: { attributes: { creationDate: created, mfaAuthenticated: 'true' } } } : {}),
  },
});
/** The role owner's copy (userIdentity type AWSAccount): the role session name and source identity name the user. */
const owner = (sessionName: string, time: string, o: { account?: string; sourceIdentity?: string; callerAccount?: string; error?: boolean } = {}) => wrap({
  ...f.assumeRoleOwner({ roleAccount: o.account ?? f.M, callerAccount: o.callerAccount }),
  eventTime: time,
  requestParameters: { roleArn: `arn:aws:iam::${o.account ?? f.M}:role/${f.ROLE}`, roleSessionName: sessionName, durationSeconds: 3600, ...(o.sourceIdentity ? { sourceIdentity: o.sourceIdentity } : {}) },
  ...(o.error ? { errorCode: 'AccessDenied', responseElements: null } : {}),
});
const sw = (user: string, time: string, o: { account?: string; userAccount?: string } = {}) => wrap({ ...f.switchRole({ user, account: o.account, userAccount: o.userAccount }), eventTime: time });

/** One console sign-in at 10:00 and a switch into the member account at 10:01: the four alerts of today. */
const consoleSession = (user = U1, day = '2026-11-23') => [
  ['console-login', login(user, at('10:00:00', day))],
  ['assume-role', assume(user, at('10:01:00', day), at('10:00:00', day), { console: true })],
  ['role-assumed', owner(user, at('10:01:00', day))],
  ['switch-role', sw(user, at('10:01:00', day))],
] as const;

const summary = (o: SessionOutcome) => [o.status, o.key, o.followUp];
function run(tracker: SessionTracker, alerts: ReadonlyArray<readonly [string, Rec]>): SessionOutcome[] {
  return alerts.map(([rule, ev]) => tracker.track(rule, ev));
}
const tracker = (s: SessionScope = scope) => new SessionTracker(s, opts);
const KEY = 'bg-BreakGlassUser1-20261123T100000Z';

describe('session facts: who, from what AWS records', () => {
  it('console-login, assume-role, role-assumed and switch-role of a break-glass user belong to a session', () => {
    const [l, a, o, s] = consoleSession();
    assert.deepEqual(sessionFactsOf('console-login', l[1], scope), { user: U1, via: 'sign-in', anchor: Date.parse(at('10:00:00')), console: true, time: Date.parse(at('10:00:00')), eventId: l[1].detail.eventID });
    assert.equal(sessionFactsOf('assume-role', a[1], scope)?.anchor, Date.parse(at('10:00:00')), 'creationDate of the credentials');
    assert.equal(sessionFactsOf('assume-role', a[1], scope)?.console, true, 'invokedBy AWS Internal: the console\'s credentials');
    assert.equal(sessionFactsOf('assume-role', assume(U1, at('10:01:00'), at('10:00:00')), scope)?.console, false);
    assert.equal(sessionFactsOf('assume-role', assume(U1, at('10:01:00'), undefined), scope)?.anchor, undefined, 'no sessionContext: no anchor');
    assert.deepEqual([sessionFactsOf('role-assumed', o[1], scope)?.user, sessionFactsOf('role-assumed', o[1], scope)?.via], [U1, 'member']);
    assert.deepEqual([sessionFactsOf('switch-role', s[1], scope)?.user, sessionFactsOf('switch-role', s[1], scope)?.via], [U1, 'member']);
  });

  it('every other rule, a failed sign-in, and names that are not configured users are no session', () => {
    for (const rule of CATALOGUE.filter((r) => !SESSION_RULES.includes(r.id))) {
      for (const [, ev] of consoleSession()) assert.equal(sessionFactsOf(rule.id, ev, scope), undefined, rule.id);
    }
    assert.equal(sessionFactsOf('console-login', login(U1, at('10:00:00'), { result: 'Failure' }), scope), undefined, 'failed sign-in');
    assert.equal(sessionFactsOf('console-login', login('BreakGlassUser10', at('10:00:00')), scope), undefined, 'not a configured name');
    for (const name of ['BreakGlassUser1 ', 'breakglassuser1', 'https://evil.example/x', 'BreakGlassUser1\nSeverity: info', 'x']) {
      assert.equal(sessionFactsOf('role-assumed', owner(name, at('10:01:00')), scope), undefined, JSON.stringify(name));
    }
    // The same user name in another account is not the break-glass user.
    assert.equal(sessionFactsOf('switch-role', sw(U1, at('10:01:00'), { userAccount: f.OUTSIDE }), scope), undefined);
    assert.equal(sessionFactsOf('assume-role', wrap({ ...f.assumeRoleCaller(), userIdentity: f.iamUser(U1, f.OUTSIDE) }), scope), undefined);
    // The owner's copy names a break-glass user only if the caller is the security account and the call succeeded.
    assert.equal(sessionFactsOf('role-assumed', owner(U1, at('10:01:00'), { callerAccount: f.OUTSIDE }), scope), undefined);
    assert.equal(sessionFactsOf('role-assumed', owner(U1, at('10:01:00'), { error: true }), scope), undefined);
  });

  it('role-assumed: the session name counts only when the trust requires it; a source identity always (the trust pins it)', () => {
    const loose: SessionScope = { ...scope, sessionNameIsUserName: false };
    assert.equal(sessionFactsOf('role-assumed', owner(U1, at('10:01:00')), loose), undefined);
    assert.equal(sessionFactsOf('role-assumed', owner('anything', at('10:01:00'), { sourceIdentity: U2 }), loose)?.user, U2);
    assert.equal(sessionFactsOf('role-assumed', owner(U1, at('10:01:00'), { sourceIdentity: U2 }), scope), undefined, 'two names that disagree');
  });

  it('keys: bg-<user>-<start, UTC, to the second>; only IAM user names', () => {
    assert.equal(sessionKeyFor(U1, Date.parse(at('10:00:00'))), KEY);
    for (const bad of ['a b', 'x\ny', 'a'.repeat(65), '', 'ünïcode']) assert.throws(() => sessionKeyFor(bad, 0), /session key/, bad);
    assert.equal(sessionWindowSeconds(3600), 12 * 3600);
    assert.equal(sessionWindowSeconds(43200), 43200);
  });
});

describe('sessions over an alert stream (as breakglass simulate tracks them)', () => {
  it('console path: one sign-in and one switch raise four alerts, one page; every further account adds follow-ups', () => {
    const t = tracker();
    const more = [['role-assumed', owner(U1, at('10:05:00'), { account: M2 })], ['switch-role', sw(U1, at('10:05:00'), { account: M2 })]] as const;
    const out = run(t, [...consoleSession(), ...more]);
    assert.deepEqual(out.map(summary), [['first', KEY, undefined], ...[1, 2, 3, 4, 5].map((n) => ['follow-up', KEY, n])]);
    assert.deepEqual(out.map((o) => o.page), [true, false, false, false, false, false]);
  });

  it('the same alerts in any arrival order: exactly one page, one key for all', () => {
    const alerts = consoleSession();
    for (const order of [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]]) {
      const out = run(tracker(), order.map((i) => alerts[i]!));
      assert.deepEqual(out.map((o) => o.page), [true, false, false, false], `order ${order}`);
      assert.equal(new Set(out.map((o) => o.key)).size, 1, `order ${order}: ${out.map((o) => o.key)}`);
    }
  });

  it('CLI path: credentials are the session; new credentials later are a new session', () => {
    const t = tracker();
    const out = run(t, [
      ['assume-role', assume(U2, at('11:00:20'), at('11:00:00'))],
      ['role-assumed', owner(U2, at('11:00:20'))],
      ['assume-role', assume(U2, at('11:03:00'), at('11:00:00'), { roleAccount: M2 })],
      ['role-assumed', owner(U2, at('11:03:00'), { account: M2 })],
      ['assume-role', assume(U2, at('11:40:00'), at('11:30:00'))],
    ]);
    const k1 = 'bg-BreakGlassUser2-20261123T110000Z';
    assert.deepEqual(out.map(summary), [['first', k1, undefined], ['follow-up', k1, 1], ['follow-up', k1, 2], ['follow-up', k1, 3], ['first', 'bg-BreakGlassUser2-20261123T113000Z', undefined]]);
  });

  it('credentials issued during a console session (the console\'s switch, CloudShell) join it', () => {
    const out = run(tracker(), [...consoleSession(), ['assume-role', assume(U1, at('10:30:00'), at('10:20:00'))]]);
    assert.deepEqual(out.at(-1) && summary(out.at(-1)!), ['follow-up', KEY, 4]);
  });

  it('a new sign-in is a new session: later the same day, and the next day; so is a switch after 12 h of quiet', () => {
    const t = tracker();
    run(t, consoleSession());
    const again = t.track('console-login', login(U1, at('15:00:00')));
    assert.deepEqual(summary(again), ['first', 'bg-BreakGlassUser1-20261123T150000Z', undefined]);
    const nextDay = run(t, consoleSession(U1, '2026-11-24'));
    assert.deepEqual(nextDay.map((o) => [o.page, o.key]), [[true, 'bg-BreakGlassUser1-20261124T100000Z'], ...Array(3).fill([false, 'bg-BreakGlassUser1-20261124T100000Z'])]);
    // Only member-account alerts, 11:59 and then 12:01 h after the last one.
    const quiet = tracker();
    run(quiet, [['switch-role', sw(U1, at('00:00:00'))]]);
    assert.equal(quiet.track('switch-role', sw(U1, at('11:59:00'))).status, 'follow-up');
    assert.equal(quiet.track('switch-role', sw(U1, at('23:58:00'))).status, 'follow-up', 'within 12 h of the last alert');
    assert.deepEqual(summary(quiet.track('switch-role', sw(U1, at('11:59:30', '2026-11-24')))), ['first', 'bg-BreakGlassUser1-20261124T115930Z', undefined]);
  });

  it('a different user is a different session', () => {
    const t = tracker();
    const out = run(t, [['console-login', login(U1, at('10:00:00'))], ['console-login', login(U2, at('10:00:30'))], ['switch-role', sw(U2, at('10:01:00'))], ['switch-role', sw(U1, at('10:01:00'))]]);
    const k2 = 'bg-BreakGlassUser2-20261123T100030Z';
    assert.deepEqual(out.map(summary), [['first', KEY, undefined], ['first', k2, undefined], ['follow-up', k2, 1], ['follow-up', KEY, 1]]);
  });

  it('a repeated delivery of the alert that began the session pages again (a retried invocation never loses the page)', () => {
    const t = tracker();
    const first = sw(U1, at('10:01:00'));
    const signIn = login(U1, at('10:00:00'));
    const out = run(t, [['switch-role', first], ['console-login', signIn], ['switch-role', first], ['console-login', signIn], ['role-assumed', owner(U1, at('10:01:00'))]]);
    const key = 'bg-BreakGlassUser1-20261123T100100Z';
    // The retried first alert pages and is not counted; a repeated follow-up (the sign-in) stays a follow-up.
    assert.deepEqual(out.map(summary), [['first', key, undefined], ['follow-up', key, 1], ['first', key, undefined], ['follow-up', key, 2], ['follow-up', key, 3]]);
  });

  it('an alert older than the session being tracked pages on its own, without a key', () => {
    const t = tracker();
    t.track('console-login', login(U1, at('10:05:00')));
    const late = t.track('switch-role', sw(U1, at('10:00:30')));
    assert.deepEqual([late.status, late.page, late.key, late.current], ['older', true, null, 'bg-BreakGlassUser1-20261123T100500Z']);
    assert.equal(t.track('role-assumed', owner(U1, at('10:06:00'))).status, 'follow-up', 'the tracked session is unchanged');
  });

  it('alerts of no session are sessionless and page', () => {
    const o = tracker().track('root-console-login', wrap(f.consoleLogin({ root: true, account: f.M })));
    assert.deepEqual(o, { key: null, page: true, status: 'sessionless' });
  });
});

describe('concurrency and failure (resolveSession over a store)', () => {
  const facts = (rule: string, ev: Rec) => sessionFactsOf(rule, ev, scope);

  it('concurrent invocations agree on the first alert: one page, follow-ups 1..3 (conditional writes)', async () => {
    for (let round = 0; round < 5; round++) {
      const store = new MemorySessionStore();
      const out = await Promise.all(consoleSession().map(([rule, ev]) => resolveSession(store, facts(rule, ev), opts)));
      assert.equal(out.filter((o) => o.page).length, 1, JSON.stringify(out));
      assert.deepEqual(out.filter((o) => !o.page).map((o) => o.followUp).sort(), [1, 2, 3]);
      assert.equal(new Set(out.map((o) => o.key)).size, 1);
    }
    const store = new MemorySessionStore();
    const two = await Promise.all([resolveSession(store, facts('console-login', login(U1, at('10:00:00'))), opts), resolveSession(store, facts('console-login', login(U2, at('10:00:00'))), opts)]);
    assert.deepEqual(two.map((o) => o.page), [true, true], 'two users, two sessions');
  });

  it('a Lambda retry of the first alert pages again without writing', async () => {
    const store = new MemorySessionStore();
    const first = facts('console-login', login(U1, at('10:00:00')));
    assert.equal((await resolveSession(store, first, opts)).status, 'first');
    const before = store.read(U1);
    assert.deepEqual(await resolveSession(store, first, opts), { key: KEY, page: true, status: 'first' });
    assert.equal(store.read(U1), before, 'nothing written');
  });

  it('the memory store\'s conditional write refuses a stale version, as DynamoDB\'s ConditionExpression does', () => {
    const store = new MemorySessionStore();
    const d = decide(undefined, facts('console-login', login(U1, at('10:00:00')))!, opts);
    assert.ok(d.kind === 'first');
    assert.equal(store.write(d.next, undefined), true);
    assert.equal(store.write(d.next, undefined), false, 'item exists');
    assert.equal(store.write({ ...d.next, version: 9 }, { ...d.next, version: 0 }), false, 'stale version');
    assert.equal(store.write({ ...d.next, version: 2 }, d.next), true);
  });

  it('fails open: a store error, no answer within the deadline, or endless conflicts page as a new session', async () => {
    const f1 = facts('switch-role', sw(U1, at('10:01:00')));
    const errors: unknown[] = [];
    const broken = (get: SessionStore['get'], put: SessionStore['put'] = async () => true): SessionStore => ({ get, put });
    const expect = { key: 'bg-BreakGlassUser1-20261123T100100Z', page: true, status: 'unavailable' };
    assert.deepEqual(await resolveSession(broken(async () => { throw new Error('AccessDeniedException'); }), f1, { ...opts, onError: (e) => errors.push(e) }), expect);
    assert.deepEqual(await resolveSession(broken(async () => undefined, async () => { throw new Error('KMS key disabled'); }), f1, opts), expect);
    const started = Date.now();
    assert.deepEqual(await resolveSession(broken(() => new Promise(() => {})), f1, { ...opts, deadlineMs: 50, onError: (e) => errors.push(e) }), expect);
    assert.ok(Date.now() - started < 1_000, 'the deadline holds');
    assert.deepEqual(await resolveSession(broken(async () => undefined, async () => false), f1, { ...opts, maxAttempts: 3, onError: (e) => errors.push(e) }), expect);
    assert.deepEqual(errors.map((e) => String((e as Error).message)), ['AccessDeniedException', 'session store: no answer within 50 ms', 'session store: the item kept changing (too many concurrent writers)']);
    assert.deepEqual(await resolveSession(new MemorySessionStore(), undefined, opts), { key: null, page: true, status: 'sessionless' });
  });

  it('a stored item we did not write (another user\'s key, a future time, broken numbers) is replaced, not trusted', () => {
    const f1 = facts('switch-role', sw(U1, at('10:01:00')))!;
    const good: StoredSession = { user: U1, key: KEY, startMs: Date.parse(at('10:00:00')), anchor: 'console', lastSeenMs: Date.parse(at('10:00:30')), followUps: 0, version: 3 };
    assert.equal(decide(good, f1, opts).kind, 'follow-up');
    for (const bad of [{ key: 'bg-BreakGlassUser2-20261123T100000Z' }, { lastSeenMs: Date.parse(at('23:00:00')) }, { followUps: Number.NaN }, { startMs: Date.parse(at('10:00:31')) }, { key: 'bg-BreakGlassUser1-x' }]) {
      const d = decide({ ...good, ...bad }, f1, { ...opts, now: Date.parse(at('10:01:05')) });
      assert.equal(d.kind, 'first', JSON.stringify(bad));
      if (d.kind === 'first') assert.equal(d.next.version, 4, 'replaces the item it read');
    }
  });
});
