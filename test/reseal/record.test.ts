/**
 * The seal decision and record without AWS: reseal() over hand-made verdicts with a stub IAM client for TagUser
 * only (the moto test, reseal-moto.test.ts, runs the real calls), the exceptions prompt, the Markdown golden file
 * (test/golden/seal-record.md), and the record files: created only, never replacing anything.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfigFile } from '../../lib/config/load';
import type { DoctorContext } from '../../lib/doctor/types';
import type { DrillPrompt } from '../../lib/drill/run';
import { evaluate } from '../../lib/reseal/evaluate';
import { findPreviousSeal, sealMarkdown, writeSealRecord, type SealRecord } from '../../lib/reseal/record';
import type { RevocationPlace } from '../../lib/reseal/revocation';
import { reseal } from '../../lib/reseal/run';
import { createAtomically } from '../../lib/write-atomically';
import { EXAMPLE_CONFIG } from '../helpers/config';
import { golden } from '../helpers/golden';
import { at, audit, facts, U1, U2 } from './fixtures';

const config = loadConfigFile(EXAMPLE_CONFIG).config;
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-seal-record-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const REVOKED: RevocationPlace[] = [
  { where: 'stack set breakglass-member-baseline (111111111111, us-east-1)', value: '2026-11-23T11:00:00Z', at: at('2026-11-23T11:00:00Z') },
  { where: 'stack Breakglass-Management (111111111111, us-east-1)', problem: 'not read: the credentials are of account 222222222222; pass --management-profile with credentials of account 111111111111' },
  { where: 'stack Breakglass-Security (222222222222, us-east-1)', value: '2026-11-23T11:00:00Z', at: at('2026-11-23T11:00:00Z') },
];
const AUDIT = audit({
  sessions: [
    { start: '2026-11-23T10:00:00Z', end: '2026-11-23T10:08:00Z', roleSessions: ['2026-11-23T10:00:20Z'] },
    { start: '2026-11-24T09:00:00Z', end: '2026-11-24T09:02:00Z', changePassword: ['2026-11-24T09:01:00Z'] },
  ],
  from: '2026-11-23T00:00:00Z',
  to: '2026-11-24T23:59:59Z',
}, 'incident-2026-11-23/audit.json');

function state(tagged: string[] = []) {
  const verdicts = evaluate({
    config,
    facts: [facts({ passwordLastUsed: '2026-11-24T09:00:00Z', sealedAt: '2026-02-01T00:00:00Z' }), facts({ name: U2, sealedAt: '2026-02-01T00:00:00Z', passwordLastUsed: '2026-01-20T00:00:00Z' })],
    audit: AUDIT,
    revocations: REVOKED,
    previous: new Map([[U1, { recordId: '20260201T000000Z', mfaSerials: ['GAHT12345678'] }]]),
  });
  return { verdicts, revocations: REVOKED, operatorArn: 'arn:aws:sts::222222222222:assumed-role/Admin/alice', tagged };
}

/** Only iam().send (TagUser) and profile are used by reseal(); the rest of the context is not reached. */
function contexts(tagUser: (input: any) => Promise<unknown>): any {
  const ctx = { profile: 'security', iam: () => ({ send: (cmd: { input: unknown }) => tagUser(cmd.input) }) } as unknown as DoctorContext;
  return { security: ctx, management: ctx, stacksets: ctx, options: { security: '--profile', management: '--management-profile', stacksets: '--stacksets-profile' } };
}

function scripted(answers: Array<string | undefined>): DrillPrompt & { said: string[]; asked: string[] } {
  const said: string[] = []; const asked: string[] = [];
  return { said, asked, say: (t) => { said.push(t); }, ask: async (q) => { asked.push(q); return answers.shift(); } };
}

const NOW = () => at('2026-11-24T13:15:42.250Z');
const input = (yes: boolean) => ({ config, configFile: 'breakglass.config.yaml', audit: AUDIT, outDir: tmp, yes });

describe('reseal decision', () => {
  it('an unknown revocation without --yes: refused, one line per failing check, nothing tagged', async () => {
    const calls: unknown[] = [];
    const r = await reseal(input(false), { contexts: contexts(async (i) => { calls.push(i); }), now: NOW }, state());
    assert.equal(r.kind, 'refused');
    if (r.kind !== 'refused') return;
    assert.deepEqual(r.lines, [`${U1}: sessions-revoked: unknown: ${REVOKED.map((p) => `${p.where}: ${p.problem ?? p.value}`).join('; ')}`]);
    assert.match(r.why, /^not sealed: 1 check did not pass; fix them, or run again with --yes at a terminal/);
    assert.deepEqual(calls, []);
  });

  it('--yes without a terminal cannot accept; a refused answer or end of input refuses; nothing tagged', async () => {
    const calls: unknown[] = [];
    const deps = (prompt?: DrillPrompt) => ({ contexts: contexts(async (i) => { calls.push(i); }), now: NOW, prompt });
    const noTty = await reseal(input(true), deps(), state());
    assert.equal(noTty.kind === 'refused' && noTty.why, 'not sealed: exceptions can only be accepted at a terminal (--yes needs an interactive stdin)');
    const no = await reseal(input(true), deps(scripted(['yes'])), state());
    assert.equal(no.kind === 'refused' && no.why, `not sealed: ${U1}: sessions-revoked was not accepted`);
    const eof = await reseal(input(true), deps(scripted([undefined])), state());
    assert.equal(eof.kind === 'refused' && eof.why, `not sealed: ${U1}: sessions-revoked was not accepted (input ended)`);
    assert.deepEqual(calls, []);
  });

  it('each exception accepted with a reason: the used user is tagged, the record says who, why and what was checked', async () => {
    const calls: any[] = [];
    const prompt = scripted(['accept Breakglass-Management revoked by hand from the management account, ticket SEC-42']);
    const r = await reseal(input(true), { contexts: contexts(async (i) => { calls.push(i); }), now: NOW, prompt }, state());
    assert.equal(r.kind, 'sealed');
    if (r.kind !== 'sealed') return;
    assert.deepEqual(calls, [{ UserName: U1, Tags: [{ Key: 'breakglass:sealed-at', Value: '2026-11-24T13:15:42Z' }] }]);
    assert.deepEqual(prompt.said, [`Exception 1/1: ${U1}: sessions-revoked: unknown: ${REVOKED.map((p) => `${p.where}: ${p.problem ?? p.value}`).join('; ')}`]);
    assert.equal(r.record.id, '20261124T131542Z');
    assert.deepEqual(r.record.users.map((u) => u.name), [U1]);
    assert.deepEqual(r.record.notResealed, [{ name: U2, note: 'not used since its seal at 2026-02-01 00:00:00 UTC' }]);
    assert.deepEqual(r.record.users[0]!.checks.find((c) => c.id === 'sessions-revoked')!.accepted, { reason: 'Breakglass-Management revoked by hand from the management account, ticket SEC-42', at: '2026-11-24T13:15:42.250Z' });
    assert.deepEqual(r.tagErrors, []);
    golden('seal-record.md', sealMarkdown(r.record), 'test/reseal/record.test.ts');
    assert.ok(!/password=|secret/i.test(JSON.stringify(r.record)), 'nothing secret in the record');
  });

  it('a refused TagUser: still sealed (the record is the evidence), the tag marked not written, one line with the command', async () => {
    const refused = Object.assign(new Error('User: arn:aws:sts::222222222222:assumed-role/Admin/alice is not authorized to perform: iam:TagUser'), { name: 'AccessDenied' });
    const r = await reseal(input(true), { contexts: contexts(async () => { throw refused; }), now: NOW, prompt: scripted(['accept ticket SEC-42']) }, state());
    assert.equal(r.kind, 'sealed');
    if (r.kind !== 'sealed') return;
    assert.equal(r.record.users[0]!.tag.written, false);
    assert.equal(r.tagErrors.length, 1);
    assert.match(r.tagErrors[0]!, /^BreakGlassUser1: seal tag not written \(iam:TagUser was refused \(AccessDenied: .*\); the credentials need iam:TagUser\); the record is the evidence; add the tag by hand: aws iam tag-user --user-name BreakGlassUser1 --tags Key=breakglass:sealed-at,Value=2026-11-24T13:15:42Z$/);
    assert.match(sealMarkdown(r.record), /Tag `breakglass:sealed-at` NOT written \(iam:TagUser was refused/);
  });
});

describe('seal record files', () => {
  const record = (id: string, sealedAt: string): SealRecord => ({
    schemaVersion: 1, kind: 'breakglass-seal', id, sealedAt, operatorArn: 'arn:aws:sts::222222222222:assumed-role/Admin/alice', configFile: 'c.yaml',
    securityAccountId: '222222222222', audit: null, revocation: [], notResealed: [],
    users: [{ name: U1, lastUse: '2026-11-24T09:00:00.000Z', lastUseFrom: ['password sign-in'], previousSeal: null, checks: [], mfaDevices: [{ serial: 'GAHT12345678', kind: 'hardware', enabledAt: null }], tag: { key: 'breakglass:sealed-at', value: sealedAt, written: true } }],
  });

  it('creates the directory only when absent, never replaces a file, and takes the next name when one is taken', () => {
    const dir = join(tmp, 'seals');
    const first = writeSealRecord(dir, record('20261124T131542Z', '2026-11-24T13:15:42Z'));
    assert.deepEqual([first.json, first.markdown], [join(dir, '20261124T131542Z.json'), join(dir, '20261124T131542Z.md')]);
    // Someone else's file under the next name, and a dangling symlink under the one after: both left alone.
    writeFileSync(join(dir, '20261124T131542Z-2.md'), 'not ours\n');
    symlinkSync(join(tmp, 'nowhere'), join(dir, '20261124T131542Z-3.json'));
    const again = writeSealRecord(dir, record('20261124T131542Z', '2026-11-24T13:15:42Z'));
    assert.equal(again.json, join(dir, '20261124T131542Z-4.json'));
    assert.equal(readFileSync(join(dir, '20261124T131542Z-2.md'), 'utf8'), 'not ours\n');
    assert.ok(!existsSync(join(dir, '20261124T131542Z-2.json')), 'our JSON for the taken name was removed again');
    assert.ok(!existsSync(join(tmp, 'nowhere')), 'the symlink was not followed');
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary files left');
    assert.throws(() => createAtomically(first.json, 'x'), (e: NodeJS.ErrnoException) => e.code === 'EEXIST');
    assert.equal(JSON.parse(readFileSync(first.json, 'utf8')).id, '20261124T131542Z');
  });

  it('finds the previous seal of a user by its tag time, and nothing for another time or user', () => {
    const dir = join(tmp, 'lookup');
    writeSealRecord(dir, record('20260201T000000Z', '2026-02-01T00:00:00Z'));
    assert.deepEqual(findPreviousSeal(dir, at('2026-02-01T00:00:00Z'), U1), { recordId: '20260201T000000Z', mfaSerials: ['GAHT12345678'] });
    assert.equal(findPreviousSeal(dir, at('2026-02-01T00:00:01Z'), U1), undefined);
    assert.equal(findPreviousSeal(dir, at('2026-02-01T00:00:00Z'), U2), undefined);
    assert.equal(findPreviousSeal(join(tmp, 'absent'), at('2026-02-01T00:00:00Z'), U1), undefined);
  });
});
