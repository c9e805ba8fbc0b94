/**
 * The alert and operations topics (security account, home region): encrypted with a customer managed key, and
 * with confirmed subscriptions. SNS GetTopicAttributes (KmsMasterKeyId: "The ID of an AWS managed customer master
 * key (CMK) for Amazon SNS or a custom CMK", set only when server-side encryption is on) and
 * ListSubscriptionsByTopic (SDK paginator). A subscription that is not confirmed yet is listed with SubscriptionArn
 * "PendingConfirmation"; its confirmation token is valid for three days (SNS API Reference, Subscribe: "Confirmation
 * tokens are valid for three days"), after which it can never be confirmed and delivers nothing.
 */
import { NAMES } from '../../naming';
import { mapLimit } from '../concurrency';
import type { Check, DoctorContext } from '../types';
import { attempt, errorName, fail, listSome, pass, plural, warn, wrongAccount, type Outcome } from './common';

export interface Subscription { readonly protocol: string; readonly endpoint: string; readonly pending: boolean }

interface TopicRef { readonly label: string; readonly name: string; readonly emails: readonly string[] }

function topics(ctx: DoctorContext): TopicRef[] {
  const a = ctx.config.alerts;
  return [
    { label: 'alert topic', name: NAMES.alertTopic, emails: a.emails },
    { label: 'operations topic', name: NAMES.operationsTopic, emails: a.operations?.emails ?? a.emails },
  ];
}

async function topicArn(ctx: DoctorContext, name: string): Promise<string> {
  let partition = 'aws';
  try { partition = (await ctx.caller()).arn.split(':')[1] || 'aws'; } catch { /* default partition */ }
  return `arn:${partition}:sns:${ctx.config.securityAccount.region}:${ctx.config.securityAccount.accountId}:${name}`;
}

/**
 * Where a subscription delivers, fit for a report: an HTTPS endpoint's URL often carries an integration key
 * (paging services put it in the path or query), so only its origin is shown.
 */
export function safeEndpoint(protocol: string, endpoint: string): string {
  if (protocol === 'http' || protocol === 'https') {
    try { return `${new URL(endpoint).origin}/…`; } catch { return `${protocol} endpoint`; }
  }
  return endpoint;
}

export const topicEncryptionCheck: Check = {
  id: 'topic-encryption', title: 'Alert topics are encrypted with a customer managed KMS key', action: 'sns:GetTopicAttributes',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, 'the security account');
    if (guard) return guard;
    const { GetTopicAttributesCommand } = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
    const region = ctx.config.securityAccount.region;
    const results = await mapLimit(topics(ctx), ctx.concurrency, async (t) => {
      const arn = await topicArn(ctx, t.name);
      const r = await attempt(ctx, 'sns:GetTopicAttributes', async () => {
        try {
          return (await ctx.sns(region).send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
        } catch (e) {
          if (errorName(e) === 'NotFoundException' || errorName(e) === 'NotFound') return undefined;
          throw e;
        }
      });
      return { t, r };
    });
    const bad: string[] = []; const ok: string[] = []; const errors: string[] = [];
    for (const { t, r } of results) {
      if (!r.ok) { errors.push(`${t.name}: ${r.error}`); continue; }
      if (!r.value) { bad.push(`${t.name} does not exist`); continue; }
      const key = r.value.KmsMasterKeyId;
      if (!key) bad.push(`${t.name} is not encrypted`);
      // The AWS managed key's policy cannot be edited, so EventBridge may not use it: events would never arrive
      // (SNS developer guide, "Enable compatibility between event sources from AWS services and encrypted topics").
      else if (/alias\/aws\/sns$/.test(key)) bad.push(`${t.name} uses the AWS managed key alias/aws/sns, which EventBridge cannot use`);
      else ok.push(`${t.name}: ${key}`);
    }
    const detail = [...bad, ...errors, ...ok].join('; ');
    if (bad.length) return fail(detail, `redeploy the security stack (${ctx.config.securityAccount.accountId}, ${region}): it creates both topics with their own customer managed keys (${NAMES.alertKeyAlias}, ${NAMES.operationsKeyAlias})`);
    if (errors.length) return fail(detail, 'give the credentials sns:GetTopicAttributes, then run again');
    return pass(detail);
  },
};

export async function listSubscriptions(ctx: DoctorContext, arn: string): Promise<Subscription[]> {
  const sns = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
  const out: Subscription[] = [];
  for await (const page of sns.paginateListSubscriptionsByTopic({ client: ctx.sns(ctx.config.securityAccount.region) }, { TopicArn: arn })) {
    for (const s of page.Subscriptions ?? []) {
      out.push({ protocol: s.Protocol ?? '?', endpoint: s.Endpoint ?? '', pending: s.SubscriptionArn === 'PendingConfirmation' });
    }
  }
  return out;
}

/** The verdict for one topic's subscriptions. Pure: tested without AWS. */
export function judgeSubscriptions(topic: string, subs: readonly Subscription[], configuredEmails: readonly string[]): { status: 'pass' | 'warn' | 'fail'; text: string } {
  const confirmed = subs.filter((s) => !s.pending);
  const pending = subs.filter((s) => s.pending);
  const subscribed = new Set(subs.filter((s) => s.protocol === 'email' || s.protocol === 'email-json').map((s) => s.endpoint.toLowerCase()));
  const absent = configuredEmails.filter((e) => !subscribed.has(e.toLowerCase()));
  const parts = [`${plural(confirmed.length, 'confirmed subscription')}`];
  if (pending.length) parts.push(`pending confirmation: ${listSome(pending.map((s) => `${s.protocol} ${safeEndpoint(s.protocol, s.endpoint)}`))}`);
  if (absent.length) parts.push(`configured but not subscribed: ${listSome(absent)}`);
  const text = `${topic}: ${parts.join('; ')}`;
  if (confirmed.length === 0) return { status: 'fail', text };
  if (pending.length || absent.length) return { status: 'warn', text };
  return { status: 'pass', text };
}

export const topicSubscriptionsCheck: Check = {
  id: 'topic-subscriptions', title: 'Alert topic subscriptions are confirmed', action: 'sns:ListSubscriptionsByTopic',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, 'the security account');
    if (guard) return guard;
    const results = await mapLimit(topics(ctx), ctx.concurrency, async (t) => {
      const arn = await topicArn(ctx, t.name);
      const r: Outcome<Subscription[]> = await attempt(ctx, 'sns:ListSubscriptionsByTopic', () => listSubscriptions(ctx, arn));
      return { t, r };
    });
    const lines: Array<{ status: 'pass' | 'warn' | 'fail'; text: string }> = results.map(({ t, r }) => (r.ok
      ? judgeSubscriptions(t.name, r.value, t.emails)
      : { status: 'fail' as const, text: `${t.name}: ${r.error}` }));
    const detail = lines.map((l) => l.text).join('; ');
    const fix = 'each pending recipient must click the link in the "AWS Notification - Subscription Confirmation" email; '
      + 'the link expires 3 days after it was sent and an expired pending subscription never delivers: re-send it with '
      + `aws sns subscribe --topic-arn ARN --protocol email --notification-endpoint ADDRESS --region ${ctx.config.securityAccount.region}, `
      + 'and subscribe any configured address that is missing (redeploying the security stack restores them)';
    if (lines.some((l) => l.status === 'fail')) return fail(detail, `alerts reach nobody on a topic without a confirmed subscription; ${fix}`);
    if (lines.some((l) => l.status === 'warn')) return warn(detail, fix);
    return pass(detail);
  },
};

export const TOPIC_CHECKS: readonly Check[] = [topicEncryptionCheck, topicSubscriptionsCheck];


