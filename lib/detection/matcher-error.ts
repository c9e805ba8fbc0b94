/**
 * The one error type of the event-pattern matcher. Kept in its own file so the helper modules can throw it without
 * importing matcher.ts (which imports them).
 */
export type PathSegment = string | number;

/** `detail.eventName[0].prefix`: keys joined by dots, positions in arrays as [i]. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

export class PatternError extends Error {
  /** Where in the pattern the problem is, e.g. `detail.eventName[0]`; empty for the pattern itself. */
  readonly path: string;
  readonly reason: string;

  constructor(path: readonly PathSegment[], reason: string) {
    const where = formatPath(path);
    super(where === '' ? `pattern: ${reason}` : `"${where}": ${reason}`);
    this.name = 'PatternError';
    this.path = where;
    this.reason = reason;
  }
}

/** `a string`, `an array`, `null`: for messages like "expected an array, got a string". */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : `the non-finite number ${value}`;
  return `a ${typeof value}`;
}
