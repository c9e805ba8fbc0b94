/** Small statistics for benchmark samples, and the interleaved run order that keeps drift out of comparisons. */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const min = (xs: readonly number[]): number => (xs.length ? Math.min(...xs) : NaN);
export const max = (xs: readonly number[]): number => (xs.length ? Math.max(...xs) : NaN);

/** The p-th percentile (0–100), linear between the closest ranks. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = (Math.min(100, Math.max(0, p)) / 100) * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export const summary = (xs: readonly number[]): Summary => ({ median: median(xs), min: min(xs), max: max(xs) });

export interface Turn<C> {
  readonly c: C;
  /** Index of the case in `cases`. */
  readonly index: number;
  readonly round: number;
  /** A warm-up round: its result is discarded. */
  readonly warm: boolean;
}

/**
 * The run order: every case once per round, `warmup` discarded rounds then `runs` kept ones. Taking turns, rather
 * than all runs of one case then all of the next, spreads slow drift of the machine (other load, thermal, page cache)
 * over every case alike, so ratios between cases stay fair.
 */
export function turns<C>(cases: readonly C[], o: { readonly warmup: number; readonly runs: number }): Turn<C>[] {
  const out: Turn<C>[] = [];
  for (let round = 0; round < o.warmup + o.runs; round++) cases.forEach((c, index) => out.push({ c, index, round, warm: round < o.warmup }));
  return out;
}

/** Runs the cases in turns (see `turns`) and returns the kept results per case, in the order of `cases`. */
export function interleaved<C, R>(cases: readonly C[], o: { readonly warmup: number; readonly runs: number }, run: (t: Turn<C>) => R): R[][] {
  const kept = cases.map((): R[] => []);
  for (const t of turns(cases, o)) { const r = run(t); if (!t.warm) kept[t.index]!.push(r); }
  return kept;
}

/** The same, awaiting each run (in-process measurements that are asynchronous). */
export async function interleavedAsync<C, R>(cases: readonly C[], o: { readonly warmup: number; readonly runs: number }, run: (t: Turn<C>) => Promise<R>): Promise<R[][]> {
  const kept = cases.map((): R[] => []);
  for (const t of turns(cases, o)) { const r = await run(t); if (!t.warm) kept[t.index]!.push(r); }
  return kept;
}
