/**
 * `breakglass simulate`: which alerts the deployed system would raise for each event. Streams its input; with
 * --json prints one document, written incrementally so memory does not grow with the number of events.
 */
import { loadConfigFile } from '../../config/load';
import { ruleById } from '../../detection/catalogue';
import { detectionContext } from '../../detection/context';
import { toEventBridgeEvent } from '../../detection/envelope';
import { readBatches } from '../../detection/read-events';
import { Simulator, type RuleMatch } from '../../detection/simulate';
import { renderNotification } from '../../notify/render';
import { EXIT } from '../errors';
import type { Io } from '../io';

export interface SimulateOptions {
  readonly config: string;
  readonly json?: boolean;
  readonly files: readonly string[];
}

export async function runSimulate(opts: SimulateOptions, io: Io): Promise<number> {
  const { config } = loadConfigFile(opts.config);
  const sim = new Simulator(detectionContext(config));
  let index = 0;
  let bad = 0;
  let alerting = 0;
  const out = opts.json ? new JsonWriter(io) : new TableWriter(io);
  out.start();
  for await (const batch of readBatches(opts.files, io.stdin as never)) {
    for (const item of batch) {
      const at = `${item.source}${item.line ? `:${item.line}` : ''}`;
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
        const matches = sim.evaluate(c.event);
        if (matches.length) alerting++;
        out.event(index++, c.event, matches);
      }
    }
  }
  out.end({ events: index, alerting, unreadable: bad });
  return bad > 0 ? EXIT.usage : EXIT.ok;
}

interface Writer {
  start(): void;
  event(index: number, event: Record<string, unknown>, matches: RuleMatch[]): void;
  end(totals: { events: number; alerting: number; unreadable: number }): void;
}

function detailOf(e: Record<string, unknown>): Record<string, any> {
  return (e.detail && typeof e.detail === 'object' ? e.detail : {}) as Record<string, any>;
}

/** Exactly what email subscribers would receive for this match (SNS Subject + Message). */
function notificationOf(event: Record<string, unknown>, m: RuleMatch): { subject: string; message: string } | undefined {
  const rule = ruleById(m.rule);
  if (!rule) return undefined;
  const { subject, message } = renderNotification(event, rule);
  return { subject, message };
}

class JsonWriter implements Writer {
  private first = true;
  private buf: string[] = [];
  constructor(private readonly io: Io) {}
  start(): void { this.buf.push('{"schemaVersion":1,"events":['); }
  event(index: number, event: Record<string, unknown>, matches: RuleMatch[]): void {
    const d = detailOf(event);
    const entry = {
      index,
      eventName: d.eventName ?? event['detail-type'],
      eventID: d.eventID ?? event.id,
      account: event.account,
      region: event.region,
      matches: matches.map((m) => ({ ...m, notification: notificationOf(event, m) })),
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

class TableWriter implements Writer {
  constructor(private readonly io: Io) {}
  start(): void {}
  event(index: number, event: Record<string, unknown>, matches: RuleMatch[]): void {
    const d = detailOf(event);
    const who = d.userIdentity?.userName ?? d.userIdentity?.arn ?? d.userIdentity?.type ?? '-';
    const head = `#${index} ${d.eventTime ?? event.time ?? ''} ${d.eventName ?? event['detail-type']} by ${who} in ${event.account}/${event.region}`;
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
    this.io.out(`\n${t.events} event${t.events === 1 ? '' : 's'}, ${t.alerting} raising alerts${t.unreadable ? `, ${t.unreadable} unreadable (see stderr)` : ''}`);
  }
}
