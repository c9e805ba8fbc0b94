/**
 * What `breakglass revoke` will do to each target, decided from what was read (pure: no AWS calls), and the text of
 * that plan. A revocation is never weakened: the value set is the later of --before and the deployed one.
 */
import { escapeControls } from '../detection/escape';
import { laterOf, REVOKE_NOTHING, REVOKE_PARAMETER } from './parameter';
import type { StackState } from './stack';
import type { StackSetState } from './stackset';
import { describeTarget, manualCommand, revokeCommand, type Target, type TargetGroup } from './targets';
import { UPDATABLE } from './stack';

export type Plan =
  | { readonly t: Target; readonly action: 'update'; readonly from: string; readonly to: string; readonly state: StackSetState | StackState; readonly note?: string }
  | { readonly t: Target; readonly action: 'in-place'; readonly value: string; readonly state: StackSetState | StackState }
  /** Not attempted: `kind` error = an AWS call failed (exit 3), otherwise something to do first (exit 1). */
  | { readonly t: Target; readonly action: 'skip'; readonly kind: 'error' | 'not-attempted'; readonly why: string; readonly runThere?: boolean };

/** The plan for one target whose state could be read. */
export function decide(t: Target, state: StackSetState | StackState, before: string): Plan {
  if (state.value === undefined) {
    return { t, action: 'skip', kind: 'not-attempted', why: `the deployed ${t.kind === 'stackset' ? 'StackSet' : 'stack'} has no ${REVOKE_PARAMETER} parameter (deployed by a breakglass version without \`revoke\`): deploy the current version first (breakglass deploy-plan)` };
  }
  if (t.kind === 'stackset' && state.status !== 'ACTIVE') {
    return { t, action: 'skip', kind: 'not-attempted', why: `the StackSet is ${state.status}, not ACTIVE` };
  }
  if (t.kind === 'stack' && !UPDATABLE.has(state.status)) {
    return { t, action: 'skip', kind: 'not-attempted', why: `the stack is ${state.status}: it cannot be updated now; wait until it is *_COMPLETE and run the same command again` };
  }
  const to = laterOf(state.value, before);
  const note = to !== before ? `--before ${before} is earlier than the deployed ${state.value}, which is kept (a revocation is never weakened)` : undefined;
  if (to === state.value) {
    const outdated = 'instances' in state ? state.instances.filter((i) => i.status !== 'CURRENT') : [];
    if (outdated.length === 0) return { t, action: 'in-place', value: to, state };
    return { t, action: 'update', from: state.value, to, state, note: `${outdated.length} instance${outdated.length === 1 ? ' is' : 's are'} not CURRENT: updating again` };
  }
  return { t, action: 'update', from: state.value, to, state, ...(note ? { note } : {}) };
}

export interface PlanContext {
  readonly configFile: string;
  readonly before: string;
  readonly roleName: string;
  readonly home: string;
}

/** The plan as text lines (no trailing newline), for the confirmation and for --dry-run. */
export function planText(plans: readonly Plan[], c: PlanContext, warnings: readonly string[]): string[] {
  const lines = [`breakglass revoke: deny everything to sessions of ${c.roleName} issued before ${c.before}`];
  for (const p of plans) {
    const head = `  ${describeTarget(p.t)}`;
    if (p.action === 'update') {
      lines.push(`${head}: ${REVOKE_PARAMETER} ${p.from}${p.from === REVOKE_NOTHING ? ' (revokes nothing)' : ''} -> ${p.to}`);
      if ('instances' in p.state) {
        lines.push(`      UpdateStackSet (previous template): ${instanceSummary(p.state as StackSetState, c.home)}; every account at once, failures do not stop it`);
      } else {
        lines.push(`      UpdateStack (previous template), stack now ${p.state.status}`);
      }
      if (p.note) lines.push(`      note: ${p.note}`);
    } else if (p.action === 'in-place') {
      lines.push(`${head}: already ${REVOKE_PARAMETER} ${p.value}${'instances' in p.state ? `, ${instanceSummary(p.state as StackSetState, c.home)}` : ''}: nothing to do`);
    } else {
      lines.push(`${head}: NOT attempted: ${escapeControls(p.why)}`);
      if (p.runThere) lines.push(...runThere(p.t, c));
    }
  }
  for (const w of warnings) lines.push(`  warning: ${w}`);
  return lines;
}

/** "12 instances, 6 accounts x 2 regions (10 CURRENT, 2 OUTDATED)". */
export function instanceSummary(s: StackSetState, home: string): string {
  const accounts = new Set(s.instances.map((i) => i.account));
  const regions = new Set(s.instances.map((i) => i.region));
  const byStatus = new Map<string, number>();
  for (const i of s.instances) byStatus.set(i.status, (byStatus.get(i.status) ?? 0) + 1);
  const statuses = [...byStatus.entries()].sort().map(([k, n]) => `${n} ${k}`).join(', ');
  const inHome = s.instances.filter((i) => i.region === home).length;
  return `${s.instances.length} instance${s.instances.length === 1 ? '' : 's'}, ${accounts.size} account${accounts.size === 1 ? '' : 's'} x ${regions.size} region${regions.size === 1 ? '' : 's'}${statuses ? ` (${statuses})` : ''}, ${inHome} in the role region ${home}`;
}

/** The two ways to do a skipped target from the right account. */
export function runThere(t: Target, c: PlanContext, value = c.before): string[] {
  return [
    `      run with that account's credentials: ${revokeCommand(c.configFile, value, t.group as TargetGroup)}`,
    `      or by hand:                         ${manualCommand(t, value)}`,
  ];
}
