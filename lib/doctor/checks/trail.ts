/**
 * A trail is logging: EventBridge receives CloudTrail's "AWS API Call via CloudTrail" and sign-in events only while
 * a trail logs (EventBridge user guide, "Events from AWS services via AWS CloudTrail"). CloudTrail DescribeTrails
 * (home region, includeShadowTrails: true, so multi-region and organization trails created elsewhere are listed,
 * CloudTrail API Reference) and GetTrailStatus by trail ARN (IsLogging; "To get the status of a shadow trail …
 * you must specify its ARN").
 * cloudTrail.mode create: a multi-region trail of the security account (breakglass creates breakglass-trail).
 * existing-organization-trail: an organization trail (IsOrganizationTrail), which logs every account.
 * Event selectors: the trail must log management events, read-only ones too: AssumeRole is recorded with
 * readOnly: true (IAM user guide, "Logging IAM and AWS STS API calls with AWS CloudTrail"), and a trail that logs only
 * write events never hands it to EventBridge. GetEventSelectors returns either basic selectors (ReadWriteType
 * All | ReadOnly | WriteOnly, IncludeManagementEvents) or advanced ones (field selectors on eventCategory and readOnly)
 * (CloudTrail API Reference, GetEventSelectors, EventSelector, AdvancedFieldSelector).
 */
import { NAMES } from '../../naming';
import { mapLimit } from '../concurrency';
import type { Check, DoctorContext } from '../types';
import { attempt, fail, listSome, pass, warn, wrongAccount } from './common';

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

/** Pure verdict over the trails found, for either mode. */
export function judgeTrails(mode: 'create' | 'existing-organization-trail', trails: readonly TrailFacts[], region: string) {
  const wanted = trails.filter((t) => (mode === 'create' ? t.multiRegion : t.organization));
  const kind = mode === 'create' ? 'multi-region trail' : 'organization trail';
  const logging = wanted.filter((t) => t.logging === true);
  const complete = logging.filter((t) => !t.management || (t.management.read && t.management.write));
  if (logging.length && !complete.length) {
    return fail(`${kind} logging but not all management events: ${logging.map((t) => `${t.name} (${t.management!.read ? 'read' : 'no read'}, ${t.management!.write ? 'write' : 'no write'})`).join('; ')}`,
      'log read and write management events (aws cloudtrail put-event-selectors --trail-name ARN --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'): AssumeRole is a read-only event, sign-ins and IAM changes are write events');
  }
  if (logging.length) {
    const unread = complete.filter((t) => !t.management);
    if (unread.length === complete.length) {
      return warn(`${kind} logging: ${listSome(complete.map((t) => t.name))}, but its event selectors could not be read`,
        'give the credentials cloudtrail:GetEventSelectors: a trail that skips read-only management events misses every AssumeRole');
    }
    const good = complete.filter((t) => t.management);
    const own = good.find((t) => t.name === NAMES.trail);
    return pass(`${kind} logging read and write management events: ${listSome(good.map((t) => t.name))}${mode === 'create' && !own ? ` (not ${NAMES.trail}, which is absent or not logging)` : ''}`);
  }
  const unknown = wanted.filter((t) => t.logging === undefined);
  if (unknown.length) {
    return warn(`${kind} found but its status could not be read: ${unknown.map((t) => `${t.name}: ${t.statusError}`).join('; ')}`,
      mode === 'create' ? 'give the credentials cloudtrail:GetTrailStatus, then run again'
        : 'run breakglass doctor with credentials of the management account (or the CloudTrail delegated administrator) that owns the organization trail');
  }
  if (wanted.length) {
    return fail(`${kind} not logging: ${listSome(wanted.map((t) => t.name))}`,
      `start it (aws cloudtrail start-logging --name ARN --region ${region}) and find out who stopped it: without a logging trail no alert is raised`);
  }
  return fail(`no ${kind} in ${region}${trails.length ? ` (found: ${listSome(trails.map((t) => t.name))})` : ''}`,
    mode === 'create' ? `redeploy the security stack: it creates the multi-region trail ${NAMES.trail}`
      : 'create an organization trail in the management account, or set cloudTrail.mode: create');
}

export const trailCheck: Check = {
  id: 'trail', title: 'A CloudTrail trail is logging', action: 'cloudtrail:DescribeTrails',
  async run(ctx) {
    const mode = ctx.config.cloudTrail.mode;
    if (mode === 'create') {
      const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, 'the security account');
      if (guard) return guard;
    }
    const region = ctx.config.securityAccount.region;
    const facts = await attempt(ctx, 'cloudtrail:DescribeTrails', () => trailFacts(ctx, region));
    if (!facts.ok) return fail(facts.error, 'give the credentials cloudtrail:DescribeTrails and cloudtrail:GetTrailStatus, then run again');
    return judgeTrails(mode, facts.value, region);
  },
};
