/**
 * The matcher on attacker-controlled strings (issue 15, item 3). Wildcards used to compile to `[\s\S]*` regexes that
 * backtracked catastrophically; they are now matched greedily without backtracking. Proven here:
 * - equivalence with the old regex implementation on random small inputs (fixed seed);
 * - linear work on the pathological cases, by a work counter (characters scanned) and its scaling with the input,
 *   never by wall time (project rule: no timed tests; timings belong in bench/);
 * - the other operators that see untrusted strings (suffix with equals-ignore-case, prefix, anything-but, cidr,
 *   numeric, exists, $or) against the old behaviour or a bound on their work;
 * - the catalogue's own wildcards on hostile role ARNs and Lambda function names, through the Simulator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePattern } from '../../lib/detection/matcher';
import { globMatch, wildcardWork } from '../../lib/detection/matcher-values';
import { detectionContext } from '../../lib/detection/context';
import { Simulator } from '../../lib/detection/simulate';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { loadConfigFile } from '../../lib/config/load';
import { EXAMPLE_CONFIG } from '../helpers/config';

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the previous implementation, kept here as the oracle (this project's own earlier code) ----
const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
function oldWildcard(pattern: string): (v: string) => boolean {
  const literals: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') { current += pattern[i + 1]; i++; } else if (ch === '*') { literals.push(current); current = ''; } else current += ch;
  }
  literals.push(current);
  if (literals.length === 1) return (v) => v === literals[0];
  const re = new RegExp(`^${literals.map(escapeRegExp).join('[\\s\\S]*')}$`);
  return (v) => re.test(v);
}
function caseFoldSource(text: string): string {
  let out = '';
  for (const unit of text.split('')) {
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    out += lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  }
  return out;
}
// ---------------------------------------------------------------------------------------------------

const wildcard = (p: string) => compilePattern({ x: [{ wildcard: p }] });

/** A random valid wildcard pattern: letters, `*` (never two in a row), `\*` and `\\`. */
function randomPattern(rand: () => number): string {
  const len = Math.floor(rand() * 7);
  let p = '';
  for (let i = 0; i < len; i++) {
    const r = rand();
    if (r < 0.3 && !p.endsWith('*')) p += '*';
    else if (r < 0.38) p += '\\*';
    else if (r < 0.43) p += '\\\\';
    else p += 'ab\n'[Math.floor(rand() * 3)]!;
  }
  // "**" is refused; a pattern ending in an escaped star followed by "*" is fine.
  return p.replace(/(?<!\\)\*\*/g, '*');
}
const randomValue = (rand: () => number) => Array.from({ length: Math.floor(rand() * 9) }, () => 'ab*\\\n'[Math.floor(rand() * 5)]).join('');

describe('wildcard: same answers as the old regex implementation', () => {
  it('property: 20,000 random patterns x values (fixed seed)', () => {
    const rand = prng(3);
    let compared = 0;
    let matched = 0;
    for (let i = 0; i < 4000; i++) {
      const p = randomPattern(rand);
      let rule;
      try { rule = wildcard(p); } catch { continue; } // patterns the engine refuses are refused by both
      const old = oldWildcard(p);
      for (let j = 0; j < 5; j++) {
        const v = randomValue(rand);
        const want = old(v);
        assert.equal(rule.matches({ x: v }), want, `wildcard ${JSON.stringify(p)} vs ${JSON.stringify(v)}`);
        compared++;
        if (want) matched++;
      }
    }
    assert.ok(compared > 15_000 && matched > 1000, `compared ${compared}, matched ${matched}: the generator must exercise both answers`);
  });
  it('escapes: \\* is a literal star, \\\\ a literal backslash', () => {
    assert.equal(wildcard('a\\*b').matches({ x: 'a*b' }), true);
    assert.equal(wildcard('a\\*b').matches({ x: 'axb' }), false);
    assert.equal(wildcard('a\\\\*').matches({ x: 'a\\zzz' }), true);
    assert.equal(wildcard('*\\**').matches({ x: 'no star' }), false);
  });
  it('prefix and suffix pieces may not overlap', () => {
    assert.deepEqual([globMatch(['ab', 'ba'], 'aba'), globMatch(['ab', 'ba'], 'abba'), globMatch(['a', 'a', 'a'], 'aa'), globMatch(['a', 'a', 'a'], 'aaa')], [false, true, false, true]);
  });
});

describe('wildcard: linear work on pathological input (work counter, not wall time)', () => {
  const work = (p: string, v: string) => {
    const rule = wildcard(p);
    wildcardWork.chars = 0;
    const m = rule.matches({ x: v });
    return { m, chars: wildcardWork.chars };
  };
  it('"*a*a*a*a*a*a*a*a*b" against "a" x n: at most n characters scanned, and linear in n', () => {
    const p = '*a*a*a*a*a*a*a*a*b';
    const results = [100, 1_000, 10_000, 100_000].map((n) => ({ n, ...work(p, 'a'.repeat(n)) }));
    for (const r of results) {
      assert.equal(r.m, false);
      assert.ok(r.chars <= r.n + p.length, `n=${r.n}: ${r.chars} characters scanned`);
    }
  });
  it('the worst placement for a greedy match (pieces found early, the suffix only at the end) is still one pass', () => {
    const p = '*a*ab*abc*abcd*abcde';
    for (const n of [1_000, 10_000, 100_000]) {
      const v = `${'ab'.repeat(n / 2)}abcabcdabcde`;
      const r = work(p, v);
      assert.equal(r.m, true);
      assert.ok(r.chars <= 2 * v.length + p.length, `n=${n}: ${r.chars}`);
    }
    const small = work(p, `${'ab'.repeat(5_000)}x`).chars;
    const large = work(p, `${'ab'.repeat(50_000)}x`).chars;
    assert.ok(large <= 10 * small + 100, `10x the input cost ${large / Math.max(small, 1)}x the work`);
  });
});

describe('the other operators on long attacker strings', () => {
  it('suffix + equals-ignore-case: same answers as the old regex, on random small inputs (fixed seed)', () => {
    const rand = prng(7);
    const alphabet = 'aAbBß̇İsS';
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const old = new RegExp(`${caseFoldSource(text)}$`);
      const rule = compilePattern({ x: [{ suffix: { 'equals-ignore-case': text } }] });
      for (let j = 0; j < 5; j++) {
        const v = Array.from({ length: Math.floor(rand() * 8) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
        assert.equal(rule.matches({ x: v }), old.test(v), `suffix eic ${JSON.stringify(text)} vs ${JSON.stringify(v)}`);
      }
    }
  });
  it('every operator answers a 1,000,000-character value (the run finishing is the assertion; no timing)', () => {
    const long = `${'a'.repeat(999_990)}SuFfIx.1`;
    const patterns: Array<[unknown, boolean]> = [
      [{ prefix: { 'equals-ignore-case': 'AAAA' } }, true],
      [{ suffix: { 'equals-ignore-case': 'suffix.1' } }, true],
      [{ 'equals-ignore-case': 'a' }, false],
      [{ 'anything-but': { wildcard: ['*a*a*a*a*b', '*b*'] } }, true],
      [{ 'anything-but': { suffix: 'x.1' } }, false],
      [{ 'anything-but': { 'equals-ignore-case': ['A'] } }, true],
      [{ cidr: '10.0.0.0/8' }, false],
      [{ numeric: ['>', 0] }, false],
      [{ exists: true }, true],
      ['10.0.0.1', false],
    ];
    for (const [m, want] of patterns) {
      assert.equal(compilePattern({ x: [m] }).matches({ x: long }), want, JSON.stringify(m));
      assert.equal(compilePattern({ $or: [{ x: [m] }, { y: [m] }] }).matches({ x: long, y: long }), want, `$or ${JSON.stringify(m)}`);
    }
  });
});

describe("the catalogue's own wildcards against hostile events (simulate)", () => {
  const sim = new Simulator(detectionContext(loadConfigFile(EXAMPLE_CONFIG).config));
  const lambdaCall = (functionName: string) => toEventBridgeEvent({
    eventVersion: '1.09', eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionConfiguration20150331v2', awsRegion: 'us-east-1',
    recipientAccountId: '222222222222', eventTime: '2026-11-23T04:12:09Z', userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::222222222222:user/x' },
    requestParameters: { functionName },
  });
  it('a 128 kB Lambda function name costs work linear in its length', () => {
    const cost = (n: number) => {
      const name = `arn:aws:lambda:us-east-1:222222222222:function:${':lambda:'.repeat(n)}`;
      const c = lambdaCall(name);
      assert.ok(!('error' in c));
      wildcardWork.chars = 0;
      sim.evaluate(c.event);
      return { chars: wildcardWork.chars, length: name.length };
    };
    const small = cost(1_600);
    const large = cost(16_000); // about 128 kB
    assert.ok(large.chars >= large.length / 2, `the catalogue's wildcard must have been tried (${large.chars} characters scanned)`);
    assert.ok(large.chars <= 2 * large.length + 200, `${large.chars} characters scanned for a ${large.length}-character name`);
    assert.ok(large.chars <= 11 * small.chars + 200, `10x the name cost ${large.chars / small.chars}x the work`);
  });
  it('a hostile assumed-role ARN and role ARN cost work linear in their length', () => {
    for (const n of [10_000, 100_000]) {
      const arn = `arn:aws:sts::${'1'.repeat(12)}:assumed-role/${'/'.repeat(n)}`;
      const c = toEventBridgeEvent({
        eventVersion: '1.09', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: 'us-east-1', recipientAccountId: '333333333333',
        eventTime: '2026-11-23T04:12:09Z', userIdentity: { type: 'AssumedRole', arn }, requestParameters: { roleArn: `arn:aws:iam::${'*'.repeat(n)}:role/BreakGlassRole` },
      });
      assert.ok(!('error' in c));
      wildcardWork.chars = 0;
      sim.evaluate(c.event);
      assert.ok(wildcardWork.chars > 0, 'the catalogue\'s wildcards must have been tried');
      assert.ok(wildcardWork.chars <= 4 * (arn.length + n) + 500, `n=${n}: ${wildcardWork.chars}`);
    }
  });
});
