/**
 * Checks that need more than one field at a time. Each returns problems; none throws.
 *
 * Most look inside one section and are attached to it in schema.ts: they run as soon as that section is well-formed,
 * so their problems are reported together with the schema problems of the other sections. Only
 * `crossSectionProblems` needs the whole config and runs once everything else is valid.
 * Paths are relative to the section the function is given.
 */
import type { z } from 'zod';
import { managedPolicyKey } from './managed-policies';
import type { alertsSchema, BreakglassConfig, organizationSchema, regionsSchema, roleSchema, serviceControlPolicySchema } from './schema';

export interface ConfigProblem {
  /** Field path, e.g. ["users", 1, "name"]. */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

export function organizationProblems(o: z.output<typeof organizationSchema>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const t = o.targets;
  if (t.organizationalUnits.length === 0 && t.accounts.length === 0) {
    problems.push({ path: ['targets'], message: 'expected at least one organizational unit or account to receive the break-glass role' });
  }
  duplicates(t.accounts).forEach((i) => problems.push({ path: ['targets', 'accounts', i], message: `duplicate account "${t.accounts[i]}"` }));
  duplicates(t.organizationalUnits).forEach((i) => problems.push({ path: ['targets', 'organizationalUnits', i], message: `duplicate OU "${t.organizationalUnits[i]}"` }));
  if (t.accounts.includes(o.managementAccountId)) {
    problems.push({ path: ['targets', 'accounts', t.accounts.indexOf(o.managementAccountId)], message: 'the management account is handled by organization.includeManagementAccount, not the StackSet target list' });
  }
  if (o.deployFrom === 'delegated-admin' && !o.delegatedAdminAccountId) {
    problems.push({ path: ['delegatedAdminAccountId'], message: 'expected the delegated administrator account ID because deployFrom is "delegated-admin"' });
  }
  if (o.deployFrom === 'management' && o.delegatedAdminAccountId) {
    problems.push({ path: ['delegatedAdminAccountId'], message: 'set only when deployFrom is "delegated-admin"' });
  }
  return problems;
}

export function regionsProblems(r: z.output<typeof regionsSchema>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const regions = [...r.enabled, ...r.optIn];
  duplicates(regions).forEach((i) => {
    const inOptIn = i >= r.enabled.length;
    problems.push({ path: [inOptIn ? 'optIn' : 'enabled', inOptIn ? i - r.enabled.length : i], message: `region "${regions[i]}" listed twice` });
  });
  // IAM API events are recorded only in us-east-1; without it, user and role changes go unseen.
  if (!regions.includes('us-east-1')) {
    problems.push({ path: ['enabled'], message: 'expected "us-east-1" among the watched regions: IAM and root sign-in events are recorded only there' });
  }
  return problems;
}

export function alertsProblems(a: z.output<typeof alertsSchema>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (a.emails.length + a.https.length + a.slack.length + a.teams.length === 0) {
    problems.push({ path: [], message: 'expected at least one alert recipient (alerts.emails, https, slack or teams): alerts with no recipient are silent' });
  }
  if (!a.operations && a.emails.length === 0) {
    problems.push({ path: ['operations'], message: 'expected operations.emails: alarms on the alert path need an email recipient, and alerts.emails is empty' });
  }
  duplicates(a.emails.map((e) => e.toLowerCase())).forEach((i) => problems.push({ path: ['emails', i], message: `duplicate email "${a.emails[i]}"` }));
  return problems;
}

export function serviceControlPolicyProblems(scp: z.output<typeof serviceControlPolicySchema>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (scp.enabled && scp.targets.length === 0) {
    problems.push({ path: ['targets'], message: 'expected at least one root, OU or account to attach the service control policy to' });
  }
  duplicates(scp.targets).forEach((i) => problems.push({ path: ['targets', i], message: `duplicate target "${scp.targets[i]}"` }));
  return problems;
}

export function roleProblems(role: z.output<typeof roleSchema>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const policies = role.managedPolicies;
  const keys = policies.map(managedPolicyKey);
  duplicates(keys).forEach((i) => problems.push({ path: ['managedPolicies', i], message: `duplicate policy "${policies[i]}" (same as managedPolicies[${keys.indexOf(keys[i]!)}])` }));
  if (role.maxMfaAgeSeconds !== undefined && role.maxMfaAgeSeconds > role.maxSessionDuration * 12) {
    // Not an AWS limit, only a sanity bound; kept as a problem so a typo (extra zeros) is caught.
    problems.push({ path: ['maxMfaAgeSeconds'], message: 'expected an MFA age no larger than 12 session lengths' });
  }
  return problems;
}

/** Checks across sections; paths are from the top of the config. */
export function crossSectionProblems(c: BreakglassConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const t = c.organization.targets;
  if (t.accounts.includes(c.securityAccount.accountId)) {
    problems.push({ path: ['organization', 'targets', 'accounts', t.accounts.indexOf(c.securityAccount.accountId)], message: 'the security account gets the role and forwarders from its own stacks; remove it from the StackSet targets' });
  }
  if (c.securityAccount.accountId === c.organization.managementAccountId) {
    // Both get the role and the forwarders from their own stacks (Breakglass-Security*, Breakglass-Management*): in one
    // account they create the same IAM role and EventBridge rule names and fail at deploy time. And SCPs never
    // restrict the management account (Organizations user guide, "Service control policies"), so the guardrail could
    // not protect the users there.
    problems.push({ path: ['securityAccount', 'accountId'], message: 'the security account must not be the management account: both would create the break-glass role and the same forwarder rules (deploy fails on names that already exist), and SCPs cannot protect users in the management account; use a dedicated security account' });
  }
  if (![...c.regions.enabled, ...c.regions.optIn].includes(c.securityAccount.region)) {
    problems.push({ path: ['securityAccount', 'region'], message: `home region "${c.securityAccount.region}" must be one of the watched regions (regions.enabled or regions.optIn)` });
  }
  return problems;
}

function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  values.forEach((v, i) => { if (seen.has(v)) out.push(i); else seen.add(v); });
  return out;
}
