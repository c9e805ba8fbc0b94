/**
 * `breakglass reseal` against moto_server, in-process, as an operator runs it: break-glass users with passwords and MFA
 * devices in the security account (moto's default account), the role's stacks and the member StackSet (stand-in
 * templates with the RevokeSessionsBefore parameter) in the security and management accounts, the use reviewed with
 * the real `breakglass audit` over CloudTrail records written here, and the doctor's seal check before and after.
 * moto lacks GetUser PasswordLastUsed and a login profile's own CreateDate: test/reseal/iam-proxy.ts supplies both
 * (test/README.md). Skipped, visibly, without moto.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runResealCommand } from '../../lib/cli/commands/reseal';
import { loadConfigFile } from '../../lib/config/load';
import { SEAL_CHECKS } from '../../lib/doctor/checks/seal';
import { createDoctorContext } from '../../lib/doctor/context';
import { runChecks } from '../../lib/doctor/run';
import type { DrillPrompt } from '../../lib/drill/run';
import type { SealRecord } from '../../lib/reseal/record';
import { runCli } from '../helpers/cli';
import { motoForThisFile, withEnv, type MotoServer } from '../helpers/moto';
import { iamProxy, type IamProxy } from './iam-proxy';

const moto = motoForThisFile();
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-reseal-moto-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SECURITY = '123456789012';
const MGMT = '111122223333';
const U1 = 'BreakGlassUser1';
const U2 = 'BreakGlassUser2';
const CFG = join(tmp, 'breakglass.yaml');
const SEALS = join(tmp, 'seals');
const AUDIT = join(tmp, 'audit.json');
const STAND_IN = JSON.stringify({
  Parameters: { RevokeSessionsBefore: { Type: 'String', Default: '1970-01-01T00:00:00Z' } },
  Resources: { Marker: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'breakglass-reseal-test-marker' } } },
});

writeFileSync(CFG, [
  'securityAccount:', `  accountId: "${SECURITY}"`, '  region: us-east-1',
  'organization:', `  managementAccountId: "${MGMT}"`, '  targets:', '    organizationalUnits: ["r-ab12"]',
  'users:', `  - name: ${U1}`, `  - name: ${U2}`, 'alerts:', '  emails: ["security-alerts@example.com"]', '',
].join('\n'));

let proxy: IamProxy;
let env: Record<string, string | undefined>;
const t: Record<string, Date> = {};

const sdk = async () => {
  const [iam, cfn, sts] = await Promise.all([import('@aws-sdk/client-iam'), import('@aws-sdk/client-cloudformation'), import('@aws-sdk/client-sts')]);
  return { iam, cfn, sts };
};
/** moto files a request under the account named in x-moto-account-id (test/README.md). */
function inAccount<C extends { middlewareStack: any }>(client: C, account: string): C {
  client.middlewareStack.add((next: any) => async (args: any) => { args.request.headers['x-moto-account-id'] = account; return next(args); }, { step: 'build', name: 'motoAccount' });
  return client;
}
const sleepUntil = async (d: Date) => { const ms = d.getTime() - Date.now(); if (ms > 0) await new Promise((r) => setTimeout(r, ms)); };
const wholeSecondAfter = (d: Date, s: number) => new Date((Math.floor(d.getTime() / 1000) + s) * 1000);
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** CloudTrail records of the use, written here from the documented shapes (CloudTrail user guide, console sign-in events; IAM user guide, AssumeRole). */
function records(): object[] {
  const user = (key: string, created?: Date) => ({
    type: 'IAMUser', principalId: 'AIDAEXAMPLEBGUSER0001', arn: `arn:aws:iam::${SECURITY}:user/${U1}`, accountId: SECURITY, accessKeyId: key, userName: U1,
    ...(created ? { sessionContext: { attributes: { creationDate: created.toISOString(), mfaAuthenticated: 'true' } } } : {}),
  });
  const common = (id: string, at: Date) => ({ eventVersion: '1.09', eventID: id, eventTime: iso(at), sourceIPAddress: '198.51.100.7', userAgent: 'Mozilla/5.0', recipientAccountId: SECURITY, managementEvent: true });
  const signIn = (id: string, at: Date) => ({ ...common(id, at), userIdentity: user(''), eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', awsRegion: 'eu-west-1', requestParameters: null, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'Yes' }, eventType: 'AwsConsoleSignIn', readOnly: false });
  return [
    signIn('e-1', t.emergency!),
    {
      ...common('e-2', t.roleSession!), userIdentity: user('ASIAEXAMPLECONSOLE01', t.emergency), eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: 'us-east-1', readOnly: true, eventType: 'AwsApiCall',
      requestParameters: { roleArn: 'arn:aws:iam::444455556666:role/BreakGlassRole', roleSessionName: U1 },
      responseElements: { credentials: { accessKeyId: 'ASIAEXAMPLEROLE00001', expiration: 'later' }, assumedRoleUser: { assumedRoleId: `AROAEXAMPLE:${U1}`, arn: `arn:aws:sts::444455556666:assumed-role/BreakGlassRole/${U1}` } },
      sharedEventID: '5b1a7c2e-0000-4000-8000-000000000001',
    },
    signIn('e-3', t.holderSignIn!),
    { ...common('e-4', t.changePassword!), userIdentity: user('ASIAEXAMPLECONSOLE02', t.holderSignIn), eventSource: 'iam.amazonaws.com', eventName: 'ChangePassword', awsRegion: 'us-east-1', requestParameters: null, responseElements: null, readOnly: false, eventType: 'AwsApiCall' },
  ];
}

async function setRevocation(m: MotoServer, value: string): Promise<void> {
  const { cfn } = await sdk();
  const params = [{ ParameterKey: 'RevokeSessionsBefore', ParameterValue: value }];
  const sec = new cfn.CloudFormationClient({});
  const mgmt = inAccount(new cfn.CloudFormationClient({}), MGMT);
  try {
    await sec.send(new cfn.UpdateStackCommand({ StackName: 'Breakglass-Security', TemplateBody: STAND_IN, Parameters: params }));
    await mgmt.send(new cfn.UpdateStackCommand({ StackName: 'Breakglass-Management', TemplateBody: STAND_IN, Parameters: params }));
    await mgmt.send(new cfn.UpdateStackSetCommand({ StackSetName: 'breakglass-member-baseline', TemplateBody: STAND_IN, Parameters: params }));
  } finally { sec.destroy(); mgmt.destroy(); }
  void m;
}

async function tagsOf(name: string): Promise<Record<string, string>> {
  const { iam } = await sdk();
  const c = new iam.IAMClient({});
  try {
    return Object.fromEntries(((await c.send(new iam.ListUserTagsCommand({ UserName: name }))).Tags ?? []).map((x) => [x.Key!, x.Value!]));
  } finally { c.destroy(); }
}

async function sealCheck(): Promise<{ status: string; detail: string }> {
  const ctx = createDoctorContext(loadConfigFile(CFG).config, { profile: 'security', configFile: CFG });
  try {
    const [r] = await runChecks(ctx, SEAL_CHECKS.filter((c) => c.id === 'users-resealed'));
    return { status: r!.status, detail: r!.detail };
  } finally { ctx.destroy(); }
}

const records_ = (): string[] => (existsSync(SEALS) ? readdirSync(SEALS).sort() : []);

describe('breakglass reseal against moto', () => {
  before(async () => {
    const m = moto.current;
    if (!m) return;
    proxy = await iamProxy(m.endpoint);
    // The profiles file is named only once written: the SDK caches a shared file the first time it reads its path.
    const creds = join(tmp, 'credentials');
    env = { ...m.env, AWS_ENDPOINT_URL_IAM: proxy.endpoint };
    await withEnv(env, async () => {
      const { iam, cfn } = await sdk();
      const c = new iam.IAMClient({});
      const mgmtIam = inAccount(new iam.IAMClient({}), MGMT);
      const sec = new cfn.CloudFormationClient({});
      const mgmt = inAccount(new cfn.CloudFormationClient({}), MGMT);
      try {
        for (const [name, serial] of [[U1, 'GAHT11111111'], [U2, 'GAHT22222222']] as const) {
          await c.send(new iam.CreateUserCommand({ UserName: name }));
          await c.send(new iam.EnableMFADeviceCommand({ UserName: name, SerialNumber: serial, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
          await c.send(new iam.CreateLoginProfileCommand({ UserName: name, Password: `Initial-${name}-x9!` }));
        }
        // The management account's credentials, as a profile (the operator's --management-profile).
        await mgmtIam.send(new iam.CreateUserCommand({ UserName: 'deployer' }));
        const key = (await mgmtIam.send(new iam.CreateAccessKeyCommand({ UserName: 'deployer' }))).AccessKey!;
        writeFileSync(creds, `[security]\naws_access_key_id = testing\naws_secret_access_key = testing\n[management]\naws_access_key_id = ${key.AccessKeyId}\naws_secret_access_key = ${key.SecretAccessKey}\n`);
        env = { ...env, AWS_SHARED_CREDENTIALS_FILE: creds };
        await sec.send(new cfn.CreateStackCommand({ StackName: 'Breakglass-Security', TemplateBody: STAND_IN }));
        await mgmt.send(new cfn.CreateStackCommand({ StackName: 'Breakglass-Management', TemplateBody: STAND_IN }));
        await mgmt.send(new cfn.CreateStackSetCommand({ StackSetName: 'breakglass-member-baseline', TemplateBody: STAND_IN, PermissionModel: 'SELF_MANAGED' }));
        await mgmt.send(new cfn.CreateStackInstancesCommand({ StackSetName: 'breakglass-member-baseline', Accounts: ['444455556666'], Regions: ['us-east-1'] }));
      } finally { c.destroy(); mgmtIam.destroy(); sec.destroy(); mgmt.destroy(); }

      // The story, on whole seconds (CloudTrail eventTime has no fraction): a seal after the MFA devices were enabled,
      // an emergency with a role session, then the holder's sign-in and ChangePassword (the documented rotation).
      t.previousSeal = wholeSecondAfter(new Date(), 1);
      t.emergency = new Date(t.previousSeal.getTime() + 1000);
      t.roleSession = new Date(t.emergency.getTime() + 1000);
      t.holderSignIn = new Date(t.emergency.getTime() + 3000);
      t.changePassword = new Date(t.emergency.getTime() + 4000);
      const tag = new iam.IAMClient({});
      try {
        await sleepUntil(new Date(t.previousSeal.getTime() + 10));
        await tag.send(new iam.TagUserCommand({ UserName: U1, Tags: [{ Key: 'breakglass:sealed-at', Value: iso(t.previousSeal) }] }));
      } finally { tag.destroy(); }
      proxy.setPasswordLastUsed(U1, t.holderSignIn);
      await sleepUntil(new Date(t.changePassword.getTime() + 1000));
      writeFileSync(join(tmp, 'records.jsonl'), `${records().map((r) => JSON.stringify(r)).join('\n')}\n`);
      const audit = await runCli('audit', '-c', CFG, '--format', 'json', '--out', AUDIT, join(tmp, 'records.jsonl'));
      assert.equal(audit.code, 0, audit.stderr);
    });
  });
  after(async () => { await proxy?.close(); });

  it('before the seal: doctor warns "used since <date>, not resealed"', async (tc) => {
    const m = moto.orSkip(tc); if (!m) return;
    const r = await withEnv(env, sealCheck);
    assert.equal(r.status, 'warn');
    assert.equal(r.detail, `${U1}: used since ${t.holderSignIn!.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')}, not resealed (password sign-in; last seal ${iso(t.previousSeal!).replace('T', ' ').replace('Z', ' UTC')}); ${U2}: never used`);
  });

  it('sessions not yet revoked, then revoked but the management account not readable: exit 1, one line per check, nothing written', async (tc) => {
    const m = moto.orSkip(tc); if (!m) return;
    const early = await withEnv(env, () => runCli('reseal', '-c', CFG, '--audit', AUDIT, '--out', SEALS, '--profile', 'security', '--management-profile', 'management'));
    assert.equal(early.code, 1, early.stderr);
    assert.deepEqual(early.stdout.trim().split('\n').map((l) => l.split(': ').slice(0, 2).join(': ')), [`${U1}: sessions-revoked`]);
    assert.match(early.stdout, /unknown: stack set breakglass-member-baseline \(111122223333, us-east-1\): no RevokeSessionsBefore|RevokeSessionsBefore is 1970-01-01T00:00:00Z: nothing was ever revoked there/);

    await withEnv(env, () => setRevocation(m, iso(new Date(t.roleSession!.getTime() + 1000))));
    const r = await withEnv(env, () => runCli('reseal', '-c', CFG, '--audit', AUDIT, '--out', SEALS, '--profile', 'security'));
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0]!, new RegExp(`^${U1}: sessions-revoked: unknown: stack set breakglass-member-baseline \\(${MGMT}, us-east-1\\): not read: the credentials are of account ${SECURITY}; pass --stacksets-profile with credentials of account ${MGMT}; stack Breakglass-Management \\(${MGMT}, us-east-1\\): not read: the credentials are of account ${SECURITY}; pass --management-profile .*; stack Breakglass-Security \\(${SECURITY}, us-east-1\\): \\d{4}-`));
    assert.match(r.stderr, /^error: not sealed: 1 check did not pass; fix them, or run again with --yes at a terminal/m);
    assert.deepEqual(records_(), []);
    assert.equal((await withEnv(env, () => tagsOf(U1)))['breakglass:sealed-at'], iso(t.previousSeal!));
  });

  it('every check passes: the user is tagged, the record is written, doctor stops warning', async (tc) => {
    const m = moto.orSkip(tc); if (!m) return;
    const r = await withEnv(env, () => runCli('reseal', '-c', CFG, '--audit', AUDIT, '--out', SEALS, '--profile', 'security', '--management-profile', 'management'));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [summary, json, md] = r.stdout.trim().split('\n');
    assert.match(summary!, new RegExp(`^sealed ${U1} at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    assert.match(r.stderr, new RegExp(`^${U2}: never used$`, 'm'));
    const record = JSON.parse(readFileSync(json!, 'utf8')) as SealRecord;
    assert.ok(readFileSync(md!, 'utf8').startsWith(`# Break-glass seal ${record.id}\n`));
    assert.deepEqual(record.users.map((u) => [u.name, u.checks.map((c) => c.status)]), [[U1, ['pass', 'pass', 'pass', 'pass', 'pass']]]);
    assert.match(record.users[0]!.checks[0]!.detail, /^changed .* \(ChangePassword by the user, in the audit\), after its last use /);
    assert.deepEqual(record.revocation.map((p) => [p.where.split(' (')[0], p.problem]), [['stack set breakglass-member-baseline', undefined], ['stack Breakglass-Management', undefined], ['stack Breakglass-Security', undefined]]);
    assert.equal(record.operatorArn, `arn:aws:sts::${SECURITY}:user/moto`);
    assert.equal((await withEnv(env, () => tagsOf(U1)))['breakglass:sealed-at'], record.sealedAt);
    assert.equal((await withEnv(env, () => tagsOf(U2)))['breakglass:sealed-at'], undefined, 'an unused user is left as it is');
    assert.equal(`${record.id}.json`, json!.split('/').pop(), 'the tag time names the record');
    const doctor = await withEnv(env, sealCheck);
    assert.equal(doctor.status, 'pass', doctor.detail);
    // Run again: nothing used since, nothing to do, nothing written.
    const again = await withEnv(env, () => runCli('reseal', '-c', CFG, '--audit', AUDIT, '--out', SEALS, '--profile', 'security', '--management-profile', 'management'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'nothing to reseal: no break-glass user was used since its last seal\n');
    assert.equal(records_().length, 2);
  });

  it('a user used with an access key, password not changed, no audit of it: exit 1 naming each check; accepted one by one: sealed with the reasons', async (tc) => {
    const m = moto.orSkip(tc); if (!m) return;
    const { iam } = await withEnv(env, sdk);
    const used = wholeSecondAfter(new Date(), 1);
    await sleepUntil(new Date(used.getTime() + 10));
    proxy.setPasswordLastUsed(U2, used);
    const key = await withEnv(env, async () => {
      const c = new iam.IAMClient({});
      try { return (await c.send(new iam.CreateAccessKeyCommand({ UserName: U2 }))).AccessKey!; } finally { c.destroy(); }
    });
    // moto records the key's last use when a request is signed with it, as AWS does.
    await withEnv({ ...env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey, AWS_SESSION_TOKEN: undefined }, async () => {
      const c = new iam.IAMClient({});
      try { await c.send(new iam.GetUserCommand({})); } finally { c.destroy(); }
    });
    const r = await withEnv(env, () => runCli('reseal', '-c', CFG, '--audit', AUDIT, '--out', SEALS, '--profile', 'security', '--management-profile', 'management'));
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split(': ').slice(0, 2).join(': ')), [`${U2}: password-changed`, `${U2}: no-access-keys`, `${U2}: audit-attached`]);
    assert.match(r.stdout, new RegExp(`${U2}: no-access-keys: …${key.AccessKeyId!.slice(-4)} Active, last used `));
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(key.SecretAccessKey!.slice(0, 12)), 'no secret printed');
    assert.equal(records_().length, 2, 'no record');

    // The key deleted and the login profile re-created (its CreateDate moves): two checks now pass, the audit is accepted.
    await withEnv(env, async () => {
      const c = new iam.IAMClient({});
      try {
        await c.send(new iam.DeleteAccessKeyCommand({ UserName: U2, AccessKeyId: key.AccessKeyId }));
        await c.send(new iam.DeleteLoginProfileCommand({ UserName: U2 }));
        await c.send(new iam.CreateLoginProfileCommand({ UserName: U2, Password: 'Rotated-after-use-x9!' }));
      } finally { c.destroy(); }
    });
    // The access key is gone, but its use (GetAccessKeyLastUsed) went with it: IAM's last use is the password's now.
    const said: string[] = [];
    const prompt: DrillPrompt = { say: (x) => { said.push(x); }, ask: async () => 'accept key use reviewed in ticket SEC-43, no CloudTrail copy at hand' };
    let stdout = ''; let stderr = '';
    const io = { out: (x: string) => { stdout += `${x}\n`; }, err: (x: string) => { stderr += `${x}\n`; } };
    const code = await withEnv(env, () => runResealCommand({ config: CFG, audit: AUDIT, out: SEALS, yes: true, profile: 'security', managementProfile: 'management' }, io, { prompt }));
    assert.equal(code, 0, stdout + stderr);
    assert.deepEqual(said.map((x) => x.replace(/: .*$/s, '')), ['Exception 1/1']);
    assert.match(said[0]!, new RegExp(`^Exception 1/1: ${U2}: audit-attached: `));
    const record = JSON.parse(readFileSync(stdout.trim().split('\n')[1]!, 'utf8')) as SealRecord;
    const checks = Object.fromEntries(record.users[0]!.checks.map((c) => [c.id, c]));
    assert.equal(checks['password-changed']!.status, 'pass');
    assert.equal(checks['no-access-keys']!.status, 'pass');
    assert.equal(checks['audit-attached']!.accepted!.reason, 'key use reviewed in ticket SEC-43, no CloudTrail copy at hand');
    assert.equal((await withEnv(env, () => tagsOf(U2)))['breakglass:sealed-at'], record.sealedAt);
  });

  it('credentials of another account: exit 3, one line, nothing written', async (tc) => {
    const m = moto.orSkip(tc); if (!m) return;
    const r = await withEnv(env, () => runCli('reseal', '-c', CFG, '--out', join(tmp, 'other'), '--profile', 'management'));
    assert.equal(r.code, 3, r.stdout);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.equal(lines[0], `error: these credentials are for account ${MGMT}, but the break-glass users are in the security account ${SECURITY}; use --profile with credentials of that account`);
    assert.ok(!existsSync(join(tmp, 'other')), 'the directory is created only when a record is written');
  });
});

describe('breakglass reseal: usage errors (no AWS needed)', () => {
  it('an audit file that is not an audit, and an --out that is a file: exit 2, one line, before any AWS call', async () => {
    const cfg = join(tmp, 'usage.yaml');
    writeFileSync(cfg, readFileSync(CFG, 'utf8'));
    writeFileSync(join(tmp, 'not-audit.md'), '# Break-glass audit\n');
    const bad = await runCli('reseal', '-c', cfg, '--audit', join(tmp, 'not-audit.md'), '--out', join(tmp, 'usage-seals'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: --audit .*not-audit\.md: is not JSON .*; pass the output of breakglass audit --format json\n$/);
    const out = await runCli('reseal', '-c', cfg, '--out', join(tmp, 'not-audit.md'));
    assert.equal(out.code, 2);
    assert.match(out.stderr, /^error: --out .*: the seal record could not be written there \(it exists and is not a directory\); choose a writable directory\n$/);
  });
});
