/**
 * The notifier's session store (./session-key.ts SessionStore) in DynamoDB: one small item per break-glass user, the
 * user's latest session. The table is created by lib/constructs/notifier.ts (on-demand, encrypted with the alert key,
 * TTL on `expiresAt`).
 *
 * DynamoDB behaviour relied on:
 * - GetItem with ConsistentRead returns the result of every write that succeeded before the read (DynamoDB developer
 *   guide, "DynamoDB read consistency"; API reference, GetItem ConsistentRead).
 * - PutItem with a ConditionExpression writes only if the condition holds on the stored item, else fails with
 *   ConditionalCheckFailedException (API reference, PutItem, ConditionExpression and Errors; developer guide,
 *   "Condition expressions"): the version check that makes concurrent notifier invocations agree on the first alert.
 * - TTL: a Number attribute holding epoch seconds; expired items are deleted in the background, typically within a few
 *   days, and can still be read until then (developer guide, "Time to Live (TTL)"). So TTL only keeps the table small;
 *   decide() applies the session window itself.
 * The AWS SDK for JavaScript v3 comes with the Lambda Node.js runtime ("Building Lambda functions with Node.js",
 * runtime-included SDK versions), so the notifier bundle leaves it external (package.json build:notifier,
 * --external:@aws-sdk/*), as it does @aws-sdk/client-sns; tests use the devDependency.
 */
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SessionStore, StoredSession } from './session-key';

/** Items outlive the session window by a day, so a late alert of a session still finds it. */
const TTL_MARGIN_SECONDS = 86_400;

// By name, not instanceof: the bundle takes the SDK from the Lambda runtime, tests from node_modules.
const isConditionFailure = (e: unknown) => (e as { name?: string })?.name === 'ConditionalCheckFailedException';

const s = (v: AttributeValue | undefined): string | undefined => (v && 'S' in v ? v.S : undefined);
const n = (v: AttributeValue | undefined): number => (v && 'N' in v && v.N !== undefined ? Number(v.N) : Number.NaN);

/** The item as stored; malformed fields come back as NaN or undefined, and session-key.ts isValidStored refuses them. */
export function fromItem(item: Record<string, AttributeValue>): StoredSession {
  const anchor = s(item.anchor);
  return {
    user: s(item.id) ?? '',
    key: s(item.sessionKey) ?? '',
    startMs: n(item.startMs),
    ...(anchor === 'console' || anchor === 'cli' ? { anchor } : {}),
    ...(s(item.signIn) !== undefined ? { signIn: s(item.signIn)! } : {}),
    ...(s(item.firstEvent) !== undefined ? { first: s(item.firstEvent)! } : {}),
    lastSeenMs: n(item.lastSeenMs),
    followUps: n(item.followUps),
    version: n(item.version),
  };
}

export function toItem(x: StoredSession, windowMs: number): Record<string, AttributeValue> {
  return {
    id: { S: x.user },
    sessionKey: { S: x.key },
    startMs: { N: String(x.startMs) },
    ...(x.anchor ? { anchor: { S: x.anchor } } : {}),
    ...(x.signIn ? { signIn: { S: x.signIn } } : {}),
    ...(x.first ? { firstEvent: { S: x.first } } : {}),
    lastSeenMs: { N: String(x.lastSeenMs) },
    followUps: { N: String(x.followUps) },
    version: { N: String(x.version) },
    expiresAt: { N: String(Math.ceil((x.lastSeenMs + windowMs) / 1000) + TTL_MARGIN_SECONDS) },
  };
}

export class DynamoDbSessionStore implements SessionStore {
  constructor(private readonly db: DynamoDBClient, private readonly table: string, private readonly windowMs: number) {}

  async get(user: string, signal?: AbortSignal): Promise<StoredSession | undefined> {
    const r = await this.db.send(new GetItemCommand({ TableName: this.table, Key: { id: { S: user } }, ConsistentRead: true }), { abortSignal: signal });
    return r.Item ? fromItem(r.Item) : undefined;
  }

  async put(next: StoredSession, expected: StoredSession | undefined, signal?: AbortSignal): Promise<boolean> {
    // DynamoDB refuses names and values the expression does not use ("ValidationException: Value provided in
    // ExpressionAttributeNames unused in expressions": reported from the live service in public issue threads, and
    // enforced by moto, test/notify/session-store-moto.test.ts). Not in the API reference; kept exact regardless.
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    let condition: string;
    if (expected === undefined) {
      names['#id'] = 'id';
      condition = 'attribute_not_exists(#id)';
    } else if (Number.isInteger(expected.version) && expected.version >= 0) {
      names['#v'] = 'version';
      values[':v'] = { N: String(expected.version) };
      condition = '#v = :v';
    } else {
      // An item we did not write (no numeric version): replace it, unless someone wrote a proper one meanwhile.
      names['#id'] = 'id';
      names['#v'] = 'version';
      values[':number'] = { S: 'N' };
      condition = 'attribute_exists(#id) AND (attribute_not_exists(#v) OR NOT attribute_type(#v, :number))';
    }
    try {
      await this.db.send(new PutItemCommand({
        TableName: this.table,
        Item: toItem(next, this.windowMs),
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      }), { abortSignal: signal });
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }
}
