/**
 * Where the break-glass role's sessions were last revoked: the RevokeSessionsBefore parameter that `breakglass revoke`
 * sets (lib/revoke/parameter.ts: the role denies everything to sessions whose aws:TokenIssueTime is earlier), read the
 * way `revoke` reads it (lib/revoke/targets.ts revokeScope, lib/revoke/stack.ts readStack, lib/revoke/stackset.ts
 * readStackSet: CloudFormation DescribeStacks / DescribeStackSet Parameters, ListStackInstances), from every place the
 * role lives: the member StackSet(s), Breakglass-Management and Breakglass-Security, each in the home region.
 *
 * A place that cannot be read (credentials of another account, refused, not deployed, a template from before `revoke`)
 * is reported with the reason: the reseal check then says "unknown" for it, never "revoked". For a StackSet the value
 * counts only once it has reached the role: an instance in the home region (where the role is) that is not CURRENT
 * still carries the old value (CloudFormation API reference, StackInstanceSummary Status: OUTDATED "The stack isn't
 * currently up to date with the stack set").
 */
import { describeAwsError } from '../aws/errors';
import type { BreakglassConfig } from '../config/schema';
import type { DoctorContext } from '../doctor/types';
import { isRevokeTime, REVOKE_NOTHING, REVOKE_PARAMETER } from '../revoke/parameter';
import { readStack } from '../revoke/stack';
import { readStackSet } from '../revoke/stackset';
import { describeTarget, revokeScope, type Target } from '../revoke/targets';

export interface RevocationPlace {
  /** "stack set breakglass-member-baseline (111111111111, us-east-1)". */
  readonly where: string;
  /** The parameter's value, when read. */
  readonly value?: string;
  /** The time it revokes before; absent when the value revokes nothing or could not be read. */
  readonly at?: Date;
  /** Why this place does not prove a revocation (unreadable, revokes nothing, not landed everywhere). */
  readonly problem?: string;
}

/** Credentials per kind of place: the security account's, the management account's, the StackSets administrator's. */
export interface RevocationContexts {
  readonly security: DoctorContext;
  readonly management: DoctorContext;
  readonly stacksets: DoctorContext;
  /** The option that names each one, for the fix text. */
  readonly options: { readonly security: string; readonly management: string; readonly stacksets: string };
}

export async function readRevocations(config: BreakglassConfig, c: RevocationContexts): Promise<RevocationPlace[]> {
  const scope = revokeScope(config);
  return Promise.all(scope.targets.map((t) => readPlace(t, scope.home, c)));
}

async function readPlace(t: Target, home: string, c: RevocationContexts): Promise<RevocationPlace> {
  const where = describeTarget(t);
  const kind = t.kind === 'stackset' ? 'stacksets' : t.credentials === 'management' ? 'management' : 'security';
  const ctx = c[kind];
  let caller: string;
  try {
    caller = (await ctx.caller()).account;
  } catch (e) {
    return { where, problem: `not read: ${describeAwsError(e, { action: 'sts:GetCallerIdentity', profile: ctx.profile })}` };
  }
  if (caller !== t.account) {
    return { where, problem: `not read: the credentials are of account ${caller}; pass ${c.options[kind]} with credentials of account ${t.account}` };
  }
  const cf = ctx.cloudFormation(t.region);
  try {
    if (t.kind === 'stackset') {
      const s = await readStackSet(cf, t);
      const base = judgeValue(where, s.value);
      if (base.problem) return base;
      const behind = s.instances.filter((i) => i.region === home && i.status !== 'CURRENT');
      if (behind.length) {
        const shown = behind.slice(0, 5).map((i) => `${i.account} ${i.status}`).join(', ');
        return { ...base, problem: `${REVOKE_PARAMETER} ${s.value} has not reached ${behind.length} instance${behind.length === 1 ? '' : 's'} in ${home}, where the role is (${shown}${behind.length > 5 ? ', …' : ''}): breakglass revoke again, or see breakglass doctor (stackset-instances)` };
      }
      return base;
    }
    const s = await readStack(cf, t);
    return judgeValue(where, s.value);
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    if (name === 'StackSetNotFoundException' || (name === 'ValidationError' && /does not exist/i.test((e as Error).message))) {
      return { where, problem: 'not deployed (not found)' };
    }
    return { where, problem: `not read: ${describeAwsError(e, { action: t.kind === 'stackset' ? 'cloudformation:DescribeStackSet' : 'cloudformation:DescribeStacks', profile: ctx.profile })}` };
  }
}

function judgeValue(where: string, value: string | undefined): RevocationPlace {
  if (value === undefined) return { where, problem: `no ${REVOKE_PARAMETER} parameter (deployed by a breakglass version without \`revoke\`)` };
  if (value === REVOKE_NOTHING) return { where, value, problem: `${REVOKE_PARAMETER} is ${REVOKE_NOTHING}: nothing was ever revoked there` };
  if (!isRevokeTime(value)) return { where, value: value.slice(0, 40), problem: `${REVOKE_PARAMETER} is not a time` };
  return { where, value, at: new Date(value) };
}
