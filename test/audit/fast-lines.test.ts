/**
 * The raw-bytes prefilter (lib/detection/fast-lines.ts): the same report as a full parse, byte for byte, on every fixture
 * shape (organization trail directory, JSON Lines plain and gzip, stdin, EventBridge events, escaped and oddly spaced
 * JSON, CRLF, a byte order mark, blank lines, pretty-printed JSON, a line over the record limit), while parsing only
 * the lines that can matter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readFiltered } from '../../lib/detection/fast-lines';
import { runCli, runCliWithInput } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';
import { generateOrgLogs, jsonLines, ROLE, U1, U2, writeOrgTrail } from './org-logs';

const g = generateOrgLogs();
let dir: string;

async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try { return await fn(); } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

/**
 * JSON as a hand-written or another tool's export might be: spaces around ":" and ",", every "/" escaped as "\/",
 * and the first letter of every string value as a \u escape ("\u0042reakGlassUser1"). JSON.parse reads the same.
 */
function oddJson(v: unknown): string {
  if (typeof v === 'string') {
    const body = JSON.stringify(v).slice(1, -1).replace(/\//g, '\\/');
    return v.length && /[A-Za-z]/.test(v[0]!) ? `"\\u${v.charCodeAt(0).toString(16).padStart(4, '0')}${body.slice(1)}"` : `"${body}"`;
  }
  if (Array.isArray(v)) return `[ ${v.map(oddJson).join(' , ')} ]`;
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)} : ${oddJson(x)}`).join(' , ')} }`;
  return JSON.stringify(v);
}

const files: Record<string, string> = {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'breakglass-fast-lines-'));
  writeOrgTrail(join(dir, 'bucket'), g.records);
  const w = (name: string, data: string | Buffer) => { writeFileSync(join(dir, name), data); files[name] = join(dir, name); };
  w('plain.jsonl', jsonLines(g.records));
  w('gzip.jsonl.gz', gzipSync(jsonLines(g.records)));
  w('odd.jsonl', `${g.records.map(oddJson).join('\n')}\n`);
  w('crlf-bom-blank.jsonl', `\ufeff${g.records.map((r) => JSON.stringify(r)).join('\r\n\r\n   \r\n')}\r\n`);
  w('eventbridge.jsonl', `${g.records.map((r) => JSON.stringify({ version: '0', id: r.eventID, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.x', account: r.recipientAccountId, time: r.eventTime, region: r.awsRegion, resources: [], detail: r })).join('\n')}\n`);
  w('pretty.json', JSON.stringify({ Records: g.records }, null, 2));
  w('records-per-line.jsonl', `${JSON.stringify({ Records: g.records.slice(0, 200) })}\n${JSON.stringify({ Records: g.records.slice(200) })}\n`);
  // Broken lines (truncated, not an object, two values of which one is cut) are reported the same way in both modes.
  w('broken.jsonl', `${jsonLines(g.records.slice(0, 100))}{"eventSource":"iam.amazonaws.com","eventName":"X","userIdentity":{"userName":"${U1}"\n[1,2]\n{"a":1} {"b":\n${jsonLines(g.records.slice(100))}`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function report(args: string[], input?: string | Buffer): Promise<{ code: number; doc: any; stderr: string }> {
  const r = input === undefined ? await runCli('audit', '-c', EXAMPLE_CONFIG, '--json', ...args) : await runCliWithInput(input, 'audit', '-c', EXAMPLE_CONFIG, '--json', ...args);
  const doc = JSON.parse(r.stdout);
  delete doc.generatedAt;
  return { code: r.code, doc, stderr: r.stderr };
}

describe('audit prefilter: answers identical to a full parse', () => {
  it('on every fixture shape', async () => {
    const cases: [string, string[], (string | Buffer)?][] = [
      ['organization trail directory', [join(dir, 'bucket')]],
      ...Object.entries(files).map(([name, file]) => [name, [file]] as [string, string[]]),
      ['stdin, gzip', [], gzipSync(jsonLines(g.records))],
      ['several files at once', [files['plain.jsonl']!, files['odd.jsonl']!]],
    ];
    for (const [name, args, input] of cases) {
      const fast = await report(args, input);
      const full = await report(['--no-prefilter', ...args], input);
      assert.deepEqual(fast.doc.summary, full.doc.summary, name);
      assert.equal(JSON.stringify(fast.doc), JSON.stringify(full.doc), name);
      assert.equal(fast.code, full.code, name);
      assert.equal(fast.stderr, full.stderr, name);
      if (name !== 'broken.jsonl' && name !== 'several files at once') assert.equal(fast.doc.sessions.length, 5, name);
    }
  });

  it('parses only the lines that can matter, and every line holding a needle however it is spelled', async () => {
    const needles = [U1, U2, ROLE, 'HIDDEN_DUE_TO_SECURITY_REASONS'];
    const stats = { lines: 0, parsed: 0 };
    let values = 0;
    for await (const b of readFiltered(files['plain.jsonl']!, needles, stats)) values += b.length;
    assert.equal(stats.lines, g.records.length);
    assert.equal(values, stats.parsed);
    const relevant = g.records.filter((r) => needles.some((n) => JSON.stringify(r).includes(n))).length;
    assert.equal(stats.parsed, relevant);
    assert.ok(stats.parsed < g.records.length / 5, `${stats.parsed} of ${g.records.length} parsed`);
    // Escaped spellings are never skipped: every \u line is parsed.
    const odd = { lines: 0, parsed: 0 };
    for await (const _ of readFiltered(files['odd.jsonl']!, needles, odd)) { /* drain */ }
    assert.equal(odd.parsed, g.records.length);
  });

  it('cuts nothing at chunk boundaries (several MiB, plain and gzip): exactly the lines a brute-force test selects', async () => {
    // Lines of every length around the 1 MiB read size and the 256 KiB gunzip chunks, needles anywhere in them.
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const pad = 'x'.repeat((i * 7919) % 2500);
      // i % 31: a real \u escape (JSON.stringify writes U+0001 as \u0001); i % 37: a backslash, then "u" (written
      // as \\u, which is no escape).
      const tag = i % 13 === 0 ? U1 : i % 29 === 0 ? `${ROLE}Other` : i % 31 === 0 ? 'Break\u0001Glass' : i % 37 === 0 ? 'Break\\u0047lass' : 'nobody';
      lines.push(JSON.stringify({ i, pad, who: tag, tail: pad.slice(0, 100) }));
    }
    const text = `${lines.join('\n')}\n`;
    const realEscape = /(?:^|[^\\])(?:\\\\)*\\u/;
    const want = lines.map((l, k) => [l, k + 1] as const).filter(([l]) => l.includes('BreakGlass') || realEscape.test(l)).map(([, k]) => k);
    for (const [name, data] of [['big.jsonl', text], ['big.jsonl.gz', gzipSync(text)]] as const) {
      const f = join(dir, name);
      writeFileSync(f, data);
      const stats = { lines: 0, parsed: 0 };
      const got: number[] = [];
      for await (const b of readFiltered(f, [U1, U2, ROLE], stats)) for (const item of b) { assert.equal(item.error, undefined); assert.equal((item.value as any).i, item.line - 1); got.push(item.line); }
      assert.equal(stats.lines, lines.length, name);
      assert.deepEqual(got, want, name);
    }
  });

  it('falls back to the full reader for a line over the record limit, reporting it the same way', async () => {
    const big = join(dir, 'big.jsonl');
    writeFileSync(big, `${jsonLines(g.records.slice(0, 50))}{"eventSource":"x","pad":"${'y'.repeat(300_000)}"}\n${jsonLines(g.records.slice(50))}`);
    await withEnv({ BREAKGLASS_TEST_LIMITS: 'maxRecordChars=262144' }, async () => {
      const fast = await report([big]);
      const full = await report(['--no-prefilter', big]);
      assert.equal(fast.code, 2);
      assert.match(fast.stderr, /big\.jsonl:51: a JSON value larger than/);
      assert.equal(JSON.stringify(fast.doc), JSON.stringify(full.doc));
      assert.equal(fast.stderr, full.stderr);
    });
  });

  it('does not validate lines that cannot matter (documented): a malformed complete-looking line is reported only without the prefilter', async () => {
    const f = join(dir, 'quiet.jsonl');
    writeFileSync(f, `${jsonLines(g.records)}{"eventSource": oops}\n{"a":1} {"b":2}\n`);
    const fast = await report([f]);
    const full = await report(['--no-prefilter', f]);
    assert.equal(fast.code, 0);
    assert.equal(full.code, 2);
    assert.deepEqual(fast.doc.sessions, full.doc.sessions);
    assert.deepEqual(fast.doc.attempts, full.doc.attempts);
  });
});
