/**
 * The member StackSets' instances are current in every target account and region.
 * CloudFormation ListStackInstances (SDK paginator, one pagination per region through StackInstanceRegion, run in
 * parallel; CallAs DELEGATED_ADMIN when deployed from a delegated administrator) in the home region, where the
 * StackSets live. The expected accounts come from Organizations (ListAccounts for a root target, else
 * ListOrganizationalUnitsForParent + ListAccountsForParent down every targeted OU), without the management account
 * (service-managed StackSets never deploy there) and the security account (excluded on purpose); for the
 * self-managed StackSet, the accounts of the config.
 * Statuses (CloudFormation API Reference, StackInstanceSummary and StackInstanceComprehensiveStatus): Status CURRENT |
 * OUTDATED | INOPERABLE; DetailedStatus PENDING | RUNNING | SUCCEEDED | FAILED | CANCELLED | INOPERABLE |
 * SKIPPED_SUSPENDED_ACCOUNT | FAILED_IMPORT.
 */
import { detectionContext } from '../../detection/context';
import { NAMES } from '../../naming';
import { mapLimit } from '../concurrency';
import type { Check, DoctorContext } from '../types';
import { attempt, errorName, fail, listSome, pass, plural, warn, wrongAccount } from './common';

export interface Instance { readonly account: string; readonly region: string; readonly status: string; readonly detailed?: string; readonly reason?: string }

export interface InstanceReport {
  readonly missing: string[];
  readonly outdated: string[];
  readonly failed: string[];
  readonly inProgress: string[];
  readonly current: number;
}

const FAILED = new Set(['FAILED', 'CANCELLED', 'INOPERABLE', 'FAILED_IMPORT']);
const IN_PROGRESS = new Set(['PENDING', 'RUNNING']);

/** Pure: expected accounts × regions against the instances found. `expected` undefined: only judge what exists. */
export function classifyInstances(instances: readonly Instance[], regions: readonly string[], expected?: readonly string[]): InstanceReport {
  const byKey = new Map(instances.map((i) => [`${i.account}/${i.region}`, i]));
  const missing: string[] = [];
  if (expected) {
    for (const account of expected) {
      const gone = regions.filter((r) => !byKey.has(`${account}/${r}`));
      if (gone.length === regions.length) missing.push(`${account} (all ${plural(regions.length, 'region')})`);
      else if (gone.length) missing.push(`${account} (${gone.join(', ')})`);
    }
  }
  const outdated: string[] = []; const failed: string[] = []; const inProgress: string[] = [];
  let current = 0;
  for (const i of instances) {
    const key = `${i.account}/${i.region}`;
    // A suspended account is skipped by StackSets on purpose; nothing to repair there.
    if (i.detailed === 'SKIPPED_SUSPENDED_ACCOUNT') continue;
    if (i.status === 'INOPERABLE' || (i.detailed && FAILED.has(i.detailed))) failed.push(`${key} ${i.detailed ?? i.status}${i.reason ? `: ${i.reason}` : ''}`);
    else if (i.detailed && IN_PROGRESS.has(i.detailed)) inProgress.push(`${key} ${i.detailed}`);
    else if (i.status === 'OUTDATED') outdated.push(`${key}${i.reason ? `: ${i.reason}` : ''}`);
    else if (i.status === 'CURRENT') current++;
  }
  return { missing, outdated, failed, inProgress, current };
}

async function listInstances(ctx: DoctorContext, stackSetName: string, regions: readonly string[]): Promise<Instance[]> {
  const cf = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  const client = ctx.cloudFormation(ctx.config.securityAccount.region);
  const callAs = ctx.config.organization.deployFrom === 'delegated-admin' ? 'DELEGATED_ADMIN' : 'SELF';
  const perRegion = await mapLimit(regions, ctx.concurrency, async (region) => {
    const out: Instance[] = [];
    // MaxResults: at most 100 per page (CloudFormation API Reference, ListStackInstances).
    for await (const page of cf.paginateListStackInstances({ client, pageSize: 100 }, { StackSetName: stackSetName, StackInstanceRegion: region, CallAs: callAs })) {
      for (const s of page.Summaries ?? []) {
        // Filtered again here: an endpoint that ignores StackInstanceRegion must not count an instance twice.
        if (s.Region !== region || !s.Account) continue;
        out.push({ account: s.Account, region, status: s.Status ?? 'UNKNOWN', detailed: s.StackInstanceStatus?.DetailedStatus, reason: s.StatusReason });
      }
    }
    return out;
  });
  return perRegion.flat();
}

/** ACTIVE accounts in the targeted OUs (recursively), or the whole organization when the root is targeted. */
async function accountsInTargets(ctx: DoctorContext, targets: readonly string[]): Promise<string[]> {
  const org = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
  const client = ctx.organizations();
  // State is the current field, Status the retired one (see lib/links/organization.ts).
  const active = (a: { State?: string; Status?: string }) => (a.State ?? a.Status) === 'ACTIVE';
  const found = new Set<string>();
  if (targets.some((t) => t.startsWith('r-'))) {
    for await (const page of org.paginateListAccounts({ client, pageSize: 20 }, {})) for (const a of page.Accounts ?? []) if (a.Id && active(a)) found.add(a.Id);
    return [...found];
  }
  // Depth first and pipelined: a child OU is listed as soon as its parent's OU page arrives, not after the parent's
  // account pages (which cannot be parallelized: each page needs the previous page's token).
  const visit = async (parent: string): Promise<void> => {
    const accounts = async () => {
      for await (const page of org.paginateListAccountsForParent({ client, pageSize: 20 }, { ParentId: parent })) for (const a of page.Accounts ?? []) if (a.Id && active(a)) found.add(a.Id);
    };
    const children = async () => {
      const ids: string[] = [];
      for await (const page of org.paginateListOrganizationalUnitsForParent({ client, pageSize: 20 }, { ParentId: parent })) for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) ids.push(ou.Id);
      await mapLimit(ids, ctx.concurrency, visit);
    };
    // Both started here and awaited together, so a failure of either is handled (no unhandled rejection).
    await Promise.all([accounts(), children()]);
  };
  await mapLimit([...new Set(targets)], ctx.concurrency, visit);
  return [...found];
}

export const stackSetCheck: Check = {
  id: 'stackset-instances', title: 'Member StackSet instances are current in every target account and region', action: 'cloudformation:ListStackInstances',
  async run(ctx) {
    const c = ctx.config;
    const admin = c.organization.deployFrom === 'delegated-admin' ? c.organization.delegatedAdminAccountId! : c.organization.managementAccountId;
    const adminLabel = c.organization.deployFrom === 'delegated-admin' ? 'the StackSets delegated administrator' : 'the management account';
    const guard = await wrongAccount(ctx, admin, adminLabel);
    if (guard) return guard;
    const regions = detectionContext(c).regions;
    const excluded = new Set([c.organization.managementAccountId, c.securityAccount.accountId]);
    const sets: Array<{ name: string; expected: () => Promise<string[]> }> = [];
    if (c.organization.targets.organizationalUnits.length) {
      sets.push({ name: NAMES.memberStackSet, expected: async () => (await accountsInTargets(ctx, c.organization.targets.organizationalUnits)).filter((a) => !excluded.has(a)) });
    }
    if (c.organization.targets.accounts.length) sets.push({ name: `${NAMES.memberStackSet}-accounts`, expected: async () => [...c.organization.targets.accounts] });

    const problems: string[] = []; const notes: string[] = []; const ok: string[] = [];
    let refused = false; let broken = false; let pending = false;
    for (const s of sets) {
      const [instances, expected] = await Promise.all([
        attempt(ctx, 'cloudformation:ListStackInstances', async () => {
          try {
            return await listInstances(ctx, s.name, regions);
          } catch (e) {
            if (errorName(e) === 'StackSetNotFoundException') return undefined;
            throw e;
          }
        }),
        attempt(ctx, 'organizations:ListAccountsForParent', s.expected),
      ]);
      if (!instances.ok) { problems.push(`${s.name}: ${instances.error}`); refused ||= instances.refused; if (!instances.refused) broken = true; continue; }
      if (!instances.value) { problems.push(`StackSet ${s.name} does not exist`); broken = true; continue; }
      if (!expected.ok) notes.push(`${s.name}: target accounts not listed (${expected.error}), so missing instances are not reported`);
      const r = classifyInstances(instances.value, regions, expected.ok ? expected.value : undefined);
      if (r.missing.length) problems.push(`${s.name}: missing in ${plural(r.missing.length, 'account')}: ${listSome(r.missing)}`);
      if (r.failed.length) problems.push(`${s.name}: failed: ${listSome(r.failed)}`);
      if (r.outdated.length) problems.push(`${s.name}: OUTDATED: ${listSome(r.outdated)}`);
      if (r.inProgress.length) { notes.push(`${s.name}: in progress: ${listSome(r.inProgress)}`); pending = true; }
      if (r.missing.length || r.failed.length || r.outdated.length) broken = true;
      else ok.push(`${s.name}: ${plural(r.current, 'instance')} CURRENT${expected.ok ? ` across ${plural(expected.value.length, 'account')} × ${plural(regions.length, 'region')}` : ''}`);
    }
    const detail = [...problems, ...notes, ...ok].join('; ') + '; the management account has its own stacks (Breakglass-Management*), not instances';
    if (broken) {
      return fail(detail, `redeploy Breakglass-MemberStackSets from ${adminLabel} ${admin}; for failed instances read the StatusReason in the CloudFormation console (StackSets, Stack instances) first`);
    }
    if (refused) {
      return warn(detail, `run breakglass doctor with credentials of ${adminLabel} ${admin}${c.organization.deployFrom === 'delegated-admin' ? ' (calls are made with CallAs DELEGATED_ADMIN)' : ''}; it needs cloudformation:ListStackInstances and organizations:ListAccounts / ListAccountsForParent`);
    }
    if (notes.length && !pending) return warn(detail, `run with credentials of ${adminLabel} ${admin} that may also call organizations:ListAccounts`);
    if (pending) return warn(detail, 'an operation is still running: run doctor again when it has finished');
    return pass(detail);
  },
};
