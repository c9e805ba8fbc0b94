/**
 * Which alerts the deployed system would raise for an event, had it happened in the account and region it names.
 * An alert fires only where a forwarder for its rule is deployed (the rule's account scope and region scope) and the
 * rule's pattern matches: exactly the two conditions the deployed forwarder + central rule apply.
 */
import { CATALOGUE, regionsFor, type AlertRule, type Severity } from './catalogue';
import type { DetectionContext } from './context';
import { compilePattern, type CompiledPattern } from './matcher';

export type AccountKind = 'security' | 'member' | 'outside';

export interface RuleMatch {
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
}

interface CompiledRule {
  readonly rule: AlertRule;
  readonly pattern: CompiledPattern;
  readonly regions: ReadonlySet<string>;
}

export class Simulator {
  private readonly rules: CompiledRule[];

  constructor(private readonly ctx: DetectionContext, rules: readonly AlertRule[] = CATALOGUE) {
    this.rules = rules.map((rule) => ({ rule, pattern: compilePattern(rule.pattern(ctx)), regions: new Set(regionsFor(rule, ctx)) }));
  }

  /** Members are the explicit accounts, the management account, and (with OUs targeted) any other account. */
  accountKind(account: unknown): AccountKind {
    if (typeof account !== 'string') return 'outside';
    if (account === this.ctx.securityAccountId) return 'security';
    if (account === this.ctx.managementAccountId || this.ctx.memberAccounts.includes(account)) return 'member';
    return this.ctx.targetsOrganizationalUnits ? 'member' : 'outside';
  }

  evaluate(event: Record<string, unknown>): RuleMatch[] {
    const kind = this.accountKind(event.account);
    const region = event.region;
    const matches: RuleMatch[] = [];
    for (const c of this.rules) {
      if (!deployedIn(c.rule, kind) || typeof region !== 'string' || !c.regions.has(region)) continue;
      if (c.pattern.matches(event)) matches.push({ rule: c.rule.id, severity: c.rule.severity, title: c.rule.title });
    }
    return matches;
  }
}

function deployedIn(rule: AlertRule, kind: AccountKind): boolean {
  if (kind === 'outside') return false;
  return rule.accounts === 'all' || (rule.accounts === 'security') === (kind === 'security');
}
