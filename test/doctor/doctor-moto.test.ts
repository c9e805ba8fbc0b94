/**
 * `breakglass doctor` against moto_server: the synthesized security and management stacks deployed with
 * CloudFormation CreateStack (test/doctor/moto-org.ts), then the command run in-process against a healthy setup and
 * against broken ones (MFA missing, access key present, subscription pending, rule disabled, StackSet instance
 * missing, SCP deny). Skipped, visibly, without moto.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfigFile } from '../../lib/config/load';
import { CHECKS } from '../../lib/doctor/checks/index';
import { usersPasswordAgeCheck } from '../../lib/doctor/checks/users';
import { createDoctorContext } from '../../lib/doctor/context';
import { runChecks } from '../../lib/doctor/run';
import { CATALOGUE, regionsFor, rulesForAccountKind } from '../../lib/detection/catalogue';
import { detectionContext } from '../../lib/detection/context';
import { runCli, type CliResult } from '../helpers/cli';
import { awsEnv, motoForThisFile, withEnv, type MotoServer } from '../helpers/moto';
import { synthConfig } from '../helpers/synth';
import {
  createOrganization, createOrganizationTrail, createStack, createStackSet, EMAIL, finishSecurityAccount, HOME, inAccount, MGMT, OTHER_REGION, sdk, USERS, writeDoctorConfig, type OrgLayout,
} from './moto-org';
import { snsPendingProxy } from './sns-pending-proxy';

const moto = motoForThisFile();
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-doctor-moto-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ALL_IDS = ['credentials', 'users-exist', 'users-mfa', 'users-password', 'users-access-keys', 'users-password-age',
  'users-resealed', 'users-drill-cadence', 'stackset-instances', 'central-rules', 'forwarder-rules', 'topic-encryption', 'topic-subscriptions', 'trail', 'scp'];
const SECURITY_CHECKS = ['users-exist', 'users-mfa', 'users-password', 'users-access-keys', 'users-password-age', 'users-resealed', 'users-drill-cadence', 'central-rules', 'topic-encryption', 'topic-subscriptions', 'trail'];

interface Doc { schemaVersion: number; checks: Array<{ id: string; title: string; status: string; detail: string; fix: string | null }> }

let org: OrgLayout;
let cfg: string;
let securityEnv: Record<string, string | undefined>;
let s: Awaited<ReturnType<typeof sdk>>;

async function doctorJson(env: Record<string, string | undefined>, ...extra: string[]): Promise<{ r: CliResult; doc: Doc; status: Record<string, string>; detail: Record<string, string> }> {
  const r = await withEnv(env, () => runCli('doctor', '-c', cfg, '--json', ...extra));
  const doc = JSON.parse(r.stdout) as Doc;
  return { r, doc, status: Object.fromEntries(doc.checks.map((c) => [c.id, c.status])), detail: Object.fromEntries(doc.checks.map((c) => [c.id, c.detail])) };
}

/** How many forwarder rules an account of this kind must have in the test's two regions (global rules: us-east-1 only). */
function forwarderCount(kind: 'security' | 'member'): number {
  const d = detectionContext(loadConfigFile(cfg).config);
  return rulesForAccountKind(kind).reduce((n, r) => n + regionsFor(r, d).length, 0);
}

function onlyThese(status: Record<string, string>, expected: Record<string, string>, rest: string): void {
  for (const id of ALL_IDS) assert.equal(status[id], expected[id] ?? rest, `${id}: ${JSON.stringify(status)}`);
}

describe('breakglass doctor against moto', () => {
  before(async () => {
    const m = moto.current;
    if (!m) return;
    await withEnv(m.env, async () => {
      s = await sdk();
      org = await createOrganization(s, 6);
      cfg = writeDoctorConfig(join(tmp, 'doctor.yaml'), org);
      const synth = synthConfig(loadConfigFile(cfg).config);
      try {
        const t = (name: string) => { const x = synth.templates.get(name); assert.ok(x, `template ${name}`); return x; };
        await createStack(s, org.security, HOME, 'Breakglass-Security', t('Breakglass-Security'));
        await createStack(s, org.security, OTHER_REGION, `Breakglass-Security-${OTHER_REGION}`, t(`Breakglass-Security-${OTHER_REGION}`));
        await createStack(s, MGMT, HOME, 'Breakglass-Management', t('Breakglass-Management'));
        await createStack(s, MGMT, OTHER_REGION, `Breakglass-Management-${OTHER_REGION}`, t(`Breakglass-Management-${OTHER_REGION}`));
        await createStack(s, MGMT, HOME, 'Breakglass-Trail', t('Breakglass-Trail'));
      } finally {
        synth.cleanup();
      }
      await createStackSet(s, org);
      await createOrganizationTrail(s, [org.security]);
      const key = await finishSecurityAccount(s, org.security);
      securityEnv = { ...m.env, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret, AWS_SESSION_TOKEN: undefined };
    });
  });

  it('healthy, as the security account: its checks pass, the StackSet check says which credentials to use; exit 0', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const { r, doc, status, detail } = await doctorJson(securityEnv);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stderr, '');
    assert.equal(doc.schemaVersion, 1);
    // moto answers Organizations calls from a member account out of an empty backend (AccountNotFoundException)
    // where AWS refuses them; either way the SCPs cannot be read from here, which is a warning, not a failure.
    assert.equal(status.scp, 'warn');
    assert.match(doc.checks.find((c) => c.id === 'scp')!.fix!, new RegExp(`credentials of the management account ${MGMT}`));
    assert.deepEqual(doc.checks.map((c) => c.id), ALL_IDS, 'every check once, in report order');
    for (const c of doc.checks) {
      assert.deepEqual(Object.keys(c), ['id', 'title', 'status', 'detail', 'fix']);
      assert.equal(c.fix === null, c.status === 'pass', `${c.id}: a fix exactly when something is to be done`);
    }
    for (const id of ['credentials', ...SECURITY_CHECKS, 'forwarder-rules']) assert.equal(status[id], 'pass', `${id}: ${detail[id]}`);
    assert.equal(status['stackset-instances'], 'warn');
    assert.match(detail['stackset-instances']!, new RegExp(`credentials belong to account ${org.security}`));
    assert.match(doc.checks.find((c) => c.id === 'stackset-instances')!.fix!, new RegExp(`credentials of the management account ${MGMT}`));
    assert.match(detail['users-mfa']!, /BreakGlassUser1: virtual MFA; BreakGlassUser2: hardware TOTP token/);
    assert.match(detail['forwarder-rules']!, new RegExp(`security account\\), 2 regions: all ${forwarderCount('security')} rules`));
    // Every catalogue rule, the heartbeat rule on the central bus and its schedule rule on the default bus.
    assert.match(detail['central-rules']!, new RegExp(`all ${CATALOGUE.length + 2} rules present and enabled`));
    assert.match(detail.trail!, /^organization trail logging read and write management events: breakglass-trail; .*covers every target: /);
  });

  it('healthy, as the management account: StackSet instances CURRENT in every target, SCPs allow the path; exit 0', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const { r, status, detail } = await doctorJson(m.env);
    assert.equal(r.code, 0, r.stdout);
    // The trail check reads the organization trail from either account; the other security-account checks warn.
    onlyThese(status, Object.fromEntries(SECURITY_CHECKS.filter((id) => id !== 'trail').map((id) => [id, 'warn'])), 'pass');
    assert.match(detail.trail!, /^organization trail logging read and write management events: breakglass-trail; /);
    assert.match(detail['stackset-instances']!, /breakglass-member-baseline: \d+ instances CURRENT across 6 accounts × 2 regions/);
    assert.match(detail['forwarder-rules']!, new RegExp(`account ${MGMT} \\(member baseline\\), 2 regions: all ${forwarderCount('member')} rules`));
    assert.match(detail.scp!, /no SCP blocks the break-glass path; looked at \d+ SCP attachments? from the root to/);
  });

  it('password older than doctor.passwordMaxAgeDays: warn (the context\'s clock moved 91 days ahead)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const config = loadConfigFile(cfg).config;
    const later = new Date(Date.now() + 91 * 86_400_000);
    const ctx = createDoctorContext(config, { now: () => later });
    try {
      const [r] = await withEnv(securityEnv, () => runChecks(ctx, [usersPasswordAgeCheck]));
      assert.equal(r!.status, 'warn');
      assert.match(r!.detail, /^BreakGlassUser1: password set 9[01] days ago \(limit 90\); BreakGlassUser2: password set 9[01] days ago \(limit 90\)$/);
      assert.match(r!.fix!, /rotate the password/);
    } finally {
      ctx.destroy();
    }
  });

  it('concurrency 1 and 16 give the same report with the same number of AWS calls', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const config = loadConfigFile(cfg).config;
    const run = async (concurrency: number) => {
      const ctx = createDoctorContext(config, { concurrency });
      try {
        const results = await withEnv(m.env, () => runChecks(ctx, CHECKS));
        return { results, calls: ctx.calls };
      } finally {
        ctx.destroy();
      }
    };
    const one = await run(1);
    const many = await run(16);
    assert.deepEqual(many.results, one.results);
    assert.equal(many.calls, one.calls);
    assert.ok(one.calls >= 10, `calls counted: ${one.calls}`);
  });

  it('MFA missing: users-mfa fails, everything else is unchanged; exit 1; the table names the check', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const iam = inAccount(new s.iam.IAMClient({ region: HOME, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }), org.security);
    await iam.send(new s.iam.DeactivateMFADeviceCommand({ UserName: USERS[1], SerialNumber: 'GAHT12345678' }));
    try {
      const { r, status, detail } = await doctorJson(securityEnv);
      assert.equal(r.code, 1);
      onlyThese(status, { 'users-mfa': 'fail', 'stackset-instances': 'warn', scp: status.scp! }, 'pass');
      assert.equal(detail['users-mfa'], 'BreakGlassUser2 has no MFA device; BreakGlassUser1: virtual MFA');
      const table = await withEnv(securityEnv, () => runCli('doctor', '-c', cfg));
      assert.equal(table.code, 1);
      assert.match(table.stdout, /^FAIL +users-mfa +Every break-glass user has an MFA device$/m);
      assert.match(table.stdout, /^ +fix: an administrator enrols the device, before the user has a password/m);
      assert.match(table.stdout, /^\d+ passed, \d+ warnings?, 1 failed$/m);
    } finally {
      await iam.send(new s.iam.EnableMFADeviceCommand({ UserName: USERS[1], SerialNumber: 'GAHT12345678', AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
      iam.destroy();
    }
  });

  it('access key present: users-access-keys fails and shows only the last 4 characters of the key ID', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const iam = inAccount(new s.iam.IAMClient({ region: HOME, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }), org.security);
    const key = (await iam.send(new s.iam.CreateAccessKeyCommand({ UserName: USERS[0] }))).AccessKey!;
    try {
      const { r, status, detail } = await doctorJson(securityEnv);
      assert.equal(r.code, 1);
      assert.equal(status['users-access-keys'], 'fail');
      assert.equal(status['users-mfa'], 'pass');
      assert.equal(detail['users-access-keys'], `BreakGlassUser1 has 1 access key (…${key.AccessKeyId!.slice(-4)} Active); BreakGlassUser2: none`);
      assert.ok(!r.stdout.includes(key.AccessKeyId!), 'full key ID not printed');
      assert.ok(!r.stdout.includes(key.SecretAccessKey!), 'secret never printed');
    } finally {
      await iam.send(new s.iam.DeleteAccessKeyCommand({ UserName: USERS[0], AccessKeyId: key.AccessKeyId! }));
      iam.destroy();
    }
  });

  it('rule disabled: a central rule and a forwarder in another region are reported with their state', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const ev = await import('@aws-sdk/client-eventbridge');
    const client = (region: string) => inAccount(new ev.EventBridgeClient({ region, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }), org.security);
    const home = client(HOME); const other = client(OTHER_REGION);
    await home.send(new ev.DisableRuleCommand({ Name: 'breakglass-assume-role', EventBusName: 'breakglass-central' }));
    await other.send(new ev.DisableRuleCommand({ Name: 'breakglass-fwd-console-login' }));
    try {
      const { r, status, detail } = await doctorJson(securityEnv);
      assert.equal(r.code, 1);
      assert.equal(status['central-rules'], 'fail');
      assert.equal(status['forwarder-rules'], 'fail');
      assert.match(detail['central-rules']!, /wrong state: us-east-1\/breakglass-assume-role is DISABLED \(expected ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS\)/);
      assert.match(detail['forwarder-rules']!, /wrong state: eu-west-1\/breakglass-fwd-console-login is DISABLED \(expected ENABLED\)/);
      assert.equal(status['topic-encryption'], 'pass', 'other checks unaffected');
    } finally {
      // moto's EnableRule sets plain ENABLED (doctor then reports that too); PutRule restores the deployed state.
      const rule = await home.send(new ev.DescribeRuleCommand({ Name: 'breakglass-assume-role', EventBusName: 'breakglass-central' }));
      await home.send(new ev.PutRuleCommand({ Name: rule.Name!, EventBusName: 'breakglass-central', EventPattern: rule.EventPattern, Description: rule.Description, State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' }));
      await other.send(new ev.EnableRuleCommand({ Name: 'breakglass-fwd-console-login' }));
      home.destroy(); other.destroy();
    }
  });

  it('trail logging only write events: the trail check fails (AssumeRole is read-only); exit 1', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const ct = await import('@aws-sdk/client-cloudtrail');
    const client = inAccount(new ct.CloudTrailClient({ region: HOME, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }), org.security);
    await client.send(new ct.PutEventSelectorsCommand({ TrailName: 'breakglass-trail', EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] }));
    try {
      const { r, status, detail } = await doctorJson(securityEnv);
      assert.equal(r.code, 1);
      assert.equal(status.trail, 'fail');
      assert.match(detail.trail!, /breakglass-trail \(no read, write\)/);
      assert.equal(status['users-mfa'], 'pass', 'other checks unaffected');
    } finally {
      await client.send(new ct.PutEventSelectorsCommand({ TrailName: 'breakglass-trail', EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }));
      client.destroy();
    }
  });

  it('subscriptions pending confirmation: fail while nobody is confirmed, warn (exit 0) beside a confirmed one; the fix says 3 days', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const sns = inAccount(new s.sns.SNSClient({ region: HOME, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }), org.security);
    const topic = `arn:aws:sns:${HOME}:${org.security}:breakglass-alerts`;
    // A paging endpoint whose URL carries an integration key, as they do: the report must not show it.
    const paging = (await sns.send(new s.sns.SubscribeCommand({ TopicArn: topic, Protocol: 'https', Endpoint: 'https://events.pager.example/integration/KEY0123456789SECRET', ReturnSubscriptionArn: true }))).SubscriptionArn!;
    const subs = (await sns.send(new s.sns.ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
    const email = subs.find((x) => x.Endpoint === EMAIL)!.SubscriptionArn!;
    assert.match(email, /^arn:aws:sns:/, 'moto confirmed the email subscription at once');
    const bothPending = await snsPendingProxy(m.endpoint, [email, paging]);
    const emailPending = await snsPendingProxy(m.endpoint, [email]);
    try {
      const none = await doctorJson({ ...securityEnv, AWS_ENDPOINT_URL_SNS: bothPending.endpoint });
      assert.equal(none.r.code, 1);
      assert.equal(none.status['topic-subscriptions'], 'fail');
      assert.equal(none.detail['topic-subscriptions'], `breakglass-alerts: 0 confirmed subscriptions; pending confirmation: email ${EMAIL}, https https://events.pager.example/…; breakglass-operations: 1 confirmed subscription`);
      assert.ok(!none.r.stdout.includes('KEY0123456789SECRET'), 'the integration key is not printed');
      assert.match(none.doc.checks.find((c) => c.id === 'topic-subscriptions')!.fix!, /^alerts reach nobody on a topic without a confirmed subscription; .*expires 3 days after it was sent/);

      const some = await doctorJson({ ...securityEnv, AWS_ENDPOINT_URL_SNS: emailPending.endpoint });
      assert.equal(some.r.code, 0, `a warning does not fail the run: ${JSON.stringify(some.status)}`);
      assert.equal(some.status['topic-subscriptions'], 'warn');
      assert.equal(some.detail['topic-subscriptions'], `breakglass-alerts: 1 confirmed subscription; pending confirmation: email ${EMAIL}; breakglass-operations: 1 confirmed subscription`);
      assert.match(some.doc.checks.find((c) => c.id === 'topic-subscriptions')!.fix!, /expires 3 days after it was sent/);
    } finally {
      await bothPending.close();
      await emailPending.close();
      await sns.send(new s.sns.UnsubscribeCommand({ SubscriptionArn: paging }));
      sns.destroy();
    }
  });

  it('StackSet: an account added to a targeted OU after deployment is reported missing in every region; exit 1', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const client = new s.org.OrganizationsClient({ region: HOME, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const id = (await client.send(new s.org.CreateAccountCommand({ AccountName: 'late', Email: 'late@example.com' }))).CreateAccountStatus!.AccountId!;
    await client.send(new s.org.MoveAccountCommand({ AccountId: id, SourceParentId: org.rootId, DestinationParentId: org.prodOu }));
    try {
      const { r, status, detail } = await doctorJson(m.env);
      assert.equal(r.code, 1);
      assert.equal(status['stackset-instances'], 'fail');
      assert.match(detail['stackset-instances']!, new RegExp(`missing in 1 account: ${id} \\(all 2 regions\\)`));
    } finally {
      await client.send(new s.org.MoveAccountCommand({ AccountId: id, SourceParentId: org.prodOu, DestinationParentId: org.rootId }));
      client.destroy();
    }
  });

  it('SCP: an unconditional Deny of sts:AssumeRole on the security account fails the scp check', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const client = new s.org.OrganizationsClient({ region: HOME, endpoint: m.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const content = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NoRoles', Effect: 'Deny', Action: 'sts:Assume*', Resource: '*' }] });
    const p = (await client.send(new s.org.CreatePolicyCommand({ Name: 'no-assume', Description: 'test', Type: 'SERVICE_CONTROL_POLICY', Content: content }))).Policy!.PolicySummary!.Id!;
    await client.send(new s.org.AttachPolicyCommand({ PolicyId: p, TargetId: org.security }));
    try {
      const { r, status, detail } = await doctorJson(m.env);
      assert.equal(r.code, 1);
      assert.equal(status.scp, 'fail');
      assert.match(detail.scp!, new RegExp(`sts:AssumeRole denied by no-assume \\(${p}\\) statement NoRoles on ${org.security}`));
    } finally {
      await client.send(new s.org.DetachPolicyCommand({ PolicyId: p, TargetId: org.security }));
      client.destroy();
    }
  });
});

describe('breakglass doctor without a reachable endpoint (no moto needed)', () => {
  it('every check reports the error, none crashes; exit 3 with one error line', async () => {
    const file = join(tmp, 'closed.yaml');
    writeDoctorConfig(file, { orgId: 'o-a1b2c3d4e5', rootId: 'r-ab12', security: '222222222222', workloadsOu: 'ou-ab12-abcd1234', prodOu: 'ou-ab12-abcd5678', members: [] });
    const r = await withEnv({ ...awsEnv('http://127.0.0.1:9'), AWS_MAX_ATTEMPTS: '1' }, () => runCli('doctor', '-c', file, '--json'));
    assert.equal(r.code, 3);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.deepEqual(doc.checks.map((c) => c.id), ALL_IDS);
    assert.equal(doc.checks.find((c) => c.id === 'credentials')!.status, 'fail');
    assert.match(doc.checks.find((c) => c.id === 'credentials')!.detail, /cannot reach AWS for sts:GetCallerIdentity \(ECONNREFUSED at http:\/\/127\.0\.0\.1:9\)/);
    assert.ok(doc.checks.every((c) => c.status !== 'pass'), 'nothing passes without AWS');
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^error: cannot reach AWS for sts:GetCallerIdentity/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
  });
});
