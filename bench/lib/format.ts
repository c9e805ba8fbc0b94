/** Number formats shared by the benchmark reports. */

/** Seconds with two decimals, from ms. */
export const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const fmtMs = (ms: number): string => `${ms.toFixed(0)} ms`;
/** ms without unit: whole above 100, one decimal below. */
export const ms1 = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
/** median (min–max) of a summary, each through ms1. */
export const fmtSpread = (s: { median: number; min: number; max: number }): string => `${ms1(s.median)} (${ms1(s.min)}–${ms1(s.max)})`;
/** kB (as ru_maxrss and /usr/bin/time report) as whole MiB. */
export const fmtMiB = (kb: number): string => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MiB` : 'n/a');
export const fmtKiB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
export const fmtBytes = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);
/** Whole number with thousands separators. */
export const fmtN = (n: number): string => Math.round(n).toLocaleString('en-US');
