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
 * These two are exempt in every account, because StackSets deploy the member baseline to every target account; the
 * roles with these names are themselves protected (DEPLOYMENT_ROLE_TAMPER_ACTIONS), so nobody else can create or
 * re-trust one to claim the exemption.
 */
export const DEPLOYMENT_ROLE_PATTERNS = [
  // Service-managed StackSets create an execution role named stacksets-exec-* in each target account; the
  // StackSets service role in the management account may assume only arn:aws:iam::*:role/stacksets-exec-*
  // (CloudFormation user guide, "Configure a custom execution role template for StackSets"; AWS managed policy
  // CloudFormationStackSetsOrgAdminServiceRolePolicy).
  'arn:aws:iam::*:role/stacksets-exec-*',
  // Self-managed StackSets run as AWSCloudFormationStackSetExecutionRole when no other execution role is named
  // (CloudFormation API reference, CreateStackSet/UpdateStackSet ExecutionRoleName; "Grant self-managed permissions").
  // StackSets assume it by name, without a path, so the pattern is exact.
  'arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole',
] as const;

/**
 * CDK-deployed stacks run as the bootstrap CloudFormation execution role, cdk-<qualifier>-cfn-exec-role-<account>-<region>
 * (aws-cdk-lib DefaultStackSynthesizer DEFAULT_CLOUDFORMATION_ROLE_ARN). Exempt only in the accounts named here: the
 * account is part of aws:PrincipalArn, so a look-alike role in any other account gets no exemption.
 */
export const cdkExecutionRolePattern = (account: string): string => `arn:aws:iam::${account}:role/cdk-*-cfn-exec-role-*`;

/**
 * The service-linked role through which StackSets creates, updates and deletes the stacksets-exec-* role in a member
 * account (AWS managed policy CloudFormationStackSetsOrgMemberServiceRolePolicy: iam:CreateRole, PutRolePolicy,
 * AttachRolePolicy, … on arn:aws:iam::*:role/stacksets-exec-*; Organizations user guide, "AWS CloudFormation StackSets
 * and AWS Organizations": service principal member.org.stacksets.cloudformation.amazonaws.com). SCPs do not restrict
 * service-linked roles at all (Organizations user guide, "Service control policies", "SCP effects on permissions" and
 * "Tasks and entities not restricted by SCPs"); it is named in the deployment-role statement anyway, so the document
 * says by itself who may create those roles and stays right under any evaluator.
 */
export const STACKSETS_MEMBER_SERVICE_LINKED_ROLE =
  'arn:aws:iam::*:role/aws-service-role/member.org.stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgMember';


/**
 * Destructive or credential-minting changes to the break-glass users (IAM API action names). Left out on purpose, so
 * the documented procedures keep working (README, "After deployment" and "Guardrail SCP"): iam:CreateLoginProfile and
 * iam:EnableMFADevice (an administrator enrols MFA and sets the first password), iam:UpdateLoginProfile (password reset
 * after every use), iam:ResyncMFADevice, iam:DeleteAccessKey (removing a key that should not exist) and
 * iam:ChangePassword (the user changes its own password; it names no target user). Each of those raises the
 * critical user-credentials-changed alert. AddUserToGroup is not here: it is authorized on the group, not the user
 * (Service Authorization Reference, IAM), so a Deny on the user ARN would never match it.
 */
export const USER_TAMPER_ACTIONS = [
  'iam:DeleteUser', 'iam:UpdateUser', 'iam:DeleteLoginProfile', 'iam:CreateAccessKey', 'iam:UpdateAccessKey',
  'iam:DeactivateMFADevice', 'iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy',
  'iam:PutUserPermissionsBoundary', 'iam:DeleteUserPermissionsBoundary', 'iam:CreateServiceSpecificCredential',
  'iam:UploadSSHPublicKey', 'iam:UploadSigningCertificate',
] as const;

/**
 * Changes to the group that carries the users' permissions and to its managed policy: who is in it, what it grants
 * (IAM API action names; AddUserToGroup and RemoveUserFromGroup are authorized on the group, the policy-version calls
 * on the policy: Service Authorization Reference, "Actions, resources, and condition keys for AWS Identity and
 * Access Management"). Each is also alerted (user-credentials-changed).
 */
export const GROUP_TAMPER_ACTIONS = [
  'iam:AddUserToGroup', 'iam:RemoveUserFromGroup', 'iam:DeleteGroup', 'iam:UpdateGroup', 'iam:AttachGroupPolicy',
  'iam:DetachGroupPolicy', 'iam:PutGroupPolicy', 'iam:DeleteGroupPolicy',
  'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy',
] as const;

/**
 * KMS actions that break encryption of the alert path: disabling, scheduling deletion of, or re-writing the policy of a
 * key (KMS API action names). Matched on the key's aliases (kms:ResourceAliases, KMS developer guide, "Use aliases to
 * control access to KMS keys") because key IDs are generated at deploy time; the aliases themselves are protected by
 * KEY_ALIAS_TAMPER_ACTIONS, so a key cannot be unaliased first. kms:CreateGrant is not denied: a grant only adds a
 * user of the key, AWS services create grants on their callers' behalf, and the alert path does not depend on grants.
 */
export const KEY_TAMPER_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy'] as const;
/** Deleting an alias or pointing it at another key (both are authorized on the alias, KMS developer guide, "Controlling access to aliases"). */
export const KEY_ALIAS_TAMPER_ACTIONS = ['kms:DeleteAlias', 'kms:UpdateAlias'] as const;

/**
 * Lambda actions that delete, replace, silence (reserved concurrency 0) or disconnect (resource policy, async
 * destinations) the notifier (Lambda API action names).
 */
export const FUNCTION_TAMPER_ACTIONS = [
  'lambda:DeleteFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency',
  'lambda:AddPermission', 'lambda:RemovePermission', 'lambda:PutFunctionEventInvokeConfig', 'lambda:UpdateFunctionEventInvokeConfig',
  'lambda:DeleteFunctionEventInvokeConfig',
] as const;

/** CloudWatch actions that delete, mute or rewrite an alarm on the alert path (CloudWatch API action names). */
export const ALARM_TAMPER_ACTIONS = ['cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions', 'cloudwatch:PutMetricAlarm'] as const;

/**
 * IAM actions that create a role under a protected name (squatting it before the deployment arrives), change its trust,
 * permissions, boundary, settings or tags, or delete it (IAM API action names).
 */
export const ROLE_TAMPER_ACTIONS = [
  'iam:CreateRole', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
  'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
  'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:TagRole', 'iam:UntagRole',
] as const;

/**
 * What may not be done to a role that carries a deployment-role name, except by the deployment roles themselves: the
 * same as for the break-glass role. Creating one matters most: a member administrator would otherwise create
 * `AWSCloudFormationStackSetExecutionRole` trusting themselves and act as the deployment. iam:CreateServiceLinkedRole is
 * not listed: it creates only roles under /aws-service-role/, never these names.
 */
export const DEPLOYMENT_ROLE_TAMPER_ACTIONS = ROLE_TAMPER_ACTIONS;

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
  /** Name of a trail to protect. @default - no trail statement */
  readonly trailName?: string;
  /**
   * Accounts whose CDK execution role (cdk-*-cfn-exec-role-*) deploys protected resources and is therefore exempt.
   * @default - none: the CDK execution role is exempt nowhere
   */
  readonly cdkDeploymentAccounts?: readonly string[];
  /** The break-glass users and their account, protected against destructive changes. @default - no user statement */
  readonly users?: {
    readonly accountId: string;
    readonly names: readonly string[];
    /** The group that carries the users' permissions. @default - the group is not protected */
    readonly groupName?: string;
    /** The customer managed policy attached to that group. @default - the policy is not protected */
    readonly policyName?: string;
  };
  /** Alias patterns of the KMS keys of the alert path ("alias/breakglass-*"). @default - no key statements */
  readonly keyAliases?: readonly string[];
  /** Name of the notifier function; a trailing * is a wildcard ("breakglass-*"). @default - no function statement */
  readonly functionName?: string;
  /** Name prefix of the alarms on the alert path. @default - no alarm statement */
  readonly alarmPrefix?: string;
  /** Management account: an SCP never restricts it, so naming it as a target is reported. @default - not checked */
  readonly managementAccountId?: string;
  /** @default 'breakglass-guardrail' */
  readonly policyName?: string;
}

type PolicyDocument = { Version: string; Statement: Array<Record<string, unknown>> };

/**
 * A service control policy that keeps the break-glass door and its alarm wired: it denies changing or deleting the
 * break-glass role, the forwarder roles, rules, bus, dead-letter queues, topics, the break-glass users, the keys, the
 * notifier and the alarms to every principal of the target accounts except the roles that deploy breakglass
 * (DEPLOYMENT_ROLE_PATTERNS everywhere, the CDK execution role only in cdkDeploymentAccounts); and it denies creating
 * or changing a role that carries one of those exempt names to everyone but the deployment itself.
 *
 * When the statements do not fit one policy (SCP_MAX_CHARACTERS; e.g. many users with long names) they are split
 * over several policies with the same targets, and a warning says so: AWS attaches at most five SCPs to one target,
 * FullAWSAccess included (Organizations user guide, "Quotas and service limits").
 *
 * Limits worth knowing, also in the README ("Guardrail SCP"):
 * - SCPs do not restrict users or roles in the management account (AWS Organizations user guide, "Service control
 *   policies (SCPs)"; "Delegated administrator for AWS Organizations": "security features like Organizations service
 *   control policies (SCPs) do not restrict users or roles in the management account").
 * - In a CDK deployment account, whoever may deploy with the CDK (assume cdk-*-deploy-role-*, or create a role named
 *   cdk-*-cfn-exec-role-*) acts as the deployment; the alert rules (role-changed, alerting-tampered,
 *   user-credentials-changed) still fire.
 * - Deny statements with a Condition are supported in SCPs; NotPrincipal is not, hence aws:PrincipalArn
 *   (AWS Organizations user guide, "SCP syntax", elements summary).
 */
export class GuardrailScp extends Construct {
  /** The first (usually the only) policy. */
  readonly policy: organizations.CfnPolicy;
  readonly policies: organizations.CfnPolicy[] = [];
  /** The first policy document as deployed (no tokens: the size check is exact). */
  readonly document: PolicyDocument;
  /** Every policy document, each within SCP_MAX_CHARACTERS. */
  readonly documents: PolicyDocument[];

  constructor(scope: Construct, id: string, props: GuardrailScpProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.targetIds.length === 0) problems.push('expected at least one target (root, OU or account ID)');
    const names = [
      props.roleName, props.rulePrefix, props.forwarderRolePrefix, props.centralBusName, ...props.topicNames,
      ...(props.trailName ? [props.trailName] : []), ...(props.cdkDeploymentAccounts ?? []),
      ...(props.users ? [props.users.accountId, ...props.users.names] : []), ...(props.keyAliases ?? []),
      ...(props.functionName ? [props.functionName] : []), ...(props.alarmPrefix ? [props.alarmPrefix] : []),
    ];
    // The document must be literal so its size can be checked here; a token would resolve only at deploy time.
    if ([...names, ...props.targetIds].some((n) => Token.isUnresolved(n))) problems.push('names and targets must be literal strings, not tokens');
    if (problems.length) throw new Error(`GuardrailScp: ${problems.join('; ')}`);

    this.documents = splitDocument(guardrailDocument(props));
    this.document = this.documents[0]!;

    const name = props.policyName ?? 'breakglass-guardrail';
    this.documents.forEach((document, i) => {
      // The first policy keeps the construct ID it always had, so an existing deployment is updated, not replaced.
      this.policies.push(new organizations.CfnPolicy(this, i === 0 ? 'Policy' : `Policy${i + 1}`, {
        name: i === 0 ? name : `${name}-${i + 1}`,
        type: 'SERVICE_CONTROL_POLICY',
        description: `breakglass: only the deployment roles may change the break-glass role, users and alerting resources${this.documents.length > 1 ? ` (part ${i + 1} of ${this.documents.length})` : ''}.`,
        // A JSON object, not a string: CloudFormation cannot detect drift of policy content given as a string
        // (CloudFormation template reference, AWS::Organizations::Policy, Content).
        content: document,
        targetIds: [...props.targetIds],
      }));
    });
    this.policy = this.policies[0]!;

    Annotations.of(this).addWarningV2('breakglass:scp-management-account',
      'Service control policies never restrict the management account: the break-glass role and forwarders there are protected only by IAM and by the alerts.');
    if (props.managementAccountId && props.targetIds.includes(props.managementAccountId)) {
      Annotations.of(this).addWarningV2('breakglass:scp-management-target',
        `Target ${props.managementAccountId} is the management account; the SCP has no effect there.`);
    }
    if (this.documents.length > 1) {
      Annotations.of(this).addWarningV2('breakglass:scp-split',
        `The guardrail needs ${this.documents.length} service control policies per target (${SCP_MAX_CHARACTERS} characters each); AWS attaches at most 5 to one target, FullAWSAccess included.`);
    }
  }
}

/** The whole guardrail as one policy document, before any split (pure; exported for the size and IAM-evaluation tests). */
export function guardrailDocument(p: Omit<GuardrailScpProps, 'targetIds'>): PolicyDocument {
  const exempt = [...DEPLOYMENT_ROLE_PATTERNS, ...(p.cdkDeploymentAccounts ?? []).map(cdkExecutionRolePattern)];
  const unless = (principals: readonly string[]) => ({ ArnNotLike: { 'aws:PrincipalArn': [...principals] } });
  const deny = (sid: string, actions: readonly string[], resources: string[], condition: Record<string, unknown> = unless(exempt)) => ({
    Sid: sid, Effect: 'Deny', Action: [...actions], Resource: resources, Condition: condition,
  });
  // Statements are grouped by service to keep the document small (SCP_MAX_CHARACTERS): an action is only ever
  // authorized against resources of its own type (Service Authorization Reference), so listing several actions and
  // several resources in one statement denies exactly the pairs that can occur, e.g. iam:DeleteRole on the role and
  // iam:CreateAccessKey on the users, never iam:DeleteRole on a user.
  const users = p.users?.names.map((u) => `arn:aws:iam::${p.users!.accountId}:user/${u}`) ?? [];
  const groupAndPolicy = [
    ...(p.users?.groupName ? [`arn:aws:iam::${p.users.accountId}:group/${p.users.groupName}`] : []),
    ...(p.users?.policyName ? [`arn:aws:iam::${p.users.accountId}:policy/${p.users.policyName}`] : []),
  ];
  const statements = [
    deny('ProtectBreakglassIam', [...ROLE_TAMPER_ACTIONS, ...(users.length ? USER_TAMPER_ACTIONS : []), ...(groupAndPolicy.length ? GROUP_TAMPER_ACTIONS : [])], [
      `arn:aws:iam::*:role/${p.roleName}`,
      `arn:aws:iam::*:role/${p.forwarderRolePrefix}*`,
      ...users,
      ...groupAndPolicy,
    ]),
    // Rules on the default bus are rule/<name>, rules on a custom bus rule/<bus>/<name>; both begin with the prefix
    // here because the central bus's name does too (EventBridge user guide, resource ARN formats).
    deny('ProtectBreakglassEvents', [...RULE_TAMPER_ACTIONS, ...BUS_TAMPER_ACTIONS], [
      `arn:aws:events:*:*:rule/${p.rulePrefix}*`,
      `arn:aws:events:*:*:event-bus/${p.centralBusName}`,
    ]),
    deny('ProtectBreakglassDelivery', [
      ...QUEUE_TAMPER_ACTIONS, ...TOPIC_TAMPER_ACTIONS,
      ...(p.keyAliases?.length ? KEY_ALIAS_TAMPER_ACTIONS : []), ...(p.functionName ? FUNCTION_TAMPER_ACTIONS : []),
      ...(p.alarmPrefix ? ALARM_TAMPER_ACTIONS : []),
    ], [
      // Only the dead-letter queues: a temporary queue such as the drill's must stay deletable by its creator.
      `arn:aws:sqs:*:*:${p.rulePrefix}*-dead-letters`,
      ...p.topicNames.map((t) => `arn:aws:sns:*:*:${t}`),
      ...(p.keyAliases ?? []).map((a) => `arn:aws:kms:*:*:${a}`),
      ...(p.functionName ? [`arn:aws:lambda:*:*:function:${p.functionName}`] : []),
      ...(p.alarmPrefix ? [`arn:aws:cloudwatch:*:*:alarm:${p.alarmPrefix}*`] : []),
    ]),
  ];
  if (p.keyAliases?.length) {
    // Key operations are authorized on the key, whose ID is generated at deploy time; ForAnyValue: the Deny applies
    // when any alias of the key matches.
    statements.push(deny('ProtectBreakglassKeys', KEY_TAMPER_ACTIONS, ['*'], {
      ...unless(exempt), 'ForAnyValue:StringLike': { 'kms:ResourceAliases': [...p.keyAliases] },
    }));
  }
  // Nobody but the deployment (and the StackSets service-linked role, which creates stacksets-exec-*) may create or
  // change a role that carries an exempt name: otherwise an administrator creates one and claims the exemption.
  // Role ARNs include the path, and the same patterns are used on both sides, so a role under a path that spells an
  // exempt name (role/stacksets-exec-x/anything) is refused as well.
  statements.push(deny('ProtectDeploymentRoles', DEPLOYMENT_ROLE_TAMPER_ACTIONS, [...DEPLOYMENT_ROLE_PATTERNS],
    unless([...exempt, STACKSETS_MEMBER_SERVICE_LINKED_ROLE])));
  if (p.trailName) statements.push(deny('ProtectBreakglassTrail', TRAIL_TAMPER_ACTIONS, [`arn:aws:cloudtrail:*:*:trail/${p.trailName}`]));
  return { Version: '2012-10-17', Statement: statements };
}

/** Size of a policy as AWS counts it: every character of the minified JSON (see SCP_MAX_CHARACTERS). */
export const policySize = (d: PolicyDocument): number => JSON.stringify(d).length;

/**
 * The statements packed, in order, into as few documents of at most SCP_MAX_CHARACTERS as fit; throws when a single
 * statement is too large for any policy.
 */
export function splitDocument(d: PolicyDocument): PolicyDocument[] {
  const out: PolicyDocument[] = [];
  for (const s of d.Statement) {
    const single = { Version: d.Version, Statement: [s] };
    if (policySize(single) > SCP_MAX_CHARACTERS) {
      throw new Error(`GuardrailScp: statement ${String(s.Sid)} alone is ${policySize(single)} characters; service control policies allow ${SCP_MAX_CHARACTERS}`);
    }
    const last = out.at(-1);
    if (last && policySize({ Version: d.Version, Statement: [...last.Statement, s] }) <= SCP_MAX_CHARACTERS) last.Statement.push(s);
    else out.push(single);
  }
  return out;
}
