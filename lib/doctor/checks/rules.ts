/**
 * The alert rules exist and are enabled where they must run:
 * - central rules: every catalogue rule (and the heartbeat) on the central bus, security account, home region;
 * - forwarders: on the default bus of every watched region of the account the credentials belong to (the security
 *   account's own forwarders, or the member baseline's in a member or the management account).
 * EventBridge ListRules (NamePrefix, paged by NextToken by hand: the SDK ships no ListRules paginator).
 * Rule states (EventBridge API Reference, PutRule State): DISABLED | ENABLED |
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; only the last one receives read-only management events such as
 * AssumeRole (EventBridge user guide, "Receiving read-only management events from AWS services").
 */
import { ruleState } from '../../constructs/rule-state';
import { CATALOGUE, regionsFor, rulesForAccountKind } from '../../detection/catalogue';
import { detectionContext } from '../../detection/context';
import { centralRuleName, forwarderRuleName, NAMES } from '../../naming';
import { mapLimit } from '../concurrency';
import type { Check, DoctorContext, Finding } from '../types';
import { attempt, errorName, fail, listSome, pass, plural, wrongAccount } from './common';

export type RuleState = 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
export interface ExpectedRule { readonly region: string; readonly name: string; readonly state: RuleState }

/** Same name as HEARTBEAT_SCHEDULE_RULE in lib/constructs/heartbeat.ts, not imported: that module loads aws-cdk-lib. */
export const HEARTBEAT_SCHEDULE_RULE = `${NAMES.rulePrefix}heartbeat-schedule`;

export function expectedCentralRules(ctx: DoctorContext): ExpectedRule[] {
  const region = ctx.config.securityAccount.region;
  const rules: ExpectedRule[] = CATALOGUE.map((r) => ({ region, name: centralRuleName(r.id), state: ruleState(r) }));
  if (ctx.config.alerts.heartbeat.enabled) rules.push({ region, name: centralRuleName('heartbeat'), state: 'ENABLED' });
  return rules;
}

export function expectedForwarders(ctx: DoctorContext, kind: 'security' | 'member'): ExpectedRule[] {
  const d = detectionContext(ctx.config);
  const out: ExpectedRule[] = [];
  for (const rule of rulesForAccountKind(kind)) {
    for (const region of regionsFor(rule, d)) out.push({ region, name: forwarderRuleName(rule.id), state: ruleState(rule) });
  }
  return out;
}

/** What is wrong with the rules found, given the rules expected. A stricter state than asked for is fine. */
export function compareRules(expected: readonly ExpectedRule[], found: ReadonlyMap<string, string>): { missing: string[]; wrongState: string[] } {
  const missing: string[] = []; const wrongState: string[] = [];
  for (const e of expected) {
    const key = `${e.region}/${e.name}`;
    const state = found.get(key);
    if (state === undefined) missing.push(key);
    else if (!(state === e.state || (e.state === 'ENABLED' && state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'))) wrongState.push(`${key} is ${state} (expected ${e.state})`);
  }
  return { missing, wrongState };
}

async function listRules(ctx: DoctorContext, region: string, prefix: string, bus?: string): Promise<Map<string, string>> {
  const { ListRulesCommand } = require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge');
  const found = new Map<string, string>();
  let token: string | undefined;
  do {
    // Limit: at most 100 per page (EventBridge API Reference, ListRules).
    const page = await ctx.eventBridge(region).send(new ListRulesCommand({ NamePrefix: prefix, EventBusName: bus, NextToken: token, Limit: 100 }));
    for (const r of page.Rules ?? []) if (r.Name) found.set(`${region}/${r.Name}`, r.State ?? 'UNKNOWN');
    token = page.NextToken;
  } while (token);
  return found;
}

function verdict(what: string, expected: readonly ExpectedRule[], found: Map<string, string>, errors: string[], fixMissing: string): Finding {
  const { missing, wrongState } = compareRules(expected, found);
  const parts: string[] = [];
  if (missing.length) parts.push(`missing: ${listSome(missing)}`);
  if (wrongState.length) parts.push(`wrong state: ${listSome(wrongState)}`);
  if (errors.length) parts.push(`not read: ${listSome(errors, 3)}`);
  if (missing.length || wrongState.length) {
    return fail(`${what}: ${parts.join('; ')}`, `${fixMissing}${wrongState.length ? '; a disabled rule raises no alert, and one in plain ENABLED misses read-only events such as AssumeRole: redeploy the stack that owns it, which restores the state the catalogue asks for, and find out who changed it' : ''}`);
  }
  if (errors.length) return fail(`${what}: ${parts.join('; ')}`, 'give the credentials events:ListRules in every watched region, then run again');
  return pass(`${what}: all ${plural(expected.length, 'rule')} present and enabled`);
}

export const centralRulesCheck: Check = {
  id: 'central-rules', title: 'Central alert rules exist and are enabled', action: 'events:ListRules',
  async run(ctx) {
    const c = ctx.config;
    const guard = await wrongAccount(ctx, c.securityAccount.accountId, 'the security account');
    if (guard) return guard;
    const region = c.securityAccount.region;
    const central = await attempt(ctx, 'events:ListRules', () => listRules(ctx, region, NAMES.rulePrefix, NAMES.centralBus));
    if (!central.ok) {
      if (/ResourceNotFound/.test(central.error)) return fail(`the central bus ${NAMES.centralBus} does not exist in ${region}`, `deploy the security stack in account ${c.securityAccount.accountId}, ${region}`);
      return fail(central.error, 'give the credentials events:ListRules, then run again');
    }
    const expected = expectedCentralRules(ctx);
    const found = new Map(central.value);
    const errors: string[] = [];
    if (c.alerts.heartbeat.enabled) {
      // The heartbeat's schedule rule lives on the default bus of the home region.
      const sched = await attempt(ctx, 'events:ListRules', () => listRules(ctx, region, HEARTBEAT_SCHEDULE_RULE));
      if (sched.ok) for (const [k, v] of sched.value) found.set(k, v);
      else errors.push(sched.error);
      expected.push({ region, name: HEARTBEAT_SCHEDULE_RULE, state: 'ENABLED' });
    }
    return verdict(`bus ${NAMES.centralBus} (${region})`, expected, found, errors, `redeploy the security stack (${c.securityAccount.accountId}, ${region})`);
  },
};

export const forwarderRulesCheck: Check = {
  id: 'forwarder-rules', title: 'Forwarder rules exist and are enabled in every watched region', action: 'events:ListRules',
  async run(ctx) {
    let account: string;
    try {
      account = (await ctx.caller()).account;
    } catch (e) {
      return fail(`cannot tell which account to check: sts:GetCallerIdentity failed (${errorName(e) ?? 'error'})`, 'fix the credentials (see the credentials check)');
    }
    const kind = account === ctx.config.securityAccount.accountId ? 'security' : 'member';
    const expected = expectedForwarders(ctx, kind);
    const regions = [...new Set(expected.map((e) => e.region))];
    const found = new Map<string, string>();
    const errors: string[] = [];
    await mapLimit(regions, ctx.concurrency, async (region) => {
      const r = await attempt(ctx, 'events:ListRules', () => listRules(ctx, region, forwarderRuleName('')));
      if (r.ok) for (const [k, v] of r.value) found.set(k, v);
      else errors.push(`${region}: ${r.error}`);
    });
    const what = `account ${account} (${kind === 'security' ? 'security account' : 'member baseline'}), ${plural(regions.length, 'region')}`;
    const fix = kind === 'security'
      ? `redeploy the security stacks (Breakglass-Security and Breakglass-Security-<region>) in account ${account}`
      : account === ctx.config.organization.managementAccountId
        ? 'redeploy the Breakglass-Management stacks in the management account'
        : 'check the member StackSet instances of this account (stackset-instances) and redeploy them';
    const f = verdict(what, expected, found, errors, fix);
    return f.status === 'pass' ? { ...f, detail: `${f.detail}; other accounts are checked through their StackSet instances (run doctor in an account to read its rules)` } : f;
  },
};

export const RULE_CHECKS: readonly Check[] = [centralRulesCheck, forwarderRulesCheck];
