import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly topicName: string;
  readonly keyAlias: string;
  /** @default - no email subscribers */
  readonly emails?: readonly string[];
  /**
   * HTTPS endpoints (paging services), each receiving only the listed severities, and only messages with the attribute
   * page = "true": the first alert of a break-glass session and every alert of no session, never a follow-up
   * (lib/notify/handler.ts sets `page` on every message). @default - none
   */
  readonly httpsEndpoints?: ReadonlyArray<{ readonly url: string; readonly severities: readonly string[] }>;
  /** @default 'Break-glass alerts' */
  readonly displayName?: string;
  /**
   * CloudWatch alarms of this account and region whose names start with this prefix may publish to the topic (topic
   * policy and key policy, both conditioned on aws:SourceArn and aws:SourceAccount). Alarms publish as
   * cloudwatch.amazonaws.com, and an explicit topic policy admits no principal it does not name.
   * @default - no CloudWatch alarm may publish
   */
  readonly alarmNamePrefix?: string;
}

/**
 * The alert topic, encrypted with its own customer-managed key.
 *
 * EventBridge can publish to an encrypted topic only if the key policy lets events.amazonaws.com use the key; the
 * AWS managed key aws/sns cannot be edited, hence a customer-managed key (SNS developer guide, "Encryption at rest":
 * "Enable compatibility between event sources from AWS services and encrypted topics",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
export class AlertTopic extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts breakglass alert messages at rest.',
      enableKeyRotation: true,
      alias: props.keyAlias,
      // Deleting the key would make every queued alert unreadable; a key is kept if the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // EventBridge needs the key for the central rules' raw copies on the operations topic and for the KMS-encrypted
    // dead-letter queues (EventBridge user guide, "Using dead-letter queues to process undelivered events").
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToUseTheKey',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      // Deliberately no aws:SourceAccount / aws:SourceArn condition: the SNS guide ("Encryption at rest", step 3 of
      // "Enable compatibility between event sources from AWS services and encrypted topics") states these are not
      // supported for EventBridge publishing to encrypted topics, and deliveries would fail silently. The topic and
      // queue policies carry the source conditions instead.
    }));

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: props.displayName ?? 'Break-glass alerts',
      masterKey: this.key,
      // Adds a deny of sns:Publish etc. when aws:SecureTransport is false.
      enforceSSL: true,
    });
    if (props.alarmNamePrefix !== undefined) this.allowAlarms(props.alarmNamePrefix);
    for (const email of props.emails ?? []) this.topic.addSubscription(new subs.EmailSubscription(email));
    for (const h of props.httpsEndpoints ?? []) {
      this.topic.addSubscription(new subs.UrlSubscription(h.url, {
        protocol: sns.SubscriptionProtocol.HTTPS,
        // The notifier sets "severity" and "page" message attributes. Several names in one filter policy must all
        // match (AND), and a message without a named attribute matches nothing (SNS developer guide, "Amazon SNS
        // subscription filter policies" and "AND/OR logic"): a page is a message of these severities with page "true".
        filterPolicy: {
          severity: sns.SubscriptionFilter.stringFilter({ allowlist: [...h.severities] }),
          page: sns.SubscriptionFilter.stringFilter({ allowlist: ['true'] }),
        },
      }));
    }
  }

  /** ARN pattern of the alarms of this stack's account and region whose names start with `prefix`. */
  static alarmArnPattern(scope: Construct, prefix: string): string {
    return `arn:${Aws.PARTITION}:cloudwatch:${Stack.of(scope).region}:${Aws.ACCOUNT_ID}:alarm:${prefix}*`;
  }

  /**
   * Lets CloudWatch alarm actions publish: sns:Publish on the topic and kms:GenerateDataKey* / kms:Decrypt on its key
   * for cloudwatch.amazonaws.com (SNS developer guide, "Encryption at rest": the compatibility table lists
   * cloudwatch.amazonaws.com; step 3 recommends aws:SourceAccount and aws:SourceArn on the key statement, which is
   * supported for every source but EventBridge). aws:SourceArn of an alarm action is the alarm's ARN,
   * arn:<partition>:cloudwatch:<region>:<account>:alarm:<name> (SNS developer guide, "Example cases for Amazon SNS
   * access control", CloudWatch alarm case).
   */
  private allowAlarms(prefix: string): void {
    const principal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const conditions = {
      ArnLike: { 'aws:SourceArn': AlertTopic.alarmArnPattern(this, prefix) },
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    };
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [principal],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions,
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsUseTheKey',
      principals: [principal],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions,
    }));
  }
}
