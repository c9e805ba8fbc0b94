/**
 * EventBridge pattern matching, operator by operator: what matches, what does not, and which patterns are refused.
 * Expected answers come from the EventBridge user guide's examples and, where it is silent, from the engine's
 * documented behaviour (see docs/matcher.md); each is written down here rather than derived from our own output.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePattern, MAX_ALTERNATIVES, matchesPattern, PatternError } from '../../lib/detection/matcher';

type Case = readonly [event: unknown, expected: boolean];

/** Checks every (event, expected) pair against one pattern, naming the failing event. */
function expectMatches(pattern: unknown, cases: readonly Case[]): void {
  const compiled = compilePattern(pattern);
  for (const [event, expected] of cases) {
    assert.equal(compiled.matches(event), expected, `pattern ${JSON.stringify(pattern)} vs event ${JSON.stringify(event)}`);
  }
}

/** Asserts the pattern is refused with a PatternError whose message names `path` and contains `reason`. */
function expectRejected(pattern: unknown, path: string, reason: RegExp): void {
  assert.throws(() => compilePattern(pattern), (err: unknown) => {
    assert.ok(err instanceof PatternError, `expected PatternError, got ${String(err)}`);
    assert.equal(err.path, path);
    assert.match(err.message, reason);
    return true;
  });
}

describe('exact values', () => {
  test('strings match exactly and case-sensitively', () => {
    expectMatches({ source: ['aws.ec2', 'aws.fargate'] }, [
      [{ source: 'aws.ec2' }, true],
      [{ source: 'aws.fargate' }, true],
      [{ source: 'AWS.EC2' }, false],
      [{ source: 'aws.ec2 ' }, false],
      [{}, false],
    ]);
  });

  test('numbers compare as numbers, never as strings', () => {
    expectMatches({ detail: { n: [300] } }, [
      [{ detail: { n: 300 } }, true],
      [{ detail: { n: 300.0 } }, true],
      [{ detail: { n: 3e2 } }, true],
      [{ detail: { n: 301 } }, false],
      [{ detail: { n: '300' } }, false],
    ]);
  });

  test('booleans, null and the empty string are distinct values', () => {
    expectMatches({ a: [true], b: [null], c: [''] }, [
      [{ a: true, b: null, c: '' }, true],
      [{ a: 'true', b: null, c: '' }, false],
      [{ a: 1, b: null, c: '' }, false],
      [{ a: true, b: 'null', c: '' }, false],
      [{ a: true, c: '' }, false],
      [{ a: true, b: null, c: ' ' }, false],
    ]);
    expectMatches({ a: [false] }, [[{ a: false }, true], [{ a: 0 }, false], [{ a: null }, false]]);
  });

  test('a field whose value is an object is not a leaf and does not match a value', () => {
    expectMatches({ detail: ['x'] }, [[{ detail: { x: 'x' } }, false], [{ detail: 'x' }, true]]);
    expectMatches({ detail: { state: ['on'] } }, [[{ detail: 'on' }, false], [{ detail: { state: 'on' } }, true]]);
  });

  test('an event array matches when any element matches', () => {
    expectMatches({ resources: ['arn:1', 'arn:2'] }, [
      [{ resources: ['arn:0', 'arn:2'] }, true],
      [{ resources: ['arn:0', 'arn:3'] }, false],
      [{ resources: [] }, false],
      [{ resources: [['arn:1']] }, true],
    ]);
  });

  test('a value that is an IP address matches every spelling of that address', () => {
    expectMatches({ ip: ['2001:db8::1'] }, [
      [{ ip: '2001:db8::1' }, true],
      [{ ip: '2001:DB8:0:0:0:0:0:1' }, true],
      [{ ip: '2001:db8::2' }, false],
    ]);
    expectMatches({ ip: ['10.0.0.1'] }, [[{ ip: '10.0.0.1' }, true], [{ ip: '10.0.0.10' }, false]]);
  });

  test('pattern values must be scalars or matcher objects', () => {
    expectRejected({ detail: { eventName: 'CreateUser' } }, 'detail.eventName', /expected an array of values or matchers, got a string/);
    expectRejected({ a: 5 }, 'a', /expected an array of values or matchers, got a number/);
    expectRejected({ a: null }, 'a', /got null/);
    expectRejected({ a: [] }, 'a', /empty arrays are not allowed/);
    expectRejected({ a: [['x']] }, 'a[0]', /must be a string, number, boolean, null or a matcher object, got an array/);
    expectRejected({ a: [Infinity] }, 'a[0]', /finite/);
  });
});

describe('pattern structure', () => {
  test('nested objects follow the event structure and all fields must match', () => {
    expectMatches({ source: ['aws.ec2'], detail: { state: ['terminated'] } }, [
      [{ source: 'aws.ec2', detail: { state: 'terminated', other: 1 } }, true],
      [{ source: 'aws.ec2', detail: { state: 'running' } }, false],
      [{ source: 'aws.s3', detail: { state: 'terminated' } }, false],
      [{ source: 'aws.ec2' }, false],
    ]);
  });

  test('the pattern must be a non-empty JSON object; JSON text is accepted', () => {
    expectRejected([], '', /must be a JSON object, got an array/);
    expectRejected('["a"]', '', /must be a JSON object, got an array/);
    expectRejected('{nope', '', /not valid JSON/);
    expectRejected({}, '', /empty objects are not allowed/);
    expectRejected({ detail: {} }, 'detail', /empty objects are not allowed/);
    assert.equal(matchesPattern('{"source": ["aws.ec2"]}', { source: 'aws.ec2' }), true);
    assert.equal(matchesPattern('{"source": ["aws.ec2"]}', { source: 'aws.s3' }), false);
  });

  test('only JSON objects are events', () => {
    const p = compilePattern({ a: [{ exists: false }] });
    assert.equal(p.matches({}), true);
    assert.equal(p.matches(null), false);
    assert.equal(p.matches([]), false);
    assert.equal(p.matches('{}'), false);
  });

  test('field names that exist on Object.prototype are read from the event only', () => {
    expectMatches({ constructor: [{ exists: false }] }, [[{}, true], [{ constructor: 'x' }, false]]);
    expectMatches({ toString: [{ exists: true }] }, [[{}, false], [{ toString: 'x' }, true]]);
    expectMatches(JSON.parse('{"__proto__": {"a": ["x"]}}'), [[JSON.parse('{"__proto__": {"a": "x"}}'), true], [{}, false]]);
  });

  test('one field constrained twice in one alternative is refused', () => {
    expectRejected({ a: [1], $or: [{ a: [2] }, { b: [3] }] }, 'a', /constrained twice/);
    expectRejected({ 'a.b': [1], a: { b: [2] } }, 'a.b', /constrained twice/);
  });
});

describe('prefix and suffix', () => {
  test('prefix matches the start of strings only', () => {
    expectMatches({ time: [{ prefix: '2017-10-02' }] }, [
      [{ time: '2017-10-02T18:43:48Z' }, true],
      [{ time: '2017-10-03T00:00:00Z' }, false],
      [{ time: 20171002 }, false],
    ]);
    expectMatches({ n: [{ prefix: '1' }] }, [[{ n: 12 }, false], [{ n: '12' }, true]]);
  });

  test('suffix matches the end of strings only', () => {
    expectMatches({ FileName: [{ suffix: '.png' }] }, [
      [{ FileName: 'a.png' }, true],
      [{ FileName: 'a.PNG' }, false],
      [{ FileName: 'a.png.txt' }, false],
    ]);
  });

  test('prefix and suffix with equals-ignore-case ignore the casing', () => {
    expectMatches({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, [
      [{ service: 'eventbridge' }, true],
      [{ service: 'EVENTBRIDGE' }, true],
      [{ service: 'xeventb' }, false],
    ]);
    expectMatches({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, [
      [{ FileName: 'A.PNG' }, true],
      [{ FileName: 'a.Png' }, true],
      [{ FileName: 'a.pngx' }, false],
    ]);
  });

  test('prefix and suffix operands must be strings or {equals-ignore-case}', () => {
    expectRejected({ a: [{ prefix: 5 }] }, 'a[0].prefix', /must be a string or \{"equals-ignore-case": string\}, got a number/);
    expectRejected({ a: [{ suffix: ['a'] }] }, 'a[0].suffix', /got an array/);
    expectRejected({ a: [{ prefix: { 'anything-but': 'x' } }] }, 'a[0].prefix', /only accepts a string or \{"equals-ignore-case": string\}/);
    expectRejected({ a: [{ suffix: { 'equals-ignore-case': 1 } }] }, 'a[0].suffix.equals-ignore-case', /must be a string, got a number/);
  });
});

describe('equals-ignore-case', () => {
  test('matches strings regardless of casing', () => {
    expectMatches({ Name: [{ 'equals-ignore-case': 'alice' }] }, [
      [{ Name: 'Alice' }, true],
      [{ Name: 'ALICE' }, true],
      [{ Name: 'Alicia' }, false],
      [{ Name: ['bob', 'aLiCe'] }, true],
    ]);
  });

  test('folds one character at a time, as the engine does', () => {
    expectMatches({ s: [{ 'equals-ignore-case': 'straße' }] }, [
      [{ s: 'STRASSE' }, true],
      [{ s: 'STRAßE' }, true],
      [{ s: 'strasse' }, false],
    ]);
  });

  test('operand must be a string', () => {
    expectRejected({ a: [{ 'equals-ignore-case': ['a'] }] }, 'a[0].equals-ignore-case', /must be a string, got an array/);
  });
});

describe('wildcard', () => {
  test('* matches any run of characters, including none and newlines', () => {
    expectMatches({ key: [{ wildcard: 'dir/*.png' }] }, [
      [{ key: 'dir/a.png' }, true],
      [{ key: 'dir/.png' }, true],
      [{ key: 'dir/sub/a.png' }, true],
      [{ key: 'dir/a\nb.png' }, true],
      [{ key: 'dir/a.jpg' }, false],
      [{ key: 'other/a.png' }, false],
    ]);
    expectMatches({ key: [{ wildcard: '*Title*' }] }, [[{ key: 'A Title here' }, true], [{ key: 'title' }, false]]);
  });

  test('without a star it is an exact match; regex characters are literal', () => {
    expectMatches({ k: [{ wildcard: 'a.b' }] }, [[{ k: 'a.b' }, true], [{ k: 'axb' }, false]]);
    expectMatches({ k: [{ wildcard: '(x)+*' }] }, [[{ k: '(x)+y' }, true], [{ k: 'xx' }, false]]);
  });

  test('\\* is a literal star and \\\\ a literal backslash', () => {
    expectMatches({ k: [{ wildcard: 'a\\*b*' }] }, [[{ k: 'a*bc' }, true], [{ k: 'axbc' }, false]]);
    expectMatches({ k: [{ wildcard: 'c:\\\\*' }] }, [[{ k: 'c:\\dir' }, true], [{ k: 'c:dir' }, false]]);
  });

  test('consecutive stars and other escapes are refused', () => {
    expectRejected({ k: [{ wildcard: 'a**b' }] }, 'k[0].wildcard', /consecutive wildcard characters at position 2/);
    expectRejected({ k: [{ wildcard: 'a\\b' }] }, 'k[0].wildcard', /backslash may only escape/);
    expectRejected({ k: [{ wildcard: 'a\\' }] }, 'k[0].wildcard', /backslash may only escape/);
    expectRejected({ k: [{ wildcard: 1 }] }, 'k[0].wildcard', /must be a string/);
  });
});

describe('anything-but', () => {
  test('a single string or number excludes that value and matches every other leaf', () => {
    expectMatches({ state: [{ 'anything-but': 'initializing' }] }, [
      [{ state: 'running' }, true],
      [{ state: 'initializing' }, false],
      [{ state: 5 }, true],
      [{ state: null }, true],
      [{}, false],
      [{ state: { nested: 1 } }, false],
    ]);
    expectMatches({ x: [{ 'anything-but': 123 }] }, [[{ x: 124 }, true], [{ x: 123.0 }, false], [{ x: '123' }, true]]);
  });

  test('a list excludes each of its values', () => {
    expectMatches({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }, [
      [{ state: 'running' }, true],
      [{ state: 'stopped' }, false],
      [{ state: 'overloaded' }, false],
    ]);
    expectMatches({ x: [{ 'anything-but': [100, 200, 300] }] }, [[{ x: 150 }, true], [{ x: 200 }, false]]);
  });

  test('on an event array, matches when some element is not excluded', () => {
    expectMatches({ x: [{ 'anything-but': [100, 500] }] }, [
      [{ x: [100, 50] }, true],
      [{ x: [100, 500] }, false],
      [{ x: [] }, false],
    ]);
  });

  test('prefix and suffix exclude by affix; non-strings pass', () => {
    expectMatches({ Region: [{ 'anything-but': { prefix: 'us-' } }] }, [
      [{ Region: 'eu-west-1' }, true],
      [{ Region: 'us-east-1' }, false],
      [{ Region: 7 }, true],
    ]);
    expectMatches({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, [
      [{ FileName: 'a.jpg' }, true],
      [{ FileName: 'a.png' }, false],
    ]);
    expectMatches({ s: [{ 'anything-but': { prefix: ['init', 'stop'] } }] }, [
      [{ s: 'running' }, true],
      [{ s: 'stopping' }, false],
    ]);
  });

  test('equals-ignore-case excludes every casing, alone or in a list', () => {
    expectMatches({ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, [
      [{ state: 'INITIALIZING' }, false],
      [{ state: 'running' }, true],
    ]);
    expectMatches({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, [
      [{ state: 'Stopped' }, false],
      [{ state: 'Running' }, true],
    ]);
  });

  test('wildcard excludes what the wildcard matches, alone or in a list', () => {
    expectMatches({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, [
      [{ FilePath: '/usr/lib/tool' }, false],
      [{ FilePath: '/usr/bin/tool' }, true],
    ]);
    expectMatches({ FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, [
      [{ FilePath: '/usr/bin/tool' }, false],
      [{ FilePath: '/usr/share/tool' }, true],
    ]);
  });

  test('invalid anything-but operands are refused', () => {
    expectRejected({ x: [{ 'anything-but': { 'anything-but': 'a' } }] }, 'x[0].anything-but', /anything-but cannot be nested/);
    expectRejected({ x: [{ 'anything-but': ['a', 1] }] }, 'x[0].anything-but', /only strings or only numbers/);
    expectRejected({ x: [{ 'anything-but': [] }] }, 'x[0].anything-but', /must not be empty/);
    expectRejected({ x: [{ 'anything-but': true }] }, 'x[0].anything-but', /got a boolean/);
    expectRejected({ x: [{ 'anything-but': [null] }] }, 'x[0].anything-but[0]', /only hold strings or numbers, got null/);
    expectRejected({ x: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'x[0].anything-but', /unsupported anything-but matcher "numeric"/);
    expectRejected({ x: [{ 'anything-but': { prefix: '' } }] }, 'x[0].anything-but.prefix', /must not be empty/);
    expectRejected({ x: [{ 'anything-but': { prefix: 1 } }] }, 'x[0].anything-but.prefix', /must be a string or an array of strings/);
    expectRejected({ x: [{ 'anything-but': { wildcard: ['a**'] } }] }, 'x[0].anything-but.wildcard', /consecutive wildcard/);
    expectRejected({ x: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] }, 'x[0].anything-but', /exactly one key, got 2/);
  });
});

describe('numeric', () => {
  test('single comparisons', () => {
    const at = (op: string, n: number, v: unknown) => matchesPattern({ x: [{ numeric: [op, n] }] }, { x: v });
    assert.deepEqual([at('=', 3.018e2, 301.8), at('=', 301.8, 301.81)], [true, false]);
    assert.deepEqual([at('<', 10, 9.99), at('<', 10, 10)], [true, false]);
    assert.deepEqual([at('<=', 10, 10), at('<=', 10, 10.01)], [true, false]);
    assert.deepEqual([at('>', 0, 0.001), at('>', 0, 0)], [true, false]);
    assert.deepEqual([at('>=', 0, 0), at('>=', 0, -1)], [true, false]);
    assert.deepEqual([at('>', 0, '5'), at('>', 0, true), at('=', 1, true)], [false, false, false]);
  });

  test('ranges bound both sides with open or closed ends', () => {
    expectMatches({ c: [{ numeric: ['>', 0, '<=', 5] }] }, [
      [{ c: 0 }, false], [{ c: 0.5 }, true], [{ c: 5 }, true], [{ c: 5.0001 }, false], [{ c: [9, 3] }, true],
    ]);
    expectMatches({ c: [{ numeric: ['>=', -1, '<', 1] }] }, [[{ c: -1 }, true], [{ c: 1 }, false]]);
  });

  test('malformed numeric expressions are refused', () => {
    expectRejected({ c: [{ numeric: '>' }] }, 'c[0].numeric', /must be an array/);
    expectRejected({ c: [{ numeric: ['>'] }] }, 'c[0].numeric', /has 1 elements/);
    expectRejected({ c: [{ numeric: ['!=', 1] }] }, 'c[0].numeric[0]', /unknown numeric operator "!="/);
    expectRejected({ c: [{ numeric: ['>', '5'] }] }, 'c[0].numeric[1]', /must be a number, got a string/);
    expectRejected({ c: [{ numeric: ['<', 5, '>', 1] }] }, 'c[0].numeric[0]', /must start with ">" or ">="/);
    expectRejected({ c: [{ numeric: ['=', 5, '<', 9] }] }, 'c[0].numeric[0]', /must start with ">" or ">="/);
    expectRejected({ c: [{ numeric: ['>', 1, '>', 9] }] }, 'c[0].numeric[2]', /must end with "<" or "<="/);
    expectRejected({ c: [{ numeric: ['>', 1, '<', null] }] }, 'c[0].numeric[3]', /must be a number, got null/);
    expectRejected({ c: [{ numeric: ['>=', 5, '<=', 5] }] }, 'c[0].numeric', /lower bound 5 must be less than the upper bound 5/);
    expectRejected({ c: [{ numeric: ['>', 1, '<', 5, 7] }] }, 'c[0].numeric', /has 5 elements/);
  });
});

describe('cidr', () => {
  test('IPv4 ranges', () => {
    expectMatches({ ip: [{ cidr: '10.0.0.0/24' }] }, [
      [{ ip: '10.0.0.0' }, true], [{ ip: '10.0.0.255' }, true], [{ ip: '10.0.1.0' }, false],
      [{ ip: '9.255.255.255' }, false], [{ ip: 'not an ip' }, false], [{ ip: 167772161 }, false],
      [{ ip: '10.0.0.010' }, false], [{ ip: '2001:db8::1' }, false],
    ]);
    expectMatches({ ip: [{ cidr: '0.0.0.0/0' }] }, [[{ ip: '255.255.255.255' }, true], [{ ip: '::1' }, false]]);
    expectMatches({ ip: [{ cidr: '192.168.1.7/32' }] }, [[{ ip: '192.168.1.7' }, true], [{ ip: '192.168.1.8' }, false]]);
  });

  test('IPv6 ranges match compressed, expanded and upper-case spellings', () => {
    expectMatches({ ip: [{ cidr: '2001:db8::/32' }] }, [
      [{ ip: '2001:db8::1' }, true],
      [{ ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' }, true],
      [{ ip: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff' }, true],
      [{ ip: '2001:db9::' }, false],
      [{ ip: '2001:db8::1::2' }, false],
      [{ ip: '10.0.0.1' }, false],
    ]);
    expectMatches({ ip: [{ cidr: '::/0' }] }, [[{ ip: '::' }, true], [{ ip: '1:2:3:4:5:6:7::' }, true], [{ ip: '1:2:3:4:5:6:7:8:9' }, false]]);
  });

  test('malformed CIDRs are refused', () => {
    expectRejected({ ip: [{ cidr: '10.0.0.0' }] }, 'ip[0].cidr', /exactly one "\/" is required/);
    expectRejected({ ip: [{ cidr: '10.0.0.0/x' }] }, 'ip[0].cidr', /prefix length must be a whole number/);
    expectRejected({ ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0].cidr', /at most 32/);
    expectRejected({ ip: [{ cidr: '::/129' }] }, 'ip[0].cidr', /at most 128/);
    expectRejected({ ip: [{ cidr: '10.0.0.256/24' }] }, 'ip[0].cidr', /is not an IPv4 or IPv6 address/);
    expectRejected({ ip: [{ cidr: 'example.com/24' }] }, 'ip[0].cidr', /is not an IPv4 or IPv6 address/);
    expectRejected({ ip: [{ cidr: '10.0.0.5/24' }] }, 'ip[0].cidr', /host bits set; the network is 10\.0\.0\.0\/24/);
    expectRejected({ ip: [{ cidr: 24 }] }, 'ip[0].cidr', /must be a string, got a number/);
  });
});

describe('exists', () => {
  test('exists true matches present leaves, including null and arrays of leaves', () => {
    expectMatches({ detail: { description: [{ exists: true }] } }, [
      [{ detail: { description: 'x' } }, true],
      [{ detail: { description: null } }, true],
      [{ detail: { description: ['x'] } }, true],
      [{ detail: {} }, false],
      [{ detail: { description: { text: 'x' } } }, false],
      [{ detail: { description: {} } }, false],
      [{ detail: { description: [] } }, false],
      [{ detail: { description: [{ text: 'x' }] } }, false],
    ]);
  });

  test('exists false matches absent fields and intermediate nodes (the guide\'s c-count example)', () => {
    expectMatches({ detail: { 'c-count': [{ exists: false }] } }, [
      [{ detail: { state: ['initializing', 'running'] } }, true],
      [{ detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } }, true],
      [{ detail: { 'c-count': 5 } }, false],
      [{ detail: { 'c-count': null } }, false],
      [{ detail: { 'c-count': [] } }, true],
      [{}, true],
      [{ detail: 'scalar' }, true],
    ]);
  });

  test('exists must be a boolean', () => {
    expectRejected({ a: [{ exists: 'true' }] }, 'a[0].exists', /must be true or false, got a string/);
  });

  test('exists false alongside values matches either way', () => {
    expectMatches({ a: [{ exists: false }, 'x'] }, [[{}, true], [{ a: 'x' }, true], [{ a: 'y' }, false]]);
  });
});

describe('$or', () => {
  test('at the top level', () => {
    expectMatches({ source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] }, [
      [{ source: 'aws.cloudwatch', metricName: 'CPUUtilization' }, true],
      [{ source: 'aws.cloudwatch', namespace: 'AWS/EC2' }, true],
      [{ source: 'aws.cloudwatch', namespace: 'AWS/ES' }, false],
      [{ source: 'aws.s3', metricName: 'CPUUtilization' }, false],
    ]);
  });

  test('nested in a field, in parallel and inside another $or', () => {
    const pattern = {
      detail: { $or: [{ a: [1] }, { b: [2] }] },
      $or: [
        { x: ['x'] },
        { y: ['y'], $or: [{ z1: [1] }, { z2: [2] }] },
      ],
    };
    expectMatches(pattern, [
      [{ detail: { a: 1 }, x: 'x' }, true],
      [{ detail: { b: 2 }, y: 'y', z2: 2 }, true],
      [{ detail: { b: 2 }, y: 'y' }, false],
      [{ detail: { c: 3 }, x: 'x' }, false],
    ]);
  });

  test('$or branches and their siblings must be satisfied by the same array element', () => {
    const pattern = { a: { d: [3] }, $or: [{ a: { b: [1] } }, { a: { c: [2] } }] };
    expectMatches(pattern, [
      [{ a: [{ c: 2, d: 3 }] }, true],
      [{ a: [{ b: 1 }, { d: 3 }] }, false],
    ]);
  });

  test('malformed $or is refused', () => {
    expectRejected({ $or: [{ a: [1] }] }, '$or', /at least 2 objects, got 1 object/);
    expectRejected({ $or: { a: [1] } }, '$or', /at least 2 objects, got an object/);
    expectRejected({ $or: [{ a: [1] }, 'b'] }, '$or', /got a string at position 1/);
    expectRejected({ $or: [{ a: [1] }, {}] }, '$or[1]', /empty objects are not allowed/);
    expectRejected({ $or: [{ numeric: [1] }, { b: [2] }] }, '$or[0].numeric', /matcher name and cannot be used as a field name inside "\$or"/);
    expectRejected({ $or: [{ a: { prefix: ['x'] } }, { b: [2] }] }, '$or[0].a.prefix', /cannot be used as a field name/);
  });

  test('more than MAX_ALTERNATIVES alternatives are refused', () => {
    const or = (k: string) => ({ $or: Array.from({ length: 11 }, (_, i) => ({ [`${k}${i}`]: [i] })) });
    assert.doesNotThrow(() => compilePattern({ a: or('a'), b: or('b') }));
    assert.ok(11 * 11 * 11 > MAX_ALTERNATIVES);
    expectRejected({ a: or('a'), b: or('b'), c: or('c') }, '', /more than 1024 alternatives/);
    const mixed = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, [{ exists: false }, i]]));
    expectRejected(mixed, '', /more than 1024 alternatives/);
  });
});

describe('matcher objects', () => {
  test('need exactly one known key', () => {
    expectRejected({ a: [{}] }, 'a[0]', /exactly one key, got none/);
    expectRejected({ a: [{ prefix: 'a', suffix: 'b' }] }, 'a[0]', /exactly one key, got 2 \("prefix", "suffix"\)/);
    expectRejected({ a: [{ regex: 'a.*' }] }, 'a[0]', /unknown matcher "regex"/);
    expectRejected({ a: [{ exactly: 'a' }] }, 'a[0]', /unknown matcher "exactly"/);
  });

  test('several matchers in one list are alternatives', () => {
    expectMatches({ a: ['x', { prefix: 'y' }, 5, { numeric: ['>', 100] }, null] }, [
      [{ a: 'x' }, true], [{ a: 'yes' }, true], [{ a: 5 }, true], [{ a: 101 }, true], [{ a: null }, true],
      [{ a: 'z' }, false], [{ a: 50 }, false], [{ a: false }, false],
    ]);
  });

  test('operator names are ordinary field names outside $or', () => {
    expectMatches({ detail: { prefix: ['p'], numeric: [1] } }, [[{ detail: { prefix: 'p', numeric: 1 } }, true], [{ detail: { prefix: 'q', numeric: 1 } }, false]]);
  });
});

describe('arrays of objects', () => {
  const employees = [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ];

  test('a field inside an array of objects matches through any element', () => {
    expectMatches({ employees: { firstName: ['Anna'] } }, [[{ employees }, true], [{ employees: [[employees[0], employees[1]], [employees[2]]] }, true]]);
  });

  test('all fields of an alternative must be satisfied by the same element', () => {
    expectMatches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, [[{ employees }, true]]);
    expectMatches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, [[{ employees }, false]]);
  });

  test('nested arrays: each level is pinned to one element', () => {
    const event = { a: [{ b: [{ c: 1, d: 2 }, { c: 3, d: 4 }], e: 'x' }, { b: [{ c: 1, d: 4 }], e: 'y' }] };
    expectMatches({ a: { b: { c: [1], d: [4] }, e: ['y'] } }, [[event, true]]);
    expectMatches({ a: { b: { c: [3], d: [4] }, e: ['y'] } }, [[event, false]]);
    expectMatches({ a: { b: { c: [1], d: [2] }, e: ['x'] } }, [[event, true]]);
  });

  test('exists false with no earlier-sorted field under the array means "in no element"', () => {
    expectMatches({ a: { b: [{ exists: false }] } }, [
      [{ a: [{ b: 1 }, { c: 2 }] }, false],
      [{ a: [{ c: 1 }, { c: 2 }] }, true],
      [{ a: [] }, true],
    ]);
    // "a.b" sorts before "a.c", so the absence of b is checked before c picks an element.
    expectMatches({ a: { b: [{ exists: false }], c: [2] } }, [
      [{ a: [{ b: 1 }, { c: 2 }] }, false],
      [{ a: [{ c: 1 }, { c: 2 }] }, true],
    ]);
  });

  test('exists false after an earlier-sorted field is checked in that field\'s element', () => {
    // "a.c" sorts before "a.x": c picks the element, then x must be absent from it.
    expectMatches({ a: { x: [{ exists: false }], c: [2] } }, [
      [{ a: [{ x: 1 }, { c: 2 }] }, true],
      [{ a: [{ x: 1, c: 2 }] }, false],
      [{ a: [{ x: 1, c: 2 }, { c: 2 }] }, true],
    ]);
  });
});
