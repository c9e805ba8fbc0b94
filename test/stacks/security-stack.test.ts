/**
 * Security-critical properties of the security account's stacks (users, alert and operations keys and topics,
 * central bus and rules, notifier, dead-letter queues, alarms, heartbeat, chat channels, forwarders, trail,
 * organization-ID lookup), asserted on the synthesized templates.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CLOUDSHELL_ACTIONS, CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT, SELF_SERVICE_WITHOUT_MFA } from '../../lib/constructs/break-glass-users';
import { CATALOGUE, rulesForAccountKind } from '../../lib/detection/catalogue';
import { detectionContext } from '../../lib/detection/context';
import { LIVENESS_NAMES, withHeartbeat } from '../../lib/liveness/constants';
import { centralRuleName, forwarderRuleName, NAMES } from '../../lib/naming';
import { type CfnTemplate, exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';
import {
  allKeys, allTemplates, asArray, byProp, CENTRAL_DLQ, checkDeadLetterQueue, checkEveryTargetRetriesAndDeadLetters, FORWARDER_DLQ,
  HEARTBEAT_CENTRAL_RULE, HEARTBEAT_SCHEDULE_RULE, isTlsDeny, NOTIFIER_INPUT_TEMPLATE, only, render, RETRY_POLICY, severitiesFrom,
} from './template-helpers';

// aws-cdk-lib's bundled CloudFormation validator costs ~6 s of CPU at its first use in each test process. These tests
// check template properties only (validation never changes a template); validation.test.ts runs the validator, with
// cdk-nag and cfn-lint, over the same configs.
process.env.CDK_VALIDATION = 'false';

const SECURITY = 'Breakglass-Security';
const securityStackName = (s: Synthesized, region: string) => (region === s.config.securityAccount.region ? SECURITY : `${SECURITY}-${region}`);

function stackEnv(s: Synthesized, stackName: string) {
  return s.app.synth().getStackByName(stackName).environment;
}

const centralBusArn = (s: Synthesized) => `arn:aws:events:${s.config.securityAccount.region}:${s.config.securityAccount.accountId}:event-bus/${NAMES.centralBus}`;
const centralRulesArnPattern = (s: Synthesized) => `arn:aws:events:${s.config.securityAccount.region}:<account>:rule/${NAMES.centralBus}/*`;

/** Central-bus rules: rules attached to the custom bus of this template. */
function centralRules(t: CfnTemplate): Map<string, any> {
  const bus = only(resourcesOfType(t, 'AWS::Events::EventBus'), 'event bus')[0];
  return new Map(resourcesOfType(t, 'AWS::Events::Rule')
    .filter(([, r]) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: bus }))
    .map(([, r]) => [r.Properties.Name, r]));
}

/** Forwarder rules: rules on the default bus (no EventBusName) with an event pattern (not the heartbeat schedule). */
function forwarderRules(t: CfnTemplate): Map<string, [string, any]> {
  return new Map(resourcesOfType(t, 'AWS::Events::Rule')
    .filter(([, r]) => r.Properties.EventBusName === undefined && r.Properties.EventPattern !== undefined)
    .map(([id, r]) => [r.Properties.Name, [id, r]]));
}

/** Logical IDs of the home stack's alert-path resources, found by their physical names. */
function ids(s: Synthesized) {
  const t = s.templates.get(SECURITY)!;
  const keyOf = (alias: string) => {
    const [, a] = byProp(t, 'AWS::KMS::Alias', 'AliasName', alias);
    const id = a.Properties.TargetKeyId?.['Fn::GetAtt']?.[0] ?? a.Properties.TargetKeyId?.Ref;
    assert.equal(t.Resources[id]?.Type, 'AWS::KMS::Key', `${alias} points at a key of this template`);
    return id as string;
  };
  return {
    t,
    alertTopic: byProp(t, 'AWS::SNS::Topic', 'TopicName', NAMES.alertTopic)[0],
    operationsTopic: byProp(t, 'AWS::SNS::Topic', 'TopicName', NAMES.operationsTopic)[0],
    alertKey: keyOf(NAMES.alertKeyAlias),
    operationsKey: keyOf(NAMES.operationsKeyAlias),
    notifier: byProp(t, 'AWS::Lambda::Function', 'FunctionName', NAMES.notifierFunction)[0],
    centralDlq: byProp(t, 'AWS::SQS::Queue', 'QueueName', CENTRAL_DLQ)[0],
    forwarderDlq: byProp(t, 'AWS::SQS::Queue', 'QueueName', FORWARDER_DLQ)[0],
    forwarderRole: byProp(t, 'AWS::IAM::Role', 'RoleName', `${NAMES.forwarderRolePrefix}${s.config.securityAccount.region}`)[0],
  };
}

/** Distinct minimum severities of the chat channels, in config order. */
const chatSeverities = (s: Synthesized): string[] => [...new Set<string>([...s.config.alerts.slack, ...s.config.alerts.teams].map((c) => c.minSeverity))];
const chatTopicName = (sev: string) => `${NAMES.alertTopic}-chat-${sev}`;

/** Resolves Fn::Join with Refs inside (e.g. CHAT_TOPICS) to one string, writing a Ref as "<Ref:LogicalId>". */
function joinWithRefs(v: any): string {
  if (typeof v === 'string') return v;
  const [sep, parts] = v['Fn::Join'];
  return (parts as any[]).map((p) => (typeof p === 'string' ? p : p.Ref ? `<Ref:${p.Ref}>` : JSON.stringify(p))).join(sep);
}

function checkNoUserCredentials(s: Synthesized) {
  for (const [name, t] of allTemplates(s)) {
    for (const [id, r] of Object.entries(t.Resources)) {
      assert.notEqual(r.Type, 'AWS::IAM::AccessKey', `${name}/${id}: access key resource`);
      assert.notEqual(r.Type, 'AWS::SecretsManager::Secret', `${name}/${id}: secret resource`);
      if (r.Type === 'AWS::IAM::User') {
        assert.equal(r.Properties?.LoginProfile, undefined, `${name}/${id}: user has a LoginProfile`);
        assert.equal(r.Properties?.Policies, undefined, `${name}/${id}: user has inline policies`);
        // Only the break-glass group (its one managed policy is checked in checkUsersAndPolicy).
        for (const g of r.Properties?.Groups ?? []) assert.equal(t.Resources[g.Ref]?.Properties?.GroupName, NAMES.usersGroup, `${name}/${id}: user is in another group`);
        assert.equal(r.Properties?.ManagedPolicyArns, undefined, `${name}/${id}: policy attached to the user (Security Hub IAM.2)`);
      }
      const pw = allKeys(r.Properties).filter((k) => /password|secretaccesskey/i.test(k));
      assert.deepEqual(pw, [], `${name}/${id}: password-like property`);
    }
  }
}

function checkUsersAndPolicy(s: Synthesized, expectedOrgId: unknown) {
  const c = s.config;
  const t = s.templates.get('Breakglass-Security')!;
  const users = resourcesOfType(t, 'AWS::IAM::User');
  assert.deepEqual(users.map(([, u]) => u.Properties.UserName).sort(), c.users.map((u) => u.name).sort());
  const [policyId, policy] = only(resourcesOfType(t, 'AWS::IAM::ManagedPolicy'), 'managed policy');
  const [groupId, group] = only(resourcesOfType(t, 'AWS::IAM::Group'), 'group');
  // Permissions only through the group (Security Hub IAM.2, AWS Config iam-user-no-policies-check); fixed names.
  assert.equal(group.Properties.GroupName, NAMES.usersGroup);
  assert.deepEqual(group.Properties.ManagedPolicyArns, [{ Ref: policyId }]);
  assert.equal(group.Properties.Policies, undefined);
  assert.equal(policy.Properties.ManagedPolicyName, NAMES.usersPolicy);
  for (const [, u] of users) {
    assert.equal(u.Properties.ManagedPolicyArns, undefined);
    assert.deepEqual(u.Properties.Groups, [{ Ref: groupId }]);
  }
  // Users only in the security stack.
  for (const [name, other] of allTemplates(s)) {
    if (name !== 'Breakglass-Security') assert.deepEqual(resourcesOfType(other, 'AWS::IAM::User'), [], `${name} has IAM users`);
  }

  const statements = render(policy.Properties.PolicyDocument.Statement) as any[];
  const allows = statements.filter((st) => st.Effect === 'Allow');
  const denies = statements.filter((st) => st.Effect === 'Deny');
  assert.equal(allows.length + denies.length, statements.length);

  const assume = only(allows.filter((st) => asArray(st.Action).includes('sts:AssumeRole')), 'sts:AssumeRole statement');
  assert.deepEqual(asArray(assume.Action), ['sts:AssumeRole'], 'the AssumeRole statement allows nothing else');
  assert.deepEqual(asArray(assume.Resource), [`arn:aws:iam::*:role/${c.role.name}`]);
  assert.deepEqual(assume.Condition, {
    StringEquals: { 'aws:ResourceOrgID': expectedOrgId },
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
  });

  // Everything else allowed: the user's own source identity, its password (with MFA: the deny covers everything
  // without), and CloudShell in this account. No MFA self-enrolment (issue 11, item 2).
  const expected = new Set<string>(['sts:SetSourceIdentity', 'iam:ChangePassword', 'iam:GetUser', 'iam:ListMFADevices', 'iam:GetAccountPasswordPolicy',
    ...CLOUDSHELL_ACTIONS.anyResource, ...CLOUDSHELL_ACTIONS.environment]);
  const allowed = new Set<string>();
  for (const st of allows.filter((x) => x !== assume)) {
    assert.equal(st.NotAction, undefined, 'no Allow with NotAction');
    assert.equal(st.NotResource, undefined, 'no Allow with NotResource');
    for (const a of asArray<string>(st.Action)) allowed.add(a);
  }
  assert.deepEqual([...allowed].sort(), [...expected].sort());
  for (const a of ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ResyncMFADevice']) assert.ok(!allowed.has(a), a);
  const own = only(allows.filter((st) => st.Sid === 'ChangeOwnPassword'), 'own-user statement');
  assert.deepEqual(asArray(own.Resource), ['arn:aws:iam::<account>:user/${aws:username}']);
  const si = only(allows.filter((st) => st.Sid === 'SetOwnNameAsSourceIdentity'), 'source-identity statement');
  assert.deepEqual(si.Condition.StringEquals, { 'aws:ResourceOrgID': expectedOrgId, 'sts:SourceIdentity': '${aws:username}' });

  assert.deepEqual(SELF_SERVICE_WITHOUT_MFA, [], 'nothing is exempt from the MFA requirement');
  const deny = only(denies.filter((st) => st.Sid === 'DenyEverythingWithoutMfa'), 'deny without MFA');
  assert.equal(deny.Action, '*');
  assert.equal(deny.NotAction, undefined);
  assert.deepEqual(asArray(deny.Resource), ['*']);
  assert.deepEqual(deny.Condition, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } });
  const login = only(denies.filter((st) => st.Sid === 'DenyConsoleCredentialsForLocalDevelopment'), 'aws login deny');
  assert.deepEqual(asArray(login.Action).sort(), [...CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT].sort());
  assert.equal(login.Condition, undefined, 'with or without MFA');
  assert.equal(denies.length, 2);
}

/**
 * Key rotates, has no Deny, and lets exactly the listed service principals encrypt: EventBridge without source
 * conditions, CloudWatch only for the alarms matching `alarmSourceArn`.
 */
function checkServiceKey(t: CfnTemplate, keyId: string, what: string, services: readonly string[], alarmSourceArn?: string) {
  const key = t.Resources[keyId]!;
  assert.equal(key.Properties.EnableKeyRotation, true, `${what}: rotation`);
  const statements = key.Properties.KeyPolicy.Statement as any[];
  assert.equal(statements.filter((st) => st.Effect === 'Deny').length, 0, `${what}: no Deny`);
  const others = statements.flatMap((st) => asArray<string>(st.Principal?.Service)).filter((sp) => !services.includes(sp));
  assert.deepEqual(others, [], `${what}: no other service principal may use the key`);
  for (const service of services) {
    const forService = statements.filter((st) => asArray(st.Principal?.Service).includes(service));
    assert.ok(forService.length > 0, `${what}: no key-policy statement for ${service}`);
    const actions = new Set(forService.filter((st) => st.Effect === 'Allow').flatMap((st) => asArray<string>(st.Action)));
    for (const a of ['kms:GenerateDataKey*', 'kms:Decrypt']) assert.ok(actions.has(a), `${what}: ${service} lacks ${a}`);
    for (const st of forService) {
      if (service === 'cloudwatch.amazonaws.com') {
        // Alarms: the SNS guide recommends (and supports) the source conditions for every source but EventBridge.
        assert.deepEqual(render(st.Condition), { ArnLike: { 'aws:SourceArn': alarmSourceArn }, StringEquals: { 'aws:SourceAccount': '<account>' } }, `${what}: CloudWatch key statement conditions`);
        continue;
      }
      // The SNS guide: aws:SourceAccount / aws:SourceArn are not supported for this path; deliveries would fail.
      const condKeys = allKeys(st.Condition ?? {});
      assert.ok(!condKeys.includes('aws:SourceAccount') && !condKeys.includes('aws:SourceArn'),
        `${what}: ${service} key statement must not carry aws:SourceAccount/aws:SourceArn: ${JSON.stringify(st.Condition)}`);
      assert.ok(asArray<string>(st.Action).every((a) => ['kms:GenerateDataKey*', 'kms:Decrypt'].includes(a)), `${what}: ${service} gets only GenerateDataKey*/Decrypt`);
    }
  }
}

/**
 * A topic encrypted with a key whose policy is the TLS deny plus (optionally) one EventBridge publish statement and
 * (optionally) one CloudWatch-alarm publish statement.
 */
function checkTopicPolicy(t: CfnTemplate, topicId: string, what: string, eventBridgeSourceArn?: string, alarmSourceArn?: string) {
  const topic = t.Resources[topicId]!;
  const tps = resourcesOfType(t, 'AWS::SNS::TopicPolicy').filter(([, tp]) => (tp.Properties.Topics as any[]).some((x) => x.Ref === topicId));
  const statements = render(tps.flatMap(([, tp]) => tp.Properties.PolicyDocument.Statement as any[])) as any[];
  const tls = statements.filter(isTlsDeny);
  assert.equal(tls.length, 1, `${what}: expected one Deny on aws:SecureTransport false`);
  assert.ok(asArray(tls[0].Action).includes('sns:Publish'), `${what}: TLS deny covers Publish`);
  const forEvents = statements.filter((st) => asArray(st.Principal?.Service).includes('events.amazonaws.com'));
  if (eventBridgeSourceArn === undefined) {
    assert.deepEqual(forEvents, [], `${what}: EventBridge must not be able to publish here`);
  } else {
    const publish = only(forEvents, `${what}: EventBridge publish statement`);
    assert.equal(publish.Effect, 'Allow');
    assert.deepEqual(asArray(publish.Action), ['sns:Publish']);
    assert.deepEqual(publish.Resource, { Ref: topicId });
    assert.deepEqual(publish.Condition, { StringEquals: { 'aws:SourceAccount': '<account>' }, ArnLike: { 'aws:SourceArn': eventBridgeSourceArn } });
  }
  const forAlarms = statements.filter((st) => asArray(st.Principal?.Service).includes('cloudwatch.amazonaws.com'));
  if (alarmSourceArn === undefined) {
    assert.deepEqual(forAlarms, [], `${what}: CloudWatch alarms must not be able to publish here`);
  } else {
    const publish = only(forAlarms, `${what}: CloudWatch alarm publish statement`);
    assert.equal(publish.Effect, 'Allow');
    assert.deepEqual(asArray(publish.Action), ['sns:Publish']);
    assert.deepEqual(publish.Resource, { Ref: topicId });
    assert.deepEqual(publish.Condition, { ArnLike: { 'aws:SourceArn': alarmSourceArn }, StringEquals: { 'aws:SourceAccount': '<account>' } });
  }
  // Anything else allowed could only be a CDK grant to a principal of this account: no service, no '*'.
  for (const st of statements.filter((x) => x.Effect === 'Allow' && !forEvents.includes(x) && !forAlarms.includes(x))) {
    assert.ok(st.Principal?.AWS && !JSON.stringify(st.Principal).includes('"*"') && st.Principal.Service === undefined, `${what}: unexpected Allow ${JSON.stringify(st)}`);
  }
  assert.ok(topic.Properties.KmsMasterKeyId?.['Fn::GetAtt']?.[1] === 'Arn', `${what}: KmsMasterKeyId must reference a key: ${JSON.stringify(topic.Properties.KmsMasterKeyId)}`);
}

function checkKeysAndTopics(s: Synthesized) {
  const c = s.config;
  const x = ids(s);
  const t = x.t;
  assert.notEqual(x.alertKey, x.operationsKey, 'the operations topic has its own key');
  // Alarms publish as cloudwatch.amazonaws.com, only for the breakglass alarms of this account and region.
  const alarms = `arn:aws:cloudwatch:${c.securityAccount.region}:<account>:alarm:${NAMES.rulePrefix}*`;
  // Alert key: EventBridge writes the KMS-encrypted dead-letter queue; no alarm publishes to the alert topic.
  checkServiceKey(t, x.alertKey, 'alert key', ['events.amazonaws.com']);
  // Operations key: alarms (CloudWatch) and the raw copy (EventBridge) publish to the operations topic.
  checkServiceKey(t, x.operationsKey, 'operations key', ['events.amazonaws.com', 'cloudwatch.amazonaws.com'], alarms);

  assert.deepEqual(t.Resources[x.alertTopic]!.Properties.KmsMasterKeyId, { 'Fn::GetAtt': [x.alertKey, 'Arn'] });
  assert.deepEqual(t.Resources[x.operationsTopic]!.Properties.KmsMasterKeyId, { 'Fn::GetAtt': [x.operationsKey, 'Arn'] });
  // The alert topic is published to by the notifier only; the operations topic by the central rules' raw copies.
  checkTopicPolicy(t, x.alertTopic, 'alert topic');
  checkTopicPolicy(t, x.operationsTopic, 'operations topic', centralRulesArnPattern(s), alarms);

  const expectedTopics = [NAMES.alertTopic, NAMES.operationsTopic, ...chatSeverities(s).map(chatTopicName)].sort();
  assert.deepEqual(resourcesOfType(t, 'AWS::SNS::Topic').map(([, r]) => r.Properties.TopicName).sort(), expectedTopics, 'topics');
  for (const [name, other] of allTemplates(s)) {
    if (name !== SECURITY) {
      assert.deepEqual(resourcesOfType(other, 'AWS::SNS::Topic'), [], `${name}: topics only in the home stack`);
      // The organization trail's stack has its own key for the log files (checkTrail).
      if (name !== 'Breakglass-Trail') assert.deepEqual(resourcesOfType(other, 'AWS::KMS::Key'), [], `${name}: keys only in the home stack`);
    }
  }

  // Subscriptions. Alert topic: every email unfiltered, every HTTPS endpoint filtered on the severity attribute.
  const subs = resourcesOfType(t, 'AWS::SNS::Subscription').map(([, r]) => r.Properties);
  const got = subs.map((p) => ({ topic: p.TopicArn.Ref, protocol: p.Protocol, endpoint: p.Endpoint, filter: p.FilterPolicy, scope: p.FilterPolicyScope }));
  const want = [
    ...c.alerts.emails.map((e) => ({ topic: x.alertTopic, protocol: 'email', endpoint: e, filter: undefined, scope: undefined })),
    // Paging: the configured severities and only page = "true" (first alert of a session, or an alert of no session).
    ...c.alerts.https.map((h) => ({ topic: x.alertTopic, protocol: 'https', endpoint: h.url, filter: { severity: severitiesFrom(h.minSeverity), page: ['true'] }, scope: undefined })),
    ...(c.alerts.operations?.emails ?? c.alerts.emails).map((e) => ({ topic: x.operationsTopic, protocol: 'email', endpoint: e, filter: undefined, scope: undefined })),
  ];
  const key = (o: any) => JSON.stringify(o);
  assert.deepEqual(got.map(key).sort(), want.map(key).sort(), 'subscriptions (chat topics are subscribed by AWS Chatbot itself)');
}

/** The target every central rule has: the notifier, with input transformer, retries and the central DLQ. */
function notifierTarget(s: Synthesized) {
  const x = ids(s);
  return {
    Id: 'Notifier',
    Arn: { 'Fn::GetAtt': [x.notifier, 'Arn'] },
    InputTransformer: { InputTemplate: NOTIFIER_INPUT_TEMPLATE },
    RetryPolicy: RETRY_POLICY,
    DeadLetterConfig: { Arn: { 'Fn::GetAtt': [x.centralDlq, 'Arn'] } },
  };
}

function checkCentralBus(s: Synthesized, expectedOrgId: unknown) {
  const c = s.config;
  const x = ids(s);
  const t = x.t;
  const [busId, bus] = only(resourcesOfType(t, 'AWS::Events::EventBus'), 'event bus');
  assert.equal(bus.Properties.Name, NAMES.centralBus);
  assert.deepEqual(stackEnv(s, SECURITY), { account: c.securityAccount.accountId, region: c.securityAccount.region, name: `aws://${c.securityAccount.accountId}/${c.securityAccount.region}` });
  const [, policy] = only(resourcesOfType(t, 'AWS::Events::EventBusPolicy'), 'event bus policy');
  assert.deepEqual(policy.Properties.EventBusName, { Ref: busId });
  assert.deepEqual(render(policy.Properties.Statement), {
    Sid: 'OrganizationForwarders',
    Effect: 'Allow',
    Principal: '*',
    Action: 'events:PutEvents',
    Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
    // The organization's forwarder roles only (test/alert-path/edges.test.ts evaluates it).
    Condition: {
      StringEquals: { 'aws:PrincipalOrgID': expectedOrgId },
      ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${NAMES.forwarderRolePrefix}*` },
      ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*/*' },
    },
  });

  const rules = centralRules(t);
  // + the forwarder-liveness rule, which feeds the liveness recorder (test/liveness/templates.test.ts).
  const expectedNames = [...CATALOGUE.map((r) => centralRuleName(r.id)), ...(c.alerts.heartbeat.enabled ? [HEARTBEAT_CENTRAL_RULE] : []), LIVENESS_NAMES.centralRule];
  assert.deepEqual([...rules.keys()].sort(), expectedNames.sort(), 'one central rule per catalogue rule (+ heartbeat when enabled)');
  const ctx = detectionContext(c);
  const toNotifier = notifierTarget(s);
  const rawCopy = { Id: 'IndependentCopy', Arn: { Ref: x.operationsTopic }, RetryPolicy: RETRY_POLICY, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [x.centralDlq, 'Arn'] } } };
  for (const rule of CATALOGUE) {
    const r = rules.get(centralRuleName(rule.id))!;
    assert.equal(r.Properties.State, rule.readOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED', rule.id);
    assert.deepEqual(r.Properties.EventPattern, rule.pattern(ctx), `${rule.id}: pattern`);
    // Tampering with the alert path also travels raw to the operations topic: a broken notifier cannot hide it.
    const expected = rule.id === 'alerting-tampered' ? [toNotifier, rawCopy] : [toNotifier];
    assert.deepEqual(r.Properties.Targets, expected, `${rule.id}: targets`);
    assert.equal(r.Condition, undefined);
  }
  // AssumeRole is a read-only management event: both AssumeRole rules must receive read-only events.
  for (const id of ['assume-role', 'role-assumed']) {
    assert.equal(rules.get(centralRuleName(id))!.Properties.State, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', id);
  }

  // EventBridge may invoke the notifier only from rules on the central bus of this account.
  const [, permission] = only(resourcesOfType(t, 'AWS::Lambda::Permission').filter(([, r]) => r.Properties.FunctionName['Fn::GetAtt']?.[0] === x.notifier), 'Lambda permission');
  assert.deepEqual(render(permission.Properties), {
    Action: 'lambda:InvokeFunction',
    FunctionName: { 'Fn::GetAtt': [x.notifier, 'Arn'] },
    Principal: 'events.amazonaws.com',
    SourceAccount: '<account>',
    SourceArn: centralRulesArnPattern(s),
  });
}

function checkIndependentCopy(s: Synthesized) {
  const x = ids(s);
  // Exactly one target anywhere sends to the operations topic: the raw copy of alerting-tampered, untransformed.
  const toOperations = [...allTemplates(s)].flatMap(([name, t]) => resourcesOfType(t, 'AWS::Events::Rule')
    .flatMap(([, r]) => (r.Properties.Targets as any[]).filter((tg) => JSON.stringify(tg.Arn) === JSON.stringify({ Ref: x.operationsTopic })).map((tg) => [name, r.Properties.Name, tg])));
  const [stack, rule, target] = only(toOperations, 'target on the operations topic');
  assert.equal(stack, SECURITY);
  assert.equal(rule, centralRuleName('alerting-tampered'));
  for (const k of ['Input', 'InputPath', 'InputTransformer']) assert.equal(target[k], undefined, `raw copy: no ${k}`);
  // And the alert topic is no EventBridge target at all any more: only the notifier publishes to it.
  for (const [name, t] of allTemplates(s)) {
    for (const [, r] of resourcesOfType(t, 'AWS::Events::Rule')) {
      for (const tg of r.Properties.Targets as any[]) assert.notDeepEqual(tg.Arn, { Ref: x.alertTopic }, `${name}/${r.Properties.Name} targets the alert topic`);
    }
  }
}

/** A user ARN as Stack.formatArn writes it in a template: the partition is a pseudo parameter. */
function userArnJoin(account: string, name: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:user/${name}`]] };
}

function checkNotifier(s: Synthesized) {
  const c = s.config;
  const x = ids(s);
  const t = x.t;
  const fn = t.Resources[x.notifier]!.Properties;
  assert.equal(fn.Runtime, 'nodejs24.x');
  assert.deepEqual(fn.Architectures, ['arm64']);
  assert.equal(fn.Handler, 'index.handler');
  assert.equal(fn.PackageType, undefined, 'zip package');
  assert.equal(fn.ReservedConcurrentExecutions, 10, 'reserved concurrency (lib/constructs/notifier.ts NOTIFIER_RESERVED_CONCURRENCY)');

  // Environment: exactly these variables.
  const env = fn.Environment.Variables;
  assert.deepEqual(Object.keys(env).sort(), ['ACCOUNT_NAMES', 'ALERT_TOPIC_ARN', 'BREAKGLASS_ROLE_NAME', 'BREAKGLASS_USERS', 'CHAT_TOPICS', 'DRILL_USERS', 'HEARTBEAT_PERIOD', 'NODE_OPTIONS',
    'RUNBOOK_URL', 'SECURITY_ACCOUNT_ID', 'SESSION_NAME_IS_USER_NAME', 'SESSION_TABLE', 'SESSION_WINDOW_SECONDS']);
  // One page per session: the notifier's session table and the names it recognises a session by.
  const sessionTable = byProp(t, 'AWS::DynamoDB::Table', 'TableName', 'breakglass-sessions')[0];
  assert.deepEqual(env.SESSION_TABLE, { Ref: sessionTable });
  assert.deepEqual(JSON.parse(env.BREAKGLASS_USERS), c.users.map((u) => u.name));
  // The heartbeat's drill dates: the same users (lib/notify/drill-status.ts).
  assert.deepEqual(JSON.parse(env.DRILL_USERS), c.users.map((u) => u.name));
  assert.equal(env.SECURITY_ACCOUNT_ID, c.securityAccount.accountId);
  assert.equal(env.BREAKGLASS_ROLE_NAME, c.role.name);
  assert.equal(env.SESSION_NAME_IS_USER_NAME, String(c.role.requireSessionNameIsUserName));
  assert.equal(env.SESSION_WINDOW_SECONDS, String(Math.max(43200, c.role.maxSessionDuration)));
  assert.deepEqual(env.ALERT_TOPIC_ARN, { Ref: x.alertTopic });
  assert.deepEqual(JSON.parse(env.ACCOUNT_NAMES), c.alerts.accountNames);
  assert.equal(env.RUNBOOK_URL, c.alerts.runbookUrl ?? '');
  assert.equal(env.NODE_OPTIONS, '--enable-source-maps');
  const chatTopicIds = new Map(chatSeverities(s).map((sev) => [sev, byProp(t, 'AWS::SNS::Topic', 'TopicName', chatTopicName(sev))[0]]));
  assert.deepEqual(JSON.parse(joinWithRefs(env.CHAT_TOPICS)), chatSeverities(s).map((sev) => ({ arn: `<Ref:${chatTopicIds.get(sev)}>`, minSeverity: sev })));

  // Logs: its own log group, one year.
  const lgId = fn.LoggingConfig?.LogGroup?.Ref;
  assert.ok(lgId, `LoggingConfig.LogGroup must reference a log group: ${JSON.stringify(fn.LoggingConfig)}`);
  assert.equal(t.Resources[lgId]!.Type, 'AWS::Logs::LogGroup');
  assert.equal(t.Resources[lgId]!.Properties.LogGroupName, `/aws/lambda/${NAMES.notifierFunction}`);
  assert.equal(t.Resources[lgId]!.Properties.RetentionInDays, 365);

  // Asynchronous invocation: two Lambda retries, then the central dead-letter queue.
  const [, eic] = only(resourcesOfType(t, 'AWS::Lambda::EventInvokeConfig'), 'event invoke config');
  assert.deepEqual(eic.Properties, {
    FunctionName: { Ref: x.notifier },
    Qualifier: '$LATEST',
    MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [x.centralDlq, 'Arn'] } } },
  });

  // Role: basic execution + exactly publish (alert and chat topics), the alert key, and the dead-letter queue.
  const roleId = fn.Role?.['Fn::GetAtt']?.[0];
  const role = t.Resources[roleId]!;
  assert.deepEqual(role.Properties.AssumeRolePolicyDocument.Statement, [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
  assert.deepEqual(render(role.Properties.ManagedPolicyArns), ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
  assert.equal(role.Properties.Policies, undefined);
  const statements = resourcesOfType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
  const grants = new Set<string>();
  for (const st of statements) {
    assert.equal(st.Effect, 'Allow');
    assert.equal(st.Condition, undefined);
    for (const a of asArray<string>(st.Action)) for (const r of asArray(st.Resource)) grants.add(`${a} ${JSON.stringify(r)}`);
  }
  const want = [
    `sns:Publish ${JSON.stringify({ Ref: x.alertTopic })}`,
    ...[...chatTopicIds.values()].map((id) => `sns:Publish ${JSON.stringify({ Ref: id })}`),
    `kms:GenerateDataKey* ${JSON.stringify({ 'Fn::GetAtt': [x.alertKey, 'Arn'] })}`,
    `kms:Decrypt ${JSON.stringify({ 'Fn::GetAtt': [x.alertKey, 'Arn'] })}`,
    `sqs:SendMessage ${JSON.stringify({ 'Fn::GetAtt': [x.centralDlq, 'Arn'] })}`,
    `dynamodb:GetItem ${JSON.stringify({ 'Fn::GetAtt': [sessionTable, 'Arn'] })}`,
    `dynamodb:PutItem ${JSON.stringify({ 'Fn::GetAtt': [sessionTable, 'Arn'] })}`,
    // Read-only, on the break-glass users only: the heartbeat's drill dates.
    ...c.users.flatMap((u) => ['iam:GetUser', 'iam:ListUserTags'].map((a) => `${a} ${JSON.stringify(userArnJoin(c.securityAccount.accountId, u.name))}`)),
  ];
  assert.deepEqual([...grants].sort(), want.sort(), 'notifier permissions');
  assert.ok(!resourcesOfType(t, 'AWS::IAM::ManagedPolicy').some(([, p]) => JSON.stringify(p.Properties.Roles ?? []).includes(roleId)), 'no managed policy on the notifier role');
}

/** The notifier bundle (dist/notifier, built with the package) is in the cloud assembly, exports the handler, leaves the AWS SDK out. */
function checkNotifierBundle(s: Synthesized) {
  const x = ids(s);
  const code = x.t.Resources[x.notifier]!.Properties.Code;
  const hash = String(code.S3Key).replace(/\.zip$/, '');
  assert.match(code.S3Key, /^[0-9a-f]{64}\.zip$/, 'code is a zip asset');
  const manifest = JSON.parse(readFileSync(join(s.dir, `${SECURITY}.assets.json`), 'utf8'));
  assert.equal(manifest.files[hash]?.source?.packaging, 'zip');
  const file = join(s.dir, manifest.files[hash].source.path, 'index.js');
  assert.ok(existsSync(file), `bundled ${file}`);
  const js = readFileSync(file, 'utf8');
  const required = [...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
  assert.deepEqual([...new Set(required.filter((r) => !r.startsWith('node:') && !['fs', 'path', 'os', 'util', 'crypto'].includes(r)))].sort(), ['@aws-sdk/client-dynamodb', '@aws-sdk/client-iam', '@aws-sdk/client-sns'],
    'everything but the runtime-provided AWS SDK is bundled');
  // Load it with a stub SDK: the handler Lambda calls is exported.
  const mod = { exports: {} as any };
  const sdk: Record<string, unknown> = {
    '@aws-sdk/client-sns': { SNSClient: class {}, PublishCommand: class {} },
    '@aws-sdk/client-dynamodb': { DynamoDBClient: class {}, GetItemCommand: class {}, PutItemCommand: class {} },
    '@aws-sdk/client-iam': { IAMClient: class {}, GetUserCommand: class {}, ListUserTagsCommand: class {} },
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', js)((id: string) => sdk[id] ?? require(id), mod, mod.exports);
  assert.equal(typeof mod.exports.handler, 'function');
}

function checkDeadLetterQueues(s: Synthesized) {
  const c = s.config;
  const x = ids(s);
  const home = c.securityAccount.region;
  checkDeadLetterQueue(x.t, 'central DLQ', CENTRAL_DLQ, x.alertKey, centralRulesArnPattern(s));
  checkDeadLetterQueue(x.t, `forwarder DLQ ${home}`, FORWARDER_DLQ, x.alertKey, `arn:aws:events:${home}:<account>:rule/breakglass-fwd-*`);
  for (const region of detectionContext(c).regions.filter((r) => r !== home)) {
    const t = s.templates.get(securityStackName(s, region))!;
    checkDeadLetterQueue(t, `forwarder DLQ ${region}`, FORWARDER_DLQ, 'SSE-SQS', `arn:aws:events:${region}:<account>:rule/breakglass-fwd-*`);
    assert.deepEqual(resourcesOfType(t, 'AWS::SQS::Queue').length, 1, `${region}: one queue`);
  }
}

function checkEveryTarget(s: Synthesized) {
  let total = 0;
  for (const [name, t] of s.templates) {
    const region = stackEnv(s, name).region;
    // The heartbeat schedule is the one rule without a dead-letter queue: its failure shows as a missing heartbeat.
    total += checkEveryTargetRetriesAndDeadLetters(t, name, { region, account: '<account>', except: [HEARTBEAT_SCHEDULE_RULE, LIVENESS_NAMES.checkRule] });
  }
  total += checkEveryTargetRetriesAndDeadLetters(s.member, 'member-template', { region: '<region>', account: '<account>' });
  const expectedCentral = CATALOGUE.length + 1 /* raw copy */ + (s.config.alerts.heartbeat.enabled ? 1 : 0);
  assert.ok(total > expectedCentral, `checked ${total} targets`);
}

function checkAlarms(s: Synthesized) {
  const c = s.config;
  const x = ids(s);
  const t = x.t;
  const alarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties).filter((a) => !String(a.AlarmName).startsWith(LIVENESS_NAMES.alarmPrefix));
  const names = alarms.map((a) => a.AlarmName);
  assert.equal(new Set(names).size, names.length, 'alarm names are unique');
  for (const a of alarms) {
    const w = a.AlarmName;
    assert.ok(typeof w === 'string' && w.startsWith('breakglass-') && w.length <= 255, `alarm name ${w}`);
    assert.deepEqual(a.AlarmActions, [{ Ref: x.operationsTopic }], `${w}: alarm action`);
    assert.deepEqual(a.OKActions, [{ Ref: x.operationsTopic }], `${w}: OK action`);
    assert.equal(a.InsufficientDataActions, undefined, `${w}`);
    assert.equal(a.Threshold, 1, `${w}: one is already too many`);
    assert.equal(a.ComparisonOperator, 'GreaterThanOrEqualToThreshold', w);
    assert.equal(a.EvaluationPeriods, 1, w);
    assert.ok(a.DatapointsToAlarm === undefined || a.DatapointsToAlarm === 1, w);
    assert.equal(a.Period, 300, `${w}: five minutes`);
    assert.equal(a.TreatMissingData, 'notBreaching', `${w}: FailedInvocations is only emitted when non-zero`);
    assert.equal(a.Metrics, undefined, `${w}: a plain metric`);
    assert.ok(a.AlarmDescription?.length > 20, `${w}: says what broke`);
  }
  const sig = (a: any) => `${a.Namespace} ${a.MetricName} ${a.Statistic} ${JSON.stringify([...a.Dimensions].sort((p: any, q: any) => p.Name.localeCompare(q.Name)))}`;
  const dims = (d: Record<string, unknown>) => JSON.stringify(Object.entries(d).sort(([p], [q]) => p.localeCompare(q)).map(([Name, Value]) => ({ Name, Value })));
  const centralRuleNames = [...CATALOGUE.map((r) => centralRuleName(r.id)), ...(c.alerts.heartbeat.enabled ? [HEARTBEAT_CENTRAL_RULE] : [])];
  const homeForwarders = [...forwarderRules(t).keys()];
  assert.ok(homeForwarders.length > 0);
  const want = [
    // Rules on a custom bus report with EventBusName + RuleName; default-bus rules with RuleName only.
    ...centralRuleNames.map((r) => `AWS/Events FailedInvocations Sum ${dims({ EventBusName: NAMES.centralBus, RuleName: r })}`),
    ...homeForwarders.map((r) => `AWS/Events FailedInvocations Sum ${dims({ RuleName: r })}`),
    ...[x.centralDlq, x.forwarderDlq].map((q) => `AWS/SQS ApproximateNumberOfMessagesVisible Maximum ${dims({ QueueName: { 'Fn::GetAtt': [q, 'QueueName'] } })}`),
    `AWS/Lambda Errors Sum ${dims({ FunctionName: { Ref: x.notifier } })}`,
    `AWS/Lambda Throttles Sum ${dims({ FunctionName: { Ref: x.notifier } })}`,
    `AWS/Lambda AsyncEventsDropped Sum ${dims({ FunctionName: { Ref: x.notifier } })}`,
    `AWS/Lambda DestinationDeliveryFailures Sum ${dims({ FunctionName: { Ref: x.notifier } })}`,
    `AWS/SNS NumberOfNotificationsFailed Sum ${dims({ TopicName: { 'Fn::GetAtt': [x.alertTopic, 'TopicName'] } })}`,
  ];
  assert.deepEqual(alarms.map(sig).sort(), want.sort(), 'alarms');
  // Only the home stack alarms (CloudWatch alarms are regional; the operations topic lives there).
  for (const [name, other] of allTemplates(s)) {
    if (name !== SECURITY) assert.deepEqual(resourcesOfType(other, 'AWS::CloudWatch::Alarm'), [], `${name}: no alarms`);
  }
}

function checkHeartbeat(s: Synthesized) {
  const c = s.config;
  const x = ids(s);
  const t = x.t;
  const everyRule = allTemplates(s).flatMap(([name, tt]) => resourcesOfType(tt, 'AWS::Events::Rule').map(([id, r]) => ({ name, id, r })));
  const env = t.Resources[x.notifier]!.Properties.Environment.Variables;
  if (!c.alerts.heartbeat.enabled) {
    const pureSchedule = (r: any) => r.Properties.ScheduleExpression !== undefined && r.Properties.EventPattern === undefined && r.Properties.Name !== LIVENESS_NAMES.checkRule;
    assert.deepEqual(everyRule.filter(({ r }) => /heartbeat/.test(r.Properties.Name) || pureSchedule(r)).map(({ name, id }) => `${name}/${id}`), [],
      'no heartbeat rules when heartbeat.enabled is false');
    assert.ok(!resourcesOfType(t, 'AWS::CloudWatch::Alarm').some(([, a]) => !String(a.Properties.AlarmName).startsWith(LIVENESS_NAMES.alarmPrefix) && JSON.stringify(a).includes('heartbeat')), 'no heartbeat alarm');
    return;
  }
  // Forwarders carry their own liveness schedule (with a pattern); the liveness check is tested in test/liveness/.
  const schedules = everyRule.filter(({ r }) => r.Properties.ScheduleExpression !== undefined && r.Properties.EventPattern === undefined && r.Properties.Name !== LIVENESS_NAMES.checkRule);
  const sched = only(schedules, 'scheduled rule');
  assert.equal(sched.name, SECURITY);
  const p = sched.r.Properties;
  assert.equal(p.Name, HEARTBEAT_SCHEDULE_RULE);
  assert.equal(p.ScheduleExpression, c.alerts.heartbeat.schedule);
  assert.equal(p.State, 'ENABLED');
  assert.equal(p.EventBusName, undefined, 'schedules run on the default bus');
  assert.equal(p.EventPattern, undefined);
  const target = only(p.Targets as any[], 'heartbeat schedule target');
  assert.deepEqual(render({ Id: target.Id, Arn: target.Arn, RoleArn: target.RoleArn }),
    { Id: 'CentralBus', Arn: centralBusArn(s), RoleArn: { 'Fn::GetAtt': [x.forwarderRole, 'Arn'] } }, 'heartbeat travels to the central bus with the forwarder role');
  assert.equal(target.Input ?? target.InputPath ?? target.InputTransformer, undefined, 'the scheduled event itself is forwarded');

  const central = centralRules(t).get(HEARTBEAT_CENTRAL_RULE)!;
  assert.ok(central, 'central heartbeat rule');
  assert.equal(central.Properties.State, 'ENABLED');
  assert.deepEqual(central.Properties.EventPattern, {
    source: ['aws.events'],
    'detail-type': ['Scheduled Event'],
    account: [{ Ref: 'AWS::AccountId' }],
    resources: [{ 'Fn::GetAtt': [sched.id, 'Arn'] }],
  });
  assert.deepEqual(central.Properties.Targets, [notifierTarget(s)]);
  assert.ok(/^rate\(/.test(c.alerts.heartbeat.schedule) || /^cron\(/.test(c.alerts.heartbeat.schedule));
  assert.equal(env.HEARTBEAT_PERIOD, c.alerts.heartbeat.schedule === 'rate(1 day)' ? 'daily' : 'weekly');
}

function checkChat(s: Synthesized) {
  const c = s.config;
  const t = s.templates.get(SECURITY)!;
  const x = ids(s);
  const sevs = chatSeverities(s);
  const slack = resourcesOfType(t, 'AWS::Chatbot::SlackChannelConfiguration').map(([, r]) => r.Properties);
  const teams = resourcesOfType(t, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration').map(([, r]) => r.Properties);
  for (const [name, other] of allTemplates(s)) {
    if (name !== SECURITY) assert.ok(!Object.values(other.Resources).some((r) => r.Type.startsWith('AWS::Chatbot::')), `${name}: no Chatbot resources`);
  }
  const chatRoles = resourcesOfType(t, 'AWS::IAM::Role').filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('chatbot.amazonaws.com'));
  if (sevs.length === 0) {
    assert.deepEqual([slack, teams, chatRoles], [[], [], []], 'nothing for chat without chat channels');
    assert.ok(!resourcesOfType(t, 'AWS::SNS::Topic').some(([, r]) => String(r.Properties.TopicName).includes('-chat-')), 'no chat topics');
    return;
  }
  const topicFor = new Map(sevs.map((sev) => [sev, byProp(t, 'AWS::SNS::Topic', 'TopicName', chatTopicName(sev))[0]]));
  for (const [sev, id] of topicFor) {
    assert.deepEqual(t.Resources[id]!.Properties.KmsMasterKeyId, { 'Fn::GetAtt': [x.alertKey, 'Arn'] }, `chat ${sev}: alert key`);
    checkTopicPolicy(t, id, `chat topic ${sev}`);
  }
  const [roleId, role] = only(chatRoles, 'Chatbot role');
  assert.deepEqual(role.Properties.AssumeRolePolicyDocument.Statement, [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } }]);
  assert.equal(role.Properties.Policies, undefined, 'no permissions');
  assert.equal(role.Properties.ManagedPolicyArns, undefined, 'no permissions');
  assert.ok(!resourcesOfType(t, 'AWS::IAM::Policy').some(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId)), 'no policy attached to the Chatbot role');
  const common = (sev: string) => ({
    IamRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
    SnsTopicArns: [{ Ref: topicFor.get(sev) }],
    GuardrailPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    LoggingLevel: 'ERROR',
  });
  const pick = (p: any) => ({ IamRoleArn: p.IamRoleArn, SnsTopicArns: p.SnsTopicArns, GuardrailPolicies: p.GuardrailPolicies, LoggingLevel: p.LoggingLevel });
  const key = (o: any) => JSON.stringify(o);
  assert.deepEqual(slack.map((p) => key({ ...pick(p), ws: p.SlackWorkspaceId, ch: p.SlackChannelId })).sort(),
    c.alerts.slack.map((ch) => key({ ...common(ch.minSeverity), ws: ch.workspaceId, ch: ch.channelId })).sort(), 'Slack channels');
  assert.deepEqual(teams.map((p) => key({ ...pick(p), team: p.TeamId, tenant: p.TeamsTenantId, ch: p.TeamsChannelId })).sort(),
    c.alerts.teams.map((ch) => key({ ...common(ch.minSeverity), team: ch.teamId, tenant: ch.tenantId, ch: ch.channelId })).sort(), 'Teams channels');
  const configNames = [...slack, ...teams].map((p) => p.ConfigurationName);
  assert.equal(new Set(configNames).size, configNames.length, 'configuration names are unique');
}

function checkTrail(s: Synthesized) {
  // cloudTrail.mode create: an organization trail from the management account, none in the security account.
  assert.deepEqual(resourcesOfType(s.templates.get('Breakglass-Security')!, 'AWS::CloudTrail::Trail'), []);
  const t = s.templates.get('Breakglass-Trail')!;
  assert.equal(s.app.synth().getStackByName('Breakglass-Trail').environment.account, s.config.organization.managementAccountId);
  const [, trail] = only(resourcesOfType(t, 'AWS::CloudTrail::Trail'), 'trail');
  const p = trail.Properties;
  assert.equal(p.IsOrganizationTrail, true);
  assert.equal(p.IsMultiRegionTrail, true);
  assert.equal(p.IncludeGlobalServiceEvents, true);
  assert.equal(p.EnableLogFileValidation, true);
  assert.equal(p.IsLogging, true);
  assert.equal(p.TrailName, NAMES.trail);
  // Read AND write management events: AssumeRole is read-only.
  const selectors = p.EventSelectors as any[] | undefined;
  assert.equal(p.AdvancedEventSelectors, undefined);
  if (selectors !== undefined) {
    assert.ok(selectors.some((sel) => sel.IncludeManagementEvents !== false && (sel.ReadWriteType ?? 'All') === 'All'), 'management events must be read+write');
    assert.ok(selectors.every((sel) => !(sel.ExcludeManagementEventSources ?? []).length), 'no management event source excluded');
  }
  const keyId = p.KMSKeyId?.['Fn::GetAtt']?.[0] ?? p.KMSKeyId?.Ref;
  assert.ok(keyId, `trail KMSKeyId must reference a key: ${JSON.stringify(p.KMSKeyId)}`);
  assert.equal(t.Resources[keyId]!.Type, 'AWS::KMS::Key');
  assert.equal(t.Resources[keyId]!.Properties.EnableKeyRotation, true);
  const keyPolicy = t.Resources[keyId]!.Properties.KeyPolicy.Statement as any[];
  assert.ok(keyPolicy.some((st) => asArray(st.Principal?.Service).includes('cloudtrail.amazonaws.com') && asArray(st.Action).includes('kms:GenerateDataKey*')),
    'CloudTrail may encrypt with the key');

  const bucketId: string = p.S3BucketName.Ref;
  const bucket = t.Resources[bucketId]!;
  assert.equal(bucket.Type, 'AWS::S3::Bucket');
  const sse = only(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration as any[], 'SSE rule').ServerSideEncryptionByDefault;
  assert.equal(sse.SSEAlgorithm, 'aws:kms');
  assert.deepEqual(sse.KMSMasterKeyID, { 'Fn::GetAtt': [keyId, 'Arn'] });
  assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  assert.equal(bucket.Properties.VersioningConfiguration?.Status, 'Enabled');
  assert.equal(bucket.DeletionPolicy, 'Retain');
  Template.fromJSON(t).hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: bucketId },
    PolicyDocument: Match.objectLike({
      Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    }),
  });
  // The organization's prefix (AWSLogs/<organization ID>/…) is writable by this trail only (aws:SourceArn).
  Template.fromJSON(t).hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: bucketId },
    PolicyDocument: Match.objectLike({
      Statement: Match.arrayWith([Match.objectLike({
        Sid: 'CloudTrailOrganizationWrite', Effect: 'Allow', Action: 's3:PutObject', Principal: { Service: 'cloudtrail.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/AWSLogs/*']] },
        Condition: { StringEquals: Match.objectLike({ 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': Match.anyValue() }) },
      })]),
    }),
  });
}

function checkSecurityForwarders(s: Synthesized) {
  const c = s.config;
  const ctx = detectionContext(c);
  const home = c.securityAccount.region;
  const centralArn = centralBusArn(s);
  const expectedStacks = ctx.regions.map((r) => securityStackName(s, r)).sort();
  assert.deepEqual([...s.templates.keys()].filter((n) => n.startsWith(SECURITY)).sort(), expectedStacks,
    'one security stack per watched region');
  for (const region of ctx.regions) {
    const name = securityStackName(s, region);
    const t = s.templates.get(name)!;
    assert.equal(stackEnv(s, name).region, region);
    assert.equal(stackEnv(s, name).account, c.securityAccount.accountId);
    const expected = rulesForAccountKind('security').filter((r) => r.regions === 'all' || region === 'us-east-1');
    const rules = forwarderRules(t);
    assert.deepEqual([...rules.keys()].sort(), expected.map((r) => forwarderRuleName(r.id)).sort(), `${name}: forwarder rules`);
    const [roleId, role] = only(resourcesOfType(t, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === `${NAMES.forwarderRolePrefix}${region}`), `${name} forwarder role`);
    assert.deepEqual(render(role.Properties.AssumeRolePolicyDocument.Statement), [{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '<account>' } },
    }]);
    assert.deepEqual(render(role.Properties.Policies), [{
      PolicyName: 'PutToCentralBus',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: centralArn }] },
    }]);
    assert.equal(role.Properties.ManagedPolicyArns, undefined);
    // Home region: the queue uses the alert key; elsewhere SSE-SQS (no key per region).
    const dlqId = checkDeadLetterQueue(t, `${name} forwarder DLQ`, FORWARDER_DLQ, region === home ? ids(s).alertKey : 'SSE-SQS',
      `arn:aws:events:${region}:<account>:rule/breakglass-fwd-*`);
    for (const rule of expected) {
      const [, r] = rules.get(forwarderRuleName(rule.id))!;
      assert.equal(r.Condition, undefined, `${name}: region is known, no condition needed`);
      assert.equal(r.Properties.State, rule.readOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED', `${name}: ${rule.id}`);
      assert.deepEqual(r.Properties.EventPattern, rule.readOnlyEvents ? withHeartbeat(rule.pattern(ctx), forwarderRuleName(rule.id)) : rule.pattern(ctx), `${name}: ${rule.id} pattern`);
      assert.deepEqual(render(r.Properties.Targets), [{
        Id: 'CentralBus', Arn: centralArn, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        RetryPolicy: RETRY_POLICY, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
      }], `${name}: ${rule.id} target`);
    }
  }
}

/** Everything the alert path consists of, for one synthesized config. */
function alertPathTests(get: () => Synthesized) {
  test('alert and operations keys rotate and admit EventBridge (and CloudWatch) without source conditions; topics TLS-only; subscriptions with severity filters', () => checkKeysAndTopics(get()));
  test('alerting-tampered also travels raw to the operations topic; nothing targets the alert topic', () => checkIndependentCopy(get()));
  test('notifier: nodejs24.x arm64, environment, 1-year log group, 2 async retries then the dead-letter queue, least-privilege role', () => checkNotifier(get()));
  test('notifier code is an esbuild bundle that exports the handler and leaves the AWS SDK to the runtime', () => checkNotifierBundle(get()));
  test('dead-letter queues: central and home forwarder queues on the alert key, SSE-SQS elsewhere; policies admit only their rules', () => checkDeadLetterQueues(get()));
  test('every rule target in every template (member template included) retries 185 times / 24 h and has a dead-letter queue that admits it', () => checkEveryTarget(get()));
  test('alarms: FailedInvocations per central and home forwarder rule, DLQ depth, notifier errors and throttles, SNS delivery failures, to the operations topic', () => checkAlarms(get()));
  test('heartbeat: schedule on the default bus to the central bus, central rule on exactly that schedule (or none when disabled)', () => checkHeartbeat(get()));
  test('chat: one topic per minimum severity and Chatbot configurations with a permissionless role and a read-only guardrail (or nothing)', () => checkChat(get()));
}

describe('security stacks: example config', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(); });
  after(() => s?.cleanup());

  test('the example has what these tests rely on: heartbeat on, no chat, no https, no operations emails', () => {
    const a = s.config.alerts;
    assert.equal(a.heartbeat.enabled, true);
    assert.equal(a.heartbeat.schedule, 'cron(0 9 ? * MON *)');
    assert.deepEqual([a.slack, a.teams, a.https, a.operations], [[], [], [], undefined]);
  });
  test('no access keys, login profiles, passwords or secrets in any template', () => checkNoUserCredentials(s));
  test('users carry one managed policy: AssumeRole (org + MFA), self-service, deny-all-else without MFA', () => checkUsersAndPolicy(s, 'o-a1b2c3d4e5'));
  test('central bus admits the organization only; its rules invoke the notifier (input transformer, retries, central DLQ); one invoke permission', () => checkCentralBus(s, 'o-a1b2c3d4e5'));
  alertPathTests(() => s);
  test('forwarders in every watched region of the security account; global-only rules only in us-east-1; retries and DLQ', () => checkSecurityForwarders(s));
  test('trail: an organization trail from the management account, multi-region, log file validation, read+write management events, KMS-encrypted private bucket', () => checkTrail(s));
  test('no organization-ID lookup when organization.id is given: the notifier is the only Lambda function', () => {
    for (const [name, t] of allTemplates(s)) {
      assert.deepEqual(resourcesOfType(t, 'Custom::AWS'), [], name);
      const fns = resourcesOfType(t, 'AWS::Lambda::Function').map(([, r]) => r.Properties.FunctionName);
      assert.deepEqual(fns, name === SECURITY ? [NAMES.notifierFunction, LIVENESS_NAMES.recorderFunction, LIVENESS_NAMES.watchdogFunction] : [], name);
    }
  });
  test('the security account has the break-glass role too (the StackSet excludes it), with the MFA trust', () => {
    const tpl = Template.fromJSON(s.templates.get(SECURITY)!);
    tpl.hasResourceProperties('AWS::IAM::Role', {
      RoleName: s.config.role.name,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({
        Action: 'sts:AssumeRole',
        Condition: Match.objectLike({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, ArnEquals: { 'aws:PrincipalArn': Match.anyValue() }, StringEquals: { 'sts:RoleSessionName': '${aws:username}' } }),
      })]) }),
    });
  });
  test('Template.fromJSON assertions agree (users policy, keys, topic, notifier target, alarm)', () => {
    const tpl = Template.fromJSON(s.templates.get(SECURITY)!);
    tpl.resourceCountIs('AWS::IAM::User', s.config.users.length);
    tpl.resourceCountIs('AWS::IAM::AccessKey', 0);
    tpl.resourceCountIs('AWS::Lambda::Permission', 3); // notifier + liveness recorder and watchdog
    tpl.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, KeyPolicy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({
      Principal: { Service: 'events.amazonaws.com' }, Action: Match.arrayWith(['kms:GenerateDataKey*', 'kms:Decrypt']), Condition: Match.absent(),
    })]) }) });
    tpl.hasResourceProperties('AWS::SNS::Topic', { TopicName: NAMES.alertTopic, KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] } });
    tpl.hasResourceProperties('AWS::Events::Rule', { Name: centralRuleName('console-login'), Targets: [Match.objectLike({
      Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotifierFunction'), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLettersQueue'), 'Arn'] } },
    })] });
    tpl.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FailedInvocations', Dimensions: Match.arrayWith([{ Name: 'EventBusName', Value: NAMES.centralBus }]) });
    tpl.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({
      Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    })]) }) });
  });
});

describe('security stacks: organization ID looked up, existing organization trail, chat and paging channels, operations emails, no heartbeat', () => {
  let s: Synthesized;
  before(() => {
    s = synthConfig(exampleWith((c) => {
      delete c.organization.id;
      c.cloudTrail = { mode: 'existing-organization-trail' };
      c.alerts = {
        emails: ['one@example.com', 'two@example.com'],
        https: [{ url: 'https://pager.example.com/hook', minSeverity: 'high' }, 'https://oncall.example.com/critical-only'],
        slack: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', minSeverity: 'high' }, { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' }],
        teams: [{ teamId: '12345678-1234-1234-1234-123456789012', tenantId: '87654321-4321-4321-4321-210987654321', channelId: '19%3Aabc123%40thread.tacv2', minSeverity: 'critical' }],
        operations: { emails: ['platform-oncall@example.com'] },
        heartbeat: { enabled: false },
        accountNames: { '222222222222': 'security', '111111111111': 'management' },
        runbookUrl: 'https://wiki.example.com/break-glass',
      };
    }));
  });
  after(() => s?.cleanup());

  test('the variant has what these tests rely on', () => {
    const a = s.config.alerts;
    assert.deepEqual(a.https.map((h) => h.minSeverity), ['high', 'critical'], 'a bare URL defaults to critical');
    assert.deepEqual(a.slack.map((h) => h.minSeverity), ['high', 'info'], 'Slack defaults to info');
    assert.deepEqual(chatSeverities(s), ['high', 'info', 'critical']);
    assert.equal(a.heartbeat.enabled, false);
  });
  test('one organization-ID lookup, in the security stack only, feeding the bus policy; central rules invoke the notifier', () => {
    const t = s.templates.get(SECURITY)!;
    const [crId, cr] = only(resourcesOfType(t, 'Custom::AWS'), 'Custom::AWS');
    assert.match(JSON.stringify(cr.Properties), /describeOrganization/);
    checkCentralBus(s, { 'Fn::GetAtt': [crId, 'Organization.Id'] });
    assert.equal(resourcesOfType(t, 'AWS::Lambda::Function').length, 4, 'the notifier, the custom-resource provider and the two liveness functions');
    for (const [name, other] of allTemplates(s)) {
      if (name === SECURITY) continue;
      assert.deepEqual(resourcesOfType(other, 'Custom::AWS'), [], name);
      assert.deepEqual(resourcesOfType(other, 'AWS::Lambda::Function'), [], name);
    }
  });
  test('users policy falls back to the caller\'s own organization (${aws:PrincipalOrgID})', () => checkUsersAndPolicy(s, '${aws:PrincipalOrgID}'));
  test('still no credentials anywhere', () => checkNoUserCredentials(s));
  alertPathTests(() => s);
  test('severity routing as configured: paging filters, chat topics and the notifier\'s chat table', () => {
    const t = s.templates.get(SECURITY)!;
    const filters = Object.fromEntries(resourcesOfType(t, 'AWS::SNS::Subscription').filter(([, r]) => r.Properties.Protocol === 'https')
      .map(([, r]) => [r.Properties.Endpoint, r.Properties.FilterPolicy]));
    assert.deepEqual(filters, {
      'https://pager.example.com/hook': { severity: ['critical', 'high'], page: ['true'] },
      'https://oncall.example.com/critical-only': { severity: ['critical'], page: ['true'] },
    });
    assert.deepEqual(resourcesOfType(t, 'AWS::SNS::Topic').map(([, r]) => r.Properties.TopicName).filter((n) => n.includes('-chat-')).sort(),
      ['breakglass-alerts-chat-critical', 'breakglass-alerts-chat-high', 'breakglass-alerts-chat-info']);
    const ops = resourcesOfType(t, 'AWS::SNS::Subscription').filter(([, r]) => r.Properties.TopicArn.Ref === ids(s).operationsTopic);
    assert.deepEqual(ops.map(([, r]) => r.Properties.Endpoint), ['platform-oncall@example.com'], 'operations emails replace the alert emails');
  });
  test('no trail and no trail bucket when an organization trail exists', () => {
    for (const [name, t] of allTemplates(s)) {
      assert.deepEqual(resourcesOfType(t, 'AWS::CloudTrail::Trail'), [], name);
      assert.deepEqual(resourcesOfType(t, 'AWS::S3::Bucket'), [], name);
    }
  });
});

describe('security stacks: home region eu-west-1, daily heartbeat', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(exampleWith((c) => { c.securityAccount.region = 'eu-west-1'; c.alerts.heartbeat = { schedule: 'rate(1 day)' }; })); });
  after(() => s?.cleanup());

  test('central bus, rules, notifier targets and invoke permission in eu-west-1', () => checkCentralBus(s, 'o-a1b2c3d4e5'));
  alertPathTests(() => s);
  test('global-only forwarders live in the us-east-1 stack, not in the home stack', () => {
    checkSecurityForwarders(s);
    const home = forwarderRules(s.templates.get(SECURITY)!);
    const useast1 = forwarderRules(s.templates.get(`${SECURITY}-us-east-1`)!);
    for (const rule of CATALOGUE.filter((r) => r.regions === 'global' && r.accounts !== 'members')) {
      assert.ok(!home.has(forwarderRuleName(rule.id)), `${rule.id} must not be forwarded from eu-west-1`);
      assert.ok(useast1.has(forwarderRuleName(rule.id)), `${rule.id} must be forwarded from us-east-1`);
    }
  });
  test('the heartbeat schedule comes from the config and the notifier calls it daily', () => {
    const t = s.templates.get(SECURITY)!;
    assert.equal(byProp(t, 'AWS::Events::Rule', 'Name', HEARTBEAT_SCHEDULE_RULE)[1].Properties.ScheduleExpression, 'rate(1 day)');
    assert.equal(t.Resources[ids(s).notifier]!.Properties.Environment.Variables.HEARTBEAT_PERIOD, 'daily');
  });
  test('alarms on forwarders only for the home region: the us-east-1 security stack has forwarders but no alarms', () => {
    const useast1 = s.templates.get(`${SECURITY}-us-east-1`)!;
    assert.ok(forwarderRules(useast1).size > 0);
    assert.deepEqual(resourcesOfType(useast1, 'AWS::CloudWatch::Alarm'), []);
  });
});
