import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BreakglassConfig } from '../config/schema';
import { BreakglassTrail } from '../constructs/trail';
import { NAMES } from '../naming';

export interface TrailStackProps extends StackProps {
  readonly config: BreakglassConfig;
}

/**
 * Management account, home region (cloudTrail.mode create): the organization trail that makes CloudTrail hand the
 * break-glass events of every account to EventBridge, the security account, the management account and every
 * StackSet target included.
 *
 * Why the management account: an organization trail is created there (or by the CloudTrail delegated administrator,
 * and it still belongs to the management account): CloudTrail API reference, CreateTrail IsOrganizationTrail
 * ("cannot be true unless the call is made on behalf of an AWS account that is the management account"), CloudTrail
 * user guide, "Creating a trail for an organization". Its own stack, because Breakglass-Management is optional
 * (organization.includeManagementAccount) and the StackSets stack may sit in a delegated administrator. The bucket and
 * key live in the same stack: no cross-account reference, no deploy order, and member accounts cannot read the log
 * files (same guide). An organization that keeps logs in a log-archive account usually has an organization trail
 * already: cloudTrail.mode existing-organization-trail.
 */
export class TrailStack extends Stack {
  readonly trail: BreakglassTrail;

  constructor(scope: Construct, id: string, props: TrailStackProps) {
    super(scope, id, props);
    this.trail = new BreakglassTrail(this, 'Trail', { trailName: NAMES.trail, organization: true });
  }
}
