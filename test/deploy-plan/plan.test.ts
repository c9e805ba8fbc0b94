/**
 * The deployment plan, table-driven over the config variants that change it: every environment bootstrapped once,
 * every deploy exclusive and within one account, dependencies before dependents, prerequisites where needed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfigFile, parseConfigText } from '../../lib/config/load';
import type { BreakglassConfig } from '../../lib/config/schema';
import { stackLayout } from '../../lib/deployment/layout';
import { buildDeployPlan, matchesStackPattern, type DeployPlan, type PlanStep } from '../../lib/deployment/plan';
import { renderPlanText } from '../../lib/deployment/plan-text';
import { shellJoin, shellWords, wrapCommand } from '../../lib/deployment/shell-words';
import { stackSetRounds } from '../../lib/deployment/stackset-rollout';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml');
const SECURITY = '222222222222';
const MANAGEMENT = '111111111111';
const DELEGATED = '444444444444';

function variant(mutate: (c: any) => void): BreakglassConfig {
  const c = structuredClone(loadConfigFile(EXAMPLE).config) as any;
  mutate(c);
  return parseConfigText(JSON.stringify(c), 'variant.json');
}

const VARIANTS: Record<string, BreakglassConfig> = {
  'example (OU, from the management account)': loadConfigFile(EXAMPLE).config,
  'delegated admin': variant((c) => { c.organization.deployFrom = 'delegated-admin'; c.organization.delegatedAdminAccountId = DELEGATED; }),
  'delegated admin is the security account': variant((c) => { c.organization.deployFrom = 'delegated-admin'; c.organization.delegatedAdminAccountId = SECURITY; }),
  'explicit accounts only (self-managed StackSet)': variant((c) => { c.organization.targets = { organizationalUnits: [], accounts: ['333333333333', '555555555555'] }; }),
  'guardrails on': variant((c) => { c.guardrails = { serviceControlPolicy: { enabled: true, targets: ['r-ab12'] } }; }),
  'no management account stacks': variant((c) => { c.organization.includeManagementAccount = false; }),
  'opt-in regions, explicit accounts and OUs': variant((c) => {
    c.regions = { enabled: ['us-east-1', 'eu-west-1'], optIn: ['eu-south-2', 'af-south-1'] };
    c.organization.targets.accounts = ['333333333333'];
  }),
  'one region only': variant((c) => { c.regions = { enabled: ['us-east-1'], optIn: [] }; }),
};

/** The words of a command with the shell quoting removed. */
function argv(command: string): string[] {
  return shellWords(command).map((w) => w.replace(/'([^']*)'|\\(.)/g, (_, q, e) => q ?? e));
}

function stepsOf(plan: DeployPlan, kind: PlanStep['kind']): PlanStep[] {
  return plan.steps.filter((s) => s.kind === kind);
}

/** Stacks selected by a deploy command: the words after the flags. */
function deployPatterns(command: string): string[] {
  const words = argv(command);
  assert.deepEqual(words.slice(0, 3), ['npx', 'cdk', 'deploy']);
  return words.slice(words.indexOf('broadening') + 1);
}

describe('deploy-plan, for each config variant', () => {
  for (const [name, c] of Object.entries(VARIANTS)) {
    describe(name, () => {
      const plan = buildDeployPlan(c, { configFile: 'my-org.yaml' });
      const layout = stackLayout(c);

      it('has the JSON shape {schemaVersion: 1, steps: [{account, title, credentials, commands, …}]}', () => {
        const doc = JSON.parse(JSON.stringify(plan));
        assert.deepEqual(Object.keys(doc), ['schemaVersion', 'steps']);
        assert.equal(doc.schemaVersion, 1);
        for (const s of doc.steps) {
          assert.deepEqual(Object.keys(s).slice(0, 4), ['account', 'title', 'credentials', 'commands']);
          for (const k of Object.keys(s)) assert.ok(['account', 'title', 'credentials', 'commands', 'kind', 'accountRole', 'regions', 'stacks', 'notes'].includes(k), k);
          assert.match(s.account, /^\d{12}$/);
          assert.ok(s.title && s.credentials.includes(s.account), s.title);
          assert.ok(s.commands.length > 0 && s.commands.every((x: unknown) => typeof x === 'string' && x.length > 0));
        }
      });

      it('orders prerequisites, bootstrap, deploy, verify', () => {
        const order = ['prerequisite', 'bootstrap', 'deploy', 'verify'];
        const kinds = plan.steps.map((s) => order.indexOf(s.kind));
        assert.deepEqual(kinds, [...kinds].sort((a, b) => a - b));
        assert.ok(kinds.every((k) => k >= 0));
      });

      it('bootstraps every environment of the layout exactly once, per account, without --trust', () => {
        const envs = stepsOf(plan, 'bootstrap').flatMap((s) => {
          assert.equal(s.commands.length, 1);
          const words = argv(s.commands[0]);
          assert.deepEqual(words.slice(0, 5), ['npx', 'cdk', 'bootstrap', '-c', 'breakglass:config=my-org.yaml']);
          assert.ok(!words.some((w) => w.startsWith('--trust')), s.commands[0]);
          const e = words.filter((w) => w.startsWith('aws://'));
          assert.ok(e.every((x) => x.startsWith(`aws://${s.account}/`)), `${s.account}: ${e.join(' ')}`);
          return e;
        });
        assert.equal(new Set(envs).size, envs.length, 'an environment is bootstrapped twice');
        assert.deepEqual([...envs].sort(), [...new Set(layout.map((s) => `aws://${s.account}/${s.region}`))].sort());
        const accounts = stepsOf(plan, 'bootstrap').map((s) => s.account);
        assert.equal(new Set(accounts).size, accounts.length, 'one bootstrap step per account');
      });

      it('deploys every stack once, with --exclusively, each step only in its own account', () => {
        const deployed: string[] = [];
        for (const s of stepsOf(plan, 'deploy')) {
          assert.equal(s.commands.length, 1);
          const words = argv(s.commands[0]);
          assert.ok(words.includes('--exclusively'), s.commands[0]);
          assert.deepEqual(words.slice(words.indexOf('--require-approval'), words.indexOf('--require-approval') + 2), ['--require-approval', 'broadening']);
          assert.ok(words.includes('breakglass:config=my-org.yaml'));
          const selected = layout.filter((st) => deployPatterns(s.commands[0]).some((p) => matchesStackPattern(p, st.id)));
          assert.deepEqual(selected.map((st) => st.id), s.stacks);
          for (const st of selected) assert.equal(st.account, s.account, `${st.id} deployed with credentials of ${s.account}`);
          deployed.push(...selected.map((st) => st.id));
        }
        assert.deepEqual([...deployed].sort(), layout.map((s) => s.id).sort());
      });

      it('deploys a stack only after the stacks it depends on, in the documented group order', () => {
        const stepOf = new Map<string, number>();
        plan.steps.forEach((s, i) => s.stacks?.forEach((id) => stepOf.set(id, i)));
        for (const s of layout) for (const d of s.dependsOn) assert.ok(stepOf.get(d)! < stepOf.get(s.id)!, `${s.id} before ${d}`);
        const groups = ['security', 'security-region', 'trail', 'member-stacksets', 'management', 'guardrails'];
        const firstStep = (role: string) => Math.min(...layout.filter((s) => s.role === role).map((s) => stepOf.get(s.id)!));
        const present = groups.filter((g) => layout.some((s) => s.role === g));
        assert.deepEqual(present.map(firstStep), present.map(firstStep).sort((a, b) => a - b));
      });

      it('runs doctor with the security account and the StackSets account', () => {
        const verify = stepsOf(plan, 'verify');
        assert.deepEqual(verify.map((s) => argv(s.commands[0])), verify.map(() => ['npx', 'breakglass', 'doctor', '-c', 'my-org.yaml']));
        assert.deepEqual(verify.map((s) => s.account), [...new Set([SECURITY, layout.find((s) => s.role === 'member-stacksets')!.account])]);
      });

      it('prints a numbered checklist with every command', () => {
        const text = renderPlanText(plan, 'my-org.yaml');
        const flat = text.replace(/\s+/g, ' ');
        plan.steps.forEach((s, i) => assert.ok(flat.includes(` ${i + 1}. ${s.title} account ${s.account} (${s.accountRole}) credentials ${s.credentials} $ `), s.title));
        const unwrapped = text.replace(/ \\\n +/g, ' ');
        for (const s of plan.steps) for (const cmd of s.commands) assert.ok(unwrapped.includes(`$ ${cmd}\n`), cmd);
        assert.ok(text.split('\n').every((l) => l.length <= 110 || !l.includes(' ')), 'lines wrap at 110 characters');
        assert.match(text, /--trust CI_ACCOUNT_ID --trust-for-lookup CI_ACCOUNT_ID --cloudformation-execution-policies POLICY_ARN/);
      });
    });
  }
});

describe('deploy-plan prerequisites and notes', () => {
  const plan = (name: string) => buildDeployPlan(VARIANTS[name], { configFile: 'my-org.yaml' });
  const commands = (p: DeployPlan) => p.steps.flatMap((s) => s.commands);

  it('OU targets: activate trusted access in the management account; no delegated admin registration', () => {
    const p = plan('example (OU, from the management account)');
    const pre = stepsOf(p, 'prerequisite');
    assert.deepEqual(pre.map((s) => [s.account, s.commands]), [
      [MANAGEMENT, ['aws cloudformation activate-organizations-access --region us-east-1']],
      [MANAGEMENT, ['aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com']],
    ]);
    assert.ok(!commands(p).some((x) => x.includes('register-delegated-administrator')));
  });

  it('delegated admin: registered by the management account, bootstrapped and deploying the StackSet itself', () => {
    const p = plan('delegated admin');
    assert.ok(stepsOf(p, 'prerequisite')[0].commands.includes(
      `aws organizations register-delegated-administrator --service-principal member.org.stacksets.cloudformation.amazonaws.com --account-id ${DELEGATED}`));
    assert.deepEqual(stepsOf(p, 'bootstrap').map((s) => [s.account, s.regions?.length]), [[SECURITY, 17], [DELEGATED, 1], [MANAGEMENT, 17]]);
    const stackSets = stepsOf(p, 'deploy').find((s) => s.stacks?.includes('Breakglass-MemberStackSets'))!;
    assert.equal(stackSets.account, DELEGATED);
    assert.match(stackSets.credentials, /StackSets delegated administrator 444444444444/);
  });

  it('delegated admin = security account: its bootstrap covers the StackSets stack, one doctor run', () => {
    const p = plan('delegated admin is the security account');
    assert.deepEqual(stepsOf(p, 'bootstrap').map((s) => s.account), [SECURITY, MANAGEMENT]);
    assert.equal(stepsOf(p, 'verify').length, 1);
    assert.equal(stepsOf(p, 'bootstrap')[0].accountRole, 'security account and StackSets delegated administrator');
  });

  it('explicit accounts only: no trusted access step; the StackSet step names the self-managed roles', () => {
    const p = plan('explicit accounts only (self-managed StackSet)');
    assert.deepEqual(stepsOf(p, 'prerequisite').map((s) => s.title), ['Enable CloudTrail trusted access with AWS Organizations (for the organization trail)']);
    const notes = stepsOf(p, 'deploy').find((s) => s.stacks?.includes('Breakglass-MemberStackSets'))!.notes!.join('\n');
    assert.match(notes, /Self-managed StackSet breakglass-member-baseline-accounts to 2 accounts/);
    assert.match(notes, /AWSCloudFormationStackSetAdministrationRole/);
    assert.match(notes, /AWSCloudFormationStackSetExecutionRole/);
    assert.match(notes, /Rollout ≈ 2-4 min/);
  });

  it('guardrails: last deploy step, management account, home region only', () => {
    const last = stepsOf(plan('guardrails on'), 'deploy').at(-1)!;
    assert.deepEqual([last.account, last.stacks, last.regions], [MANAGEMENT, ['Breakglass-Guardrails'], ['us-east-1']]);
    assert.ok(!stepsOf(plan('example (OU, from the management account)'), 'deploy').some((s) => s.stacks?.includes('Breakglass-Guardrails')));
  });

  it('no management account stacks: the management account only gets the StackSets stack', () => {
    const p = plan('no management account stacks');
    assert.deepEqual(stepsOf(p, 'deploy').filter((s) => s.account === MANAGEMENT).map((s) => s.stacks), [['Breakglass-Trail'], ['Breakglass-MemberStackSets']]);
    assert.deepEqual(stepsOf(p, 'bootstrap').find((s) => s.account === MANAGEMENT)?.regions, ['us-east-1']);
  });

  it('opt-in regions: enabled in every named account first; the StackSet step says so', () => {
    const p = plan('opt-in regions, explicit accounts and OUs');
    const pre = stepsOf(p, 'prerequisite')[0];
    assert.equal(pre.account, MANAGEMENT);
    assert.deepEqual(pre.commands, [
      'aws organizations enable-aws-service-access --service-principal account.amazonaws.com',
      'aws account enable-region --region-name eu-south-2',
      'aws account enable-region --region-name af-south-1',
      `aws account enable-region --account-id ${SECURITY} --region-name eu-south-2`,
      `aws account enable-region --account-id ${SECURITY} --region-name af-south-1`,
      'aws account enable-region --account-id 333333333333 --region-name eu-south-2',
      'aws account enable-region --account-id 333333333333 --region-name af-south-1',
    ]);
    assert.match(pre.notes!.join('\n'), /Every account in r-ab12 needs these regions too/);
    assert.deepEqual(stepsOf(p, 'bootstrap')[0].regions, ['us-east-1', 'eu-west-1', 'eu-south-2', 'af-south-1']);
    const notes = stepsOf(p, 'deploy').find((s) => s.stacks?.includes('Breakglass-MemberStackSets'))!.notes!.join('\n');
    assert.match(notes, /opt-in eu-south-2, af-south-1 must be enabled in this account and in every target account/);
  });

  it('one region: stacks named, no glob', () => {
    const p = plan('one region only');
    assert.deepEqual(stepsOf(p, 'deploy').map((s) => deployPatterns(s.commands[0])), [['Breakglass-Security'], ['Breakglass-Trail'], ['Breakglass-MemberStackSets'], ['Breakglass-Management']]);
  });

  it('cloudTrail.mode create: CloudTrail trusted access first, then the organization trail from the management account, right after the security account', () => {
    const p = plan('example (OU, from the management account)');
    const deploys = stepsOf(p, 'deploy');
    const trail = deploys.find((s) => s.stacks?.includes('Breakglass-Trail'))!;
    assert.deepEqual([trail.account, trail.regions, trail.stacks], [MANAGEMENT, ['us-east-1'], ['Breakglass-Trail']]);
    assert.deepEqual(deploys.slice(0, 3).map((s) => s.stacks![0]), ['Breakglass-Security', 'Breakglass-Security-us-east-2', 'Breakglass-Trail']);
    assert.ok(!deploys[0]!.title.includes('trail'), 'the security account holds no trail any more');
    const existing = buildDeployPlan(variant((c) => { c.cloudTrail = { mode: 'existing-organization-trail' }; }), { configFile: 'my-org.yaml' });
    assert.ok(!existing.steps.some((s) => s.stacks?.includes('Breakglass-Trail') || s.commands.some((x) => x.includes('cloudtrail.amazonaws.com'))));
  });
});

describe('deploy-plan building blocks', () => {
  it('quotes what the shell would change, and the words split back', () => {
    const words = ['npx', 'cdk', 'deploy', '-c', "breakglass:config=my org's.yaml", 'Breakglass-Security-*', 'aws://1/us-east-1'];
    const cmd = shellJoin(words);
    assert.equal(cmd, "npx cdk deploy -c 'breakglass:config=my org'\\''s.yaml' 'Breakglass-Security-*' aws://1/us-east-1");
    assert.deepEqual(argv(cmd), words);
  });

  it('wraps a command between words only', () => {
    const cmd = shellJoin(['npx', 'cdk', 'bootstrap', ...Array.from({ length: 17 }, (_, i) => `aws://222222222222/region-${i}`)]);
    const lines = wrapCommand(cmd, 80);
    assert.ok(lines.length > 1 && lines.every((l) => l.length <= 80));
    assert.equal(lines.join('\n').replace(/ \\\n +/g, ' '), cmd);
  });

  it('stack patterns match like cdk globs', () => {
    assert.ok(matchesStackPattern('Breakglass-Security-*', 'Breakglass-Security-eu-west-1'));
    assert.ok(!matchesStackPattern('Breakglass-Security-*', 'Breakglass-Security'));
    assert.ok(matchesStackPattern('Breakglass-Management*', 'Breakglass-Management'));
    assert.ok(!matchesStackPattern('Breakglass-Management*', 'Breakglass-MemberStackSets'));
  });

  it('StackSet rounds: one account at a time below 10, then floor(N/10)+1 at a time', () => {
    assert.deepEqual([1, 5, 9, 10, 20, 100, 1000].map(stackSetRounds), [1, 5, 9, 5, 7, 10, 10]);
  });
});
