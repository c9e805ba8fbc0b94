import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
  /** HTTPS endpoints (paging services), each receiving only the listed severities. @default - none */
  readonly httpsEndpoints?: ReadonlyArray<{ readonly url: string; readonly severities: readonly string[] }>;
  /** @default 'Break-glass alerts' */
  readonly displayName?: string;
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
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeAndCloudWatchToPublishEncrypted',
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      // Deliberately no aws:SourceAccount / aws:SourceArn condition: the SNS guide states these are not supported
      // for EventBridge publishing to encrypted topics, and deliveries would fail silently.
    }));

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: props.displayName ?? 'Break-glass alerts',
      masterKey: this.key,
      // Adds a deny of sns:Publish etc. when aws:SecureTransport is false.
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new subs.EmailSubscription(email));
    for (const h of props.httpsEndpoints ?? []) {
      this.topic.addSubscription(new subs.UrlSubscription(h.url, {
        protocol: sns.SubscriptionProtocol.HTTPS,
        // The notifier sets a "severity" message attribute; the filter routes by it (SNS developer guide,
        // "Amazon SNS message filtering", attribute-based filter policies).
        filterPolicy: { severity: sns.SubscriptionFilter.stringFilter({ allowlist: [...h.severities] }) },
      }));
    }
  }
}
