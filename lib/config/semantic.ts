/** Checks that need more than one field at a time. Each returns problems; none throws. */
import type { BreakglassConfig } from './schema';

export interface ConfigProblem {
  /** Field path, e.g. ["users", 1, "name"]. */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

export function semanticProblems(c: BreakglassConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const t = c.organization.targets;
  if (t.organizationalUnits.length === 0 && t.accounts.length === 0) {
    problems.push({ path: ['organization', 'targets'], message: 'expected at least one organizational unit or account to receive the break-glass role' });
  }
  duplicates(t.accounts).forEach((i) => problems.push({ path: ['organization', 'targets', 'accounts', i], message: `duplicate account "${t.accounts[i]}"` }));
  duplicates(t.organizationalUnits).forEach((i) => problems.push({ path: ['organization', 'targets', 'organizationalUnits', i], message: `duplicate OU "${t.organizationalUnits[i]}"` }));
  if (t.accounts.includes(c.organization.managementAccountId)) {
    const i = t.accounts.indexOf(c.organization.managementAccountId);
    problems.push({ path: ['organization', 'targets', 'accounts', i], message: 'the management account is handled by organization.includeManagementAccount, not the StackSet target list' });
  }
  if (t.accounts.includes(c.securityAccount.accountId)) {
    const i = t.accounts.indexOf(c.securityAccount.accountId);
    problems.push({ path: ['organization', 'targets', 'accounts', i], message: 'the security account gets the role and forwarders from its own stacks; remove it from the StackSet targets' });
  }
  if (c.organization.deployFrom === 'delegated-admin' && !c.organization.delegatedAdminAccountId) {
    problems.push({ path: ['organization', 'delegatedAdminAccountId'], message: 'expected the delegated administrator account ID because deployFrom is "delegated-admin"' });
  }
  if (c.organization.deployFrom === 'management' && c.organization.delegatedAdminAccountId) {
    problems.push({ path: ['organization', 'delegatedAdminAccountId'], message: 'set only when deployFrom is "delegated-admin"' });
  }

  const regions = [...c.regions.enabled, ...c.regions.optIn];
  duplicates(regions).forEach((i) => {
    const inOptIn = i >= c.regions.enabled.length;
    problems.push({ path: ['regions', inOptIn ? 'optIn' : 'enabled', inOptIn ? i - c.regions.enabled.length : i], message: `region "${regions[i]}" listed twice` });
  });
  if (!regions.includes(c.securityAccount.region)) {
    problems.push({ path: ['securityAccount', 'region'], message: `home region "${c.securityAccount.region}" must be one of the watched regions (regions.enabled or regions.optIn)` });
  }
  // IAM API events are recorded only in us-east-1; without it, user and role changes go unseen.
  if (!regions.includes('us-east-1')) {
    problems.push({ path: ['regions', 'enabled'], message: 'expected "us-east-1" among the watched regions: IAM and root sign-in events are recorded only there' });
  }

  const a = c.alerts;
  if (a.emails.length + a.https.length + a.slack.length + a.teams.length === 0) {
    problems.push({ path: ['alerts'], message: 'expected at least one alert recipient (alerts.emails, https, slack or teams): alerts with no recipient are silent' });
  }
  if (!a.operations && a.emails.length === 0) {
    problems.push({ path: ['alerts', 'operations'], message: 'expected operations.emails: alarms on the alert path need an email recipient, and alerts.emails is empty' });
  }
  duplicates(c.alerts.emails.map((e) => e.toLowerCase())).forEach((i) => problems.push({ path: ['alerts', 'emails', i], message: `duplicate email "${c.alerts.emails[i]}"` }));

  const scp = c.guardrails.serviceControlPolicy;
  if (scp.enabled && scp.targets.length === 0) {
    problems.push({ path: ['guardrails', 'serviceControlPolicy', 'targets'], message: 'expected at least one root, OU or account to attach the service control policy to' });
  }
  duplicates(scp.targets).forEach((i) => problems.push({ path: ['guardrails', 'serviceControlPolicy', 'targets', i], message: `duplicate target "${scp.targets[i]}"` }));

  if (c.role.maxMfaAgeSeconds !== undefined && c.role.maxMfaAgeSeconds > c.role.maxSessionDuration * 12) {
    // Not an AWS limit, only a sanity bound; kept as a problem so a typo (extra zeros) is caught.
    problems.push({ path: ['role', 'maxMfaAgeSeconds'], message: 'expected an MFA age no larger than 12 session lengths' });
  }
  return problems;
}

function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  values.forEach((v, i) => { if (seen.has(v)) out.push(i); else seen.add(v); });
  return out;
}
