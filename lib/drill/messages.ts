/**
 * Reading what arrives on the drill queue. With raw message delivery off, SNS wraps each message in a JSON envelope
 * with Type, MessageId, TopicArn, Subject, Message, Timestamp and MessageAttributes ({Type, Value} per attribute)
 * (SNS developer guide, "Amazon SNS message and JSON formats", notification message body). SQS adds SentTimestamp,
 * epoch milliseconds when the queue received the message (SQS API reference, ReceiveMessage,
 * MessageSystemAttributeNames).
 */
import { identifyRule } from './expected';

export interface ReceivedAlert {
  /** Rule id, when it could be identified. */
  readonly rule?: string;
  readonly subject?: string;
  readonly severity?: string;
  readonly snsMessageId?: string;
  /** When the queue received it (SQS SentTimestamp), ISO-8601. */
  readonly receivedAt: string;
  /** When SNS accepted the publish (envelope Timestamp), ISO-8601. */
  readonly publishedAt?: string;
  /** The CloudTrail event time printed in the alert, ISO-8601, when the text carries one. */
  readonly eventTime?: string;
  /** The IAM user ARN on the alert's "User:" line, when it names one (which break-glass user the drill exercised). */
  readonly userArn?: string;
}

export type QueueItem =
  | { readonly kind: 'alert'; readonly alert: ReceivedAlert }
  | { readonly kind: 'subscription-confirmation'; readonly token: string; readonly topicArn?: string }
  | { readonly kind: 'other'; readonly note: string };

/**
 * The alert text prints the event time on a "Time:" line as "YYYY-MM-DD HH:MM:SS UTC" (lib/notify/render-facts.ts
 * formatUtc); whole seconds, so a latency measured from it can be up to a second too long, never too short.
 */
const EVENT_TIME_LINE = /^\s+Time:\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC\s*$/m;

/**
 * The alert text names the IAM user on a "User:" line as "NAME (ARN)" when the record carries the user's ARN
 * (lib/notify/render-facts.ts; test/golden/console-login.complete.txt). IAM user names are [\w+=,.@-] (IAM API
 * Reference, User UserName), paths add "/".
 */
const USER_LINE = /^\s+User:\s+\S+ \((arn:aws[a-z-]*:iam::\d{12}:user\/[\w+=,.@/-]+)\)\s*$/m;

export function parseQueueMessage(body: string | undefined, sentTimestamp: string | undefined, now: () => number = Date.now): QueueItem {
  let env: any;
  try {
    env = JSON.parse(body ?? '');
  } catch {
    return { kind: 'other', note: 'a message that is not an SNS envelope (raw delivery on, or not from SNS)' };
  }
  if (env?.Type === 'SubscriptionConfirmation' && typeof env.Token === 'string') {
    return { kind: 'subscription-confirmation', token: env.Token, topicArn: env.TopicArn };
  }
  if (env?.Type !== 'Notification') return { kind: 'other', note: `an SNS message of type ${String(env?.Type)}` };
  const attr = (name: string): string | undefined => {
    const v = env.MessageAttributes?.[name]?.Value;
    return typeof v === 'string' ? v : undefined;
  };
  const sent = Number(sentTimestamp);
  const receivedAt = new Date(Number.isFinite(sent) && sent > 0 ? sent : now()).toISOString();
  const m = typeof env.Message === 'string' ? EVENT_TIME_LINE.exec(env.Message) : null;
  const user = typeof env.Message === 'string' ? USER_LINE.exec(env.Message) : null;
  const subject = typeof env.Subject === 'string' ? env.Subject : undefined;
  return {
    kind: 'alert',
    alert: {
      rule: identifyRule(attr('rule'), subject),
      subject,
      severity: attr('severity'),
      snsMessageId: typeof env.MessageId === 'string' ? env.MessageId : undefined,
      receivedAt,
      publishedAt: typeof env.Timestamp === 'string' ? env.Timestamp : undefined,
      eventTime: m ? `${m[1]}T${m[2]}Z` : undefined,
      ...(user ? { userArn: user[1] } : {}),
    },
  };
}
