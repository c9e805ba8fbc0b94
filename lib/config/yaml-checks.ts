/**
 * The parts of YAML loading that must stay linear, or bounded, whatever the file holds (README, "Limits"):
 * - duplicate keys, found in one pass over each mapping (the yaml package's own `uniqueKeys` check compares every
 *   key with every earlier one: a mapping of 40,000 keys took 42 s);
 * - the line of a key, looked up through an index per mapping (a linear search per reported problem was quadratic
 *   when every key of a large mapping was a problem);
 * - alias expansion: the yaml package refuses more than `maxAliasCount` (100, its default) expansions of anchored
 *   values ("billion laughs"); that refusal, and nesting deep enough to exhaust the stack, become one line naming
 *   the file instead of a runtime error.
 */
import { isScalar, visit, type Document, type LineCounter, type YAMLMap } from 'yaml';

export const MAX_ALIAS_COUNT = 100;

/** 1-based line and column of every key that repeats an earlier key of the same mapping. */
export function duplicateKeys(doc: Document, lines: LineCounter): Array<{ line: number; col: number }> {
  const out: Array<{ line: number; col: number }> = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) { seen.add(key); continue; }
        const range = (pair.key as { range?: [number, number, number] } | null)?.range;
        if (range) out.push(lines.linePos(range[0]));
      }
    },
  });
  return out;
}

const keyIndex = new WeakMap<YAMLMap, Map<unknown, unknown>>();

/** The key node of `key` in `map` (the first one, as Array.find would give), through an index built once per map. */
export function keyNodeOf(map: YAMLMap, key: unknown): unknown {
  let index = keyIndex.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (!index.has(k)) index.set(k, pair.key);
    }
    keyIndex.set(map, index);
  }
  return index.get(key);
}

/** One line for what toJS() or the parser threw on a hostile file; undefined for anything else (rethrow it). */
export function expansionProblem(e: unknown): string | undefined {
  if (e instanceof ReferenceError && /alias/i.test(e.message)) {
    return `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} uses of anchored values): refused as a resource exhaustion attack ("billion laughs"); write the values out instead of using *aliases`;
  }
  if (e instanceof RangeError) return 'nested too deeply to read';
  return undefined;
}
