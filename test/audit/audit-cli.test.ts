/**
 * `breakglass audit` end to end in-process, on generated logs written as an organization trail bucket
 * (AWSLogs/<org>/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz), as JSON Lines, on stdin and as EventBridge events.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runCli, runCliWithInput } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';
import { generateOrgLogs, jsonLines, M1, N, S, U1, U2, writeOrgTrail } from './org-logs';

const g = generateOrgLogs();
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'breakglass-audit-test-'));
  writeOrgTrail(join(dir, 'bucket'), g.records);
  writeFileSync(join(dir, 'all.jsonl'), jsonLines(g.records));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function sessionsOf(doc: any): Map<string, Set<string>> {
  return new Map(doc.sessions.map((s: any) => [s.id, new Set(s.events.map((e: any) => e.eventID))]));
}

function assertExact(doc: any): void {
  assert.equal(doc.schemaVersion, 1);
  const got = sessionsOf(doc);
  assert.deepEqual([...got.keys()].sort(), [...g.sessions.keys()].sort());
  for (const [id, want] of g.sessions) {
    assert.deepEqual(got.get(id), want.eventIDs, id);
    const s = doc.sessions.find((x: any) => x.id === id);
    assert.deepEqual(s.accounts, [...want.accounts].sort(), `accounts of ${id}`);
  }
  assert.deepEqual(new Set(doc.attempts.map((a: any) => a.eventID)), g.attempts);
  assert.deepEqual(new Set(doc.unlinked.map((a: any) => a.eventID)), g.unlinked);
}

describe('breakglass audit (local files)', () => {
  it('reads an organization trail directory recursively (gzip log files, digests skipped) and prints exact sessions as JSON', async () => {
    const r = await runCli('audit', '-c', EXAMPLE_CONFIG, '--json', join(dir, 'bucket'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout);
    assertExact(doc);
    assert.equal(doc.summary.passes, 3);
    assert.equal(doc.summary.recordsRead, g.records.length);
    assert.equal(doc.summary.unreadable, 0);
    // The fields the issue names, on every event.
    for (const e of doc.sessions.flatMap((s: any) => s.events)) {
      for (const k of ['eventID', 'time', 'account', 'region', 'eventSource', 'eventName', 'readOnly', 'errorCode']) assert.ok(k in e, k);
    }
    const cli = doc.sessions.find((s: any) => s.user === U2 && s.events.length > 5);
    assert.deepEqual(cli.changes.map((c: any) => [c.service, c.count]), [['iam', 1], ['s3', 1]]);
    assert.deepEqual(cli.accountSummaries.map((a: any) => [a.account, a.denied]), [[S, 0], [M1, 0], [N, 1]]);
    assert.ok(cli.events.some((e: any) => e.eventName === 'StopLogging' && e.denied && e.errorCode === 'AccessDeniedException'));
  });

  it('gives the same sessions from JSON Lines, from stdin, and from EventBridge events', async () => {
    const file = await runCli('audit', '-c', EXAMPLE_CONFIG, '--format', 'json', join(dir, 'all.jsonl'));
    assert.equal(file.code, 0, file.stderr);
    assertExact(JSON.parse(file.stdout));
    const stdin = await runCliWithInput(gzipSync(jsonLines(g.records)), 'audit', '-c', EXAMPLE_CONFIG, '--json');
    assert.equal(stdin.code, 0, stdin.stderr);
    assertExact(JSON.parse(stdin.stdout));
    const envelopes = g.records.map((r) => JSON.stringify({
      version: '0', id: r.eventID, 'detail-type': 'AWS API Call via CloudTrail', source: `aws.${r.eventSource.split('.')[0]}`,
      account: r.recipientAccountId, time: r.eventTime, region: r.awsRegion, resources: [], detail: r,
    })).join('\n');
    const eb = await runCliWithInput(envelopes, 'audit', '-c', EXAMPLE_CONFIG, '--json', '-');
    assert.equal(eb.code, 0, eb.stderr);
    assertExact(JSON.parse(eb.stdout));
  });

  it('prints a Markdown timeline by default, writes and denials highlighted, attempts listed', async () => {
    const r = await runCli('audit', '-c', EXAMPLE_CONFIG, join(dir, 'bucket'));
    assert.equal(r.code, 0, r.stderr);
    const md = r.stdout;
    assert.match(md, /^# Break-glass audit/);
    assert.match(md, /\*\*5 sessions, 3 failed sign-in attempts, 1 unlinked break-glass record/);
    assert.match(md, /## Session BreakGlassUser1-20261123T100000Z/);
    assert.match(md, /\| 10:07:00 \| 333333333333 \| us-east-1 \| iam UpdateAssumeRolePolicy \| arn:aws:sts::333333333333:assumed-role\/BreakGlassRole\/BreakGlassUser1 \| \*\*WRITE\*\* \|/);
    assert.match(md, /\*\*DENIED AccessDenied\*\*/);
    assert.match(md, /MFA used: \*\*Yes\*\*/);
    assert.match(md, /## Failed sign-in attempts/);
    assert.match(md, /\*unknown user name\*/);
    assert.match(md, /chained from r1/);
    assert.doesNotMatch(md, /BreakGlassUser10|BreakGlassRoleReadOnly|XBreakGlassRole/);
  });

  it('writes printable HTML to --out (format from the extension)', async () => {
    const out = join(dir, 'report.html');
    const r = await runCli('audit', '-c', EXAMPLE_CONFIG, '--out', out, join(dir, 'bucket'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /wrote 5 sessions and 3 attempts \(html\)/);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<tr class="write">/);
    assert.match(html, /<tr class="denied">/);
    assert.match(html, /@media print/);
    assert.match(html, /Content-Security-Policy/);
  });

  it('filters by --user and by --from/--to (sessions overlapping the range, shown whole)', async () => {
    const user = JSON.parse((await runCli('audit', '-c', EXAMPLE_CONFIG, '--json', '--user', U2, join(dir, 'bucket'))).stdout);
    assert.deepEqual(user.sessions.map((s: any) => s.user), [U2, U2]);
    assert.deepEqual(user.attempts.map((a: any) => a.user), [U2]);
    assert.equal(user.unlinked.length, 0);
    const day2 = JSON.parse((await runCli('audit', '-c', EXAMPLE_CONFIG, '--json', '--from', '2026-11-24', join(dir, 'bucket'))).stdout);
    assert.deepEqual(day2.sessions.map((s: any) => s.id), [`${U1}-20261124T080000Z`, `${U2}-20261124T090000Z`]);
    const window = JSON.parse((await runCli('audit', '-c', EXAMPLE_CONFIG, '--json', '--from', '2026-11-23T15:05:00Z', '--to', '2026-11-23T15:10:00Z', join(dir, 'bucket'))).stdout);
    // Session A overlaps through its 15:08 call, and is shown from its 10:00 sign-in.
    assert.deepEqual(window.sessions.map((s: any) => [s.id, s.start]), [[`${U1}-20261123T100000Z`, '2026-11-23T10:00:00Z'], [`${U1}-20261123T150000Z`, '2026-11-23T15:00:00Z']]);
    assert.deepEqual(window.range, { from: '2026-11-23T15:05:00Z', to: '2026-11-23T15:10:00Z' });
  });

  it('reports unreadable input on stderr, still audits the rest, and exits 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${jsonLines(g.records.slice(0, 40))}{"eventSource": truncated\n[1,2]\n`);
    const r = await runCli('audit', '-c', EXAMPLE_CONFIG, '--json', bad);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.jsonl:41: /);
    assert.match(r.stderr, /bad\.jsonl:42: not a CloudTrail record/);
    assert.match(r.stderr, /2 values could not be read/);
    assert.equal(JSON.parse(r.stdout).summary.unreadable, 2);
  });

  it('refuses bad options with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--from', 'yesterday'], /--from: expected an ISO 8601 date/],
      [['--from', '2026-11-23T10:00:00'], /--from: expected an ISO 8601 date/],
      [['--from', '2026-11-24', '--to', '2026-11-23'], /--from is after --to/],
      [['--user', 'alice'], /--user: "alice" is not a break-glass user of this config/],
      [['--json', '--format', 'html'], /contradict/],
      [['--athena', join(dir, 'all.jsonl')], /name no files/],
      [['--athena', '--database', 'db'], /--athena needs --table, --workgroup, --from, --to/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli('audit', '-c', EXAMPLE_CONFIG, ...args, ...(args.includes(join(dir, 'all.jsonl')) || args.includes('--athena') ? [] : [join(dir, 'all.jsonl')]));
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
    const empty = mkdtempSync(join(dir, 'empty-'));
    const r = await runCli('audit', '-c', EXAMPLE_CONFIG, empty);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no CloudTrail log files/);
  });

  it('loads neither the AWS SDK nor aws-cdk-lib for local files (lazy imports)', () => {
    const loaded = Object.keys(require.cache);
    assert.ok(loaded.some((k) => k.includes(`${join('lib', 'audit', 'stitch')}`)), 'the audit modules ran in this process');
    assert.deepEqual(loaded.filter((k) => /node_modules[\\/](@aws-sdk|aws-cdk-lib)[\\/]/.test(k)), []);
  });

  it('escapes hostile record text in Markdown and HTML', async () => {
    const r0 = g.records.find((r) => r.eventName === 'ConsoleLogin' && r.responseElements?.ConsoleLogin === 'Success' && r.userIdentity.userName === U1)!;
    const evil = { ...r0, eventID: 'evil-1', userAgent: '| x | <script>alert(1)</script>\n## forged\u001b[31m', sourceIPAddress: '<img src=x>' };
    const input = `${JSON.stringify(evil)}\n`;
    const md = await runCliWithInput(input, 'audit', '-c', EXAMPLE_CONFIG);
    assert.equal(md.code, 0, md.stderr);
    assert.doesNotMatch(md.stdout, /<script>|\n## forged|\u001b/);
    assert.match(md.stdout, /\\<script\\>/);
    const html = await runCliWithInput(input, 'audit', '-c', EXAMPLE_CONFIG, '--format', 'html');
    assert.doesNotMatch(html.stdout, /<script>|<img src=x>/);
    assert.match(html.stdout, /&lt;script&gt;/);
  });
});
