/**
 * The alert-path constructs' own props, outside the app's configs: the notifier's reserved concurrency and the alarm
 * grant of AlertTopic.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { App, Aws, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlertTopic } from '../../lib/constructs/alert-topic';
import { DeadLetterQueue } from '../../lib/constructs/dead-letter-queue';
import { Notifier, NOTIFIER_RESERVED_CONCURRENCY } from '../../lib/constructs/notifier';

process.env.CDK_VALIDATION = 'false';

const dir = mkdtempSync(join(tmpdir(), 'breakglass-alert-path-constructs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newStack = () => new Stack(new App({ outdir: join(dir, String(n++)) }), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });

describe('Notifier reserved concurrency', () => {
  const build = (reservedConcurrency?: number) => {
    const stack = newStack();
    const topicKey = new kms.Key(stack, 'K');
    const dlq = new DeadLetterQueue(stack, 'D', { queueName: 'q', sourceRuleArnPattern: 'arn:aws:events:eu-west-1:111111111111:rule/x/*', key: topicKey });
    new Notifier(stack, 'N', { functionName: 'fn', alertTopic: new sns.Topic(stack, 'T', { masterKey: topicKey }), topicKey, deadLetterQueue: dlq.queue, reservedConcurrency });
    return Template.fromStack(stack);
  };
  test(`defaults to ${NOTIFIER_RESERVED_CONCURRENCY}; a given value is used`, () => {
    assert.equal(NOTIFIER_RESERVED_CONCURRENCY, 10);
    build().hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 10 });
    build(3).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3 });
  });
  for (const bad of [0, -1, 2.5]) {
    test(`refuses ${bad} (0 would disable the notifier)`, () => {
      assert.throws(() => build(bad), /Notifier: reservedConcurrency must be a whole number of at least 1/);
    });
  }
});

describe('AlertTopic alarm grant', () => {
  const statements = (t: Template, type: string) => Object.values<any>(t.findResources(type))
    .flatMap((r) => (type === 'AWS::KMS::Key' ? r.Properties.KeyPolicy : r.Properties.PolicyDocument).Statement as any[]);
  const forCloudWatch = (sts: any[]) => sts.filter((st) => JSON.stringify(st.Principal ?? {}).includes('cloudwatch.amazonaws.com'));

  test('without alarmNamePrefix, neither the topic policy nor the key policy names CloudWatch', () => {
    const stack = newStack();
    new AlertTopic(stack, 'A', { topicName: 't', keyAlias: 'alias/t' });
    const t = Template.fromStack(stack);
    assert.deepEqual(forCloudWatch([...statements(t, 'AWS::SNS::TopicPolicy'), ...statements(t, 'AWS::KMS::Key')]), []);
  });

  test('with it, sns:Publish and kms:GenerateDataKey*/Decrypt for the alarms of this account and region with that prefix', () => {
    const stack = newStack();
    const a = new AlertTopic(stack, 'A', { topicName: 't', keyAlias: 'alias/t', alarmNamePrefix: 'p-' });
    const t = Template.fromStack(stack);
    const conditions = stack.resolve({
      ArnLike: { 'aws:SourceArn': AlertTopic.alarmArnPattern(stack, 'p-') }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    });
    assert.deepEqual(stack.resolve(conditions.ArnLike['aws:SourceArn']), { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:', { Ref: 'AWS::AccountId' }, ':alarm:p-*']] });
    const [topicSt] = forCloudWatch(statements(t, 'AWS::SNS::TopicPolicy'));
    assert.deepEqual({ Action: topicSt.Action, Resource: topicSt.Resource, Condition: topicSt.Condition },
      { Action: 'sns:Publish', Resource: stack.resolve(a.topic.topicArn), Condition: conditions });
    const [keySt] = forCloudWatch(statements(t, 'AWS::KMS::Key'));
    assert.deepEqual({ Action: keySt.Action, Condition: keySt.Condition }, { Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Condition: conditions });
    // EventBridge's key statement stays unconditioned (SNS guide: source conditions unsupported for EventBridge).
    const events = statements(t, 'AWS::KMS::Key').filter((st) => JSON.stringify(st.Principal ?? {}).includes('events.amazonaws.com'));
    assert.equal(events.length, 1);
    assert.equal(events[0].Condition, undefined);
  });
});
