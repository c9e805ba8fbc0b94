import { Aws, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlertRule } from '../detection/catalogue';
import type { DetectionContext } from '../detection/context';
import { centralRuleName, NAMES } from '../naming';
import { ruleState } from './rule-state';

export interface CentralAlertBusProps {
  readonly busName: string;
  /** Organization allowed to put events (aws:PrincipalOrgID). May be a deploy-time token. */
  readonly organizationId: string;
  readonly rules: readonly AlertRule[];
  readonly detection: DetectionContext;
  /** The notifier Lambda that renders and publishes alerts. */
  readonly notifier: lambda.IFunction;
  /** Dead-letter queue for events a target could not take after EventBridge's retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Rules whose raw events also go straight to this topic, bypassing the notifier: the alert path's own tampering
   * must not be hidden by tampering with the notifier. @default - none
   */
  readonly independentCopies?: { readonly topic: sns.ITopic; readonly ruleIds: readonly string[] };
}

/**
 * Input for the notifier: the rule's name and the whole event, through the predefined input-transformer variables
 * aws.events.rule-name and aws.events.event.json (EventBridge user guide, "Amazon EventBridge input transformation",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 */
export const NOTIFIER_INPUT_TEMPLATE = '{"rule":"<aws.events.rule-name>","event":<aws.events.event.json>}';

/**
 * Retries: EventBridge retries a failed delivery with back-off for up to 24 hours and 185 attempts (the maximum),
 * then dead-letters it (EventBridge user guide, "Event retry policy and using dead-letter queues").
 */
export const TARGET_RETRY_POLICY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 } as const;

/**
 * The one place alerts are raised: a custom bus in the security account's home region that every forwarder
 * sends to, with one rule per catalogue entry invoking the notifier.
 */
export class CentralAlertBus extends Construct {
  readonly bus: events.EventBus;
  readonly rules: ReadonlyMap<string, events.CfnRule>;

  constructor(scope: Construct, id: string, private readonly props: CentralAlertBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName, description: 'breakglass: events forwarded from every account and region' });
    // Cross-account delivery needs a bus resource policy. Forwarders put events with the role on their target (an
    // organization-wide grant requires a RoleArn on the sending rule: CloudFormation reference,
    // "AWS::Events::EventBusPolicy"), so the request is signed by a forwarder role session and aws:PrincipalArn is the
    // role's ARN (IAM user guide, "AWS global condition context keys"). Admitted: principals of this organization
    // (aws:PrincipalOrgID) AND roles named like the forwarder roles, which exist in every member account, the
    // management account and this account. The ArnNotLike refuses roles with a path: ArnLike's "*" also matches "/",
    // so "role/breakglass-forwarder-x/anything" (path /breakglass-forwarder-x/) would otherwise pass, and CloudTrail
    // names such a role by its name only, out of reach of the tamper rule's roleName prefix.
    new events.CfnEventBusPolicy(this, 'OrganizationCanPutEvents', {
      eventBusName: this.bus.eventBusName,
      statementId: 'OrganizationForwarders',
      statement: {
        Sid: 'OrganizationForwarders',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: this.bus.eventBusArn,
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
          ArnLike: { 'aws:PrincipalArn': CentralAlertBus.forwarderRoleArnPattern() },
          ArnNotLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::*:role/*/*` },
        },
      },
    });

    const rulesArnPattern = CentralAlertBus.ruleArnPattern(this, props.busName);
    new lambda.CfnPermission(this, 'RulesInvokeNotifier', {
      action: 'lambda:InvokeFunction',
      functionName: props.notifier.functionArn,
      principal: 'events.amazonaws.com',
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: rulesArnPattern,
    });

    const rules = new Map<string, events.CfnRule>();
    for (const rule of props.rules) {
      rules.set(rule.id, this.addNotifierRule(`Rule-${rule.id}`, {
        name: centralRuleName(rule.id),
        description: `${rule.severity.toUpperCase()}: ${rule.title}`,
        pattern: rule.pattern(props.detection),
        state: ruleState(rule),
        independentCopy: props.independentCopies?.ruleIds.includes(rule.id) ?? false,
      }));
    }
    this.rules = rules;

    if (props.independentCopies) {
      // Topic policy: EventBridge may publish the raw copies, only from the central rules (SNS developer guide,
      // "Amazon SNS access policy"; EventBridge needs sns:Publish on the topic).
      props.independentCopies.topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'CentralRulesPublishIndependentCopies',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.independentCopies.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, ArnLike: { 'aws:SourceArn': rulesArnPattern } },
      }));
    }
  }

  /** A rule on the central bus that hands matching events to the notifier (retries, dead-letter queue). */
  addNotifierRule(id: string, r: { name: string; description: string; pattern: Record<string, unknown>; state: string; independentCopy?: boolean }): events.CfnRule {
    const targets: events.CfnRule.TargetProperty[] = [{
      id: 'Notifier',
      arn: this.props.notifier.functionArn,
      inputTransformer: { inputTemplate: NOTIFIER_INPUT_TEMPLATE },
      retryPolicy: TARGET_RETRY_POLICY,
      deadLetterConfig: { arn: this.props.deadLetterQueue.queueArn },
    }];
    if (r.independentCopy && this.props.independentCopies) {
      targets.push({
        id: 'IndependentCopy',
        arn: this.props.independentCopies.topic.topicArn,
        retryPolicy: TARGET_RETRY_POLICY,
        deadLetterConfig: { arn: this.props.deadLetterQueue.queueArn },
      });
    }
    return new events.CfnRule(this, id, {
      name: r.name,
      description: r.description.slice(0, 512),
      eventBusName: this.bus.eventBusName,
      eventPattern: r.pattern,
      state: r.state,
      targets,
    });
  }

  /** ARNs of the forwarder roles in any account (lib/naming.ts forwarderRoleName: one per region). */
  static forwarderRoleArnPattern(): string {
    return `arn:${Aws.PARTITION}:iam::*:role/${NAMES.forwarderRolePrefix}*`;
  }

  /** ARNs of rules on a custom bus: arn:aws:events:<region>:<account>:rule/<bus>/<rule>. */
  static ruleArnPattern(scope: Construct, busName: string): string {
    return `arn:${Aws.PARTITION}:events:${Stack.of(scope).region}:${Aws.ACCOUNT_ID}:rule/${busName}/*`;
  }
}
