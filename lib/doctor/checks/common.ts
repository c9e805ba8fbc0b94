/** Small helpers shared by the checks: result builders, error lines, and the "wrong account" guard. */
import { describeAwsError } from '../../aws/errors';
import type { DoctorContext, Finding } from '../types';

export const pass = (detail: string): Finding => ({ status: 'pass', detail, fix: null });
export const warn = (detail: string, fix: string | null): Finding => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string | null): Finding => ({ status: 'fail', detail, fix });

/** An outcome of one AWS call kept as data, so one refused call spoils one finding, not the whole check. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string; readonly refused: boolean };

/** SDK v3 error names (and HTTP statuses) that mean "these credentials may not do this". */
export function isRefusal(e: unknown): boolean {
  const err = (e ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnrecognizedClientException|InvalidClientTokenId|ExpiredToken|ExpiredTokenException|AWSOrganizationsNotInUseException)$/.test(err.name ?? '')
    || err.$metadata?.httpStatusCode === 403;
}

export async function attempt<T>(ctx: DoctorContext, action: string, fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: describeAwsError(e, { action, profile: ctx.profile }), refused: isRefusal(e) };
  }
}

export function errorName(e: unknown): string | undefined {
  return (e as { name?: string } | undefined)?.name;
}

/**
 * Some checks read resources of one account (the security account, the StackSet's administrator). With
 * credentials of another account they would report healthy resources as missing, so they say so instead.
 * Returns a finding when the caller is known and is not `account`; undefined when the check may go on
 * (including when sts:GetCallerIdentity itself failed: the check's own calls then report the real error).
 */
export async function wrongAccount(ctx: DoctorContext, account: string, role: string): Promise<Finding | undefined> {
  let caller: string;
  try {
    caller = (await ctx.caller()).account;
  } catch {
    return undefined;
  }
  if (caller === account) return undefined;
  return warn(`not checked: the credentials belong to account ${caller}; this check reads ${role} ${account}`,
    `run breakglass doctor again with credentials of ${role} ${account} (--profile)`);
}

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** At most `max` items, then "and N more": a report line for 1000 accounts stays readable. */
export function listSome(items: readonly string[], max = 10): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
