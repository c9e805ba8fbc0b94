/**
 * Forwarder liveness in the SYNTHESIZED templates (member template, management and security stacks), evaluated with
 * the project's EventBridge matcher (lib/detection/matcher.ts):
 * - every forwarder carries its own heartbeat through its own target: self-scheduled (plain ENABLED rules), or, for
 *   the AssumeRole forwarders, a Scheduler heartbeat that its pattern and no other forwarder's pattern matches;
 * - no forwarder pattern matches a Scheduled Event (so even if scheduled events reached the default bus, nothing is
 *   forwarded twice), and the wrapped patterns still match the real events they exist for;
 * - the central liveness rule matches every heartbeat from any account and region; no alert rule on the central bus
 *   (catalogue rules, weekly heartbeat) matches any heartbeat, and the liveness rule matches no alert event;
 * - the watchdog's rules, functions, table and alarms; the member template still fits a StackSet.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEMPLATE_BODY_LIMIT } from '../../lib/constructs/member-stackset';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { compilePattern, matchesPattern } from '../../lib/detection/matcher';
import {
  centralLivenessPattern, FORWARDER_RULE_PREFIX, HEARTBEAT_DETAIL_TYPE, HEARTBEAT_SCHEDULE, HEARTBEAT_SOURCE, LIVENESS_NAMES, WATCHDOG_SCHEDULE,
} from '../../lib/liveness/constants';
import { NAMES } from '../../lib/naming';
import * as f from '../fixtures/cloudtrail';
import { resolveIntrinsics } from '../helpers/iam';
import { type CfnTemplate, exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';

// Template properties only; validation.test.ts runs the validators (cdk-nag, cfn-lint) over the same configs.
process.env.CDK_VALIDATION = 'false';

const READ_ONLY_STATE = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
type Event = Record<string, unknown>;

/** Where a template is deployed: the member template is checked for several accounts and regions. */
interface Place { readonly name: string; readonly t: CfnTemplate; readonly account: string; readonly region: string }

function places(s: Synthesized): Place[] {
  const out: Place[] = [];
  const assembly = s.app.synth();
  for (const [name, t] of s.templates) {
    const env = assembly.getStackByName(name).environment;
    if (resourcesOfType(t, 'AWS::Events::Rule').some(([, r]) => String(r.Properties.Name).startsWith(FORWARDER_RULE_PREFIX))) {
      out.push({ name, t, account: env.account, region: env.region });
    }
  }
  for (const region of ['us-east-1', 'ap-southeast-2', s.config.securityAccount.region]) {
    for (const account of [f.M, '444444444444']) out.push({ name: `member-template@${account}/${region}`, t: s.member, account, region });
  }
  return out;
}

/** Resources of a template that exist in this region (CloudFormation conditions of the form Region = x). */
function present(p: Place): Array<[string, any]> {
  return Object.entries(p.t.Resources).filter(([, r]) => {
    if (!r.Condition) return true;
    const cond = p.t.Conditions?.[r.Condition];
    const eq = cond?.['Fn::Equals'];
    assert.ok(eq && eq[0]?.Ref === 'AWS::Region' && typeof eq[1] === 'string', `${p.name}: unexpected condition ${JSON.stringify(cond)}`);
    return eq[1] === p.region;
  });
}

const resolve = (p: Place, v: unknown) => resolveIntrinsics(v, { partition: 'aws', accountId: p.account, region: p.region });

function forwarders(p: Place) {
  return present(p).filter(([, r]) => r.Type === 'AWS::Events::Rule' && String(r.Properties.Name).startsWith(FORWARDER_RULE_PREFIX))
    .map(([id, r]) => ({ id, r, name: r.Properties.Name as string, pattern: resolve(p, r.Properties.EventPattern) as Event }));
}

/** The event a self-scheduled forwarder sends to its target (EventBridge events detail reference, Scheduled Event). */
const scheduledEvent = (p: Place, ruleName: string): Event => ({
  version: '0', id: '89d1a02d-0000-0000-0000-000000000000', 'detail-type': 'Scheduled Event', source: 'aws.events', account: p.account,
  time: '2026-11-30T06:00:00Z', region: p.region, resources: [`arn:aws:events:${p.region}:${p.account}:rule/${ruleName}`], detail: {},
});

/** The event a synthesized Scheduler schedule puts on the bus (templated EventBridge target: Input = detail). */
function schedulerEvent(p: Place, schedule: any): Event {
  const target = schedule.Properties.Target;
  return {
    version: '0', id: 'a1b2c3d4-0000-0000-0000-000000000000', 'detail-type': target.EventBridgeParameters.DetailType,
    source: target.EventBridgeParameters.Source, account: p.account, time: '2026-11-30T06:00:00Z', region: p.region, resources: [],
    detail: JSON.parse(target.Input),
  };
}

/** Every heartbeat the forwarders of a place send, with the forwarder it must name. */
function heartbeats(p: Place): Array<{ forwarder: string; event: Event }> {
  const out: Array<{ forwarder: string; event: Event }> = [];
  for (const fw of forwarders(p)) {
    if (fw.r.Properties.ScheduleExpression !== undefined) out.push({ forwarder: fw.name, event: scheduledEvent(p, fw.name) });
  }
  for (const [, s] of present(p).filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule')) {
    const e = schedulerEvent(p, s);
    out.push({ forwarder: (e.detail as any).forwarder, event: e });
  }
  return out;
}

function checkForwarderHeartbeats(s: Synthesized) {
  const centralArn = `arn:aws:events:${s.config.securityAccount.region}:${s.config.securityAccount.accountId}:event-bus/${NAMES.centralBus}`;
  let selfScheduled = 0;
  let viaScheduler = 0;
  for (const p of places(s)) {
    const fws = forwarders(p);
    assert.ok(fws.length >= 3, `${p.name}: forwarders`);
    const schedules = present(p).filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule');
    for (const fw of fws) {
      const where = `${p.name}/${fw.name}`;
      compilePattern(fw.pattern); // valid for the matcher (and so for EventBridge's documented syntax)
      assert.ok(JSON.stringify(fw.r.Properties.EventPattern).length <= 4096, `${where}: EventPattern within 4096 characters (PutRule)`);
      const target = (fw.r.Properties.Targets as any[])[0];
      assert.equal(resolve(p, target.Arn), centralArn, `${where}: heartbeat and events share the one target`);
      if (fw.r.Properties.State === 'ENABLED') {
        // Self-scheduled: the rule itself fires on the schedule, to its own target, retry policy and dead-letter queue.
        assert.equal(fw.r.Properties.ScheduleExpression, HEARTBEAT_SCHEDULE, `${where}: self-scheduled heartbeat`);
        assert.ok(!schedules.some(([, sc]) => JSON.parse(sc.Properties.Target.Input).forwarder === fw.name), `${where}: no Scheduler schedule as well`);
        selfScheduled++;
      } else {
        assert.equal(fw.r.Properties.State, READ_ONLY_STATE, where);
        assert.equal(fw.r.Properties.ScheduleExpression, undefined, `${where}: PutRule refuses a schedule in this state`);
        const mine = schedules.filter(([, sc]) => JSON.parse(sc.Properties.Target.Input).forwarder === fw.name);
        assert.equal(mine.length, 1, `${where}: one Scheduler heartbeat`);
        const [, sc] = mine[0]!;
        assert.equal(sc.Properties.Name, `${fw.name}-heartbeat`);
        assert.equal(sc.Properties.ScheduleExpression, HEARTBEAT_SCHEDULE);
        assert.equal(sc.Properties.State, 'ENABLED');
        assert.equal(sc.Condition, fw.r.Condition, `${where}: schedule exists exactly where its forwarder does`);
        // It lands on the bus the forwarder watches: this account's default bus in this region.
        assert.equal(resolve(p, sc.Properties.Target.Arn), `arn:aws:events:${p.region}:${p.account}:event-bus/default`, where);
        const event = schedulerEvent(p, sc);
        assert.ok(matchesPattern(fw.pattern, event), `${where}: its pattern lets its own heartbeat through`);
        const others = fws.filter((o) => o !== fw && matchesPattern(o.pattern, event)).map((o) => o.name);
        assert.deepEqual(others, [], `${where}: no other forwarder carries this heartbeat`);
        viaScheduler++;
      }
      // Even if scheduled events of any rule reached the default bus, no forwarder would pass one on.
      for (const other of fws) assert.ok(!matchesPattern(fw.pattern, scheduledEvent(p, other.name)), `${where} matches the scheduled event of ${other.name}`);
      for (const rule of ['breakglass-heartbeat-schedule', LIVENESS_NAMES.checkRule]) {
        assert.ok(!matchesPattern(fw.pattern, scheduledEvent(p, rule)), `${where} matches the scheduled event of ${rule}`);
      }
    }
    // The Scheduler role: assumed only by Scheduler for this account; may only put events on this region's default bus.
    const roles = present(p).filter(([, r]) => r.Type === 'AWS::IAM::Role' && String(resolve(p, r.Properties.RoleName)).startsWith(`${NAMES.forwarderRolePrefix}heartbeat-`));
    assert.equal(roles.length, schedules.length > 0 ? 1 : 0, `${p.name}: scheduler role`);
    for (const [, role] of roles) {
      assert.equal(resolve(p, role.Properties.RoleName), LIVENESS_NAMES.schedulerRole(p.region));
      assert.deepEqual(resolve(p, role.Properties.AssumeRolePolicyDocument.Statement), [{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': p.account } },
      }]);
      assert.deepEqual(resolve(p, role.Properties.Policies), [{ PolicyName: 'PutHeartbeatOnDefaultBus', PolicyDocument: { Version: '2012-10-17', Statement: [{
        Action: 'events:PutEvents', Effect: 'Allow', Resource: `arn:aws:events:${p.region}:${p.account}:event-bus/default`,
      }] } }]);
    }
  }
  assert.ok(selfScheduled > 0 && viaScheduler > 0, `${selfScheduled} self-scheduled, ${viaScheduler} via Scheduler`);
}

function checkWrappedPatternsStillMatchTheirEvents(s: Synthesized) {
  const event = (rec: Record<string, unknown>) => { const c = toEventBridgeEvent(rec); assert.ok(!('error' in c)); return c.event; };
  const home = s.config.securityAccount.region;
  const security = { name: 'Breakglass-Security', t: s.templates.get('Breakglass-Security')!, account: f.S, region: home };
  const member = { name: 'member', t: s.member, account: f.M, region: 'eu-west-1' };
  const assumeRole = forwarders(security).find((x) => x.name === `${FORWARDER_RULE_PREFIX}assume-role`)!;
  const roleAssumed = forwarders(member).find((x) => x.name === `${FORWARDER_RULE_PREFIX}role-assumed`)!;
  assert.ok(matchesPattern(assumeRole.pattern, event(f.assumeRoleCaller({ region: home }))), 'assume-role still forwards AssumeRole');
  assert.ok(matchesPattern(roleAssumed.pattern, event(f.assumeRoleOwner({ region: 'eu-west-1' }))), 'role-assumed still forwards the role owner\'s copy');
  assert.ok(!matchesPattern(roleAssumed.pattern, event(f.consoleLogin({ region: 'eu-west-1' }))), 'and nothing else');
}

/** Central-bus rules of the security stack, patterns resolved (Fn::GetAtt of a rule's Arn becomes that rule's ARN). */
function centralRules(s: Synthesized) {
  const t = s.templates.get('Breakglass-Security')!;
  const p: Place = { name: 'Breakglass-Security', t, account: s.config.securityAccount.accountId, region: s.config.securityAccount.region };
  const ruleArn = (v: any): any => {
    if (Array.isArray(v)) return v.map(ruleArn);
    if (v && typeof v === 'object') {
      const ga = v['Fn::GetAtt'];
      if (ga && ga[1] === 'Arn' && t.Resources[ga[0]]?.Type === 'AWS::Events::Rule') return `arn:aws:events:${p.region}:${p.account}:rule/${t.Resources[ga[0]]!.Properties.Name}`;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ruleArn(x)]));
    }
    return v;
  };
  return resourcesOfType(t, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventBusName !== undefined)
    .map(([id, r]) => ({ id, r, name: r.Properties.Name as string, pattern: resolve(p, ruleArn(r.Properties.EventPattern)) as Event }));
}

function checkCentral(s: Synthesized) {
  const rules = centralRules(s);
  const liveness = rules.find((r) => r.name === LIVENESS_NAMES.centralRule);
  assert.ok(liveness, 'central liveness rule');
  assert.deepEqual(liveness.pattern, centralLivenessPattern());
  const all = places(s).flatMap((p) => heartbeats(p).map((h) => ({ ...h, p })));
  assert.ok(all.length > 50, `${all.length} heartbeats`);
  for (const { p, forwarder, event } of all) {
    assert.ok(matchesPattern(liveness.pattern, event), `liveness rule misses the heartbeat of ${p.name}/${forwarder}`);
    for (const r of rules.filter((x) => x !== liveness)) {
      assert.ok(!matchesPattern(r.pattern, event), `central rule ${r.name} would raise an alert for the heartbeat of ${p.name}/${forwarder}`);
    }
  }
  // Any account and region of the organization, any partition (the bus policy admits only the organization).
  const anywhere: Place = { name: 'x', t: s.member, account: '987654321098', region: 'me-central-1' };
  assert.ok(matchesPattern(liveness.pattern, scheduledEvent(anywhere, `${FORWARDER_RULE_PREFIX}switch-role`)));
  assert.ok(matchesPattern(liveness.pattern, { ...scheduledEvent(anywhere, 'x'), resources: [`arn:aws-us-gov:events:us-gov-west-1:987654321098:rule/${FORWARDER_RULE_PREFIX}a`] }));
  assert.ok(matchesPattern(liveness.pattern, { source: HEARTBEAT_SOURCE, 'detail-type': HEARTBEAT_DETAIL_TYPE, account: '987654321098', region: 'me-central-1', detail: { forwarder: `${FORWARDER_RULE_PREFIX}role-assumed` } }));
  // ...but not other scheduled events, nor alert events.
  const home: Place = { name: 'home', t: s.member, account: s.config.securityAccount.accountId, region: s.config.securityAccount.region };
  for (const rule of ['breakglass-heartbeat-schedule', LIVENESS_NAMES.checkRule, 'some-other-rule']) assert.ok(!matchesPattern(liveness.pattern, scheduledEvent(home, rule)), rule);
  const event = (rec: Record<string, unknown>) => { const c = toEventBridgeEvent(rec); assert.ok(!('error' in c)); return c.event; };
  for (const rec of [f.consoleLogin(), f.assumeRoleCaller(), f.assumeRoleOwner(), f.switchRole(), f.consoleLogin({ root: true, account: f.M })]) {
    assert.ok(!matchesPattern(liveness.pattern, event(rec)), 'the liveness rule takes no alert event');
  }
}

function checkWatchdog(s: Synthesized) {
  const t = s.templates.get('Breakglass-Security')!;
  const byName = (type: string, prop: string, value: string) => {
    const found = resourcesOfType(t, type).filter(([, r]) => r.Properties[prop] === value);
    assert.equal(found.length, 1, `${type} ${value}`);
    return found[0]!;
  };
  const [busId] = resourcesOfType(t, 'AWS::Events::EventBus')[0]!;
  const [tableId, table] = byName('AWS::DynamoDB::Table', 'TableName', LIVENESS_NAMES.table);
  assert.deepEqual(table.Properties.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
  assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
  // SSEEnabled false (or absent) = encryption at rest with an AWS owned key (CloudFormation template reference,
  // AWS::DynamoDB::Table SSESpecification).
  assert.deepEqual(table.Properties.SSESpecification ?? { SSEEnabled: false }, { SSEEnabled: false }, 'AWS owned key');
  const [recId, rec] = byName('AWS::Lambda::Function', 'FunctionName', LIVENESS_NAMES.recorderFunction);
  const [dogId, dog] = byName('AWS::Lambda::Function', 'FunctionName', LIVENESS_NAMES.watchdogFunction);
  for (const fn of [rec, dog]) {
    assert.equal(fn.Properties.Runtime, 'nodejs24.x');
    assert.deepEqual(fn.Properties.Architectures, ['arm64']);
  }
  assert.equal(rec.Properties.Handler, 'index.record');
  assert.equal(dog.Properties.Handler, 'index.check');
  assert.deepEqual(rec.Properties.Environment.Variables, { TABLE_NAME: { Ref: tableId } });
  assert.deepEqual(rec.Properties.LoggingConfig.LogFormat, 'JSON');
  assert.deepEqual(rec.Properties.LoggingConfig.SystemLogLevel, 'WARN', 'no START/END/REPORT lines for thousands of invocations');
  const [opsTopic] = byName('AWS::SNS::Topic', 'TopicName', NAMES.operationsTopic);
  assert.deepEqual(Object.keys(dog.Properties.Environment.Variables).sort(), ['ACCOUNT_NAMES', 'NODE_OPTIONS', 'OPERATIONS_TOPIC_ARN', 'TABLE_NAME']);
  assert.deepEqual(dog.Properties.Environment.Variables.OPERATIONS_TOPIC_ARN, { Ref: opsTopic });
  assert.deepEqual(JSON.parse(dog.Properties.Environment.Variables.ACCOUNT_NAMES), s.config.alerts.accountNames ?? {});

  const [centralId, central] = byName('AWS::Events::Rule', 'Name', LIVENESS_NAMES.centralRule);
  assert.deepEqual(central.Properties.EventBusName, { Ref: busId });
  assert.equal(central.Properties.State, 'ENABLED');
  const [dlqId] = byName('AWS::SQS::Queue', 'QueueName', `${NAMES.rulePrefix}central-dead-letters`);
  assert.deepEqual(central.Properties.Targets, [{
    Id: 'Recorder', Arn: { 'Fn::GetAtt': [recId, 'Arn'] },
    RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
  }], 'raw events (no input transformer), retries, central dead-letter queue');
  const [checkId, checkRule] = byName('AWS::Events::Rule', 'Name', LIVENESS_NAMES.checkRule);
  assert.equal(checkRule.Properties.ScheduleExpression, WATCHDOG_SCHEDULE);
  assert.equal(checkRule.Properties.EventBusName, undefined);
  assert.deepEqual(checkRule.Properties.Targets, [{ Id: 'Watchdog', Arn: { 'Fn::GetAtt': [dogId, 'Arn'] } }]);
  const perms = resourcesOfType(t, 'AWS::Lambda::Permission').map(([, r]) => r.Properties)
    .filter((x) => [recId, dogId].includes(x.FunctionName['Fn::GetAtt']?.[0]));
  assert.deepEqual(perms.map((x) => [x.FunctionName['Fn::GetAtt'][0], x.Principal, x.SourceArn, x.SourceAccount]).sort(), [
    [recId, 'events.amazonaws.com', { 'Fn::GetAtt': [centralId, 'Arn'] }, { Ref: 'AWS::AccountId' }],
    [dogId, 'events.amazonaws.com', { 'Fn::GetAtt': [checkId, 'Arn'] }, { Ref: 'AWS::AccountId' }],
  ].sort(), 'each function may be invoked by its one rule only');

  // Alarms of the watchdog itself, on the operations topic (alarm and OK).
  const alarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties).filter((a) => String(a.AlarmName).startsWith(LIVENESS_NAMES.alarmPrefix));
  const sig = (a: any) => `${a.AlarmName} ${a.Namespace}/${a.MetricName} ${a.Statistic} ${a.Period} ${a.ComparisonOperator} ${a.Threshold} ${a.EvaluationPeriods} ${a.TreatMissingData}`;
  assert.deepEqual(alarms.map(sig).sort(), [
    'breakglass-liveness-check-failed AWS/Events/FailedInvocations Sum 300 GreaterThanOrEqualToThreshold 1 1 notBreaching',
    'breakglass-liveness-failed-deliveries AWS/Events/FailedInvocations Sum 300 GreaterThanOrEqualToThreshold 1 1 notBreaching',
    'breakglass-liveness-recorder-errors AWS/Lambda/Errors Sum 300 GreaterThanOrEqualToThreshold 1 1 notBreaching',
    'breakglass-liveness-watchdog-errors AWS/Lambda/Errors Sum 300 GreaterThanOrEqualToThreshold 1 1 notBreaching',
    'breakglass-liveness-watchdog-not-running AWS/Lambda/Invocations Sum 3600 LessThanThreshold 1 3 breaching',
  ]);
  for (const a of alarms) {
    assert.deepEqual(a.AlarmActions, [{ Ref: opsTopic }], a.AlarmName);
    assert.deepEqual(a.OKActions, [{ Ref: opsTopic }], a.AlarmName);
  }
}

function checkBundle(s: Synthesized) {
  const t = s.templates.get('Breakglass-Security')!;
  const fns = resourcesOfType(t, 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties.FunctionName).startsWith(`${NAMES.rulePrefix}liveness-`));
  const keys = new Set(fns.map(([, r]) => r.Properties.Code.S3Key));
  assert.equal(keys.size, 1, 'one bundle for both functions');
  const hash = String([...keys][0]).replace(/\.zip$/, '');
  const manifest = JSON.parse(readFileSync(join(s.dir, 'Breakglass-Security.assets.json'), 'utf8'));
  const file = join(s.dir, manifest.files[hash].source.path, 'index.js');
  assert.ok(existsSync(file), file);
  const js = readFileSync(file, 'utf8');
  const required = [...new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].filter((r) => !r.startsWith('node:')).sort();
  assert.deepEqual(required, ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sns'], 'the SDK comes from the Lambda runtime, everything else is bundled');
  const mod = { exports: {} as any };
  const stub = { DynamoDBClient: class {}, SNSClient: class {} };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', js)((id: string) => (id.startsWith('@aws-sdk/') ? stub : require(id)), mod, mod.exports);
  assert.equal(typeof mod.exports.record, 'function');
  assert.equal(typeof mod.exports.check, 'function');
}

function suite(get: () => Synthesized) {
  test('every forwarder sends its own heartbeat through its own target; the AssumeRole forwarders carry exactly their Scheduler heartbeat', () => checkForwarderHeartbeats(get()));
  test('the wrapped AssumeRole patterns still forward the events they exist for', () => checkWrappedPatternsStillMatchTheirEvents(get()));
  test('central: the liveness rule matches every heartbeat from any account and region; no alert rule matches a heartbeat', () => checkCentral(get()));
  test('watchdog: table, recorder and watchdog functions, rules, invoke permissions and its own alarms', () => checkWatchdog(get()));
  test('the liveness bundle exports both handlers and leaves the AWS SDK to the runtime', () => checkBundle(get()));
  test('the member template still fits a StackSet TemplateBody', () => {
    const bytes = Buffer.byteLength(JSON.stringify(get().member));
    assert.ok(bytes <= TEMPLATE_BODY_LIMIT, `${bytes} bytes`);
  });
}

describe('forwarder liveness: example config', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(); });
  after(() => s?.cleanup());
  suite(() => s);
});

describe('forwarder liveness: home eu-west-1, KMS dead letters, account names, no weekly heartbeat', () => {
  let s: Synthesized;
  before(() => {
    s = synthConfig(exampleWith((c) => {
      c.securityAccount.region = 'eu-west-1';
      c.alerts.deadLetterEncryption = 'kms';
      c.alerts.heartbeat = { enabled: false };
      c.alerts.accountNames = { '333333333333': 'Prod' };
    }));
  });
  after(() => s?.cleanup());
  suite(() => s);
});
