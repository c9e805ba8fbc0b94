import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BreakglassConfig } from '../config/schema';
import { GuardrailScp } from '../constructs/guardrail-scp';
import { ALARM_PREFIX } from '../constructs/delivery-alarms';
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
      // Only the security account holds CDK-deployed resources under the SCP: the management account is never
      // restricted by SCPs, and a StackSets delegated administrator's stack holds only StackSets, which the SCP does
      // not protect. So the CDK execution role is exempt there and nowhere else.
      cdkDeploymentAccounts: [c.securityAccount.accountId],
      users: { accountId: c.securityAccount.accountId, names: c.users.map((u) => u.name), groupName: NAMES.usersGroup, policyName: NAMES.usersPolicy },
      keyAliases: [NAMES.alertKeyAlias, NAMES.operationsKeyAlias],
      // The notifier (breakglass-notifier) and every other function breakglass names with its prefix.
      functionName: `${NAMES.rulePrefix}*`,
      alarmPrefix: ALARM_PREFIX,
      // No trail statement: with cloudTrail.mode create the trail is an organization trail in the management account,
      // where SCPs never apply, and member accounts cannot stop, change or delete an organization trail (Organizations
      // user guide, "AWS CloudTrail and AWS Organizations"); with existing-organization-trail it is not ours.
      managementAccountId: c.organization.managementAccountId,
    });
  }
}

