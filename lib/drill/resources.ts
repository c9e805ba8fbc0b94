/**
 * The temporary listener of a drill: an SQS queue subscribed to the alert topic, and its removal.
 *
 * - Encryption: SSE-SQS (SqsManagedSseEnabled), keys owned by SQS, so no key policy has to admit SNS; only an SSE-KMS
 *   queue would need sns.amazonaws.com in its key policy (SQS developer guide, "Encryption at rest in Amazon SQS" and
 *   "Key management": configure KMS permissions for AWS services). The topic's own KMS encryption is at rest inside
 *   SNS; SNS decrypts before delivery (SNS developer guide, "Encryption at rest").
 * - Queue policy: only sns.amazonaws.com, only sqs:SendMessage, only from the alert topic (ArnEquals aws:SourceArn),
 *   the documented shape for an SNS-to-SQS subscription (SNS developer guide, "Example cases for Amazon SNS access
 *   control", "Publish messages to an Amazon SQS queue").
 * - Subscription: raw delivery off (the default), so the envelope carries Subject and MessageAttributes.
 *   ReturnSubscriptionArn: the ARN comes back even if the subscription needs confirmation, so teardown can always
 *   remove it; a same-account SQS endpoint is confirmed at once (SNS API reference, Subscribe).
 * - Retention 1 hour: if teardown ever fails, alerts do not linger in a forgotten queue for the default 4 days.
 */
import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient,
} from '@aws-sdk/client-sqs';
import { SubscribeCommand, UnsubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describeAwsError } from '../aws/errors';

export interface DrillResources {
  queueUrl?: string;
  queueArn?: string;
  subscriptionArn?: string;
}

/** A failed AWS call, already described in one line. */
export class DrillAwsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillAwsError';
  }
}

async function call<T>(action: string, profile: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new DrillAwsError(describeAwsError(e, { action, profile }));
  }
}

export const DRILL_QUEUE_RETENTION_SECONDS = 3600;

/** Queue names: up to 80 characters of [A-Za-z0-9_-] (SQS API reference, CreateQueue QueueName). */
export function drillQueueName(id: string): string {
  return `breakglass-drill-${id.toLowerCase()}`;
}

/** Creates queue and subscription, filling `into` as it goes so a failure halfway still tears down what exists. */
export async function createListener(
  clients: { sqs: SQSClient; sns: SNSClient }, topicArn: string, id: string, into: DrillResources, profile?: string,
): Promise<void> {
  const created = await call('sqs:CreateQueue', profile, () => clients.sqs.send(new CreateQueueCommand({
    QueueName: drillQueueName(id),
    Attributes: { SqsManagedSseEnabled: 'true', MessageRetentionPeriod: String(DRILL_QUEUE_RETENTION_SECONDS) },
    tags: { 'breakglass:drill': id, 'breakglass:managed-by': 'breakglass' },
  })));
  into.queueUrl = created.QueueUrl;
  const attrs = await call('sqs:GetQueueAttributes', profile, () => clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: into.queueUrl, AttributeNames: ['QueueArn'] })));
  into.queueArn = attrs.Attributes?.QueueArn;
  if (!into.queueArn) throw new DrillAwsError('sqs:GetQueueAttributes returned no QueueArn for the drill queue');
  await call('sqs:SetQueueAttributes', profile, () => clients.sqs.send(new SetQueueAttributesCommand({
    QueueUrl: into.queueUrl, Attributes: { Policy: JSON.stringify(queuePolicy(into.queueArn!, topicArn)) },
  })));
  const sub = await call('sns:Subscribe', profile, () => clients.sns.send(new SubscribeCommand({
    TopicArn: topicArn, Protocol: 'sqs', Endpoint: into.queueArn, ReturnSubscriptionArn: true,
    Attributes: { RawMessageDelivery: 'false' },
  })));
  into.subscriptionArn = sub.SubscriptionArn;
}

export function queuePolicy(queueArn: string, topicArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'OnlyTheAlertTopic',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
    }],
  };
}

/** Removes the subscription, then the queue. Never throws: every failure is returned, one line each. */
export async function removeListener(clients: { sqs: SQSClient; sns: SNSClient }, r: DrillResources, profile?: string) {
  const errors: string[] = [];
  let unsubscribed = !r.subscriptionArn;
  let queueDeleted = !r.queueUrl;
  if (r.subscriptionArn) {
    try {
      await call('sns:Unsubscribe', profile, () => clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: r.subscriptionArn })));
      unsubscribed = true;
    } catch (e) { errors.push(`${(e as Error).message}; remove subscription ${r.subscriptionArn} by hand`); }
  }
  if (r.queueUrl) {
    try {
      await call('sqs:DeleteQueue', profile, () => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: r.queueUrl })));
      queueDeleted = true;
    } catch (e) { errors.push(`${(e as Error).message}; delete queue ${r.queueUrl} by hand`); }
  }
  return { unsubscribed, queueDeleted, errors };
}
