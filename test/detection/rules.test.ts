/**
 * Every alert rule against paired fixtures: events that must raise it and near misses that must not.
 * The patterns are read from the SYNTHESIZED templates (central rules in the security stack, forwarders in the
 * member template and a regional stack), so this tests what deploys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CATALOGUE, type RuleId } from '../../lib/detection/catalogue';
import { detectionContext } from '../../lib/detection/context';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { compilePattern } from '../../lib/detection/matcher';
import { requiredStrings, Simulator } from '../../lib/detection/simulate';
import { loadConfigFile } from '../../lib/config/load';
import { withHeartbeat } from '../../lib/liveness/constants';
import { centralRuleName, forwarderRuleName } from '../../lib/naming';
import { EXAMPLE_CONFIG, resourcesOfType, synthConfig, type Synthesized } from '../helpers/synth';
import * as f from '../fixtures/cloudtrail';

let synth: Synthesized;
before(() => { synth = synthConfig(); });
after(() => synth.cleanup());

function ruleResource(template: any, name: string): any {
  const found = resourcesOfType(template, 'AWS::Events::Rule').find(([, r]) => r.Properties.Name === name);
  return found?.[1];
}
function centralPattern(id: RuleId): any {
  const r = ruleResource(synth.templates.get('Breakglass-Security'), centralRuleName(id));
  assert.ok(r, `central rule ${id} not in the security stack`);
  return r.Properties.EventPattern;
}
const wrap = (record: Record<string, unknown>) => {
  const c = toEventBridgeEvent(record);
  assert.ok(!('error' in c), 'fixture must be a CloudTrail record');
  return c.event;
};

const ALL_USERS = ['BreakGlassUser1', 'BreakGlassUser2'];
const topicArn = `arn:aws:sns:us-east-1:${f.S}:breakglass-alerts`;

/** rule -> [must match, near misses with the reason they must not]. */
const FIXTURES: Record<RuleId, { match: Array<[string, any]>; miss: Array<[string, any]> }> = {
  'console-login': {
    match: [
      ['success in us-east-1', f.consoleLogin()],
      ['success in eu-north-1 (global endpoint proxy region)', f.consoleLogin({ region: 'eu-north-1' })],
      ['second user, without MFA', f.consoleLogin({ user: 'BreakGlassUser2', mfa: 'No' })],
    ],
    miss: [
      ['failed sign-in', f.consoleLogin({ result: 'Failure' })],
      ['other user', f.consoleLogin({ user: 'alice' })],
      ['same user name in another account', f.consoleLogin({ account: f.M })],
      ['root sign-in', f.consoleLogin({ root: true })],
      ['CheckMfa step of the sign-in', { ...f.consoleLogin(), eventName: 'CheckMfa', responseElements: { CheckMfa: 'Success' } }],
    ],
  },
  'console-login-failure': {
    match: [
      ['failure (no arn in userIdentity)', f.consoleLogin({ result: 'Failure' })],
      ['failure in ap-southeast-2', f.consoleLogin({ result: 'Failure', region: 'ap-southeast-2', user: 'BreakGlassUser2' })],
    ],
    miss: [
      ['success', f.consoleLogin()],
      ['unknown user name (HIDDEN_DUE_TO_SECURITY_REASONS)', f.consoleLogin({ result: 'Failure', user: 'HIDDEN_DUE_TO_SECURITY_REASONS' })],
    ],
  },
  'assume-role': {
    match: [
      ['CLI call, regional STS endpoint', f.assumeRoleCaller()],
      ['console switch (invokedBy AWS Internal)', f.assumeRoleCaller({ console: true, region: 'us-east-1' })],
      ['denied attempt', f.assumeRoleCaller({ denied: true })],
      ['a role outside the organization', f.assumeRoleCaller({ roleAccount: f.OUTSIDE })],
      // Issue 11, item 6: the user is its identity, whichever account's copy this is.
      ['caller copy naming the member account as recipient', { ...f.assumeRoleCaller(), recipientAccountId: f.M }],
    ],
    miss: [
      ['another user', f.assumeRoleCaller({ user: 'alice' })],
      ['a user of the same name in a member account', { ...f.assumeRoleCaller(), userIdentity: f.iamUser(f.USER, f.M) }],
      ['role-owner copy (AWSAccount)', f.assumeRoleOwner()],
      ['GetCallerIdentity by the user', { ...f.assumeRoleCaller(), eventName: 'GetCallerIdentity' }],
    ],
  },
  'role-assumed': {
    match: [
      ['role-owner copy in a member account', f.assumeRoleOwner()],
      ['role-owner copy in the management account', f.assumeRoleOwner({ roleAccount: f.MGMT, region: 'us-east-1' })],
    ],
    miss: [
      ['another role', f.assumeRoleOwner({ role: 'Deployer' })],
      ['a role whose name only starts like it', f.assumeRoleOwner({ role: 'BreakGlassRoleX' })],
      ['the caller copy in the security account', f.assumeRoleCaller()],
    ],
  },
  'switch-role': {
    match: [
      ['switch into the role in a member account', f.switchRole()],
      ['switch recorded in us-east-1 of the management account', f.switchRole({ account: f.MGMT, region: 'us-east-1' })],
      ['someone else switching into the role (matched by the role ARN)', f.switchRole({ user: 'mallory', userAccount: f.OUTSIDE })],
    ],
    miss: [
      ['a user switching into another role', f.switchRole({ user: 'alice', role: 'ReadOnly' })],
      ['ExitRole', { ...f.switchRole(), eventName: 'ExitRole' }],
    ],
  },
  'user-credentials-changed': {
    match: [
      ['admin creates an access key for the user', f.iamCall('CreateAccessKey', { userName: 'BreakGlassUser1' })],
      ['admin sets the password', f.iamCall('CreateLoginProfile', { userName: 'BreakGlassUser2', passwordResetRequired: true })],
      ['user changes its own password (requestParameters null)', f.iamCall('ChangePassword', null, { actor: f.iamUser() })],
      ['user creates its own access key (no userName)', f.iamCall('CreateAccessKey', {}, { actor: f.iamUser() })],
      ['MFA deactivated', f.iamCall('DeactivateMFADevice', { userName: 'BreakGlassUser1', serialNumber: `arn:aws:iam::${f.S}:mfa/BreakGlassUser1` })],
      ['virtual MFA device deleted (serial only)', f.iamCall('DeleteVirtualMFADevice', { serialNumber: `arn:aws:iam::${f.S}:mfa/BreakGlassUser1-yubi` })],
      ['policy attached', f.iamCall('AttachUserPolicy', { userName: 'BreakGlassUser1', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })],
      ['added to a group, denied', f.apiCall({ source: 'iam.amazonaws.com', name: 'AddUserToGroup', params: { userName: 'BreakGlassUser1', groupName: 'Admins' }, error: 'AccessDenied' })],
      ['recorded outside us-east-1 (forwarders run in every region)', f.iamCall('CreateLoginProfile', { userName: 'BreakGlassUser1' }, { region: 'eu-west-1' })],
      // Issue 11, item 1: the group that carries the permissions and its managed policy.
      ['someone else added to the break-glass group', f.iamCall('AddUserToGroup', { groupName: 'breakglass-users', userName: 'mallory' })],
      ['a policy attached to the break-glass group', f.iamCall('AttachGroupPolicy', { groupName: 'breakglass-users', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })],
      ['an inline policy put on the group', f.iamCall('PutGroupPolicy', { groupName: 'breakglass-users', policyName: 'extra', policyDocument: '{"Version":"2012-10-17","Statement":[]}' })],
      ['a new default version of the users\' policy', f.iamCall('CreatePolicyVersion', { policyArn: `arn:aws:iam::${f.S}:policy/breakglass-users`, policyDocument: '{"Version":"2012-10-17","Statement":[]}', setAsDefault: true })],
      ['an older version made the default', f.iamCall('SetDefaultPolicyVersion', { policyArn: `arn:aws:iam::${f.S}:policy/breakglass-users`, versionId: 'v1' })],
      ['the users\' policy deleted', f.iamCall('DeletePolicy', { policyArn: `arn:aws:iam::${f.S}:policy/breakglass-users` })],
    ],
    miss: [
      ['another user', f.iamCall('CreateAccessKey', { userName: 'alice' })],
      ['read-only call', f.iamCall('ListAccessKeys', { userName: 'BreakGlassUser1' })],
      ['same user name in a member account', f.iamCall('CreateAccessKey', { userName: 'BreakGlassUser1' }, { account: f.M })],
      ['another group\'s policy', f.iamCall('AttachGroupPolicy', { groupName: 'Developers', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })],
      ['another policy\'s new version', f.iamCall('CreatePolicyVersion', { policyArn: `arn:aws:iam::${f.S}:policy/team-a`, setAsDefault: true })],
      ['the users\' policy only read', f.iamCall('GetPolicyVersion', { policyArn: `arn:aws:iam::${f.S}:policy/breakglass-users`, versionId: 'v2' })],
      ['a group of the same name in a member account', f.iamCall('AddUserToGroup', { groupName: 'breakglass-users', userName: 'mallory' }, { account: f.M })],
    ],
  },
  'role-changed': {
    match: [
      ['trust policy changed in a member account', f.iamCall('UpdateAssumeRolePolicy', { roleName: 'BreakGlassRole', policyDocument: '{"Version":"2012-10-17","Statement":[]}' }, { account: f.M })],
      ['role deleted', f.iamCall('DeleteRole', { roleName: 'BreakGlassRole' }, { account: f.MGMT })],
      ['policy attached', f.iamCall('AttachRolePolicy', { roleName: 'BreakGlassRole', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, { account: f.M })],
    ],
    miss: [
      ['another role', f.iamCall('UpdateAssumeRolePolicy', { roleName: 'Deployer' }, { account: f.M })],
      ['read-only call on the role', f.iamCall('GetRole', { roleName: 'BreakGlassRole' }, { account: f.M })],
    ],
  },
  'alerting-tampered': {
    match: [
      ['central rule disabled', f.apiCall({ source: 'events.amazonaws.com', name: 'DisableRule', params: { name: 'breakglass-console-login', eventBusName: 'breakglass-central' } })],
      ['forwarder deleted in a member account region', f.apiCall({ source: 'events.amazonaws.com', name: 'DeleteRule', params: { name: 'breakglass-fwd-switch-role' }, account: f.M, region: 'eu-west-3' })],
      ['targets removed', f.apiCall({ source: 'events.amazonaws.com', name: 'RemoveTargets', params: { rule: 'breakglass-assume-role', ids: ['AlertTopic'] } })],
      ['topic deleted', f.apiCall({ source: 'sns.amazonaws.com', name: 'DeleteTopic', params: { topicArn } })],
      ['subscription removed', f.apiCall({ source: 'sns.amazonaws.com', name: 'Unsubscribe', params: { subscriptionArn: `${topicArn}:5f3c1e9a-0000-4000-8000-000000000001` } })],
      ['key scheduled for deletion', f.apiCall({ source: 'kms.amazonaws.com', name: 'ScheduleKeyDeletion', params: { keyId: 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab', pendingWindowInDays: 7 } })],
      ['trail stopped in a member account', f.apiCall({ source: 'cloudtrail.amazonaws.com', name: 'StopLogging', params: { name: 'org-trail' }, account: f.M, region: 'eu-central-1' })],
      ['forwarder role trust changed', f.iamCall('UpdateAssumeRolePolicy', { roleName: 'breakglass-forwarder-eu-west-1' }, { account: f.M })],
      ['notifier code replaced (versioned event name, ARN form)', f.apiCall({ source: 'lambda.amazonaws.com', name: 'UpdateFunctionCode20150331v2', params: { functionName: `arn:aws:lambda:us-east-1:${f.S}:function:breakglass-notifier` } })],
      ['notifier disabled with reserved concurrency 0', f.apiCall({ source: 'lambda.amazonaws.com', name: 'PutFunctionConcurrency20171031', params: { functionName: 'breakglass-notifier', reservedConcurrentExecutions: 0 } })],
      ['operations topic subscription removed', f.apiCall({ source: 'sns.amazonaws.com', name: 'Unsubscribe', params: { subscriptionArn: `arn:aws:sns:us-east-1:${f.S}:breakglass-operations:5f3c1e9a-0000-4000-8000-000000000002` } })],
      ['alarm deleted', f.apiCall({ source: 'monitoring.amazonaws.com', name: 'DeleteAlarms', params: { alarmNames: ['breakglass-notifier-errors'] } })],
      ['dead-letter queue purged', f.apiCall({ source: 'sqs.amazonaws.com', name: 'PurgeQueue', params: { queueUrl: `https://sqs.us-east-1.amazonaws.com/${f.S}/breakglass-central-dead-letters` } })],
      ['member StackSet deleted', f.apiCall({ source: 'cloudformation.amazonaws.com', name: 'DeleteStackSet', params: { stackSetName: 'breakglass-member-baseline' }, account: f.MGMT })],
    ],
    miss: [
      ['another rule disabled', f.apiCall({ source: 'events.amazonaws.com', name: 'DisableRule', params: { name: 'team-a-nightly' } })],
      ['another topic deleted', f.apiCall({ source: 'sns.amazonaws.com', name: 'DeleteTopic', params: { topicArn: `arn:aws:sns:us-east-1:${f.S}:team-a-alerts` } })],
      ['another function updated', f.apiCall({ source: 'lambda.amazonaws.com', name: 'UpdateFunctionCode20150331v2', params: { functionName: 'team-a-worker' } })],
      ['another queue purged', f.apiCall({ source: 'sqs.amazonaws.com', name: 'PurgeQueue', params: { queueUrl: `https://sqs.us-east-1.amazonaws.com/${f.S}/team-a-jobs` } })],
      ['a key disabled in a member account', f.apiCall({ source: 'kms.amazonaws.com', name: 'DisableKey', params: { keyId: 'k' }, account: f.M })],
      ['the trail only described', f.apiCall({ source: 'cloudtrail.amazonaws.com', name: 'DescribeTrails', params: {} })],
    ],
  },
  'root-console-login': {
    match: [
      ['root of a member account', f.consoleLogin({ root: true, account: f.M })],
      ['root of the management account', f.consoleLogin({ root: true, account: f.MGMT })],
      ['a privileged-session console sign-in, recorded in the endpoint\'s region', { ...f.consoleLogin({ root: true, account: f.M }), awsRegion: 'eu-west-1' }],
    ],
    miss: [
      ['IAM user sign-in', f.consoleLogin()],
      ['root API call, not a sign-in', f.apiCall({ source: 'iam.amazonaws.com', name: 'ListUsers', actor: { type: 'Root', arn: `arn:aws:iam::${f.M}:root`, accountId: f.M }, account: f.M })],
    ],
  },
  'assume-root': {
    match: [
      ['management account, regional endpoint', f.assumeRoot()],
      ['IAM delegated administrator (a member account), S3 unlock task', f.assumeRoot({ callerAccount: f.M, target: '444444444444', task: 'S3UnlockBucketPolicy', region: 'us-east-2' })],
      ['denied attempt from the security account', f.assumeRoot({ callerAccount: f.S, caller: f.iamUser('alice'), denied: true })],
    ],
    miss: [
      ['AssumeRole, not AssumeRoot', f.assumeRoleCaller()],
      ['a copy naming the caller only as another account (one call, one alert)', { ...f.assumeRoot(), userIdentity: { type: 'AWSAccount', principalId: 'AROAROOTADMINEXAMPLE:ops-lead', accountId: f.MGMT }, recipientAccountId: f.M }],
      ['another STS call by the same caller', { ...f.assumeRoot(), eventName: 'GetCallerIdentity', requestParameters: null }],
    ],
  },
  'root-activity': {
    match: [
      ['root session deletes the root password of a member account', f.rootCall()],
      ['root session unlocks a bucket policy', f.rootCall({ source: 's3.amazonaws.com', name: 'DeleteBucketPolicy', params: { bucketName: 'payments-data', Host: 'payments-data.s3.eu-central-1.amazonaws.com' }, region: 'eu-central-1' })],
      ['root access key reads (read-only event) in the management account', f.rootCall({ account: f.MGMT, session: false, source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true })],
      ['root in the security account', f.rootCall({ account: f.S, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true })],
    ],
    miss: [
      ['root console sign-in (root-console-login\'s)', f.consoleLogin({ root: true, account: f.M })],
      ['an AWS service acting for root (invokedBy)', f.rootCall({ invokedBy: 'cloudformation.amazonaws.com', source: 'ec2.amazonaws.com', name: 'RunInstances', region: 'eu-west-1' })],
      ['an IAM user, not root', f.iamCall('DeleteLoginProfile', { userName: 'alice' }, { account: f.M })],
      ['root call to a service outside the list (documented limit)', f.rootCall({ source: 'gamelift.amazonaws.com', name: 'ListFleets', readOnly: true })],
    ],
  },
};

describe('rule patterns are the catalogue, as synthesized', () => {
  it('every catalogue rule has a central rule whose pattern is exactly the catalogue pattern', () => {
    const ctx = detectionContext(synth.config);
    for (const rule of CATALOGUE) assert.deepEqual(centralPattern(rule.id), rule.pattern(ctx), rule.id);
  });
  it('member-template and regional forwarders carry the same patterns', () => {
    const ctx = detectionContext(synth.config);
    const regional = synth.templates.get('Breakglass-Security-eu-west-1');
    // Forwarders that cannot schedule their liveness heartbeat also let a Scheduler heartbeat through (test/liveness/).
    const forwarded = (rule: (typeof CATALOGUE)[number]) => (rule.readOnlyEvents ? withHeartbeat(rule.pattern(ctx), forwarderRuleName(rule.id)) : rule.pattern(ctx));
    for (const rule of CATALOGUE) {
      const inMember = ruleResource(synth.member, forwarderRuleName(rule.id));
      if (rule.accounts !== 'security') assert.deepEqual(inMember?.Properties.EventPattern, forwarded(rule), `member ${rule.id}`);
      else assert.equal(inMember, undefined, `${rule.id} must not be forwarded from members`);
      const inRegion = ruleResource(regional, forwarderRuleName(rule.id));
      if (rule.accounts !== 'members' && rule.regions === 'all') assert.deepEqual(inRegion?.Properties.EventPattern, forwarded(rule), `eu-west-1 ${rule.id}`);
      else assert.equal(inRegion, undefined, `${rule.id} must not run in eu-west-1 of the security account`);
    }
  });
  it('the example users are the ones in the patterns, by identity (account + name), not by the account of the copy', () => {
    assert.deepEqual(centralPattern('console-login').detail.userIdentity.userName, ALL_USERS);
    for (const id of ['console-login', 'console-login-failure', 'assume-role'] as const) {
      const p = centralPattern(id);
      assert.deepEqual(p.detail.userIdentity, { type: ['IAMUser'], accountId: [f.S], userName: ALL_USERS }, id);
      assert.equal(p.account, undefined, `${id}: no envelope account filter`);
    }
  });
  it('issue 11 scopes: assume-role, assume-root and root-activity in every account; identity and root rules in every region', () => {
    const scope = (id: RuleId) => { const r = CATALOGUE.find((x) => x.id === id)!; return `${r.accounts}/${r.regions}/${r.readOnlyEvents}`; };
    assert.equal(scope('assume-role'), 'all/all/true');
    assert.equal(scope('assume-root'), 'all/all/true');
    assert.equal(scope('root-activity'), 'all/all/true');
    assert.equal(scope('root-console-login'), 'all/all/false');
    assert.equal(scope('user-credentials-changed'), 'security/all/false');
    // Both new rules receive read-only management events (rule state), on the central bus and in the forwarders.
    for (const id of ['assume-root', 'root-activity'] as const) {
      const central = ruleResource(synth.templates.get('Breakglass-Security'), centralRuleName(id));
      assert.equal(central.Properties.State, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', id);
      assert.equal(ruleResource(synth.member, forwarderRuleName(id)).Properties.State, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', id);
    }
  });
  it('forwarder patterns stay within PutRule\'s 4096 characters', () => {
    for (const t of [synth.member, ...synth.templates.values()]) {
      for (const [, r] of Object.entries(t.Resources) as Array<[string, any]>) {
        if (r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern) assert.ok(JSON.stringify(r.Properties.EventPattern).length <= 4096, r.Properties.Name);
      }
    }
  });
});

describe('paired fixtures per rule (synthesized central patterns)', () => {
  for (const rule of CATALOGUE) {
    const fx = FIXTURES[rule.id];
    describe(rule.id, () => {
      it('has fixtures on both sides', () => { assert.ok(fx.match.length >= 2 && fx.miss.length >= 2); });
      for (const [name, record] of fx.match) {
        it(`raises on: ${name}`, () => { assert.equal(compilePattern(centralPattern(rule.id)).matches(wrap(record)), true); });
      }
      for (const [name, record] of fx.miss) {
        it(`stays silent on: ${name}`, () => { assert.equal(compilePattern(centralPattern(rule.id)).matches(wrap(record)), false); });
      }
    });
  }
});

/**
 * The forwarder a rule runs as, where it is deployed: the member template (StackSet, accounts other than S), else
 * the security account's regional stack (eu-west-1), else its home stack. The pattern is read from the template.
 */
function forwarderPattern(rule: (typeof CATALOGUE)[number]): any {
  const where = rule.accounts !== 'security' ? synth.member
    : rule.regions === 'all' ? synth.templates.get('Breakglass-Security-eu-west-1') : synth.templates.get('Breakglass-Security');
  const r = ruleResource(where, forwarderRuleName(rule.id));
  assert.ok(r, `forwarder ${rule.id} not deployed where expected`);
  return r.Properties.EventPattern;
}

describe('paired fixtures per rule (synthesized forwarder patterns)', () => {
  for (const rule of CATALOGUE) {
    const fx = FIXTURES[rule.id];
    describe(rule.id, () => {
      it('every fixture gets the same answer from the forwarder as from the central rule', () => {
        const forwarder = compilePattern(forwarderPattern(rule));
        for (const [name, record] of fx.match) assert.equal(forwarder.matches(wrap(record)), true, `forwards: ${name}`);
        for (const [name, record] of fx.miss) assert.equal(forwarder.matches(wrap(record)), false, `does not forward: ${name}`);
      });
    });
  }
});

describe('the simulator pre-check never changes an answer', () => {
  // The Simulator skips a rule early when a field the pattern pins to exact strings (eventName, eventSource, source)
  // holds another string. Every fixture, matching or not, and variants with array-valued and missing fields, must get
  // the same rules with the pre-check as without it.
  const ctx = detectionContext(loadConfigFile(EXAMPLE_CONFIG).config);
  const fast = new Simulator(ctx);
  const full = new Simulator(ctx, CATALOGUE, { prefilter: false });
  const variants = (e: Record<string, any>): Array<Record<string, any>> => {
    const d = e.detail ?? {};
    return [
      e,
      { ...e, detail: { ...d, eventName: [d.eventName, 'Other'] } },
      { ...e, detail: { ...d, eventSource: [d.eventSource] } },
      { ...e, detail: [d] },
      { ...e, source: [e.source] },
      { ...e, detail: { ...d, eventName: undefined } },
    ];
  };
  it('on every fixture and its variants', () => {
    let n = 0;
    for (const fx of Object.values(FIXTURES)) {
      for (const [name, record] of [...fx.match, ...fx.miss]) {
        for (const e of variants(wrap(record))) {
          assert.deepEqual(fast.evaluate(e), full.evaluate(e), name);
          n++;
        }
      }
    }
    assert.ok(n > 100, `${n} events compared`);
  });
  it('reads the pinned strings off patterns, through $or, and only when nothing else is allowed', () => {
    assert.deepEqual(requiredStrings({ detail: { eventName: ['A', 'B'] } }, ['detail', 'eventName']), new Set(['A', 'B']));
    assert.deepEqual(requiredStrings({ detail: { $or: [{ eventName: ['A'] }, { eventName: ['B'], x: [1] }] } }, ['detail', 'eventName']), new Set(['A', 'B']));
    assert.equal(requiredStrings({ detail: { $or: [{ eventName: ['A'] }, { other: ['B'] }] } }, ['detail', 'eventName']), undefined);
    assert.equal(requiredStrings({ detail: { eventName: [{ prefix: 'A' }] } }, ['detail', 'eventName']), undefined);
    assert.equal(requiredStrings({ detail: { eventName: ['A', null] } }, ['detail', 'eventName']), undefined);
    assert.equal(requiredStrings({ source: ['aws.sts'] }, ['detail', 'eventName']), undefined);
  });
});
