import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { lambdaAssetDir } from '../package-files';

export interface NotifierProps {
  readonly functionName: string;
  readonly alertTopic: sns.ITopic;
  /** Chat topics (AWS Chatbot custom notifications), each with the lowest severity it carries. */
  readonly chatTopics?: ReadonlyArray<{ topic: sns.ITopic; minSeverity: string }>;
  /** Key that encrypts the topics: publishing to an encrypted topic needs kms:GenerateDataKey* and kms:Decrypt. */
  readonly topicKey: kms.IKey;
  /** Where failed asynchronous invocations go after Lambda's own retries. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly accountNames?: Record<string, string>;
  readonly runbookUrl?: string;
  readonly heartbeatPeriod?: 'daily' | 'weekly';
  /**
   * Reserved concurrent executions (see NOTIFIER_RESERVED_CONCURRENCY for the reasoning).
   * @default NOTIFIER_RESERVED_CONCURRENCY
   */
  readonly reservedConcurrency?: number;
  /**
   * One page per break-glass session (docs/decisions/0005-one-page-per-session.md): a session table, encrypted with
   * `topicKey`, and the names the notifier needs to recognise a session. @default - no session tracking: every alert
   * pages (message attribute page = "true")
   */
  readonly sessions?: NotifierSessionProps;
  /**
   * The break-glass users (names in the security account, this stack's account) whose drill dates the heartbeat
   * reports: the notifier may read them with iam:GetUser and iam:ListUserTags, on these users only.
   * @default - no drill paragraph in the heartbeat
   */
  readonly drillUsers?: readonly string[];
}

export interface NotifierSessionProps {
  /** Physical name of the session table. */
  readonly tableName: string;
  readonly securityAccountId: string;
  /** The break-glass user names, exactly as configured. */
  readonly userNames: readonly string[];
  /** Name of the break-glass role in every account. */
  readonly roleName: string;
  /** The role's trust requires sts:RoleSessionName = the user name (config role.requireSessionNameIsUserName). */
  readonly sessionNameIsUserName: boolean;
  /** A session ends after this long without alerts (lib/notify/session-key.ts sessionWindowSeconds). */
  readonly windowSeconds: number;
}

/**
 * Reserved concurrency of the notifier: 10.
 *
 * - Guaranteed capacity: reserved concurrency is taken out of the account's pool, so other functions of the security
 *   account exhausting the unreserved pool cannot throttle the alert path; it is also a ceiling, so the notifier
 *   cannot starve them (Lambda API reference, "PutFunctionConcurrency": "ensures that your function has capacity ...
 *   and prevents it from scaling beyond that level").
 * - Enough: one invocation renders one event and makes one SNS Publish per topic, well under a second. Ten at once
 *   is 20+ alerts a second; a genuine break-glass use raises a handful. The largest burst we expect is tampering
 *   alerts from a StackSet update touching every breakglass rule of every account and region (thousands of events),
 *   which ten clear in minutes.
 * - A flood is delayed, not dropped: the central rules invoke the notifier asynchronously; a throttled asynchronous
 *   event goes back to Lambda's queue and is retried for up to 6 hours, then sent to the on-failure destination, the
 *   central dead-letter queue (Lambda developer guide, "How Lambda handles errors and retries with asynchronous
 *   invocation"). The same page warns that a function that cannot keep up may have events deleted from the queue
 *   unsent; the AsyncEventsDropped metric counts those, and they go to the on-failure destination before being
 *   dropped (Lambda developer guide, "Types of metrics for Lambda functions"). Throttles, dropped events, the queue's
 *   depth and failed writes to it are each alarmed (DeliveryAlarms). With sources restricted to aws.* (catalogue) a
 *   flood cannot be forged with PutEvents.
 * - Cost of reserving: Lambda keeps at least 100 executions unreserved ("PutFunctionConcurrency"), so the account's
 *   concurrency quota must be at least 110. New accounts start with reduced quotas (Lambda developer guide, "Lambda
 *   quotas"); there the deployment fails with "Specified ReservedConcurrentExecutions for function decreases
 *   account's UnreservedConcurrentExecution below its minimum value". Request a quota increase (Service Quotas,
 *   Lambda "Concurrent executions") before deploying.
 */
export const NOTIFIER_RESERVED_CONCURRENCY = 10;

/**
 * The small Lambda that renders readable alerts (lib/notify) and publishes them. Chosen over input transformers
 * because email subjects can only be set by a publisher calling SNS Publish, and the text needs conditional fields
 * (docs/decisions/0001-alert-messages.md). The code is the bundle built with the package (dist/notifier, see
 * lib/package-files.ts): synthesis only hashes and copies it. The AWS SDK comes from the Lambda runtime.
 */
export class Notifier extends Construct {
  readonly function: lambda.Function;
  /** The session table, when `sessions` is set. */
  readonly sessionTable?: dynamodb.Table;

  constructor(scope: Construct, id: string, props: NotifierProps) {
    super(scope, id);
    const reserved = props.reservedConcurrency ?? NOTIFIER_RESERVED_CONCURRENCY;
    // Zero would disable the function (every event throttled until it ages out into the dead-letter queue).
    if (!Number.isInteger(reserved) || reserved < 1) throw new Error(`Notifier: reservedConcurrency must be a whole number of at least 1, got ${reserved}`);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const chat = (props.chatTopics ?? []).map((c) => ({ arn: c.topic.topicArn, minSeverity: c.minSeverity }));
    const sessions = props.sessions;
    if (sessions) {
      // One item per break-glass user (session key, start, last alert, follow-up count, version: no event content).
      // Encrypted with the alert key, a customer managed key (DynamoDB developer guide, "DynamoDB encryption at rest";
      // the key policy's account statement lets IAM policies grant its use). TTL keeps it small (expiresAt, epoch
      // seconds: developer guide, "Time to Live (TTL)"). Losing it only makes the next alert of a session page again.
      this.sessionTable = new dynamodb.Table(this, 'Sessions', {
        tableName: sessions.tableName,
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: props.topicKey,
        timeToLiveAttribute: 'expiresAt',
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(this.sessionTable).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: 'The session table holds only which alert of a break-glass session came first; restored or lost, the worst outcome is one more page (the notifier fails open), so point-in-time recovery would protect nothing.',
      });
    }
    this.function = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      description: 'breakglass: renders break-glass alerts and publishes them to the alert topics',
      code: lambda.Code.fromAsset(lambdaAssetDir('notifier')),
      handler: 'index.handler',
      // The newest Node.js runtime aws-cdk-lib knows (cdk-nag AwsSolutions-L1); the handler is async, as Node.js 24
      // requires (callback handlers are not supported from nodejs24.x on).
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup,
      // Async invocations from EventBridge: two Lambda retries, then the event goes to the dead-letter queue.
      retryAttempts: 2,
      reservedConcurrentExecutions: reserved,
      // Not SqsDestination: its grant (grantSendMessages) adds kms:Encrypt and kms:ReEncrypt* on the queue's key,
      // which the notifier never needs. sqs:SendMessage is granted below; SSE-KMS producers also need
      // kms:GenerateDataKey* and kms:Decrypt on the queue's key (SQS developer guide, "Key management").
      onFailure: { bind: () => ({ destination: props.deadLetterQueue.queueArn }) },
      environment: {
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        CHAT_TOPICS: JSON.stringify(chat),
        ACCOUNT_NAMES: JSON.stringify(props.accountNames ?? {}),
        RUNBOOK_URL: props.runbookUrl ?? '',
        HEARTBEAT_PERIOD: props.heartbeatPeriod ?? 'weekly',
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.drillUsers?.length ? { DRILL_USERS: JSON.stringify(props.drillUsers) } : {}),
        ...(sessions && this.sessionTable ? {
          SESSION_TABLE: this.sessionTable.tableName,
          SECURITY_ACCOUNT_ID: sessions.securityAccountId,
          BREAKGLASS_USERS: JSON.stringify(sessions.userNames),
          BREAKGLASS_ROLE_NAME: sessions.roleName,
          SESSION_NAME_IS_USER_NAME: String(sessions.sessionNameIsUserName),
          SESSION_WINDOW_SECONDS: String(sessions.windowSeconds),
        } : {}),
      },
    });
    props.alertTopic.grantPublish(this.function);
    for (const c of props.chatTopics ?? []) c.topic.grantPublish(this.function);
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [props.deadLetterQueue.queueArn],
    }));
    if (this.sessionTable) {
      // Least privilege: the two calls lib/notify/session-store-dynamodb.ts makes, on this table only (no Query, Scan,
      // DeleteItem or table actions). Reading and writing an item of a table encrypted with a customer managed key
      // makes DynamoDB call kms:Decrypt on that key on the caller's behalf (KMS developer guide, "How Amazon DynamoDB
      // uses AWS KMS", Decrypt: "The user is the principal in your AWS account who is accessing the table"): the
      // alert key's kms:Decrypt below covers it.
      this.function.addToRolePolicy(new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.sessionTable.tableArn],
      }));
    }
    if (props.drillUsers?.length) {
      // The heartbeat's drill dates (lib/notify/drill-status.ts): read-only, on the named users. IAM users live in
      // this (the security) account; user ARNs are arn:<partition>:iam::<account>:user/<name> for users without a path
      // (IAM user guide, "IAM identifiers"), which is how BreakGlassUsers creates them.
      const stack = Stack.of(this);
      this.function.addToRolePolicy(new iam.PolicyStatement({
        actions: ['iam:GetUser', 'iam:ListUserTags'],
        resources: props.drillUsers.map((name) => stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: name })),
      }));
    }
    const keyArns = [props.topicKey.keyArn];
    const queueKey = props.deadLetterQueue.encryptionMasterKey;
    if (queueKey && queueKey !== props.topicKey) keyArns.push(queueKey.keyArn);
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: keyArns,
    }));
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Only on the alert key (and the dead-letter queue key) by ARN: publishing to an SSE-KMS SNS topic and sending to an SSE-KMS SQS queue need kms:GenerateDataKey* and kms:Decrypt (SNS developer guide, "Encryption at rest"; SQS developer guide, "Key management").',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'Grants only CloudWatch Logs writes for the notifier\'s own log group stream; the managed policy is the documented minimum for Lambda.',
    });
  }
}
