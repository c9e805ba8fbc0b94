/**
 * "Did you mean …?" for names checked against an offline list (regions, AWS managed policies).
 * Cheap on purpose: it runs only when a value was refused, over at most a few thousand names.
 */

/**
 * The closest candidate, or undefined when none is close enough to be a likely typo.
 * Close = a few edits away (case-insensitive), or every word of the input abbreviates the same word of the
 * candidate ("AdminAccess" → "AdministratorAccess"). Ties keep the candidate that comes first.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const wanted = input.toLowerCase();
  const maxEdits = Math.max(2, Math.floor(input.length / 5));
  let best: string | undefined;
  let bestEdits = maxEdits + 1;
  let abbreviated: string | undefined;
  const words = wordsOf(input);
  for (const c of candidates) {
    const d = editDistance(wanted, c.toLowerCase(), bestEdits);
    if (d < bestEdits) { best = c; bestEdits = d; }
    if (best === undefined && words.length > 1 && abbreviates(words, wordsOf(c)) && (!abbreviated || c.length < abbreviated.length)) abbreviated = c;
  }
  return best ?? abbreviated;
}

/** Levenshtein distance, giving up (returning `limit`) once every path costs at least `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= limit) return limit;
    prev = row;
  }
  return Math.min(prev[b.length]!, limit);
}

/** CamelCase, digits and separators split a name into lower-case words: "job-function/ViewOnly" → job function view only. */
function wordsOf(name: string): string[] {
  return name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).filter(Boolean).map((w) => w.toLowerCase());
}

function abbreviates(short: readonly string[], long: readonly string[]): boolean {
  return short.length === long.length && short.every((w, i) => long[i]!.startsWith(w));
}
