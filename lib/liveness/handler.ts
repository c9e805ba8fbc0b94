/**
 * The forwarder-liveness Lambda functions (one bundle, two handlers):
 * - `record`: invoked by the central rule breakglass-liveness with each heartbeat (the raw event, no input
 *   transformer); writes lastSeen for its account/region/forwarder row.
 * - `check`: invoked hourly by the rule breakglass-liveness-check; reads every row, publishes one message about
 *   silent, heard-again and forgotten forwarders to the operations topic, then updates the rows.
 * The logic is in ./watchdog (pure). Errors are thrown, never swallowed: Lambda Errors of both functions are alarmed
 * on the operations topic, and a failed check retries the whole check on its next run (state is written only after
 * the message went out).
 */
import {
  DeleteItemCommand, DynamoDBClient, ScanCommand, UpdateItemCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { evaluate, heartbeatFromEvent, itemId, renderReport, type Thresholds, type Update, type Verdict, type WatchedItem } from './watchdog';

export interface Clients {
  readonly db: DynamoDBClient;
  readonly sns?: SNSClient;
}

let clients: { db: DynamoDBClient; sns: SNSClient } | undefined;
const defaultClients = () => (clients ??= { db: new DynamoDBClient({}), sns: new SNSClient({}) });

// By name, not instanceof: the bundle takes the SDK from the Lambda runtime, tests from node_modules.
const isConditionFailure = (e: unknown) => (e as { name?: string })?.name === 'ConditionalCheckFailedException';

function required(name: string, env: NodeJS.ProcessEnv): string {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/** Records one heartbeat. Out-of-order or repeated deliveries (EventBridge retries for up to 24 h) never move lastSeen back. */
export async function recordHeartbeat(db: DynamoDBClient, table: string, event: unknown): Promise<{ recorded: boolean; reason?: string }> {
  const h = heartbeatFromEvent(event);
  if ('error' in h) {
    // Only heartbeats reach this function (the rule's pattern); anything else is logged, not retried into the
    // dead-letter queue, whose alarm means "alerts were not delivered".
    console.warn(JSON.stringify({ message: 'ignored: not a forwarder heartbeat', reason: h.error }));
    return { recorded: false, reason: h.error };
  }
  try {
    await db.send(new UpdateItemCommand({
      TableName: table,
      Key: { id: { S: itemId(h.account, h.region, h.forwarder) } },
      UpdateExpression: 'SET #account = :account, #region = :region, forwarder = :forwarder, lastSeen = :at, via = :via, firstSeen = if_not_exists(firstSeen, :at)',
      ConditionExpression: 'attribute_not_exists(lastSeen) OR lastSeen < :at',
      ExpressionAttributeNames: { '#account': 'account', '#region': 'region' },
      ExpressionAttributeValues: { ':account': { S: h.account }, ':region': { S: h.region }, ':forwarder': { S: h.forwarder }, ':at': { S: h.at }, ':via': { S: h.via } },
    }));
    return { recorded: true };
  } catch (e) {
    if (isConditionFailure(e)) return { recorded: false, reason: 'a newer heartbeat is already recorded' };
    throw e;
  }
}

const str = (v: AttributeValue | undefined): string | undefined => (v && 'S' in v ? v.S : undefined);

/** Every row of the table (paginated Scan, strongly consistent). Rows missing a key field are skipped and logged. */
export async function readItems(db: DynamoDBClient, table: string): Promise<WatchedItem[]> {
  const out: WatchedItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const raw of page.Items ?? []) {
      const item = {
        id: str(raw.id), account: str(raw.account), region: str(raw.region), forwarder: str(raw.forwarder),
        lastSeen: str(raw.lastSeen), firstSeen: str(raw.firstSeen), alertedAt: str(raw.alertedAt),
      };
      if (!item.id || !item.account || !item.region || !item.forwarder || !item.lastSeen) {
        console.warn(JSON.stringify({ message: 'skipped a malformed row', id: item.id }));
        continue;
      }
      out.push(item as WatchedItem);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Applies one row update; a failed condition means a heartbeat (or another run) changed the row: skip it. */
async function apply(db: DynamoDBClient, table: string, u: Update): Promise<boolean> {
  const Key = { id: { S: u.id } };
  try {
    if (u.kind === 'mark-alerted') {
      await db.send(new UpdateItemCommand({
        TableName: table, Key, UpdateExpression: 'SET alertedAt = :at', ConditionExpression: 'lastSeen = :seen',
        ExpressionAttributeValues: { ':at': { S: u.at }, ':seen': { S: u.lastSeen } },
      }));
    } else if (u.kind === 'clear-alerted') {
      await db.send(new UpdateItemCommand({
        TableName: table, Key, UpdateExpression: 'REMOVE alertedAt', ConditionExpression: 'alertedAt = :alerted',
        ExpressionAttributeValues: { ':alerted': { S: u.alertedAt } },
      }));
    } else {
      await db.send(new DeleteItemCommand({
        TableName: table, Key, ConditionExpression: 'lastSeen = :seen', ExpressionAttributeValues: { ':seen': { S: u.lastSeen } },
      }));
    }
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

export interface CheckOptions {
  readonly table: string;
  readonly topicArn: string;
  readonly now?: Date;
  readonly accountNames?: Record<string, string>;
  readonly thresholds?: Thresholds;
}

export interface CheckResult {
  readonly watched: number;
  readonly silent: number;
  readonly newlySilent: number;
  readonly reminders: number;
  readonly recovered: number;
  readonly forgotten: number;
  readonly published: boolean;
  readonly updated: number;
  readonly skippedUpdates: number;
}

export async function runCheck(c: Required<Clients>, o: CheckOptions): Promise<CheckResult & { verdict: Verdict }> {
  const now = o.now ?? new Date();
  const items = await readItems(c.db, o.table);
  const verdict = evaluate(items, now, o.thresholds);
  const report = renderReport(verdict, now, { accountNames: o.accountNames, thresholds: o.thresholds });
  if (report) {
    await c.sns.send(new PublishCommand({
      TopicArn: o.topicArn,
      Subject: report.subject,
      Message: report.message,
      MessageAttributes: { rule: { DataType: 'String', StringValue: 'liveness' } },
    }));
  }
  let updated = 0;
  for (const u of verdict.updates) if (await apply(c.db, o.table, u)) updated++;
  const result: CheckResult = {
    watched: verdict.watched, silent: verdict.silent.length, newlySilent: verdict.newlySilent.length, reminders: verdict.reminders.length,
    recovered: verdict.recovered.length, forgotten: verdict.forgotten.length, published: report !== undefined,
    updated, skippedUpdates: verdict.updates.length - updated,
  };
  // The full list, also when the message had to shorten it.
  console.log(JSON.stringify({
    message: 'liveness check', ...result,
    silentForwarders: verdict.silent.map((i) => ({ id: i.id, lastSeen: i.lastSeen, alertedAt: i.alertedAt })),
  }));
  return { ...result, verdict };
}

/** Lambda entry point of the recorder (environment: TABLE_NAME). */
export async function record(event: unknown): Promise<{ recorded: boolean }> {
  const { recorded } = await recordHeartbeat(defaultClients().db, required('TABLE_NAME', process.env), event);
  return { recorded };
}

/** Lambda entry point of the watchdog (environment: TABLE_NAME, OPERATIONS_TOPIC_ARN, ACCOUNT_NAMES). */
export async function check(): Promise<CheckResult> {
  const env = process.env;
  const { verdict: _verdict, ...result } = await runCheck(defaultClients(), {
    table: required('TABLE_NAME', env),
    topicArn: required('OPERATIONS_TOPIC_ARN', env),
    accountNames: env.ACCOUNT_NAMES ? JSON.parse(env.ACCOUNT_NAMES) as Record<string, string> : {},
  });
  return result;
}
