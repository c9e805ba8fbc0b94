/**
 * The notifier Lambda: turns a matched event into a readable alert and publishes it to the alert topic (text, for
 * email and HTTPS) and, when chat channels are configured, to the chat topic (AWS Chatbot custom-notification JSON).
 *
 * Input comes from the central rules through an input transformer, {"rule": "<rule name>", "event": <event>},
 * using the predefined variables aws.events.rule-name and aws.events.event.json (EventBridge user guide, "Amazon
 * EventBridge input transformation", predefined variables).
 * Errors are thrown, never swallowed: EventBridge retries and dead-letters the event, Lambda's own async retries and
 * on-failure destination catch the rest, and both are alarmed (docs/decisions/0001-alert-messages.md).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ruleById } from '../detection/catalogue';
import { NAMES } from '../naming';
import { severitiesAtLeast } from './severity';
import { renderHeartbeat, renderNotification } from './render';

export interface NotifierInput {
  readonly rule: string;
  readonly event: Record<string, unknown>;
}

export interface NotifierEnv {
  readonly alertTopicArn: string;
  /** Chat topics with the lowest severity each carries (severity routing for Slack/Teams via AWS Chatbot). */
  readonly chatTopics: ReadonlyArray<{ arn: string; minSeverity: string }>;
  readonly accountNames: Record<string, string>;
  readonly runbookUrl?: string;
  readonly heartbeatPeriod: 'daily' | 'weekly';
}



export const HEARTBEAT_RULE_ID = 'heartbeat';

export function envFromProcess(env: NodeJS.ProcessEnv = process.env): NotifierEnv {
  if (!env.ALERT_TOPIC_ARN) throw new Error('ALERT_TOPIC_ARN is not set');
  return {
    alertTopicArn: env.ALERT_TOPIC_ARN,
    chatTopics: env.CHAT_TOPICS ? JSON.parse(env.CHAT_TOPICS) as NotifierEnv['chatTopics'] : [],
    accountNames: env.ACCOUNT_NAMES ? JSON.parse(env.ACCOUNT_NAMES) as Record<string, string> : {},
    runbookUrl: env.RUNBOOK_URL || undefined,
    heartbeatPeriod: env.HEARTBEAT_PERIOD === 'daily' ? 'daily' : 'weekly',
  };
}

/** Builds the SNS messages for one input; pure, so it is tested without AWS. */
export function messagesFor(input: NotifierInput, env: NotifierEnv): Array<{ topicArn: string; subject: string | undefined; message: string; severity: string; rule: string }> {
  const id = String(input.rule ?? '').startsWith(NAMES.rulePrefix) ? input.rule.slice(NAMES.rulePrefix.length) : input.rule;
  const options = { accountNames: env.accountNames, runbookUrl: env.runbookUrl };
  let rendered: { subject: string; message: string; chat: unknown };
  let severity: string;
  if (id === HEARTBEAT_RULE_ID) {
    rendered = renderHeartbeat(String(input.event?.time ?? new Date().toISOString()), { ...options, period: env.heartbeatPeriod });
    severity = 'info';
  } else {
    const rule = ruleById(id);
    if (!rule) throw new Error(`unknown rule "${input.rule}": the notifier and the rules come from different versions`);
    rendered = renderNotification(input.event, rule, options);
    severity = rule.severity;
  }
  const out: ReturnType<typeof messagesFor> = [{ topicArn: env.alertTopicArn, subject: rendered.subject, message: rendered.message, severity, rule: id }];
  for (const chat of env.chatTopics) {
    if (severitiesAtLeast(chat.minSeverity).includes(severity)) out.push({ topicArn: chat.arn, subject: undefined, message: JSON.stringify(rendered.chat), severity, rule: id });
  }
  return out;
}

let client: SNSClient | undefined;

export async function handler(input: NotifierInput): Promise<{ published: number }> {
  const env = envFromProcess();
  client ??= new SNSClient({});
  const messages = messagesFor(input, env);
  for (const m of messages) {
    await client.send(new PublishCommand({
      TopicArn: m.topicArn,
      Subject: m.subject,
      Message: m.message,
      // Subscriptions filter on severity (routing by severity, e.g. paging only for critical).
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: m.severity },
        rule: { DataType: 'String', StringValue: m.rule },
      },
    }));
  }
  return { published: messages.length };
}
