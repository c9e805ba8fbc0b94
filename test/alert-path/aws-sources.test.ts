/**
 * Only AWS events reach the alert rules. `source` starting with "aws." is set by AWS for its own events, and PutEvents
 * refuses such sources to everyone else (NotAuthorizedForSourceException, EventBridge API reference,
 * "PutEventsResultEntry"): a pattern that pins `source` to exact aws.* strings cannot be satisfied by a forged event.
 *
 * Everything here reads the patterns from the SYNTHESIZED templates (central rules on the custom bus, forwarders in
 * every template) and matches with the project's matcher (lib/detection/matcher.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CATALOGUE, type RuleId } from '../../lib/detection/catalogue';
import { detectionContext } from '../../lib/detection/context';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { compilePattern } from '../../lib/detection/matcher';
import { centralRuleName, NAMES } from '../../lib/naming';
import { HEARTBEAT_SCHEDULE_RULE } from '../../lib/constructs/heartbeat';
import * as f from '../fixtures/cloudtrail';
import { PARTITION } from '../helpers/iam';
import { type CfnTemplate, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';
import { byName, physical, resolveIn } from './template-policies';

process.env.CDK_VALIDATION = 'false';

let s: Synthesized;
before(() => { s = synthConfig(); });
after(() => s?.cleanup());

const SECURITY = 'Breakglass-Security';
const home = () => ({ partition: PARTITION, accountId: s.config.securityAccount.accountId, region: s.config.securityAccount.region });

/**
 * Central alert rules (on the custom bus, targeting the notifier) by name, with their patterns resolved for the security
 * account. Other central rules (forwarder liveness) raise no alert themselves.
 */
function centralPatterns(): Map<string, Record<string, unknown>> {
  const t = s.templates.get(SECURITY)!;
  const bus = byName(t, 'AWS::Events::EventBus', 'Name', NAMES.centralBus);
  const notifier = JSON.stringify({ 'Fn::GetAtt': [byName(t, 'AWS::Lambda::Function', 'FunctionName', NAMES.notifierFunction), 'Arn'] });
  return new Map(resourcesOfType(t, 'AWS::Events::Rule')
    .filter(([, r]) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: bus }))
    .filter(([, r]) => (r.Properties.Targets as any[]).some((tg) => JSON.stringify(tg.Arn) === notifier))
    .map(([, r]) => [r.Properties.Name as string, resolveIn(t, r.Properties.EventPattern, home()) as Record<string, unknown>]));
}

const wrap = (record: Record<string, unknown>) => {
  const c = toEventBridgeEvent(record);
  assert.ok(!('error' in c), 'fixture must be a CloudTrail record');
  return c.event;
};

/** Events AWS would deliver that each central rule must raise on (at least one per rule, one per service for tampering). */
function genuine(): Record<string, Array<[string, Record<string, unknown>]>> {
  const topicArn = `arn:aws:sns:us-east-1:${f.S}:breakglass-alerts`;
  const tamper = (source: string, name: string, params: Record<string, unknown>, account?: string) => wrap(f.apiCall({ source, name, params, account }));
  const alarmDeleted = tamper('monitoring.amazonaws.com', 'DeleteAlarms', { alarmNames: ['breakglass-notifier-errors'] });
  const byRule: Record<RuleId, Array<[string, Record<string, unknown>]>> = {
    'console-login': [['console sign-in', wrap(f.consoleLogin())]],
    'console-login-failure': [['failed sign-in', wrap(f.consoleLogin({ result: 'Failure' }))]],
    'assume-role': [['AssumeRole, caller copy', wrap(f.assumeRoleCaller())]],
    'role-assumed': [['AssumeRole, role-owner copy', wrap(f.assumeRoleOwner())]],
    'switch-role': [['SwitchRole', wrap(f.switchRole())]],
    'user-credentials-changed': [['CreateAccessKey', wrap(f.iamCall('CreateAccessKey', { userName: f.USER }))]],
    'role-changed': [['UpdateAssumeRolePolicy', wrap(f.iamCall('UpdateAssumeRolePolicy', { roleName: f.ROLE }, { account: f.M }))]],
    'alerting-tampered': [
      ['events: DisableRule', tamper('events.amazonaws.com', 'DisableRule', { name: 'breakglass-console-login' })],
      ['sns: DeleteTopic', tamper('sns.amazonaws.com', 'DeleteTopic', { topicArn })],
      ['kms: ScheduleKeyDeletion', tamper('kms.amazonaws.com', 'ScheduleKeyDeletion', { keyId: 'k' })],
      ['cloudtrail: StopLogging', tamper('cloudtrail.amazonaws.com', 'StopLogging', { name: 'org-trail' }, f.M)],
      ['iam: forwarder role trust', tamper('iam.amazonaws.com', 'UpdateAssumeRolePolicy', { roleName: 'breakglass-forwarder-eu-west-1' }, f.M)],
      ['cloudformation: DeleteStackSet', tamper('cloudformation.amazonaws.com', 'DeleteStackSet', { stackSetName: NAMES.memberStackSet }, f.MGMT)],
      ['lambda: PutFunctionConcurrency', tamper('lambda.amazonaws.com', 'PutFunctionConcurrency20171031', { functionName: NAMES.notifierFunction })],
      ['sqs: PurgeQueue', tamper('sqs.amazonaws.com', 'PurgeQueue', { queueUrl: `https://sqs.us-east-1.amazonaws.com/${f.S}/breakglass-central-dead-letters` })],
      ['cloudwatch: DeleteAlarms (source aws.cloudwatch)', { ...alarmDeleted, source: 'aws.cloudwatch' }],
      // The EventBridge events reference ("Amazon CloudWatch Monitoring events") gives aws.monitoring for these.
      ['cloudwatch: DeleteAlarms (source aws.monitoring)', { ...alarmDeleted, source: 'aws.monitoring' }],
    ],
    'root-console-login': [['root sign-in', wrap(f.consoleLogin({ root: true, account: f.M }))]],
    'assume-root': [['AssumeRoot from the management account', wrap(f.assumeRoot())]],
    'root-activity': [
      ['root session: iam DeleteLoginProfile', wrap(f.rootCall())],
      ['root access key: s3 ListBuckets', wrap(f.rootCall({ session: false, source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true }))],
    ],
  };
  const t = s.templates.get(SECURITY)!;
  const schedule = byName(t, 'AWS::Events::Rule', 'Name', HEARTBEAT_SCHEDULE_RULE);
  const heartbeat = {
    version: '0', id: '00000000-0000-0000-0000-000000000001', 'detail-type': 'Scheduled Event', source: 'aws.events',
    account: f.S, time: '2026-01-05T09:00:00Z', region: 'us-east-1', resources: [physical(t, schedule, 'Arn', home())], detail: {},
  };
  return { ...Object.fromEntries(Object.entries(byRule).map(([id, v]) => [centralRuleName(id), v])), [centralRuleName('heartbeat')]: [['scheduled event', heartbeat]] };
}

describe('central alert rules accept AWS events only', () => {
  test('every central rule (catalogue + heartbeat) is in the template and this test has genuine events for it', () => {
    const names = [...centralPatterns().keys()].sort();
    assert.deepEqual(names, [...CATALOGUE.map((r) => centralRuleName(r.id)), centralRuleName('heartbeat')].sort());
    assert.deepEqual(Object.keys(genuine()).sort(), names);
  });

  test('every central pattern pins `source` to a non-empty list of exact strings, each starting with "aws."', () => {
    for (const [name, p] of centralPatterns()) {
      const src = p.source as unknown[];
      assert.ok(Array.isArray(src) && src.length > 0, `${name}: no source list: ${JSON.stringify(p.source)}`);
      for (const v of src) {
        // Exact strings only: a {prefix: "aws."} would also admit "aws.partner/..." sources of SaaS partner buses.
        assert.equal(typeof v, 'string', `${name}: source ${JSON.stringify(v)} is not an exact string`);
        assert.match(v as string, /^aws\.[a-z0-9-]+$/, `${name}: source ${String(v)}`);
      }
      // And nowhere else in the pattern may `source` be loosened (e.g. inside a top-level $or).
      assert.equal(JSON.stringify(p).match(/"source"/g)?.length, 1, `${name}: exactly one source condition`);
    }
  });

  test('a genuine event matches; the same event with a forged source does not', () => {
    const patterns = centralPatterns();
    let n = 0;
    for (const [name, events] of Object.entries(genuine())) {
      const rule = compilePattern(patterns.get(name));
      for (const [what, event] of events) {
        assert.equal(rule.matches(event), true, `${name}: control, ${what} must match`);
        for (const forged of ['custom.attacker', 'aws', 'awsx.sts', 'aws.partner/example.com/123/evil', `${String(event.source)}.evil`, String(event.source).toUpperCase()]) {
          assert.equal(rule.matches({ ...event, source: forged }), false, `${name}: ${what} with source ${forged} must not match`);
        }
        const { source: _dropped, ...withoutSource } = event;
        assert.equal(rule.matches(withoutSource), false, `${name}: ${what} without a source must not match`);
        n++;
      }
    }
    assert.ok(n >= 19, `${n} genuine events`);
  });

  test('the forged event of issue 10 no longer raises the CRITICAL tampering alert', () => {
    const rule = compilePattern(centralPatterns().get(centralRuleName('alerting-tampered')));
    const real = wrap(f.apiCall({ source: 'events.amazonaws.com', name: 'DisableRule', params: { name: 'breakglass-console-login' } }));
    assert.equal(rule.matches(real), true);
    assert.equal(rule.matches({ ...real, source: 'custom.attacker' }), false);
  });
});

describe('every other rule pins its sources too', () => {
  /** The alternatives of a pattern: the members of a top-level $or, else the pattern itself. */
  const alternatives = (p: Record<string, unknown>): Array<Record<string, unknown>> =>
    Array.isArray(p.$or) ? (p.$or as Array<Record<string, unknown>>).map((alt) => ({ ...Object.fromEntries(Object.entries(p).filter(([k]) => k !== '$or')), ...alt })) : [p];

  test('in every template (security, regional, management, StackSet member) every pattern alternative names exact sources; catalogue alternatives aws.* only', () => {
    let n = 0;
    const all: Array<[string, CfnTemplate]> = [...s.templates.entries(), ['member-template', s.member]];
    const catalogueSources = new Set(CATALOGUE.flatMap((r) => r.pattern(detectionContext(s.config)).source as string[]));
    for (const [stack, t] of all) {
      for (const [id, r] of resourcesOfType(t, 'AWS::Events::Rule')) {
        const p = r.Properties.EventPattern;
        if (p === undefined) continue; // scheduled rules
        for (const alt of alternatives(p)) {
          const src = alt.source as unknown[];
          assert.ok(Array.isArray(src) && src.length > 0 && src.every((v) => typeof v === 'string'), `${stack}/${id} (${r.Properties.Name}): open source ${JSON.stringify(alt.source)}`);
          // An alternative sharing a source with the catalogue must use AWS sources only (no mix with custom ones).
          if (src.some((v) => catalogueSources.has(v as string))) assert.ok(src.every((v) => /^aws\.[a-z0-9-]+$/.test(v as string)), `${stack}/${id}: ${JSON.stringify(src)}`);
        }
        n++;
      }
    }
    assert.ok(n > CATALOGUE.length * 2, `${n} rules checked`);
  });
});
