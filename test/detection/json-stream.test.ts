import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonValueSplitter, splitLine, type RawValue } from '../../lib/detection/json-stream';

function split(text: string, chunk: number) {
  const s = new JsonValueSplitter();
  const out = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...s.push(text.slice(i, i + chunk)));
  out.push(...s.end());
  return out.flatMap(resolveLine).map((v) => ({ text: v.text, line: v.line, records: v.fromRecords, incomplete: !!v.incomplete }));
}

/** The reader's contract for whole lines taken unscanned: JSON.parse them; when that fails, re-split with splitLine. */
function resolveLine(v: RawValue): RawValue[] {
  if (!v.wholeLine) return [v];
  try { JSON.parse(v.text); return [{ ...v, wholeLine: false }]; } catch { return splitLine(v); }
}

describe('JsonValueSplitter', () => {
  const cases: Array<[string, string, Array<[string, number, boolean?, boolean?]>]> = [
    ['JSON Lines with escaped quotes and blank lines', '{"a":1}\n{"b":"x\\"}"}\n\n{"c":[1,2]}\n', [['{"a":1}', 1], ['{"b":"x\\"}"}', 2], ['{"c":[1,2]}', 4]]],
    ['pretty-printed documents', '{\n  "a": "{",\n  "b": {"c": 2}\n}\n{"d":3}', [['{\n  "a": "{",\n  "b": {"c": 2}\n}', 1], ['{"d":3}', 5]]],
    ['CloudTrail log files stream their records', '{"Records":[{"eventName":"A"},\n{"eventName":"B","x":[1]}]}\n{"Records": [ ]}\n{"z":1}', [['{"eventName":"A"}', 1, true], ['{"eventName":"B","x":[1]}', 2, true], ['{"z":1}', 4]]],
    ['a truncated line does not swallow the next ones', '{"a":1}\n{"b":2\n{"c":3}\nnot json\n{"end"', [['{"a":1}', 1], ['{"b":2', 2, false, true], ['{"c":3}', 3], ['not json', 4], ['{"end"', 5, false, true]]],
    ['two values on one line of JSON Lines are both kept', '{"a":1}\n{"b":2} {"c":3}\n{"d":4}', [['{"a":1}', 1], ['{"b":2}', 2], ['{"c":3}', 2], ['{"d":4}', 3]]],
    ['a CloudTrail log file line amid JSON Lines is still streamed', '{"a":1}\n{"Records":[{"eventName":"A"},{"eventName":"B"}]}\n{"d":4}', [['{"a":1}', 1], ['{"eventName":"A"}', 2, true], ['{"eventName":"B"}', 2, true], ['{"d":4}', 3]]],
    ['CRLF line ends', '{"a":1}\r\n{"b":2}\r\n', [['{"a":1}', 1], ['{"b":2}', 2]]],
    ['backslash before a closing quote', '{"p":"C:\\\\"}\n{"q":1}', [['{"p":"C:\\\\"}', 1], ['{"q":1}', 2]]],
  ];
  for (const [name, text, want] of cases) {
    for (const chunk of [1, 3, 64, 1 << 16]) {
      it(`${name} (chunks of ${chunk})`, () => {
        assert.deepEqual(split(text, chunk), want.map(([t, line, records, incomplete]) => ({ text: t, line, records: !!records, incomplete: !!incomplete })));
      });
    }
  }
  it('keeps memory bounded: a 20,000-record single-line log file never holds more than one record', () => {
    const s = new JsonValueSplitter();
    const rec = JSON.stringify({ eventName: 'AssumeRole', padding: 'x'.repeat(200) });
    let n = 0;
    let maxBuffered = 0;
    n += s.push('{"Records":[').length;
    for (let i = 0; i < 20_000; i++) {
      n += s.push(`${i ? ',' : ''}${rec}`).length;
      maxBuffered = Math.max(maxBuffered, (s as any).buf.length);
    }
    n += s.push(']}').length + s.end().length;
    assert.equal(n, 20_000);
    assert.ok(maxBuffered < rec.length * 3, `buffered ${maxBuffered} chars`);
  });
});
