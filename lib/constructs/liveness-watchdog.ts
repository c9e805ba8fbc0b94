import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { centralLivenessPattern, LIVENESS_NAMES, WATCHDOG_SCHEDULE } from '../liveness/constants';
import { lambdaAssetDir } from '../package-files';
import { TARGET_RETRY_POLICY } from './central-bus';
import { operationsAlarm } from './delivery-alarms';

export interface LivenessWatchdogProps {
  /** The central bus every forwarder (and so every heartbeat) delivers to. */
  readonly bus: events.IEventBus;
  /** Where the watchdog reports silent forwarders, and where its own alarms go: the operations topic. */
  readonly operationsTopic: sns.ITopic;
  /** The key of the operations topic: publishing to an SSE-KMS topic needs kms:GenerateDataKey* and kms:Decrypt. */
  readonly operationsKey: kms.IKey;
  /** Dead-letter queue of the central rules (the heartbeat rule's target retries, then dead-letters there). */
  readonly deadLetterQueue: sqs.IQueue;
  /** Account IDs to names, shown in the reports. @default - IDs only */
  readonly accountNames?: Record<string, string>;
}

/**
 * The central half of forwarder liveness (docs/decisions/0003-forwarder-liveness.md), in the security account's home
 * region:
 * - rule breakglass-liveness on the central bus: every forwarder heartbeat -> recorder Lambda -> DynamoDB row per
 *   account/region/forwarder (lastSeen);
 * - rule breakglass-liveness-check (hourly) -> watchdog Lambda: one message on the operations topic naming every
 *   forwarder silent for more than 24 h, reminders, forwarders heard again, and forwarders forgotten after 14 days;
 * - alarms on the operations topic for the watchdog's own failures: Lambda errors of both functions, a watchdog that
 *   stopped running, and failed deliveries of both rules.
 * One table and two small functions instead of an alarm per forwarder: see the decision record for the cost.
 */
export class LivenessWatchdog extends Construct {
  readonly table: dynamodb.Table;
  readonly recorder: lambda.Function;
  readonly watchdog: lambda.Function;
  readonly centralRule: events.CfnRule;
  readonly checkRule: events.CfnRule;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: LivenessWatchdogProps) {
    super(scope, id);
    // Rows hold account IDs, region names, rule names and timestamps, all of which are also in the templates: the
    // AWS owned key (DynamoDB's default encryption at rest, no KMS charges, no key policy to break) is enough. No
    // point-in-time recovery: the state rebuilds itself from the next heartbeats within 6 hours.
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: LIVENESS_NAMES.table,
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.DEFAULT,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: 'The liveness table holds only last-seen times of heartbeats that arrive every 6 hours; after a loss it is complete again within 6 hours, so point-in-time recovery would restore nothing worth its cost.',
    });

    const code = lambda.Code.fromAsset(lambdaAssetDir('liveness'));
    const common = {
      code,
      // The newest Node.js runtime aws-cdk-lib knows (cdk-nag AwsSolutions-L1); async handlers, as nodejs24.x requires.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
    };
    this.recorder = new lambda.Function(this, 'Recorder', {
      ...common,
      functionName: LIVENESS_NAMES.recorderFunction,
      description: 'breakglass: records forwarder heartbeats (last seen per account, region and forwarder)',
      handler: 'index.record',
      memorySize: 128,
      timeout: Duration.seconds(10),
      logGroup: new logs.LogGroup(this, 'RecorderLogs', {
        logGroupName: `/aws/lambda/${LIVENESS_NAMES.recorderFunction}`,
        retention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      // Thousands of invocations a day: JSON logs at WARN drop the per-invocation platform lines (START, END,
      // REPORT), keeping only warnings (AWS Lambda developer guide, "Configuring advanced logging controls").
      loggingFormat: lambda.LoggingFormat.JSON,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      applicationLogLevelV2: lambda.ApplicationLogLevel.WARN,
      environment: { TABLE_NAME: this.table.tableName },
    });
    this.recorder.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [this.table.tableArn] }));

    this.watchdog = new lambda.Function(this, 'Watchdog', {
      ...common,
      functionName: LIVENESS_NAMES.watchdogFunction,
      description: 'breakglass: reports forwarders silent for more than a day to the operations topic',
      handler: 'index.check',
      memorySize: 256,
      timeout: Duration.minutes(5),
      logGroup: new logs.LogGroup(this, 'WatchdogLogs', {
        logGroupName: `/aws/lambda/${LIVENESS_NAMES.watchdogFunction}`,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      environment: {
        TABLE_NAME: this.table.tableName,
        OPERATIONS_TOPIC_ARN: props.operationsTopic.topicArn,
        ACCOUNT_NAMES: JSON.stringify(props.accountNames ?? {}),
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.watchdog.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resources: [this.table.tableArn],
    }));
    this.watchdog.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.operationsTopic.topicArn] }));
    // Publishing to an SSE-KMS topic (SNS developer guide, "Encryption at rest": the publisher needs
    // kms:GenerateDataKey* and kms:Decrypt on the topic's key); the key policy delegates to IAM (account root).
    this.watchdog.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: [props.operationsKey.keyArn] }));
    for (const fn of [this.recorder, this.watchdog]) {
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'Grants only CloudWatch Logs writes for the function\'s own log group; the managed policy is the documented minimum for Lambda.',
      });
    }
    Validations.of(this.watchdog).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Only on the operations key by ARN: publishing to an SSE-KMS SNS topic needs kms:GenerateDataKey* and kms:Decrypt (SNS developer guide, "Encryption at rest").',
    });

    // Heartbeats: raw events (no input transformer) to the recorder, with the retries and dead-letter queue of every
    // central rule (lib/constructs/central-bus.ts TARGET_RETRY_POLICY).
    this.centralRule = new events.CfnRule(this, 'HeartbeatRule', {
      name: LIVENESS_NAMES.centralRule,
      description: 'breakglass: forwarder heartbeats from every account and region -> liveness recorder',
      eventBusName: props.bus.eventBusName,
      eventPattern: centralLivenessPattern(),
      state: 'ENABLED',
      targets: [{
        id: 'Recorder',
        arn: this.recorder.functionArn,
        retryPolicy: TARGET_RETRY_POLICY,
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      }],
    });
    new lambda.CfnPermission(this, 'HeartbeatRuleInvokesRecorder', {
      action: 'lambda:InvokeFunction',
      functionName: this.recorder.functionArn,
      principal: 'events.amazonaws.com',
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: this.centralRule.attrArn,
    });

    // The watchdog's clock: a scheduled rule on the default bus (scheduled rules exist only there). No dead-letter
    // queue: a failed invocation shows in the check-failed and not-running alarms below.
    this.checkRule = new events.CfnRule(this, 'CheckRule', {
      name: LIVENESS_NAMES.checkRule,
      description: 'breakglass: runs the forwarder liveness watchdog',
      scheduleExpression: WATCHDOG_SCHEDULE,
      state: 'ENABLED',
      targets: [{ id: 'Watchdog', arn: this.watchdog.functionArn }],
    });
    new lambda.CfnPermission(this, 'CheckRuleInvokesWatchdog', {
      action: 'lambda:InvokeFunction',
      functionName: this.watchdog.functionArn,
      principal: 'events.amazonaws.com',
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: this.checkRule.attrArn,
    });

    // Fail loud: the watchdog's own failures reach the operations topic like every other alarm on the alert path.
    const action = new actions.SnsAction(props.operationsTopic);
    const add = (cid: string, name: string, description: string, metric: cloudwatch.IMetric, o: Partial<cloudwatch.AlarmProps> = {}) => {
      this.alarms.push(operationsAlarm(this, cid, action, { alarmName: `${LIVENESS_NAMES.alarmPrefix}${name}`, alarmDescription: description, metric, ...o }));
    };
    const sum5 = { statistic: 'Sum', period: Duration.minutes(5) };
    add('RecorderErrors', 'recorder-errors', 'The breakglass liveness recorder failed to record forwarder heartbeats: forwarders may be reported silent by mistake. Check its log group.', this.recorder.metricErrors(sum5));
    add('WatchdogErrors', 'watchdog-errors', 'The breakglass liveness watchdog failed: silent forwarders may go unreported. Check its log group.', this.watchdog.metricErrors(sum5));
    // A watchdog that stops running raises no error: alarm when it has not run for 3 hours. Lambda publishes
    // Invocations only for periods with invocations, so missing data is breaching here (CloudWatch user guide,
    // "Configuring how CloudWatch alarms treat missing data").
    add('WatchdogNotRunning', 'watchdog-not-running', `The breakglass liveness watchdog has not run for 3 hours (it should run ${WATCHDOG_SCHEDULE}): silent forwarders go unreported. Check the rule ${LIVENESS_NAMES.checkRule} and the function.`,
      this.watchdog.metricInvocations({ statistic: 'Sum', period: Duration.hours(1) }), {
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    add('HeartbeatRuleFailed', 'failed-deliveries', `The rule ${LIVENESS_NAMES.centralRule} could not hand heartbeats to the recorder after retries (they are in the central dead-letter queue).`,
      new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { EventBusName: props.bus.eventBusName, RuleName: LIVENESS_NAMES.centralRule }, ...sum5 }));
    add('CheckRuleFailed', 'check-failed', `The rule ${LIVENESS_NAMES.checkRule} could not invoke the liveness watchdog.`,
      new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: LIVENESS_NAMES.checkRule }, ...sum5 }));
  }
}
