/**
 * Alert-path constructs on their own, for the cases the app's configs never reach: a dead-letter queue with its own
 * key, a queue without a key, and the exact permissions the notifier gets for them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeadLetterQueue } from '../../lib/constructs/dead-letter-queue';
import { Notifier } from '../../lib/constructs/notifier';

const dir = mkdtempSync(join(tmpdir(), 'breakglass-alert-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newStack = () => new Stack(new App({ outdir: join(dir, String(n++)) }), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
const RULES = 'arn:aws:events:us-east-1:111111111111:rule/breakglass-fwd-*';

/** Every (action, resource) pair the role's policies allow. */
function grantsOf(t: Template, roleLogicalId: string): string[] {
  const out = new Set<string>();
  for (const p of Object.values<any>(t.findResources('AWS::IAM::Policy'))) {
    if (!(p.Properties.Roles as any[]).some((r) => r.Ref === roleLogicalId)) continue;
    for (const st of p.Properties.PolicyDocument.Statement as any[]) {
      assert.equal(st.Effect, 'Allow');
      for (const a of [st.Action].flat()) for (const r of [st.Resource].flat()) out.add(`${a} ${JSON.stringify(r)}`);
    }
  }
  return [...out].sort();
}

describe('DeadLetterQueue', () => {
  test('without a key: SSE-SQS, 14 days, TLS only, EventBridge may send from the given rules only', () => {
    const stack = newStack();
    new DeadLetterQueue(stack, 'D', { queueName: 'q', sourceRuleArnPattern: RULES });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'q', SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    const [policy] = Object.values<any>(t.findResources('AWS::SQS::QueuePolicy'));
    const statements = stack.resolve(policy.Properties.PolicyDocument.Statement) as any[];
    assert.equal(statements.length, 2);
    const allow = statements.find((s) => s.Effect === 'Allow');
    assert.deepEqual(allow.Principal, { Service: 'events.amazonaws.com' });
    assert.equal(allow.Action, 'sqs:SendMessage');
    assert.deepEqual(allow.Condition.ArnLike, { 'aws:SourceArn': RULES });
    assert.deepEqual(allow.Condition.StringEquals, { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  test('with a key: SSE-KMS with that key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'K');
    new DeadLetterQueue(stack, 'D', { queueName: 'q', key, sourceRuleArnPattern: RULES });
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
  });
});

describe('Notifier permissions', () => {
  function build(queueKey: 'topic' | 'own' | 'none') {
    const stack = newStack();
    const topicKey = new kms.Key(stack, 'TopicKey');
    const otherKey = new kms.Key(stack, 'QueueKey');
    const topic = new sns.Topic(stack, 'Topic', { masterKey: topicKey });
    const dlq = new DeadLetterQueue(stack, 'D', {
      queueName: 'q', sourceRuleArnPattern: RULES, key: queueKey === 'topic' ? topicKey : queueKey === 'own' ? otherKey : undefined,
    });
    const notifier = new Notifier(stack, 'N', { functionName: 'fn', alertTopic: topic, topicKey, deadLetterQueue: dlq.queue });
    const t = Template.fromStack(stack);
    const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
    const roleId = stack.getLogicalId(notifier.function.role!.node.defaultChild as any);
    return { t, grants: grantsOf(t, roleId), topicKey: id(topicKey), queueKey: id(otherKey), topic: id(topic), queue: id(dlq.queue) };
  }
  const arn = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });

  test('queue on the topic key: publish, send, GenerateDataKey*/Decrypt on that key; never Encrypt or ReEncrypt', () => {
    const b = build('topic');
    assert.deepEqual(b.grants, [
      `kms:Decrypt ${arn(b.topicKey)}`, `kms:GenerateDataKey* ${arn(b.topicKey)}`,
      `sns:Publish ${JSON.stringify({ Ref: b.topic })}`, `sqs:SendMessage ${arn(b.queue)}`,
    ].sort());
  });

  test('queue on its own key: that key too', () => {
    const b = build('own');
    assert.deepEqual(b.grants, [
      `kms:Decrypt ${arn(b.queueKey)}`, `kms:Decrypt ${arn(b.topicKey)}`, `kms:GenerateDataKey* ${arn(b.queueKey)}`, `kms:GenerateDataKey* ${arn(b.topicKey)}`,
      `sns:Publish ${JSON.stringify({ Ref: b.topic })}`, `sqs:SendMessage ${arn(b.queue)}`,
    ].sort());
  });

  test('SSE-SQS queue: no key permission beyond the topic key; on-failure destination is the queue', () => {
    const b = build('none');
    assert.ok(!b.grants.some((g) => g.includes(b.queueKey)));
    b.t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [b.queue, 'Arn'] } } },
    });
  });
});
