/** Where each rule is deployed decides whether it can fire: the Simulator applies account and region scopes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../lib/config/load';
import { detectionContext } from '../../lib/detection/context';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { Simulator } from '../../lib/detection/simulate';
import { EXAMPLE_CONFIG, exampleWith } from '../helpers/config';
import * as f from '../fixtures/cloudtrail';

const sim = new Simulator(detectionContext(loadConfigFile(EXAMPLE_CONFIG).config));
const rulesFor = (s: Simulator, record: Record<string, unknown>) => {
  const c = toEventBridgeEvent(record);
  assert.ok(!('error' in c));
  return s.evaluate(c.event).map((m) => m.rule);
};

describe('simulate: deployment-aware evaluation', () => {
  it('a console switch raises caller-side and member-side alerts from their own accounts', () => {
    assert.deepEqual(rulesFor(sim, f.assumeRoleCaller({ console: true, region: 'us-east-1' })), ['assume-role']);
    assert.deepEqual(rulesFor(sim, f.assumeRoleOwner({ region: 'us-east-1' })), ['role-assumed']);
    assert.deepEqual(rulesFor(sim, f.switchRole({ region: 'us-east-1' })), ['switch-role']);
  });
  it('sign-in in any watched region alerts; in a region not watched it cannot', () => {
    for (const region of ['eu-north-1', 'ap-southeast-2', 'sa-east-1']) assert.deepEqual(rulesFor(sim, f.consoleLogin({ region })), ['console-login'], region);
    assert.deepEqual(rulesFor(sim, f.consoleLogin({ region: 'af-south-1' })), [], 'opt-in region not in the config');
    const withOptIn = new Simulator(detectionContext(exampleWith((c) => { c.regions.optIn = ['af-south-1']; })));
    assert.deepEqual(rulesFor(withOptIn, f.consoleLogin({ region: 'af-south-1' })), ['console-login']);
  });
  it('IAM changes to the users alert in every watched region (IAM records them in us-east-1; the forwarders cost nothing elsewhere); role changes only in us-east-1', () => {
    assert.deepEqual(rulesFor(sim, f.iamCall('CreateAccessKey', { userName: f.USER })), ['user-credentials-changed']);
    assert.deepEqual(rulesFor(sim, f.iamCall('CreateAccessKey', { userName: f.USER }, { region: 'eu-west-1' })), ['user-credentials-changed']);
    assert.deepEqual(rulesFor(sim, f.iamCall('UpdateAssumeRolePolicy', { roleName: f.ROLE }, { account: f.M })), ['role-changed']);
    assert.deepEqual(rulesFor(sim, f.iamCall('UpdateAssumeRolePolicy', { roleName: f.ROLE }, { account: f.M, region: 'eu-west-1' })), []);
  });
  it('the SwitchRole the reference watched for in the security account is not an alert there (no member forwarder)', () => {
    assert.deepEqual(rulesFor(sim, f.switchRole({ account: f.S })), []);
  });
  it('accounts outside the organization targets raise nothing; with OUs any other account is a member', () => {
    const accountsOnly = new Simulator(detectionContext(exampleWith((c) => { c.organization.targets = { organizationalUnits: [], accounts: ['444444444444'] }; })));
    assert.deepEqual(rulesFor(accountsOnly, f.switchRole({ account: f.M })), []);
    assert.deepEqual(rulesFor(accountsOnly, f.switchRole({ account: '444444444444' })), ['switch-role']);
    assert.deepEqual(rulesFor(accountsOnly, f.switchRole({ account: f.MGMT })), ['switch-role'], 'management account has its own stacks');
    assert.deepEqual(rulesFor(sim, f.switchRole({ account: '555555555555' })), ['switch-role']);
  });
  it('root sign-in anywhere in the organization, in any watched region (privileged sessions sign in at a regional endpoint)', () => {
    assert.deepEqual(rulesFor(sim, f.consoleLogin({ root: true, account: f.S })), ['root-console-login']);
    assert.deepEqual(rulesFor(sim, f.consoleLogin({ root: true, account: f.M })), ['root-console-login']);
    assert.deepEqual(rulesFor(sim, { ...f.consoleLogin({ root: true, account: f.M }), awsRegion: 'ap-south-1' }), ['root-console-login']);
  });
  it('centralized root access: AssumeRoot where it is called, then the root session\'s calls where they act', () => {
    assert.deepEqual(rulesFor(sim, f.assumeRoot()), ['assume-root'], 'management account');
    assert.deepEqual(rulesFor(sim, f.assumeRoot({ callerAccount: f.M, region: 'ap-northeast-1' })), ['assume-root'], 'IAM delegated administrator');
    assert.deepEqual(rulesFor(sim, f.rootCall()), ['root-activity'], 'root session in the member account (IAM task)');
    assert.deepEqual(rulesFor(sim, f.rootCall({ account: f.MGMT, source: 'sqs.amazonaws.com', name: 'SetQueueAttributes', region: 'eu-west-3' })), ['root-activity']);
    assert.deepEqual(rulesFor(sim, f.rootCall({ account: '999999999999' })), ['root-activity'], 'with OUs targeted, any other account is a member');
  });
  it('a break-glass user\'s AssumeRole alerts by its identity, whichever account\'s copy is read; one call, one assume-role', () => {
    // Documented pair (IAM user guide, cross-account example): the caller's copy and the role owner's AWSAccount copy.
    assert.deepEqual(rulesFor(sim, f.assumeRoleCaller()), ['assume-role']);
    assert.deepEqual(rulesFor(sim, f.assumeRoleOwner()), ['role-assumed']);
    // A caller-side copy that names the member account as recipient: still the user's AssumeRole.
    const elsewhere = { ...f.assumeRoleCaller(), recipientAccountId: f.M };
    assert.deepEqual(rulesFor(sim, elsewhere), ['assume-role', 'role-assumed']);
    assert.deepEqual(rulesFor(sim, { ...elsewhere, recipientAccountId: f.MGMT }), ['assume-role', 'role-assumed']);
    // The same user name in another account is someone else.
    assert.deepEqual(rulesFor(sim, { ...f.assumeRoleCaller(), userIdentity: f.iamUser(f.USER, f.M), recipientAccountId: f.M }), ['role-assumed']);
  });
  it('one event can raise several alerts (a break-glass user tampering with alerting)', () => {
    const r = f.apiCall({ source: 'events.amazonaws.com', name: 'DisableRule', params: { name: 'breakglass-console-login' }, actor: f.iamUser() });
    assert.deepEqual(rulesFor(sim, r), ['alerting-tampered']);
  });
});

describe('envelope: a raw CloudTrail record is wrapped the way AWS wraps it', () => {
  it('maps source, detail-type, account, region and keeps the record as detail', () => {
    const rec = f.consoleLogin({ region: 'eu-west-1' });
    const c = toEventBridgeEvent(rec);
    assert.ok(!('error' in c));
    assert.equal(c.event.source, 'aws.signin');
    assert.equal(c.event['detail-type'], 'AWS Console Sign In via CloudTrail');
    assert.equal(c.event.account, f.S);
    assert.equal(c.event.region, 'eu-west-1');
    assert.deepEqual(c.event.resources, []);
    assert.equal(c.event.detail, rec);
    const api = toEventBridgeEvent(f.assumeRoleCaller());
    assert.ok(!('error' in api));
    assert.equal(api.event['detail-type'], 'AWS API Call via CloudTrail');
    assert.equal(api.event.source, 'aws.sts');
  });
  it('a record without recipientAccountId gets an account by a stated rule, and says so (issue 11, item 7)', () => {
    const { recipientAccountId: _r, ...owner } = f.assumeRoleOwner();
    const c = toEventBridgeEvent(owner);
    assert.ok(!('error' in c));
    assert.equal(c.event.account, f.M, 'role-owner copy: the role ARN\'s account');
    assert.equal(c.assumptions?.length, 1);
    assert.equal(c.assumptions![0]!.field, 'recipientAccountId');
    assert.equal(c.assumptions![0]!.value, f.M);
    assert.match(c.assumptions![0]!.rule, /role ARN's account/);
    assert.deepEqual(sim.evaluate(c.event).map((m) => m.rule), ['role-assumed']);

    const { recipientAccountId: _s, ...caller } = f.assumeRoleCaller();
    const k = toEventBridgeEvent(caller);
    assert.ok(!('error' in k));
    assert.equal(k.event.account, f.S);
    assert.match(k.assumptions![0]!.rule, /caller's account \(userIdentity\.accountId\)/);

    const { recipientAccountId: _t, ...resourceOnly }: Record<string, unknown> = { ...f.assumeRoleOwner(), requestParameters: null };
    const r = toEventBridgeEvent(resourceOnly);
    assert.ok(!('error' in r));
    assert.equal(r.event.account, f.M, 'no role ARN: the resource account');
    assert.match(r.assumptions![0]!.rule, /resources\[\]\.accountId/);

    const nobody = toEventBridgeEvent({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: 'us-east-1' });
    assert.ok(!('error' in nobody));
    assert.equal(nobody.event.account, undefined);
    assert.equal(nobody.assumptions![0]!.value, null);

    const full = toEventBridgeEvent(f.assumeRoleOwner());
    assert.ok(!('error' in full) && full.assumptions === undefined, 'nothing assumed when the record says it');
  });

  it('passes EventBridge events through and refuses anything else with a reason', () => {
    const ev = { version: '0', id: 'x', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.iam', account: f.S, time: 't', region: 'us-east-1', resources: [], detail: {} };
    const c = toEventBridgeEvent(ev);
    assert.ok(!('error' in c) && c.event === ev);
    assert.match((toEventBridgeEvent([1]) as any).error, /got an array/);
    assert.match((toEventBridgeEvent({ hello: 1 }) as any).error, /not a CloudTrail record/);
  });
});
