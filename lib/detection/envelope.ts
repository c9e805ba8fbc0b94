/**
 * Turns what a user pastes (a CloudTrail record, an EventBridge event, or a log file's record) into the EventBridge
 * event AWS would deliver. CloudTrail-derived events carry: source "aws.<service>", detail-type from the record's
 * eventType, account = recipientAccountId, region = awsRegion, time = eventTime, empty resources, and the record
 * verbatim as detail (EventBridge user guide, "Events from AWS services via AWS CloudTrail",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html).
 */

export type Json = Record<string, unknown>;

const DETAIL_TYPES: Record<string, string> = {
  AwsApiCall: 'AWS API Call via CloudTrail',
  AwsConsoleSignIn: 'AWS Console Sign In via CloudTrail',
  // Some AWS documentation examples spell it with a lower-case "in"; real records use AwsConsoleSignIn.
  AwsConsoleSignin: 'AWS Console Sign In via CloudTrail',
  AwsConsoleAction: 'AWS Console Action via CloudTrail',
  AwsServiceEvent: 'AWS Service Event via CloudTrail',
};

/** Event sources whose EventBridge source is not simply "aws." + the host's first label. */
const SOURCE_EXCEPTIONS: Record<string, string> = {
  'monitoring.amazonaws.com': 'aws.cloudwatch',
};

export type InputKind = 'eventbridge' | 'cloudtrail';

/**
 * A value the record did not carry and the simulation had to assume, with the stated rule that gave it. Reported,
 * never applied silently: `breakglass simulate` prints one line on stderr per assumption and lists them in --json.
 */
export interface Assumption {
  /** The CloudTrail record field that was absent. */
  readonly field: 'recipientAccountId';
  /** What was assumed; null when no value could be assigned (the event then counts as outside the organization). */
  readonly value: string | null;
  /** The rule, in words. */
  readonly rule: string;
}

export interface Classified {
  readonly kind: InputKind;
  readonly event: Json;
  /** Present only when something was assumed. */
  readonly assumptions?: readonly Assumption[];
}

const ACCOUNT = /^\d{12}$/;
const accountOfArn = (v: unknown): string | undefined => {
  const m = typeof v === 'string' ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(v) : null;
  return m?.[1];
};
const objectOf = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Json : undefined);

/**
 * The account whose trail recorded a CloudTrail record: recipientAccountId ("the account ID that received this
 * event", CloudTrail user guide, "CloudTrail record contents"). Some AWS documentation examples and SIEM exports leave
 * it out; then, by rule:
 * 1. userIdentity.type "AWSAccount" is another account's caller, so the record is the copy for the owner of the
 *    resource (IAM user guide, "Logging IAM and AWS STS API calls with AWS CloudTrail", cross-account AssumeRole):
 *    the account in requestParameters.roleArn (the role's owner), else the first resources[].accountId;
 * 2. otherwise the caller's own account, userIdentity.accountId: CloudTrail records a call in the account that made it;
 * 3. otherwise none.
 */
export function recordingAccount(v: Json): { account?: string; assumption?: Assumption } {
  if (typeof v.recipientAccountId === 'string') return { account: v.recipientAccountId };
  const id = objectOf(v.userIdentity);
  const field = 'recipientAccountId' as const;
  if (id?.type === 'AWSAccount') {
    const roleAccount = accountOfArn(objectOf(v.requestParameters)?.roleArn);
    if (roleAccount) return { account: roleAccount, assumption: { field, value: roleAccount, rule: 'the role ARN\'s account: a record whose caller is another account (userIdentity.type AWSAccount) is the role owner\'s copy' } };
    const resources = Array.isArray(v.resources) ? v.resources : [];
    const resourceAccount = resources.map((r) => objectOf(r)?.accountId).find((a): a is string => typeof a === 'string' && ACCOUNT.test(a));
    if (resourceAccount) return { account: resourceAccount, assumption: { field, value: resourceAccount, rule: 'the resource\'s account (resources[].accountId): a record whose caller is another account (userIdentity.type AWSAccount) is the resource owner\'s copy' } };
    return { assumption: { field, value: null, rule: 'none: the caller is another account (userIdentity.type AWSAccount) and the record names no role or resource account; the event counts as outside the organization' } };
  }
  if (typeof id?.accountId === 'string') return { account: id.accountId, assumption: { field, value: id.accountId, rule: 'the caller\'s account (userIdentity.accountId): CloudTrail records a call in the account that made it' } };
  return { assumption: { field, value: null, rule: 'none: the record has no userIdentity.accountId either; the event counts as outside the organization' } };
}


/** Classifies one parsed value; returns an error message for anything that is neither. */
export function toEventBridgeEvent(value: unknown): Classified | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `expected a JSON object (a CloudTrail record, an EventBridge event or a CloudTrail log file), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}` };
  }
  const v = value as Json;
  if ('detail-type' in v && 'detail' in v && 'source' in v) return { kind: 'eventbridge', event: v };
  if (typeof v.eventSource === 'string' && typeof v.eventName === 'string') {
    const eventType = typeof v.eventType === 'string' ? v.eventType : 'AwsApiCall';
    const src = v.eventSource;
    const recorded = recordingAccount(v);
    return {
      kind: 'cloudtrail',
      ...(recorded.assumption ? { assumptions: [recorded.assumption] } : {}),
      event: {
        version: '0',
        id: typeof v.eventID === 'string' ? v.eventID : '00000000-0000-0000-0000-000000000000',
        'detail-type': DETAIL_TYPES[eventType] ?? `${eventType} via CloudTrail`,
        source: SOURCE_EXCEPTIONS[src] ?? `aws.${src.split('.')[0]}`,
        account: recorded.account,
        time: v.eventTime,
        region: v.awsRegion,
        resources: [],
        detail: v,
      },
    };
  }
  return { error: 'not a CloudTrail record (no eventSource/eventName), EventBridge event (no source/detail-type/detail) or CloudTrail log file (no Records)' };
}
