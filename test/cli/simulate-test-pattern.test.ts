import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { runCli, runCliWithInput } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';
import * as f from '../fixtures/cloudtrail';

const tmp = mkdtempSync(join(tmpdir(), 'breakglass-sim-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const jsonl = (...recs: unknown[]) => recs.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe('breakglass simulate', () => {
  it('--json prints one document with index, eventName and matches per event', async () => {
    const r = await runCliWithInput(jsonl(f.consoleLogin({ region: 'eu-west-1' }), f.iamCall('ListUsers', {})), 'simulate', '-c', EXAMPLE_CONFIG, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.events.length, 2);
    assert.equal(doc.events[0].matches.length, 1);
    const { notification, ...match } = doc.events[0].matches[0];
    assert.deepEqual(match, { rule: 'console-login', severity: 'critical', title: 'Break-glass console sign-in' });
    assert.equal(notification.subject, '[CRITICAL] Break-glass console sign-in: BreakGlassUser1 in 222222222222 (eu-west-1)');
    assert.match(notification.message, /^\[CRITICAL\] Break-glass console sign-in\n/);
    assert.equal(doc.events[0].index, 0);
    assert.equal(doc.events[0].eventName, 'ConsoleLogin');
    assert.deepEqual(doc.events[1].matches, []);
  });

  it('malformed input: file and line on stderr, the other events still processed, exit 2', async () => {
    const file = join(tmp, 'mixed.jsonl');
    writeFileSync(file, jsonl(f.consoleLogin(), '{"truncated": ', 'not json', { hello: 'world' }, f.switchRole()));
    const r = await runCli('simulate', '-c', EXAMPLE_CONFIG, '--json', file);
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.events.map((e: any) => [e.index, e.matches.map((m: any) => m.rule)]), [[0, ['console-login']], [4, ['switch-role']]]);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 3, r.stderr);
    assert.match(lines[0]!, new RegExp(`^${file}:2: incomplete JSON value`));
    assert.match(lines[1]!, new RegExp(`^${file}:3: not valid JSON`));
    assert.match(lines[2]!, new RegExp(`^${file}:4: not a CloudTrail record`));
  });

  it('reads CloudTrail log files, gzip, EventBridge events and several files', async () => {
    const log = join(tmp, 'log.json.gz');
    writeFileSync(log, gzipSync(JSON.stringify({ Records: [f.assumeRoleCaller(), f.assumeRoleOwner()] })));
    const ev = join(tmp, 'event.json');
    writeFileSync(ev, JSON.stringify({ version: '0', id: 'e', 'detail-type': 'AWS Console Sign In via CloudTrail', source: 'aws.signin', account: f.M, time: '2026-11-23T04:12:09Z', region: 'us-east-1', resources: [], detail: f.consoleLogin({ root: true, account: f.M }) }, null, 2));
    const r = await runCli('simulate', '-c', EXAMPLE_CONFIG, '--json', log, ev);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).events.map((e: any) => e.matches.map((m: any) => m.rule)), [['assume-role'], ['role-assumed'], ['root-console-login']]);
  });

  it('never guesses silently: a record without recipientAccountId is placed by rule, one stderr line and an assumptions field each (issue 11)', async () => {
    const { recipientAccountId: _a, ...owner } = f.assumeRoleOwner();
    const { recipientAccountId: _b, ...caller }: Record<string, any> = { ...f.assumeRoleCaller(), eventTime: 'Nov 23, 2026, 4:12:09 AM' };
    const r = await runCliWithInput(jsonl(owner, caller, f.switchRole()), 'simulate', '-c', EXAMPLE_CONFIG, '--json');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, new RegExp(`^-:1: record #0 ${owner.eventID} \\(AssumeRole\\) has no recipientAccountId; assumed account ${f.M}, by rule: the role ARN's account`));
    assert.match(lines[1]!, new RegExp(`^-:2: record #1 ${caller.eventID} \\(AssumeRole\\) has no recipientAccountId; assumed account ${f.S}, by rule: the caller's account \\(userIdentity\\.accountId\\)`));
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.events.map((e: any) => [e.account, e.matches.map((m: any) => m.rule)]), [[f.M, ['role-assumed']], [f.S, ['assume-role']], [f.M, ['switch-role']]]);
    assert.deepEqual(doc.events[0].assumptions.map((a: any) => [a.field, a.value]), [['recipientAccountId', f.M]]);
    assert.match(doc.events[1].assumptions[0].rule, /caller's account/);
    assert.equal(doc.events[2].assumptions, undefined, 'nothing assumed, no field');
    // An eventTime that is not ISO 8601 is shown as given: in --json, and in the notification, never "unknown".
    assert.equal(doc.events[1].eventTime, 'Nov 23, 2026, 4:12:09 AM');
    assert.match(doc.events[1].matches[0].notification.message, /Time: +Nov 23, 2026, 4:12:09 AM \(as recorded: not an ISO 8601 time\)/);
    const table = await runCliWithInput(jsonl(caller), 'simulate', '-c', EXAMPLE_CONFIG);
    assert.match(table.stdout, /^#0 Nov 23, 2026, 4:12:09 AM AssumeRole by BreakGlassUser1 in 222222222222\/eu-west-1/m);
    assert.doesNotMatch(table.stdout, /unknown/);
    assert.match(table.stderr, /has no recipientAccountId; assumed account 222222222222/);
    // No account can be assigned: said as well, and nothing can alert.
    const lost = await runCliWithInput(jsonl({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: 'us-east-1', eventID: 'x-1' }), 'simulate', '-c', EXAMPLE_CONFIG, '--json');
    assert.match(lost.stderr, /record #0 x-1 \(AssumeRole\) has no recipientAccountId; no account assigned, by rule: none/);
    assert.deepEqual(JSON.parse(lost.stdout).events[0].assumptions, [{ field: 'recipientAccountId', value: null, rule: JSON.parse(lost.stdout).events[0].assumptions[0].rule }]);
  });

  it('without --json prints a readable table and a summary', async () => {
    const r = await runCliWithInput(jsonl(f.switchRole()), 'simulate', '-c', EXAMPLE_CONFIG);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /SwitchRole by .* in 333333333333\/ap-northeast-1\n\s+ALERT CRITICAL switch-role/);
    assert.match(r.stdout, /1 event, 1 raising alerts/);
  });
});

describe('breakglass test-pattern', () => {
  const pattern = JSON.stringify({ source: ['aws.signin'], detail: { eventName: [{ prefix: 'Console' }] } });
  it('prints true/false per event, one per line, exit 0', async () => {
    const events = jsonl({ source: 'aws.signin', detail: { eventName: 'ConsoleLogin' } }, { source: 'aws.sts', detail: { eventName: 'ConsoleLogin' } }, { source: 'aws.signin', detail: { eventName: 'SwitchRole' } });
    const r = await runCliWithInput(events, 'test-pattern', '--pattern', pattern, '-');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'true\nfalse\nfalse\n');
  });
  it('reads the pattern and event from files', async () => {
    const p = join(tmp, 'p.json');
    const e = join(tmp, 'e.json');
    writeFileSync(p, pattern);
    writeFileSync(e, JSON.stringify({ source: 'aws.signin', detail: { eventName: 'ConsoleLogin' } }, null, 2));
    const r = await runCli('test-pattern', '--pattern', p, e);
    assert.equal(r.stdout, 'true\n');
  });
  it('an invalid pattern: the reason on stderr, exit 2', async () => {
    const r = await runCliWithInput('{}', 'test-pattern', '--pattern', '{"source":"aws.signin"}');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: invalid pattern: .*source.*/);
    const r2 = await runCliWithInput('{}', 'test-pattern', '--pattern', '{"detail":{"x":[{"nope":1}]}}');
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /invalid pattern/);
  });
});
