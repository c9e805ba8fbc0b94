/**
 * Hostile inputs against the PACKAGED command (issue 15: "Bad input never destroys, never hangs, never drops events
 * silently"). Each case runs `node bin/breakglass.js …` under a time and memory budget (test/hostile/harness.ts) and
 * asserts the exit code, a one-line message naming the file (and line), and that the valid records around the bad
 * ones are still evaluated. Sizes are scaled down from the reports (20 MB instead of 200 MB, a 64 MiB gzip bomb with
 * a lowered limit through BREAKGLASS_TEST_LIMITS) so the suite stays fast; docs/benchmarks.md, "Hostile inputs",
 * has the full-size numbers. Needs `npm run build:js`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { BIN, CONFIG, hostile, loginRecord, stderrLines, summaryOf, tempDir } from './harness';

const { dir, cleanup } = tempDir('inputs');
after(cleanup);
const file = (name: string, content: string | Buffer) => { const p = join(dir, name); writeFileSync(p, content); return p; };
const line = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify(loginRecord(i, extra));
const jsonl = (n: number, from = 0) => Array.from({ length: n }, (_, i) => line(from + i)).join('\n');
const PATTERN = JSON.stringify({ source: ['aws.signin'] });
const EVENT = (i: number) => JSON.stringify({ version: '0', id: `e${i}`, 'detail-type': 'x', source: 'aws.signin', account: '1', time: 't', region: 'r', resources: [], detail: {} });

before(() => {
  // The packaged command exists and runs (dist/ built by `npm run build:js`).
  assert.match(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
});

describe('item 2: a broken line never swallows the lines after it', () => {
  const BROKEN: Array<[string, string]> = [['an unclosed object', '{"x": 1'], ['an unterminated string', '{"x": "abc'], ['two opening braces', '{{'], ['a stray closing brace', '}']];
  for (const [name, bad] of BROKEN) {
    it(`simulate: first line ${name}, 2,000 records after it: all 2,000 evaluated, line 1 named, exit 2`, async () => {
      const f = file(`first-${name.replace(/\W/g, '')}.jsonl`, `${bad}\n${jsonl(2000)}\n`);
      const r = await hostile(['simulate', '-c', CONFIG, f]);
      assert.equal(r.code, 2, r.stderr);
      assert.deepEqual(summaryOf(r.stdout), { events: 2000, alerting: 2000, unreadable: 1 });
      assert.deepEqual(stderrLines(r), [stderrLines(r)[0]]);
      assert.match(stderrLines(r)[0]!, new RegExp(`^${f}:1: (incomplete JSON value|not valid JSON)`));
    });
  }
  it('a first line "{" then 300,000 lines "{x}" (balanced, never valid): the records after them are evaluated within the budget', async () => {
    const f = file('many-candidates.jsonl', `{\n${'{x}\n'.repeat(300_000)}${jsonl(3)}\n`);
    const r = await hostile(['simulate', '-c', CONFIG, f]);
    assert.equal(r.code, 2);
    assert.deepEqual(summaryOf(r.stdout), { events: 3, alerting: 3, unreadable: 1 });
    assert.match(r.stderr, new RegExp(`^${f}:1: incomplete JSON value`));
  });
  it('test-pattern: broken first, middle and last lines: one true per valid line, each broken line named', async () => {
    const f = file('tp-broken.jsonl', ['{"x": "abc', EVENT(1), EVENT(2), '{{', EVENT(3), '{"y":'].join('\n'));
    const r = await hostile(['test-pattern', '-p', PATTERN, f]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, 'true\ntrue\ntrue\n');
    assert.deepEqual(stderrLines(r).map((l) => l.split(': ')[0]), [`${f}:1`, `${f}:4`, `${f}:6`]);
  });
  it('simulate --json: a CRLF file with a broken first line and a UTF-8 byte order mark', async () => {
    const f = file('bom-crlf.jsonl', `\uFEFF{"x": 1\r\n${line(1)}\r\n${line(2)}\r\n`);
    const r = await hostile(['simulate', '-c', CONFIG, '--json', f]);
    assert.equal(r.code, 2);
    assert.deepEqual(JSON.parse(r.stdout).summary, { events: 2, alerting: 2, unreadable: 1 });
  });
  it('a CloudTrail log file cut off after a record: the records are evaluated and the truncation reported', async () => {
    const f = file('cut.json', `{"Records":[${line(1)},${line(2)},`);
    const r = await hostile(['simulate', '-c', CONFIG, f]);
    assert.equal(r.code, 2);
    assert.deepEqual(summaryOf(r.stdout), { events: 2, alerting: 2, unreadable: 1 });
    assert.match(r.stderr, new RegExp(`^${f}:1: truncated CloudTrail log file: it ends before the closing "\\]\\}" \\(2 records read`));
  });
  it('a gzip CloudTrail log file cut off inside a record', async () => {
    const f = file('cut.json.gz', gzipSync(`{"Records":[${line(1)},${line(2).slice(0, 100)}`));
    const r = await hostile(['simulate', '-c', CONFIG, f]);
    assert.equal(r.code, 2);
    assert.deepEqual(summaryOf(r.stdout), { events: 1, alerting: 1, unreadable: 1 });
    assert.match(r.stderr, /truncated CloudTrail log file: it ends inside a record/);
  });
});

describe('item 4: unbounded work ends at a documented limit', () => {
  it('a single 20 MB JSON value between two records (default 16 MiB record limit): skipped and named, both records evaluated', async () => {
    const f = file('big-value.jsonl', `${line(1)}\n{"x":"${'a'.repeat(20 * 1024 * 1024)}"}\n${line(2)}\n`);
    const r = await hostile(['simulate', '-c', CONFIG, f], { rssMiB: 300 });
    assert.equal(r.code, 2);
    assert.deepEqual(summaryOf(r.stdout), { events: 2, alerting: 2, unreadable: 1 });
    assert.match(r.stderr, new RegExp(`^${f}:2: a JSON value larger than 16 MiB \\(the limit for one record; 20 MiB here\\): skipped\\n$`));
  });
  it('a 20 MB record inside a one-line CloudTrail log file: skipped, the other records evaluated (test-pattern)', async () => {
    const f = file('big-record.json', `{"Records":[${EVENT(1)},{"x":"${'b'.repeat(20 * 1024 * 1024)}"},${EVENT(2)}]}`);
    const r = await hostile(['test-pattern', '-p', PATTERN, f], { rssMiB: 300 });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, 'true\ntrue\n');
    assert.match(r.stderr, /:1: a JSON value larger than 16 MiB/);
  });
  it('a gzip bomb (64 MiB of spaces from about 64 KB, ratio limit active after 4 MiB): stopped with one line, records before it evaluated', async () => {
    const member = gzipSync(Buffer.alloc(1 << 20, 0x20), { level: 9 });
    const f = file('bomb.jsonl.gz', Buffer.concat([gzipSync(`${jsonl(10)}\n`), ...Array<Buffer>(64).fill(member)]));
    const r = await hostile(['simulate', '-c', CONFIG, f], { env: { BREAKGLASS_TEST_LIMITS: 'gzipRatioAfterChars=4194304' } });
    assert.equal(r.code, 2);
    assert.deepEqual(summaryOf(r.stdout), { events: 10, alerting: 10, unreadable: 1 });
    assert.match(r.stderr, new RegExp(`^${f}: gzip data expands more than 100:1 \\(.* so far; the limit once past 4 MiB\\), which is what a gzip bomb does`));
  });
  it('a gzip bomb of zeros, and /dev/zero as an event file: refused at once as binary data', async () => {
    const f = file('zeros.gz', gzipSync(Buffer.alloc(32 << 20)));
    for (const src of [f, '/dev/zero']) {
      const r = await hostile(['simulate', '-c', CONFIG, src]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`^${src}: (gzip data is )?not JSON text: it starts with NUL bytes \\(binary data\\)`));
    }
  });
  it('-c /dev/zero and a 5 MB config: refused at the 4 MiB config limit, exit 2', async () => {
    const big = file('big.yaml', `# ${'x'.repeat(5 << 20)}\n`);
    for (const c of ['/dev/zero', big]) {
      const r = await hostile(['validate', '-c', c]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`^${c}: larger than 4 MiB \\(the limit for a config file`));
    }
  });
  it('a YAML mapping with 40,000 keys: every unknown key reported, exit 2 (linear duplicate-key check)', async () => {
    const text = `${require('node:fs').readFileSync(CONFIG, 'utf8')}\n${Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i}`).join('\n')}\n`;
    const r = await hostile(['validate', '-c', file('keys.yaml', text)]);
    assert.equal(r.code, 2);
    assert.equal(stderrLines(r).filter((l) => / k\d+: unknown key/.test(l)).length, 40_000);
  });
  it('a YAML mapping with 40,000 keys, all the same: each duplicate reported as a YAML syntax problem', async () => {
    const r = await hostile(['validate', '-c', file('dups.yaml', `${Array.from({ length: 40_000 }, () => 'k: 1').join('\n')}\n`)]);
    assert.equal(r.code, 2);
    assert.equal(stderrLines(r).filter((l) => /: YAML syntax: Map keys must be unique$/.test(l)).length, 39_999);
  });
  it('a 128 kB Lambda function name and a 100 kB role ARN reach the catalogue wildcards: evaluated, not stuck', async () => {
    const lambda = { ...loginRecord(1), eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionConfiguration20150331v2', eventType: 'AwsApiCall', requestParameters: { functionName: `arn:aws:lambda:us-east-1:222222222222:function:${':lambda:'.repeat(16_000)}` } };
    const sts = { ...loginRecord(2), eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', eventType: 'AwsApiCall', requestParameters: { roleArn: `arn:aws:iam::${':role/'.repeat(16_000)}` } };
    const r = await hostile(['simulate', '-c', CONFIG, file('long.jsonl', `${JSON.stringify(lambda)}\n${JSON.stringify(sts)}\n`)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(summaryOf(r.stdout).events, 2);
  });
  it('test-pattern: "*a*a*a*a*a*a*a*a*b" against 100,000 "a": false, at once', async () => {
    const r = await hostile(['test-pattern', '-p', '{"x":[{"wildcard":"*a*a*a*a*a*a*a*a*b"}]}', file('aaa.json', JSON.stringify({ x: 'a'.repeat(100_000) }))]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'false\n');
  });
});

describe('item 7: exit codes and terminal safety', () => {
  it('a YAML alias bomb exits 2 naming the file', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const f = file('bomb.yaml', `${lines.join('\n')}\n`);
    for (const cmd of ['validate', 'simulate', 'links']) {
      const r = await hostile([cmd, '-c', f, ...(cmd === 'links' ? ['--offline'] : [])], { input: '' });
      assert.equal(r.code, 2, `${cmd}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^${f}: YAML aliases expand too much \\(more than 100 uses of anchored values\\)`));
    }
  });
  it('test-pattern -p a directory, a missing file, /dev/zero, a deeply nested pattern: exit 2, one line', async () => {
    const deep = file('deep-pattern.json', `${'{"a":'.repeat(100_000)}["x"]${'}'.repeat(100_000)}`);
    const cases: Array<[string, RegExp]> = [
      [dir, /is a directory; pass a pattern file or inline JSON/],
      [join(dir, 'missing.json'), /is neither JSON nor a readable file/],
      ['/dev/zero', /is larger than 1 MiB \(the limit for a pattern file\)/],
      [deep, /invalid pattern: nested too deeply/],
    ];
    for (const [p, message] of cases) {
      const r = await hostile(['test-pattern', '-p', p], { input: '{}' });
      assert.equal(r.code, 2, `${p}: ${r.stderr}`);
      assert.equal(stderrLines(r).length, 1, r.stderr);
      assert.match(r.stderr, message);
    }
  });
  it('an invalid --region (or AWS_REGION) exits 2 before any AWS call', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['doctor', '-c', CONFIG, '--region', 'eu-west-9'], {}, /^error: --region: unknown region "eu-west-9" \(did you mean "eu-west-1"\?\)/],
      [['doctor', '-c', CONFIG, '--region', 'us-east-1; rm -rf /'], {}, /^error: --region: /],
      [['links', '-c', CONFIG, '--region', 'x'.repeat(100_000)], {}, /^error: --region: expected an AWS region name such as "us-east-1", got a 100000-character value/],
      [['links', '-c', CONFIG], { AWS_REGION: 'not a region' }, /^error: AWS_REGION: /],
    ];
    for (const [args, env, message] of cases) {
      const r = await hostile(args, { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', ...env } });
      assert.equal(r.code, 2, `${args.join(' ').slice(0, 60)}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
  it('events that are not objects are unreadable (test-pattern prints nothing for them, exit 2), never "false"', async () => {
    const r = await hostile(['test-pattern', '-p', PATTERN], { input: `42\n"text"\nnull\n[1,2]\ntrue\n${EVENT(1)}\n` });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, 'true\n');
    assert.deepEqual(stderrLines(r).map((l) => l.replace(/^-:\d+: /, '')), ['a number', 'a string', 'null', 'an array', 'a boolean'].map((t) => `not an event: expected a JSON object, got ${t}`));
  });
  it('a deeply nested event is one unreadable event; the others are evaluated', async () => {
    const nested = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    // Where the catalogue's patterns look (the console-login rules test responseElements.ConsoleLogin).
    const deep = line(2, { responseElements: { ConsoleLogin: 'DEEP' } }).replace('"DEEP"', nested);
    const f = file('deep.jsonl', `${line(1)}\n${deep}\n${line(3)}\n`);
    const sim = await hostile(['simulate', '-c', CONFIG, f]);
    assert.equal(sim.code, 2, sim.stderr);
    assert.deepEqual(summaryOf(sim.stdout), { events: 2, alerting: 2, unreadable: 1 });
    assert.match(sim.stderr, new RegExp(`^${f}:2: cannot evaluate this event \\(nested too deeply\\)`));
    const tp = await hostile(['test-pattern', '-p', JSON.stringify({ detail: { userIdentity: { userName: [{ exists: true }] } } })], { input: `${EVENT(1)}\n{"detail":{"userIdentity":{"userName":${'['.repeat(200_000)}${']'.repeat(200_000)}}}}\n` });
    assert.equal(tp.code, 2, tp.stderr);
    assert.equal(tp.stdout, 'false\n');
    assert.match(tp.stderr, /^-:2: cannot evaluate this event \(nested too deeply\)/);
  });
  it('control characters from events never reach the terminal raw (simulate text and JSON, test-pattern errors)', async () => {
    const evil = '\u001b]0;owned\u0007\u001b[2J\r\nALERT CRITICAL forged\u009b\u202e';
    const f = file('ctl.jsonl', `${line(1, { eventName: `ConsoleLogin${evil}`, userIdentity: { type: 'IAMUser', userName: `User${evil}`, arn: 'x' } })}\n{"broken${evil}\n`);
    const text = await hostile(['simulate', '-c', CONFIG, f]);
    const json = await hostile(['simulate', '-c', CONFIG, '--json', f]);
    const tp = await hostile(['test-pattern', '-p', PATTERN, f]);
    for (const r of [text, json, tp]) {
      assert.equal(r.code, 2);
      assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, 'a raw control character reached the output');
    }
    assert.match(text.stdout, /^#0 \S+ ConsoleLogin\\u001b\]0;owned\\u0007\\u001b\[2J\\u000d\\u000aALERT CRITICAL forged\\u009b\\u202e by User/m);
    assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('ALERT')).length, 0);
    // JSON output stays valid and means the same characters.
    assert.equal(JSON.parse(json.stdout).events[0].eventName, `ConsoleLogin${evil}`);
    assert.match(tp.stderr, /:2: incomplete JSON value \(\{"broken\\u001b\]0;owned\\u0007\\u001b\[2J/);
  });
});
