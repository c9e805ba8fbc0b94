/**
 * Service control policies do not block the break-glass path. Not a full policy evaluation: it reads the SCPs
 * attached (Organizations ListParents, ListPoliciesForTarget with Filter SERVICE_CONTROL_POLICY, DescribePolicy)
 * along two paths and evaluates their statements for a few actions, without condition keys:
 * - the security account up to the root, for sts:AssumeRole: the break-glass users call it from there;
 * - each StackSet target (OU or account) up to the root, for IAM actions the role exists for (iam:AttachRolePolicy,
 *   iam:PutRolePolicy; iam:GetRole when the role is read-only).
 * An action passes a level when some SCP there allows it (SCPs are allow-lists: "every SCP from the root to the
 * account must allow it", Organizations user guide, "SCP evaluation") and no Deny applies. A Deny with conditions,
 * NotResource or specific resources is reported as warn unless it only names breakglass's own resources (the
 * guardrail SCP protects them). SCPs attached below a targeted OU are not read. SCPs never restrict the
 * management account (Organizations user guide, "Service control policies").
 */
import { NAMES } from '../../naming';
import type { Check, DoctorContext, Finding } from '../types';
import { attempt, fail, listSome, pass, plural, warn } from './common';

export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, unknown>;
}
export interface Scp { readonly id: string; readonly name: string; readonly statements: readonly Statement[] }
export interface Level { readonly target: string; readonly policies: readonly Scp[] }

const arr = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM action wildcards: * and ?, case-insensitive (IAM user guide, "IAM JSON policy elements: Action"). */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(action);
}

function covers(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return arr(s.Action).some((p) => actionMatches(p, action));
  if (s.NotAction !== undefined) return !arr(s.NotAction).some((p) => actionMatches(p, action));
  return false;
}

const unconditionalEverywhere = (s: Statement) => !s.Condition && s.NotResource === undefined && arr(s.Resource ?? '*').includes('*');

/**
 * Roles the breakglass guardrail keeps for the deployment (lib/constructs/guardrail-scp.ts, ProtectDeploymentRoles),
 * and IAM users (its ProtectBreakglassIam statement names the break-glass users): a Deny on those does not stop the
 * role repairing an account either, and the actions evaluated here act on roles, never on users.
 */
const DEPLOYMENT_ROLE_OR_USER = /:role\/(stacksets-exec-|AWSCloudFormationStackSetExecutionRole$)|^arn:[^:]+:iam::\d{12}:user\//;

/** A Deny that names only breakglass's own resources protects them; it does not stop the role repairing an account. */
function protectsBreakglassOnly(s: Statement, roleName: string): boolean {
  const res = arr(s.Resource);
  return s.NotResource === undefined && res.length > 0 && !res.includes('*')
    && res.every((r) => r.includes(NAMES.rulePrefix) || r.includes(`:role/${roleName}`) || r.includes('breakglass') || DEPLOYMENT_ROLE_OR_USER.test(r));
}

export interface ScpVerdict { readonly blocked: string[]; readonly uncertain: string[] }

/** Pure evaluation of one action along one path of levels. */
export function evaluatePath(levels: readonly Level[], action: string, roleName: string): ScpVerdict {
  const blocked: string[] = []; const uncertain: string[] = [];
  for (const level of levels) {
    if (level.policies.length === 0) continue; // nothing attached: SCPs not in force here (or not enabled)
    let allowed = false; let allowedConditionally = false;
    for (const p of level.policies) {
      for (const s of p.statements) {
        if (!covers(s, action)) continue;
        const where = `${p.name} (${p.id})${s.Sid ? ` statement ${s.Sid}` : ''} on ${level.target}`;
        if (s.Effect === 'Allow') {
          if (unconditionalEverywhere(s)) allowed = true; else allowedConditionally = true;
        } else if (s.Effect === 'Deny') {
          if (unconditionalEverywhere(s)) blocked.push(`${action} denied by ${where}`);
          else if (!protectsBreakglassOnly(s, roleName)) uncertain.push(`${action}: conditional or scoped Deny in ${where}`);
        }
      }
    }
    if (!allowed) (allowedConditionally ? uncertain : blocked).push(`${action} ${allowedConditionally ? 'only conditionally allowed' : 'not allowed by any SCP'} on ${level.target}`);
  }
  return { blocked, uncertain };
}

export function roleActions(managedPolicies: readonly string[]): string[] {
  const writes = managedPolicies.some((p) => /(^|\/)(IAMFullAccess|AdministratorAccess)$/.test(p));
  return writes ? ['iam:AttachRolePolicy', 'iam:PutRolePolicy'] : ['iam:GetRole'];
}

async function pathToRoot(ctx: DoctorContext, target: string): Promise<string[]> {
  const org = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
  return ctx.once(`path:${target}`, async () => {
    if (target.startsWith('r-')) return [target];
    let parent: string | undefined;
    for await (const page of org.paginateListParents({ client: ctx.organizations() }, { ChildId: target })) parent ??= page.Parents?.[0]?.Id;
    return parent ? [...(await pathToRoot(ctx, parent)), target] : [target];
  });
}

async function levelOf(ctx: DoctorContext, target: string): Promise<Level> {
  const org = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
  return ctx.once(`scp-level:${target}`, async () => {
    const ids: string[] = [];
    for await (const page of org.paginateListPoliciesForTarget({ client: ctx.organizations() }, { TargetId: target, Filter: 'SERVICE_CONTROL_POLICY' })) {
      for (const p of page.Policies ?? []) if (p.Id) ids.push(p.Id);
    }
    const policies = await Promise.all(ids.map((id) => ctx.once(`scp:${id}`, async (): Promise<Scp> => {
      const p = (await ctx.organizations().send(new org.DescribePolicyCommand({ PolicyId: id }))).Policy;
      const doc = JSON.parse(p?.Content ?? '{}') as { Statement?: Statement | Statement[] };
      const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
      return { id, name: p?.PolicySummary?.Name ?? id, statements };
    })));
    return { target, policies };
  });
}

async function evaluateTarget(ctx: DoctorContext, target: string, actions: readonly string[]): Promise<ScpVerdict & { policies: number }> {
  const path = await pathToRoot(ctx, target);
  const levels = await Promise.all(path.map((t) => levelOf(ctx, t)));
  const verdicts = actions.map((a) => evaluatePath(levels, a, ctx.config.role.name));
  return { blocked: verdicts.flatMap((v) => v.blocked), uncertain: verdicts.flatMap((v) => v.uncertain), policies: levels.reduce((n, l) => n + l.policies.length, 0) };
}

export const scpCheck: Check = {
  id: 'scp', title: 'Service control policies do not block the break-glass role', action: 'organizations:ListPoliciesForTarget',
  async run(ctx): Promise<Finding> {
    const c = ctx.config;
    const mgmt = c.organization.managementAccountId;
    const targets: Array<{ target: string; actions: string[] }> = [];
    if (c.securityAccount.accountId !== mgmt) targets.push({ target: c.securityAccount.accountId, actions: ['sts:AssumeRole'] });
    for (const t of [...c.organization.targets.organizationalUnits, ...c.organization.targets.accounts]) if (t !== mgmt) targets.push({ target: t, actions: roleActions(c.role.managedPolicies) });
    if (targets.length === 0) return pass('every account involved is the management account, which SCPs never restrict');

    const results = await Promise.all(targets.map(async (t) => ({ t, r: await attempt(ctx, 'organizations:ListPoliciesForTarget', () => evaluateTarget(ctx, t.target, t.actions)) })));
    const refused = results.filter((x) => !x.r.ok);
    const blocked = results.flatMap((x) => (x.r.ok ? x.r.value.blocked : []));
    const uncertain = results.flatMap((x) => (x.r.ok ? x.r.value.uncertain : []));
    const read = results.filter((x) => x.r.ok);
    const policies = read.reduce((n, x) => n + (x.r.ok ? x.r.value.policies : 0), 0);
    const scope = `looked at ${plural(policies, 'SCP attachment')} from the root to ${listSome(read.map((x) => x.t.target))} for ${[...new Set(targets.flatMap((t) => t.actions))].join(', ')}; `
      + 'conditions and SCPs below the targeted OUs are not evaluated';
    const errors = refused.map((x) => (x.r.ok ? '' : `${x.t.target}: ${x.r.error}`));
    if (blocked.length) {
      return fail(`${listSome(blocked, 5)}; ${scope}`, `change the SCP so it exempts arn:aws:iam::*:role/${c.role.name} (e.g. a Condition ArnNotLike aws:PrincipalArn) and allows sts:AssumeRole for the break-glass users in the security account; test with a drill`);
    }
    // Only the management account (or an Organizations delegated administrator) may read SCPs. From any other
    // account an error means "not readable from here", whatever its name; from the management account an error
    // other than a refusal means the config names a target the organization does not have.
    let caller: string | undefined;
    try { caller = (await ctx.caller()).account; } catch { /* unknown caller: judge by the error names */ }
    if (caller === mgmt && refused.some((x) => !x.r.ok && !x.r.refused)) {
      return fail(`${listSome(errors, 3)}${read.length ? `; ${scope}` : ''}`, 'check organization.targets and securityAccount.accountId against the organization (aws organizations list-roots / list-organizational-units-for-parent)');
    }
    if (errors.length) {
      return warn(`${listSome(errors, 3)}${read.length ? `; ${scope}` : ''}`, `run breakglass doctor with credentials of the management account ${mgmt} (or an Organizations delegated administrator) to read the SCPs`);
    }
    if (uncertain.length) return warn(`${listSome(uncertain, 5)}; ${scope}`, 'read these statements: make sure their conditions exempt the break-glass role and users, then run a drill');
    return pass(`no SCP blocks the break-glass path; ${scope}`);
  },
};
