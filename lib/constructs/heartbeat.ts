import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NAMES } from '../naming';

export interface HeartbeatProps {
  /** EventBridge schedule expression, e.g. "cron(0 9 ? * MON *)". */
  readonly schedule: string;
  readonly centralBusArn: string;
  /** Role that may put events on the central bus (the home region's forwarder role). */
  readonly role: iam.IRole;
}

export const HEARTBEAT_SCHEDULE_RULE = `${NAMES.rulePrefix}heartbeat-schedule`;

/**
 * A scheduled event that travels the same path as real alerts: default bus → central bus → central rule → notifier
 * → topic → people. Scheduled rules exist only on the default bus (EventBridge user guide, "Creating a rule that
 * runs on a schedule"), hence the hop to the central bus. Scheduled rules cannot use the
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state, so this one is plain ENABLED.
 */
export class Heartbeat extends Construct {
  readonly scheduleRule: events.CfnRule;
  /** Pattern of the central rule that turns the scheduled event into a heartbeat message. */
  readonly centralPattern: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: HeartbeatProps) {
    super(scope, id);
    this.scheduleRule = new events.CfnRule(this, 'Schedule', {
      name: HEARTBEAT_SCHEDULE_RULE,
      description: 'breakglass: heartbeat through the alert path',
      scheduleExpression: props.schedule,
      state: 'ENABLED',
      targets: [{ id: 'CentralBus', arn: props.centralBusArn, roleArn: props.role.roleArn }],
    });
    this.centralPattern = {
      source: ['aws.events'],
      'detail-type': ['Scheduled Event'],
      account: [Aws.ACCOUNT_ID],
      resources: [this.scheduleRule.attrArn],
    };
  }
}
