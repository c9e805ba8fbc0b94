import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BreakglassConfig } from '../config/schema';
import { CATALOGUE, rulesForAccountKind } from '../detection/catalogue';
import { detectionContext } from '../detection/context';
import { NAMES } from '../naming';
import { AlertTopic } from '../constructs/alert-topic';
import { BreakGlassRole } from '../constructs/break-glass-role';
import { BreakGlassUsers } from '../constructs/break-glass-users';
import { CentralAlertBus } from '../constructs/central-bus';
import { EventForwarders } from '../constructs/event-forwarders';
import { OrganizationIdLookup } from '../constructs/organization-id';
import { BreakglassTrail } from '../constructs/trail';
import { centralBusArn } from './names';
import { roleProps } from './role-props';

export interface SecurityStackProps extends StackProps {
  readonly config: BreakglassConfig;
}

/** Security account, home region: users, alert topic and key, central bus with every alert rule, local forwarders. */
export class SecurityStack extends Stack {
  readonly users: BreakGlassUsers;
  readonly alerts: AlertTopic;
  readonly central: CentralAlertBus;
  readonly forwarders: EventForwarders;
  readonly trail?: BreakglassTrail;
  readonly role: BreakGlassRole;

  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id, props);
    const c = props.config;
    const detection = detectionContext(c);

    this.users = new BreakGlassUsers(this, 'Users', {
      userNames: c.users.map((u) => u.name),
      roleName: c.role.name,
      organizationId: c.organization.id,
    });
    this.alerts = new AlertTopic(this, 'Alerts', {
      topicName: NAMES.alertTopic,
      keyAlias: NAMES.alertKeyAlias,
      emails: c.alerts.emails,
      httpsEndpoints: c.alerts.https.map((h) => h.url),
    });
    const organizationId = c.organization.id ?? new OrganizationIdLookup(this, 'OrganizationId').organizationId;
    this.central = new CentralAlertBus(this, 'Central', {
      busName: NAMES.centralBus,
      organizationId,
      rules: CATALOGUE,
      detection,
      topic: this.alerts.topic,
    });
    this.forwarders = new EventForwarders(this, 'Forwarders', {
      rules: rulesForAccountKind('security'),
      detection,
      centralBusArn: centralBusArn(c),
    });
    // The forwarders here target a bus in the same stack: make CloudFormation create it first.
    for (const rule of this.forwarders.rules.values()) rule.node.addDependency(this.central.bus);
    // The StackSet excludes this account (its forwarders would clash with these), so the role is created here:
    // in an emergency the security account may need repair like any other.
    this.role = new BreakGlassRole(this, 'BreakGlassRole', roleProps(c));
    if (c.cloudTrail.mode === 'create') this.trail = new BreakglassTrail(this, 'Trail', { trailName: NAMES.trail });

    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'CentralBusArn', { value: this.central.bus.eventBusArn });
    new CfnOutput(this, 'SignInUrl', { value: `https://${c.securityAccount.accountId}.signin.aws.amazon.com/console` });
  }
}

/** Security account, any other watched region: forwarders only. */
export class SecurityRegionStack extends Stack {
  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id, props);
    new EventForwarders(this, 'Forwarders', {
      rules: rulesForAccountKind('security'),
      detection: detectionContext(props.config),
      centralBusArn: centralBusArn(props.config),
    });
  }
}
