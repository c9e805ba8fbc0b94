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

export interface Classified {
  readonly kind: InputKind;
  readonly event: Json;
}

/** Classifies one parsed value; returns an error message for anything that is neither. */
export function toEventBridgeEvent(value: unknown): Classified | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `expected a JSON object (a CloudTrail record, an EventBridge event or a CloudTrail log file), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  }
  const v = value as Json;
  if ('detail-type' in v && 'detail' in v && 'source' in v) return { kind: 'eventbridge', event: v };
  if (typeof v.eventSource === 'string' && typeof v.eventName === 'string') {
    const eventType = typeof v.eventType === 'string' ? v.eventType : 'AwsApiCall';
    const src = v.eventSource;
    return {
      kind: 'cloudtrail',
      event: {
        version: '0',
        id: typeof v.eventID === 'string' ? v.eventID : '00000000-0000-0000-0000-000000000000',
        'detail-type': DETAIL_TYPES[eventType] ?? `${eventType} via CloudTrail`,
        source: SOURCE_EXCEPTIONS[src] ?? `aws.${src.split('.')[0]}`,
        account: typeof v.recipientAccountId === 'string' ? v.recipientAccountId : (v.userIdentity as Json | undefined)?.accountId,
        time: v.eventTime,
        region: v.awsRegion,
        resources: [],
        detail: v,
      },
    };
  }
  return { error: 'not a CloudTrail record (no eventSource/eventName), EventBridge event (no source/detail-type/detail) or CloudTrail log file (no Records)' };
}
