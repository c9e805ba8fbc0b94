/**
 * `breakglass deploy-plan` through the CLI: exact JSON for a small organization, the checklist on stdout, one-line
 * errors, and no aws-cdk-lib loaded (it must start as fast as `validate`). This file must not import anything that
 * loads aws-cdk-lib (test/helpers/synth.ts does), or the last test proves nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-deploy-plan-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SMALL = `
securityAccount: { accountId: "222222222222", region: eu-west-1 }
organization:
  managementAccountId: "111111111111"
  deployFrom: delegated-admin
  delegatedAdminAccountId: "444444444444"
  targets: { organizationalUnits: ["ou-ab12-abcd1234"] }
regions: { enabled: [us-east-1, eu-west-1] }
users: [{ name: BreakGlassUser1 }, { name: BreakGlassUser2 }]
alerts: { emails: ["security-alerts@example.com"] }
guardrails: { serviceControlPolicy: { enabled: true, targets: ["ou-ab12-abcd1234"] } }
`;

describe('breakglass deploy-plan', () => {
  it('--json: exactly one document, the steps in order', async () => {
    const file = join(tmp, 'small.yaml');
    writeFileSync(file, SMALL);
    const r = await runCli('deploy-plan', '--config', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout);
    const cfg = `breakglass:config=${file}`;
    const admin = (account: string, role: string) => `administrator of the ${role} ${account}: a profile or SSO session that signs in to that account (export AWS_PROFILE=…)`;
    const withoutNotes = doc.steps.map(({ notes, ...s }: { notes?: string[] }) => s);
    assert.deepEqual({ ...doc, steps: withoutNotes }, {
      schemaVersion: 1,
      steps: [
        { account: '111111111111', title: 'Activate StackSets trusted access with AWS Organizations and register the StackSets delegated administrator 444444444444',
          credentials: admin('111111111111', 'management account'), kind: 'prerequisite', accountRole: 'management account',
          commands: ['aws cloudformation activate-organizations-access --region eu-west-1',
            'aws organizations register-delegated-administrator --service-principal member.org.stacksets.cloudformation.amazonaws.com --account-id 444444444444'] },
        { account: '111111111111', title: 'Enable CloudTrail trusted access with AWS Organizations (for the organization trail)',
          credentials: admin('111111111111', 'management account'), kind: 'prerequisite', accountRole: 'management account',
          commands: ['aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com'] },
        { account: '222222222222', title: 'Bootstrap the CDK in the security account (2 regions)', credentials: admin('222222222222', 'security account'),
          commands: [`npx cdk bootstrap -c ${cfg} aws://222222222222/eu-west-1 aws://222222222222/us-east-1`], kind: 'bootstrap', accountRole: 'security account', regions: ['eu-west-1', 'us-east-1'] },
        { account: '444444444444', title: 'Bootstrap the CDK in the StackSets delegated administrator (1 region)', credentials: admin('444444444444', 'StackSets delegated administrator'),
          commands: [`npx cdk bootstrap -c ${cfg} aws://444444444444/eu-west-1`], kind: 'bootstrap', accountRole: 'StackSets delegated administrator', regions: ['eu-west-1'] },
        { account: '111111111111', title: 'Bootstrap the CDK in the management account (2 regions)', credentials: admin('111111111111', 'management account'),
          commands: [`npx cdk bootstrap -c ${cfg} aws://111111111111/eu-west-1 aws://111111111111/us-east-1`], kind: 'bootstrap', accountRole: 'management account', regions: ['eu-west-1', 'us-east-1'] },
        { account: '222222222222', title: 'Deploy the security account, home region eu-west-1: break-glass users, alert topics and keys, central bus and rules, notifier',
          credentials: admin('222222222222', 'security account'), kind: 'deploy', accountRole: 'security account', regions: ['eu-west-1'], stacks: ['Breakglass-Security'],
          commands: [`npx cdk deploy -c ${cfg} --exclusively --require-approval broadening Breakglass-Security`] },
        { account: '222222222222', title: "Deploy the security account's forwarders in the other region, us-east-1",
          credentials: admin('222222222222', 'security account'), kind: 'deploy', accountRole: 'security account', regions: ['us-east-1'], stacks: ['Breakglass-Security-us-east-1'],
          commands: [`npx cdk deploy -c ${cfg} --exclusively --require-approval broadening Breakglass-Security-us-east-1`] },
        { account: '111111111111', title: 'Deploy the organization trail in the management account, home region eu-west-1: read and write management events of every account',
          credentials: admin('111111111111', 'management account'), kind: 'deploy', accountRole: 'management account', regions: ['eu-west-1'], stacks: ['Breakglass-Trail'],
          commands: [`npx cdk deploy -c ${cfg} --exclusively --require-approval broadening Breakglass-Trail`] },
        { account: '444444444444', title: 'Deploy the member StackSet: break-glass role and forwarders in every target account and region',
          credentials: admin('444444444444', 'StackSets delegated administrator'), kind: 'deploy', accountRole: 'StackSets delegated administrator', regions: ['eu-west-1'], stacks: ['Breakglass-MemberStackSets'],
          commands: [`npx cdk deploy -c ${cfg} --exclusively --require-approval broadening Breakglass-MemberStackSets`] },
        { account: '111111111111', title: "Deploy the management account's own break-glass role and forwarders (2 regions; StackSets never deploy to the management account)",
          credentials: admin('111111111111', 'management account'), kind: 'deploy', accountRole: 'management account', regions: ['eu-west-1', 'us-east-1'],
          stacks: ['Breakglass-Management', 'Breakglass-Management-us-east-1'],
          commands: [`npx cdk deploy -c ${cfg} --exclusively --require-approval broadening 'Breakglass-Management*'`] },
        { account: '111111111111', title: 'Deploy the guardrail service control policy (attached to ou-ab12-abcd1234)',
          credentials: admin('111111111111', 'management account'), kind: 'deploy', accountRole: 'management account', regions: ['eu-west-1'], stacks: ['Breakglass-Guardrails'],
          commands: [`npx cdk deploy -c ${cfg} --exclusively --require-approval broadening Breakglass-Guardrails`] },
        { account: '222222222222', title: 'Check the security account: users, MFA, topics and subscriptions, alert rules, trail',
          credentials: admin('222222222222', 'security account'), kind: 'verify', accountRole: 'security account', commands: [`npx breakglass doctor -c ${file}`] },
        { account: '444444444444', title: 'Check the StackSet instances in every target account and region, and the SCPs',
          credentials: admin('444444444444', 'StackSets delegated administrator'), kind: 'verify', accountRole: 'StackSets delegated administrator', commands: [`npx breakglass doctor -c ${file}`] },
      ],
    });
    assert.deepEqual(doc.steps.map((s: { notes?: string[] }) => s.notes?.length ?? 0), [1, 1, 0, 0, 0, 1, 0, 1, 2, 0, 1, 1, 0]);
    assert.match(doc.steps[8].notes[0], /Service-managed StackSet breakglass-member-baseline to ou-ab12-abcd1234 in 2 regions/);
  });

  it('text: a numbered checklist on stdout, nothing on stderr', async () => {
    const r = await runCli('deploy-plan', '-c', EXAMPLE);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Deployment plan for .*breakglass\.config\.yaml: 11 steps, in this order\.\n/);
    assert.match(r.stdout, /\n 1\. Activate StackSets trusted access with AWS Organizations\n {4}account {6}111111111111 \(management account\)\n/);
    assert.match(r.stdout, /\n 3\. Bootstrap the CDK in the security account \(17 regions\)\n/);
    assert.match(r.stdout.replace(/ \\\n +/g, ' '), /\n {4}\$ npx cdk deploy -c breakglass:config=\S+ --exclusively --require-approval broadening 'Breakglass-Security-\*'\n/);
    assert.match(r.stdout, /\n11\. Check the StackSet instances/);
    assert.match(r.stdout, /docs\/deployment\.md\n$/);
  });

  it('a bad config: exit 2, the problems on stderr, nothing on stdout', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'securityAccount: { accountId: 22 }\n');
    const r = await runCli('deploy-plan', '-c', file, '--json');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /securityAccount\.accountId/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal((await runCli('deploy-plan')).code, 2, '--config is mandatory');
  });

  it('does not load aws-cdk-lib', async () => {
    assert.equal((await runCli('deploy-plan', '-c', EXAMPLE, '--json')).code, 0);
    const loaded = Object.keys(require.cache);
    assert.ok(loaded.some((f) => f.endsWith(join('lib', 'deployment', 'plan.ts'))), 'the command ran in this process');
    assert.deepEqual(loaded.filter((f) => f.includes(`${join('node_modules', 'aws-cdk-lib')}`)), []);
  });
});
