/**
 * Cross-check against moto's EventBridge pattern matcher (moto.events.models.EventPattern), an independent
 * implementation. Every case carries the answer AWS gives (`aws`), so a case checks our matcher against that answer
 * and moto against it too:
 * - AGREED: moto gives the AWS answer; we must give it as well.
 * - KNOWN_DIFFERENCES: moto gives the other answer. The test asserts that it still does, so docs/matcher.md stays
 *   true; if moto is fixed, the case fails and should move to AGREED.
 * One python3 process answers every case (JSON lines on stdin/stdout). Without python3 or moto, the moto half of each
 * case is skipped with a visible reason; our half still runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test, type TestContext } from 'node:test';
import { matchesPattern } from '../../lib/detection/matcher';

interface Case {
  readonly name: string;
  readonly pattern: Record<string, unknown>;
  readonly event: Record<string, unknown>;
  readonly aws: boolean;
}
interface Difference extends Case {
  /** Why moto answers differently. */
  readonly why: string;
}

const trail = (detail: Record<string, unknown>) => ({ source: 'aws.iam', 'detail-type': 'AWS API Call via CloudTrail', detail });

const AGREED: readonly Case[] = [
  { name: 'exact string', pattern: { source: ['aws.iam'] }, event: trail({}), aws: true },
  { name: 'exact string, other value', pattern: { source: ['aws.sts'] }, event: trail({}), aws: false },
  { name: 'nested field', pattern: { detail: { eventName: ['CreateUser'] } }, event: trail({ eventName: 'CreateUser' }), aws: true },
  { name: 'missing field', pattern: { detail: { eventName: ['CreateUser'] } }, event: trail({}), aws: false },
  { name: 'number', pattern: { n: [300] }, event: { n: 300 }, aws: true },
  { name: 'number is not a string', pattern: { n: [300] }, event: { n: '300' }, aws: false },
  { name: 'null', pattern: { n: [null] }, event: { n: null }, aws: true },
  { name: 'empty string', pattern: { n: [''] }, event: { n: '' }, aws: true },
  { name: 'event array intersects', pattern: { resources: ['b', 'c'] }, event: { resources: ['a', 'b'] }, aws: true },
  { name: 'event array disjoint', pattern: { resources: ['c'] }, event: { resources: ['a', 'b'] }, aws: false },
  { name: 'prefix', pattern: { time: [{ prefix: '2017-10-02' }] }, event: { time: '2017-10-02T18:43:48Z' }, aws: true },
  { name: 'prefix miss', pattern: { time: [{ prefix: '2017-10-02' }] }, event: { time: '2017-10-03T00:00:00Z' }, aws: false },
  { name: 'suffix', pattern: { f: [{ suffix: '.png' }] }, event: { f: 'a.png' }, aws: true },
  { name: 'prefix ignoring case', pattern: { s: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, event: { s: 'eventbridge' }, aws: true },
  { name: 'suffix ignoring case', pattern: { s: [{ suffix: { 'equals-ignore-case': '.png' } }] }, event: { s: 'A.PNG' }, aws: true },
  { name: 'equals-ignore-case', pattern: { s: [{ 'equals-ignore-case': 'alice' }] }, event: { s: 'ALICE' }, aws: true },
  { name: 'equals-ignore-case miss', pattern: { s: [{ 'equals-ignore-case': 'alice' }] }, event: { s: 'alicia' }, aws: false },
  { name: 'anything-but string', pattern: { s: [{ 'anything-but': 'init' }] }, event: { s: 'running' }, aws: true },
  { name: 'anything-but string excluded', pattern: { s: [{ 'anything-but': 'init' }] }, event: { s: 'init' }, aws: false },
  { name: 'anything-but on a missing field', pattern: { s: [{ 'anything-but': 'init' }] }, event: {}, aws: false },
  { name: 'anything-but numbers list', pattern: { x: [{ 'anything-but': [100, 200] }] }, event: { x: 200 }, aws: false },
  { name: 'anything-but numbers vs a string', pattern: { x: [{ 'anything-but': [100] }] }, event: { x: '100' }, aws: true },
  { name: 'anything-but on an array', pattern: { x: [{ 'anything-but': [100, 500] }] }, event: { x: [100, 50] }, aws: true },
  { name: 'anything-but prefix', pattern: { r: [{ 'anything-but': { prefix: 'us-' } }] }, event: { r: 'us-east-1' }, aws: false },
  { name: 'anything-but suffix', pattern: { f: [{ 'anything-but': { suffix: '.png' } }] }, event: { f: 'a.jpg' }, aws: true },
  { name: 'anything-but ignoring case', pattern: { s: [{ 'anything-but': { 'equals-ignore-case': ['init', 'stop'] } }] }, event: { s: 'STOP' }, aws: false },
  { name: 'anything-but wildcard', pattern: { p: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, event: { p: '/usr/bin/x' }, aws: true },
  { name: 'numeric range', pattern: { c: [{ numeric: ['>', 0, '<=', 5] }] }, event: { c: 5 }, aws: true },
  { name: 'numeric range miss', pattern: { c: [{ numeric: ['>', 0, '<=', 5] }] }, event: { c: 0 }, aws: false },
  { name: 'numeric equals', pattern: { x: [{ numeric: ['=', 3.018e2] }] }, event: { x: 301.8 }, aws: true },
  { name: 'numeric vs a string', pattern: { x: [{ numeric: ['>', 0] }] }, event: { x: '5' }, aws: false },
  { name: 'cidr IPv4', pattern: { ip: [{ cidr: '10.0.0.0/24' }] }, event: { ip: '10.0.0.255' }, aws: true },
  { name: 'cidr IPv4 miss', pattern: { ip: [{ cidr: '10.0.0.0/24' }] }, event: { ip: '10.0.1.0' }, aws: false },
  { name: 'cidr IPv6 expanded event', pattern: { ip: [{ cidr: '2001:db8::/32' }] }, event: { ip: '2001:0DB8:0:0:0:0:0:1' }, aws: true },
  { name: 'exists true', pattern: { d: { x: [{ exists: true }] } }, event: { d: { x: 'v' } }, aws: true },
  { name: 'exists true on null', pattern: { d: { x: [{ exists: true }] } }, event: { d: { x: null } }, aws: true },
  { name: 'exists true on an object', pattern: { d: { x: [{ exists: true }] } }, event: { d: { x: { y: 1 } } }, aws: false },
  { name: 'exists false', pattern: { d: { x: [{ exists: false }] } }, event: { d: {} }, aws: true },
  { name: 'exists false on an intermediate node', pattern: { d: { 'c-count': [{ exists: false }] } }, event: { d: { 'c-count': { c1: 100 } } }, aws: true },
  { name: 'wildcard', pattern: { k: [{ wildcard: 'dir/*.png' }] }, event: { k: 'dir/sub/a.png' }, aws: true },
  { name: 'wildcard escaped star', pattern: { k: [{ wildcard: 'a\\*b' }] }, event: { k: 'axb' }, aws: false },
  { name: '$or', pattern: { $or: [{ a: ['1'] }, { b: ['2'] }] }, event: { b: '2' }, aws: true },
  { name: '$or nested', pattern: { d: { $or: [{ a: ['1'] }, { b: ['2'] }] } }, event: { d: { c: '3' } }, aws: false },
  {
    name: 'fields from different array elements',
    pattern: { a: { b: ['x'], c: ['y'] } },
    event: { a: [{ b: 'x' }, { c: 'y' }] },
    aws: false,
  },
];

const KNOWN_DIFFERENCES: readonly Difference[] = [
  {
    name: 'field inside an array of objects',
    why: 'moto flattens nested objects but not arrays, so no field below an array of objects is ever found',
    pattern: { detail: { items: { name: ['x'] } } },
    event: { detail: { items: [{ name: 'y' }, { name: 'x' }] } },
    aws: true,
  },
  {
    name: 'same-element match in an array of objects',
    why: 'same cause; AWS requires (and here finds) both fields in one element',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    event: { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }] },
    aws: true,
  },
  {
    name: 'exists false below an array of objects',
    why: 'moto cannot see the field inside the array, so it thinks it is absent',
    pattern: { a: { b: [{ exists: false }] } },
    event: { a: [{ b: 1 }] },
    aws: false,
  },
  {
    name: 'exists true on an empty object',
    why: 'moto counts any key as present; AWS needs a leaf value',
    pattern: { a: [{ exists: true }] },
    event: { a: {} },
    aws: false,
  },
  {
    name: 'exists true on an empty array',
    why: 'moto counts any key as present; an empty array holds no leaf',
    pattern: { a: [{ exists: true }] },
    event: { a: [] },
    aws: false,
  },
  {
    name: 'exists true on an array of objects',
    why: 'moto counts any key as present; objects are not leaves',
    pattern: { a: [{ exists: true }] },
    event: { a: [{ b: 1 }] },
    aws: false,
  },
  {
    name: 'number pattern vs boolean event',
    why: 'Python has True == 1',
    pattern: { a: [1] },
    event: { a: true },
    aws: false,
  },
  {
    name: 'boolean pattern vs number event',
    why: 'Python has False == 0',
    pattern: { a: [false] },
    event: { a: 0 },
    aws: false,
  },
  {
    name: 'numeric on a boolean',
    why: 'Python bool is an int, so moto compares true as 1',
    pattern: { a: [{ numeric: ['>', 0] }] },
    event: { a: true },
    aws: false,
  },
  {
    name: 'anything-but number vs boolean',
    why: 'Python has True == 1, so moto thinks true is excluded',
    pattern: { a: [{ 'anything-but': 1 }] },
    event: { a: true },
    aws: true,
  },
  {
    name: 'cidr vs an integer',
    why: 'Python ipaddress.ip_address accepts integers; AWS only reads IP address strings',
    pattern: { ip: [{ cidr: '10.0.0.0/8' }] },
    event: { ip: 167772161 },
    aws: false,
  },
  {
    name: 'wildcard across a newline',
    why: 'moto builds a Python regex without DOTALL, so * stops at a newline',
    pattern: { k: [{ wildcard: 'a*b' }] },
    event: { k: 'a\nb' },
    aws: true,
  },
  {
    name: 'IPv6 value spelled differently',
    why: 'AWS compares IP-address values as addresses; moto compares the strings',
    pattern: { ip: ['2001:db8::1'] },
    event: { ip: '2001:DB8:0:0:0:0:0:1' },
    aws: true,
  },
  {
    name: 'value inside a nested array',
    why: 'AWS flattens nested arrays; moto looks only one level deep',
    pattern: { a: [1] },
    event: { a: [[1, 2]] },
    aws: true,
  },
  {
    name: 'equals-ignore-case with ß',
    why: 'AWS folds each pattern character to its lower or upper form ("ß" or "SS"); Python lower-cases whole strings',
    pattern: { s: [{ 'equals-ignore-case': 'straße' }] },
    event: { s: 'STRASSE' },
    aws: true,
  },
];

const MOTO_SCRIPT = String.raw`
import json, sys
try:
    from moto.events.models import EventPattern
except Exception as e:
    print(json.dumps({"unavailable": "%s: %s" % (type(e).__name__, e)}))
    sys.exit(0)
print(json.dumps({"ready": True}))
for line in sys.stdin:
    case = json.loads(line)
    try:
        matched = EventPattern.load(json.dumps(case["pattern"])).matches_event(case["event"])
        print(json.dumps({"match": bool(matched)}))
    except Exception as e:
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
    sys.stdout.flush()
`;

type MotoAnswer = { match: boolean } | { error: string };
type Moto = { ok: true; answers: MotoAnswer[] } | { ok: false; reason: string };

function askMoto(cases: readonly Case[]): Moto {
  const input = cases.map((c) => JSON.stringify({ pattern: c.pattern, event: c.event })).join('\n') + '\n';
  const run = spawnSync('python3', ['-c', MOTO_SCRIPT], { input, encoding: 'utf8', timeout: 120_000 });
  if (run.error) return { ok: false, reason: `python3 could not run (${run.error.message})` };
  const [head, ...rest] = run.stdout.split('\n').filter((l) => l.trim() !== '');
  const first = head === undefined ? {} : (JSON.parse(head) as { unavailable?: string });
  if (first.unavailable !== undefined) return { ok: false, reason: first.unavailable };
  if (head === undefined || rest.length !== cases.length) {
    throw new Error(`moto helper answered ${rest.length} of ${cases.length} cases (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  }
  return { ok: true, answers: rest.map((l) => JSON.parse(l) as MotoAnswer) };
}

const moto = askMoto([...AGREED, ...KNOWN_DIFFERENCES]);

function motoAnswer(t: TestContext, index: number): boolean | undefined {
  if (!moto.ok) {
    t.skip(`moto not installed: ${moto.reason}`);
    return undefined;
  }
  const answer = moto.answers[index]!;
  if ('error' in answer) assert.fail(`moto rejected the case: ${answer.error}`);
  return answer.match;
}

describe('agrees with moto where moto gives the AWS answer', () => {
  AGREED.forEach((c, i) => {
    test(c.name, (t) => {
      assert.equal(matchesPattern(c.pattern, c.event), c.aws, 'our matcher');
      const m = motoAnswer(t, i);
      if (m !== undefined) assert.equal(m, c.aws, 'moto');
    });
  });
});

describe('known differences: moto answers otherwise, we give the AWS answer', () => {
  KNOWN_DIFFERENCES.forEach((c, i) => {
    test(c.name, (t) => {
      assert.equal(matchesPattern(c.pattern, c.event), c.aws, 'our matcher');
      const m = motoAnswer(t, AGREED.length + i);
      if (m !== undefined) assert.equal(m, !c.aws, `moto now gives the AWS answer (${c.why}); move this case to AGREED and update docs/matcher.md`);
    });
  });
});
