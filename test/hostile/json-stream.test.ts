/**
 * The splitter on broken input (issue 15, item 2 and 4): every value that parses is still emitted wherever the broken
 * ones are, a truncated CloudTrail log file is reported, values over the record limit are skipped without being held,
 * and pretty-printed documents are not split by the resynchronisation rules. Pure: no subprocess.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonValueSplitter, splitLine, type RawValue } from '../../lib/detection/json-stream';

interface Item { text?: string; line: number; error?: string; incomplete?: boolean; records?: boolean }

/** Splits text pushed in chunks of `chunk`, resolving whole lines the way the reader does. */
function split(text: string, chunk: number, max = Infinity): Item[] {
  const s = new JsonValueSplitter(max);
  const raw: RawValue[] = [];
  for (let i = 0; i < text.length; i += chunk) raw.push(...s.push(text.slice(i, i + chunk)));
  raw.push(...s.end());
  return raw.flatMap((v) => {
    if (!v.wholeLine) return [v];
    try { JSON.parse(v.text); return [v]; } catch { return splitLine(v); }
  }).map((v) => {
    if (v.error) return { line: v.line, error: v.error, records: v.fromRecords };
    let ok = !v.incomplete;
    if (ok) { try { JSON.parse(v.text); } catch { ok = false; } }
    return ok ? { text: v.text, line: v.line, records: v.fromRecords } : { line: v.line, incomplete: true, records: v.fromRecords };
  });
}

const rec = (i: number) => JSON.stringify({ eventName: `E${i}`, n: i, s: `quote " brace { bracket [ ${i}` });
const good = (items: Item[]) => items.filter((x) => x.text !== undefined).map((x) => [x.text, x.line]);
const bad = (items: Item[]) => items.filter((x) => x.text === undefined).map((x) => x.line);

/** Deterministic PRNG (mulberry32), so every run tries the same cases. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hostile JSON streams: a broken line never swallows the others', () => {
  const BROKEN_FIRST: Array<[string, string]> = [
    ['an unclosed object', '{"x": 1'],
    ['an unterminated string', '{"x": "abc'],
    ['two opening braces', '{{'],
    ['an unclosed array', '[1, 2'],
    ['an unclosed nested object', '{"a": {"b": ['],
    ['a lone quote', '"'],
    ['a key without a value', '{"a":'],
  ];
  for (const [name, first] of BROKEN_FIRST) {
    for (const chunk of [1, 7, 4096]) {
      it(`first line ${name} (chunks of ${chunk}): the 50 lines after it are all read`, () => {
        const lines = [first, ...Array.from({ length: 50 }, (_, i) => rec(i))];
        const items = split(`${lines.join('\n')}\n`, chunk);
        assert.deepEqual(good(items), lines.slice(1).map((t, i) => [t, i + 2]));
        assert.deepEqual(bad(items), [1]);
      });
    }
  }

  it('CRLF line ends and a broken first line', () => {
    const items = split(`{"x": 1\r\n${rec(1)}\r\n${rec(2)}\r\n`, 5);
    assert.deepEqual(good(items), [[rec(1), 2], [rec(2), 3]]);
    assert.deepEqual(bad(items), [1]);
  });

  it('a UTF-8 byte order mark does not cost the first line', () => {
    assert.deepEqual(good(split(`\uFEFF${rec(1)}\n${rec(2)}\n`, 3)), [[rec(1), 1], [rec(2), 2]]);
  });

  it('property (fixed seed): broken lines anywhere, any chunking: every valid line is read, with its line number', () => {
    const rand = prng(15);
    const BROKEN = ['{"x": 1', '{"x": "abc', '{{', '[', 'garbage', '{"a": [1, {"b"', '}', ']', '"', '{"s": "a\\"'];
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rand() * 12);
      const lines: string[] = [];
      const expectGood: Array<[string, number]> = [];
      for (let i = 0; i < n; i++) {
        if (rand() < 0.3) lines.push(BROKEN[Math.floor(rand() * BROKEN.length)]!);
        else { lines.push(rec(i)); expectGood.push([rec(i), i + 1]); }
      }
      const text = `${lines.join('\n')}\n`;
      const chunk = 1 + Math.floor(rand() * 40);
      const items = split(text, chunk);
      // Broken lines may add up to a valid value of their own ("{"x": 1" then "}" is a pretty-printed object); what
      // must hold is that every valid line is read as itself and none is swallowed into another value.
      const recs = new Set(expectGood.map(([t]) => t));
      assert.deepEqual(good(items).filter(([t]) => recs.has(t as string)), expectGood, `round ${round}, chunks of ${chunk}:\n${text}`);
      for (const [t] of good(items)) if (!recs.has(t as string)) assert.ok(![...recs].some((r) => (t as string).includes(r)), `round ${round}: ${t} swallowed a record`);
      // Every broken line is reported, on its own line or as part of the value it opened.
      assert.ok(bad(items).every((l) => lines[l - 1] !== undefined && !expectGood.some(([, g]) => g === l)), `round ${round}: ${JSON.stringify(items)}`);
    }
  });

  it('pretty-printed documents are still one value each (the resynchronisation does not split them)', () => {
    const doc = { Records: undefined, detail: { a: [{ b: 1 }, { c: [{ d: 2 }] }], e: {} }, f: [[{ g: 1 }]] };
    const two = JSON.stringify(doc, null, 2);
    const zero = '{\n"a": [\n{\n"b": 1\n},\n{}\n],\n"c": {\n"d": [\n{}\n]\n}\n}'; // indent 0: objects at column 0
    const text = `${two}\n${zero}\n${two}\n`;
    for (const chunk of [1, 13, 4096]) {
      assert.deepEqual(good(split(text, chunk)).map(([t]) => JSON.parse(t as string)), [JSON.parse(two), JSON.parse(zero), JSON.parse(two)], `chunks of ${chunk}`);
    }
  });
});

describe('hostile JSON streams: CloudTrail log files', () => {
  const log = (n: number) => `{"Records":[${Array.from({ length: n }, (_, i) => rec(i)).join(',')}`;
  const cases: Array<[string, string, number, RegExp]> = [
    ['cut after a record', `${log(3)}`, 3, /ends before the closing "\]\}" \(3 records read/],
    ['cut after a comma', `${log(3)},`, 3, /ends before the closing "\]\}" \(3 records read/],
    ['cut inside a record', `${log(3)},{"eventName":"E`, 3, /ends inside a record \(3 records read/],
    ['cut after the closing bracket', `${log(3)}]`, 3, /ends before the closing "\]\}"/],
    ['cut before the first record', '{"Records":[', 0, /0 records read/],
  ];
  for (const [name, text, records, message] of cases) {
    for (const chunk of [1, 9, 4096]) {
      it(`${name} (chunks of ${chunk}): the records read are kept, the truncation reported`, () => {
        const items = split(text, chunk);
        assert.equal(items.filter((x) => x.text !== undefined).length, records);
        const errors = items.filter((x) => x.error !== undefined);
        assert.equal(errors.length, 1, JSON.stringify(items));
        assert.match(errors[0]!.error!, /^truncated CloudTrail log file: /);
        assert.match(errors[0]!.error!, message);
      });
    }
  }
  it('a complete log file is not reported', () => {
    assert.equal(split(`${log(3)}]}\n`, 5).filter((x) => x.error).length, 0);
  });
});

describe('hostile JSON streams: values over the record limit', () => {
  const MAX = 1000;
  it('a value over the limit is skipped and named; the values around it are read (any chunking)', () => {
    const big = JSON.stringify({ x: 'a'.repeat(5000) });
    for (const chunk of [1, 64, 999, 100_000]) {
      const items = split(`${rec(1)}\n${big}\n${rec(2)}\n`, chunk, MAX);
      assert.deepEqual(good(items), [[rec(1), 1], [rec(2), 3]], `chunks of ${chunk}`);
      const err = items.find((x) => x.error)!;
      assert.equal(err.line, 2);
      assert.match(err.error!, /larger than 1000 bytes \(the limit for one record; 4.9 KiB here\): skipped/);
    }
  });
  it('an over-long record of a CloudTrail log file is skipped; the other records are read', () => {
    const items = split(`{"Records":[${rec(1)},{"x":"${'b'.repeat(5000)}"},${rec(2)}]}`, 100, MAX);
    assert.deepEqual(items.filter((x) => x.text).map((x) => x.text), [rec(1), rec(2)]);
    assert.equal(items.filter((x) => x.error).length, 1);
  });
  it('a broken first line longer than the limit: still resynchronised on the next JSON Lines record', () => {
    const items = split(`{"x": [${'1,'.repeat(3000)}\n${rec(1)}\n${rec(2)}\n`, 64, MAX);
    assert.deepEqual(good(items), [[rec(1), 2], [rec(2), 3]]);
    assert.match(items[0]!.error!, /larger than/);
  });
  it('memory stays bounded: a 20 MB value in 16 KiB chunks never holds more than the limit plus one chunk', () => {
    const s = new JsonValueSplitter(64 * 1024);
    const chunk = `${'a'.repeat(16 * 1024)}`;
    let out = s.push('{"x":"');
    let peak = 0;
    for (let i = 0; i < 1280; i++) {
      out = out.concat(s.push(chunk));
      peak = Math.max(peak, s.buffered);
    }
    out = out.concat(s.push('"}\n'), s.push(`${rec(1)}\n`), s.end());
    assert.ok(peak <= 64 * 1024 + 16 * 1024 + 16, `held ${peak} characters`);
    assert.equal(out.length, 2);
    assert.match(out[0]!.error!, /larger than 64 KiB \(the limit for one record; 20 MiB here\)/);
    assert.equal(out[1]!.text, rec(1));
  });
  it('garbage without a line break (a stream of zeros) is skipped without being held', () => {
    const s = new JsonValueSplitter(4096);
    let peak = 0;
    for (let i = 0; i < 1000; i++) { s.push('\u0000'.repeat(4096)); peak = Math.max(peak, s.buffered); }
    const end = s.end();
    assert.ok(peak <= 4096 * 2 + 16, `held ${peak}`);
    assert.equal(end.length, 1);
    assert.match(end[0]!.error!, /larger than 4 KiB/);
  });
});
