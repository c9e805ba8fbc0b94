import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BreakglassConfig } from '../config/schema';
import { detectionContext } from '../detection/context';
import { NAMES } from '../naming';
import { MemberStackSets } from '../constructs/member-stackset';
import { REVOKE_PARAMETER } from '../revoke/parameter';
import { revokeParameter } from './revoke-parameter';

export interface MemberStackSetsStackProps extends StackProps {
  readonly config: BreakglassConfig;
  readonly memberTemplateBody: string;
}

/** In the management account (or the StackSets delegated administrator): the StackSets that reach every member. */
export class MemberStackSetsStack extends Stack {
  readonly stackSets: MemberStackSets;

  constructor(scope: Construct, id: string, props: MemberStackSetsStackProps) {
    super(scope, id, props);
    const c = props.config;
    this.stackSets = new MemberStackSets(this, 'StackSets', {
      stackSetName: NAMES.memberStackSet,
      templateBody: props.memberTemplateBody,
      regions: detectionContext(c).regions,
      organizationalUnits: c.organization.targets.organizationalUnits,
      accounts: c.organization.targets.accounts,
      callAs: c.organization.deployFrom === 'delegated-admin' ? 'DELEGATED_ADMIN' : 'SELF',
      // The security account has its own stacks with the same forwarder names; a targeted OU often contains it.
      excludeAccounts: [c.securityAccount.accountId],
      // `breakglass revoke` sets the StackSet's RevokeSessionsBefore directly (UpdateStackSet, fast, with emergency
      // operation preferences). This stack passes its own parameter of the same name through, so a later `cdk deploy`
      // of this stack that changes the template can keep a revocation: pass the value with
      // `--parameters Breakglass-MemberStackSets:RevokeSessionsBefore=<time>` once (the CDK CLI then keeps it, as it
      // keeps previous parameter values by default), which `breakglass revoke` prints.
      parameters: { [REVOKE_PARAMETER]: revokeParameter(this).valueAsString },
    });
  }
}
