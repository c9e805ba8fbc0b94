/**
 * Which stack goes to which account and region, and which stacks it waits for: the composition of lib/app.ts
 * `buildApp`, as plain data. `breakglass deploy-plan` needs it without loading aws-cdk-lib (it must start fast);
 * test/deploy-plan/layout-matches-app.test.ts proves that it equals what the app synthesizes.
 */
import type { BreakglassConfig } from '../config/schema';
import { detectionContext } from '../detection/context';
import { stackIds } from './stack-ids';

/** What a stack is for; the plan groups and words its steps by it. */
export type StackRole = 'security' | 'security-region' | 'member-stacksets' | 'management' | 'trail' | 'guardrails';

export interface PlannedStack {
  /** Stack id, which is also its CloudFormation stack name. */
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** Ids of the stacks this one declares a CDK dependency on; they may live in other accounts. */
  readonly dependsOn: readonly string[];
  readonly role: StackRole;
}

/** The account that holds the member StackSets: the management account or the StackSets delegated administrator. */
export function stackSetsAccount(c: BreakglassConfig): string {
  return c.organization.deployFrom === 'delegated-admin' ? c.organization.delegatedAdminAccountId! : c.organization.managementAccountId;
}

/** Every stack of the app, in the order `buildApp` creates them. */
export function stackLayout(c: BreakglassConfig): PlannedStack[] {
  const home = c.securityAccount.region;
  const regions = detectionContext(c).regions;
  const security = c.securityAccount.accountId;
  const management = c.organization.managementAccountId;

  const stacks: PlannedStack[] = [{ id: stackIds.security, account: security, region: home, dependsOn: [], role: 'security' }];
  for (const region of regions.filter((r) => r !== home)) {
    stacks.push({ id: stackIds.securityRegion(region), account: security, region, dependsOn: [stackIds.security], role: 'security-region' });
  }
  stacks.push({ id: stackIds.memberStackSets, account: stackSetsAccount(c), region: home, dependsOn: [stackIds.security], role: 'member-stacksets' });
  if (c.organization.includeManagementAccount) {
    for (const region of regions) {
      stacks.push({
        id: region === home ? stackIds.management : stackIds.managementRegion(region),
        account: management, region, dependsOn: [stackIds.security], role: 'management',
      });
    }
  }
  if (c.cloudTrail.mode === 'create') {
    stacks.push({ id: stackIds.trail, account: management, region: home, dependsOn: [], role: 'trail' });
  }
  if (c.guardrails.serviceControlPolicy.enabled) {
    stacks.push({ id: stackIds.guardrails, account: management, region: home, dependsOn: [], role: 'guardrails' });
  }
  return stacks;
}
