/**
 * `breakglass revoke` against moto_server: an organization (management account = moto's default 123456789012, a
 * security account, 3 member accounts under a targeted OU), the synthesized Breakglass-Security and
 * Breakglass-Management stacks created with CreateStack, and the member StackSet created from the synthesized member
 * template (CreateStackSet SERVICE_MANAGED + CreateStackInstances: 3 accounts x 2 regions). moto keeps UpdateStackSet's
 * parameters and UpdateStack's parameters; the operation's progress and per-instance results (RUNNING, one FAILED
 * instance) come from test/revoke/stackset-operation-proxy.ts, which rewrites only DescribeStackSetOperation and
 * ListStackSetOperationResults (test/README.md). Skipped, visibly, without moto.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runRevokeCommand, type RevokeCliDeps, type RevokeOptions } from '../../lib/cli/commands/revoke';
import { loadConfigFile } from '../../lib/config/load';
import { REVOKE_NOTHING, toRevokeTime } from '../../lib/revoke/parameter';
import { runCli } from '../helpers/cli';
import { motoForThisFile, withEnv } from '../helpers/moto';
import { synthConfig } from '../helpers/synth';
import { createOrganization, createStack, HOME, inAccount, MGMT, REGIONS, sdk, writeDoctorConfig, type OrgLayout } from '../doctor/moto-org';
import { type OperationProxy, stackSetOperationProxy } from './stackset-operation-proxy';

process.env.CDK_VALIDATION = 'false';
const moto = motoForThisFile();
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-revoke-moto-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SET = 'breakglass-member-baseline';
let org: OrgLayout;
let cfg: string;
let env: Record<string, string | undefined>;
let proxy: OperationProxy | undefined;
let s: Awaited<ReturnType<typeof sdk>>;
after(async () => { await proxy?.close(); });

/** Times for the scenarios, in increasing order (a revocation is never weakened), all in the past. */
const base = Date.now() - 3 * 3600_000;
const at = (minutes: number) => toRevokeTime(new Date(base + minutes * 60_000));

interface Run { code: number; stdout: string; stderr: string }
async function revoke(opts: Omit<RevokeOptions, 'config'>, deps: RevokeCliDeps = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => { stdout += `${t}\n`; }, err: (t: string) => { stderr += `${t}\n`; }, stdin: Readable.from([]) };
  const code = await withEnv(env, () => runRevokeCommand({ config: cfg, ...opts }, io, { pollMs: 20, ...deps }));
  return { code, stdout, stderr };
}

/** What is deployed, read from moto directly (not through the proxy). */
async function deployed(): Promise<{ set: string | undefined; security: string | undefined; management: string | undefined; operations: number; stacks: string[] }> {
  const m = moto.current!;
  return withEnv(m.env, async () => {
    const mgmt = new s.cfn.CloudFormationClient({ region: HOME, maxAttempts: 1 });
    const sec = inAccount(new s.cfn.CloudFormationClient({ region: HOME, maxAttempts: 1 }), org.security);
    try {
      const value = (ps: Array<{ ParameterKey?: string; ParameterValue?: string }> | undefined) => ps?.find((p) => p.ParameterKey === 'RevokeSessionsBefore')?.ParameterValue;
      const set = (await mgmt.send(new s.cfn.DescribeStackSetCommand({ StackSetName: SET }))).StackSet;
      const ops = (await mgmt.send(new s.cfn.ListStackSetOperationsCommand({ StackSetName: SET }))).Summaries ?? [];
      const st = (await sec.send(new s.cfn.DescribeStacksCommand({ StackName: 'Breakglass-Security' }))).Stacks![0]!;
      const mg = (await mgmt.send(new s.cfn.DescribeStacksCommand({ StackName: 'Breakglass-Management' }))).Stacks![0]!;
      return { set: value(set?.Parameters), security: value(st.Parameters), management: value(mg.Parameters), operations: ops.length, stacks: [st.StackStatus!, mg.StackStatus!] };
    } finally {
      mgmt.destroy();
      sec.destroy();
    }
  });
}

describe('breakglass revoke against moto', () => {
  before(async () => {
    const m = moto.current;
    if (!m) return;
    await withEnv(m.env, async () => {
      s = await sdk();
      org = await createOrganization(s, 3);
      cfg = writeDoctorConfig(join(tmp, 'revoke.yaml'), org);
      const synth = synthConfig(loadConfigFile(cfg).config);
      try {
        await createStack(s, org.security, HOME, 'Breakglass-Security', synth.templates.get('Breakglass-Security')!);
        await createStack(s, MGMT, HOME, 'Breakglass-Management', synth.templates.get('Breakglass-Management')!);
        const cf = new s.cfn.CloudFormationClient({ region: HOME, maxAttempts: 1 });
        try {
          // As Breakglass-MemberStackSets deploys it: the member template, with the revocation time passed through.
          await cf.send(new s.cfn.CreateStackSetCommand({
            StackSetName: SET, TemplateBody: JSON.stringify(synth.member), PermissionModel: 'SERVICE_MANAGED', Capabilities: ['CAPABILITY_NAMED_IAM'],
            AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false }, Parameters: [{ ParameterKey: 'RevokeSessionsBefore', ParameterValue: REVOKE_NOTHING }],
          }));
          await cf.send(new s.cfn.CreateStackInstancesCommand({ StackSetName: SET, Regions: REGIONS, DeploymentTargets: { OrganizationalUnitIds: [org.workloadsOu] } }));
        } finally {
          cf.destroy();
        }
      } finally {
        synth.cleanup();
      }
      // Credentials of the security account: an IAM user's access key there (moto answers as the key's account).
      const iam = inAccount(new s.iam.IAMClient({ region: HOME, maxAttempts: 1 }), org.security);
      let key;
      try {
        await iam.send(new s.iam.CreateUserCommand({ UserName: 'incident-responder' }));
        key = (await iam.send(new s.iam.CreateAccessKeyCommand({ UserName: 'incident-responder' }))).AccessKey!;
      } finally {
        iam.destroy();
      }
      const credentials = join(tmp, 'credentials');
      writeFileSync(credentials, `[security]\naws_access_key_id = ${key.AccessKeyId}\naws_secret_access_key = ${key.SecretAccessKey}\n`);
      proxy = await stackSetOperationProxy(m.endpoint);
      env = { ...m.env, AWS_ENDPOINT_URL_CLOUDFORMATION: proxy.endpoint, AWS_SHARED_CREDENTIALS_FILE: credentials };
    });
  });

  it('--dry-run shows the stack set, the stacks and their current values, and changes nothing', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const before = await deployed();
    assert.deepEqual([before.set, before.security, before.management], [REVOKE_NOTHING, REVOKE_NOTHING, REVOKE_NOTHING]);
    const seen = proxy!.actions.length;
    const r = await withEnv(env, () => runCli('revoke', '-c', cfg, '--dry-run', '--before', at(10), '--security-profile', 'security'));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`stack set ${SET} \\(${MGMT}, ${HOME}\\): RevokeSessionsBefore ${REVOKE_NOTHING} \\(revokes nothing\\) -> ${at(10)}`));
    assert.match(r.stdout, /6 instances, 3 accounts x 2 regions \(6 CURRENT\), 3 in the role region us-east-1/);
    assert.match(r.stdout, new RegExp(`stack Breakglass-Security \\(${org.security}, ${HOME}\\): RevokeSessionsBefore ${REVOKE_NOTHING} \\(revokes nothing\\) -> ${at(10)}`));
    assert.match(r.stdout, new RegExp(`stack Breakglass-Management \\(${MGMT}, ${HOME}\\): RevokeSessionsBefore`));
    assert.match(r.stdout, /dry run: nothing was changed\n$/);
    assert.deepEqual(await deployed(), before, 'nothing changed in moto');
    const calls = proxy!.actions.slice(seen);
    assert.ok(calls.includes('DescribeStackSet') && calls.includes('ListStackInstances') && calls.includes('DescribeStacks'), calls.join());
    assert.deepEqual(calls.filter((a) => /^(Update|Create|Delete)/.test(a)), [], 'only reads');
  });

  it('without a terminal and without --yes it refuses before any AWS call (exit 2)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const seen = proxy!.actions.length;
    const r = await withEnv(env, () => runCli('revoke', '-c', cfg));
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'error: revoke changes the break-glass role in every account and there is no terminal to ask: pass --yes to go ahead, or --dry-run to see what would change\n');
    assert.equal(proxy!.actions.length, seen, 'no AWS call');
  });

  it('on a terminal, anything but "revoke" cancels and changes nothing (exit 1)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const before = await deployed();
    const r = await revoke({ before: at(10), securityProfile: 'security' }, { isTty: true, input: Readable.from(['yes\n']) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Type revoke to make these changes now/);
    assert.match(r.stderr, /cancelled: nothing was changed/);
    assert.deepEqual(await deployed(), before);
  });

  it('the rollout: per-account progress on stderr, a failed instance listed, the stacks updated (exit 1)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const failed = org.members[0]!;
    const reason = 'ResourceLogicalId:BreakGlassRoleRole, ResourceType:AWS::IAM::Role, ResourceStatusReason:Resource handler returned message: "not authorized to perform: iam:PutRolePolicy (fixture)"';
    // Poll 0: queued, nothing listed; poll 1: running, home region in progress; poll 2: done, one home-region failure.
    proxy!.script((n) => (n === 0 ? 'QUEUED' : n === 1 ? 'RUNNING' : 'SUCCEEDED'), (n, i) => {
      if (n === 0) return undefined;
      if (n === 1) return i.region === HOME ? { status: 'RUNNING' } : { status: 'PENDING' };
      return i.account === failed && i.region === HOME ? { status: 'FAILED', reason } : { status: 'SUCCEEDED' };
    });
    const updatesBefore = proxy!.updates.length;
    const r = await revoke({ before: at(20), yes: true, securityProfile: 'security' });
    assert.equal(r.code, 1, r.stdout + r.stderr);

    // The update itself: previous template, the new value, emergency preferences, every instance (no targets named).
    const u = proxy!.updates.slice(updatesBefore);
    assert.equal(u.length, 1);
    const form = Object.fromEntries(u[0]!.entries());
    assert.equal(form.UsePreviousTemplate, 'true');
    assert.equal(form.TemplateBody, undefined);
    assert.equal(form['Parameters.member.1.ParameterKey'], 'RevokeSessionsBefore');
    assert.equal(form['Parameters.member.1.ParameterValue'], at(20));
    assert.equal(form['Parameters.member.2.ParameterKey'], undefined, 'the member template has no other parameter');
    assert.equal(form['Capabilities.member.1'], 'CAPABILITY_NAMED_IAM');
    assert.equal(form.CallAs, 'SELF');
    assert.deepEqual([form['OperationPreferences.RegionConcurrencyType'], form['OperationPreferences.MaxConcurrentPercentage'],
      form['OperationPreferences.FailureTolerancePercentage'], form['OperationPreferences.ConcurrencyMode']], ['PARALLEL', '100', '100', 'SOFT_FAILURE_TOLERANCE']);
    assert.match(form.OperationId!, /^breakglass-revoke-\d{14}-[0-9a-f]{8}$/);
    assert.ok(!Object.keys(form).some((k) => /^(Accounts|Regions|DeploymentTargets)/.test(k)), 'no accounts, regions or targets: every instance');

    // Progress on stderr: the plan, the operation, each account once finished, the failure at once, the counts.
    assert.match(r.stderr, new RegExp(`operation ${form.OperationId} started \\(6 instances\\)`));
    assert.match(r.stderr, new RegExp(`  ${SET}: 0/6 instances finished \\(0 succeeded, 0 failed\\); operation QUEUED`));
    assert.match(r.stderr, new RegExp(`  ${SET}: 0/6 instances finished \\(0 succeeded, 0 failed\\); operation RUNNING`));
    assert.match(r.stderr, new RegExp(`  ${failed} us-east-1 FAILED \\(role region\\): ResourceLogicalId:BreakGlassRoleRole`));
    assert.match(r.stderr, new RegExp(`  ${failed}: role NOT revoked \\(us-east-1 FAILED\\); 1/2 regions updated`));
    for (const ok of org.members.slice(1)) assert.match(r.stderr, new RegExp(`  ${ok}: role sessions revoked; 2/2 regions updated`));
    assert.match(r.stderr, new RegExp(`  ${SET}: 6/6 instances finished \\(5 succeeded, 1 failed\\); operation SUCCEEDED`));
    assert.match(r.stderr, /  Breakglass-Security: UPDATE_COMPLETE/);
    assert.match(r.stderr, /error: the revocation did not land in 1 place \(listed on stdout\)\n$/);

    // The result on stdout: every place it did not land, one line each; what landed.
    const notLanded = r.stdout.split('\n').filter((l) => l.startsWith('  NOT landed'));
    assert.deepEqual(notLanded, [`  NOT landed  stack set ${SET} ${failed} us-east-1: FAILED: ${reason} [the role is here: its old sessions are NOT revoked in this account]`]);
    assert.match(r.stdout, new RegExp(`  landed      stack Breakglass-Management \\(${MGMT}, ${HOME}\\): RevokeSessionsBefore ${at(20)} \\(UPDATE_COMPLETE\\)`));
    assert.match(r.stdout, new RegExp(`  landed      stack Breakglass-Security \\(${org.security}, ${HOME}\\): RevokeSessionsBefore ${at(20)} \\(UPDATE_COMPLETE\\)`));
    assert.match(r.stdout, new RegExp(`--parameters Breakglass-MemberStackSets:RevokeSessionsBefore=${at(20)}`));
    assert.match(r.stdout, new RegExp(`run the same command again with --before ${at(20)}`));

    // What moto holds now: the StackSet keeps the new value even though one instance failed (as AWS does).
    const now = await deployed();
    assert.deepEqual([now.set, now.security, now.management], [at(20), at(20), at(20)]);
  });

  it('all instances succeed: every place landed (exit 0); an earlier --before never weakens it', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    proxy!.script((n) => (n < 1 ? 'RUNNING' : 'SUCCEEDED'), (n) => (n < 1 ? { status: 'RUNNING' } : { status: 'SUCCEEDED' }));
    const r = await revoke({ before: at(30), yes: true, securityProfile: 'security' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`  landed      stack set ${SET} \\(${MGMT}, ${HOME}\\): 6 instances updated to ${at(30)}`));
    assert.equal(r.stdout.split('\n').filter((l) => l.includes('NOT landed')).length, 0);
    assert.equal(r.stderr.includes('error:'), false, r.stderr);

    // An earlier time keeps the later one: nothing to do anywhere, nothing updated.
    const updates = proxy!.updates.length;
    const again = await revoke({ before: at(5), yes: true, securityProfile: 'security' });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`  landed      stack set ${SET} \\(${MGMT}, ${HOME}\\): already ${at(30)}`));
    assert.equal(proxy!.updates.length, updates);
    assert.deepEqual((await deployed()).set, at(30));
  });

  it('without credentials for the security account: the stack is not attempted, with the commands to run there (exit 1)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const r = await revoke({ before: at(40), yes: true, targets: 'security' });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`  NOT landed  stack Breakglass-Security \\(${org.security}, ${HOME}\\): not attempted: the default credentials are for account ${MGMT}, not ${org.security}; pass --security-profile`));
    assert.match(r.stdout, new RegExp(`run with that account's credentials: npx breakglass revoke --config ${cfg.replace(/[.]/g, '\\.')} --before ${at(40)} --targets security --profile '<security account profile>'`));
    assert.match(r.stdout, new RegExp(`or by hand: +aws cloudformation update-stack --region ${HOME} --stack-name Breakglass-Security --use-previous-template --parameters ParameterKey=RevokeSessionsBefore,ParameterValue=${at(40)} ParameterKey=BootstrapVersion,UsePreviousValue=true`));
    assert.equal((await deployed()).security, at(30), 'unchanged');
  });

  it('still running at --deadline: every unfinished account/region listed, and how to keep watching (exit 3)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    proxy!.script(() => 'RUNNING', (_n, i) => (i.region === HOME ? { status: 'RUNNING' } : { status: 'PENDING' }));
    const r = await revoke({ before: at(50), yes: true, targets: 'stacksets', deadline: '1' });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('  NOT landed'));
    assert.equal(lines.filter((l) => / still (RUNNING|PENDING) at the deadline/.test(l)).length, 6, r.stdout);
    for (const a of org.members) assert.ok(lines.some((l) => l.includes(`${a} us-east-1: still RUNNING at the deadline [the role is here`)), a);
    assert.match(r.stdout, new RegExp(`operation breakglass-revoke-\\d+-[0-9a-f]{8} goes on in AWS; watch it: aws cloudformation describe-stack-set-operation --region ${HOME} --stack-set-name ${SET} --operation-id breakglass-revoke-`));
  });
});
