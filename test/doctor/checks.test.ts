/** The pure parts of the doctor checks, and how results fold into one report; no AWS. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardrailDocument } from '../../lib/constructs/guardrail-scp';
import { HEARTBEAT_SCHEDULE_RULE as DEPLOYED_HEARTBEAT_RULE } from '../../lib/constructs/heartbeat';
import { NAMES } from '../../lib/naming';
import { EXAMPLE_CONFIG } from '../helpers/config';
import { loadConfigFile } from '../../lib/config/load';
import { compareRules, HEARTBEAT_SCHEDULE_RULE, type ExpectedRule } from '../../lib/doctor/checks/rules';
import { actionMatches, evaluatePath, roleActions, type Level } from '../../lib/doctor/checks/scp';
import { classifyInstances } from '../../lib/doctor/checks/stackset';
import { judgeSubscriptions, safeEndpoint } from '../../lib/doctor/checks/topic';
import { judgeTrails, managementCoverage, trailTargets } from '../../lib/doctor/checks/trail';
import { maskKeyId, mfaKind, passwordAgeDays } from '../../lib/doctor/checks/users';
import { renderJson, renderTable } from '../../lib/doctor/render';
import { runChecks, worst } from '../../lib/doctor/run';
import type { Check, CheckResult, DoctorContext } from '../../lib/doctor/types';

describe('users', () => {
  it('tells MFA device kinds apart by serial number', () => {
    assert.equal(mfaKind('arn:aws:iam::222222222222:mfa/BreakGlassUser1'), 'virtual');
    assert.equal(mfaKind('arn:aws-us-gov:iam::222222222222:mfa/x'), 'virtual');
    assert.equal(mfaKind('arn:aws:iam::222222222222:u2f/user/BreakGlassUser1/default-ABCDEFGHIJKLMNOPQRSTUVWXYZ'), 'fido');
    assert.equal(mfaKind('GAHT12345678'), 'hardware');
  });

  it('password age in whole days, and key IDs shown by their last four characters', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    assert.equal(passwordAgeDays(new Date('2026-06-01T00:00:00Z'), now), 0);
    assert.equal(passwordAgeDays(new Date('2026-03-03T12:00:00Z'), now), 90);
    assert.equal(passwordAgeDays(new Date('2026-03-03T11:59:59Z'), now), 90);
    assert.equal(passwordAgeDays(new Date('2026-03-02T12:00:00Z'), now), 91);
    assert.equal(maskKeyId('AKIAIOSFODNN7EXAMPLE'), '…MPLE');
  });
});

describe('stackset-instances classification', () => {
  const regions = ['us-east-1', 'eu-west-1'];
  it('finds missing accounts and regions, OUTDATED, failed and running instances', () => {
    const r = classifyInstances([
      { account: '111111111111', region: 'us-east-1', status: 'CURRENT', detailed: 'SUCCEEDED' },
      { account: '111111111111', region: 'eu-west-1', status: 'CURRENT', detailed: 'SUCCEEDED' },
      { account: '333333333333', region: 'us-east-1', status: 'OUTDATED', detailed: 'FAILED', reason: 'Role already exists' },
      { account: '333333333333', region: 'eu-west-1', status: 'OUTDATED', detailed: 'SUCCEEDED' },
      { account: '444444444444', region: 'us-east-1', status: 'OUTDATED', detailed: 'RUNNING' },
      { account: '555555555555', region: 'us-east-1', status: 'INOPERABLE', detailed: 'INOPERABLE' },
      { account: '666666666666', region: 'us-east-1', status: 'OUTDATED', detailed: 'SKIPPED_SUSPENDED_ACCOUNT' },
    ], regions, ['111111111111', '222222222222', '333333333333', '444444444444']);
    assert.deepEqual(r.missing, ['222222222222 (all 2 regions)', '444444444444 (eu-west-1)']);
    assert.deepEqual(r.failed, ['333333333333/us-east-1 FAILED: Role already exists', '555555555555/us-east-1 INOPERABLE']);
    assert.deepEqual(r.outdated, ['333333333333/eu-west-1']);
    assert.deepEqual(r.inProgress, ['444444444444/us-east-1 RUNNING']);
    assert.equal(r.current, 2);
  });
  it('without the expected accounts reports only what exists', () => {
    assert.deepEqual(classifyInstances([], regions).missing, []);
  });
});

describe('rules', () => {
  const exp: ExpectedRule[] = [
    { region: 'us-east-1', name: 'breakglass-assume-role', state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' },
    { region: 'us-east-1', name: 'breakglass-console-login', state: 'ENABLED' },
    { region: 'eu-west-1', name: 'breakglass-console-login', state: 'ENABLED' },
  ];
  it('missing rules by region, and states weaker than the catalogue asks for', () => {
    const found = new Map([['us-east-1/breakglass-assume-role', 'ENABLED'], ['us-east-1/breakglass-console-login', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']]);
    assert.deepEqual(compareRules(exp, found), {
      missing: ['eu-west-1/breakglass-console-login'],
      wrongState: ['us-east-1/breakglass-assume-role is ENABLED (expected ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)'],
    });
    found.set('eu-west-1/breakglass-console-login', 'DISABLED');
    assert.deepEqual(compareRules(exp, found).wrongState.slice(1), ['eu-west-1/breakglass-console-login is DISABLED (expected ENABLED)']);
  });
  it('the heartbeat schedule rule name matches the deployed construct', () => {
    assert.equal(HEARTBEAT_SCHEDULE_RULE, DEPLOYED_HEARTBEAT_RULE);
  });
});

describe('topic subscriptions', () => {
  it('fail without a confirmed subscription, warn on pending or missing addresses, pass otherwise', () => {
    const confirmed = { protocol: 'email', endpoint: 'a@example.com', pending: false };
    const pending = { protocol: 'email', endpoint: 'b@example.com', pending: true };
    assert.equal(judgeSubscriptions('t', [pending], ['b@example.com']).status, 'fail');
    assert.equal(judgeSubscriptions('t', [], []).status, 'fail');
    assert.equal(judgeSubscriptions('t', [confirmed, pending], ['a@example.com', 'b@example.com']).status, 'warn');
    assert.deepEqual(judgeSubscriptions('t', [confirmed], ['A@example.com', 'c@example.com']), { status: 'warn', text: 't: 1 confirmed subscription; configured but not subscribed: c@example.com' });
    assert.equal(judgeSubscriptions('t', [confirmed], ['a@example.com']).status, 'pass');
  });
  it('shows only the origin of HTTPS endpoints', () => {
    assert.equal(safeEndpoint('https', 'https://events.pagerduty.com/integration/abc123/enqueue?token=s3cr3t'), 'https://events.pagerduty.com/…');
    assert.equal(safeEndpoint('https', 'not a url'), 'https endpoint');
    assert.equal(safeEndpoint('email', 'a@example.com'), 'a@example.com');
  });
});

describe('trail', () => {
  const t = (o: Partial<Parameters<typeof judgeTrails>[1][number]>) => ({ name: 'x', arn: 'arn', multiRegion: false, organization: false, logging: true, management: { read: true, write: true }, ...o });
  const targets = trailTargets(loadConfigFile(EXAMPLE_CONFIG).config);
  const scope = (mode: 'create' | 'existing-organization-trail', callerAccount = '222222222222') => ({ mode, targets, callerAccount });
  it('an organization trail logging read and write management events covers every target, in either mode', () => {
    for (const mode of ['create', 'existing-organization-trail'] as const) {
      const r = judgeTrails(scope(mode), [t({ name: 'breakglass-trail', organization: true, multiRegion: true })], 'us-east-1');
      assert.equal(r.status, 'pass');
      assert.match(r.detail, /organization trail logging read and write management events: breakglass-trail; .*covers every target: 222222222222 \(security account\), 111111111111 \(management account\), every account in r-ab12/);
    }
    assert.equal(judgeTrails(scope('create'), [t({ organization: true, multiRegion: true, logging: false })], 'us-east-1').status, 'fail');
    const unread = judgeTrails(scope('existing-organization-trail'), [t({ organization: true, logging: undefined, statusError: 'refused' })], 'us-east-1');
    assert.equal(unread.status, 'warn');
    assert.match(unread.fix!, /management account/);
  });
  it("without an organization trail, the account's own trail is a warning naming every target it cannot prove covered", () => {
    const r = judgeTrails(scope('create'), [t({ name: 'local', multiRegion: true })], 'us-east-1');
    assert.equal(r.status, 'warn');
    assert.match(r.detail, /^no organization trail \(breakglass-trail from Breakglass-Trail\); multi-region trail logging read and write management events: local, which covers only account 222222222222\. Not proven covered: 111111111111 \(management account\), every account in r-ab12/);
    assert.doesNotMatch(r.detail, /222222222222 \(security account\)/, 'the caller is covered by its own trail');
    assert.match(r.fix!, /deploy Breakglass-Trail with credentials of the management account/);
    assert.match(judgeTrails(scope('existing-organization-trail'), [t({ name: 'local', multiRegion: true })], 'us-east-1').fix!, /create an organization trail/);
    // A single-region trail covers nothing reliably: sign-ins and STS calls are recorded in every region.
    assert.equal(judgeTrails(scope('create'), [t({ name: 'single' })], 'us-east-1').status, 'fail');
    assert.equal(judgeTrails(scope('create'), [], 'us-east-1').status, 'fail');
  });
  it('a trail that skips read-only management events fails: AssumeRole would never reach EventBridge', () => {
    const r = judgeTrails(scope('create'), [t({ name: 'breakglass-trail', organization: true, multiRegion: true, management: { read: false, write: true } })], 'us-east-1');
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /no read, write/);
    assert.match(r.fix!, /AssumeRole is a read-only event/);
    assert.equal(judgeTrails(scope('create'), [t({ organization: true, multiRegion: true, management: undefined })], 'us-east-1').status, 'warn');
    // One complete trail is enough, whatever the others log.
    assert.equal(judgeTrails(scope('create'), [t({ name: 'a', organization: true, multiRegion: true, management: { read: false, write: true } }), t({ name: 'b', organization: true, multiRegion: true })], 'us-east-1').status, 'pass');
  });
  it('reads basic and advanced event selectors', () => {
    assert.deepEqual(managementCoverage({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }), { read: true, write: true });
    assert.deepEqual(managementCoverage({ EventSelectors: [{ ReadWriteType: 'WriteOnly' }] }), { read: false, write: true });
    assert.deepEqual(managementCoverage({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }] }), { read: false, write: false });
    assert.deepEqual(managementCoverage({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }), { read: true, write: true });
    assert.deepEqual(managementCoverage({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }] }), { read: false, write: true });
    assert.deepEqual(managementCoverage({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', NotEquals: ['false'] }] }] }), { read: true, write: false });
    assert.deepEqual(managementCoverage({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }] }), { read: false, write: false });
  });
});

describe('scp evaluation', () => {
  const level = (target: string, ...statements: object[]): Level => ({ target, policies: [{ id: `p-${target}`, name: `scp-${target}`, statements }] });
  const full = (t: string) => level(t, { Effect: 'Allow', Action: '*', Resource: '*' });
  it('matches IAM action wildcards case-insensitively', () => {
    assert.ok(actionMatches('sts:*', 'sts:AssumeRole'));
    assert.ok(actionMatches('STS:assume?ole', 'sts:AssumeRole'));
    assert.ok(!actionMatches('sts:AssumeRoleWith*', 'sts:AssumeRole'));
  });
  it('an unconditional Deny blocks; a conditional one is uncertain; a Deny on breakglass resources only is ignored', () => {
    const deny = evaluatePath([full('r-1'), { target: 'acct', policies: [...full('acct').policies, ...level('acct', { Sid: 'D', Effect: 'Deny', Action: ['sts:*'], Resource: '*' }).policies] }], 'sts:AssumeRole', 'BreakGlassRole');
    assert.deepEqual(deny.blocked, ['sts:AssumeRole denied by scp-acct (p-acct) statement D on acct']);
    const cond = evaluatePath([full('r-1'), level('ou', { Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotLike: { 'aws:PrincipalArn': 'x' } } })], 'iam:PutRolePolicy', 'BreakGlassRole');
    assert.deepEqual(cond.blocked, []);
    assert.equal(cond.uncertain.length, 1);
    const guard = evaluatePath([level('r-1', { Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: ['arn:aws:iam::*:role/BreakGlassRole'] })], 'iam:PutRolePolicy', 'BreakGlassRole');
    assert.deepEqual(guard, { blocked: [], uncertain: [] });
  });
  it('SCPs are allow-lists: an action no SCP at a level allows is blocked there; NotAction is honoured', () => {
    const r = evaluatePath([full('r-1'), level('ou-x', { Effect: 'Allow', Action: ['ec2:*'], Resource: '*' })], 'sts:AssumeRole', 'BreakGlassRole');
    assert.deepEqual(r.blocked, ['sts:AssumeRole not allowed by any SCP on ou-x']);
    const notAction = evaluatePath([level('r-1', { Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], Resource: '*' })], 'sts:AssumeRole', 'BreakGlassRole');
    assert.deepEqual(notAction.blocked, []);
    const notActionHit = evaluatePath([level('r-1', { Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', NotAction: ['ec2:*'], Resource: '*' })], 'sts:AssumeRole', 'BreakGlassRole');
    assert.equal(notActionHit.blocked.length, 1);
    assert.deepEqual(evaluatePath([{ target: 'r-1', policies: [] }], 'sts:AssumeRole', 'R'), { blocked: [], uncertain: [] }, 'no SCPs attached: not in force');
  });
  it("breakglass's own guardrail SCP is neither a block nor a warning", () => {
    const doc = guardrailDocument({ roleName: 'BreakGlassRole', rulePrefix: NAMES.rulePrefix, forwarderRolePrefix: NAMES.forwarderRolePrefix,
      centralBusName: NAMES.centralBus, topicNames: [`${NAMES.alertTopic}*`, NAMES.operationsTopic], trailName: NAMES.trail,
      cdkDeploymentAccounts: ['222222222222'], users: { accountId: '222222222222', names: ['BreakGlassUser1'] },
      keyAliases: [NAMES.alertKeyAlias], functionName: NAMES.notifierFunction, alarmPrefix: NAMES.rulePrefix });
    const levels: Level[] = [full('r-1'), { target: 'ou-1', policies: [...full('ou-1').policies, { id: 'p-g', name: 'breakglass-guardrail', statements: doc.Statement as object[] }] }];
    assert.ok((doc.Statement as object[]).length >= 5);
    for (const action of ['sts:AssumeRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']) {
      assert.deepEqual(evaluatePath(levels, action, 'BreakGlassRole'), { blocked: [], uncertain: [] }, action);
    }
  });
  it('picks the actions to test from the role policies', () => {
    assert.deepEqual(roleActions(['IAMFullAccess']), ['iam:AttachRolePolicy', 'iam:PutRolePolicy']);
    assert.deepEqual(roleActions(['ReadOnlyAccess']), ['iam:GetRole']);
  });
});

describe('runChecks and the report', () => {
  const config = loadConfigFile(EXAMPLE_CONFIG).config;
  const fakeCtx = { config, concurrency: 2, globalRegion: 'us-east-1', now: () => new Date(), calls: 0 } as unknown as DoctorContext;

  it('a check that throws becomes a fail with one line; the other checks still report', async () => {
    const throwing: Check = { id: 'a', title: 'A', action: 'x:Do', run: async () => { throw Object.assign(new Error('nope'), { name: 'AccessDeniedException' }); } };
    const fine: Check = { id: 'b', title: 'B', action: 'x:Do', run: async () => ({ status: 'pass', detail: 'ok', fix: null }) };
    const r = await runChecks(fakeCtx, [throwing, fine]);
    assert.deepEqual(r.map((x) => [x.id, x.status]), [['a', 'fail'], ['b', 'pass']]);
    assert.equal(r[0]!.detail, 'x:Do was refused (AccessDeniedException: nope); the credentials need x:Do');
    assert.equal(worst(r), 'fail');
    assert.equal(worst([r[1]!]), 'pass');
  });

  const results: CheckResult[] = [
    { id: 'users-mfa', title: 'MFA', status: 'fail', detail: 'u has no MFA device', fix: 'enrol one' },
    { id: 'trail', title: 'Trail', status: 'pass', detail: 'logging', fix: null },
  ];
  it('JSON: one document, schemaVersion 1, the five fields of every check', () => {
    const doc = JSON.parse(renderJson(results));
    assert.deepEqual(doc, { schemaVersion: 1, checks: results });
  });
  it('table: one row per check, detail and fix below, a summary line', () => {
    assert.equal(renderTable(results), [
      'STATUS  ID         CHECK',
      'FAIL    users-mfa  MFA',
      '                   u has no MFA device',
      '                   fix: enrol one',
      'PASS    trail      Trail',
      '                   logging',
      '',
      '1 passed, 0 warnings, 1 failed',
      '',
    ].join('\n'));
  });
});
