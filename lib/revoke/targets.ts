/**
 * Where the break-glass role lives, and therefore what `breakglass revoke` must update, from the config alone:
 * - the member StackSet(s), administered from the management account or the StackSets delegated administrator
 *   (service-managed for OUs, `<name>-accounts` self-managed for explicit accounts: lib/constructs/member-stackset.ts);
 * - Breakglass-Management in the management account (organization.includeManagementAccount), home region;
 * - Breakglass-Security in the security account, home region.
 * Also the commands that do the same by hand, printed when the command could not (no credentials for that account).
 * No AWS SDK here.
 */
import type { BreakglassConfig } from '../config/schema';
import { shellJoin } from '../deployment/shell-words';
import { stackIds } from '../deployment/stack-ids';
import { NAMES } from '../naming';
import { REVOKE_PARAMETER } from './parameter';

export type TargetGroup = 'stacksets' | 'management' | 'security';
export const TARGET_GROUPS: readonly TargetGroup[] = ['stacksets', 'management', 'security'];

/** Which credentials a target needs: the StackSet administrator's (--profile), the management or the security account's. */
export type CredentialsKind = 'deployer' | 'management' | 'security';

export interface StackSetTarget {
  readonly kind: 'stackset';
  readonly group: 'stacksets';
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  readonly permissionModel: 'SERVICE_MANAGED' | 'SELF_MANAGED';
  readonly credentials: 'deployer';
}

export interface StackTarget {
  readonly kind: 'stack';
  readonly group: 'management' | 'security';
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly credentials: 'management' | 'security';
}

export type Target = StackSetTarget | StackTarget;

export interface RevokeScope {
  readonly targets: readonly Target[];
  /** Home region: the role exists only here (IsHomeRegion in the member template). */
  readonly home: string;
  readonly roleName: string;
  /** The longest session the role issues: after T + this, no session from before T is left to revoke. */
  readonly maxSessionSeconds: number;
}

export function revokeScope(c: BreakglassConfig, groups: readonly TargetGroup[] = TARGET_GROUPS): RevokeScope {
  const home = c.securityAccount.region;
  const delegated = c.organization.deployFrom === 'delegated-admin';
  const deployer = delegated ? c.organization.delegatedAdminAccountId! : c.organization.managementAccountId;
  const targets: Target[] = [];
  if (groups.includes('stacksets')) {
    const base = { kind: 'stackset', group: 'stacksets', account: deployer, region: home, credentials: 'deployer' } as const;
    if (c.organization.targets.organizationalUnits.length > 0) {
      targets.push({ ...base, name: NAMES.memberStackSet, callAs: delegated ? 'DELEGATED_ADMIN' : 'SELF', permissionModel: 'SERVICE_MANAGED' });
    }
    // CallAs applies to service-managed StackSets only (CloudFormation API reference, UpdateStackSet CallAs:
    // "[Service-managed permissions] Specifies whether you are acting as an account administrator ...").
    if (c.organization.targets.accounts.length > 0) {
      targets.push({ ...base, name: `${NAMES.memberStackSet}-accounts`, callAs: 'SELF', permissionModel: 'SELF_MANAGED' });
    }
  }
  if (groups.includes('management') && c.organization.includeManagementAccount) {
    targets.push({ kind: 'stack', group: 'management', name: stackIds.management, account: c.organization.managementAccountId, region: home, credentials: 'management' });
  }
  if (groups.includes('security')) {
    targets.push({ kind: 'stack', group: 'security', name: stackIds.security, account: c.securityAccount.accountId, region: home, credentials: 'security' });
  }
  return { targets, home, roleName: c.role.name, maxSessionSeconds: c.role.maxSessionDuration };
}

/** "stack set breakglass-member-baseline" / "stack Breakglass-Security", with account and region. */
export function describeTarget(t: Target): string {
  return `${t.kind === 'stackset' ? 'stack set' : 'stack'} ${t.name} (${t.account}, ${t.region})`;
}

/** --targets: a comma-separated subset of TARGET_GROUPS; throws a one-line message otherwise. */
export function parseTargetGroups(v: string | undefined): TargetGroup[] {
  if (v === undefined) return [...TARGET_GROUPS];
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(TARGET_GROUPS as readonly string[]).includes(p));
  if (parts.length === 0 || bad.length > 0) {
    throw new Error(`--targets: expected a comma-separated list of ${TARGET_GROUPS.join(', ')}, got ${JSON.stringify(v.slice(0, 60))}`);
  }
  return TARGET_GROUPS.filter((g) => parts.includes(g));
}

/** Emergency operation preferences of the StackSet update (see docs/runbook.md, Containment, and lib/revoke/stackset.ts). */
export const EMERGENCY_PREFERENCES = {
  RegionConcurrencyType: 'PARALLEL',
  MaxConcurrentPercentage: 100,
  FailureTolerancePercentage: 100,
  ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
} as const;

/**
 * The same change by hand, with the AWS CLI, for the account that holds the target (its other parameters keep their
 * values: `UsePreviousValue`). For the CDK stacks BootstrapVersion is the only other parameter the app synthesizes.
 */
export function manualCommand(t: Target, value: string, otherParameters: readonly string[] = t.kind === 'stack' ? ['BootstrapVersion'] : []): string {
  const params = [`ParameterKey=${REVOKE_PARAMETER},ParameterValue=${value}`, ...otherParameters.map((k) => `ParameterKey=${k},UsePreviousValue=true`)];
  if (t.kind === 'stackset') {
    const prefs = Object.entries(EMERGENCY_PREFERENCES).map(([k, v]) => `${k}=${v}`).join(',');
    return shellJoin(['aws', 'cloudformation', 'update-stack-set', '--region', t.region, '--stack-set-name', t.name, '--use-previous-template',
      '--parameters', ...params, '--capabilities', 'CAPABILITY_NAMED_IAM', '--operation-preferences', prefs,
      ...(t.permissionModel === 'SERVICE_MANAGED' ? ['--call-as', t.callAs] : [])]);
  }
  return shellJoin(['aws', 'cloudformation', 'update-stack', '--region', t.region, '--stack-name', t.name, '--use-previous-template',
    '--parameters', ...params, '--capabilities', 'CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']);
}

/** The same command for one group of targets, to run with that account's credentials. */
export function revokeCommand(configFile: string, value: string, group: TargetGroup): string {
  return shellJoin(['npx', 'breakglass', 'revoke', '--config', configFile, '--before', value, '--targets', group, '--profile', `<${group === 'stacksets' ? 'StackSets administrator' : `${group} account`} profile>`]);
}
