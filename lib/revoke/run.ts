/**
 * `breakglass revoke`: reads every target, shows the plan, asks, then sets RevokeSessionsBefore everywhere at once and
 * follows each change to its end or to the deadline. Every target is independent: one that fails or cannot be reached
 * never stops the others. What did not land is listed on stdout, one line per account/region or stack.
 *
 * Exit: 0 landed everywhere; 1 did not land somewhere (failed instance or stack, or a target not attempted: wrong or
 * missing credentials, a template without the parameter), or the confirmation was declined; 3 an AWS call failed, or
 * something was still running at the deadline. --dry-run: 0 when every target would be updated or is in place.
 */
import { randomUUID } from 'node:crypto';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describeAwsError } from '../aws/errors';
import { withAwsAbortSignal } from '../aws/clients';
import type { BreakglassConfig } from '../config/schema';
import { escapeControls } from '../detection/escape';
import { stackIds } from '../deployment/stack-ids';
import { REVOKE_PARAMETER } from './parameter';
import { decide, type Plan, planText, runThere, type PlanContext } from './plan';
import { followStack, readStack, startStackUpdate, type StackState } from './stack';
import { followOperation, instanceKey, type Instance, oneLine, readStackSet, startStackSetUpdate, type StackSetState } from './stackset';
import { describeTarget, revokeScope, type Target, type TargetGroup } from './targets';

export interface RevokeInput {
  readonly config: BreakglassConfig;
  readonly configFile: string;
  /** Parsed --before (lib/revoke/parameter.ts parseBefore). */
  readonly before: string;
  readonly groups: readonly TargetGroup[];
  readonly dryRun: boolean;
  /** Skip the confirmation (--yes). */
  readonly yes: boolean;
  readonly deadlineMs: number;
  /** --profile (StackSet administrator, and the default for the others), --management-profile, --security-profile. */
  readonly profiles: { readonly deployer?: string; readonly management?: string; readonly security?: string };
}

export interface RevokeDeps {
  cloudFormation(profile: string | undefined, region: string): CloudFormationClient;
  /** sts:GetCallerIdentity for the profile: the account and the ARN. */
  callerIdentity(profile: string | undefined): Promise<{ account: string; arn: string }>;
  /** Asks the operator (shown the plan); undefined when there is nobody to ask. */
  readonly confirm?: (plan: string[]) => Promise<boolean>;
  /** Progress and notes: stderr. */
  progress(line: string): void;
  /** The result: stdout. */
  out(line: string): void;
  readonly pollMs: number;
}

type Outcome =
  | { readonly t: Target; readonly landed: true; readonly detail: string }
  | { readonly t: Target; readonly landed: false; readonly error: boolean; readonly unfinished: boolean; readonly lines: string[] };

const EXIT = { ok: 0, problems: 1, runtime: 3 } as const;

export async function runRevoke(input: RevokeInput, deps: RevokeDeps): Promise<number> {
  const scope = revokeScope(input.config, input.groups);
  const ctx: PlanContext = { configFile: input.configFile, before: input.before, roleName: scope.roleName, home: scope.home };
  if (scope.targets.length === 0) {
    deps.out(`nothing to revoke for --targets ${input.groups.join(',')} (organization.includeManagementAccount is false)`);
    return EXIT.ok;
  }
  if (!input.dryRun && !input.yes && !deps.confirm) throw new Error('refusing to change anything without confirmation (--yes)');
  const profileOf = (t: Target) => (t.credentials === 'deployer' ? input.profiles.deployer
    : t.credentials === 'management' ? input.profiles.management ?? input.profiles.deployer : input.profiles.security ?? input.profiles.deployer);
  const clients = new Map<string, CloudFormationClient>();
  const client = (t: Target) => {
    const key = `${profileOf(t) ?? ''}\u0000${t.region}`;
    if (!clients.has(key)) clients.set(key, deps.cloudFormation(profileOf(t), t.region));
    return clients.get(key)!;
  };
  const started = Date.now();
  try {
    // Phase 1, bounded by the deadline: whose credentials, and what is deployed.
    const read = await withDeadline(input.deadlineMs, (signal) => readAll(scope.targets, profileOf, client, deps, input, ctx, signal));
    if (read === 'deadline') {
      deps.progress(`error: could not read the targets within the deadline of ${input.deadlineMs / 1000} s (--deadline); nothing was changed`);
      return EXIT.runtime;
    }
    const { plans, warnings } = read;
    const text = planText(plans, ctx, warnings);
    if (input.dryRun) {
      for (const l of text) deps.out(l);
      deps.out('dry run: nothing was changed');
      return exitForPlans(plans);
    }
    if (!plans.some((p) => p.action === 'update')) {
      for (const l of text) deps.progress(l);
      return report(plans.map((p): Outcome => (p.action === 'in-place' ? { t: p.t, landed: true, detail: `already ${p.value}` }
        : skipped(p as Extract<Plan, { action: 'skip' }>, ctx))), ctx, deps, scope, false);
    }
    if (!input.yes) {
      if (!(await deps.confirm!(text))) {
        deps.progress('cancelled: nothing was changed');
        return EXIT.problems;
      }
    } else {
      for (const l of text) deps.progress(l);
    }
    // Phase 2: the rest of the deadline, not counting the time the confirmation waited for a person.
    const remaining = Math.max(1, input.deadlineMs - (Date.now() - started));
    const outcomes = await withDeadline(remaining, (signal) => Promise.all(plans.map((p) => execute(p, client(p.t), deps, scope.home, signal, ctx))), true);
    return report(outcomes as Outcome[], ctx, deps, scope, plans.some((p) => p.action === 'update' && p.t.kind === 'stackset'));
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}

async function withDeadline<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, keepResult = false): Promise<T | 'deadline'> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(Object.assign(new Error(`deadline of ${Math.round(ms / 1000)} s reached`), { name: 'AbortError' })), ms);
  try {
    const r = await withAwsAbortSignal(ctl.signal, () => fn(ctl.signal));
    return ctl.signal.aborted && !keepResult ? 'deadline' : r;
  } finally {
    clearTimeout(timer);
  }
}

async function readAll(targets: readonly Target[], profileOf: (t: Target) => string | undefined, client: (t: Target) => CloudFormationClient,
  deps: RevokeDeps, input: RevokeInput, ctx: PlanContext, signal: AbortSignal): Promise<{ plans: Plan[]; warnings: string[] }> {
  const identities = new Map<string, Promise<{ account: string; arn: string }>>();
  const identity = (profile: string | undefined) => {
    const key = profile ?? '';
    if (!identities.has(key)) identities.set(key, deps.callerIdentity(profile));
    return identities.get(key)!;
  };
  const warnings: string[] = [];
  const plans = await Promise.all(targets.map(async (t): Promise<Plan> => {
    const profile = profileOf(t);
    const who = profile ? `profile "${profile}"` : 'the default credentials';
    let id: { account: string; arn: string };
    try {
      id = await identity(profile);
    } catch (e) {
      if (signal.aborted) return { t, action: 'skip', kind: 'error', why: 'deadline reached before the credentials answered' };
      return { t, action: 'skip', kind: 'error', why: `${describeAwsError(e, { action: 'sts:GetCallerIdentity', profile })}`, runThere: true };
    }
    if (id.account !== t.account) {
      const flag = t.credentials === 'deployer' ? '--profile' : t.credentials === 'management' ? '--management-profile (or --profile)' : '--security-profile (or --profile)';
      return { t, action: 'skip', kind: 'not-attempted', why: `${who} ${who.startsWith('the') ? 'are' : 'is'} for account ${id.account}, not ${t.account}; pass ${flag} with credentials of ${t.account}`, runThere: true };
    }
    if (new RegExp(`:assumed-role/${escapeRegExp(ctx.roleName)}/`).test(id.arn)) {
      warnings.push(`${who} ${who.startsWith('the') ? 'are a session' : 'is a session'} of the break-glass role itself (${escapeControls(id.arn)}): once the revocation lands in ${id.account}, this session is denied too and the command cannot follow ${describeTarget(t)} to its end; use other credentials`);
    }
    try {
      const state = t.kind === 'stackset' ? await readStackSet(client(t), t) : await readStack(client(t), t);
      return decide(t, state, input.before);
    } catch (e) {
      if (signal.aborted) return { t, action: 'skip', kind: 'error', why: 'deadline reached while reading it' };
      const action = t.kind === 'stackset' ? 'cloudformation:DescribeStackSet' : 'cloudformation:DescribeStacks';
      const missing = /does not exist|StackSetNotFound/i.test(`${(e as Error).name} ${(e as Error).message}`);
      return { t, action: 'skip', kind: missing ? 'not-attempted' : 'error', why: missing ? `not found in ${t.account} ${t.region}: is it deployed? (breakglass deploy-plan)` : describeAwsError(e, { action, profile }) };
    }
  }));
  return { plans, warnings: [...new Set(warnings)] };
}

function exitForPlans(plans: readonly Plan[]): number {
  if (plans.some((p) => p.action === 'skip' && p.kind === 'error')) return EXIT.runtime;
  return plans.some((p) => p.action === 'skip') ? EXIT.problems : EXIT.ok;
}

function skipped(p: Extract<Plan, { action: 'skip' }>, ctx: PlanContext): Outcome {
  return { t: p.t, landed: false, error: p.kind === 'error', unfinished: false, lines: [`${describeTarget(p.t)}: not attempted: ${escapeControls(p.why)}`, ...(p.runThere ? runThere(p.t, ctx) : [])] };
}

async function execute(p: Plan, cf: CloudFormationClient, deps: RevokeDeps, home: string, signal: AbortSignal, ctx: PlanContext): Promise<Outcome> {
  if (p.action === 'skip') return skipped(p, ctx);
  if (p.action === 'in-place') return { t: p.t, landed: true, detail: `already ${p.value}` };
  const t = p.t;
  const id = `breakglass-revoke-${p.to.replace(/[^0-9]/g, '')}-${randomUUID().slice(0, 8)}`;
  if (t.kind === 'stackset') {
    const state = p.state as StackSetState;
    let operationId: string;
    try {
      operationId = await startStackSetUpdate(cf, t, p.to, state.otherParameters, id);
    } catch (e) {
      return { t, landed: false, error: true, unfinished: false, lines: [`${describeTarget(t)}: ${signal.aborted ? 'deadline reached before UpdateStackSet answered' : describeAwsError(e, { action: 'cloudformation:UpdateStackSet' })}`] };
    }
    deps.progress(`  ${t.name}: operation ${operationId} started (${state.instances.length} instances)`);
    const o = await followOperation(cf, t, operationId, state.instances, { pollMs: deps.pollMs, signal, home, progress: deps.progress });
    const all = new Map<string, Instance>(state.instances.map((i) => [instanceKey(i.account, i.region), i]));
    for (const [k, r] of o.results) all.set(k, r);
    const missed = [...all.entries()].filter(([k]) => o.results.get(k)?.status !== 'SUCCEEDED').map(([k, i]) => ({ i, r: o.results.get(k) }));
    const watch = `aws cloudformation describe-stack-set-operation --region ${t.region} --stack-set-name ${t.name} --operation-id ${operationId}${t.permissionModel === 'SERVICE_MANAGED' ? ` --call-as ${t.callAs}` : ''}`;
    if (o.finished && missed.length === 0 && !o.error) {
      return { t, landed: true, detail: `${all.size} instance${all.size === 1 ? '' : 's'} updated to ${p.to} (operation ${operationId} ${o.status})` };
    }
    const lines = missed.map(({ i, r }) => {
      const where = `${describeTarget(t).replace(/ \(.*/, '')} ${i.account} ${i.region}`;
      const what = r === undefined ? (o.finished ? `no result (operation ${o.status})` : `not started at the deadline (operation ${o.status})`)
        : r.status === 'FAILED' || r.status === 'CANCELLED' ? `${r.status}${r.reason ? `: ${escapeControls(oneLine(r.reason))}` : ''}` : `still ${r.status} at the deadline`;
      return `${where}: ${what}${i.region === home ? ' [the role is here: its old sessions are NOT revoked in this account]' : ' [forwarders only; the role is not in this region]'}`;
    });
    if (o.error) lines.push(`${describeTarget(t)}: following operation ${operationId} failed: ${describeAwsError(o.error, { action: 'cloudformation:DescribeStackSetOperation' })}`);
    if (!o.finished) lines.push(`      operation ${operationId} goes on in AWS; watch it: ${watch}`);
    return { t, landed: false, error: !!o.error, unfinished: !o.finished && !o.error, lines };
  }
  const state = p.state as StackState;
  let started: 'started' | 'unchanged';
  try {
    started = await startStackUpdate(cf, t, p.to, state, id);
  } catch (e) {
    return { t, landed: false, error: true, unfinished: false, lines: [`${describeTarget(t)}: ${signal.aborted ? 'deadline reached before UpdateStack answered' : describeAwsError(e, { action: 'cloudformation:UpdateStack' })}`, ...runThere(t, ctx, p.to)] };
  }
  if (started === 'unchanged') return { t, landed: true, detail: `already ${p.to} (no update needed)` };
  const o = await followStack(cf, t, id, { pollMs: deps.pollMs, signal, progress: deps.progress });
  if (o.finished && o.status === 'UPDATE_COMPLETE' && o.value === p.to) return { t, landed: true, detail: `${REVOKE_PARAMETER} ${p.to} (${o.status})` };
  if (o.error) return { t, landed: false, error: true, unfinished: false, lines: [`${describeTarget(t)}: following the update failed: ${describeAwsError(o.error, { action: 'cloudformation:DescribeStacks' })}`] };
  if (!o.finished) return { t, landed: false, error: false, unfinished: true, lines: [`${describeTarget(t)}: still ${o.status} at the deadline; it goes on in AWS (aws cloudformation describe-stacks --region ${t.region} --stack-name ${t.name})`] };
  return { t, landed: false, error: false, unfinished: false, lines: [`${describeTarget(t)}: ${o.status}${o.reason ? `: ${escapeControls(oneLine(o.reason))}` : ''}${o.status === 'UPDATE_COMPLETE' ? ` but ${REVOKE_PARAMETER} is ${o.value}` : ''}`] };
}

function report(outcomes: readonly Outcome[], ctx: PlanContext, deps: RevokeDeps, scope: { maxSessionSeconds: number; targets: readonly Target[] }, stackSetChanged: boolean): number {
  deps.out(`Revocation of ${ctx.roleName} sessions issued before ${ctx.before}:`);
  let notLanded = 0;
  for (const o of outcomes) {
    if (o.landed) { deps.out(`  landed      ${describeTarget(o.t)}: ${o.detail}`); continue; }
    for (const l of o.lines) {
      if (l.startsWith('      ')) { deps.out(l); continue; }
      notLanded += 1;
      deps.out(`  NOT landed  ${l}`);
    }
  }
  const until = new Date(Date.parse(ctx.before) + scope.maxSessionSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (stackSetChanged) {
    deps.out(`  keep it: until ${until} (the role's longest session after ${ctx.before}), deploy ${stackIds.memberStackSets} only with`
      + ` --parameters ${stackIds.memberStackSets}:${REVOKE_PARAMETER}=${ctx.before}: a deploy that changes its template passes that stack's own value to the StackSet.`);
  }
  if (notLanded > 0) {
    deps.out(`  retry: once what is named above is fixed or has finished, run the same command again with --before ${ctx.before} (a later time would also revoke newer sessions); check with breakglass doctor (stackset-instances)`);
    deps.progress(`error: the revocation did not land in ${notLanded} place${notLanded === 1 ? '' : 's'} (listed on stdout)`);
  }
  if (outcomes.some((o) => !o.landed && (o.error || o.unfinished))) return EXIT.runtime;
  return notLanded > 0 ? EXIT.problems : EXIT.ok;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
