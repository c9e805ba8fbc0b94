import type { BreakglassConfig } from '../config/schema';
import { CATALOGUE, regionsFor } from '../detection/catalogue';
import { detectionContext } from '../detection/context';

/** A short, human summary of what a config deploys: printed by `validate`, `synth` and `npm start`. */
export function summarize(c: BreakglassConfig): string {
  const ctx = detectionContext(c);
  const t = c.organization.targets;
  const lines: string[] = [];
  lines.push(`Security account   ${c.securityAccount.accountId} (home region ${c.securityAccount.region})`);
  lines.push(`Break-glass users  ${c.users.map((u) => u.name).join(', ')}  (MFA enforced; passwords set out of band)`);
  lines.push(`Member role        ${c.role.name}: ${c.role.managedPolicies.join(', ')}; sessions up to ${c.role.maxSessionDuration / 3600} h; trust needs MFA`);
  const targets: string[] = [];
  if (t.organizationalUnits.length) targets.push(`OUs ${t.organizationalUnits.join(', ')} (service-managed StackSet, auto-deployment)`);
  if (t.accounts.length) targets.push(`${t.accounts.length} account${t.accounts.length === 1 ? '' : 's'} (self-managed StackSet)`);
  if (c.organization.includeManagementAccount) targets.push(`management account ${c.organization.managementAccountId} (own stacks)`);
  lines.push(`Targets            ${targets.join('; ')}`);
  lines.push(`Regions watched    ${ctx.regions.length}: ${ctx.regions.join(', ')}`);
  lines.push(`Alert rules        ${CATALOGUE.length} (central bus in ${c.securityAccount.region}):`);
  for (const r of CATALOGUE) {
    const where = `${r.accounts === 'all' ? 'all accounts' : r.accounts === 'security' ? 'security account' : 'member accounts'}, ${regionsFor(r, ctx).length === ctx.regions.length ? 'all regions' : regionsFor(r, ctx).join(', ')}`;
    lines.push(`  ${r.severity.padEnd(8)} ${r.id.padEnd(25)} ${where}`);
  }
  const a = c.alerts;
  const dest = [
    ...a.emails.map((e) => `email ${e}`),
    ...a.https.map((h) => `https ${new URL(h.url).host} (${h.minSeverity}+)`),
    ...a.slack.map((s) => `Slack ${s.channelId} (${s.minSeverity}+)`),
    ...a.teams.map((t) => `Teams ${t.channelId.slice(0, 12)} (${t.minSeverity}+)`),
  ];
  lines.push(`Alerts go to       ${dest.join(', ')} via KMS-encrypted SNS topic`);
  lines.push(`Alert-path alarms  ${(a.operations?.emails ?? a.emails).join(', ')} (separate topic)`);
  if (a.heartbeat.enabled) lines.push(`Heartbeat          ${a.heartbeat.schedule} through the same path`);
  lines.push(`CloudTrail         ${c.cloudTrail.mode === 'create' ? `organization trail created from the management account ${c.organization.managementAccountId} (logs every account)` : 'existing organization trail (not created)'}`);
  const scp = c.guardrails.serviceControlPolicy;
  // SCPs never restrict the management account (AWS Organizations user guide): said here so nobody counts on it.
  if (scp.enabled) lines.push(`Guardrail SCP      attached to ${scp.targets.join(', ')}; only deployment roles may change the role and alerting (never applies in the management account ${c.organization.managementAccountId})`);
  return lines.join('\n');
}
