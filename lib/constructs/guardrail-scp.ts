import { Annotations, Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';

/**
 * Maximum size of a service control policy document: 5,120 characters, and every character counts, white space
 * included (AWS Organizations user guide, "Quotas and service limits" > "Maximum size of a policy document", and
 * "SCP syntax": "All characters in your SCP count against its maximum size").
 */
export const SCP_MAX_CHARACTERS = 5_120;

/**
 * Principals that may still change the protected resources: the roles the deployment itself runs as. Matched on
 * aws:PrincipalArn, which for a role session is the ARN of the role, not of the session (IAM user guide, "AWS
 * global condition context keys", aws:PrincipalArn), so a wildcard over the role name covers every session.
 */
export const DEPLOYMENT_ROLE_PATTERNS = [
  // Service-managed StackSets create an execution role named stacksets-exec-* in each target account; the
  // StackSets service role in the management account may assume only arn:aws:iam::*:role/stacksets-exec-*
  // (CloudFormation user guide, "Configure a custom execution role template for StackSets"; AWS managed policy
  // CloudFormationStackSetsOrgAdminServiceRolePolicy).
  'arn:aws:iam::*:role/stacksets-exec-*',
  // Self-managed StackSets run as AWSCloudFormationStackSetExecutionRole when no other execution role is named
  // (CloudFormation API reference, CreateStackSet/UpdateStackSet ExecutionRoleName; "Grant self-managed permissions").
  'arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole',
  // CDK-deployed stacks (security account, management account) run as the bootstrap CloudFormation execution role,
  // cdk-<qualifier>-cfn-exec-role-<account>-<region> (aws-cdk-lib DefaultStackSynthesizer
  // DEFAULT_CLOUDFORMATION_ROLE_ARN).
  'arn:aws:iam::*:role/cdk-*-cfn-exec-role-*',
] as const;

/** IAM actions that change a role's trust, permissions, boundary, settings or tags, or delete it (IAM API action names). */
export const ROLE_TAMPER_ACTIONS = [
  'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
  'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
  'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:TagRole', 'iam:UntagRole',
] as const;

/** EventBridge actions that silence or redirect a rule, or remove the bus or its permissions (EventBridge API action names). */
export const RULE_TAMPER_ACTIONS = [
  'events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets',
] as const;
export const BUS_TAMPER_ACTIONS = ['events:DeleteEventBus', 'events:PutPermission', 'events:RemovePermission'] as const;

/** SQS actions that delete, empty or re-permission a dead-letter queue (SQS API action names). */
export const QUEUE_TAMPER_ACTIONS = [
  'sqs:DeleteQueue', 'sqs:PurgeQueue', 'sqs:SetQueueAttributes', 'sqs:AddPermission', 'sqs:RemovePermission',
] as const;

/** SNS actions that delete the alert topic or change its policy, key or delivery settings (SNS API action names). */
export const TOPIC_TAMPER_ACTIONS = ['sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:RemovePermission'] as const;

/** CloudTrail actions that stop or narrow the trail (CloudTrail API action names). */
export const TRAIL_TAMPER_ACTIONS = [
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
] as const;

export interface GuardrailScpProps {
  /** Roots ("r-…"), OUs ("ou-…") or account IDs to attach the policy to. */
  readonly targetIds: readonly string[];
  /** Name of the break-glass role in every account. */
  readonly roleName: string;
  /** Prefix of every EventBridge rule of the deployment (forwarders, central rules). */
  readonly rulePrefix: string;
  /** Name prefix of the forwarder IAM roles (one per region). */
  readonly forwarderRolePrefix: string;
  /** Name of the central event bus. */
  readonly centralBusName: string;
  /** Names of the alert, chat and operations topics; a trailing * is a wildcard (e.g. "breakglass-alerts*"). */
  readonly topicNames: readonly string[];
  /** Name of the trail, when the deployment creates one. @default - no trail statement */
  readonly trailName?: string;
  /** Management account: an SCP never restricts it, so naming it as a target is reported. @default - not checked */
  readonly managementAccountId?: string;
  /** @default 'breakglass-guardrail' */
  readonly policyName?: string;
}

/**
 * A service control policy that keeps the break-glass door and its alarm wired: it denies changing or deleting the
 * break-glass role, the forwarder roles, rules, bus, dead-letter queues, topics and trail to every principal of the
 * target accounts except the roles that deploy breakglass (DEPLOYMENT_ROLE_PATTERNS).
 *
 * Limits worth knowing, also in the README ("Guardrail SCP"):
 * - SCPs do not restrict users or roles in the management account (AWS Organizations user guide, "Service control
 *   policies (SCPs)"; "Delegated administrator for AWS Organizations": "security features like Organizations service
 *   control policies (SCPs) do not restrict users or roles in the management account").
 * - The exemption is by role name. A member-account administrator who can create a role with one of those names
 *   (e.g. AWSCloudFormationStackSetExecutionRole in an account that has none) can act through it; the alert rules
 *   (role-changed, alerting-tampered) still fire.
 * - Deny statements with a Condition are supported in SCPs; NotPrincipal is not, hence aws:PrincipalArn
 *   (AWS Organizations user guide, "SCP syntax", elements summary).
 */
export class GuardrailScp extends Construct {
  readonly policy: organizations.CfnPolicy;
  /** The policy document as deployed (no tokens: the size check is exact). */
  readonly document: { Version: string; Statement: Array<Record<string, unknown>> };

  constructor(scope: Construct, id: string, props: GuardrailScpProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.targetIds.length === 0) problems.push('expected at least one target (root, OU or account ID)');
    const names = [props.roleName, props.rulePrefix, props.forwarderRolePrefix, props.centralBusName, ...props.topicNames, ...(props.trailName ? [props.trailName] : [])];
    // The document must be literal so its size can be checked here; a token would resolve only at deploy time.
    if ([...names, ...props.targetIds].some((n) => Token.isUnresolved(n))) problems.push('names and targets must be literal strings, not tokens');
    if (problems.length) throw new Error(`GuardrailScp: ${problems.join('; ')}`);

    this.document = guardrailDocument(props);
    const size = JSON.stringify(this.document).length;
    if (size > SCP_MAX_CHARACTERS) {
      throw new Error(`GuardrailScp: the policy is ${size} characters; service control policies allow ${SCP_MAX_CHARACTERS}`);
    }

    this.policy = new organizations.CfnPolicy(this, 'Policy', {
      name: props.policyName ?? 'breakglass-guardrail',
      type: 'SERVICE_CONTROL_POLICY',
      description: 'breakglass: only the deployment roles may change the break-glass role and its alerting resources.',
      // A JSON object, not a string: CloudFormation cannot detect drift of policy content given as a string
      // (CloudFormation template reference, AWS::Organizations::Policy, Content).
      content: this.document,
      targetIds: [...props.targetIds],
    });

    Annotations.of(this).addWarningV2('breakglass:scp-management-account',
      'Service control policies never restrict the management account: the break-glass role and forwarders there are protected only by IAM and by the alerts.');
    if (props.managementAccountId && props.targetIds.includes(props.managementAccountId)) {
      Annotations.of(this).addWarningV2('breakglass:scp-management-target',
        `Target ${props.managementAccountId} is the management account; the SCP has no effect there.`);
    }
  }
}

/** The policy document (pure; exported for the size and IAM-evaluation tests). */
export function guardrailDocument(p: Omit<GuardrailScpProps, 'targetIds'>): GuardrailScp['document'] {
  const unlessDeployment = { ArnNotLike: { 'aws:PrincipalArn': [...DEPLOYMENT_ROLE_PATTERNS] } };
  const deny = (sid: string, actions: readonly string[], resources: string[]) => ({
    Sid: sid, Effect: 'Deny', Action: [...actions], Resource: resources, Condition: unlessDeployment,
  });
  const statements = [
    deny('ProtectBreakglassRoles', ROLE_TAMPER_ACTIONS, [
      `arn:aws:iam::*:role/${p.roleName}`,
      `arn:aws:iam::*:role/${p.forwarderRolePrefix}*`,
    ]),
    // Rules on the default bus are rule/<name>, rules on a custom bus rule/<bus>/<name>; both begin with the prefix
    // here because the central bus's name does too (EventBridge user guide, resource ARN formats).
    deny('ProtectBreakglassRules', RULE_TAMPER_ACTIONS, [`arn:aws:events:*:*:rule/${p.rulePrefix}*`]),
    deny('ProtectBreakglassBus', BUS_TAMPER_ACTIONS, [`arn:aws:events:*:*:event-bus/${p.centralBusName}`]),
    // Only the dead-letter queues: a temporary queue such as the drill's must stay deletable by its creator.
    deny('ProtectBreakglassDeadLetters', QUEUE_TAMPER_ACTIONS, [`arn:aws:sqs:*:*:${p.rulePrefix}*-dead-letters`]),
    deny('ProtectBreakglassTopics', TOPIC_TAMPER_ACTIONS, p.topicNames.map((t) => `arn:aws:sns:*:*:${t}`)),
  ];
  if (p.trailName) statements.push(deny('ProtectBreakglassTrail', TRAIL_TAMPER_ACTIONS, [`arn:aws:cloudtrail:*:*:trail/${p.trailName}`]));
  return { Version: '2012-10-17', Statement: statements };
}
