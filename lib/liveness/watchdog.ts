/**
 * The watchdog's logic, pure: which heartbeat an event is, which forwarders are silent, what to tell the operations
 * topic and which rows to update. No AWS SDK here (lib/liveness/handler.ts does the calls), so it is unit-tested with
 * plain data and a fixed clock.
 *
 * State per forwarder (one row per account/region/forwarder): lastSeen (time of its newest heartbeat), firstSeen, and
 * alertedAt (when the watchdog last reported it silent; absent while it is healthy). From that:
 * - silent     now - lastSeen > SILENT_AFTER_MS;
 * - new        silent and not yet reported for this silence (no alertedAt, or the alert predates lastSeen);
 * - reminder   still silent, last reported REMIND_EVERY_MS ago or more;
 * - forgotten  silent for more than FORGET_AFTER_MS and already reported: reported once more as "no longer watched"
 *              and deleted, so an account that left the organization does not alert forever;
 * - heard again  reported, and a heartbeat arrived since: reported once (like an alarm's OK), alertedAt removed.
 * Reports are at-least-once: the handler publishes first and writes the rows after, so a failed write repeats a
 * message rather than losing one.
 */
import { ruleById } from '../detection/catalogue';
import { FORGET_AFTER_MS, FORWARDER_RULE_PREFIX, HEARTBEAT_DETAIL_TYPE, HEARTBEAT_SOURCE, REMIND_EVERY_MS, SILENT_AFTER_MS } from './constants';

export interface Heartbeat {
  readonly account: string;
  readonly region: string;
  /** Name of the forwarder rule that carried the heartbeat, e.g. breakglass-fwd-role-assumed. */
  readonly forwarder: string;
  /** When the heartbeat was produced (the event's `time`), ISO 8601. */
  readonly at: string;
  /** 'rule': the forwarder's own schedule (Scheduled Event); 'scheduler': an EventBridge Scheduler heartbeat it carried. */
  readonly via: 'rule' | 'scheduler';
}

export interface WatchedItem {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly forwarder: string;
  readonly lastSeen: string;
  readonly firstSeen?: string;
  readonly alertedAt?: string;
}

export type Update =
  /** Report made: remember when (only if no heartbeat arrived meanwhile: lastSeen unchanged). */
  | { readonly kind: 'mark-alerted'; readonly id: string; readonly lastSeen: string; readonly at: string }
  /** Heard again: forget the alert (only if alertedAt is still the one reported). */
  | { readonly kind: 'clear-alerted'; readonly id: string; readonly alertedAt: string }
  /** Forgotten: delete the row (only if no heartbeat arrived meanwhile). */
  | { readonly kind: 'forget'; readonly id: string; readonly lastSeen: string };

export interface Verdict {
  readonly newlySilent: WatchedItem[];
  readonly reminders: WatchedItem[];
  readonly recovered: WatchedItem[];
  readonly forgotten: WatchedItem[];
  /** Every row that is silent now (new, reminded or not, forgotten included). */
  readonly silent: WatchedItem[];
  /** Rows watched after this run (forgotten ones excluded). */
  readonly watched: number;
  readonly updates: Update[];
}

export interface Thresholds {
  readonly silentAfterMs: number;
  readonly remindEveryMs: number;
  readonly forgetAfterMs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { silentAfterMs: SILENT_AFTER_MS, remindEveryMs: REMIND_EVERY_MS, forgetAfterMs: FORGET_AFTER_MS };

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// EventBridge rule names: up to 64 characters of [.\-_A-Za-z0-9] (EventBridge API reference, PutRule: Name).
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const RULE_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):rule\/([^/]+)$/;

export const itemId = (account: string, region: string, forwarder: string): string => `${account}/${region}/${forwarder}`;

/**
 * The heartbeat an event from the central liveness rule stands for, or why it is none. For a Scheduled Event the rule
 * ARN in `resources` names account, region and forwarder (EventBridge user guide, "Amazon EventBridge events detail
 * reference"); it must agree with the envelope. For a Scheduler heartbeat the envelope's account and region are set
 * by EventBridge from the caller (EventBridge user guide, "Amazon EventBridge events": account and region fields) and
 * the detail names the forwarder.
 */
export function heartbeatFromEvent(event: unknown): Heartbeat | { error: string } {
  if (typeof event !== 'object' || event === null) return { error: 'not an object' };
  const e = event as Record<string, unknown>;
  const account = String(e.account ?? '');
  const region = String(e.region ?? '');
  const time = typeof e.time === 'string' ? Date.parse(e.time) : NaN;
  if (!ACCOUNT.test(account)) return { error: `no account id in the envelope (${JSON.stringify(e.account)})` };
  if (!REGION.test(region)) return { error: `no region in the envelope (${JSON.stringify(e.region)})` };
  if (Number.isNaN(time)) return { error: `no valid time (${JSON.stringify(e.time)})` };
  const at = new Date(time).toISOString();
  let forwarder: string;
  let via: Heartbeat['via'];
  if (e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event') {
    const resources = Array.isArray(e.resources) ? e.resources : [];
    if (resources.length !== 1 || typeof resources[0] !== 'string') return { error: `a Scheduled Event names exactly one rule, got ${JSON.stringify(e.resources)}` };
    const m = RULE_ARN.exec(resources[0]);
    if (!m) return { error: `not a default-bus rule ARN: ${resources[0]}` };
    if (m[1] !== region || m[2] !== account) return { error: `rule ARN ${resources[0]} does not belong to ${account}/${region}` };
    forwarder = m[3]!;
    via = 'rule';
  } else if (e.source === HEARTBEAT_SOURCE && e['detail-type'] === HEARTBEAT_DETAIL_TYPE) {
    const detail = e.detail as Record<string, unknown> | undefined;
    forwarder = String(detail?.forwarder ?? '');
    via = 'scheduler';
  } else {
    return { error: `not a heartbeat: source ${JSON.stringify(e.source)}, detail-type ${JSON.stringify(e['detail-type'])}` };
  }
  if (!forwarder.startsWith(FORWARDER_RULE_PREFIX) || !RULE_NAME.test(forwarder)) return { error: `not a forwarder rule name: ${JSON.stringify(forwarder)}` };
  return { account, region, forwarder, at, via };
}

const time = (iso: string | undefined): number => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? -Infinity : t;
};

/** What this run must report and write, given every row and the time. */
export function evaluate(items: readonly WatchedItem[], now: Date, t: Thresholds = DEFAULT_THRESHOLDS): Verdict {
  const v = { newlySilent: [] as WatchedItem[], reminders: [] as WatchedItem[], recovered: [] as WatchedItem[], forgotten: [] as WatchedItem[], silent: [] as WatchedItem[], updates: [] as Update[] };
  const nowMs = now.getTime();
  const at = now.toISOString();
  for (const item of [...items].sort((a, b) => a.id.localeCompare(b.id))) {
    const seen = time(item.lastSeen);
    const alerted = item.alertedAt === undefined ? undefined : time(item.alertedAt);
    const age = nowMs - seen;
    const reportedThisSilence = alerted !== undefined && alerted >= seen;
    if (age <= t.silentAfterMs) {
      if (alerted !== undefined && item.alertedAt !== undefined) {
        v.recovered.push(item);
        v.updates.push({ kind: 'clear-alerted', id: item.id, alertedAt: item.alertedAt });
      }
      continue;
    }
    v.silent.push(item);
    if (!reportedThisSilence) {
      v.newlySilent.push(item);
      v.updates.push({ kind: 'mark-alerted', id: item.id, lastSeen: item.lastSeen, at });
    } else if (age > t.forgetAfterMs) {
      v.forgotten.push(item);
      v.updates.push({ kind: 'forget', id: item.id, lastSeen: item.lastSeen });
    } else if (nowMs - alerted! >= t.remindEveryMs) {
      v.reminders.push(item);
      v.updates.push({ kind: 'mark-alerted', id: item.id, lastSeen: item.lastSeen, at });
    }
  }
  return { ...v, watched: items.length - v.forgotten.length };
}

export interface ReportOptions {
  /** Account IDs to names (alerts.accountNames), shown next to the IDs. */
  readonly accountNames?: Readonly<Record<string, string>>;
  /** Lines per section before the rest is only counted (an SNS message holds 256 KB). @default 150 */
  readonly maxLinesPerSection?: number;
  readonly thresholds?: Thresholds;
}

export interface Report {
  readonly subject: string;
  readonly message: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const hoursAgo = (now: Date, iso: string) => {
  const t = time(iso);
  return t === -Infinity ? 'never' : `${Math.floor((now.getTime() - t) / 3600_000)} h ago`;
};
const shortTime = (iso: string) => (time(iso) === -Infinity ? iso : new Date(iso).toISOString().replace(/:\d\d\.\d{3}Z$/, ' UTC').replace('T', ' '));
const ruleLabel = (forwarder: string) => (forwarder.startsWith(FORWARDER_RULE_PREFIX) ? forwarder.slice(FORWARDER_RULE_PREFIX.length) : forwarder);

/** One line per account and region: "  Prod 333333333333 eu-west-1: role-assumed, switch-role (last heard 30 h ago, 2026-...)". */
function section(title: string, items: readonly WatchedItem[], now: Date, o: ReportOptions): string[] {
  if (items.length === 0) return [];
  const groups = new Map<string, WatchedItem[]>();
  for (const i of items) {
    const k = `${i.account} ${i.region}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  }
  const max = o.maxLinesPerSection ?? 150;
  const lines = [`${title} (${plural(items.length, 'forwarder')} in ${plural(new Set(items.map((i) => i.account)).size, 'account')}):`];
  const keys = [...groups.keys()].sort();
  for (const k of keys.slice(0, max)) {
    const g = groups.get(k)!;
    const [account, region] = k.split(' ');
    const name = o.accountNames?.[account!];
    const newest = g.reduce((a, b) => (time(b.lastSeen) > time(a.lastSeen) ? b : a));
    const names = g.map((i) => ruleLabel(i.forwarder)).sort().join(', ');
    lines.push(`  ${name ? `${name} ` : ''}${account} ${region}: ${names} (last heard ${hoursAgo(now, newest.lastSeen)}, ${shortTime(newest.lastSeen)})`);
  }
  if (keys.length > max) {
    const rest = keys.slice(max).reduce((n, k) => n + groups.get(k)!.length, 0);
    lines.push(`  ... and ${plural(keys.length - max, 'more account/region', 'more account/regions')} (${plural(rest, 'forwarder')}); the full list is in the watchdog's log.`);
  }
  return [...lines, ''];
}

/** The operations message for a verdict, or undefined when there is nothing to say. */
export function renderReport(v: Verdict, now: Date, o: ReportOptions = {}): Report | undefined {
  const t = o.thresholds ?? DEFAULT_THRESHOLDS;
  const silentNow = v.newlySilent.length + v.reminders.length;
  if (silentNow + v.recovered.length + v.forgotten.length === 0) return undefined;
  const silentAccounts = new Set([...v.newlySilent, ...v.reminders].map((i) => i.account)).size;
  const parts = [
    silentNow ? `${plural(silentNow, 'forwarder')} silent in ${plural(silentAccounts, 'account')}` : '',
    v.recovered.length ? `${v.recovered.length} heard again` : '',
    v.forgotten.length ? `${v.forgotten.length} no longer watched` : '',
  ].filter(Boolean);
  const subject = `[breakglass] Forwarder liveness: ${parts.join(', ')}`.slice(0, 99);
  const hours = Math.round(t.silentAfterMs / 3600_000);
  const days = Math.round(t.forgetAfterMs / 86_400_000);
  const lines = [
    `Every breakglass forwarder (the EventBridge rules that send break-glass events from each account and region to the central bus) sends a heartbeat through its own target every few hours. The watchdog checked ${now.toISOString()}.`,
    '',
    ...section(`SILENT for more than ${hours} h (new)`, v.newlySilent, now, o),
    ...section('STILL SILENT (daily reminder)', v.reminders, now, o),
    ...section('HEARD AGAIN', v.recovered, now, o),
    ...section(`NO LONGER WATCHED (silent for more than ${days} days; forgotten, no more reminders)`, v.forgotten, now, o),
  ];
  const allSilentAccounts = new Set(v.silent.map((i) => i.account)).size;
  const totalAccounts = new Set([...v.silent, ...v.recovered].map((i) => i.account)).size;
  if (silentNow > 0) {
    lines.push(
      'While a forwarder is silent, break-glass use in that account and region may go unreported.',
      'What to check:',
      '- One forwarder silent, the others of that account and region heard: its rule was disabled, deleted or changed',
      '  (aws events describe-rule --name breakglass-fwd-<name> --region <region>, in that account).',
      '- A whole account or region silent: its StackSet instance failed or was removed, the region was disabled, or the',
      '  forwarder role (breakglass-forwarder-<region>) or its trust was changed. Look for undelivered events in the',
      '  dead-letter queue breakglass-forwarder-dead-letters of that account and region.',
    );
    const silentNames = new Set([...v.newlySilent, ...v.reminders].map((i) => ruleLabel(i.forwarder)));
    if (silentNames.has('alerting-tampered')) {
      lines.push('- alerting-tampered is the tamper forwarder: while it is silent, changes to the other forwarders of that',
        '  account and region are not reported either.');
    }
    if (silentNames.has('assume-role') || silentNames.has('role-assumed')) {
      lines.push('- The AssumeRole forwarders get their heartbeat from an EventBridge Scheduler schedule: also check',
        '  breakglass-fwd-<name>-heartbeat (aws scheduler get-schedule --name ...) and its role breakglass-forwarder-heartbeat-<region>.');
    }
    if (allSilentAccounts >= 3 && allSilentAccounts * 2 >= totalAccounts) {
      lines.push('- Most accounts went silent together: look at the central side first (central bus breakglass-central and its',
        '  policy, the organization ID it admits, the breakglass-liveness rule and its recorder function).');
    }
    lines.push('');
  }
  const ids = [...new Set([...v.newlySilent, ...v.reminders, ...v.recovered, ...v.forgotten].map((i) => ruleLabel(i.forwarder)))].sort();
  const legend = ids.map((id) => ({ id, title: ruleById(id)?.title })).filter((x) => x.title);
  if (legend.length) lines.push('Forwarders:', ...legend.map((x) => `  ${x.id}: ${x.title}`), '');
  lines.push(`Watched after this check: ${plural(v.watched, 'forwarder')}. A forwarder is reminded about daily while silent and forgotten after ${days} days.`);
  return { subject, message: lines.join('\n') };
}
