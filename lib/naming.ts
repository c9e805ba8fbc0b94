/**
 * Physical names shared by the deployed resources and the detection rules that watch them.
 * They are fixed (not derived from mutable config) because tamper detection matches on them and because
 * renaming a deployed resource replaces it.
 */
export const NAMES = {
  /** Prefix of every EventBridge rule breakglass creates, in every account and region. */
  rulePrefix: 'breakglass-',
  /** Custom event bus in the security account's home region that receives forwarded events. */
  centralBus: 'breakglass-central',
  /** SNS topic that carries alerts to people. */
  alertTopic: 'breakglass-alerts',
  /** KMS alias of the customer-managed key that encrypts the topic. */
  alertKeyAlias: 'alias/breakglass-alerts',
  /** Second, independent topic for alarms about the alert path itself. */
  operationsTopic: 'breakglass-operations',
  operationsKeyAlias: 'alias/breakglass-operations',
  /** The Lambda that renders and publishes alerts. */
  notifierFunction: 'breakglass-notifier',
  /** DynamoDB table where the notifier keeps each break-glass user's current session (one page per session). */
  sessionTable: 'breakglass-sessions',
  /** Multi-region trail created when cloudTrail.mode is "create". */
  trail: 'breakglass-trail',
  /** IAM role (one per region, IAM names are global) that lets forwarding rules put events on the central bus. */
  forwarderRolePrefix: 'breakglass-forwarder-',
  /** StackSet that carries the member baseline (role + forwarders). */
  memberStackSet: 'breakglass-member-baseline',
  /**
   * IAM group of the break-glass users, which carries their one managed policy (Security Hub IAM.2 / AWS Config
   * iam-user-no-policies-check: "IAM users must inherit permissions from IAM groups or roles").
   */
  usersGroup: 'breakglass-users',
  /** Customer managed policy attached to that group (fixed name, so changes to it can be detected by ARN). */
  usersPolicy: 'breakglass-users',
  /** CloudFormation stack-name prefix used by the CDK app. */
  stackPrefix: 'Breakglass',
} as const;

export const centralRuleName = (ruleId: string): string => `${NAMES.rulePrefix}${ruleId}`;
export const forwarderRuleName = (ruleId: string): string => `${NAMES.rulePrefix}fwd-${ruleId}`;
export const forwarderRoleName = (region: string): string => `${NAMES.forwarderRolePrefix}${region}`;
