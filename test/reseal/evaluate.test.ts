/** The reseal verdicts (lib/reseal/evaluate.ts) and the audit file reader, on hand-made facts: no AWS. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../lib/config/load';
import { daysBetween, nextDrillDue, parseTagTime, tagTime } from '../../lib/drill/cadence';
import { AuditFileError, parseAudit } from '../../lib/reseal/audit-file';
import { evaluate, type CheckOutcome, type PreviousSeal, type UserVerdict } from '../../lib/reseal/evaluate';
import type { RevocationPlace } from '../../lib/reseal/revocation';
import { EXAMPLE_CONFIG } from '../helpers/config';
import { at, audit, auditDoc, facts, S, U1, U2, type FactsSpec } from './fixtures';

const config = loadConfigFile(EXAMPLE_CONFIG).config;

const REVOKED: RevocationPlace[] = [
  { where: 'stack set breakglass-member-baseline (111111111111, us-east-1)', value: '2026-11-23T11:00:00Z', at: at('2026-11-23T11:00:00Z') },
  { where: 'stack Breakglass-Management (111111111111, us-east-1)', value: '2026-11-23T11:00:00Z', at: at('2026-11-23T11:00:00Z') },
  { where: 'stack Breakglass-Security (222222222222, us-east-1)', value: '2026-11-23T11:00:00Z', at: at('2026-11-23T11:00:00Z') },
];

/** The emergency of 23 November and the documented rotation on the 24th (holder signs in and changes the password). */
const EMERGENCY = { start: '2026-11-23T10:00:00Z', end: '2026-11-23T10:08:00Z', roleSessions: ['2026-11-23T10:00:20Z'] };
const ROTATION = { start: '2026-11-24T09:00:00Z', end: '2026-11-24T09:02:00Z', changePassword: ['2026-11-24T09:01:00Z'] };
const USED: FactsSpec = { passwordLastUsed: '2026-11-24T09:00:00Z', sealedAt: '2026-02-01T00:00:00Z' };

function run(spec: FactsSpec | FactsSpec[], o: { audit?: ReturnType<typeof audit>; revocations?: RevocationPlace[]; previous?: Map<string, PreviousSeal | undefined> } = {}): UserVerdict[] {
  const list = Array.isArray(spec) ? spec : [spec];
  return evaluate({ config, facts: list.map(facts), audit: o.audit, revocations: o.revocations ?? REVOKED, previous: o.previous ?? new Map() });
}
const check = (v: UserVerdict, id: string): CheckOutcome => v.checks.find((c) => c.id === id)!;
const statuses = (v: UserVerdict) => Object.fromEntries(v.checks.map((c) => [c.id, c.status]));
const ALL_PASS = { 'password-changed': 'pass', 'mfa-unchanged': 'pass', 'no-access-keys': 'pass', 'sessions-revoked': 'pass', 'audit-attached': 'pass' };

describe('reseal: who was used since the last seal', () => {
  it('a user not used since its seal, one never used and a missing one are not resealed (and say why)', () => {
    const [a, b, c] = run([{ passwordLastUsed: '2026-01-20T00:00:00Z', sealedAt: '2026-02-01T00:00:00Z' }, { name: U2 }, { name: 'Gone', missing: true }]);
    assert.deepEqual([a!.used, a!.note], [false, 'not used since its seal at 2026-02-01 00:00:00 UTC']);
    assert.deepEqual([b!.used, b!.note], [false, 'never used']);
    assert.deepEqual([c!.used, c!.note], [false, 'does not exist']);
  });

  it('the last use is the latest of PasswordLastUsed, an access key\'s last use and the audit\'s sessions', () => {
    const key = { id: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', lastUsed: at('2026-11-25T08:00:00Z') };
    const [v] = run({ ...USED, keys: [key] }, { audit: audit({ sessions: [EMERGENCY, { ...ROTATION, end: '2026-11-24T09:02:00Z' }] }) });
    assert.equal(v!.used, true);
    assert.equal(v!.lastUse!.toISOString(), '2026-11-25T08:00:00.000Z');
    assert.deepEqual(v!.lastUseFrom, ['password sign-in', 'access key', 'audit']);
    // A seal tag that is not a time is no seal: every use counts.
    const [w] = run({ passwordLastUsed: '2026-01-20T00:00:00Z', tags: { 'breakglass:sealed-at': 'yesterday' } });
    assert.equal(w!.used, true);
  });
});

describe('reseal checks', () => {
  const full = audit({ sessions: [EMERGENCY, ROTATION], from: '2026-11-23T00:00:00Z', to: '2026-11-24T23:59:59Z' });

  it('the documented rotation, revocation and audit: every check passes', () => {
    const [v] = run(USED, { audit: full });
    assert.deepEqual(statuses(v!), ALL_PASS);
    assert.equal(check(v!, 'password-changed').detail, 'changed 2026-11-24 09:01:00 UTC (ChangePassword by the user, in the audit), after its last use 2026-11-24 09:00:00 UTC');
    assert.match(check(v!, 'sessions-revoked').detail, /^RevokeSessionsBefore later than its last role session in the audit \(2026-11-23 10:00:20 UTC\): /);
    assert.match(check(v!, 'audit-attached').detail, /^audit\.json \(sha256 [0-9a-f]{12}…, generated 2026-11-24 12:00:00 UTC\): 2 sessions of BreakGlassUser1 since the last seal, the last use included$/);
    assert.equal(check(v!, 'mfa-unchanged').detail, '1 device (GAHT12345678), enabled before the previous seal (2026-02-01 00:00:00 UTC); serial numbers not compared (the previous seal record is not in --out)');
  });

  it('password: an administrator\'s reset alone is not seen; a re-created login profile is; a denied ChangePassword is not a change', () => {
    const noChange = audit({ sessions: [EMERGENCY, { ...ROTATION, changePassword: [], deniedChangePassword: ['2026-11-24T09:01:00Z'] }] });
    const [v] = run(USED, { audit: noChange });
    assert.equal(check(v!, 'password-changed').status, 'fail');
    assert.match(check(v!, 'password-changed').detail, /^last used 2026-11-24 09:00:00 UTC; the last change seen is 2026-01-10 09:30:00 UTC \(login profile created \(GetLoginProfile CreateDate\)\), not after it\. Rotate it/);
    const [r] = run({ ...USED, passwordLastUsed: '2026-11-23T10:00:00Z', profileCreated: '2026-11-23T12:00:00Z' }, { audit: audit({ sessions: [EMERGENCY] }) });
    assert.equal(check(r!, 'password-changed').status, 'pass');
    assert.match(check(r!, 'password-changed').detail, /^changed 2026-11-23 12:00:00 UTC \(login profile created/);
    const [n] = run({ ...USED, profileCreated: null }, { audit: full });
    assert.match(check(n!, 'password-changed').detail, /^the user has no console password/);
  });

  it('password: a sign-in IAM did not keep (second in five minutes) is taken from the audit', () => {
    // PasswordLastUsed keeps 09:00 (first sign-in of the span); CloudTrail has a second sign-in at 09:03, after the change.
    const late = audit({ sessions: [EMERGENCY, ROTATION, { start: '2026-11-24T09:03:00Z', end: '2026-11-24T09:04:00Z' }] });
    const [v] = run(USED, { audit: late });
    assert.equal(check(v!, 'password-changed').status, 'fail');
    assert.match(check(v!, 'password-changed').detail, /^last used 2026-11-24 09:03:00 UTC/);
  });

  it('MFA: a device enabled after the previous seal, or serials that differ from the previous seal record, are exceptions', () => {
    const [late] = run({ ...USED, mfa: [{ serial: 'GAHT12345678', enabled: '2026-01-10T09:00:00Z' }, { serial: `arn:aws:iam::${S}:mfa/intruder`, enabled: '2026-11-23T10:05:00Z' }] }, { audit: full });
    assert.equal(check(late!, 'mfa-unchanged').status, 'fail');
    assert.match(check(late!, 'mfa-unchanged').detail, /arn:aws:iam::222222222222:mfa\/intruder enabled 2026-11-23 10:05:00 UTC, after the previous seal \(2026-02-01 00:00:00 UTC\)\. Accept only after checking the device in the vault/);
    const previous = new Map([[U1, { recordId: '20260201T000000Z', mfaSerials: ['GAHT00000000'] }]]);
    const [swapped] = run(USED, { audit: full, previous });
    assert.equal(check(swapped!, 'mfa-unchanged').detail.split('. Accept')[0], 'not in seal record 20260201T000000Z: GAHT12345678; in seal record 20260201T000000Z but gone: GAHT00000000');
    const [same] = run(USED, { audit: full, previous: new Map([[U1, { recordId: '20260201T000000Z', mfaSerials: ['GAHT12345678'] }]]) });
    assert.match(check(same!, 'mfa-unchanged').detail, /; the same serial numbers as seal record 20260201T000000Z$/);
    const [none] = run({ ...USED, mfa: [] }, { audit: full });
    assert.match(check(none!, 'mfa-unchanged').detail, /^the user has no MFA device/);
    // Never sealed: the device must predate the first use known (the emergency's start here).
    const [first] = run({ passwordLastUsed: USED.passwordLastUsed, mfa: [{ serial: 'GAHT12345678', enabled: '2026-11-23T10:30:00Z' }] }, { audit: full });
    assert.match(check(first!, 'mfa-unchanged').detail, /^GAHT12345678 enabled 2026-11-23 10:30:00 UTC, after its first use known here \(2026-11-23 10:00:00 UTC\)/);
  });

  it('access keys: any key fails, with its masked ID, status and last use', () => {
    const [v] = run({ ...USED, keys: [{ id: 'AKIAIOSFODNN7EXAMPLE', status: 'Inactive', lastUsed: at('2026-11-23T10:02:00Z') }] }, { audit: full });
    assert.equal(check(v!, 'no-access-keys').detail, '…MPLE Inactive, last used 2026-11-23 10:02:00 UTC: delete it (aws iam delete-access-key); break-glass users sign in with password and MFA only');
  });

  it('revocation: earlier than the last role session fails; unreadable places are unknown; no role session needs none', () => {
    const early = REVOKED.map((p, i) => (i === 0 ? { ...p, value: '2026-11-23T10:00:00Z', at: at('2026-11-23T10:00:00Z') } : p));
    const [e] = run(USED, { audit: full, revocations: early });
    assert.equal(check(e!, 'sessions-revoked').status, 'fail');
    assert.match(check(e!, 'sessions-revoked').detail, /^RevokeSessionsBefore must be later than its last role session in the audit \(2026-11-23 10:00:20 UTC\): stack set breakglass-member-baseline \(111111111111, us-east-1\): 2026-11-23T10:00:00Z\. Run breakglass revoke$/);
    const unread = REVOKED.map((p, i) => (i === 0 ? { where: p.where, problem: 'not read: the credentials are of account 222222222222; pass --stacksets-profile with credentials of account 111111111111' } : p));
    const [u] = run(USED, { audit: full, revocations: unread });
    assert.equal(check(u!, 'sessions-revoked').status, 'unknown');
    assert.match(check(u!, 'sessions-revoked').detail, /not read: the credentials are of account 222222222222/);
    const [n] = run(USED, { audit: audit({ sessions: [{ ...EMERGENCY, roleSessions: [] }, ROTATION] }), revocations: unread });
    assert.equal(check(n!, 'sessions-revoked').status, 'pass');
    // Without an audit about the user, the revocation must be later than the last use itself.
    const [noAudit] = run(USED, { revocations: REVOKED });
    assert.match(check(noAudit!, 'sessions-revoked').detail, /^RevokeSessionsBefore must be later than its last use \(2026-11-24 09:00:00 UTC\)/);
  });

  it('audit: missing, another account, another user, too early, a range that leaves the use out, a sign-in it does not have', () => {
    const detail = (a?: ReturnType<typeof audit>, spec: FactsSpec = USED) => check(run(spec, { audit: a })[0]!, 'audit-attached');
    assert.match(detail().detail, /^no audit attached: run breakglass audit --format json/);
    assert.equal(detail(audit({ sessions: [EMERGENCY, ROTATION], account: '999999999999' })).detail, 'audit.json audits security account 999999999999, not 222222222222');
    assert.equal(detail(audit({ sessions: [], user: U2 })).detail, 'audit.json does not cover BreakGlassUser1 (--user BreakGlassUser2)');
    assert.match(detail(audit({ sessions: [EMERGENCY, ROTATION], generatedAt: '2026-11-24T08:00:00Z' })).detail, /generated 2026-11-24 08:00:00 UTC, before the last use 2026-11-24 09:00:00 UTC/);
    assert.match(detail(audit({ sessions: [EMERGENCY, ROTATION], to: '2026-11-23T23:59:59Z' })).detail, /its range \(open to 2026-11-23 23:59:59 UTC\) leaves out the last use/);
    assert.match(detail(audit({ sessions: [EMERGENCY] })).detail, /^audit\.json: no console sign-in at 2026-11-24 09:00:00 UTC \(PasswordLastUsed\) in it: audit the organization trail's logs/);
    const key = { id: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', lastUsed: at('2026-11-24T10:00:00Z') };
    assert.match(detail(audit({ sessions: [EMERGENCY, ROTATION] }), { ...USED, keys: [key] }).detail, /no session at 2026-11-24 10:00:00 UTC \(access key last used\) in it/);
    assert.equal(detail(audit({ sessions: [EMERGENCY, ROTATION, { kind: 'cli', start: '2026-11-24T09:55:00Z', end: '2026-11-24T10:00:30Z' }] }), { ...USED, keys: [key] }).status, 'pass');
  });
});

describe('the audit file', () => {
  it('reads schema 1, keeps each user\'s sessions, and hashes the text', () => {
    const a = audit({ sessions: [EMERGENCY, ROTATION, { ...EMERGENCY, user: U2 }] });
    assert.equal(a.sessionCount, 3);
    assert.equal(a.sessionsByUser.get(U1)!.length, 2);
    assert.deepEqual(a.sessionsByUser.get(U1)![1]!.passwordChanges.map((d) => d.toISOString()), ['2026-11-24T09:01:00.000Z']);
    assert.match(a.sha256, /^[0-9a-f]{64}$/);
  });

  it('refuses what is not a breakglass audit of schema 1, naming what is wrong', () => {
    const refuse = (text: string, re: RegExp) => assert.throws(() => parseAudit(text, 'x.json'), (e: Error) => e instanceof AuditFileError && re.test(e.message));
    refuse('# Break-glass audit\n', /^is not JSON/);
    refuse(JSON.stringify({ schemaVersion: 2 }), /^is not a breakglass audit document of schemaVersion 1 \(schemaVersion 2\)/);
    refuse(JSON.stringify({ ...auditDoc({ sessions: [] }), scope: null }), /^has no scope/);
    const bad = auditDoc({ sessions: [EMERGENCY] }) as any;
    bad.sessions[0].end = 'later';
    refuse(JSON.stringify(bad), /^sessions\[0\]\.end is not an ISO 8601 time$/);
  });
});

describe('cadence helpers (lib/drill/cadence.ts)', () => {
  it('tag values are UTC to the second and read back; anything else is no date', () => {
    assert.equal(tagTime(at('2026-12-01T23:53:07.789Z')), '2026-12-01T23:53:07Z');
    assert.equal(parseTagTime('2026-12-01T23:53:07Z')!.toISOString(), '2026-12-01T23:53:07.000Z');
    for (const v of [undefined, '', '2026-12-01', 'yesterday', '2026-12-01T23:53:07+01:00', '2026-13-01T00:00:00Z']) assert.equal(parseTagTime(v), undefined, String(v));
    assert.equal(nextDrillDue(at('2026-01-01T00:00:00Z')).toISOString(), '2026-02-15T00:00:00.000Z');
    assert.equal(daysBetween(at('2026-01-01T00:00:00Z'), at('2026-02-15T23:59:59Z')), 45);
  });
});
