import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { BreakglassConfig } from '../config/schema';
import { CATALOGUE, rulesForAccountKind } from '../detection/catalogue';
import { detectionContext } from '../detection/context';
import { centralRuleName, NAMES } from '../naming';
import { sessionWindowSeconds } from '../notify/session-key';
import { severitiesAtLeast } from '../notify/severity';
import { AlertTopic } from '../constructs/alert-topic';
import { BreakGlassRole } from '../constructs/break-glass-role';
import { BreakGlassUsers } from '../constructs/break-glass-users';
import { CentralAlertBus } from '../constructs/central-bus';
import { ChatChannels } from '../constructs/chat-channels';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';
import { ALARM_PREFIX, DeliveryAlarms } from '../constructs/delivery-alarms';
import { EventForwarders } from '../constructs/event-forwarders';
import { Heartbeat } from '../constructs/heartbeat';
import { LivenessWatchdog } from '../constructs/liveness-watchdog';
import { Notifier } from '../constructs/notifier';
import { OrganizationIdLookup } from '../constructs/organization-id';
import { centralBusArn } from './names';
import { revokeParameter } from './revoke-parameter';
import { roleProps } from './role-props';

export interface SecurityStackProps extends StackProps {
  readonly config: BreakglassConfig;
}

/** The alert raised for tampering also travels, raw, on the operations path: it must survive a broken notifier. */
export const INDEPENDENT_COPY_RULES = ['alerting-tampered'] as const;

/**
 * Security account, home region: users, alert and operations topics with their keys, central bus with every alert
 * rule, the notifier, dead-letter queues, alarms, heartbeat, chat channels and local forwarders.
 */
export class SecurityStack extends Stack {
  readonly users: BreakGlassUsers;
  readonly alerts: AlertTopic;
  readonly operations: AlertTopic;
  readonly central: CentralAlertBus;
  readonly notifier: Notifier;
  readonly deadLetters: DeadLetterQueue;
  readonly forwarders: EventForwarders;
  readonly alarms: DeliveryAlarms;
  readonly heartbeat?: Heartbeat;
  readonly liveness: LivenessWatchdog;
  readonly chat: ChatChannels;
  readonly role: BreakGlassRole;

  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id, props);
    const c = props.config;
    const a = c.alerts;
    const detection = detectionContext(c);

    this.users = new BreakGlassUsers(this, 'Users', {
      userNames: c.users.map((u) => u.name),
      roleName: c.role.name,
      organizationId: c.organization.id,
    });
    this.alerts = new AlertTopic(this, 'Alerts', {
      topicName: NAMES.alertTopic,
      keyAlias: NAMES.alertKeyAlias,
      emails: a.emails,
      httpsEndpoints: a.https.map((h) => ({ url: h.url, severities: severitiesAtLeast(h.minSeverity) })),
    });
    // Alarms about the alert path go through a second topic with its own key and subscribers, so a broken or
    // tampered alert topic or key cannot silence the news that it broke.
    this.operations = new AlertTopic(this, 'Operations', {
      topicName: NAMES.operationsTopic,
      keyAlias: NAMES.operationsKeyAlias,
      displayName: 'Break-glass alert path',
      emails: a.operations?.emails ?? a.emails,
      // The delivery alarms publish here as cloudwatch.amazonaws.com (their names start with ALARM_PREFIX).
      alarmNamePrefix: ALARM_PREFIX,
    });
    this.chat = new ChatChannels(this, 'Chat', { key: this.alerts.key, slack: a.slack, teams: a.teams });

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      queueName: `${NAMES.rulePrefix}central-dead-letters`,
      key: this.alerts.key,
      sourceRuleArnPattern: CentralAlertBus.ruleArnPattern(this, NAMES.centralBus),
    });
    this.notifier = new Notifier(this, 'Notifier', {
      functionName: NAMES.notifierFunction,
      alertTopic: this.alerts.topic,
      chatTopics: this.chat.topics,
      topicKey: this.alerts.key,
      deadLetterQueue: this.deadLetters.queue,
      accountNames: a.accountNames,
      runbookUrl: a.runbookUrl,
      heartbeatPeriod: /rate\(\d+ (hour|hours|minute|minutes)\)|rate\(1 day\)/.test(a.heartbeat.schedule) ? 'daily' : 'weekly',
      // One page per break-glass session (docs/decisions/0005-one-page-per-session.md).
      sessions: {
        tableName: NAMES.sessionTable,
        securityAccountId: c.securityAccount.accountId,
        userNames: c.users.map((u) => u.name),
        roleName: c.role.name,
        sessionNameIsUserName: c.role.requireSessionNameIsUserName,
        windowSeconds: sessionWindowSeconds(c.role.maxSessionDuration),
      },
      // The heartbeat says when each user's next drill is due (lib/drill/cadence.ts).
      drillUsers: c.users.map((u) => u.name),
    });

    const organizationId = c.organization.id ?? new OrganizationIdLookup(this, 'OrganizationId').organizationId;
    this.central = new CentralAlertBus(this, 'Central', {
      busName: NAMES.centralBus,
      organizationId,
      rules: CATALOGUE,
      detection,
      notifier: this.notifier.function,
      deadLetterQueue: this.deadLetters.queue,
      independentCopies: { topic: this.operations.topic, ruleIds: INDEPENDENT_COPY_RULES },
    });
    this.forwarders = new EventForwarders(this, 'Forwarders', {
      rules: rulesForAccountKind('security'),
      detection,
      centralBusArn: centralBusArn(c),
      deadLetterKey: this.alerts.key,
    });
    // The forwarders here target a bus in the same stack: make CloudFormation create it first.
    for (const rule of this.forwarders.rules.values()) rule.node.addDependency(this.central.bus);

    const centralRuleNames = CATALOGUE.map((r) => centralRuleName(r.id));
    if (a.heartbeat.enabled) {
      this.heartbeat = new Heartbeat(this, 'Heartbeat', { schedule: a.heartbeat.schedule, centralBusArn: centralBusArn(c), role: this.forwarders.role });
      this.heartbeat.node.addDependency(this.central.bus);
      this.central.addNotifierRule('Rule-heartbeat', {
        name: centralRuleName('heartbeat'),
        description: 'INFO: heartbeat of the break-glass alert path',
        pattern: this.heartbeat.centralPattern,
        state: 'ENABLED',
      });
      centralRuleNames.push(centralRuleName('heartbeat'));
    }
    this.alarms = new DeliveryAlarms(this, 'Alarms', {
      operationsTopic: this.operations.topic,
      busName: NAMES.centralBus,
      centralRuleNames,
      forwarderRuleNames: [...this.forwarders.rules.values()].map((r) => r.name!),
      notifier: this.notifier.function,
      deadLetterQueues: [this.deadLetters.queue, this.forwarders.deadLetters.queue],
      alertTopic: this.alerts.topic,
    });
    // Forwarder liveness: every forwarder sends a heartbeat through its own target; silent ones (account, region,
    // forwarder) are reported on the operations topic (docs/decisions/0003-forwarder-liveness.md).
    this.liveness = new LivenessWatchdog(this, 'Liveness', {
      bus: this.central.bus, operationsTopic: this.operations.topic, operationsKey: this.operations.key,
      deadLetterQueue: this.deadLetters.queue, accountNames: a.accountNames,
    });

    // The StackSet excludes this account (its forwarders would clash with these), so the role is created here:
    // in an emergency the security account may need repair like any other.
    // `breakglass revoke` sets the parameter (lib/revoke/), as in the member template and Breakglass-Management.
    this.role = new BreakGlassRole(this, 'BreakGlassRole', { ...roleProps(c), revokeSessionsIssuedBefore: revokeParameter(this).valueAsString });

    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'OperationsTopicArn', { value: this.operations.topic.topicArn });
    new CfnOutput(this, 'CentralBusArn', { value: this.central.bus.eventBusArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetters.queue.queueUrl });
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
      deadLetterEncryption: props.config.alerts.deadLetterEncryption,
    });
  }
}
