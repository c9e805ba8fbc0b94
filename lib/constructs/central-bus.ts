import { Aws, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlertRule } from '../detection/catalogue';
import type { DetectionContext } from '../detection/context';
import { centralRuleName } from '../naming';
import { ruleState } from './rule-state';

export interface CentralAlertBusProps {
  readonly busName: string;
  /** Organization allowed to put events (aws:PrincipalOrgID). May be a deploy-time token. */
  readonly organizationId: string;
  readonly rules: readonly AlertRule[];
  readonly detection: DetectionContext;
  readonly topic: sns.ITopic;
}

/**
 * The one place alerts are raised: a custom bus in the security account's home region that every forwarder
 * sends to, with one rule per catalogue entry publishing to the alert topic.
 */
export class CentralAlertBus extends Construct {
  readonly bus: events.EventBus;
  readonly rules: ReadonlyMap<string, events.CfnRule>;

  constructor(scope: Construct, id: string, props: CentralAlertBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName, description: 'breakglass: events forwarded from every account and region' });
    // Cross-account delivery needs a bus resource policy; aws:PrincipalOrgID admits exactly this organization
    // (EventBridge user guide, "Permissions for event buses": organization condition).
    new events.CfnEventBusPolicy(this, 'OrganizationCanPutEvents', {
      eventBusName: this.bus.eventBusName,
      statementId: 'OrganizationForwarders',
      statement: {
        Sid: 'OrganizationForwarders',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: this.bus.eventBusArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      },
    });

    const rules = new Map<string, events.CfnRule>();
    for (const rule of props.rules) {
      const cfn = new events.CfnRule(this, `Rule-${rule.id}`, {
        name: centralRuleName(rule.id),
        description: `${rule.severity.toUpperCase()}: ${rule.title}`.slice(0, 512),
        eventBusName: this.bus.eventBusName,
        eventPattern: rule.pattern(props.detection),
        state: ruleState(rule),
        targets: [{ id: 'AlertTopic', arn: props.topic.topicArn }],
      });
      rules.set(rule.id, cfn);
    }
    this.rules = rules;

    // Topic policy: let EventBridge publish, but only from these rules (SNS developer guide, "Amazon SNS access
    // policy": EventBridge needs sns:Publish; aws:SourceArn narrows it to our rules on our bus).
    props.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CentralRulesPublish',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [props.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Stack.of(this).region}:${Aws.ACCOUNT_ID}:rule/${props.busName}/*` },
      },
    }));
  }
}
