/**
 * The rule catalogue: every alert breakglass raises, as data. The same entries build the CDK rules
 * (central bus + forwarders), `breakglass simulate`, and audits. No aws-cdk-lib or AWS SDK here: this module is on
 * the start-up path of the offline commands.
 *
 * Facts the patterns rely on (see docs/detection.md for the full table with sources):
 * - CloudTrail events reach EventBridge as `detail-type` "AWS API Call via CloudTrail" (source aws.<service>) or
 *   "AWS Console Sign In via CloudTrail" (source aws.signin); `detail` is the CloudTrail record verbatim
 *   (EventBridge user guide, "Events from AWS services via AWS CloudTrail",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html).
 *   The guide's own text once printed "Signin" without a space; real events carry "Sign In", so the patterns match on
 *   `source` + `detail.eventSource`/`eventName` and leave `detail-type` out of the sign-in patterns entirely.
 * - Each event is delivered only to the bus of the account and region that recorded it; hence forwarders.
 */
import { GLOBAL_EVENTS_REGION } from '../config/regions';
import { NAMES } from '../naming';
import type { DetectionContext } from './context';

export type Severity = 'critical' | 'high' | 'medium' | 'info';
export type EventPattern = Record<string, unknown>;

export type RuleId =
  | 'console-login' | 'console-login-failure' | 'assume-role' | 'role-assumed' | 'switch-role'
  | 'user-credentials-changed' | 'role-changed' | 'alerting-tampered' | 'root-console-login'
  | 'assume-root' | 'root-activity';

/** Which accounts record the event: the security account, member accounts (incl. management), or both. */
export type AccountScope = 'security' | 'members' | 'all';
/** `all` = every watched region; `global` = only us-east-1, where IAM API events are recorded. */
export type RegionScope = 'all' | 'global';

export interface AlertRule {
  readonly id: RuleId;
  readonly title: string;
  readonly severity: Severity;
  readonly description: string;
  readonly accounts: AccountScope;
  readonly regions: RegionScope;
  /**
   * True for read-only management events (AssumeRole is logged with readOnly: true, IAM user guide "Logging IAM and
   * AWS STS API calls with AWS CloudTrail"). A rule in the plain ENABLED state does not receive read-only
   * management events; the rule state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS does, on default and custom
   * buses (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html).
   */
  readonly readOnlyEvents: boolean;
  readonly pattern: (ctx: DetectionContext) => EventPattern;
}

const API_CALL = 'AWS API Call via CloudTrail';

const userArns = (ctx: DetectionContext) => ctx.userNames.map((u) => `arn:aws:iam::${ctx.securityAccountId}:user/${u}`);

/**
 * A break-glass user as `userIdentity` names it: type IAMUser, the security account's ID and a configured user name
 * (CloudTrail user guide, "CloudTrail userIdentity element": accountId is the account that owns the entity). The
 * identity, not the account of the bus that received the copy, decides.
 */
const breakGlassUser = (ctx: DetectionContext) => ({ type: ['IAMUser'], accountId: [ctx.securityAccountId], userName: [...ctx.userNames] });

/** IAM actions that change how a user authenticates or what it may do (IAM API reference action names). */
export const USER_CREDENTIAL_EVENTS = [
  'CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile', 'ChangePassword',
  'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey',
  'EnableMFADevice', 'DeactivateMFADevice', 'ResyncMFADevice', 'DeleteVirtualMFADevice',
  'AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy',
  'AddUserToGroup', 'RemoveUserFromGroup', 'PutUserPermissionsBoundary', 'DeleteUserPermissionsBoundary',
  'UpdateUser', 'DeleteUser', 'CreateServiceSpecificCredential', 'UploadSSHPublicKey', 'UploadSigningCertificate',
] as const;

/**
 * IAM actions on the break-glass users' group (requestParameters.groupName): its policies, its members, its name and
 * existence. Whoever is added to the group gets the break-glass users' permissions; removing a user or the policy
 * takes them away (IAM API reference action names).
 */
export const USERS_GROUP_EVENTS = [
  'AttachGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy', 'DeleteGroupPolicy',
  'AddUserToGroup', 'RemoveUserFromGroup', 'UpdateGroup', 'DeleteGroup',
] as const;

/** IAM actions that rewrite or delete the users' customer managed policy (requestParameters.policyArn). */
export const USERS_POLICY_EVENTS = ['CreatePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicyVersion', 'DeletePolicy'] as const;

/** ARN of the users' managed policy (fixed name, path "/"). */
export const usersPolicyArn = (ctx: DetectionContext): string => `arn:aws:iam::${ctx.securityAccountId}:policy/${NAMES.usersPolicy}`;

/**
 * EventBridge sources (aws.<service>, the eventSource host's first label: EventBridge user guide, "Events from AWS
 * services via AWS CloudTrail") whose API calls by the root user raise `root-activity`. A pattern may only pin exact
 * aws.* sources (test/alert-path/aws-sources.test.ts: a forged custom event cannot carry one), and a rule's pattern is
 * limited to 4096 characters (EventBridge API reference, PutRule EventPattern), so this is a list, not every service:
 * identity and organization, the services of the centralized-root-access task policies (IAM, S3, SQS), and the
 * services an intruder with root uses first (compute, data, keys, logging, networking, billing). A root call to a
 * service not listed raises nothing here; root-console-login and assume-root still report how the root session began.
 */
export const ROOT_ACTIVITY_SOURCES = [
  'aws.iam', 'aws.sts', 'aws.organizations', 'aws.account', 'aws.sso', 'aws.identitystore', 'aws.signin', 'aws.ram',
  'aws.s3', 'aws.sqs', 'aws.sns', 'aws.kms', 'aws.secretsmanager', 'aws.ssm', 'aws.acm',
  'aws.ec2', 'aws.lambda', 'aws.ecs', 'aws.eks', 'aws.ecr', 'aws.autoscaling', 'aws.elasticloadbalancing', 'aws.cloudshell',
  'aws.rds', 'aws.dynamodb', 'aws.elasticfilesystem', 'aws.backup', 'aws.glacier', 'aws.redshift', 'aws.elasticache',
  'aws.cloudtrail', 'aws.config', 'aws.guardduty', 'aws.securityhub', 'aws.access-analyzer', 'aws.macie2', 'aws.inspector2',
  'aws.detective', 'aws.events', 'aws.logs', 'aws.monitoring', 'aws.cloudwatch', 'aws.cloudformation', 'aws.controltower',
  'aws.servicecatalog', 'aws.route53', 'aws.route53domains', 'aws.cloudfront', 'aws.wafv2', 'aws.shield', 'aws.apigateway',
  'aws.cognito-idp', 'aws.support', 'aws.ce', 'aws.budgets', 'aws.bedrock', 'aws.sagemaker',
] as const;

/** IAM actions that change the trust, permissions or existence of a role (requestParameters.roleName). */
export const ROLE_CHANGE_EVENTS = [
  'CreateRole', 'DeleteRole', 'UpdateRole', 'UpdateAssumeRolePolicy',
  'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePolicy', 'DeleteRolePolicy',
  'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary',
] as const;

export const CATALOGUE: readonly AlertRule[] = [
  {
    id: 'console-login',
    title: 'Break-glass console sign-in',
    severity: 'critical',
    description: 'A break-glass user signed in to the AWS console. Someone has broken the glass: confirm it is a declared emergency.',
    accounts: 'security',
    // IAM-user sign-in is recorded in the region of the sign-in endpoint (us-east-1, us-east-2, eu-north-1,
    // ap-southeast-2 for the global endpoint, or any region's endpoint): CloudTrail user guide, "AWS console sign-in events".
    regions: 'all',
    readOnlyEvents: false,
    pattern: (ctx) => ({
      source: ['aws.signin'],
      detail: {
        eventSource: ['signin.amazonaws.com'],
        eventName: ['ConsoleLogin'],
        // The user is its identity: account + user name (userName, not arn: failed sign-ins carry no arn, but they do
        // carry accountId; CloudTrail user guide, console sign-in examples). Not the account whose copy is read.
        userIdentity: breakGlassUser(ctx),
        responseElements: { ConsoleLogin: ['Success'] },
      },
    }),
  },
  {
    id: 'console-login-failure',
    title: 'Failed break-glass console sign-in',
    severity: 'high',
    description: 'A console sign-in with a break-glass user name failed. Someone may be guessing the password, or a holder is struggling to get in.',
    accounts: 'security',
    regions: 'all',
    readOnlyEvents: false,
    pattern: (ctx) => ({
      source: ['aws.signin'],
      detail: {
        eventSource: ['signin.amazonaws.com'],
        eventName: ['ConsoleLogin'],
        userIdentity: breakGlassUser(ctx),
        responseElements: { ConsoleLogin: ['Failure'] },
      },
    }),
  },
  {
    id: 'assume-role',
    title: 'Break-glass user assumed a role',
    severity: 'critical',
    description: 'A break-glass user called sts:AssumeRole (CLI, SDK or console switch), including denied attempts. This is the caller-side record, which names the user.',
    // The caller is identified by its identity (type IAMUser, account S, user name), never by the account whose copy
    // is read: the caller-side record is normally the security account's, but copies naming another account as
    // recipient exist in public samples, so the rule runs wherever a copy can be recorded. No duplicate for a
    // cross-account call: the role owner's copy carries userIdentity.type "AWSAccount" (IAM user guide, "Logging IAM
    // and AWS STS API calls with AWS CloudTrail", cross-account example), which this pattern does not match.
    accounts: 'all',
    // Regional STS endpoints log in their region; the global endpoint logs in us-east-1 (same page). Denied
    // cross-account calls are logged only in the caller's account.
    regions: 'all',
    readOnlyEvents: true,
    pattern: (ctx) => ({
      source: ['aws.sts'],
      'detail-type': [API_CALL],
      detail: {
        eventSource: ['sts.amazonaws.com'],
        eventName: ['AssumeRole'],
        userIdentity: breakGlassUser(ctx),
      },
    }),
  },
  {
    id: 'role-assumed',
    title: 'Break-glass role assumed',
    severity: 'critical',
    description: 'The break-glass role was assumed. This is the copy CloudTrail delivers to the account that owns the role, so it is seen even if the security account is compromised.',
    // Cross-account AssumeRole is also recorded in the role owner's account with userIdentity.type "AWSAccount"
    // (IAM user guide, CloudTrail integration, cross-account example); EventBridge delivers it to the resource
    // owner's bus (EventBridge user guide, "Events from AWS services", since April 2021).
    accounts: 'members',
    regions: 'all',
    readOnlyEvents: true,
    pattern: (ctx) => ({
      source: ['aws.sts'],
      'detail-type': [API_CALL],
      account: [{ 'anything-but': ctx.securityAccountId }],
      detail: {
        eventSource: ['sts.amazonaws.com'],
        eventName: ['AssumeRole'],
        requestParameters: { roleArn: [{ wildcard: `arn:aws:iam::*:role/${ctx.roleName}` }] },
      },
    }),
  },
  {
    id: 'switch-role',
    title: 'Console switch into the break-glass role',
    severity: 'critical',
    description: 'Someone switched roles in the console into the break-glass role. The event is recorded in the member account; SwitchFrom names the break-glass user.',
    // SwitchRole is recorded in the target (role-owning) account with userIdentity.type AssumedRole and
    // additionalEventData.SwitchFrom = the source user ARN; this is why a rule in the security account never fires.
    accounts: 'members',
    regions: 'all',
    readOnlyEvents: false,
    pattern: (ctx) => ({
      source: ['aws.signin'],
      detail: {
        eventSource: ['signin.amazonaws.com'],
        eventName: ['SwitchRole'],
        $or: [
          { additionalEventData: { SwitchFrom: userArns(ctx) } },
          { userIdentity: { arn: [{ wildcard: `arn:aws:sts::*:assumed-role/${ctx.roleName}/*` }] } },
        ],
      },
    }),
  },
  {
    id: 'user-credentials-changed',
    title: 'Break-glass user credentials or permissions changed',
    severity: 'critical',
    description: 'The password, access keys, MFA devices, policies or groups of a break-glass user changed, or the break-glass group, its members or its managed policy. Check that this was a planned rotation; an access key on a break-glass user should never exist.',
    accounts: 'security',
    // IAM API calls are recorded in us-east-1 (CloudTrail user guide, "Global service events"). The forwarders run in
    // every watched region anyway: in the security account alone that costs nothing (no event, no delivery) and it
    // keeps the rule working should AWS record IAM elsewhere (docs/detection.md, "Decisions").
    regions: 'all',
    readOnlyEvents: false,
    pattern: (ctx) => ({
      source: ['aws.iam'],
      'detail-type': [API_CALL],
      // IAM records a change to a user, group or policy in the account that owns it; the users, their group and
      // their policy are the security account's.
      account: [ctx.securityAccountId],
      detail: {
        eventSource: ['iam.amazonaws.com'],
        // One list of event names (a pattern may hold at most 4096 characters: EventBridge API reference, PutRule),
        // and the branches name what was changed. Each branch is specific to its target, so mixing them matches
        // nothing unwanted (attaching the users' policy to someone else, say, is worth the alert).
        eventName: [...new Set<string>([...USER_CREDENTIAL_EVENTS, ...USERS_GROUP_EVENTS, ...USERS_POLICY_EVENTS])],
        $or: [
          { requestParameters: { userName: [...ctx.userNames] } },
          // A user acting on itself (ChangePassword, self-service CreateAccessKey) names no target user:
          // ChangePassword has requestParameters null; the actor is the user.
          { userIdentity: breakGlassUser(ctx) },
          // DeleteVirtualMFADevice carries only the device serial number.
          { requestParameters: { serialNumber: ctx.userNames.map((u) => ({ prefix: `arn:aws:iam::${ctx.securityAccountId}:mfa/${u}` })) } },
          // The group that carries the users' permissions, and who is in it.
          { requestParameters: { groupName: [NAMES.usersGroup] } },
          // The users' managed policy: a new default version rewrites what the users may do.
          { requestParameters: { policyArn: [usersPolicyArn(ctx)] } },
        ],
      },
    }),
  },
  {
    id: 'role-changed',
    title: 'Break-glass role changed',
    severity: 'high',
    description: 'The trust policy, permissions or existence of the break-glass role changed. Expected only during a breakglass deployment.',
    accounts: 'all',
    regions: 'global',
    readOnlyEvents: false,
    pattern: (ctx) => ({
      source: ['aws.iam'],
      'detail-type': [API_CALL],
      detail: {
        eventSource: ['iam.amazonaws.com'],
        eventName: [...ROLE_CHANGE_EVENTS],
        requestParameters: { roleName: [ctx.roleName] },
      },
    }),
  },
  {
    id: 'alerting-tampered',
    title: 'Break-glass alerting changed',
    severity: 'critical',
    description: 'Part of the alert path changed: an EventBridge rule or target, an alert topic or its subscriptions, a KMS key, a CloudTrail trail, the notifier function, a dead-letter queue, an alarm, or the member StackSet. A disabled alert path hides the next break-glass use.',
    accounts: 'all',
    regions: 'all',
    readOnlyEvents: false,
    pattern: (ctx) => {
      // Every breakglass topic (alerts, operations, chat) starts with this prefix; subscription ARNs are the topic ARN
      // followed by ":" and an ID, so the prefix covers them too.
      const topicArnPrefix = `arn:aws:sns:${ctx.homeRegion}:${ctx.securityAccountId}:${NAMES.alertTopic.split('-')[0]}-`;
      const ours = [{ prefix: NAMES.rulePrefix }];
      return {
        // Only AWS sets sources starting with "aws." (PutEvents refuses them: NotAuthorizedForSourceException,
        // EventBridge API reference, "PutEventsResultEntry"); without this, any event with a matching detail from
        // any source would raise a critical alert. One exact source per service below (EventBridge events
        // reference, "<service> events delivered via AWS CloudTrail": aws.<service>). CloudWatch API calls: that
        // reference gives aws.monitoring, while CloudWatch's own alarm events use aws.cloudwatch; both are listed,
        // and both are reserved to AWS.
        source: ['aws.events', 'aws.sns', 'aws.kms', 'aws.cloudtrail', 'aws.iam', 'aws.cloudformation', 'aws.lambda', 'aws.sqs', 'aws.monitoring', 'aws.cloudwatch'],
        'detail-type': [API_CALL],
        detail: {
          $or: [
            // EventBridge rules and targets (DeleteRule/DisableRule/PutRule take `name`, RemoveTargets/PutTargets `rule`).
            { eventSource: ['events.amazonaws.com'], eventName: ['DeleteRule', 'DisableRule', 'PutRule'], requestParameters: { name: ours } },
            { eventSource: ['events.amazonaws.com'], eventName: ['RemoveTargets', 'PutTargets'], requestParameters: { rule: ours } },
            { eventSource: ['events.amazonaws.com'], eventName: ['DeleteEventBus', 'PutPermission', 'RemovePermission'], requestParameters: { name: [NAMES.centralBus] } },
            { eventSource: ['sns.amazonaws.com'], eventName: ['DeleteTopic', 'SetTopicAttributes', 'RemovePermission', 'AddPermission', 'Unsubscribe', 'SetSubscriptionAttributes'], requestParameters: { topicArn: [{ prefix: topicArnPrefix }] } },
            { eventSource: ['sns.amazonaws.com'], eventName: ['Unsubscribe', 'SetSubscriptionAttributes'], requestParameters: { subscriptionArn: [{ prefix: topicArnPrefix }] } },
            // KMS key IDs are generated at deploy time, so any key-disabling call in the security account counts.
            { eventSource: ['kms.amazonaws.com'], eventName: ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy'], recipientAccountId: [ctx.securityAccountId] },
            { eventSource: ['kms.amazonaws.com'], eventName: ['DeleteAlias', 'UpdateAlias'], requestParameters: { aliasName: [NAMES.alertKeyAlias, NAMES.operationsKeyAlias] } },
            // Without a logging trail, EventBridge receives no CloudTrail events at all (EventBridge user guide,
            // "Events from AWS services via AWS CloudTrail"); any trail being stopped anywhere is tampering.
            { eventSource: ['cloudtrail.amazonaws.com'], eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'] },
            { eventSource: ['iam.amazonaws.com'], eventName: [...ROLE_CHANGE_EVENTS], requestParameters: { roleName: [{ prefix: NAMES.forwarderRolePrefix }] } },
            { eventSource: ['cloudformation.amazonaws.com'], eventName: ['DeleteStackSet', 'UpdateStackSet', 'DeleteStackInstances'], requestParameters: { stackSetName: [{ prefix: NAMES.memberStackSet }] } },
            // The notifier: Lambda records API versions in event names (e.g. UpdateFunctionCode20150331v2), and
            // functionName may be a name or an ARN. Reserved concurrency 0 silently disables a function.
            {
              eventSource: ['lambda.amazonaws.com'],
              eventName: ['DeleteFunction', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'PutFunctionConcurrency', 'RemovePermission', 'AddPermission'].map((n) => ({ prefix: n })),
              requestParameters: { functionName: [{ prefix: NAMES.notifierFunction }, { wildcard: `arn:aws*:lambda:*:function:${NAMES.notifierFunction}*` }] },
            },
            // Dead-letter queues and the alarms on the alert path (CloudWatch records eventSource monitoring.amazonaws.com).
            { eventSource: ['sqs.amazonaws.com'], eventName: ['DeleteQueue', 'PurgeQueue', 'SetQueueAttributes'], requestParameters: { queueUrl: [{ wildcard: `*/${NAMES.rulePrefix}*` }] } },
            { eventSource: ['monitoring.amazonaws.com'], eventName: ['DeleteAlarms', 'DisableAlarmActions', 'PutMetricAlarm'], requestParameters: { alarmNames: ours } },
            { eventSource: ['monitoring.amazonaws.com'], eventName: ['PutMetricAlarm'], requestParameters: { alarmName: ours } },
          ],
        },
      };
    },
  },
  {
    id: 'root-console-login',
    title: 'Root user console sign-in',
    severity: 'critical',
    description: 'The root user of an account signed in to the console. Root sign-in bypasses every IAM control, including the break-glass role.',
    accounts: 'all',
    // Root sign-in with the root password is recorded in us-east-1 (CloudTrail user guide, "AWS console sign-in
    // events"), but a console session from centralized root access is not: "CloudTrail records ConsoleLogin events in
    // the Region specified for the endpoint" (IAM user guide, "Track privileged tasks in AWS CloudTrail"). Hence every
    // watched region.
    regions: 'all',
    readOnlyEvents: false,
    pattern: () => ({
      source: ['aws.signin'],
      detail: {
        eventSource: ['signin.amazonaws.com'],
        eventName: ['ConsoleLogin'],
        userIdentity: { type: ['Root'] },
      },
    }),
  },
  {
    id: 'assume-root',
    title: 'Root session requested (AssumeRoot)',
    severity: 'critical',
    description: 'A principal called sts:AssumeRoot: centralized root access hands out a root session (at most 15 minutes, scoped by a task policy) in a member account. Such a session never signs in to the console, so only this call and the root activity it causes show it.',
    // AssumeRoot may be called only from the management account or the IAM delegated administrator, with their
    // credentials (STS API reference, AssumeRoot), and is recorded there: the record's userIdentity is the caller
    // in that account, requestParameters name targetPrincipal and taskPolicyArn (IAM user guide, "Track privileged
    // tasks in AWS CloudTrail"). Which member account is the IAM delegated administrator is not in the config, so the
    // rule runs in every account; refused calls from any other account are worth an alert too.
    accounts: 'all',
    // "The STS global endpoint is not supported for AssumeRoot. You must send this request to a Regional STS
    // endpoint" (STS API reference, AssumeRoot); the call is recorded in that region (same IAM page: awsRegion
    // us-west-2 in its example). Any watched region.
    regions: 'all',
    // The AWS pages do not say whether AssumeRoot is logged read-only (AssumeRole is). The rule state
    // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS receives read-only and write events alike.
    readOnlyEvents: true,
    pattern: () => ({
      source: ['aws.sts'],
      'detail-type': [API_CALL],
      detail: {
        eventSource: ['sts.amazonaws.com'],
        eventName: ['AssumeRoot'],
        // The caller's own record. Root credentials cannot call AssumeRoot (STS API reference); a copy delivered to
        // another account would name the caller as "AWSAccount", as the role owner's AssumeRole copy does, and is
        // left out so one call raises one alert.
        userIdentity: { type: ['IAMUser', 'AssumedRole', 'FederatedUser'] },
      },
    }),
  },
  {
    id: 'root-activity',
    title: 'Root user API activity',
    severity: 'critical',
    description: 'The root user of an account made an API call: with root credentials, with root access keys, or in a root session from centralized root access (sts:AssumeRoot). Root bypasses every IAM control; console sign-in is reported separately.',
    // Calls made with root credentials are recorded in that account, in the region of the service endpoint (IAM in
    // us-east-1); root sessions from AssumeRoot act in the member account named as targetPrincipal (IAM user guide,
    // "Track privileged tasks in AWS CloudTrail"). Every account, every watched region.
    accounts: 'all',
    regions: 'all',
    // Reading is activity too (an intruder with root keys starts with List*/Get*): read-only events are received.
    readOnlyEvents: true,
    pattern: () => ({
      source: [...ROOT_ACTIVITY_SOURCES],
      // API calls only: sign-ins ("AWS Console Sign In via CloudTrail") are root-console-login's.
      'detail-type': [API_CALL],
      detail: {
        // As the CIS AWS Foundations root-usage filter (Security Hub CloudWatch.1): userIdentity.type "Root", not
        // invoked by an AWS service on the root user's behalf (invokedBy absent).
        userIdentity: { type: ['Root'], invokedBy: [{ exists: false }] },
      },
    }),
  },
];

export function ruleById(id: string): AlertRule | undefined {
  return CATALOGUE.find((r) => r.id === id);
}

/** Regions where the rule must run, given the watched regions. */
export function regionsFor(rule: AlertRule, ctx: DetectionContext): readonly string[] {
  return rule.regions === 'global' ? ctx.regions.filter((r) => r === GLOBAL_EVENTS_REGION) : ctx.regions;
}

/** Rules that must have a forwarder in this kind of account. */
export function rulesForAccountKind(kind: 'security' | 'member'): readonly AlertRule[] {
  return CATALOGUE.filter((r) => r.accounts === 'all' || (kind === 'security' ? r.accounts === 'security' : r.accounts === 'members'));
}
