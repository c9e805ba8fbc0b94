/**
 * The liveness Lambda handlers against moto_server: DynamoDB for the rows, SNS for the operations topic, and an SQS
 * queue subscribed to the topic to read what the watchdog published. The table has the construct's key schema.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HEARTBEAT_DETAIL_TYPE, HEARTBEAT_SOURCE, LIVENESS_NAMES } from '../../lib/liveness/constants';
import { check, record, recordHeartbeat, runCheck } from '../../lib/liveness/handler';
import { motoForThisFile, withEnv, type MotoServer } from '../helpers/moto';

const moto = motoForThisFile();
const H = 3600_000;
const M = '333333333333';
const T0 = Date.parse('2026-11-30T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * H);

const scheduledEvent = (rule: string, hours: number, region = 'eu-west-1', account = M) => ({
  version: '0', id: `id-${rule}-${hours}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account, region,
  time: at(hours).toISOString().replace('.000Z', 'Z'), resources: [`arn:aws:events:${region}:${account}:rule/${rule}`], detail: {},
});
const schedulerEvent = (forwarder: string, hours: number, region = 'eu-west-1', account = M) => ({
  version: '0', id: `id-s-${hours}`, 'detail-type': HEARTBEAT_DETAIL_TYPE, source: HEARTBEAT_SOURCE, account, region,
  time: at(hours).toISOString(), resources: [], detail: { forwarder },
});

interface World { db: DynamoDBClient; sns: SNSClient; sqs: SQSClient; table: string; topicArn: string; queueUrl: string }

async function world(m: MotoServer): Promise<World> {
  await m.reset();
  return withEnv(m.env, async () => {
    const db = new DynamoDBClient({});
    const sns = new SNSClient({});
    const sqs = new SQSClient({});
    const table = LIVENESS_NAMES.table;
    await db.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'breakglass-operations' }))).TopicArn!;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ops-inbox' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
    return { db, sns, sqs, table, topicArn, queueUrl };
  });
}

/** Everything published so far, as SNS notifications (Subject, Message), oldest first. */
async function published(w: World): Promise<Array<{ Subject: string; Message: string }>> {
  const out: Array<{ Subject: string; Message: string }> = [];
  for (;;) {
    const r = await w.sqs.send(new ReceiveMessageCommand({ QueueUrl: w.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) return out;
    for (const msg of r.Messages) {
      out.push(JSON.parse(msg.Body!));
      await w.sqs.send(new DeleteMessageCommand({ QueueUrl: w.queueUrl, ReceiptHandle: msg.ReceiptHandle! }));
    }
  }
}

async function row(w: World, id: string) {
  const r = await w.db.send(new GetItemCommand({ TableName: w.table, Key: { id: { S: id } }, ConsistentRead: true }));
  return r.Item ? Object.fromEntries(Object.entries(r.Item).map(([k, v]) => [k, v.S])) : undefined;
}

describe('liveness handlers on moto_server', () => {
  test('record: one row per account/region/forwarder; lastSeen never moves back; non-heartbeats are ignored', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const w = await world(m);
    await withEnv(m.env, async () => {
      assert.deepEqual(await recordHeartbeat(w.db, w.table, scheduledEvent('breakglass-fwd-switch-role', 6)), { recorded: true });
      assert.deepEqual(await recordHeartbeat(w.db, w.table, schedulerEvent('breakglass-fwd-role-assumed', 6)), { recorded: true });
      const id = `${M}/eu-west-1/breakglass-fwd-switch-role`;
      assert.deepEqual(await row(w, id), {
        id, account: M, region: 'eu-west-1', forwarder: 'breakglass-fwd-switch-role', via: 'rule',
        lastSeen: at(6).toISOString(), firstSeen: at(6).toISOString(),
      });
      // A newer heartbeat moves lastSeen; firstSeen stays.
      await recordHeartbeat(w.db, w.table, scheduledEvent('breakglass-fwd-switch-role', 12));
      // A retried old one (EventBridge retries for up to 24 h) does not move it back.
      assert.deepEqual(await recordHeartbeat(w.db, w.table, scheduledEvent('breakglass-fwd-switch-role', 7)),
        { recorded: false, reason: 'a newer heartbeat is already recorded' });
      const r = await row(w, id);
      assert.equal(r!.lastSeen, at(12).toISOString());
      assert.equal(r!.firstSeen, at(6).toISOString());
      assert.equal((await row(w, `${M}/eu-west-1/breakglass-fwd-role-assumed`))!.via, 'scheduler');
      const ignored = await recordHeartbeat(w.db, w.table, { source: 'aws.sts', account: M, region: 'eu-west-1', time: at(1).toISOString() });
      assert.equal(ignored.recorded, false);
      assert.equal((await w.db.send(new ScanCommand({ TableName: w.table }))).Count, 2);
    });
  });

  test('check: reports a silent forwarder once (naming account, region, forwarder), then heard again, then forgets after 14 days', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const w = await world(m);
    await withEnv(m.env, async () => {
      const c = { db: w.db, sns: w.sns };
      const o = { table: w.table, topicArn: w.topicArn, accountNames: { [M]: 'Prod' } };
      for (const rule of ['breakglass-fwd-switch-role', 'breakglass-fwd-alerting-tampered']) await recordHeartbeat(w.db, w.table, scheduledEvent(rule, 0));
      await recordHeartbeat(w.db, w.table, schedulerEvent('breakglass-fwd-role-assumed', 0, 'us-east-1'));
      // Everyone keeps beating except alerting-tampered (disabled "first", as an intruder would).
      for (const h of [6, 12, 18, 24]) {
        await recordHeartbeat(w.db, w.table, scheduledEvent('breakglass-fwd-switch-role', h));
        await recordHeartbeat(w.db, w.table, schedulerEvent('breakglass-fwd-role-assumed', h, 'us-east-1'));
      }

      const quiet = await runCheck(c, { ...o, now: at(23) });
      assert.equal(quiet.published, false);
      assert.deepEqual(await published(w), []);

      const first = await runCheck(c, { ...o, now: at(25) });
      assert.deepEqual([first.published, first.newlySilent, first.silent, first.watched, first.updated], [true, 1, 1, 3, 1]);
      const [msg, ...more] = await published(w);
      assert.deepEqual(more, []);
      assert.equal(msg!.Subject, '[breakglass] Forwarder liveness: 1 forwarder silent in 1 account');
      assert.match(msg!.Message, /Prod 333333333333 eu-west-1: alerting-tampered \(last heard 25 h ago, 2026-11-30 00:00 UTC\)/);
      assert.doesNotMatch(msg!.Message, /switch-role|role-assumed \(/);
      assert.equal((await row(w, `${M}/eu-west-1/breakglass-fwd-alerting-tampered`))!.alertedAt, at(25).toISOString());

      // An hour later: already reported, nothing new.
      assert.equal((await runCheck(c, { ...o, now: at(26) })).published, false);
      assert.deepEqual(await published(w), []);

      // The rule is enabled again: heard again, once.
      await recordHeartbeat(w.db, w.table, scheduledEvent('breakglass-fwd-alerting-tampered', 27));
      const back = await runCheck(c, { ...o, now: at(28) });
      assert.deepEqual([back.published, back.recovered], [true, 1]);
      const [ok] = await published(w);
      assert.equal(ok!.Subject, '[breakglass] Forwarder liveness: 1 heard again');
      assert.equal((await row(w, `${M}/eu-west-1/breakglass-fwd-alerting-tampered`))!.alertedAt, undefined);
      assert.equal((await runCheck(c, { ...o, now: at(29) })).published, false);

      // An account that left: every forwarder silent; reported, then forgotten after 14 days, then nothing.
      const gone = await runCheck(c, { ...o, now: at(24 + 15 * 24) });
      assert.equal(gone.newlySilent, 3);
      await published(w);
      const forgotten = await runCheck(c, { ...o, now: at(24 + 15 * 24 + 1) });
      assert.deepEqual([forgotten.forgotten, forgotten.watched], [3, 0]);
      const [bye] = await published(w);
      assert.equal(bye!.Subject, '[breakglass] Forwarder liveness: 3 no longer watched');
      assert.match(bye!.Message, /NO LONGER WATCHED \(silent for more than 14 days; forgotten, no more reminders\) \(3 forwarders in 1 account\)/);
      assert.equal((await w.db.send(new ScanCommand({ TableName: w.table }))).Count, 0);
      assert.equal((await runCheck(c, { ...o, now: at(24 + 15 * 24 + 2) })).published, false);
    });
  });

  test('a heartbeat arriving between the check and its write is not overwritten: the conditional update skips', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const w = await world(m);
    await withEnv(m.env, async () => {
      await recordHeartbeat(w.db, w.table, scheduledEvent('breakglass-fwd-switch-role', 0));
      // A client whose first Scan returns the old row, after which a heartbeat lands (simulated by writing it when the
      // SNS publish happens, i.e. between the read and the row update).
      const sns = { send: async (cmd: unknown) => { await recordHeartbeat(w.db, w.table, scheduledEvent('breakglass-fwd-switch-role', 30)); return w.sns.send(cmd as never); } } as unknown as SNSClient;
      const r = await runCheck({ db: w.db, sns }, { table: w.table, topicArn: w.topicArn, now: at(30) });
      assert.deepEqual([r.published, r.updated, r.skippedUpdates], [true, 0, 1]);
      assert.equal((await row(w, `${M}/eu-west-1/breakglass-fwd-switch-role`))!.alertedAt, undefined, 'not marked: it is alive');
    });
  });

  test('the Lambda entry points read their settings from the environment and fail loudly without them', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const w = await world(m);
    await withEnv({ ...m.env, TABLE_NAME: undefined, OPERATIONS_TOPIC_ARN: undefined }, async () => {
      await assert.rejects(record(scheduledEvent('breakglass-fwd-switch-role', 0)), /TABLE_NAME is not set/);
      await assert.rejects(check(), /TABLE_NAME is not set/);
    });
    await withEnv({ ...m.env, TABLE_NAME: w.table, OPERATIONS_TOPIC_ARN: w.topicArn, ACCOUNT_NAMES: JSON.stringify({ [M]: 'Prod' }) }, async () => {
      // Two days before the real clock the entry point uses.
      assert.deepEqual(await record({ ...scheduledEvent('breakglass-fwd-switch-role', 0), time: new Date(Date.now() - 48 * H).toISOString() }), { recorded: true });
      await w.db.send(new PutItemCommand({ TableName: w.table, Item: { id: { S: 'broken' }, account: { S: M } } }));
      const r = await check();
      assert.equal(r.published, true);
      assert.equal(r.newlySilent, 1, 'the malformed row is skipped, the silent forwarder reported');
      const [msg] = await published(w);
      assert.match(msg!.Message, /Prod 333333333333 eu-west-1: switch-role/);
    });
  });
});
