/**
 * The "revoke active sessions" switch of the break-glass role, shared by the stacks (CDK) and `breakglass revoke`
 * (AWS SDK): one CloudFormation parameter, the same name in the StackSet member template, Breakglass-Security,
 * Breakglass-Management and Breakglass-MemberStackSets. No aws-cdk-lib or SDK import here.
 *
 * The role carries an inline policy that denies everything to sessions issued before the parameter's time: the policy
 * the IAM console's "Revoke active sessions" attaches (IAM user guide, "Revoking IAM role temporary security
 * credentials": Deny "*" on "*" with Condition DateLessThan aws:TokenIssueTime; "If the user assumes the role after
 * you revoked the permissions, then the deny policy does not apply to that user"). The console names its policy
 * AWSRevokeOlderSessions; ours has its own name, so a console revoke (where it is allowed) neither overwrites ours nor
 * is overwritten by the next deployment.
 */

/** CloudFormation parameter name (logical ID) in every template that carries the role. */
export const REVOKE_PARAMETER = 'RevokeSessionsBefore';

/** Name of the role's inline policy that holds the deny. */
export const REVOKE_POLICY_NAME = 'RevokeOlderSessions';

/**
 * Default: revokes nothing. aws:TokenIssueTime is the time STS issued the session's credentials (IAM user guide, "AWS
 * global condition context keys", aws:TokenIssueTime); no session can be older than the epoch, and DateLessThan is a
 * strict comparison (IAM user guide, "IAM JSON policy elements: Condition operators", date condition operators), so
 * `aws:TokenIssueTime < 1970-01-01T00:00:00Z` is false for every session. A request without the key (long-term keys;
 * a role session always has it) does not match either: "If the key that you specify in a policy condition is not
 * present in the request context, the values do not match" (same page).
 */
export const REVOKE_NOTHING = '1970-01-01T00:00:00Z';

/**
 * ISO 8601 in UTC with whole seconds, the form the console writes. A CloudFormation AllowedPattern "must match the
 * entire parameter value provided" (CloudFormation user guide, "Parameters" section syntax; Service Catalog API
 * reference, ParameterConstraints.AllowedPattern), so no anchors are needed there; the same pattern, anchored,
 * checks values here.
 */
export const REVOKE_ALLOWED_PATTERN = '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z';
const ANCHORED = new RegExp(`^${REVOKE_ALLOWED_PATTERN}$`);

export const REVOKE_CONSTRAINT_DESCRIPTION = 'a UTC time such as 2026-11-23T03:00:00Z: sessions of the break-glass role issued before it are denied everything';

/** Whether `v` is a value the parameter accepts. */
export function isRevokeTime(v: string): boolean {
  return ANCHORED.test(v) && !Number.isNaN(Date.parse(v)) && new Date(Date.parse(v)).toISOString().slice(0, 19) === v.slice(0, 19);
}

/** A Date as the parameter's form, rounded UP to the next whole second (a session issued 0.3 s earlier is revoked too). */
export function toRevokeTime(d: Date): string {
  const ms = Math.ceil(d.getTime() / 1000) * 1000;
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** How far in the future --before may be (clock skew between the operator's machine and AWS), in milliseconds. */
export const MAX_FUTURE_MS = 5 * 60_000;

const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * --before: an ISO 8601 date-time with a zone (Z or ±hh:mm), at most MAX_FUTURE_MS ahead of `now`; returns the
 * parameter's form (UTC, whole seconds, rounded up). Throws an Error whose message is one line for the operator.
 */
export function parseBefore(v: string | undefined, now: Date): string {
  if (v === undefined) return toRevokeTime(now);
  const shown = JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  const m = ISO_WITH_ZONE.exec(v.trim());
  const ms = m ? Date.parse(v.trim()) : Number.NaN;
  if (!m || Number.isNaN(ms) || !calendarValid(m)) {
    throw new Error(`--before: expected an ISO 8601 date-time with a time zone, e.g. 2026-11-23T03:00:00Z or 2026-11-23T04:00:00+01:00, got ${shown}`);
  }
  const t = toRevokeTime(new Date(ms));
  if (t < '2011-01-01T00:00:00Z') {
    throw new Error(`--before: ${t} revokes nothing (no session of the role can be that old); omit --before to revoke every session issued until now`);
  }
  if (ms - now.getTime() > MAX_FUTURE_MS) {
    throw new Error(`--before: ${t} is in the future; it would also refuse every session issued until then (the door would be shut, not just the old sessions revoked); omit --before to use now`);
  }
  return t;
}

/** Rejects 2026-02-30 and 24:00, which Date.parse quietly rolls over. */
function calendarValid(m: RegExpExecArray): boolean {
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d >= 1 && d <= days;
}

/** The later of two parameter values (the form sorts as text). A revocation is never weakened by `revoke`. */
export function laterOf(a: string, b: string): string {
  return a >= b ? a : b;
}
