/**
 * A trail is logging: EventBridge receives CloudTrail's "AWS API Call via CloudTrail" and sign-in events only while
 * a trail logs (EventBridge user guide, "Events from AWS services via AWS CloudTrail"). CloudTrail DescribeTrails
 * (home region, includeShadowTrails: true, so multi-region and organization trails created elsewhere are listed,
 * CloudTrail API Reference) and GetTrailStatus by trail ARN (IsLogging; "To get the status of a shadow trail …
 * you must specify its ARN").
 * cloudTrail.mode create: a multi-region trail of the security account (breakglass creates breakglass-trail).
 * existing-organization-trail: an organization trail (IsOrganizationTrail), which logs every account.
 * Event selectors (read and write management events) are not checked here.
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
}

async function trailFacts(ctx: DoctorContext, region: string) {
  const ct = require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail');
  const client = ctx.cloudTrail(region);
  const list = (await client.send(new ct.DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  return mapLimit(list, ctx.concurrency, async (t): Promise<TrailFacts> => {
    const arn = t.TrailARN ?? t.Name ?? '?';
    const base = { name: t.Name ?? arn, arn, multiRegion: !!t.IsMultiRegionTrail, organization: !!t.IsOrganizationTrail };
    const s = await attempt(ctx, 'cloudtrail:GetTrailStatus', () => client.send(new ct.GetTrailStatusCommand({ Name: arn })));
    return s.ok ? { ...base, logging: !!s.value.IsLogging } : { ...base, statusError: s.error, statusRefused: s.refused };
  });
}

/** Pure verdict over the trails found, for either mode. */
export function judgeTrails(mode: 'create' | 'existing-organization-trail', trails: readonly TrailFacts[], region: string) {
  const wanted = trails.filter((t) => (mode === 'create' ? t.multiRegion : t.organization));
  const kind = mode === 'create' ? 'multi-region trail' : 'organization trail';
  const logging = wanted.filter((t) => t.logging === true);
  if (logging.length) {
    const own = logging.find((t) => t.name === NAMES.trail);
    return pass(`${kind} logging: ${listSome(logging.map((t) => t.name))}${mode === 'create' && !own ? ` (not ${NAMES.trail}, which is absent or not logging)` : ''}`);
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
