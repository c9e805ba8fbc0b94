/**
 * Which alerts the deployed system would raise for an event, had it happened in the account and region it names.
 * An alert fires only where a forwarder for its rule is deployed (the rule's account scope and region scope) and the
 * rule's pattern matches: exactly the two conditions the deployed forwarder + central rule apply.
 */
import { CATALOGUE, regionsFor, type AlertRule, type Severity } from './catalogue';
import type { DetectionContext } from './context';
import type { FieldValues } from './fast-lines';
import { compilePattern, type CompiledPattern } from './matcher';
import { DEFAULT_SESSION_WINDOW_SECONDS, SessionTracker, type SessionOutcome } from '../notify/session-key';

export type AccountKind = 'security' | 'member' | 'outside';

export interface RuleMatch {
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  /**
   * What the notifier's session logic (lib/notify/session-key.ts) makes of this alert: page or follow-up, and the
   * session key. Tracked over the events in the order they are evaluated, as the notifier would see them arrive.
   */
  readonly session?: SessionOutcome;
}

interface CompiledRule {
  readonly rule: AlertRule;
  readonly pattern: CompiledPattern;
  readonly regions: ReadonlySet<string>;
  /** Necessary conditions read off the pattern, checked before the full match (see requiredStrings). */
  readonly prefilter: ReadonlyArray<{ readonly path: readonly string[]; readonly values: ReadonlySet<string> }>;
}

/**
 * Fields worth a pre-check: nearly every event a simulation sees is unrelated, and for those a failed lookup of
 * its eventName in a small set is far cheaper than walking the whole compiled pattern.
 */
const PREFILTER_PATHS: ReadonlyArray<readonly string[]> = [['detail', 'eventName'], ['detail', 'eventSource'], ['source']];

/**
 * The exact strings a field must equal for `pattern` to match, when the pattern demands it on every path: the field's
 * value list holds only plain strings, or every `$or` branch at some level on the way demands it (then the union).
 * undefined when the pattern lets anything else through (operators such as prefix or anything-but, or no condition).
 * A necessary condition only: the full match still decides.
 */
export function requiredStrings(pattern: unknown, path: readonly string[]): Set<string> | undefined {
  if (path.length === 0) {
    return Array.isArray(pattern) && pattern.length > 0 && pattern.every((v) => typeof v === 'string') ? new Set(pattern as string[]) : undefined;
  }
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return undefined;
  const node = pattern as Record<string, unknown>;
  if (path[0]! in node) {
    const direct = requiredStrings(node[path[0]!], path.slice(1));
    if (direct) return direct;
  }
  if (Array.isArray(node.$or) && node.$or.length > 0) {
    const union = new Set<string>();
    for (const branch of node.$or) {
      const got = requiredStrings(branch, path);
      if (!got) return undefined;
      for (const v of got) union.add(v);
    }
    return union;
  }
  return undefined;
}

/**
 * False only when the event certainly fails: the field is a string outside the set, or absent/not a string. Any array
 * on the way (EventBridge matches array elements) leaves the decision to the full match.
 */
function mayMatch(event: Record<string, unknown>, path: readonly string[], values: ReadonlySet<string>): boolean {
  let v: unknown = event;
  for (const key of path) {
    if (Array.isArray(v)) return true;
    if (typeof v !== 'object' || v === null) return false;
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'string') return values.has(v);
  return Array.isArray(v);
}

export class Simulator {
  private readonly rules: CompiledRule[];
  private readonly sessions?: SessionTracker;

  /** `sessions: false`: no session tracking, evaluate() stays stateless. */
  constructor(private readonly ctx: DetectionContext, rules: readonly AlertRule[] = CATALOGUE, opts: { prefilter?: boolean; sessions?: boolean } = {}) {
    if (opts.sessions !== false) {
      this.sessions = new SessionTracker(
        { securityAccountId: ctx.securityAccountId, userNames: ctx.userNames, roleName: ctx.roleName, sessionNameIsUserName: ctx.sessionNameIsUserName ?? true },
        { windowMs: (ctx.sessionWindowSeconds ?? DEFAULT_SESSION_WINDOW_SECONDS) * 1000 },
      );
    }
    this.rules = rules.map((rule) => {
      const raw = rule.pattern(ctx);
      const prefilter = opts.prefilter === false ? [] : PREFILTER_PATHS.flatMap((path) => {
        const values = requiredStrings(raw, path);
        return values ? [{ path, values }] : [];
      });
      return { rule, pattern: compilePattern(raw), regions: new Set(regionsFor(rule, ctx)), prefilter };
    });
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
      if (!c.prefilter.every((f) => mayMatch(event, f.path, f.values))) continue;
      if (c.pattern.matches(event)) {
        matches.push({ rule: c.rule.id, severity: c.rule.severity, title: c.rule.title, ...(this.sessions ? { session: this.sessions.track(c.rule.id, event) } : {}) });
      }
    }
    return matches;
  }
}

/**
 * The exact values and prefixes a field must have for `pattern` to match, when the pattern demands one of them on
 * every path: like requiredStrings, but a value list may also hold `{"prefix": "<string>"}` (EventBridge prefix
 * matching is case-sensitive; "Content filtering in Amazon EventBridge event patterns", Prefix matching). undefined
 * when anything else could match.
 */
export function requiredValues(pattern: unknown, path: readonly string[]): FieldValues | undefined {
  if (path.length === 0) {
    if (!Array.isArray(pattern) || pattern.length === 0) return undefined;
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const v of pattern) {
      if (typeof v === 'string') exact.add(v);
      else if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { prefix?: unknown }).prefix === 'string') prefixes.push((v as { prefix: string }).prefix);
      else return undefined;
    }
    return { exact, prefixes };
  }
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return undefined;
  const node = pattern as Record<string, unknown>;
  if (path[0]! in node) {
    const direct = requiredValues(node[path[0]!], path.slice(1));
    if (direct) return direct;
  }
  if (Array.isArray(node.$or) && node.$or.length > 0) {
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const branch of node.$or) {
      const got = requiredValues(branch, path);
      if (!got) return undefined;
      for (const v of got.exact) exact.add(v);
      prefixes.push(...got.prefixes);
    }
    return { exact, prefixes };
  }
  return undefined;
}

/**
 * Fields, most selective first, whose raw value can rule a record out for a rule: the record's own fields (a
 * CloudTrail record is the `detail` of its EventBridge event, so the same key and value appear in both shapes).
 */
const RAW_FIELD_PATHS: ReadonlyArray<readonly string[]> = [['detail', 'eventName'], ['detail', 'userIdentity', 'type'], ['detail', 'eventSource']];

/**
 * For the raw-bytes prefilter (fieldSelector in ./fast-lines.ts): per key, the values under which some rule could
 * match. Each rule contributes the first field of RAW_FIELD_PATHS it constrains; undefined when a rule constrains
 * none of them (then every record must be parsed).
 */
export function rawFieldValues(ctx: DetectionContext, rules: readonly AlertRule[] = CATALOGUE): Map<string, FieldValues> | undefined {
  const out = new Map<string, { exact: Set<string>; prefixes: string[] }>();
  for (const rule of rules) {
    const raw = rule.pattern(ctx);
    let found = false;
    for (const path of RAW_FIELD_PATHS) {
      const got = requiredValues(raw, path);
      if (!got) continue;
      const key = path[path.length - 1]!;
      const into = out.get(key) ?? { exact: new Set<string>(), prefixes: [] };
      for (const v of got.exact) into.exact.add(v);
      into.prefixes.push(...got.prefixes);
      out.set(key, into);
      found = true;
      break;
    }
    if (!found) return undefined;
  }
  return out;
}

/**
 * A condition on a record's raw JSON text: one of `texts` occurs in it, or (`or`) every condition of some branch holds.
 */
export type LiteralCondition = { readonly any: readonly string[] } | { readonly or: ReadonlyArray<readonly LiteralCondition[]> };

/**
 * Literal text a record must hold for a rule to match it, as conditions that must all hold, read off the pattern's
 * `detail` (the record itself; the envelope fields `source`, `account`, `region` are not in a CloudTrail record's
 * text). Each value condition gives the JSON text a matching value must contain (EventBridge user guide, "Content
 * filtering in Amazon EventBridge event patterns"; exact, prefix, suffix and wildcard matching are case-sensitive):
 * - "x": `"x"` as JSON writes it; {"prefix": "x"}: `"x`; {"suffix": "x"}: `x"`; {"wildcard": "a*b"}: its longest
 *   literal run;
 * - anything else (numbers, anything-but, exists, numeric, cidr, equals-ignore-case) requires nothing.
 * A value list requires one of its values' texts, if each value gives one; `$or` requires one of its branches, if
 * each branch requires something. Escaped spellings (`\u…`, `\/`) are the caller's (refinedSelector keeps them).
 */
export function literalConditions(pattern: unknown): LiteralCondition[] {
  const root = objectOf(pattern);
  if (!root) return [];
  const out: LiteralCondition[] = [];
  if ('detail' in root) out.push(...conditionsOf(root.detail));
  if (Array.isArray(root.$or)) out.push(...orCondition(root.$or.map((b) => literalConditions(b))));
  return out;
}

/** Whether every condition holds in `text`. */
export function literalsHold(conditions: readonly LiteralCondition[], text: string): boolean {
  return conditions.every((c) => ('any' in c ? c.any.some((t) => text.includes(t)) : c.or.some((branch) => literalsHold(branch, text))));
}

function objectOf(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
}

function conditionsOf(node: unknown): LiteralCondition[] {
  if (Array.isArray(node)) {
    const texts: string[] = [];
    for (const v of node) {
      const t = valueText(v);
      if (t === undefined) return [];
      texts.push(t);
    }
    return texts.length ? [{ any: texts }] : [];
  }
  const o = objectOf(node);
  if (!o) return [];
  const out: LiteralCondition[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === '$or') { if (Array.isArray(v)) out.push(...orCondition(v.map(conditionsOf))); } else out.push(...conditionsOf(v));
  }
  return out;
}

function orCondition(branches: LiteralCondition[][]): LiteralCondition[] {
  if (branches.length === 0 || branches.some((b) => b.length === 0)) return [];
  return [{ or: branches }];
}

/** The JSON text a value matching this condition must contain; undefined when there is none to require. */
function valueText(v: unknown): string | undefined {
  if (typeof v === 'string') return JSON.stringify(v);
  const o = objectOf(v);
  if (!o || Object.keys(o).length !== 1) return undefined;
  const inner = (s: string) => JSON.stringify(s).slice(1, -1);
  if (typeof o.prefix === 'string') return `"${inner(o.prefix)}`;
  if (typeof o.suffix === 'string') return `${inner(o.suffix)}"`;
  if (typeof o.wildcard === 'string') {
    // Literal runs between unescaped "*" ("\\*" is a literal star, "\\\\" a backslash).
    const runs: string[] = [];
    let cur = '';
    const w = o.wildcard;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === '\\' && i + 1 < w.length) { cur += w[++i]; continue; }
      if (w[i] === '*') { runs.push(cur); cur = ''; continue; }
      cur += w[i];
    }
    runs.push(cur);
    const longest = runs.reduce((x, y) => (y.length > x.length ? y : x), '');
    return longest ? inner(longest) : undefined;
  }
  return undefined;
}

/**
 * A test of a record's raw text: false only when no rule's literal conditions all hold, so no rule can match.
 * undefined when some rule requires no literal at all (then every record may match).
 * The rules are first narrowed by the record's event name(s) (requiredValues of detail.eventName): a rule whose
 * pattern fixes the event name is tested only on a record holding one of its names, which spares most of the text
 * searches. Event names are read as the key scan reads them: every `"eventName"` key of the text, at any depth; any
 * value that is not a plain string (or holds a backslash) keeps every rule in play.
 */
export function rawLineTest(ctx: DetectionContext, rules: readonly AlertRule[] = CATALOGUE): ((line: string) => boolean) | undefined {
  const perRule = rules.map((r) => {
    const pattern = r.pattern(ctx);
    return { conditions: literalConditions(pattern), names: requiredValues(pattern, ['detail', 'eventName']) };
  });
  if (perRule.some((r) => r.conditions.length === 0)) return undefined;
  const named = perRule.filter((r) => r.names !== undefined);
  const unnamed = perRule.filter((r) => r.names === undefined);
  return (line) => {
    const names = eventNamesIn(line);
    const candidates = names === 'any' ? perRule : [...unnamed, ...named.filter((r) => names.some((n) => r.names!.exact.has(n) || r.names!.prefixes.some((p) => n.startsWith(p))))];
    return candidates.some((r) => literalsHold(r.conditions, line));
  };
}

/** The values of every `"eventName"` key in a JSON text; 'any' when one is not a plain string without escapes. */
function eventNamesIn(text: string): string[] | 'any' {
  const out: string[] = [];
  const key = '"eventName"';
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + key.length)) {
    let p = at + key.length;
    while (text[p] === ' ' || text[p] === '\t' || text[p] === '\r') p++;
    if (text[p] !== ':') continue; // a value that reads "eventName", not the key
    p++;
    while (text[p] === ' ' || text[p] === '\t' || text[p] === '\r') p++;
    if (text[p] !== '"') return 'any';
    const end = text.indexOf('"', p + 1);
    if (end < 0) return 'any';
    const v = text.slice(p + 1, end);
    if (v.includes('\\')) return 'any';
    out.push(v);
  }
  return out;
}

function deployedIn(rule: AlertRule, kind: AccountKind): boolean {
  if (kind === 'outside') return false;
  return rule.accounts === 'all' || (rule.accounts === 'security') === (kind === 'security');
}
