/**
 * Every producer-to-consumer edge of the alert path, proven on the SYNTHESIZED templates with
 * @cloud-copilot/iam-simulate: the resource policy (bus, function, topic, queue policy) and, where data is encrypted,
 * the key policy, together with the producer's identity policies where the producer is a role. Each edge has cases
 * that must be allowed and cases that must be denied, so a policy that allows everything or nothing fails here.
 *
 * What is not taken verbatim from a template:
 * - Lambda permissions: AWS::Lambda::Permission is translated into the function-policy statement Lambda documents
 *   for it (template-policies.ts functionPolicy), then evaluated.
 * - SNS -> subscriber: email, HTTPS and AWS Chatbot subscriptions involve no IAM policy (SNS delivers decrypted
 *   messages itself), so those edges are checked structurally; the one SQS subscriber, the drill's temporary queue,
 *   is created by the CLI (lib/drill/resources.ts queuePolicy), and that policy is evaluated.
 *
 * Accounts: test/helpers/iam.ts ACCOUNTS (the example config's security and management accounts, a member account,
 * an account outside the organization). Region of the member and regional stacks: eu-west-1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queuePolicy as drillQueuePolicy } from '../../lib/drill/resources';
import { CATALOGUE } from '../../lib/detection/catalogue';
import { ALARM_PREFIX } from '../../lib/constructs/delivery-alarms';
import { LIVENESS_NAMES } from '../../lib/liveness/constants';
import { centralRuleName, forwarderRoleName, forwarderRuleName, NAMES } from '../../lib/naming';
import {
  ACCOUNTS, ORG_ID, OTHER_ORG_ID, PARTITION, type Caller, describe as show, iamUser, type PolicyDocument, roleSession, simulate,
  type SimOutcome,
} from '../helpers/iam';
import { type CfnTemplate, exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';
import {
  busPolicy, byName, type Env, functionPolicy, keyPolicy, physical, queuePolicy, roleIdentityPolicies, roleTrustPolicy, topicPolicy,
} from './template-policies';

process.env.CDK_VALIDATION = 'false';

const REGION = 'eu-west-1';
const SECURITY = 'Breakglass-Security';
const ADMIN = [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } as PolicyDocument }];
/** An AWS service principal as the caller: no identity policies, no principal context keys. */
const service = (principal: string): Caller => ({ arn: principal, account: principal, context: {} });
const TLS = { 'aws:SecureTransport': 'true' };

function allowed(o: SimOutcome, what: string) {
  assert.equal(o.decision, 'Allowed', `${what} must be allowed: ${show(o)}`);
}
function denied(o: SimOutcome, what: string) {
  assert.notEqual(o.decision, 'Allowed', `${what} must be denied: ${show(o)}`);
}
/** Denied, and by the resource (or key) policy: the identity side was given everything. */
function deniedByResource(o: SimOutcome, what: string) {
  denied(o, what);
  assert.equal(o.trustAllows, false, `${what}: the resource policy must be what refuses: ${show(o)}`);
}

/** The synthesized config under test, its templates and their environments. */
class Deployed {
  constructor(readonly s: Synthesized) {}
  get c() { return this.s.config; }
  get security(): CfnTemplate { return this.s.templates.get(SECURITY)!; }
  get securityRegional(): CfnTemplate { return this.s.templates.get(`${SECURITY}-${REGION}`)!; }
  get management(): CfnTemplate { return this.s.templates.get(`Breakglass-Management-${REGION}`)!; }
  get home(): Env { return { partition: PARTITION, accountId: this.c.securityAccount.accountId, region: this.c.securityAccount.region }; }
  env(accountId: string, region = REGION): Env { return { partition: PARTITION, accountId, region }; }
  id(type: string, prop: string, value: string, t = this.security) { return byName(t, type, prop, value); }
  get bus() { return this.id('AWS::Events::EventBus', 'Name', NAMES.centralBus); }
  get busArn() { return physical(this.security, this.bus, 'Arn', this.home); }
  get notifier() { return this.id('AWS::Lambda::Function', 'FunctionName', NAMES.notifierFunction); }
  get notifierArn() { return physical(this.security, this.notifier, 'Arn', this.home); }
  get notifierRole(): string { return this.security.Resources[this.notifier]!.Properties.Role['Fn::GetAtt'][0]; }
  topic(name: string) { return this.id('AWS::SNS::Topic', 'TopicName', name); }
  topicArn(name: string) { return physical(this.security, this.topic(name), 'Ref', this.home); }
  keyOfTopic(name: string): string { return this.security.Resources[this.topic(name)]!.Properties.KmsMasterKeyId['Fn::GetAtt'][0]; }
  keyArn(keyId: string, t = this.security, env = this.home) { return physical(t, keyId, 'Arn', env); }
  queue(name: string, t = this.security) { return this.id('AWS::SQS::Queue', 'QueueName', name, t); }
  /** Central rules: name -> ARN (rule/<bus>/<name>), read from the template; `alerts`: only those invoking the notifier. */
  centralRules(alerts = false): Map<string, string> {
    const toNotifier = JSON.stringify({ 'Fn::GetAtt': [this.notifier, 'Arn'] });
    return new Map(resourcesOfType(this.security, 'AWS::Events::Rule')
      .filter(([, r]) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: this.bus }))
      .filter(([, r]) => !alerts || (r.Properties.Targets as any[]).some((tg) => JSON.stringify(tg.Arn) === toNotifier))
      .map(([id, r]) => [r.Properties.Name as string, physical(this.security, id, 'Arn', this.home)]));
  }
  /** Forwarder rules of a template (default bus, with an event pattern): name -> ARN in `env`. */
  forwarderRules(t: CfnTemplate, env: Env): Map<string, string> {
    return new Map(resourcesOfType(t, 'AWS::Events::Rule')
      .filter(([, r]) => r.Properties.EventBusName === undefined && r.Properties.EventPattern !== undefined)
      .map(([id, r]) => [r.Properties.Name as string, physical(t, id, 'Arn', env)]));
  }
  /** The forwarder role of a template: named forwarderRoleName(region), literally or as Fn::Sub in the StackSet template. */
  forwarderRole(t: CfnTemplate): string {
    const names = [JSON.stringify({ 'Fn::Sub': forwarderRoleName('${AWS::Region}') }), ...[this.home.region, REGION].map((r) => JSON.stringify(forwarderRoleName(r)))];
    const roles = resourcesOfType(t, 'AWS::IAM::Role').filter(([, r]) => names.includes(JSON.stringify(r.Properties.RoleName)));
    assert.equal(roles.length, 1, 'one forwarder role per template');
    return roles[0]![0];
  }
  alarms(): Array<{ name: string; arn: string; actions: unknown[] }> {
    return resourcesOfType(this.security, 'AWS::CloudWatch::Alarm').map(([, a]) => ({
      name: a.Properties.AlarmName as string,
      // Alarm ARN format: arn:<partition>:cloudwatch:<region>:<account>:alarm:<name> (CloudWatch API reference, MetricAlarm).
      arn: `arn:${PARTITION}:cloudwatch:${this.home.region}:${this.home.accountId}:alarm:${a.Properties.AlarmName}`,
      actions: [...(a.Properties.AlarmActions ?? []), ...(a.Properties.OKActions ?? [])],
    }));
  }
}

let example: Deployed;
let variant: Deployed;
before(() => {
  example = new Deployed(synthConfig());
  // Organization ID looked up at deploy time, chat channels (chat topics), HTTPS paging, own-key forwarder queues.
  variant = new Deployed(synthConfig(exampleWith((c) => {
    delete c.organization.id;
    c.alerts.slack = [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', minSeverity: 'high' }];
    c.alerts.https = [{ url: 'https://pager.example.com/hook', minSeverity: 'critical' }];
    c.alerts.deadLetterEncryption = 'kms';
  })));
});
after(() => { example?.s.cleanup(); variant?.s.cleanup(); });

const both = (fn: (d: Deployed, label: string) => Promise<void>) => async () => {
  await fn(example, 'example');
  await fn(variant, 'variant');
};

describe('forwarder role (any account of the organization) -> central bus: events:PutEvents', () => {
  /** PutEvents on the central bus as `caller`, with `identity` as its identity policies and the synthesized bus policy. */
  const put = (d: Deployed, caller: Caller, identity: Array<{ name: string; policy: PolicyDocument }>) => simulate({
    caller, action: 'events:PutEvents', resource: d.busArn, resourceAccount: d.home.accountId,
    identityPolicies: identity, resourcePolicy: busPolicy(d.security, d.bus, d.home),
  });
  const fwd = (account: string, orgId: string | undefined = ORG_ID) => roleSession(account, forwarderRoleName(REGION), 'forwarder', orgId);

  test('allowed: the forwarder roles of a member account (StackSet template), the management account and the security account', both(async (d, label) => {
    const cases: Array<[string, CfnTemplate, string]> = [
      ['member (StackSet template)', d.s.member, ACCOUNTS.member],
      ['management account', d.management, ACCOUNTS.management],
      ['security account, regional stack (same account)', d.securityRegional, ACCOUNTS.security],
    ];
    for (const [what, t, account] of cases) {
      const identity = roleIdentityPolicies(t, d.forwarderRole(t), d.env(account));
      const o = await put(d, fwd(account), identity);
      allowed(o, `${label}: ${what}`);
      assert.equal(o.identity, 'Allowed', `${label}: ${what}: the forwarder role's own policy allows PutEvents on the central bus`);
      assert.ok(o.trustAllows, `${label}: ${what}: the bus policy admits it: ${show(o)}`);
    }
    // The heartbeat schedule uses the home region's forwarder role of the security account (same account).
    const homeRole = d.forwarderRole(d.security);
    allowed(await put(d, roleSession(ACCOUNTS.security, forwarderRoleName(d.home.region), 'heartbeat'), roleIdentityPolicies(d.security, homeRole, d.home)), `${label}: heartbeat role`);
  }));

  test('denied by the bus policy: other principals of the organization, even with AdministratorAccess', both(async (d, label) => {
    const others: Array<[string, Caller]> = [
      ['a role of another name in a member account', roleSession(ACCOUNTS.member, 'Admin', 'alice')],
      ['a role whose name only contains the prefix', roleSession(ACCOUNTS.member, `x-${forwarderRoleName(REGION)}`, 's')],
      ['an IAM user named like a forwarder role', iamUser(ACCOUNTS.member, forwarderRoleName(REGION))],
      ['the break-glass role', roleSession(ACCOUNTS.member, d.c.role.name, 'BreakGlassUser1')],
      ['a role in a path named like the forwarder roles (path /breakglass-forwarder-x/, name evil)', {
        arn: `arn:aws:sts::${ACCOUNTS.member}:assumed-role/evil/s`, account: ACCOUNTS.member,
        context: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNTS.member}:role/${NAMES.forwarderRolePrefix}x/evil`, 'aws:PrincipalAccount': ACCOUNTS.member, 'aws:PrincipalOrgID': ORG_ID },
      }],
    ];
    for (const [what, caller] of others) deniedByResource(await put(d, caller, ADMIN), `${label}: ${what}`);
    // Control: the same request with the same identity, from a role named like a forwarder, is allowed.
    allowed(await put(d, fwd(ACCOUNTS.member), ADMIN), `${label}: control`);
  }));

  test('denied by the bus policy: a forwarder-named role outside the organization', both(async (d, label) => {
    const identity = roleIdentityPolicies(d.s.member, d.forwarderRole(d.s.member), d.env(ACCOUNTS.outside));
    for (const orgId of [OTHER_ORG_ID, undefined]) {
      // (roleSession's default parameter would turn an explicit undefined into ORG_ID: drop the key instead.)
      const caller = fwd(ACCOUNTS.outside, OTHER_ORG_ID);
      const { 'aws:PrincipalOrgID': _org, ...noOrg } = caller.context;
      const o = await put(d, orgId ? caller : { ...caller, context: noOrg }, identity);
      assert.equal(o.identity, 'Allowed', 'its own policy allows it');
      deniedByResource(o, `${label}: outside the organization (PrincipalOrgID ${orgId})`);
    }
  }));

  test('EventBridge may use a forwarder role only for rules of the role\'s own account (trust, aws:SourceAccount)', both(async (d, label) => {
    const t = d.s.member;
    const role = d.forwarderRole(t);
    const assume = (sourceAccount: string | undefined) => simulate({
      caller: service('events.amazonaws.com'), action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${ACCOUNTS.member}:role/${forwarderRoleName(REGION)}`, resourceAccount: ACCOUNTS.member,
      context: sourceAccount ? { 'aws:SourceAccount': sourceAccount } : {},
      identityPolicies: [], resourcePolicy: roleTrustPolicy(t, role, d.env(ACCOUNTS.member)),
    });
    allowed(await assume(ACCOUNTS.member), `${label}: rule of the member account`);
    denied(await assume(ACCOUNTS.outside), `${label}: rule of another account`);
    denied(await assume(undefined), `${label}: no aws:SourceAccount`);
  }));
});

describe('central rule -> notifier: lambda:InvokeFunction by events.amazonaws.com', () => {
  const invoke = (d: Deployed, principal: string, context: Record<string, string>) => simulate({
    caller: service(principal), action: 'lambda:InvokeFunction', resource: d.notifierArn, resourceAccount: d.home.accountId,
    context, identityPolicies: [], resourcePolicy: functionPolicy(d.security, d.notifier, d.home),
  });

  test('allowed: every central rule of this account that targets the notifier (ARN read from the template)', both(async (d, label) => {
    const rules = d.centralRules(true);
    assert.equal(rules.size, CATALOGUE.length + (d.c.alerts.heartbeat.enabled ? 1 : 0));
    for (const [name, arn] of rules) {
      assert.ok(arn.endsWith(`:rule/${NAMES.centralBus}/${name}`), arn);
      allowed(await invoke(d, 'events.amazonaws.com', { 'aws:SourceArn': arn, 'aws:SourceAccount': d.home.accountId }), `${label}: ${name}`);
    }
  }));

  test('denied: a rule of another account, a default-bus rule of this account, another region, no source, another service', both(async (d, label) => {
    const own = d.centralRules().get(centralRuleName('console-login'))!;
    const foreign = own.replace(`:${d.home.accountId}:`, `:${ACCOUNTS.outside}:`);
    const cases: Array<[string, string, Record<string, string>]> = [
      ['central-bus rule of another account', 'events.amazonaws.com', { 'aws:SourceArn': foreign, 'aws:SourceAccount': ACCOUNTS.outside }],
      ['another account\'s rule claiming this account', 'events.amazonaws.com', { 'aws:SourceArn': foreign, 'aws:SourceAccount': d.home.accountId }],
      ['a forwarder (default bus) of this account', 'events.amazonaws.com', {
        'aws:SourceArn': `arn:aws:events:${d.home.region}:${d.home.accountId}:rule/${forwarderRuleName('console-login')}`, 'aws:SourceAccount': d.home.accountId }],
      ['a central-bus rule in another region', 'events.amazonaws.com', { 'aws:SourceArn': own.replace(`:${d.home.region}:`, ':ap-south-1:'), 'aws:SourceAccount': d.home.accountId }],
      ['no source', 'events.amazonaws.com', {}],
      ['another service with a central rule as source', 'sns.amazonaws.com', { 'aws:SourceArn': own, 'aws:SourceAccount': d.home.accountId }],
    ];
    for (const [what, principal, ctx] of cases) deniedByResource(await invoke(d, principal, ctx), `${label}: ${what}`);
  }));
});

describe('notifier role -> alert topic, chat topics (sns:Publish) and the alert key; never the operations topic', () => {
  const notifier = (d: Deployed) => ({
    caller: roleSession(d.home.accountId, 'Breakglass-Security-NotifierFunctionServiceRole', NAMES.notifierFunction),
    identity: roleIdentityPolicies(d.security, d.notifierRole, d.home),
  });
  const publish = (d: Deployed, topicName: string, who: { caller: Caller; identity: Array<{ name: string; policy: PolicyDocument }> }, ctx: Record<string, string> = TLS) => simulate({
    caller: who.caller, action: 'sns:Publish', resource: d.topicArn(topicName), resourceAccount: d.home.accountId, context: ctx,
    identityPolicies: who.identity, resourcePolicy: topicPolicy(d.security, d.topic(topicName), d.home),
  });
  // Publishing to an SSE-KMS topic: the publisher needs kms:GenerateDataKey* and kms:Decrypt on the topic's key
  // (SNS developer guide, "Encryption at rest", publisher permissions); the key policy must admit it too.
  const useKey = (d: Deployed, keyId: string, action: string, who: { caller: Caller; identity: Array<{ name: string; policy: PolicyDocument }> }) => simulate({
    caller: who.caller, action, resource: d.keyArn(keyId), resourceAccount: d.home.accountId,
    identityPolicies: who.identity, resourcePolicy: keyPolicy(d.security, keyId, d.home),
  });
  const chatTopics = (d: Deployed) => resourcesOfType(d.security, 'AWS::SNS::Topic').map(([, r]) => r.Properties.TopicName as string).filter((n) => n.includes('-chat-'));

  test('allowed: alert topic and every chat topic, and the alert key', both(async (d, label) => {
    const who = notifier(d);
    const topics = [NAMES.alertTopic, ...chatTopics(d)];
    assert.equal(topics.length, label === 'variant' ? 2 : 1, 'the variant has one chat topic');
    for (const topic of topics) {
      allowed(await publish(d, topic, who), `${label}: publish to ${topic}`);
      assert.equal(d.keyOfTopic(topic), d.keyOfTopic(NAMES.alertTopic), `${topic} uses the alert key`);
    }
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) allowed(await useKey(d, d.keyOfTopic(NAMES.alertTopic), action, who), `${label}: ${action} on the alert key`);
  }));

  test('denied: the operations topic and its key, plain HTTP, another role of the account', both(async (d, label) => {
    const who = notifier(d);
    denied(await publish(d, NAMES.operationsTopic, who), `${label}: notifier -> operations topic`);
    denied(await useKey(d, d.keyOfTopic(NAMES.operationsTopic), 'kms:GenerateDataKey', who), `${label}: notifier -> operations key`);
    const http = await publish(d, NAMES.alertTopic, who, { 'aws:SecureTransport': 'false' });
    assert.equal(http.decision, 'ExplicitlyDenied', `${label}: publish without TLS: ${show(http)}`);
    const other = { caller: roleSession(d.home.accountId, 'SomeAppRole', 's'), identity: [] };
    denied(await publish(d, NAMES.alertTopic, other), `${label}: another role -> alert topic`);
    denied(await useKey(d, d.keyOfTopic(NAMES.alertTopic), 'kms:GenerateDataKey', other), `${label}: another role -> alert key`);
    // Principals of other accounts get nothing from the topic or the key, whatever their own policies say.
    const foreign = { caller: roleSession(ACCOUNTS.member, 'Admin', 's'), identity: ADMIN };
    deniedByResource(await publish(d, NAMES.alertTopic, foreign), `${label}: member-account admin -> alert topic`);
    deniedByResource(await useKey(d, d.keyOfTopic(NAMES.alertTopic), 'kms:GenerateDataKey', foreign), `${label}: member-account admin -> alert key`);
  }));

  test('notifier -> central dead-letter queue (its on-failure destination): allowed; the forwarder queue: denied', both(async (d, label) => {
    const who = notifier(d);
    const send = (queueName: string, w = who) => simulate({
      caller: w.caller, action: 'sqs:SendMessage', resource: physical(d.security, d.queue(queueName), 'Arn', d.home), resourceAccount: d.home.accountId,
      context: TLS, identityPolicies: w.identity, resourcePolicy: queuePolicy(d.security, d.queue(queueName), d.home),
    });
    const central = `${NAMES.rulePrefix}central-dead-letters`;
    allowed(await send(central), `${label}: notifier -> central DLQ`);
    // The queue is on the alert key, which the notifier may already use.
    assert.equal(d.security.Resources[d.queue(central)]!.Properties.KmsMasterKeyId['Fn::GetAtt'][0], d.keyOfTopic(NAMES.alertTopic));
    denied(await send(`${NAMES.rulePrefix}forwarder-dead-letters`), `${label}: notifier -> forwarder DLQ`);
    denied(await send(central, { caller: roleSession(d.home.accountId, 'SomeAppRole', 's'), identity: [] }), `${label}: another role -> central DLQ`);
  }));
});

describe('notifier role -> session table (one page per session) and the key that encrypts it', () => {
  const who = (d: Deployed) => ({
    caller: roleSession(d.home.accountId, 'Breakglass-Security-NotifierFunctionServiceRole', NAMES.notifierFunction),
    identity: roleIdentityPolicies(d.security, d.notifierRole, d.home),
  });
  const table = (d: Deployed, name: string = NAMES.sessionTable) => d.id('AWS::DynamoDB::Table', 'TableName', name);
  // DynamoDB tables here have no resource policy: the identity policy alone decides (same account).
  const call = (d: Deployed, action: string, arn: string, w = who(d), account = d.home.accountId) => simulate({
    caller: w.caller, action, resource: arn, resourceAccount: account, identityPolicies: w.identity,
  });

  test('allowed: GetItem and PutItem on the session table, and kms:Decrypt on its key, the alert key', both(async (d, label) => {
    const id = table(d);
    const sse = d.security.Resources[id]!.Properties.SSESpecification;
    assert.deepEqual(sse, { KMSMasterKeyId: { 'Fn::GetAtt': [d.keyOfTopic(NAMES.alertTopic), 'Arn'] }, SSEEnabled: true, SSEType: 'KMS' }, `${label}: encrypted with the alert key`);
    const arn = physical(d.security, id, 'Arn', d.home);
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem']) allowed(await call(d, action, arn), `${label}: ${action}`);
    // DynamoDB decrypts the table key with kms:Decrypt on the caller's behalf (KMS developer guide, "How Amazon
    // DynamoDB uses AWS KMS"); the key policy delegates to IAM.
    allowed(await simulate({ caller: who(d).caller, action: 'kms:Decrypt', resource: d.keyArn(d.keyOfTopic(NAMES.alertTopic)), resourceAccount: d.home.accountId,
      context: { 'kms:ViaService': `dynamodb.${d.home.region}.amazonaws.com` }, identityPolicies: who(d).identity, resourcePolicy: keyPolicy(d.security, d.keyOfTopic(NAMES.alertTopic), d.home) }), `${label}: kms:Decrypt`);
  }));

  test('denied: every other table action, the liveness table, a same-named table elsewhere, another role', both(async (d, label) => {
    const arn = physical(d.security, table(d), 'Arn', d.home);
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable', 'dynamodb:UpdateTimeToLive']) {
      denied(await call(d, action, arn), `${label}: notifier ${action}`);
    }
    denied(await call(d, 'dynamodb:GetItem', physical(d.security, table(d, LIVENESS_NAMES.table), 'Arn', d.home)), `${label}: notifier -> liveness table`);
    denied(await call(d, 'dynamodb:PutItem', arn.replace(`:${d.home.accountId}:`, `:${ACCOUNTS.member}:`), who(d), ACCOUNTS.member), `${label}: same-named table in another account`);
    denied(await call(d, 'dynamodb:PutItem', arn.replace(`:${d.home.region}:`, ':ap-south-1:')), `${label}: same-named table in another region`);
    denied(await call(d, 'dynamodb:PutItem', arn, { caller: roleSession(d.home.accountId, 'SomeAppRole', 's'), identity: [] }), `${label}: another role`);
  }));
});

describe('rule -> dead-letter queue: sqs:SendMessage by events.amazonaws.com with aws:SourceArn, and the queue key', () => {
  const send = (t: CfnTemplate, queueId: string, env: Env, ctx: Record<string, string>, principal = 'events.amazonaws.com') => simulate({
    caller: service(principal), action: 'sqs:SendMessage', resource: physical(t, queueId, 'Arn', env), resourceAccount: env.accountId,
    context: { ...TLS, ...ctx }, identityPolicies: [], resourcePolicy: queuePolicy(t, queueId, env),
  });
  const key = (t: CfnTemplate, keyId: string, env: Env, principal: string, action: string) => simulate({
    caller: service(principal), action, resource: physical(t, keyId, 'Arn', env), resourceAccount: env.accountId,
    identityPolicies: [], resourcePolicy: keyPolicy(t, keyId, env),
  });
  const src = (arn: string, account: string) => ({ 'aws:SourceArn': arn, 'aws:SourceAccount': account });

  test('central dead-letter queue: every central rule allowed; forwarders, other accounts and other services denied', both(async (d, label) => {
    const q = d.queue(`${NAMES.rulePrefix}central-dead-letters`);
    for (const [name, arn] of d.centralRules()) allowed(await send(d.security, q, d.home, src(arn, d.home.accountId)), `${label}: ${name}`);
    const own = d.centralRules().get(centralRuleName('assume-role'))!;
    deniedByResource(await send(d.security, q, d.home, src(own.replace(`:${d.home.accountId}:`, `:${ACCOUNTS.outside}:`), ACCOUNTS.outside)), `${label}: rule of another account`);
    const homeForwarder = [...d.forwarderRules(d.security, d.home).values()][0]!;
    deniedByResource(await send(d.security, q, d.home, src(homeForwarder, d.home.accountId)), `${label}: a forwarder rule`);
    deniedByResource(await send(d.security, q, d.home, src(own, d.home.accountId), 'sns.amazonaws.com'), `${label}: SNS`);
    const plain = await send(d.security, q, d.home, { ...src(own, d.home.accountId), 'aws:SecureTransport': 'false' });
    assert.equal(plain.decision, 'ExplicitlyDenied', `${label}: without TLS`);
  }));

  test('forwarder dead-letter queues: member (StackSet), management, security home and regional: own forwarders only', both(async (d, label) => {
    const cases: Array<[string, CfnTemplate, Env]> = [
      ['member (StackSet template)', d.s.member, d.env(ACCOUNTS.member)],
      ['management account', d.management, d.env(ACCOUNTS.management)],
      ['security account, home', d.security, d.home],
      ['security account, regional', d.securityRegional, d.env(ACCOUNTS.security)],
    ];
    for (const [what, t, env] of cases) {
      const q = d.queue(`${NAMES.rulePrefix}forwarder-dead-letters`, t);
      const rules = d.forwarderRules(t, env);
      assert.ok(rules.size > 0, `${what}: forwarders`);
      for (const [name, arn] of rules) allowed(await send(t, q, env, src(arn, env.accountId)), `${label}: ${what}: ${name}`);
      const one = [...rules.values()][0]!;
      deniedByResource(await send(t, q, env, src(one.replace(`:${env.accountId}:`, `:${ACCOUNTS.outside}:`), ACCOUNTS.outside)), `${label}: ${what}: another account's forwarder`);
      deniedByResource(await send(t, q, env, src(`arn:aws:events:${env.region}:${env.accountId}:rule/team-a-nightly`, env.accountId)), `${label}: ${what}: another rule of the account`);
      deniedByResource(await send(t, q, env, src(`arn:aws:events:${env.region}:${env.accountId}:rule/${NAMES.centralBus}/${centralRuleName('console-login')}`, env.accountId)), `${label}: ${what}: a custom-bus rule`);
    }
  }));

  test('queue keys: EventBridge may use them (no source condition: the queue policy is the gate); other services may not', both(async (d, label) => {
    const alertKey = d.keyOfTopic(NAMES.alertTopic);
    const keys: Array<[string, CfnTemplate, string, Env]> = [['alert key (central and home forwarder queues)', d.security, alertKey, d.home]];
    // deadLetterEncryption: kms gives each member queue its own key.
    const memberQueue = d.s.member.Resources[d.queue(`${NAMES.rulePrefix}forwarder-dead-letters`, d.s.member)]!;
    if (label === 'variant') {
      const own = memberQueue.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
      keys.push(['member queue\'s own key', d.s.member, own, d.env(ACCOUNTS.member)]);
    } else {
      assert.equal(memberQueue.Properties.SqsManagedSseEnabled, true, 'example: SSE-SQS member queues need no key policy');
    }
    for (const [what, t, keyId, env] of keys) {
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) allowed(await key(t, keyId, env, 'events.amazonaws.com', action), `${label}: ${what}: EventBridge ${action}`);
      for (const other of ['sns.amazonaws.com', 'cloudwatch.amazonaws.com', 'sqs.amazonaws.com']) {
        deniedByResource(await key(t, keyId, env, other, 'kms:GenerateDataKey'), `${label}: ${what}: ${other}`);
      }
    }
  }));
});

describe('CloudWatch alarm -> operations topic: sns:Publish and the operations key for cloudwatch.amazonaws.com', () => {
  const publish = (d: Deployed, topic: string, ctx: Record<string, string>, principal = 'cloudwatch.amazonaws.com') => simulate({
    caller: service(principal), action: 'sns:Publish', resource: d.topicArn(topic), resourceAccount: d.home.accountId,
    context: { ...TLS, ...ctx }, identityPolicies: [], resourcePolicy: topicPolicy(d.security, d.topic(topic), d.home),
  });
  const useKey = (d: Deployed, topic: string, action: string, ctx: Record<string, string>, principal = 'cloudwatch.amazonaws.com') => simulate({
    caller: service(principal), action, resource: d.keyArn(d.keyOfTopic(topic)), resourceAccount: d.home.accountId,
    context: ctx, identityPolicies: [], resourcePolicy: keyPolicy(d.security, d.keyOfTopic(topic), d.home),
  });
  const src = (arn: string, account: string | undefined) => ({ 'aws:SourceArn': arn, ...(account ? { 'aws:SourceAccount': account } : {}) });

  test('allowed: every alarm of the template (all notify the operations topic, all named with the prefix)', both(async (d, label) => {
    const alarms = d.alarms();
    assert.ok(alarms.length >= CATALOGUE.length + 6, `${alarms.length} alarms`);
    for (const a of alarms) {
      // An alarm named without the prefix would be refused by the topic policy: fail here instead of in production.
      assert.ok(a.name.startsWith(ALARM_PREFIX), `${a.name} must start with ${ALARM_PREFIX}`);
      assert.deepEqual([...new Set(a.actions.map((x) => JSON.stringify(x)))], [JSON.stringify({ Ref: d.topic(NAMES.operationsTopic) })], `${a.name}: actions`);
      allowed(await publish(d, NAMES.operationsTopic, src(a.arn, d.home.accountId)), `${label}: ${a.name} -> operations topic`);
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) allowed(await useKey(d, NAMES.operationsTopic, action, src(a.arn, d.home.accountId)), `${label}: ${a.name} ${action}`);
    }
  }));

  test('denied: an alarm of another account, without aws:SourceAccount, of another name or region; the alert topic', both(async (d, label) => {
    const own = d.alarms()[0]!.arn;
    const cases: Array<[string, Record<string, string>]> = [
      ['alarm of another account', src(own.replace(`:${d.home.accountId}:`, `:${ACCOUNTS.outside}:`), ACCOUNTS.outside)],
      ['another account\'s alarm claiming this account', src(own.replace(`:${d.home.accountId}:`, `:${ACCOUNTS.outside}:`), d.home.accountId)],
      ['no aws:SourceAccount', src(own, undefined)],
      ['an alarm of this account named otherwise', src(`arn:aws:cloudwatch:${d.home.region}:${d.home.accountId}:alarm:team-a-cpu`, d.home.accountId)],
      ['an alarm of this account in another region', src(own.replace(`:${d.home.region}:`, ':ap-south-1:'), d.home.accountId)],
      ['no source at all', {}],
    ];
    for (const [what, ctx] of cases) {
      deniedByResource(await publish(d, NAMES.operationsTopic, ctx), `${label}: topic: ${what}`);
      deniedByResource(await useKey(d, NAMES.operationsTopic, 'kms:GenerateDataKey', ctx), `${label}: key: ${what}`);
    }
    // Alarms never publish to the alert topic: neither its policy nor its key admits CloudWatch.
    deniedByResource(await publish(d, NAMES.alertTopic, src(own, d.home.accountId)), `${label}: alarm -> alert topic`);
    deniedByResource(await useKey(d, NAMES.alertTopic, 'kms:GenerateDataKey', src(own, d.home.accountId)), `${label}: alarm -> alert key`);
    // The alarm statements are for CloudWatch only.
    deniedByResource(await publish(d, NAMES.operationsTopic, src(own, d.home.accountId), 'lambda.amazonaws.com'), `${label}: another service with an alarm ARN`);
  }));
});

describe('central rule (raw copy of alerting-tampered) -> operations topic: events.amazonaws.com', () => {
  const publish = (d: Deployed, topic: string, ctx: Record<string, string>) => simulate({
    caller: service('events.amazonaws.com'), action: 'sns:Publish', resource: d.topicArn(topic), resourceAccount: d.home.accountId,
    context: { ...TLS, ...ctx }, identityPolicies: [], resourcePolicy: topicPolicy(d.security, d.topic(topic), d.home),
  });
  const useKey = (d: Deployed, topic: string, action: string) => simulate({
    caller: service('events.amazonaws.com'), action, resource: d.keyArn(d.keyOfTopic(topic)), resourceAccount: d.home.accountId,
    identityPolicies: [], resourcePolicy: keyPolicy(d.security, d.keyOfTopic(topic), d.home),
  });

  test('allowed: the central rule that targets it, and the operations key (no source condition, as SNS requires for EventBridge)', both(async (d, label) => {
    const rule = d.centralRules().get(centralRuleName('alerting-tampered'))!;
    allowed(await publish(d, NAMES.operationsTopic, { 'aws:SourceArn': rule, 'aws:SourceAccount': d.home.accountId }), `${label}: raw copy`);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) allowed(await useKey(d, NAMES.operationsTopic, action), `${label}: EventBridge ${action} on the operations key`);
  }));

  test('denied: forwarders, rules of other accounts, and EventBridge on the alert topic', both(async (d, label) => {
    const rule = d.centralRules().get(centralRuleName('alerting-tampered'))!;
    const homeForwarder = [...d.forwarderRules(d.security, d.home).values()][0]!;
    deniedByResource(await publish(d, NAMES.operationsTopic, { 'aws:SourceArn': homeForwarder, 'aws:SourceAccount': d.home.accountId }), `${label}: forwarder rule`);
    deniedByResource(await publish(d, NAMES.operationsTopic, { 'aws:SourceArn': rule.replace(`:${d.home.accountId}:`, `:${ACCOUNTS.outside}:`), 'aws:SourceAccount': ACCOUNTS.outside }), `${label}: other account`);
    deniedByResource(await publish(d, NAMES.operationsTopic, {}), `${label}: no source`);
    deniedByResource(await publish(d, NAMES.alertTopic, { 'aws:SourceArn': rule, 'aws:SourceAccount': d.home.accountId }), `${label}: EventBridge -> alert topic`);
  }));
});

describe('SNS -> subscribers', () => {
  test('email and HTTPS subscriptions only (no policy involved: SNS delivers itself); Chatbot subscribes to the chat topics', both(async (d, label) => {
    const subs = resourcesOfType(d.security, 'AWS::SNS::Subscription').map(([, r]) => r.Properties.Protocol as string);
    assert.deepEqual([...new Set(subs)].sort(), label === 'variant' ? ['email', 'https'] : ['email'], `${label}: protocols`);
    for (const [name, t] of [...d.s.templates.entries(), ['member', d.s.member] as const]) {
      if (name !== SECURITY) assert.deepEqual(resourcesOfType(t, 'AWS::SNS::Subscription'), [], `${name}: no subscriptions`);
    }
    // AWS Chatbot receives the chat topics through its own subscription; its channel role needs (and has) no permission.
    const chat = [...resourcesOfType(d.security, 'AWS::Chatbot::SlackChannelConfiguration'), ...resourcesOfType(d.security, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration')];
    assert.equal(chat.length, label === 'variant' ? 1 : 0);
    for (const [, c] of chat) {
      for (const arn of c.Properties.SnsTopicArns as unknown[]) {
        const topicId = (arn as { Ref: string }).Ref;
        assert.match(d.security.Resources[topicId]!.Properties.TopicName, /-chat-/);
      }
    }
  }));

  test('the drill\'s temporary SQS subscriber (lib/drill/resources.ts): sns.amazonaws.com from the alert topic only', both(async (d, label) => {
    const queueArn = `arn:aws:sqs:${d.home.region}:${d.home.accountId}:breakglass-drill-20260101T000000Z`;
    const policy = drillQueuePolicy(queueArn, d.topicArn(NAMES.alertTopic)) as PolicyDocument;
    const send = (ctx: Record<string, string>) => simulate({
      caller: service('sns.amazonaws.com'), action: 'sqs:SendMessage', resource: queueArn, resourceAccount: d.home.accountId,
      context: ctx, identityPolicies: [], resourcePolicy: policy,
    });
    allowed(await send({ 'aws:SourceArn': d.topicArn(NAMES.alertTopic) }), `${label}: from the alert topic`);
    deniedByResource(await send({ 'aws:SourceArn': d.topicArn(NAMES.operationsTopic) }), `${label}: from another topic`);
    deniedByResource(await send({}), `${label}: no source`);
  }));
});
