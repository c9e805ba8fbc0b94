import { Aws, type CfnCondition, Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { HEARTBEAT_DETAIL_TYPE, HEARTBEAT_SCHEDULE, HEARTBEAT_SOURCE, LIVENESS_NAMES, type HeartbeatDetail } from '../liveness/constants';
import { TARGET_RETRY_POLICY } from './central-bus';

export interface SchedulerHeartbeatsProps {
  /** @default HEARTBEAT_SCHEDULE (every 6 hours) */
  readonly schedule?: string;
}

/**
 * Heartbeats for forwarders that cannot carry a schedule themselves (rules in the state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS): an EventBridge Scheduler schedule per such forwarder puts a custom
 * event on this account's default bus (templated target for EventBridge PutEvents: EventBridge Scheduler user guide,
 * "Using templated targets"; API reference "EventBridgeParameters"), and the forwarder's pattern lets exactly that
 * event through (lib/liveness/constants.ts forwarderHeartbeatPattern). The heartbeat then travels the forwarder's own
 * target, role, retry policy and dead-letter queue to the central bus.
 *
 * Why not a scheduled EventBridge rule aimed at the default bus: an event that reached a bus from another bus is not
 * routed to a third bus (EventBridge user guide, "Sending events between event buses in the same account and Region":
 * "EventBridge can't route events received from a sender event bus to a third event bus"), so the forwarder could not
 * pass it on. Scheduler calls PutEvents, like an application; the event is then one hop from the central bus.
 */
export class SchedulerHeartbeats extends Construct {
  readonly role: iam.Role;
  readonly schedules = new Map<string, scheduler.CfnSchedule>();
  private readonly schedule: string;

  constructor(scope: Construct, id: string, props: SchedulerHeartbeatsProps = {}) {
    super(scope, id);
    this.schedule = props.schedule ?? HEARTBEAT_SCHEDULE;
    const region = Stack.of(this).region;
    const defaultBus = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`;
    this.role = new iam.Role(this, 'Role', {
      roleName: Token.isUnresolved(region) ? Fn.sub(LIVENESS_NAMES.schedulerRole('${AWS::Region}')) : LIVENESS_NAMES.schedulerRole(region),
      description: 'breakglass: lets EventBridge Scheduler put forwarder heartbeats on the default bus',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Confused-deputy guard recommended for the execution role (EventBridge Scheduler user guide, "Set up the
        // execution role": aws:SourceAccount).
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: {
        PutHeartbeatOnDefaultBus: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [defaultBus] })],
        }),
      },
    });
  }

  /** A schedule that sends `forwarderRuleName` its heartbeat; `condition` as the forwarder's own (global-only rules). */
  add(forwarderRuleName: string, condition?: CfnCondition): scheduler.CfnSchedule {
    const detail: HeartbeatDetail = { forwarder: forwarderRuleName };
    const s = new scheduler.CfnSchedule(this, `Schedule-${forwarderRuleName}`, {
      name: LIVENESS_NAMES.schedule(forwarderRuleName),
      description: `breakglass: heartbeat carried by the forwarder ${forwarderRuleName}`,
      scheduleExpression: this.schedule,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
        roleArn: this.role.roleArn,
        // The event's detail (templated EventBridge target: Input is the event detail).
        input: JSON.stringify(detail),
        eventBridgeParameters: { source: HEARTBEAT_SOURCE, detailType: HEARTBEAT_DETAIL_TYPE },
        // Scheduler retries up to 185 times within 24 h like the rule targets (Scheduler API reference, RetryPolicy).
        retryPolicy: { maximumRetryAttempts: TARGET_RETRY_POLICY.maximumRetryAttempts, maximumEventAgeInSeconds: TARGET_RETRY_POLICY.maximumEventAgeInSeconds },
      },
    });
    if (condition) {
      s.cfnOptions.condition = condition;
    }
    this.schedules.set(forwarderRuleName, s);
    return s;
  }
}
