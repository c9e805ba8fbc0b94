import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BreakglassConfig } from '../config/schema';
import { GuardrailScp } from '../constructs/guardrail-scp';
import { NAMES } from '../naming';

export interface GuardrailsStackProps extends StackProps {
  readonly config: BreakglassConfig;
}

/**
 * Management account, home region: the optional guardrail SCP. Its own stack because AWS::Organizations::Policy
 * can be created only from the management account (CloudFormation template reference, AWS::Organizations::Policy),
 * while the StackSets stack may live in a delegated administrator and the management baseline stacks are optional
 * (organization.includeManagementAccount).
 */
export class GuardrailsStack extends Stack {
  readonly scp: GuardrailScp;

  constructor(scope: Construct, id: string, props: GuardrailsStackProps) {
    super(scope, id, props);
    const c = props.config;
    this.scp = new GuardrailScp(this, 'ServiceControlPolicy', {
      targetIds: c.guardrails.serviceControlPolicy.targets,
      roleName: c.role.name,
      rulePrefix: NAMES.rulePrefix,
      forwarderRolePrefix: NAMES.forwarderRolePrefix,
      centralBusName: NAMES.centralBus,
      // The alert topic's name prefixes the chat topics (breakglass-alerts-chat-<severity>).
      topicNames: [`${NAMES.alertTopic}*`, NAMES.operationsTopic],
      trailName: c.cloudTrail.mode === 'create' ? NAMES.trail : undefined,
      managementAccountId: c.organization.managementAccountId,
    });
  }
}
