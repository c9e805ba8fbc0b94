import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  readonly queueName: string;
  /**
   * A customer-managed key whose policy already lets EventBridge use it; or "own" for a key of the queue's own; or
   * nothing for SQS-managed encryption (SSE-SQS). @default - SSE-SQS
   */
  readonly key?: kms.IKey | 'own';
  /**
   * ARN pattern of the rules allowed to dead-letter into this queue (aws:SourceArn), e.g.
   * arn:aws:events:us-east-1:111111111111:rule/breakglass-central/*.
   */
  readonly sourceRuleArnPattern: string;
}

/**
 * Where EventBridge puts an event it could not deliver after its retries (EventBridge user guide, "Using
 * dead-letter queues to process undelivered events"): the queue policy must let events.amazonaws.com send, and a
 * KMS-encrypted queue needs a key policy that lets EventBridge use the key. Messages are kept 14 days, the maximum.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const key = props.key === 'own' ? DeadLetterQueue.ownKey(this) : props.key;
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      ...(key
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, dataKeyReuse: Duration.hours(1) }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    });
    this.queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgeDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [this.queue.queueArn],
      conditions: {
        ArnLike: { 'aws:SourceArn': props.sourceRuleArnPattern },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }));
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: EventBridge rule targets name it in DeadLetterConfig (and the notifier names it as its on-failure destination), which cdk-nag SQS3 does not recognise (it only looks for SQS redrive policies and Lambda DeadLetterConfig). Nothing receives from it with a receive count, so a dead-letter queue behind it would never get a message; its depth is alarmed instead.',
    });
  }

  private static ownKey(scope: Construct): kms.Key {
    const key = new kms.Key(scope, 'Key', {
      description: 'breakglass: encrypts a dead-letter queue',
      enableKeyRotation: true,
      // The queue goes with the stack, so nothing is left for the key to decrypt; KMS still waits 30 days.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    // EventBridge writes dead letters to an encrypted queue only if the key policy lets events.amazonaws.com use
    // the key (EventBridge user guide, "Using dead-letter queues to process undelivered events": kms:Decrypt and
    // kms:GenerateDataKey). No aws:SourceArn condition: the queue policy already admits only our rules.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgeDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
    }));
    return key;
  }

  /** Rule ARN pattern for rules on the default bus of this stack's account and region. */
  static defaultBusRules(scope: Construct, namePrefix: string): string {
    return `arn:${Aws.PARTITION}:events:${Stack.of(scope).region}:${Aws.ACCOUNT_ID}:rule/${namePrefix}*`;
  }
}
