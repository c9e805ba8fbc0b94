/**
 * Amazon EventBridge event-pattern matching, offline: `compilePattern(pattern).matches(event)` gives the answer
 * EventBridge would give for a rule with that pattern. No aws-cdk-lib or AWS SDK: this is on the start-up path of the
 * offline commands and is run over millions of events, so the pattern is validated and compiled once into closures.
 *
 * Sources: EventBridge user guide, "Event patterns" and "Comparison operators"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html), and where they are silent
 * the engine EventBridge runs (github.com/aws/event-ruler, read for behaviour only). Decisions are in docs/matcher.md.
 *
 * How a pattern is evaluated, and why:
 * 1. `$or` is multiplied out into alternatives, each a flat list of (field path, allowed values); the event matches
 *    when one alternative does. The engine does the same, and it matters with arrays: in
 *    `{"a": {"d": [3]}, "$or": [{"a": {"b": [1]}}, {"a": {"c": [2]}}]}` the `d` and the `b` (or `c`) must come from
 *    the same element of an array `a`, which evaluating `$or` apart from its siblings would miss.
 * 2. Arrays of objects: every field of an alternative that lies inside the same array must be satisfied by the SAME
 *    element. The guide only says an array field matches when "the intersection ... is non-empty"; the engine's
 *    JSON matcher is explicitly array-consistent ("will refuse to recognize any match in which any two fields are
 *    within JSON objects that are in different elements of the same array", event-ruler README). We follow the
 *    engine: `{"a": {"b": ["x"], "c": ["y"]}}` does not match `{"a": [{"b": "x"}, {"c": "y"}]}`.
 * 3. `{"exists": false}` inside an array: the engine checks absence against the array elements already chosen by
 *    the alternative's fields that sort (as dotted paths) before the absent one, and against the whole array
 *    otherwise. So `{"a": {"b": [{"exists": false}]}}` means "no element of `a` has `b`", while
 *    `{"a": {"x": [{"exists": false}], "c": [1]}}` means "some element has c = 1 and no x" (a.c sorts before a.x).
 *    We reproduce that order rule rather than pick a tidier one, so the answer is the one EventBridge gives.
 * 4. `exists`, and every other matcher, looks at leaves: strings, numbers, booleans and null, alone or in arrays. An
 *    object, an empty array or an empty object is not a leaf, so `{"exists": true}` does not match it and
 *    `{"exists": false}` does (the guide's own example: a `c-count` that is an object is "not a leaf node").
 */
import { describe, PatternError, type PathSegment } from './matcher-error';
import { compileLeaf, OPERATORS, type Leaf, type LeafSpec, type ValueTest } from './matcher-values';

export { PatternError } from './matcher-error';

export interface CompiledPattern {
  matches(event: unknown): boolean;
}

/** Upper bound on alternatives after multiplying out `$or`, so a pathological pattern fails fast instead of eating memory. */
export const MAX_ALTERNATIVES = 1024;

/** Matcher names the engine refuses as field names inside `$or` (it could not tell a field from a matcher). */
const RESERVED_IN_OR = new Set([
  ...OPERATORS, 'exactly', '=', '<', '<=', '>', '>=',
  'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after', 'date-on-or-after', 'date-before',
  'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------------------
// 1. Validation into a tree of fields and $or groups.

interface ObjectNode {
  readonly fields: ReadonlyArray<{ readonly key: string; readonly node: ObjectNode | LeafSpec }>;
  readonly ors: ReadonlyArray<ReadonlyArray<ObjectNode>>;
}
const isLeafSpec = (n: ObjectNode | LeafSpec): n is LeafSpec => 'absent' in n;

function parseObject(obj: Json, path: readonly PathSegment[], insideOr: boolean): ObjectNode {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new PatternError(path, 'empty objects are not allowed');
  const fields: Array<{ key: string; node: ObjectNode | LeafSpec }> = [];
  const ors: ObjectNode[][] = [];
  for (const key of keys) {
    const value = obj[key];
    const at = [...path, key];
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        throw new PatternError(at, `"$or" must be an array of at least 2 objects, got ${describeOr(value)}`);
      }
      ors.push(value.map((alt, i) => parseObject(alt as Json, [...at, i], true)));
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new PatternError(at, `${JSON.stringify(key)} is a matcher name and cannot be used as a field name inside "$or"`);
    }
    if (isObject(value)) fields.push({ key, node: parseObject(value, at, insideOr) });
    else fields.push({ key, node: compileLeaf(value, at) });
  }
  return { fields, ors };
}

function describeOr(value: unknown): string {
  if (!Array.isArray(value)) return describe(value);
  const odd = value.findIndex((v) => !isObject(v));
  if (odd !== -1) return `${describe(value[odd])} at position ${odd}`;
  return `${value.length} object${value.length === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Alternatives: $or multiplied out; a value list mixing {"exists": false} with other values split in two, because
//    the two halves behave differently inside arrays (only the second picks an element).

interface Constraint {
  readonly path: readonly string[];
  readonly absent: boolean;
  readonly test: ValueTest | undefined;
}
type Alternative = readonly Constraint[];

function product(a: readonly Alternative[], b: readonly Alternative[]): Alternative[] {
  if (a.length * b.length > MAX_ALTERNATIVES) {
    throw new PatternError([], `too complex: more than ${MAX_ALTERNATIVES} alternatives once "$or" (and every list mixing {"exists": false} with other values) is multiplied out`);
  }
  const out: Alternative[] = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  return out;
}

function alternatives(node: ObjectNode, prefix: readonly string[]): Alternative[] {
  let result: Alternative[] = [[]];
  for (const { key, node: child } of node.fields) {
    const path = [...prefix, key];
    if (isLeafSpec(child)) {
      const options: Constraint[] = child.absent && child.test !== undefined
        ? [{ path, absent: true, test: undefined }, { path, absent: false, test: child.test }]
        : [{ path, absent: child.absent, test: child.test }];
      result = product(result, options.map((c) => [c]));
    } else {
      result = product(result, alternatives(child, path));
    }
  }
  for (const group of node.ors) {
    const union: Alternative[] = [];
    for (const alt of group) union.push(...alternatives(alt, prefix));
    result = product(result, union);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Each alternative becomes a tree of closures over the event.

interface LeafEntry {
  /** Position of the dotted path among the alternative's paths: the engine's evaluation order. */
  readonly rank: number;
  readonly absent: boolean;
  readonly test: ValueTest | undefined;
  readonly path: readonly string[];
}

interface TrieNode {
  readonly key: string;
  readonly depth: number;
  leaf: LeafEntry | undefined;
  readonly children: Map<string, TrieNode>;
  /** Every leaf in this subtree, this node's own included. */
  readonly leaves: LeafEntry[];
  /** Lowest rank of a non-absent leaf in this subtree; Infinity when there is none. */
  minPositiveRank: number;
}

type Check = (value: unknown) => boolean;

const isLeafValue = (v: unknown): v is Leaf =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function containsLeaf(v: unknown): boolean {
  if (isLeafValue(v)) return true;
  if (Array.isArray(v)) for (const x of v) if (containsLeaf(x)) return true;
  return false;
}

/** Reads an own field only, so a pattern naming "constructor" or "toString" does not see Object.prototype. */
function fieldReader(key: string): (obj: Json) => unknown {
  if (!(key in Object.prototype)) return (obj) => obj[key];
  return (obj) => (Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined);
}

function someElement(arr: readonly unknown[], check: Check): boolean {
  for (const x of arr) if (Array.isArray(x) ? someElement(x, check) : check(x)) return true;
  return false;
}

function buildTrie(alt: Alternative): TrieNode {
  const seen = new Map<string, Constraint>();
  for (const c of alt) {
    const dotted = c.path.join('.');
    if (seen.has(dotted)) {
      throw new PatternError(c.path, `this field is constrained twice in one alternative (e.g. inside and outside "$or", or as "a.b" and {"a": {"b"}}); EventBridge treats both as the same field, so merge them into one list`);
    }
    seen.set(dotted, c);
  }
  const order = [...seen.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const newNode = (key: string, depth: number): TrieNode =>
    ({ key, depth, leaf: undefined, children: new Map(), leaves: [], minPositiveRank: Infinity });
  const root = newNode('', 0);
  order.forEach((dotted, rank) => {
    const c = seen.get(dotted)!;
    const leaf: LeafEntry = { rank, absent: c.absent, test: c.test, path: c.path };
    let node = root;
    const visit = (n: TrieNode) => {
      n.leaves.push(leaf);
      if (!leaf.absent) n.minPositiveRank = Math.min(n.minPositiveRank, rank);
    };
    visit(node);
    for (const seg of c.path) {
      let next = node.children.get(seg);
      if (next === undefined) node.children.set(seg, (next = newNode(seg, node.depth + 1)));
      node = next;
      visit(node);
    }
    node.leaf = leaf;
  });
  return root;
}

/** True when nothing at `rel` below `value` is a leaf, looking through every array on the way. */
function compileNoOccurrence(rel: readonly string[]): Check {
  if (rel.length === 0) return (v) => !containsLeaf(v);
  const read = fieldReader(rel[0]!);
  const rest = compileNoOccurrence(rel.slice(1));
  const check: Check = (v) => {
    if (Array.isArray(v)) {
      for (const x of v) if (!check(x)) return false;
      return true;
    }
    return isObject(v) ? rest(read(v)) : true;
  };
  return check;
}

const hasActive = (node: TrieNode, excluded: ReadonlySet<number>) => node.leaves.some((l) => !excluded.has(l.rank));

/**
 * Compiling a node needs one closure per set of already-checked absences, and a node is compiled both for a single
 * value and for array elements; without sharing, deep patterns would compile 2^depth closures. Only the excluded
 * leaves below the node matter, and there are at most depth+1 distinct such sets, so memoise on them.
 */
function memoised(build: (node: TrieNode, excluded: ReadonlySet<number>) => Check) {
  const cache = new WeakMap<TrieNode, Map<string, Check>>();
  return (node: TrieNode, excluded: ReadonlySet<number>): Check => {
    const key = node.leaves.filter((l) => excluded.has(l.rank)).map((l) => l.rank).join(',');
    let byKey = cache.get(node);
    if (byKey === undefined) cache.set(node, (byKey = new Map()));
    let check = byKey.get(key);
    if (check === undefined) byKey.set(key, (check = build(node, excluded)));
    return check;
  };
}

/**
 * The value at `node`'s path. When it is an array, absent leaves that no earlier-ranked field below this node pins
 * to an element are checked across the whole array; the rest must all hold in one element.
 */
const compileNode = memoised((node, excluded) => {
  const active = node.leaves.filter((l) => !excluded.has(l.rank));
  const unpinned = active.filter((l) => l.absent && l.rank < node.minPositiveRank);
  const wholeArray = unpinned.map((l) => compileNoOccurrence(l.path.slice(node.depth)));
  const inElement = new Set([...excluded, ...unpinned.map((l) => l.rank)]);
  const perElement = active.length > unpinned.length ? compileElement(node, inElement) : undefined;
  const single = compileElement(node, excluded);
  return (v) => {
    if (!Array.isArray(v)) return single(v);
    for (const check of wholeArray) if (!check(v)) return false;
    return perElement === undefined || someElement(v, perElement);
  };
});

/** One non-array value at `node`'s path: the node's own leaf, then each child field. */
const compileElement = memoised((node, excluded) => {
  const own = node.leaf !== undefined && !excluded.has(node.leaf.rank) ? node.leaf : undefined;
  let ownCheck: Check | undefined;
  if (own !== undefined) {
    const test = own.test;
    ownCheck = own.absent || test === undefined ? (e) => !isLeafValue(e) : (e) => isLeafValue(e) && test(e);
  }
  const kids: Array<{ read: (obj: Json) => unknown; check: Check }> = [];
  for (const child of node.children.values()) {
    if (hasActive(child, excluded)) kids.push({ read: fieldReader(child.key), check: compileNode(child, excluded) });
  }
  return (e) => {
    if (ownCheck !== undefined && !ownCheck(e)) return false;
    if (kids.length === 0) return true;
    const obj = isObject(e) ? e : undefined;
    for (const kid of kids) if (!kid.check(obj === undefined ? undefined : kid.read(obj))) return false;
    return true;
  };
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * Validates `pattern` (an object, or its JSON text) as EventBridge would and compiles it. Throws PatternError naming
 * the offending path. Events passed to `matches` are parsed JSON; anything but a JSON object never matches.
 */
export function compilePattern(pattern: unknown): CompiledPattern {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern);
    } catch (e) {
      throw new PatternError([], `not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(value)) throw new PatternError([], `must be a JSON object, got ${describe(value)}`);
  const checks = alternatives(parseObject(value, [], false), [])
    .map((alt) => compileElement(buildTrie(alt), new Set()));
  if (checks.length === 1) {
    const only = checks[0]!;
    return { matches: (event) => isObject(event) && only(event) };
  }
  return {
    matches(event) {
      if (!isObject(event)) return false;
      for (const check of checks) if (check(event)) return true;
      return false;
    },
  };
}

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern).matches(event);
}
