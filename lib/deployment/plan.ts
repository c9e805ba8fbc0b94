/**
 * The deployment plan: the ordered commands that deploy a config, each step with the one account whose credentials
 * it needs. Pure (no AWS calls, no aws-cdk-lib), built from the stack layout.
 *
 * - Bootstrap: every environment a CDK stack uses, one command per account. No --trust: every step runs with that
 *   account's own credentials, so the bootstrap roles need to trust no other account (the one-CI-account variant is
 *   described in the plan text and docs/deployment.md).
 * - Deploy: the stacks declare CDK dependencies across accounts (the StackSets and management stacks depend on
 *   Breakglass-Security), and `cdk deploy` would otherwise add those stacks, from other accounts, to the selection;
 *   hence --exclusively on every deploy, stacks named explicitly, and the steps ordered by the dependencies.
 */
import type { BreakglassConfig } from '../config/schema';
import { NAMES } from '../naming';
import { stackLayout, stackSetsAccount, type PlannedStack, type StackRole } from './layout';
import { shellJoin } from './shell-words';
import { stackIds } from './stack-ids';
import { stackSetFailureTolerance, stackSetRolloutMinutes } from './stackset-rollout';

export const DEPLOY_PLAN_SCHEMA_VERSION = 1;

export type StepKind = 'prerequisite' | 'bootstrap' | 'deploy' | 'verify';

export interface PlanStep {
  readonly account: string;
  readonly title: string;
  readonly credentials: string;
  readonly commands: readonly string[];
  readonly kind: StepKind;
  /** What the account is to this deployment, e.g. "security account". */
  readonly accountRole: string;
  readonly regions?: readonly string[];
  /** Deploy steps: the stacks their stack names and patterns select. */
  readonly stacks?: readonly string[];
  /** What to know or check before running the step. */
  readonly notes?: readonly string[];
}

export interface DeployPlan {
  readonly schemaVersion: typeof DEPLOY_PLAN_SCHEMA_VERSION;
  readonly steps: readonly PlanStep[];
}

export interface PlanOptions {
  /** The config file as the user named it; every cdk and breakglass command gets it. */
  readonly configFile: string;
}

/** `--require-approval broadening`: stop for a yes/no on any IAM or security-group widening (the CDK's default, made explicit so a ~/.cdk.json "never" cannot apply silently). */
export const DEPLOY_FLAGS = ['--exclusively', '--require-approval', 'broadening'] as const;

/** Deploy order: each group only depends on groups before it (see lib/app.ts). */
// The trail goes right after the security account's stacks: before the role reaches any member account, so its
// events reach EventBridge from the start, and after Breakglass-Security, which in older versions held a trail of
// the same name.
const DEPLOY_ORDER: readonly StackRole[] = ['security', 'security-region', 'trail', 'member-stacksets', 'management', 'guardrails'];

/** `cdk deploy` stack selection: `*` matches any run of characters (the CDK matches stack names as globs). */
export function matchesStackPattern(pattern: string, id: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(id);
}

export function buildDeployPlan(c: BreakglassConfig, opts: PlanOptions): DeployPlan {
  const layout = stackLayout(c);
  const role = (account: string) => accountRole(c, account);
  const credentials = (account: string) =>
    `administrator of the ${role(account)} ${account}: a profile or SSO session that signs in to that account (export AWS_PROFILE=…)`;
  // bin/app.ts reads the config from this context key first; cdk bootstrap runs the app too when cdk.json is present.
  const cdk = (sub: string, ...args: string[]) => shellJoin(['npx', 'cdk', sub, '-c', `breakglass:config=${opts.configFile}`, ...args]);
  const step = (s: Omit<PlanStep, 'credentials' | 'accountRole'>): PlanStep =>
    ({ account: s.account, title: s.title, credentials: credentials(s.account), commands: s.commands, kind: s.kind, accountRole: role(s.account),
      ...(s.regions ? { regions: s.regions } : {}), ...(s.stacks ? { stacks: s.stacks } : {}), ...(s.notes?.length ? { notes: s.notes } : {}) });

  const steps: PlanStep[] = [...prerequisites(c).map(step)];

  for (const account of unique(layout.map((s) => s.account))) {
    const regions = unique(layout.filter((s) => s.account === account).map((s) => s.region));
    steps.push(step({
      account, kind: 'bootstrap', regions,
      title: `Bootstrap the CDK in the ${role(account)} (${plural(regions.length, 'region')})`,
      commands: [cdk('bootstrap', ...regions.map((r) => `aws://${account}/${r}`))],
    }));
  }

  for (const group of DEPLOY_ORDER) {
    const stacks = layout.filter((s) => s.role === group);
    if (stacks.length === 0) continue;
    steps.push(step({
      account: stacks[0].account, kind: 'deploy', regions: unique(stacks.map((s) => s.region)), stacks: stacks.map((s) => s.id),
      title: deployTitle(c, group, stacks),
      commands: [cdk('deploy', ...DEPLOY_FLAGS, ...stackPatterns(group, stacks, layout))],
      notes: deployNotes(c, group),
    }));
  }

  const doctor = shellJoin(['npx', 'breakglass', 'doctor', '-c', opts.configFile]);
  steps.push(step({
    account: c.securityAccount.accountId, kind: 'verify', commands: [doctor],
    title: 'Check the security account: users, MFA, topics and subscriptions, alert rules, trail',
    notes: ['Do "After deployment" in the README first (MFA devices, then passwords, then confirm every email subscription): until then doctor reports those checks as failed.'],
  }));
  if (stackSetsAccount(c) !== c.securityAccount.accountId) {
    steps.push(step({
      account: stackSetsAccount(c), kind: 'verify', commands: [doctor],
      title: 'Check the StackSet instances in every target account and region, and the SCPs',
    }));
  }
  return { schemaVersion: DEPLOY_PLAN_SCHEMA_VERSION, steps };
}

function accountRole(c: BreakglassConfig, account: string): string {
  const roles: string[] = [];
  if (account === c.securityAccount.accountId) roles.push('security account');
  if (account === c.organization.managementAccountId) roles.push('management account');
  if (c.organization.deployFrom === 'delegated-admin' && account === c.organization.delegatedAdminAccountId) roles.push('StackSets delegated administrator');
  return roles.join(' and ') || 'account';
}

function prerequisites(c: BreakglassConfig): Array<Omit<PlanStep, 'credentials' | 'accountRole'>> {
  const o = c.organization;
  const management = o.managementAccountId;
  const ous = o.targets.organizationalUnits;
  const out: Array<Omit<PlanStep, 'credentials' | 'accountRole'>> = [];

  if (c.regions.optIn.length > 0) {
    // The management account enables regions in member accounts with --account-id (Account Management trusted
    // access), but not in itself: it "can't specify its own AccountId" (Account Management API reference, EnableRegion).
    const others = unique([c.securityAccount.accountId, stackSetsAccount(c), ...o.targets.accounts]).filter((a) => a !== management);
    const commands = [
      ...(others.length ? [shellJoin(['aws', 'organizations', 'enable-aws-service-access', '--service-principal', 'account.amazonaws.com'])] : []),
      ...c.regions.optIn.map((r) => shellJoin(['aws', 'account', 'enable-region', '--region-name', r])),
      ...others.flatMap((a) => c.regions.optIn.map((r) => shellJoin(['aws', 'account', 'enable-region', '--account-id', a, '--region-name', r]))),
    ];
    out.push({
      account: management, kind: 'prerequisite', regions: [...c.regions.optIn], commands,
      title: `Enable the opt-in ${c.regions.optIn.length === 1 ? 'region' : 'regions'} ${c.regions.optIn.join(', ')} in every account that takes part`,
      notes: [
        'Enabling takes minutes, sometimes hours: wait until `aws account get-region-opt-status --account-id ACCOUNT --region-name REGION` says ENABLED. CDK bootstrap fails in a region that is not enabled, and StackSet instances fail in every account where it is not (CloudFormation user guide, "Prepare to perform StackSet operations in AWS Regions that are disabled by default").',
        ...(ous.length ? [`Every account in ${ous.join(', ')} needs these regions too (list them with \`aws organizations list-accounts-for-parent --parent-id ID\`), including accounts added later.`] : []),
      ],
    });
  }

  if (ous.length > 0) {
    const delegated = o.deployFrom === 'delegated-admin' ? o.delegatedAdminAccountId : undefined;
    out.push({
      account: management, kind: 'prerequisite',
      title: `Activate StackSets trusted access with AWS Organizations${delegated ? ` and register the StackSets delegated administrator ${delegated}` : ''}`,
      commands: [
        // The CloudFormation-side call, which AWS recommends over enabling the service principal in Organizations
        // directly: it also does StackSets' own setup (Organizations user guide, "AWS CloudFormation StackSets and
        // AWS Organizations").
        shellJoin(['aws', 'cloudformation', 'activate-organizations-access', '--region', c.securityAccount.region]),
        ...(delegated ? [shellJoin(['aws', 'organizations', 'register-delegated-administrator', '--service-principal', 'member.org.stacksets.cloudformation.amazonaws.com', '--account-id', delegated])] : []),
      ],
      notes: ['Needs "all features" enabled in AWS Organizations. Idempotent: safe to run again.'],
    });
  }

  if (c.cloudTrail.mode === 'create') {
    out.push({
      account: management, kind: 'prerequisite',
      title: 'Enable CloudTrail trusted access with AWS Organizations (for the organization trail)',
      // Creating an organization trail through the API (CloudFormation) needs trusted access configured first
      // (Organizations user guide, "AWS CloudTrail and AWS Organizations"; CloudTrail API reference, CreateTrail:
      // CloudTrailAccessNotEnabledException).
      commands: [shellJoin(['aws', 'organizations', 'enable-aws-service-access', '--service-principal', 'cloudtrail.amazonaws.com'])],
      notes: ['Idempotent. The organization trail then logs every account of the organization, present and future.'],
    });
  }
  return out;
}

function stackPatterns(group: StackRole, stacks: readonly PlannedStack[], layout: readonly PlannedStack[]): string[] {
  const glob = group === 'security-region' ? `${stackIds.security}-*` : group === 'management' ? `${stackIds.management}*` : undefined;
  const patterns = stacks.length > 1 && glob ? [glob] : stacks.map((s) => s.id);
  // A pattern that selected a stack of another group would deploy it with the wrong credentials.
  const selected = layout.filter((s) => patterns.some((p) => matchesStackPattern(p, s.id))).map((s) => s.id);
  if (selected.join() !== stacks.map((s) => s.id).join()) throw new Error(`deploy-plan: ${patterns.join(' ')} selects ${selected.join(', ')}, expected ${stacks.map((s) => s.id).join(', ')}`);
  return patterns;
}

function deployTitle(c: BreakglassConfig, group: StackRole, stacks: readonly PlannedStack[]): string {
  const home = c.securityAccount.region;
  switch (group) {
    case 'security':
      return `Deploy the security account, home region ${home}: break-glass users, alert topics and keys, central bus and rules, notifier`;
    case 'security-region':
      return `Deploy the security account's forwarders in ${stacks.length === 1 ? `the other region, ${stacks[0].region}` : `the other ${stacks.length} regions`}`;
    case 'member-stacksets':
      return 'Deploy the member StackSet: break-glass role and forwarders in every target account and region';
    case 'management':
      return `Deploy the management account's own break-glass role and forwarders (${plural(stacks.length, 'region')}; StackSets never deploy to the management account)`;
    case 'trail':
      return `Deploy the organization trail in the management account, home region ${home}: read and write management events of every account`;
    case 'guardrails':
      return `Deploy the guardrail service control policy (attached to ${c.guardrails.serviceControlPolicy.targets.join(', ')})`;
  }
}

function deployNotes(c: BreakglassConfig, group: StackRole): string[] {
  const o = c.organization;
  const regions = [c.securityAccount.region, ...c.regions.enabled, ...c.regions.optIn].filter((r, i, all) => all.indexOf(r) === i);
  switch (group) {
    case 'security':
      return ['Every email address gets a subscription confirmation from each of the two topics; an unconfirmed subscription receives nothing and its link expires after 3 days.'];
    case 'member-stacksets': {
      const notes: string[] = [];
      if (o.targets.organizationalUnits.length > 0) {
        const at = (n: number) => { const m = stackSetRolloutMinutes(n); return `${n} accounts ≈ ${m.min}-${m.max} min`; };
        notes.push(`Service-managed StackSet ${NAMES.memberStackSet} to ${o.targets.organizationalUnits.join(', ')} in ${plural(regions.length, 'region')}, with automatic deployment to accounts that join these OUs later. Regions run in parallel; within a region floor(N/10)+1 accounts at a time (${at(5)}, ${at(20)}, ${at(100)}, assuming 1-2 min per stack instance).`);
      }
      if (o.targets.accounts.length > 0) {
        const n = o.targets.accounts.length;
        const m = stackSetRolloutMinutes(n);
        notes.push(`Self-managed StackSet ${NAMES.memberStackSet}-accounts to ${plural(n, 'account')}: this account needs the IAM role AWSCloudFormationStackSetAdministrationRole, and each target account AWSCloudFormationStackSetExecutionRole trusting it, before this step (CloudFormation user guide, "Grant self-managed permissions"). Rollout ≈ ${m.min}-${m.max} min, assuming 1-2 min per stack instance.`);
      }
      notes.push('The deploy waits for every stack instance. In each region up to 10 % of the accounts (rounded down) may fail; a failure beyond that stops the operation and fails this step. Failed instances stay OUTDATED: `breakglass doctor` (check stackset-instances) lists them with the reason.');
      if (c.regions.optIn.length > 0) notes.push(`The opt-in ${c.regions.optIn.join(', ')} must be enabled in this account and in every target account first (prerequisite step).`);
      return notes;
    }
    case 'trail':
      return ['If an older breakglass version created breakglass-trail in the security account, Breakglass-Security (deployed above) has removed it; its bucket and key are kept.'];
    case 'guardrails':
      return ['AWS::Organizations::Policy can be created only from the management account. The SCP exempts the deployment roles, so later deploys keep working.'];
    default:
      return [];
  }
}

function unique<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
