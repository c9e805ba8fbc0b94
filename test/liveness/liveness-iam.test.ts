/**
 * Forwarder liveness, the permission edges, evaluated with iam-simulate over the SYNTHESIZED policies (identity
 * policies of the two functions, the operations topic's policy, the operations key's policy, the Scheduler role):
 * - the watchdog can read and update the table, publish to the operations topic over TLS, and use the operations key;
 *   it cannot publish to the alert topic or use the alert key;
 * - the recorder can only update rows;
 * - the liveness alarms (cloudwatch.amazonaws.com, alarm names breakglass-liveness-*) can publish to the operations topic;
 * - in a member account the Scheduler role can put events on its own region's default bus and nowhere else, and only
 *   Scheduler acting for that account can assume it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LIVENESS_NAMES } from '../../lib/liveness/constants';
import { NAMES } from '../../lib/naming';
import { ACCOUNTS, PARTITION, type PolicyDocument, resolveIntrinsics, roleSession, simulate, describe as show, type Caller } from '../helpers/iam';
import { type CfnTemplate, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';

process.env.CDK_VALIDATION = 'false';

let s: Synthesized;
let t: CfnTemplate;
let region: string;
const account = ACCOUNTS.security;
before(() => {
  s = synthConfig();
  t = s.templates.get('Breakglass-Security')!;
  region = s.config.securityAccount.region;
});
after(() => s?.cleanup());

/** ARN of a resource of the template, from its physical name (what Ref / Fn::GetAtt Arn resolve to once deployed). */
function arnOf(logicalId: string): string {
  const r = t.Resources[logicalId];
  assert.ok(r, logicalId);
  switch (r.Type) {
    case 'AWS::DynamoDB::Table': return `arn:${PARTITION}:dynamodb:${region}:${account}:table/${r.Properties.TableName}`;
    case 'AWS::SNS::Topic': return `arn:${PARTITION}:sns:${region}:${account}:${r.Properties.TopicName}`;
    case 'AWS::KMS::Key': return `arn:${PARTITION}:kms:${region}:${account}:key/00000000-0000-0000-0000-${logicalId.slice(-12).toLowerCase().padStart(12, '0')}`;
    default: throw new Error(`no ARN rule for ${r.Type}`);
  }
}

/** Replaces Ref / Fn::GetAtt Arn of the template's resources by their ARNs, then resolves pseudo parameters. */
function resolved(v: unknown): any {
  const sub = (x: any): any => {
    if (Array.isArray(x)) return x.map(sub);
    if (x && typeof x === 'object') {
      if (typeof x.Ref === 'string' && t.Resources[x.Ref]) return arnOf(x.Ref);
      const ga = x['Fn::GetAtt'];
      if (Array.isArray(ga) && ga[1] === 'Arn' && t.Resources[ga[0]] && t.Resources[ga[0]]!.Type !== 'AWS::IAM::Role') return arnOf(ga[0]);
      return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, sub(y)]));
    }
    return x;
  };
  return resolveIntrinsics(sub(v), { partition: PARTITION, accountId: account, region });
}

const byName = (type: string, prop: string, value: string) => {
  const found = resourcesOfType(t, type).filter(([, r]) => r.Properties[prop] === value);
  assert.equal(found.length, 1, `${type} ${value}`);
  return found[0]!;
};

/** The function's role: its identity policies (AWS::IAM::Policy attached to it) and a session of it. */
function functionRole(functionName: string): { caller: Caller; policies: Array<{ name: string; policy: PolicyDocument }> } {
  const [, fn] = byName('AWS::Lambda::Function', 'FunctionName', functionName);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = resourcesOfType(t, 'AWS::IAM::Policy').filter(([, p]) => (p.Properties.Roles as any[]).some((r) => r.Ref === roleId))
    .map(([id, p]) => ({ name: id, policy: resolved(p.Properties.PolicyDocument) as PolicyDocument }));
  assert.equal(t.Resources[roleId]!.Properties.Policies, undefined, 'no inline policies besides AWS::IAM::Policy');
  // The role's managed policy is AWSLambdaBasicExecutionRole (CloudWatch Logs only), irrelevant to these actions.
  assert.deepEqual(JSON.stringify(t.Resources[roleId]!.Properties.ManagedPolicyArns).match(/policy\/[\w/-]+/g), ['policy/service-role/AWSLambdaBasicExecutionRole']);
  return { caller: roleSession(account, roleId, functionName), policies };
}

const topicPolicy = (topicId: string): PolicyDocument => {
  const docs = resourcesOfType(t, 'AWS::SNS::TopicPolicy').filter(([, p]) => (p.Properties.Topics as any[]).some((x) => x.Ref === topicId));
  assert.equal(docs.length, 1, `${topicId}: one topic policy`);
  return resolved(docs[0]![1].Properties.PolicyDocument);
};
const keyPolicy = (keyId: string): PolicyDocument => resolved(t.Resources[keyId]!.Properties.KeyPolicy);
const keyOf = (alias: string) => byName('AWS::KMS::Alias', 'AliasName', alias)[1].Properties.TargetKeyId['Fn::GetAtt'][0] as string;

async function can(who: ReturnType<typeof functionRole>, action: string, resource: string, resourcePolicy?: PolicyDocument, context: Record<string, string> = { 'aws:SecureTransport': 'true' }) {
  return simulate({ caller: who.caller, action, resource, resourceAccount: account, identityPolicies: who.policies, resourcePolicy, context });
}

describe('liveness permissions (security account)', () => {
  test('watchdog: table read/update/delete, operations topic over TLS with its key; not the alert topic or key', async () => {
    const dog = functionRole(LIVENESS_NAMES.watchdogFunction);
    const [tableId] = byName('AWS::DynamoDB::Table', 'TableName', LIVENESS_NAMES.table);
    const table = arnOf(tableId);
    for (const action of ['dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      const o = await can(dog, action, table);
      assert.equal(o.decision, 'Allowed', `${action}: ${show(o)}`);
    }
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteTable']) assert.notEqual((await can(dog, action, table)).decision, 'Allowed', action);
    assert.notEqual((await can(dog, 'dynamodb:Scan', `arn:${PARTITION}:dynamodb:${region}:${account}:table/other`)).decision, 'Allowed');

    const [opsTopicId] = byName('AWS::SNS::Topic', 'TopicName', NAMES.operationsTopic);
    const [alertTopicId] = byName('AWS::SNS::Topic', 'TopicName', NAMES.alertTopic);
    const publish = await can(dog, 'sns:Publish', arnOf(opsTopicId), topicPolicy(opsTopicId));
    assert.equal(publish.decision, 'Allowed', show(publish));
    const plain = await can(dog, 'sns:Publish', arnOf(opsTopicId), topicPolicy(opsTopicId), { 'aws:SecureTransport': 'false' });
    assert.equal(plain.decision, 'ExplicitlyDenied', `the topic refuses non-TLS publishing: ${show(plain)}`);
    const alerts = await can(dog, 'sns:Publish', arnOf(alertTopicId), topicPolicy(alertTopicId));
    assert.notEqual(alerts.decision, 'Allowed', 'the watchdog never writes to the alert topic');

    const opsKey = keyOf(NAMES.operationsKeyAlias);
    const alertKey = keyOf(NAMES.alertKeyAlias);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      const o = await can(dog, action, arnOf(opsKey), keyPolicy(opsKey));
      assert.equal(o.decision, 'Allowed', `${action} on the operations key: ${show(o)}`);
      assert.notEqual((await can(dog, action, arnOf(alertKey), keyPolicy(alertKey))).decision, 'Allowed', `${action} on the alert key`);
    }
    assert.notEqual((await can(dog, 'kms:ScheduleKeyDeletion', arnOf(opsKey), keyPolicy(opsKey))).decision, 'Allowed');
  });

  test('recorder: only updates rows', async () => {
    const rec = functionRole(LIVENESS_NAMES.recorderFunction);
    const [tableId] = byName('AWS::DynamoDB::Table', 'TableName', LIVENESS_NAMES.table);
    assert.equal((await can(rec, 'dynamodb:UpdateItem', arnOf(tableId))).decision, 'Allowed');
    for (const action of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:PutItem']) assert.notEqual((await can(rec, action, arnOf(tableId))).decision, 'Allowed', action);
    const [opsTopicId] = byName('AWS::SNS::Topic', 'TopicName', NAMES.operationsTopic);
    assert.notEqual((await can(rec, 'sns:Publish', arnOf(opsTopicId), topicPolicy(opsTopicId))).decision, 'Allowed');
  });

  test('the liveness alarms may publish to the operations topic and use its key (CloudWatch as the service principal)', async () => {
    const [opsTopicId] = byName('AWS::SNS::Topic', 'TopicName', NAMES.operationsTopic);
    const opsKey = keyOf(NAMES.operationsKeyAlias);
    const alarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName as string).filter((n) => n.startsWith(LIVENESS_NAMES.alarmPrefix));
    assert.equal(alarms.length, 5);
    for (const name of alarms) {
      const context = { 'aws:SourceArn': `arn:${PARTITION}:cloudwatch:${region}:${account}:alarm:${name}`, 'aws:SourceAccount': account, 'aws:SecureTransport': 'true' };
      const cw: Caller = { arn: 'cloudwatch.amazonaws.com', account, context: {} };
      const pub = await simulate({ caller: cw, action: 'sns:Publish', resource: arnOf(opsTopicId), resourceAccount: account, identityPolicies: [], resourcePolicy: topicPolicy(opsTopicId), context });
      assert.equal(pub.decision, 'Allowed', `${name}: ${show(pub)}`);
      const key = await simulate({ caller: cw, action: 'kms:GenerateDataKey', resource: arnOf(opsKey), resourceAccount: account, identityPolicies: [], resourcePolicy: keyPolicy(opsKey), context });
      assert.equal(key.decision, 'Allowed', `${name}: ${show(key)}`);
    }
  });
});

describe('liveness permissions (member account): the Scheduler role', () => {
  const member = ACCOUNTS.member;
  const memberRegion = 'eu-west-1';
  const p = { partition: PARTITION, accountId: member, region: memberRegion };
  const role = () => {
    const found = resourcesOfType(s.member, 'AWS::IAM::Role').filter(([, r]) => JSON.stringify(r.Properties.RoleName).includes('heartbeat'));
    assert.equal(found.length, 1);
    return found[0]![1];
  };

  test('puts events on its own region\'s default bus only', async () => {
    const r = role();
    const name = resolveIntrinsics(r.Properties.RoleName, p) as string;
    assert.equal(name, LIVENESS_NAMES.schedulerRole(memberRegion));
    const policies = (r.Properties.Policies as any[]).map((x) => ({ name: x.PolicyName, policy: resolveIntrinsics(x.PolicyDocument, p) as PolicyDocument }));
    const caller = roleSession(member, name, 'scheduler-session');
    const put = (resource: string) => simulate({ caller, action: 'events:PutEvents', resource, resourceAccount: member, identityPolicies: policies });
    assert.equal((await put(`arn:${PARTITION}:events:${memberRegion}:${member}:event-bus/default`)).decision, 'Allowed');
    assert.notEqual((await put(`arn:${PARTITION}:events:us-east-1:${member}:event-bus/default`)).decision, 'Allowed', 'another region');
    assert.notEqual((await put(`arn:${PARTITION}:events:${s.config.securityAccount.region}:${ACCOUNTS.security}:event-bus/${NAMES.centralBus}`)).decision, 'Allowed',
      'never straight to the central bus: the heartbeat must travel through the forwarder');
  });

  test('only EventBridge Scheduler, acting for this account, can assume it', async () => {
    const r = role();
    const name = resolveIntrinsics(r.Properties.RoleName, p) as string;
    const trust = resolveIntrinsics(r.Properties.AssumeRolePolicyDocument, p) as PolicyDocument;
    const assume = (service: string, sourceAccount: string) => simulate({
      caller: { arn: service, account: member, context: {} }, action: 'sts:AssumeRole', resource: `arn:${PARTITION}:iam::${member}:role/${name}`,
      resourceAccount: member, identityPolicies: [], resourcePolicy: trust, context: { 'aws:SourceAccount': sourceAccount },
    });
    assert.equal((await assume('scheduler.amazonaws.com', member)).decision, 'Allowed');
    assert.notEqual((await assume('scheduler.amazonaws.com', ACCOUNTS.outside)).decision, 'Allowed', 'confused deputy');
    assert.notEqual((await assume('events.amazonaws.com', member)).decision, 'Allowed');
  });
});
