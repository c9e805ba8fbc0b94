/**
 * Every targeted account is covered by a logging trail with read and write management events: EventBridge receives
 * CloudTrail's "AWS API Call via CloudTrail" and sign-in events only while a trail logs in that account (EventBridge
 * user guide, "AWS service events delivered via AWS CloudTrail"), and SwitchRole and the role owner's AssumeRole are
 * recorded in the member accounts.
 * - An organization trail (IsOrganizationTrail) logs every account of the organization, present and future (CloudTrail
 *   user guide, "Creating a trail for an organization"); member accounts see it in DescribeTrails, so doctor proves
 *   coverage with the credentials of any account. cloudTrail.mode create deploys one (Breakglass-Trail);
 *   existing-organization-trail expects one.
 * - Without one, doctor can read only the trails of the account its credentials belong to: a multi-region trail there
 *   covers that account, and the other targets cannot be proven covered (a warning naming them, with the fix).
 * CloudTrail DescribeTrails (home region, includeShadowTrails: true, so multi-region and organization trails created
 * elsewhere are listed, CloudTrail API Reference) and GetTrailStatus by trail ARN (IsLogging; "To get the status of a
 * shadow trail … you must specify its ARN").
 * Event selectors: the trail must log management events, read-only ones too: AssumeRole is recorded with
 * readOnly: true (IAM user guide, "Logging IAM and AWS STS API calls with AWS CloudTrail"), and a trail that logs only
 * write events never hands it to EventBridge. GetEventSelectors returns either basic selectors (ReadWriteType
 * All | ReadOnly | WriteOnly, IncludeManagementEvents) or advanced ones (field selectors on eventCategory and readOnly)
 * (CloudTrail API Reference, GetEventSelectors, EventSelector, AdvancedFieldSelector).
 */
import type { BreakglassConfig } from '../../config/schema';
import { stackIds } from '../../deployment/stack-ids';
import { NAMES } from '../../naming';
import { mapLimit } from '../concurrency';
import type { Check, DoctorContext } from '../types';
import { attempt, fail, listSome, pass, warn } from './common';

export interface TrailFacts {
  readonly name: string;
  readonly arn: string;
  readonly multiRegion: boolean;
  readonly organization: boolean;
  /** undefined: the status could not be read (the error is in statusError). */
  readonly logging?: boolean;
  readonly statusError?: string;
  readonly statusRefused?: boolean;
  /** Which management events the trail logs; undefined when the selectors could not be read. */
  readonly management?: { readonly read: boolean; readonly write: boolean };
}

interface SelectorsResponse {
  readonly EventSelectors?: ReadonlyArray<{ ReadWriteType?: string; IncludeManagementEvents?: boolean }>;
  readonly AdvancedEventSelectors?: ReadonlyArray<{ FieldSelectors?: ReadonlyArray<{ Field?: string; Equals?: string[]; NotEquals?: string[] }> }>;
}

/** Which management events a trail's selectors log (pure). */
export function managementCoverage(r: SelectorsResponse): { read: boolean; write: boolean } {
  let read = false;
  let write = false;
  for (const sel of r.EventSelectors ?? []) {
    // IncludeManagementEvents defaults to true; ReadWriteType to All.
    if (sel.IncludeManagementEvents === false) continue;
    const rw = sel.ReadWriteType ?? 'All';
    if (rw === 'All' || rw === 'ReadOnly') read = true;
    if (rw === 'All' || rw === 'WriteOnly') write = true;
  }
  for (const adv of r.AdvancedEventSelectors ?? []) {
    const fields = adv.FieldSelectors ?? [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category?.Equals?.includes('Management')) continue;
    const ro = fields.find((f) => f.Field === 'readOnly');
    const allows = (v: 'true' | 'false') => !ro || ((!ro.Equals || ro.Equals.includes(v)) && !(ro.NotEquals ?? []).includes(v));
    if (allows('true')) read = true;
    if (allows('false')) write = true;
  }
  return { read, write };
}

async function trailFacts(ctx: DoctorContext, region: string) {
  const ct = require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail');
  const client = ctx.cloudTrail(region);
  const list = (await client.send(new ct.DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  return mapLimit(list, ctx.concurrency, async (t): Promise<TrailFacts> => {
    const arn = t.TrailARN ?? t.Name ?? '?';
    const base = { name: t.Name ?? arn, arn, multiRegion: !!t.IsMultiRegionTrail, organization: !!t.IsOrganizationTrail };
    const [s, sel] = await Promise.all([
      attempt(ctx, 'cloudtrail:GetTrailStatus', () => client.send(new ct.GetTrailStatusCommand({ Name: arn }))),
      attempt(ctx, 'cloudtrail:GetEventSelectors', () => client.send(new ct.GetEventSelectorsCommand({ TrailName: arn }))),
    ]);
    // AWS returns a trail's selectors, the default one included; an answer with none at all (moto's, for a trail
    // created without PutEventSelectors) says nothing, so it counts as unread rather than as "logs nothing".
    const none = sel.ok && !sel.value.EventSelectors?.length && !sel.value.AdvancedEventSelectors?.length;
    const management = sel.ok && !none ? managementCoverage(sel.value) : undefined;
    return s.ok ? { ...base, logging: !!s.value.IsLogging, management } : { ...base, statusError: s.error, statusRefused: s.refused, management };
  });
}

/** What a verdict needs besides the trails: the mode, the targets to cover, and whose trails were read. */
export interface TrailScope {
  readonly mode: BreakglassConfig['cloudTrail']['mode'];
  /** Targets that must be covered: OU IDs, account IDs, each with what it is, e.g. "333333333333 (security account)". */
  readonly targets: readonly { readonly id: string; readonly label: string }[];
  /** The account whose credentials read the trails; undefined when unknown. */
  readonly callerAccount?: string;
}

/** The accounts and OUs a trail must cover for this config: StackSet targets, the security and the management account. */
export function trailTargets(c: BreakglassConfig): TrailScope['targets'] {
  const o = c.organization;
  return [
    { id: c.securityAccount.accountId, label: `${c.securityAccount.accountId} (security account)` },
    ...(o.includeManagementAccount && o.managementAccountId !== c.securityAccount.accountId
      ? [{ id: o.managementAccountId, label: `${o.managementAccountId} (management account)` }] : []),
    ...o.targets.organizationalUnits.map((ou) => ({ id: ou, label: `every account in ${ou}` })),
    ...o.targets.accounts.map((a) => ({ id: a, label: a })),
  ];
}

type Verdict = ReturnType<typeof pass>;

/** Verdict over the trails of one kind; undefined when there is none of that kind. */
function judgeKind(kind: string, wanted: readonly TrailFacts[], region: string, unreadableFix: string): Verdict | undefined {
  if (wanted.length === 0) return undefined;
  const logging = wanted.filter((t) => t.logging === true);
  const complete = logging.filter((t) => !t.management || (t.management.read && t.management.write));
  if (logging.length && !complete.length) {
    return fail(`${kind} logging but not all management events: ${logging.map((t) => `${t.name} (${t.management!.read ? 'read' : 'no read'}, ${t.management!.write ? 'write' : 'no write'})`).join('; ')}`,
      'log read and write management events (aws cloudtrail put-event-selectors --trail-name ARN --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'): AssumeRole is a read-only event, sign-ins and IAM changes are write events');
  }
  if (logging.length) {
    const good = complete.filter((t) => t.management);
    if (good.length === 0) {
      return warn(`${kind} logging: ${listSome(complete.map((t) => t.name))}, but its event selectors could not be read`,
        'give the credentials cloudtrail:GetEventSelectors: a trail that skips read-only management events misses every AssumeRole');
    }
    return pass(`${kind} logging read and write management events: ${listSome(good.map((t) => t.name))}`);
  }
  const unknown = wanted.filter((t) => t.logging === undefined);
  if (unknown.length) {
    return warn(`${kind} found but its status could not be read: ${unknown.map((t) => `${t.name}: ${t.statusError}`).join('; ')}`, unreadableFix);
  }
  return fail(`${kind} not logging: ${listSome(wanted.map((t) => t.name))}`,
    `start it (aws cloudtrail start-logging --name ARN --region ${region}) and find out who stopped it: without a logging trail no alert is raised`);
}

/** Pure verdict: is every target covered by a logging trail with read and write management events? */
export function judgeTrails(scope: TrailScope, trails: readonly TrailFacts[], region: string): Verdict {
  const create = scope.mode === 'create';
  const deployTrail = `deploy ${stackIds.trail} with credentials of the management account (cloudTrail.mode: create; it creates the organization trail ${NAMES.trail})`;
  const org = judgeKind('organization trail', trails.filter((t) => t.organization), region,
    'run breakglass doctor with credentials of the management account (or the CloudTrail delegated administrator) that owns the organization trail');
  if (org?.status === 'pass') {
    const named = trails.some((t) => t.organization && t.name === NAMES.trail && t.logging);
    return pass(`${org.detail}; an organization trail logs every account of the organization, so it covers every target: ${listSome(scope.targets.map((t) => t.label))}`
      + (create && !named ? ` (not ${NAMES.trail}, which is absent or not logging)` : ''));
  }
  if (org) return org;

  // No organization trail: only this account's own trails can be read.
  const own = judgeKind('multi-region trail', trails.filter((t) => t.multiRegion), region, 'give the credentials cloudtrail:GetTrailStatus, then run again');
  const noOrg = create ? `no organization trail (${NAMES.trail} from ${stackIds.trail})` : 'no organization trail';
  if (own?.status === 'pass') {
    const caller = scope.callerAccount;
    const unproven = scope.targets.filter((t) => t.id !== caller).map((t) => t.label);
    if (unproven.length === 0) return pass(`${own.detail}; it covers account ${caller}, the only target`);
    return warn(`${noOrg}; ${own.detail}, which covers only account ${caller ?? 'of these credentials'}. Not proven covered: ${listSome(unproven)}: doctor sees only the trails of the account its credentials belong to`,
      create ? deployTrail
        : `create an organization trail from the management account (or set cloudTrail.mode: create), or check every target's own trail with its credentials (aws cloudtrail describe-trails --include-shadow-trails; aws cloudtrail get-event-selectors --trail-name ARN)`);
  }
  if (own) return { status: own.status === 'warn' ? 'warn' : 'fail', detail: `${noOrg}; ${own.detail}`, fix: create ? deployTrail : own.fix };
  return fail(`${noOrg} and no multi-region trail in ${region}${trails.length ? ` (found: ${listSome(trails.map((t) => t.name))})` : ''}: EventBridge receives no CloudTrail events in these accounts`,
    create ? deployTrail : 'create an organization trail in the management account, or set cloudTrail.mode: create');
}

export const trailCheck: Check = {
  id: 'trail', title: 'A trail logs every targeted account', action: 'cloudtrail:DescribeTrails',
  async run(ctx) {
    const c = ctx.config;
    const region = c.securityAccount.region;
    const facts = await attempt(ctx, 'cloudtrail:DescribeTrails', () => trailFacts(ctx, region));
    if (!facts.ok) return fail(facts.error, 'give the credentials cloudtrail:DescribeTrails and cloudtrail:GetTrailStatus, then run again');
    let callerAccount: string | undefined;
    try { callerAccount = (await ctx.caller()).account; } catch { /* unknown: the warning says "these credentials" */ }
    return judgeTrails({ mode: c.cloudTrail.mode, targets: trailTargets(c), callerAccount }, facts.value, region);
  },
};
