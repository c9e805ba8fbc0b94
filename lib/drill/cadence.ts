/**
 * Where the seal and drill dates live, and how often a drill is due. Shared by `drill` (writes the drill date),
 * `reseal` (writes the seal date), `doctor` (reads both) and the notifier's heartbeat (says when the next drill is due).
 *
 * The dates are tags on each break-glass IAM user (IAM TagUser / ListUserTags), values ISO 8601 UTC timestamps.
 * 45 days: Security Hub control IAM.22 (CIS AWS Foundations 1.12) flags IAM user credentials unused for 45 days or more
 * (AWS Security Hub user guide, "Identity and Access Management controls", [IAM.22]).
 */
export const DRILL_TAG = 'breakglass:last-drill';
export const SEAL_TAG = 'breakglass:sealed-at';
export const DRILL_INTERVAL_DAYS = 45;

const DAY_MS = 86_400_000;

/** When the next drill is due: the interval after the last drill or use, or now when neither is known. */
export function nextDrillDue(lastDrillOrUse: Date | undefined, now: Date = new Date()): Date {
  if (!lastDrillOrUse || Number.isNaN(lastDrillOrUse.getTime())) return now;
  return new Date(lastDrillOrUse.getTime() + DRILL_INTERVAL_DAYS * DAY_MS);
}

/**
 * The value written into DRILL_TAG and SEAL_TAG: ISO 8601 UTC to the second, e.g. 2026-12-01T23:53:07Z. IAM tag values
 * are at most 256 characters of letters, digits, spaces and _ . : / = + - @ (IAM API Reference, Tag), so the
 * timestamp fits as it is. It is also the name of the drill or seal record it points to (recordId()).
 */
export function tagTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const TAG_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * A date read back from one of the tags; undefined when the tag is absent or is not a UTC timestamp. A tag anyone
 * with iam:TagUser can write is a pointer to the record (the JSON/Markdown), not the evidence itself.
 */
export function parseTagTime(value: string | undefined): Date | undefined {
  if (value === undefined || !TAG_TIME.test(value.trim())) return undefined;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Whole days from `from` to `to` (floor): 44.9 days is 44. */
export function daysBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}
