/**
 * Leaf matching for event patterns: turns one pattern array (`["a", {"prefix": "b"}, ...]`) into a test on a single
 * JSON leaf value (string, number, boolean or null), validating it the way EventBridge's rule compiler does.
 *
 * Semantics follow the EventBridge user guide ("Comparison operators for use in event patterns",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html) and, where the guide is
 * silent, the engine it runs (aws/event-ruler). The non-obvious ones:
 * - Exact numbers compare as numbers (300 matches 300.0 and 3e2); a number never equals a string ("300" ≠ 300).
 * - prefix, suffix, equals-ignore-case, wildcard and cidr only ever match strings.
 * - anything-but matches every present leaf that is not excluded, whatever its type: `{"anything-but": "x"}` matches
 *   5, true and null; `{"anything-but": [100]}` matches "100"; `{"anything-but": {"prefix": "a"}}` matches 5. The
 *   engine assumes an anything-but matched unless the value provably hit an excluded value of the same kind.
 * - equals-ignore-case folds one UTF-16 unit at a time: each pattern character matches its lower- or upper-case form
 *   (the engine's EqualsIgnoreCaseParser), so "ß" matches "SS" and "ß" but not "ss".
 */
import { describe, PatternError, type PathSegment } from './matcher-error';
import { inRange, ipHex, parseCidr } from './matcher-ip';

export type Leaf = string | number | boolean | null;
export type ValueTest = (value: Leaf) => boolean;

/** One pattern array: `absent` when it lists `{"exists": false}`, `test` for everything else it lists (OR-ed). */
export interface LeafSpec {
  readonly absent: boolean;
  readonly test: ValueTest | undefined;
}

export const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'];
const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];
const LOWER_BOUND = new Set(['>', '>=']);
const UPPER_BOUND = new Set(['<', '<=']);
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (s: string) => JSON.stringify(s);

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Regex source matching `text` with each UTF-16 unit in either its lower- or upper-case form. */
function caseFoldSource(text: string): string {
  let out = '';
  for (const unit of text.split('')) {
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    out += lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  }
  return out;
}

/**
 * suffix + equals-ignore-case. The regex `(?:x|X)…$` unanchored at the start would be tried at every position of the
 * value (quadratic in the worst case); a case-folded form has a known range of lengths, so only the few start
 * positions that can end exactly at the end of the value are tried, each anchored (sticky).
 */
function caseFoldSuffixTest(text: string): ValueTest {
  const re = new RegExp(`(?:${caseFoldSource(text)})$`, 'y');
  let min = 0;
  let max = 0;
  for (const unit of text.split('')) {
    const a = unit.toLowerCase().length;
    const b = unit.toUpperCase().length;
    min += Math.min(a, b);
    max += Math.max(a, b);
  }
  return (v) => {
    if (typeof v !== 'string') return false;
    for (let p = Math.max(0, v.length - max); p <= v.length - min; p++) {
      re.lastIndex = p;
      if (re.test(v)) return true;
    }
    return false;
  };
}

/** Only for sources anchored at the start (^…): each is tried once, at position 0, so the work is linear. */
function regexTest(source: string): ValueTest {
  const re = new RegExp(source);
  return (v) => typeof v === 'string' && re.test(v);
}

function onlyKey(obj: Record<string, unknown>, path: readonly PathSegment[], what: string): [string, unknown] {
  const keys = Object.keys(obj);
  if (keys.length !== 1) {
    const got = keys.length === 0 ? 'none' : `${keys.length} (${keys.map(quote).join(', ')})`;
    throw new PatternError(path, `${what} must have exactly one key, got ${got}`);
  }
  return [keys[0]!, obj[keys[0]!]];
}

function requireString(v: unknown, path: readonly PathSegment[], what: string): string {
  if (typeof v !== 'string') throw new PatternError(path, `${what} must be a string, got ${describe(v)}`);
  return v;
}

/** A non-empty array of strings, or a single string as a one-element list. */
function stringList(v: unknown, path: readonly PathSegment[], what: string): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw new PatternError(path, `${what} must be a string or an array of strings, got ${describe(v)}`);
  if (v.length === 0) throw new PatternError(path, `${what} must not be an empty array`);
  return v.map((item, i) => requireString(item, [...path, i], what));
}

/**
 * `*` matches any run of characters (including none); `\*` is a literal star and `\\` a literal backslash. The
 * engine refuses consecutive stars and any other use of the backslash, so do we.
 */
function wildcardTest(pattern: string, path: readonly PathSegment[]): ValueTest {
  const literals: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new PatternError(path, `wildcard ${quote(pattern)}: a backslash may only escape "*" or "\\" (position ${i + 1})`);
      }
      current += next;
      i++;
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') {
        throw new PatternError(path, `wildcard ${quote(pattern)}: consecutive wildcard characters at position ${i + 1}`);
      }
      literals.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  literals.push(current);
  if (literals.length === 1) {
    const exact = literals[0]!;
    return (v) => v === exact;
  }
  return (v) => typeof v === 'string' && globMatch(literals, v);
}

/**
 * Work done by globMatch, for tests: characters of the value scanned, summed over calls. Each call scans the value at
 * most once from left to right (plus the prefix and suffix), so this grows linearly with the value's length.
 */
export const wildcardWork = { chars: 0 };

/**
 * Does `value` match the literal pieces of a wildcard (the text between its stars), in order? Greedy and without
 * backtracking: the first piece must start the value and the last one end it; every piece between is taken at its
 * leftmost occurrence after the previous one. With `*` as the only wildcard that is exact (taking a piece any later
 * could only leave less room for the rest), and the value is scanned once: linear in its length, whatever the
 * pattern. The regex this replaces (`^a[\s\S]*b[\s\S]*c$`) backtracked: `*a*a*a*a*a*a*a*a*b` against 100 "a" ran for
 * minutes.
 */
export function globMatch(pieces: readonly string[], value: string): boolean {
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const end = value.length - last.length;
  if (end < first.length) return false;
  wildcardWork.chars += first.length + last.length;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  for (let j = 1; j < pieces.length - 1; j++) {
    const piece = pieces[j]!;
    const at = value.indexOf(piece, pos);
    wildcardWork.chars += (at < 0 ? value.length : at + piece.length) - pos;
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

function affixTest(kind: 'prefix' | 'suffix', operand: unknown, path: readonly PathSegment[]): ValueTest {
  if (typeof operand === 'string') {
    return kind === 'prefix'
      ? (v) => typeof v === 'string' && v.startsWith(operand)
      : (v) => typeof v === 'string' && v.endsWith(operand);
  }
  if (isObject(operand)) {
    const [inner, text] = onlyKey(operand, [...path, kind], `"${kind}" with an object`);
    if (inner !== 'equals-ignore-case') {
      throw new PatternError([...path, kind], `"${kind}" only accepts a string or {"equals-ignore-case": string}, got ${quote(inner)}`);
    }
    const folded = requireString(text, [...path, kind, inner], 'equals-ignore-case');
    return kind === 'prefix' ? regexTest(`^${caseFoldSource(folded)}`) : caseFoldSuffixTest(folded);
  }
  throw new PatternError([...path, kind], `"${kind}" must be a string or {"equals-ignore-case": string}, got ${describe(operand)}`);
}

function numericTest(operand: unknown, path: readonly PathSegment[]): ValueTest {
  const grammar = 'expected [operator, number] or [">" or ">=", number, "<" or "<=", number]';
  if (!Array.isArray(operand)) throw new PatternError(path, `"numeric" must be an array, got ${describe(operand)}; ${grammar}`);
  if (operand.length !== 2 && operand.length !== 4) {
    throw new PatternError(path, `"numeric" has ${operand.length} elements; ${grammar}`);
  }
  const [op1, n1, op2, n2] = operand as unknown[];
  if (typeof op1 !== 'string' || !NUMERIC_OPERATORS.includes(op1)) {
    throw new PatternError([...path, 0], `unknown numeric operator ${JSON.stringify(op1)}; expected one of ${NUMERIC_OPERATORS.join(' ')}`);
  }
  if (typeof n1 !== 'number' || !Number.isFinite(n1)) {
    throw new PatternError([...path, 1], `the value after "${op1}" must be a number, got ${describe(n1)}`);
  }
  if (operand.length === 2) {
    switch (op1) {
      case '=': return (v) => v === n1;
      case '<': return (v) => typeof v === 'number' && v < n1;
      case '<=': return (v) => typeof v === 'number' && v <= n1;
      case '>': return (v) => typeof v === 'number' && v > n1;
      default: return (v) => typeof v === 'number' && v >= n1;
    }
  }
  if (!LOWER_BOUND.has(op1)) throw new PatternError([...path, 0], `a range must start with ">" or ">=", got "${op1}"; ${grammar}`);
  if (typeof op2 !== 'string' || !UPPER_BOUND.has(op2)) {
    throw new PatternError([...path, 2], `a range must end with "<" or "<=", got ${JSON.stringify(op2)}; ${grammar}`);
  }
  if (typeof n2 !== 'number' || !Number.isFinite(n2)) {
    throw new PatternError([...path, 3], `the value after "${op2}" must be a number, got ${describe(n2)}`);
  }
  if (n1 >= n2) throw new PatternError(path, `empty range: the lower bound ${n1} must be less than the upper bound ${n2}`);
  const lowOpen = op1 === '>';
  const highOpen = op2 === '<';
  return (v) => typeof v === 'number' && (lowOpen ? v > n1 : v >= n1) && (highOpen ? v < n2 : v <= n2);
}

function anythingButTest(operand: unknown, path: readonly PathSegment[]): ValueTest {
  const at = [...path, 'anything-but'];
  if (typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand))) {
    return (v) => v !== operand;
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new PatternError(at, 'an anything-but list must not be empty');
    const kinds = new Set(operand.map((item, i) => {
      if (typeof item === 'string') return 'string';
      if (typeof item === 'number' && Number.isFinite(item)) return 'number';
      throw new PatternError([...at, i], `an anything-but list may only hold strings or numbers, got ${describe(item)}`);
    }));
    if (kinds.size > 1) throw new PatternError(at, 'an anything-but list must hold only strings or only numbers, not both');
    const excluded = new Set<Leaf>(operand as Leaf[]);
    return (v) => !excluded.has(v);
  }
  if (isObject(operand)) {
    const [inner, innerOperand] = onlyKey(operand, at, 'an anything-but object');
    if (!ANYTHING_BUT_OPERATORS.includes(inner)) {
      const why = inner === 'anything-but' ? 'anything-but cannot be nested' : `unsupported anything-but matcher ${quote(inner)}`;
      throw new PatternError(at, `${why}; expected one of ${ANYTHING_BUT_OPERATORS.join(', ')}`);
    }
    const innerPath = [...at, inner];
    const texts = stringList(innerOperand, innerPath, `anything-but "${inner}"`);
    let tests: ValueTest[];
    if (inner === 'prefix' || inner === 'suffix') {
      if (texts.includes('')) throw new PatternError(innerPath, `anything-but "${inner}" must not be empty (it would exclude every string)`);
      tests = texts.map((t) => affixTest(inner, t, at));
    } else if (inner === 'equals-ignore-case') {
      tests = texts.map((t) => regexTest(`^${caseFoldSource(t)}$`));
    } else {
      tests = texts.map((t) => wildcardTest(t, innerPath));
    }
    // Only a string can hit an excluded prefix/suffix/casing/wildcard; every other leaf passes.
    return (v) => {
      if (typeof v !== 'string') return true;
      for (const t of tests) if (t(v)) return false;
      return true;
    };
  }
  throw new PatternError(at, `anything-but takes a string, a number, a list of either, or an object with one of ${ANYTHING_BUT_OPERATORS.join(', ')}; got ${describe(operand)}`);
}

interface Collected {
  strings: Set<string>;
  numbers: Set<number>;
  literals: Set<Leaf>;
  tests: ValueTest[];
  absent: boolean;
  anyLeaf: boolean;
}

function collectMatcher(obj: Record<string, unknown>, path: readonly PathSegment[], into: Collected): void {
  const [op, operand] = onlyKey(obj, path, 'a matcher object');
  const at = [...path, op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      into.tests.push(affixTest(op, operand, path));
      return;
    case 'equals-ignore-case':
      into.tests.push(regexTest(`^${caseFoldSource(requireString(operand, at, '"equals-ignore-case"'))}$`));
      return;
    case 'wildcard':
      into.tests.push(wildcardTest(requireString(operand, at, '"wildcard"'), at));
      return;
    case 'anything-but':
      into.tests.push(anythingButTest(operand, path));
      return;
    case 'numeric':
      into.tests.push(numericTest(operand, at));
      return;
    case 'cidr': {
      const range = parseCidr(requireString(operand, at, '"cidr"'), at);
      into.tests.push((v) => inRange(range, v));
      return;
    }
    case 'exists':
      if (typeof operand !== 'boolean') throw new PatternError(at, `"exists" must be true or false, got ${describe(operand)}`);
      if (operand) into.anyLeaf = true;
      else into.absent = true;
      return;
    default:
      throw new PatternError(path, `unknown matcher ${quote(op)}; expected one of ${OPERATORS.join(', ')}`);
  }
}

/** Compiles one pattern array. `path` points at the array; errors name the offending element. */
export function compileLeaf(values: unknown, path: readonly PathSegment[]): LeafSpec {
  if (!Array.isArray(values)) {
    throw new PatternError(path, `expected an array of values or matchers, got ${describe(values)}`);
  }
  if (values.length === 0) throw new PatternError(path, 'empty arrays are not allowed (an empty list matches nothing)');
  const c: Collected = { strings: new Set(), numbers: new Set(), literals: new Set(), tests: [], absent: false, anyLeaf: false };
  values.forEach((value, i) => {
    const at = [...path, i];
    if (typeof value === 'string') {
      const hex = ipHex(value);
      if (hex === undefined) c.strings.add(value);
      else c.tests.push((v) => v === value || (typeof v === 'string' && ipHex(v) === hex));
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new PatternError(at, `numbers must be finite, got ${value}`);
      c.numbers.add(value);
    } else if (typeof value === 'boolean' || value === null) {
      c.literals.add(value);
    } else if (isObject(value)) {
      collectMatcher(value, at, c);
    } else {
      throw new PatternError(at, `a match value must be a string, number, boolean, null or a matcher object, got ${describe(value)}`);
    }
  });
  return { absent: c.absent, test: combine(c) };
}

function combine(c: Collected): ValueTest | undefined {
  if (c.anyLeaf) return () => true;
  const { strings, numbers, literals, tests } = c;
  const parts: ValueTest[] = [];
  if (strings.size === 1) {
    const only = strings.values().next().value as string;
    parts.push((v) => v === only);
  } else if (strings.size > 1) {
    parts.push((v) => typeof v === 'string' && strings.has(v));
  }
  if (numbers.size > 0) parts.push((v) => typeof v === 'number' && numbers.has(v));
  if (literals.size > 0) parts.push((v) => (v === null || typeof v === 'boolean') && literals.has(v));
  parts.push(...tests);
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [a, b] = parts as [ValueTest, ValueTest];
    return (v) => a(v) || b(v);
  }
  return (v) => {
    for (const p of parts) if (p(v)) return true;
    return false;
  };
}
