import { Aws, CfnCondition, Fn, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { GLOBAL_EVENTS_REGION } from '../config/regions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BreakglassConfig } from '../config/schema';
import { rulesForAccountKind } from '../detection/catalogue';
import { detectionContext } from '../detection/context';
import { BreakGlassRole } from '../constructs/break-glass-role';
import { EventForwarders } from '../constructs/event-forwarders';
import { centralBusArn } from './names';
import { revokeParameter } from './revoke-parameter';
import { roleProps } from './role-props';

export interface MemberBaselineStackProps extends StackProps {
  readonly config: BreakglassConfig;
}

/**
 * What every member account gets: the break-glass role (home region only, IAM is global) and forwarders for the
 * events recorded in member accounts. Without an env it is the region-agnostic StackSet template; with an env it
 * is the management account's own copy (service-managed StackSets skip that account).
 */
export class MemberBaselineStack extends Stack {
  readonly role?: iam.Role;

  constructor(scope: Construct, id: string, props: MemberBaselineStackProps) {
    super(scope, id, props);
    const c = props.config;
    const region = this.region;
    const regionKnown = !Token.isUnresolved(region);
    const home = c.securityAccount.region;

    if (!regionKnown || region === home) {
      // Only where the role is: the member template (every region, the role guarded by IsHomeRegion) and the
      // management account's home-region stack. `breakglass revoke` sets it (lib/revoke/).
      const revoke = revokeParameter(this);
      const bg = new BreakGlassRole(this, 'BreakGlassRole', { ...roleProps(c), revokeSessionsIssuedBefore: revoke.valueAsString });
      if (!regionKnown) {
        const isHome = new CfnCondition(this, 'IsHomeRegion', { expression: Fn.conditionEquals(Aws.REGION, home) });
        (bg.role.node.defaultChild as iam.CfnRole).cfnOptions.condition = isHome;
        if (home === GLOBAL_EVENTS_REGION) {
          Validations.of(this).acknowledge({ id: 'CloudFormation-Validate::W9053', reason: 'The home region is us-east-1, so "is home region" and "is the global-events region" coincide; they stay separate because they mean different things.' });
        }
      }
      this.role = bg.role;
    }

    new EventForwarders(this, 'Forwarders', {
      rules: rulesForAccountKind('member'),
      detection: detectionContext(c),
      centralBusArn: centralBusArn(c),
      deadLetterEncryption: c.alerts.deadLetterEncryption,
    });
  }
}
