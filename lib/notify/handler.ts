/**
 * The notifier Lambda: turns a matched event into a readable alert and publishes it to the alert topic (text, for
 * email and HTTPS) and, when chat channels are configured, to the chat topic (AWS Chatbot custom-notification JSON).
 *
 * Input comes from the central rules through an input transformer, {"rule": "<rule name>", "event": <event>},
 * using the predefined variables aws.events.rule-name and aws.events.event.json (EventBridge user guide, "Amazon
 * EventBridge input transformation", predefined variables).
 * Errors are thrown, never swallowed: EventBridge retries and dead-letters the event, Lambda's own async retries and
 * on-failure destination catch the rest, and both are alarmed (docs/decisions/0001-alert-messages.md). The one
 * exception is the session store (docs/decisions/0005-one-page-per-session.md): when it fails, the alert pages.
 *
 * One page per session: alerts of a break-glass session (./session-key.ts) carry the message attributes
 * `sessionKey` and `page` ("true" for the first alert of a session and for every alert of no session, "false" for
 * follow-ups). Every message carries `page`, because an SNS filter policy that names an attribute does not match a
 * message without it (SNS developer guide, "Amazon SNS subscription filter policies": each property name of the
 * policy must match a message attribute name); the HTTPS (paging) subscriptions require page = "true", email and chat
 * receive everything (lib/constructs/alert-topic.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetUserCommand, IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ruleById } from '../detection/catalogue';
import { NAMES } from '../naming';
import { drillLines, readDrillFacts, type DrillLine, type IamReader } from './drill-status';
import { severitiesAtLeast } from './severity';
import { renderHeartbeat, renderNotification } from './render';
import { resolveSession, sessionFactsOf, SESSIONLESS, type SessionOutcome, type SessionScope, type SessionStore } from './session-key';
import { DynamoDbSessionStore } from './session-store-dynamodb';

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
  /** Session tracking (one page per session); absent: every alert pages, none has a session. */
  readonly sessions?: { readonly table: string; readonly scope: SessionScope; readonly windowMs: number };
  /** Users whose drill dates the heartbeat reports (DRILL_USERS); empty: no drill paragraph. */
  readonly drillUsers?: readonly string[];
}

export const HEARTBEAT_RULE_ID = 'heartbeat';

/** The session settings, or undefined (every alert pages) when they are absent or unreadable: logged, never fatal. */
function sessionsFromEnv(env: NodeJS.ProcessEnv): NotifierEnv['sessions'] {
  if (!env.SESSION_TABLE) return undefined;
  try {
    const users = JSON.parse(env.BREAKGLASS_USERS ?? '') as unknown;
    const windowSeconds = Number(env.SESSION_WINDOW_SECONDS);
    if (!Array.isArray(users) || !users.every((u) => typeof u === 'string') || !/^\d{12}$/.test(env.SECURITY_ACCOUNT_ID ?? '')
      || !env.BREAKGLASS_ROLE_NAME || !(windowSeconds > 0)) throw new Error('incomplete');
    return {
      table: env.SESSION_TABLE,
      scope: {
        securityAccountId: env.SECURITY_ACCOUNT_ID!, userNames: users as string[], roleName: env.BREAKGLASS_ROLE_NAME,
        sessionNameIsUserName: env.SESSION_NAME_IS_USER_NAME !== 'false',
      },
      windowMs: windowSeconds * 1000,
    };
  } catch {
    console.error(JSON.stringify({ message: 'session settings unreadable: every alert pages', variables: ['SESSION_TABLE', 'BREAKGLASS_USERS', 'SECURITY_ACCOUNT_ID', 'BREAKGLASS_ROLE_NAME', 'SESSION_WINDOW_SECONDS'] }));
    return undefined;
  }
}

export function envFromProcess(env: NodeJS.ProcessEnv = process.env): NotifierEnv {
  if (!env.ALERT_TOPIC_ARN) throw new Error('ALERT_TOPIC_ARN is not set');
  const sessions = sessionsFromEnv(env);
  return {
    alertTopicArn: env.ALERT_TOPIC_ARN,
    chatTopics: env.CHAT_TOPICS ? JSON.parse(env.CHAT_TOPICS) as NotifierEnv['chatTopics'] : [],
    accountNames: env.ACCOUNT_NAMES ? JSON.parse(env.ACCOUNT_NAMES) as Record<string, string> : {},
    runbookUrl: env.RUNBOOK_URL || undefined,
    heartbeatPeriod: env.HEARTBEAT_PERIOD === 'daily' ? 'daily' : 'weekly',
    drillUsers: drillUsersFromEnv(env),
    ...(sessions ? { sessions } : {}),
  };
}

/** The catalogue rule ID of an input ("breakglass-console-login" -> "console-login"). */
export function ruleIdOf(input: NotifierInput): string {
  return String(input.rule ?? '').startsWith(NAMES.rulePrefix) ? input.rule.slice(NAMES.rulePrefix.length) : input.rule;
}

export interface OutgoingMessage {
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
  readonly severity: string;
  readonly rule: string;
  /** "true" pages (the HTTPS subscriptions' filter), "false" is a follow-up of a session that already paged. */
  readonly page: 'true' | 'false';
  readonly sessionKey?: string;
}

function drillUsersFromEnv(env: NodeJS.ProcessEnv): string[] {
  try {
    const users = JSON.parse(env.DRILL_USERS ?? '[]') as unknown;
    if (Array.isArray(users) && users.every((u) => typeof u === 'string')) return users;
  } catch { /* reported below */ }
  console.error(JSON.stringify({ message: 'DRILL_USERS unreadable: the heartbeat leaves out the drill dates' }));
  return [];
}

/**
 * Builds the SNS messages for one input, its session decision and (heartbeat) the drill dates; pure, so it is tested
 * without AWS.
 */
export function messagesFor(input: NotifierInput, env: NotifierEnv, session: SessionOutcome = SESSIONLESS, drills?: readonly DrillLine[]): OutgoingMessage[] {
  const id = ruleIdOf(input);
  const options = { accountNames: env.accountNames, runbookUrl: env.runbookUrl };
  let rendered: { subject: string; message: string; chat: unknown };
  let severity: string;
  if (id === HEARTBEAT_RULE_ID) {
    rendered = renderHeartbeat(String(input.event?.time ?? new Date().toISOString()), { ...options, period: env.heartbeatPeriod, ...(drills?.length ? { drills } : {}) });
    severity = 'info';
  } else {
    const rule = ruleById(id);
    if (!rule) throw new Error(`unknown rule "${input.rule}": the notifier and the rules come from different versions`);
    rendered = renderNotification(input.event, rule, { ...options, ...(session.status !== 'sessionless' ? { session } : {}) });
    severity = rule.severity;
  }
  const page = session.page ? 'true' : 'false';
  const common = { severity, rule: id, page, ...(session.key ? { sessionKey: session.key } : {}) } as const;
  const out: OutgoingMessage[] = [{ topicArn: env.alertTopicArn, subject: rendered.subject, message: rendered.message, ...common }];
  for (const chat of env.chatTopics) {
    if (severitiesAtLeast(chat.minSeverity).includes(severity)) out.push({ topicArn: chat.arn, subject: undefined, message: JSON.stringify(rendered.chat), ...common });
  }
  return out;
}

/** The session decision for one input: sessionless unless sessions are configured and the alert names a user session. */
export async function sessionFor(input: NotifierInput, env: NotifierEnv, store: SessionStore, now = Date.now()): Promise<SessionOutcome> {
  if (!env.sessions) return SESSIONLESS;
  const facts = sessionFactsOf(ruleIdOf(input), input.event, env.sessions.scope);
  return resolveSession(store, facts, {
    windowMs: env.sessions.windowMs,
    now,
    // Fail open, and say so: the alert pages as a new session's first.
    onError: (e) => console.error(JSON.stringify({ message: 'session store failed: this alert pages as a new session', error: String((e as Error)?.message ?? e) })),
  });
}

let client: SNSClient | undefined;
let iam: IAMClient | undefined;

/** GetUser and ListUserTags through the SDK (one attempt each: the heartbeat is not worth a retry storm). */
export function iamReaderFor(c: IAMClient): IamReader {
  return {
    async passwordLastUsed(user, signal) {
      return (await c.send(new GetUserCommand({ UserName: user }), { abortSignal: signal })).User?.PasswordLastUsed;
    },
    async tag(user, key, signal) {
      // A user has at most 50 tags (IAM user guide, "IAM and AWS STS quotas"): one page of ListUserTags (up to 100).
      const out = await c.send(new ListUserTagsCommand({ UserName: user, MaxItems: 100 }), { abortSignal: signal });
      return out.Tags?.find((t) => t.Key === key)?.Value;
    },
  };
}

function iamReader(): IamReader {
  iam ??= new IAMClient({ maxAttempts: 1 });
  return iamReaderFor(iam);
}
let store: DynamoDbSessionStore | undefined;

export async function handler(input: NotifierInput): Promise<{ published: number }> {
  const env = envFromProcess();
  client ??= new SNSClient({});
  // Two attempts at most: the whole session decision has a 2-second deadline anyway (session-key.ts STORE_DEADLINE_MS).
  if (env.sessions) store ??= new DynamoDbSessionStore(new DynamoDBClient({ maxAttempts: 2 }), env.sessions.table, env.sessions.windowMs);
  const session = store ? await sessionFor(input, env, store) : SESSIONLESS;
  const drills = ruleIdOf(input) === HEARTBEAT_RULE_ID && env.drillUsers?.length ? drillLines(await readDrillFacts(iamReader(), env.drillUsers)) : undefined;
  const messages = messagesFor(input, env, session, drills);
  for (const m of messages) {
    await client.send(new PublishCommand({
      TopicArn: m.topicArn,
      Subject: m.subject,
      Message: m.message,
      // Subscriptions filter on severity (routing by severity, e.g. paging only for critical) and on page.
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: m.severity },
        rule: { DataType: 'String', StringValue: m.rule },
        page: { DataType: 'String', StringValue: m.page },
        ...(m.sessionKey ? { sessionKey: { DataType: 'String', StringValue: m.sessionKey } } : {}),
      },
    }));
  }
  return { published: messages.length };
}
