import { Aws, CfnCondition, Fn, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GLOBAL_EVENTS_REGION } from '../config/regions';
import type { AlertRule } from '../detection/catalogue';
import type { DetectionContext } from '../detection/context';
import { HEARTBEAT_SCHEDULE, withHeartbeat } from '../liveness/constants';
import { forwarderRoleName, forwarderRuleName, NAMES } from '../naming';
import { TARGET_RETRY_POLICY } from './central-bus';
import { DeadLetterQueue } from './dead-letter-queue';
import { SchedulerHeartbeats } from './forwarder-liveness';
import { ruleState } from './rule-state';

export interface EventForwardersProps {
  readonly rules: readonly AlertRule[];
  readonly detection: DetectionContext;
  /** ARN of the central bus (security account, home region). */
  readonly centralBusArn: string;
  /**
   * Key for the dead-letter queue. @default - SQS-managed encryption (SSE-SQS): a customer key per region per
   * account would cost more than the rest of breakglass together; the events it holds are CloudTrail records that
   * are also in the trail.
   */
  readonly deadLetterKey?: kms.IKey;
  /**
   * Without deadLetterKey: "kms" creates a customer-managed key (rotation on) for this region's dead-letter queue;
   * "sqs-managed" uses SSE-SQS. See docs/decisions/0002-forwarder-dead-letter-encryption.md for the cost trade-off.
   * @default 'sqs-managed'
   */
  readonly deadLetterEncryption?: 'kms' | 'sqs-managed';
  /**
   * Every forwarder sends a heartbeat through its own target (retries, dead-letter queue) to the central bus, where
   * the liveness watchdog notices forwarders that went silent (docs/decisions/0003-forwarder-liveness.md).
   * @default true
   */
  readonly liveness?: boolean;
}

/**
 * Forwards break-glass events from this account's default bus in this region to the central bus.
 * CloudTrail delivers each event only to the default bus of the account and region that recorded it
 * (EventBridge user guide, "Events from AWS services"), so every watched region of every account needs these.
 *
 * In a StackSet template the region is unknown at synthesis; rules for global-only events (IAM, root sign-in,
 * recorded in us-east-1 only) are then guarded by a CloudFormation condition instead of being left out.
 *
 * Liveness: each rule also sends a heartbeat every 6 hours through its own target (its own schedule, or for the
 * read-only-event rules a Scheduler heartbeat its pattern admits); the watchdog in the security account reports
 * forwarders not heard from for a day (lib/constructs/liveness-watchdog.ts, docs/decisions/0003-forwarder-liveness.md).
 */
export class EventForwarders extends Construct {
  readonly role: iam.Role;
  readonly rules: ReadonlyMap<string, events.CfnRule>;
  readonly deadLetters: DeadLetterQueue;
  /** Schedules (and their role) for forwarders that cannot schedule themselves; undefined when none is needed. */
  readonly schedulerHeartbeats?: SchedulerHeartbeats;

  constructor(scope: Construct, id: string, props: EventForwardersProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const regionKnown = !Token.isUnresolved(region);
    // IAM role names are account-wide; one role per region keeps each regional stack independent.
    this.role = new iam.Role(this, 'Role', {
      roleName: regionKnown ? forwarderRoleName(region) : Fn.sub(forwarderRoleName('${AWS::Region}')),
      description: 'breakglass: lets forwarding rules put events on the central bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        // Confused-deputy guard: only rules of this account may use the role (IAM user guide, "The confused deputy problem").
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: {
        PutToCentralBus: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.centralBusArn] })],
        }),
      },
    });

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      queueName: `${NAMES.rulePrefix}forwarder-dead-letters`,
      key: props.deadLetterKey ?? (props.deadLetterEncryption === 'kms' ? 'own' : undefined),
      sourceRuleArnPattern: DeadLetterQueue.defaultBusRules(this, forwarderRuleName('')),
    });

    let globalOnly: CfnCondition | undefined;
    const liveness = props.liveness ?? true;
    let scheduled: SchedulerHeartbeats | undefined;
    const rules = new Map<string, events.CfnRule>();
    for (const rule of props.rules) {
      if (regionKnown && rule.regions === 'global' && region !== GLOBAL_EVENTS_REGION) continue;
      const name = forwarderRuleName(rule.id);
      const state = ruleState(rule);
      // Liveness: a rule "can have both an EventPattern and a ScheduleExpression, in which case the rule triggers on
      // matching events as well as on a schedule" (EventBridge API reference, PutRule); the scheduled event goes to
      // the rule's own target and names the rule in `resources`. Rules receiving read-only management events may not
      // carry a schedule (PutRule refuses ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS with a schedule expression):
      // their pattern also admits a heartbeat that EventBridge Scheduler puts on the default bus for them.
      const selfScheduled = liveness && state === 'ENABLED';
      const viaScheduler = liveness && !selfScheduled;
      const cfn = new events.CfnRule(this, `Rule-${rule.id}`, {
        name,
        description: `breakglass forwarder: ${rule.title}`.slice(0, 512),
        eventPattern: viaScheduler ? withHeartbeat(rule.pattern(props.detection), name) : rule.pattern(props.detection),
        ...(selfScheduled ? { scheduleExpression: HEARTBEAT_SCHEDULE } : {}),
        state,
        targets: [{
          id: 'CentralBus',
          arn: props.centralBusArn,
          roleArn: this.role.roleArn,
          retryPolicy: TARGET_RETRY_POLICY,
          deadLetterConfig: { arn: this.deadLetters.queue.queueArn },
        }],
      });
      if (!regionKnown && rule.regions === 'global') {
        globalOnly ??= new CfnCondition(this, 'IsGlobalEventsRegion', { expression: Fn.conditionEquals(Aws.REGION, GLOBAL_EVENTS_REGION) });
        cfn.cfnOptions.condition = globalOnly;
      }
      if (viaScheduler) {
        scheduled ??= new SchedulerHeartbeats(this, 'Heartbeats');
        scheduled.add(name, cfn.cfnOptions.condition);
      }
      rules.set(rule.id, cfn);
    }
    this.rules = rules;
    this.schedulerHeartbeats = scheduled;
  }
}
