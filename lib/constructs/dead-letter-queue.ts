import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  readonly queueName: string;
  /** Customer-managed key. Without one the queue uses SQS-managed encryption (SSE-SQS). */
  readonly key?: kms.IKey;
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
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      ...(props.key
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.key, dataKeyReuse: Duration.hours(1) }
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

  /** Rule ARN pattern for rules on the default bus of this stack's account and region. */
  static defaultBusRules(scope: Construct, namePrefix: string): string {
    return `arn:${Aws.PARTITION}:events:${Stack.of(scope).region}:${Aws.ACCOUNT_ID}:rule/${namePrefix}*`;
  }
}
