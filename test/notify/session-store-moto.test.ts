/**
 * One page per session against moto_server: the DynamoDB session store (conditional writes, the item format, fail
 * open), and the real notifier handler publishing to a topic with the synthesized paging filter policy on one SQS
 * subscriber and no filter on another (moto applies SNS filter policies to SQS deliveries and puts the message
 * attributes in the SNS envelope, raw delivery off).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { NAMES } from '../../lib/naming';
import { decide, resolveSession, sessionFactsOf, type SessionOutcome, type SessionScope } from '../../lib/notify/session-key';
import { DynamoDbSessionStore, fromItem } from '../../lib/notify/session-store-dynamodb';
import * as f from '../fixtures/cloudtrail';
import { motoForThisFile, withEnv, type MotoServer } from '../helpers/moto';
import { exampleWith, resourcesOfType, synthConfig } from '../helpers/synth';

const moto = motoForThisFile();
const scope: SessionScope = { securityAccountId: f.S, userNames: [f.USER, 'BreakGlassUser2'], roleName: f.ROLE, sessionNameIsUserName: true };
const WINDOW = 43_200_000;
const KEY = 'bg-BreakGlassUser1-20261123T041209Z';
const wrap = (r: Record<string, unknown>) => { const c = toEventBridgeEvent(r); if ('error' in c) throw new Error(c.error); return c.event; };
/** A console sign-in and a switch into a member account: the caller's AssumeRole (console credentials), the owner's copy, SwitchRole. */
const SESSION = [
  ['console-login', wrap(f.consoleLogin())],
  ['assume-role', wrap({ ...f.assumeRoleCaller({ console: true }), userIdentity: { ...f.iamUser(), invokedBy: 'AWS Internal', sessionContext: { attributes: { creationDate: '2026-11-23T04:12:09Z', mfaAuthenticated: 'true' } } } })],
  ['role-assumed', wrap(f.assumeRoleOwner())],
  ['switch-role', wrap(f.switchRole())],
] as const;

async function createTable(db: DynamoDBClient, name = NAMES.sessionTable) {
  // The construct's key schema (lib/constructs/notifier.ts).
  await db.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
}

async function fresh(m: MotoServer) {
  await m.reset();
  return withEnv(m.env, async () => {
    const db = new DynamoDBClient({});
    await createTable(db);
    return { db, store: new DynamoDbSessionStore(db, NAMES.sessionTable, WINDOW) };
  });
}

describe('DynamoDB session store on moto_server', () => {
  test('conditional writes: create only if absent, replace only the version read; the item round-trips with a TTL', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const { db, store } = await fresh(m);
    await withEnv(m.env, async () => {
      assert.equal(await store.get(f.USER), undefined);
      const d = decide(undefined, sessionFactsOf('console-login', SESSION[0][1], scope)!, { windowMs: WINDOW });
      assert.ok(d.kind === 'first');
      assert.equal(await store.put(d.next, undefined), true);
      assert.equal(await store.put(d.next, undefined), false, 'a second "first" loses');
      const read = await store.get(f.USER);
      assert.deepEqual(read, d.next);
      const next = { ...d.next, followUps: 1, version: 2 };
      assert.equal(await store.put({ ...next, version: 9 }, { ...d.next, version: 0 }), false, 'stale version');
      assert.equal(await store.put(next, read), true);
      const raw = (await db.send(new GetItemCommand({ TableName: NAMES.sessionTable, Key: { id: { S: f.USER } }, ConsistentRead: true }))).Item!;
      assert.equal(raw.expiresAt?.N, String(Math.ceil((d.next.lastSeenMs + WINDOW) / 1000) + 86_400), 'TTL: a day past the window');
      assert.deepEqual(Object.keys(raw).sort(), ['anchor', 'expiresAt', 'firstEvent', 'followUps', 'id', 'lastSeenMs', 'sessionKey', 'signIn', 'startMs', 'version']);
    });
  });

  test('an item we did not write (no numeric version) is replaced, once', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const { db, store } = await fresh(m);
    await withEnv(m.env, async () => {
      await db.send(new PutItemCommand({ TableName: NAMES.sessionTable, Item: { id: { S: f.USER }, sessionKey: { S: 'bg-BreakGlassUser1-x' }, version: { S: 'one' } } }));
      const read = (await store.get(f.USER))!;
      assert.ok(Number.isNaN(read.version));
      const o = await resolveSession(store, sessionFactsOf('switch-role', SESSION[3][1], scope), { windowMs: WINDOW });
      assert.deepEqual([o.status, o.page, o.key], ['first', true, KEY]);
      const later = { user: f.USER, key: KEY, startMs: 1, lastSeenMs: 1, followUps: 0, version: 5 };
      assert.equal(await store.put(later, read), false, 'a proper item is not replaced as corrupt');
      assert.deepEqual(fromItem((await db.send(new GetItemCommand({ TableName: NAMES.sessionTable, Key: { id: { S: f.USER } }, ConsistentRead: true }))).Item!).version, 1);
    });
  });

  test('concurrent notifier invocations: one page per session, follow-ups 1..3', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    for (let round = 0; round < 3; round++) {
      const { store } = await fresh(m);
      const out: SessionOutcome[] = await withEnv(m.env, () => Promise.all(SESSION.map(([rule, ev]) => resolveSession(store, sessionFactsOf(rule, ev, scope), { windowMs: WINDOW }))));
      assert.equal(out.filter((o) => o.page).length, 1, JSON.stringify(out));
      assert.deepEqual(out.filter((o) => !o.page).map((o) => o.followUp).sort(), [1, 2, 3]);
      assert.deepEqual([...new Set(out.map((o) => o.key))], [KEY]);
    }
  });

  test('fails open when the table is missing: the alert pages', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    const errors: string[] = [];
    const o = await withEnv(m.env, () => resolveSession(new DynamoDbSessionStore(new DynamoDBClient({}), 'no-such-table', WINDOW),
      sessionFactsOf('switch-role', SESSION[3][1], scope), { windowMs: WINDOW, onError: (e) => errors.push((e as Error).name) }));
    assert.deepEqual([o.status, o.page, o.key], ['unavailable', true, KEY]);
    assert.deepEqual(errors, ['ResourceNotFoundException']);
  });
});

describe('notifier handler on moto_server: the paging subscription gets one page per session', () => {
  let pagingFilter: Record<string, unknown>;
  before(() => {
    const s = synthConfig(exampleWith((c) => { c.alerts.https = [{ url: 'https://pager.example.com/hook', minSeverity: 'critical' }]; }));
    try {
      const subs = resourcesOfType(s.templates.get('Breakglass-Security')!, 'AWS::SNS::Subscription').filter(([, r]) => r.Properties.Protocol === 'https');
      assert.equal(subs.length, 1);
      pagingFilter = subs[0]![1].Properties.FilterPolicy;
    } finally {
      s.cleanup();
    }
  });

  test('email (no filter) receives every alert with page and sessionKey; the pager only first alerts and sessionless ones', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    assert.deepEqual(pagingFilter, { severity: ['critical'], page: ['true'] }, 'the synthesized paging filter');
    await withEnv(m.env, async () => {
      await createTable(new DynamoDBClient({}));
      const sns = new SNSClient({});
      const sqs = new SQSClient({});
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: NAMES.alertTopic }))).TopicArn!;
      const queue = async (name: string, filter?: Record<string, unknown>) => {
        const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
        const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
        await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: arn, ...(filter ? { Attributes: { FilterPolicy: JSON.stringify(filter) } } : {}) }));
        return url;
      };
      const email = await queue('email-like');
      const pager = await queue('pager-like', pagingFilter);
      const env = {
        ALERT_TOPIC_ARN: topicArn, CHAT_TOPICS: '[]', SESSION_TABLE: NAMES.sessionTable, SECURITY_ACCOUNT_ID: f.S,
        BREAKGLASS_USERS: JSON.stringify(scope.userNames), BREAKGLASS_ROLE_NAME: f.ROLE, SESSION_NAME_IS_USER_NAME: 'true', SESSION_WINDOW_SECONDS: '43200',
      };
      const { handler } = await import('../../lib/notify/handler');
      const inputs = [...SESSION, ['root-console-login', wrap(f.consoleLogin({ root: true, account: f.M }))], ['console-login-failure', wrap(f.consoleLogin({ user: 'BreakGlassUser2', result: 'Failure' }))]] as const;
      for (const [rule, event] of inputs) await withEnv(env, () => handler({ rule: `breakglass-${rule}`, event }));
      const read = async (url: string) => {
        const out: Array<[string, string, string | undefined]> = [];
        for (;;) {
          const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
          if (!r.Messages?.length) return out;
          for (const msg of r.Messages) {
            const body = JSON.parse(msg.Body!);
            out.push([body.MessageAttributes.rule.Value, body.MessageAttributes.page.Value, body.MessageAttributes.sessionKey?.Value]);
            await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: msg.ReceiptHandle! }));
          }
        }
      };
      const byRule = (a: [string, string, string | undefined], b: [string, string, string | undefined]) => a[0].localeCompare(b[0]);
      assert.deepEqual((await read(email)).sort(byRule), [
        ['assume-role', 'false', KEY], ['console-login', 'true', KEY], ['console-login-failure', 'true', undefined],
        ['role-assumed', 'false', KEY], ['root-console-login', 'true', undefined], ['switch-role', 'false', KEY],
      ]);
      assert.deepEqual((await read(pager)).sort(byRule), [['console-login', 'true', KEY], ['root-console-login', 'true', undefined]]);
    });
  });
});
