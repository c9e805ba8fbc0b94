import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NAMES } from '../naming';

export interface DeliveryAlarmsProps {
  /** The independent path: alarms publish here, never to the alert topic they watch. */
  readonly operationsTopic: sns.ITopic;
  readonly busName: string;
  /** Names of the rules on the central bus. */
  readonly centralRuleNames: readonly string[];
  /** Names of the forwarding rules on this region's default bus. */
  readonly forwarderRuleNames: readonly string[];
  readonly notifier: lambda.IFunction;
  readonly deadLetterQueues: readonly sqs.IQueue[];
  readonly alertTopic: sns.ITopic;
}

/**
 * Every alarm name starts with this. The operations topic and its key admit cloudwatch.amazonaws.com only for alarms
 * of this account and region whose names start with it (aws:SourceArn ArnLike, see AlertTopic.alarmNamePrefix): an
 * alarm named otherwise would be refused by SNS and its notifications lost.
 */
export const ALARM_PREFIX = `${NAMES.rulePrefix}`;

/**
 * Alarms that notice when the alert path itself breaks, delivered through the operations topic:
 * - AWS/Events FailedInvocations per rule (dimensions RuleName, plus EventBusName for a custom bus; the metric is
 *   only emitted when non-zero — EventBridge user guide, "Monitoring Amazon EventBridge"), so missing data is OK;
 * - dead-letter queue depth (AWS/SQS ApproximateNumberOfMessagesVisible);
 * - notifier Errors, Throttles, AsyncEventsDropped and DestinationDeliveryFailures (AWS/Lambda);
 * - SNS NumberOfNotificationsFailed on the alert topic (deliveries to subscribers that failed).
 * One data point over the threshold alarms: a single lost break-glass alert is already an incident.
 */
/**
 * One alarm of the alert path, notifying the operations topic on ALARM and on OK: one data point at or over 1 in the
 * period alarms, and missing data is not a breach (no failures reported means none happened). `overrides` changes
 * those defaults for an alarm that needs it (e.g. a missing heartbeat that must breach).
 */
export function operationsAlarm(scope: Construct, id: string, action: cloudwatch.IAlarmAction,
  props: Pick<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'metric'> & Partial<cloudwatch.AlarmProps>): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    ...props,
  });
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

export class DeliveryAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: DeliveryAlarmsProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.operationsTopic);
    const add = (cid: string, alarmName: string, description: string, metric: cloudwatch.IMetric) => {
      this.alarms.push(operationsAlarm(this, cid, action, { alarmName, alarmDescription: description, metric }));
    };
    const sum5 = { statistic: 'Sum', period: Duration.minutes(5) };
    for (const rule of props.centralRuleNames) {
      add(`Failed-${rule}`, `${ALARM_PREFIX}failed-${rule}`, `Central rule ${rule} could not deliver to the notifier after retries. Alerts may be lost: check the dead-letter queue.`,
        new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { EventBusName: props.busName, RuleName: rule }, ...sum5 }));
    }
    for (const rule of props.forwarderRuleNames) {
      add(`Failed-${rule}`, `${ALARM_PREFIX}failed-${rule}`, `Forwarder ${rule} could not put events on the central bus. Check the bus policy and the forwarder role.`,
        new cloudwatch.Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule }, ...sum5 }));
    }
    props.deadLetterQueues.forEach((q, i) => add(`DeadLetters${i}`, `${ALARM_PREFIX}dead-letters-${i}`,
      'Events are waiting in a breakglass dead-letter queue: alerts were not delivered. Read them with `aws sqs receive-message` and replay.',
      q.metricApproximateNumberOfMessagesVisible({ ...sum5, statistic: 'Maximum' })));
    add('NotifierErrors', `${ALARM_PREFIX}notifier-errors`, 'The breakglass notifier failed to render or publish an alert.', props.notifier.metricErrors(sum5));
    add('NotifierThrottles', `${ALARM_PREFIX}notifier-throttles`,
      'The breakglass notifier hit its reserved concurrency: alerts are delayed, not lost (Lambda retries throttled events for up to 6 hours, then puts them in the dead-letter queue). Expect this during an alert storm, e.g. a deployment that touches every breakglass rule.',
      props.notifier.metricThrottles(sum5));
    // Asynchronous invocation (Lambda developer guide, "Types of metrics for Lambda functions"): AsyncEventsDropped
    // counts events dropped without a successful run (they go to the on-failure destination first);
    // DestinationDeliveryFailures counts records Lambda could not write to that destination, i.e. alerts lost for good.
    add('NotifierEventsDropped', `${ALARM_PREFIX}notifier-events-dropped`,
      'The breakglass notifier gave up on events (too old, retries exhausted, or concurrency 0): they should be in the central dead-letter queue.',
      props.notifier.metric('AsyncEventsDropped', sum5));
    add('NotifierDestinationFailed', `${ALARM_PREFIX}notifier-dead-letter-failed`,
      'The breakglass notifier could not put a failed event in the dead-letter queue: that alert is lost. Check the queue policy, its key and the notifier role.',
      props.notifier.metric('DestinationDeliveryFailures', sum5));
    add('TopicDeliveryFailed', `${ALARM_PREFIX}alert-delivery-failed`, 'SNS could not deliver a break-glass alert to a subscriber (email, HTTPS or chat).',
      props.alertTopic.metricNumberOfNotificationsFailed(sum5));
  }
}
