/**
 * `breakglass simulate`: which alerts the deployed system would raise for each event. Streams its input; with
 * --json prints one document, written incrementally so memory does not grow with the number of events.
 */
import { loadConfigFile } from '../../config/load';
import { ruleById } from '../../detection/catalogue';
import { detectionContext } from '../../detection/context';
import { toEventBridgeEvent, type Assumption } from '../../detection/envelope';
import { escapeControls } from '../../detection/escape';
import type { FastStats } from '../../detection/fast-lines';
import { readBatches, type ReadItem } from '../../detection/read-events';
import { rawFieldValues, rawLineTest, Simulator, type RuleMatch } from '../../detection/simulate';
import { renderNotification } from '../../notify/render';
import { EXIT } from '../errors';
import type { Io } from '../io';

export interface SimulateOptions {
  readonly config: string;
  readonly json?: boolean;
  /**
   * List only the events that raise alerts (with their assumptions); the summary still counts every event. Lets the
   * reader skip, from the raw bytes, the JSON Lines records no rule can match (lib/detection/fast-lines.ts).
   * @default false (every event is listed, so every record is parsed)
   */
  readonly alertsOnly?: boolean;
  /** With alertsOnly: decide from the raw bytes which records to parse. @default true */
  readonly prefilter?: boolean;
  readonly files: readonly string[];
}

export async function runSimulate(opts: SimulateOptions, io: Io): Promise<number> {
  const { config } = loadConfigFile(opts.config);
  const sim = new Simulator(detectionContext(config));
  const stdin = (io.stdin ?? process.stdin) as NodeJS.ReadableStream & { isTTY?: boolean };
  if ((opts.files.length === 0 || opts.files.includes('-')) && stdin.isTTY) {
    io.err('reading events from standard input (end with Ctrl-D; or name files: breakglass simulate -c FILE EVENTS.json)');
  }
  // index: position of the value in the input, unreadable ones included, so it can be found again; events: readable ones.
  let index = 0;
  let events = 0;
  let bad = 0;
  let alerting = 0;
  const out = opts.json ? new JsonWriter(io) : new TableWriter(io);
  const skipped = { lines: 0, parsed: 0 };
  out.start();
  for await (const batch of eventBatches(opts, config, stdin, skipped)) {
    for (const item of batch) {
      index += item.skippedBefore ?? 0;
      const at = `${escapeControls(item.source)}${item.line ? `:${item.line}` : ''}`;
      if (item.error !== undefined) {
        bad++;
        io.err(`${at}: ${item.error}`);
        if (item.line) index++;
        continue;
      }
      const value = item.value as Record<string, unknown>;
      // A CloudTrail log file that was not streamed (e.g. pretty-printed or small): expand its records here.
      const values = !item.fromRecords && value && typeof value === 'object' && Array.isArray((value as any).Records) ? (value as any).Records as unknown[] : [value];
      for (const v of values) {
        const c = toEventBridgeEvent(v);
        if ('error' in c) {
          bad++;
          io.err(`${at}: ${c.error}`);
          index++;
          continue;
        }
        try {
          const matches = sim.evaluate(c.event);
          if (!opts.alertsOnly || matches.length) {
            // Never guess silently: whatever a listed record lacked and was assumed is said, one line each.
            for (const a of c.assumptions ?? []) io.err(assumptionLine(at, index, c.event, a));
            out.event(index, c.event, matches, c.assumptions);
          }
          if (matches.length) alerting++;
          events++;
        } catch (e) {
          // A value no real event has (nesting deep enough to exhaust the stack, say) is one unreadable event, not
          // the end of the run.
          bad++;
          io.err(`${at}: cannot evaluate this event (${e instanceof RangeError ? 'nested too deeply' : escapeControls(String((e as Error)?.message ?? e))})`);
        }
        index++;
      }
    }
  }
  // Lines the prefilter did not parse: one record each, raising nothing (it parses every line that could hold more).
  events += skipped.lines - skipped.parsed;
  out.end({ events, alerting, unreadable: bad });
  return bad > 0 ? EXIT.usage : EXIT.ok;
}

/**
 * The input, as the full reader gives it; with --alerts-only, each named file through the raw-bytes prefilter instead
 * (standard input is always read in full). `skipped` counts the lines the prefilter read and those it parsed.
 */
async function* eventBatches(opts: SimulateOptions, config: Parameters<typeof detectionContext>[0], stdin: NodeJS.ReadableStream, skipped: FastStats): AsyncGenerator<ReadItem[]> {
  const fields = opts.alertsOnly && opts.prefilter !== false ? rawFieldValues(detectionContext(config)) : undefined;
  if (!fields) { yield* readBatches(opts.files, stdin as never); return; }
  const { fieldSelector, readFiltered, refinedSelector } = require('../../detection/fast-lines') as typeof import('../../detection/fast-lines');
  // First the key scan over whole chunks, then, on the lines it names, every literal some rule requires.
  const test = rawLineTest(detectionContext(config));
  const selector = test ? refinedSelector(fieldSelector(fields), test) : fieldSelector(fields);
  for (const file of opts.files.length ? opts.files : ['-']) {
    if (file === '-') yield* readBatches(['-'], stdin as never);
    else yield* readFiltered(file, selector, skipped);
  }
}

/**
 * One stderr line per assumption, naming the field, the record (input position, event index, eventID and eventName)
 * and the rule that gave the value.
 */
function assumptionLine(at: string, index: number, event: Record<string, unknown>, a: Assumption): string {
  const d = detailOf(event);
  const id = typeof d.eventID === 'string' ? ` ${escapeControls(d.eventID).slice(0, 128)}` : '';
  const name = typeof d.eventName === 'string' ? ` (${escapeControls(d.eventName).slice(0, 128)})` : '';
  return `${at}: record #${index}${id}${name} has no ${a.field}; ${a.value === null ? 'no account assigned' : `assumed account ${a.value}`}, by rule: ${a.rule}`;
}

interface Writer {
  start(): void;
  event(index: number, event: Record<string, unknown>, matches: RuleMatch[], assumptions?: readonly Assumption[]): void;
  end(totals: { events: number; alerting: number; unreadable: number }): void;
}

function detailOf(e: Record<string, unknown>): Record<string, any> {
  return (e.detail && typeof e.detail === 'object' ? e.detail : {}) as Record<string, any>;
}

/**
 * Exactly what email subscribers would receive for this match (SNS Subject + Message), with the session key the
 * notifier would attach (null: no session; lib/notify/session-key.ts, tracked by the Simulator in input order).
 */
function notificationOf(event: Record<string, unknown>, m: RuleMatch): { subject: string; message: string; sessionKey: string | null } | undefined {
  const rule = ruleById(m.rule);
  if (!rule) return undefined;
  const session = m.session && m.session.status !== 'sessionless' ? m.session : undefined;
  const { subject, message } = renderNotification(event, rule, session ? { session } : {});
  return { subject, message, sessionKey: m.session?.key ?? null };
}

class JsonWriter implements Writer {
  private first = true;
  private buf: string[] = [];
  constructor(private readonly io: Io) {}
  start(): void { this.buf.push('{"schemaVersion":1,"events":['); }
  event(index: number, event: Record<string, unknown>, matches: RuleMatch[], assumptions?: readonly Assumption[]): void {
    const d = detailOf(event);
    const entry = {
      index,
      eventName: d.eventName ?? event['detail-type'],
      eventID: d.eventID ?? event.id,
      // As the record gives it, readable or not.
      eventTime: d.eventTime ?? event.time,
      account: event.account,
      region: event.region,
      // What the record lacked and was assumed (field, assumed value or null, rule); absent when nothing was.
      ...(assumptions?.length ? { assumptions } : {}),
      // The session goes into the notification (sessionKey, and the message's Session line), not beside the rule.
      matches: matches.map(({ session, ...m }) => ({ ...m, notification: notificationOf(event, { ...m, session }) })),
    };
    this.buf.push(`${this.first ? '' : ','}${JSON.stringify(entry)}`);
    this.first = false;
    if (this.buf.length >= 512) this.flush();
  }
  end(t: { events: number; alerting: number; unreadable: number }): void {
    this.buf.push(`],"summary":${JSON.stringify(t)}}`);
    this.flush();
    this.io.out('');
  }
  private flush(): void {
    // io.out appends a newline only when missing; write chunks without adding newlines inside the document.
    const text = this.buf.join('');
    this.buf = [];
    if (text) this.io.out(text, true);
  }
}

/**
 * One value of an event for the text table: strings as they are, anything else as JSON; control characters escaped
 * (an event may carry terminal escape sequences or line breaks that would forge lines of this output) and capped.
 */
function show(v: unknown, max = 200): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v === undefined) s = '-';
  else {
    try { s = JSON.stringify(v) ?? String(v); } catch { s = '(unprintable)'; }
  }
  if (s.length > max * 2) s = s.slice(0, max * 2);
  const t = escapeControls(s);
  const more = (typeof v === 'string' ? v.length : s.length) - max;
  return t.length > max ? `${t.slice(0, max)}… (${more > 0 ? more : t.length - max} more characters)` : t;
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && !Array.isArray(obj) && Object.prototype.hasOwnProperty.call(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

class TableWriter implements Writer {
  constructor(private readonly io: Io) {}
  start(): void {}
  event(index: number, event: Record<string, unknown>, matches: RuleMatch[]): void {
    const d = detailOf(event);
    const id = field(d, 'userIdentity');
    const who = field(id, 'userName') ?? field(id, 'arn') ?? field(id, 'type') ?? '-';
    const head = `#${index} ${show(field(d, 'eventTime') ?? event.time ?? '')} ${show(field(d, 'eventName') ?? event['detail-type'])} by ${show(who)} in ${show(event.account)}/${show(event.region)}`;
    if (!matches.length) { this.io.out(`${head}\n    no alert`); return; }
    this.io.out(`${head}\n${matches.map((m) => {
      const alert = `    ALERT ${m.severity.toUpperCase().padEnd(8)} ${m.rule.padEnd(25)} ${m.title}`;
      const n = notificationOf(event, m);
      if (!n) return alert;
      const indent = (t: string) => t.trimEnd().split('\n').map((l) => (l ? `        ${l}` : '')).join('\n');
      return `${alert}\n${indent(`Subject: ${n.subject}`)}\n\n${indent(n.message)}\n`;
    }).join('\n')}`);
  }
  end(t: { events: number; alerting: number; unreadable: number }): void {
    this.io.out(`\n${t.events} event${t.events === 1 ? '' : 's'}, ${t.alerting} raising alerts${t.unreadable ? `, ${t.unreadable} unreadable (not counted as events; see stderr)` : ''}`);
  }
}
