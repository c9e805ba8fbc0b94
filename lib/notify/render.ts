/**
 * Alerts people can act on at 3 a.m.: turns a matched EventBridge event (detail = CloudTrail record) and its
 * catalogue rule into
 * - `subject`: the SNS email subject,
 * - `message`: plain text for email and HTTPS subscribers (what happened, why it matters, the facts, what to do),
 * - `chat`: an AWS Chatbot / Amazon Q Developer in chat applications custom notification.
 * Plus `renderHeartbeat` for the scheduled "alert path is alive" message.
 *
 * Pure and deterministic (no clock, no I/O, no AWS SDK, no aws-cdk-lib): it runs inside the alert Lambda and inside
 * `breakglass simulate`, and golden files pin its output (test/notify/render.test.ts, test/golden/).
 *
 * Untrusted text: the rule texts (render-rules.ts) come back with every value from the record marked; this file
 * turns them into each channel's form with untrusted-text.ts (`renderSubject`, `renderPlain`, `renderChat`), so no
 * value from the record becomes a link, a mention, markup or an extra line on any channel.
 *
 * Limits and formats relied on:
 * - SNS Publish `Subject`: "Subjects must be UTF-8 text with no line breaks or control characters, and less than
 *   100 characters long" (SNS API reference, Publish; e.g. the AWS SDK for Kotlin PublishRequest.subject page).
 *   Older SNS docs asked for ASCII text beginning with a letter, number or punctuation mark, and the Amazon Managed
 *   Prometheus guide ("Understanding Amazon SNS message validation rules") says subjects with control or non-ASCII
 *   characters are modified. So subjects here are printable ASCII, at most 99 characters, starting with "[".
 * - Chatbot custom notifications: `version` "1.0" and `source` "custom" are required; optional `id`;
 *   `content.textType` (only "client-markdown" is supported), `content.title`, `content.description`,
 *   `content.nextSteps[]`, `content.keywords[]`; `metadata.threadId`, `summary`, `eventType`,
 *   `relatedResources[]`, `additionalContext{}` (Amazon Q Developer in chat applications admin guide, "Custom
 *   notifications using Amazon Q Developer in chat applications", Event schema / Parameter details,
 *   https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html). The message must be published to an
 *   SNS topic mapped to the channel; plain text is not forwarded to chat.
 */
import type { AlertRule, Severity } from '../detection/catalogue';
import { actorOf, oneLine, operatorText, outcomeOf, readFacts, SHAPE, type Facts } from './render-facts';
import { genericText, REGION, RULE_TEXT, type Ctx, type Line, type RuleText } from './render-rules';
import { chatLine, chatTrusted, defang, isMarked, renderChat, renderPlain, renderSubject, untrusted } from './untrusted-text';
import type { DrillLine } from './drill-status';
import type { SessionOutcome } from './session-key';

export { formatUtc } from './render-facts';

/** Where the runbook lives when no URL is configured: the repository's runbook, as a relative path. */
export const DEFAULT_RUNBOOK_URL = 'docs/runbook.md';

/** SNS: "less than 100 characters long". */
export const SUBJECT_MAX_LENGTH = 99;

export interface RenderOptions {
  /** Account ID -> human name ("Payments production"), shown next to the ID wherever an account appears. */
  readonly accountNames?: Readonly<Record<string, string>>;
  /** Link or path to the runbook, printed with the rule's section. @default DEFAULT_RUNBOOK_URL */
  readonly runbookUrl?: string;
  /**
   * Region for the CloudTrail console link when the event names none (the link must point at the region that
   * recorded the event, so the event's own region always wins). @default none: without a region, no link.
   */
  readonly consoleRegion?: string;
  /**
   * The alert's break-glass session (lib/notify/session-key.ts): a "Session: ..." line under the title, and the key as
   * the chat threadId so every alert of a session threads under its first. @default - none: no line, no thread
   */
  readonly session?: SessionOutcome;
}

export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords?: readonly string[];
  };
  readonly metadata?: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: readonly string[];
    readonly additionalContext?: Readonly<Record<string, string>>;
  };
}

export interface Notification {
  /** SNS Subject: printable ASCII, at most SUBJECT_MAX_LENGTH characters. */
  readonly subject: string;
  /** Plain-text body for email and HTTPS subscribers. */
  readonly message: string;
  /** Chatbot custom notification (JSON.stringify it as the SNS message for chat topics). */
  readonly chat: ChatNotification;
}

// ---- subject -----------------------------------------------------------------------------------------------------

/**
 * Printable ASCII on one line, from marked text: untrusted values are escaped, defanged and quoted unless bare
 * identifiers (untrusted-text.ts `renderSubject`); accents are folded ("Süd" -> "Sud"), anything else non-ASCII
 * becomes "?", control characters and line breaks in trusted text become spaces.
 */
export function subjectText(s: string): string {
  return oneLine(renderSubject(s))
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

/**
 * `head: summary` with the first summary that fits `max`; summaries are ordered most detailed first, so the region
 * and account drop out before the user or the change. If even the shortest does not fit, it is cut at a word
 * boundary with "...". Severity and title always come first.
 */
export function fitSubject(head: string, summaries: readonly string[], max = SUBJECT_MAX_LENGTH): string {
  const h = subjectText(head);
  const options = summaries.map(subjectText).filter((s) => s !== '');
  for (const s of options) {
    const full = `${h}: ${s}`;
    if (full.length <= max) return full;
  }
  return truncate(options.length ? `${h}: ${options[options.length - 1]}` : h, max);
}

function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const room = s.slice(0, max - 3);
  const space = room.lastIndexOf(' ');
  const cut = space >= max - 20 ? room.slice(0, space) : room;
  return `${cut.replace(/[\s:,;-]+$/, '')}...`;
}

// ---- console link --------------------------------------------------------------------------------------------------

/**
 * Deep link to one event in the CloudTrail console's Event history:
 * https://<region>.console.aws.amazon.com/cloudtrailv2/home?region=<region>#/events/<eventID>.
 * The AWS documentation describes Event history and its "Event ID" lookup attribute (CloudTrail user guide,
 * "Working with CloudTrail event history", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html;
 * LookupEvents API: "Lookup supports the following attributes for management events: ... Event ID") but not console
 * URLs; this is the URL the console shows for an event, also built the same way by public tools (several
 * independent repositories in the code index). Unverified against a live console here. Commercial partition only:
 * China and GovCloud consoles live on other domains, so no link is made for their regions.
 */
export function cloudTrailEventUrl(region: string | undefined, eventId: string | undefined): string | undefined {
  if (!region || !eventId || !REGION.test(region) || /^(cn|us-gov|us-iso[a-z]*)-/.test(region)) return undefined;
  if (!/^[A-Za-z0-9-]{1,128}$/.test(eventId)) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/${eventId}`;
}

// ---- notification ----------------------------------------------------------------------------------------------

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':rotating_light:',
  high: ':warning:',
  medium: ':large_yellow_circle:',
  info: ':information_source:',
};

/** Account IDs as marked text: "222222222222 (Security)" for a 12-digit ID; anything else is an untrusted value. */
function accountFormatters(names: Readonly<Record<string, string>> | undefined) {
  const nameOf = (id: string) => {
    const n = names && Object.prototype.hasOwnProperty.call(names, id) ? operatorText(names[id]) : undefined;
    return n && n !== id ? n : undefined;
  };
  const valid = (id: string) => !isMarked(id) && SHAPE.account.test(id);
  return {
    account: (id: string | undefined) => (!id ? 'unknown' : !valid(id) ? untrusted(id) : nameOf(id) ? `${id} (${nameOf(id)})` : id),
    accountShort: (id: string | undefined) => (!id ? 'unknown account' : !valid(id) ? untrusted(id) : nameOf(id) ? `${nameOf(id)} ${id}` : id),
  };
}

function buildContext(f: Facts, options: RenderOptions): Ctx {
  const fmt = accountFormatters(options.accountNames);
  return { f, outcome: outcomeOf(f), actor: actorOf(f, fmt.account), ...fmt };
}

function sourceIpText(f: Facts): string {
  if (!f.sourceIp) return 'unknown';
  if (f.sourceIp === 'AWS Internal') return 'AWS Internal (an AWS service made the call for the user, e.g. the console\'s Switch role)';
  return untrusted(f.sourceIp);
}

/**
 * ARNs for chat's relatedResources, which Chatbot may turn into links: only ARNs of the plain AWS shape with nothing
 * that defanging would change (no host name, URL or "@", e.g. in a session name), and not marked.
 */
const SAFE_ARN = /^arn:aws[a-z-]{0,20}:[a-z0-9-]{1,63}:[a-z0-9-]{0,32}:(\d{12})?:[A-Za-z0-9+=,.@_/:-]{1,1024}$/;
const safeResources = (arns: readonly string[]) => arns.filter((a) => !isMarked(a) && SAFE_ARN.test(a) && defang(a) === a);

function labelled(lines: readonly Line[], indent = '  '): string[] {
  const present = lines.filter((l): l is readonly [string, string] => l[1] !== undefined && l[1] !== '');
  const width = Math.max(...present.map(([label]) => label.length)) + 2;
  return present.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}${value}`);
}

/** A trusted value in chat as inline code (region, event ID); untrusted values are code spans already. */
const codeIfTrusted = (v: string) => (isMarked(v) ? v : `\`${v}\``);
/** Only values of AWS's own shape go where Chatbot may use them as identifiers (id, keywords, additionalContext). */
const shaped = (v: string | undefined) => (v && !isMarked(v) ? v : undefined);

/**
 * "Session: <key> (first alert of this session | follow-up N | ...)"; undefined for an alert of no session. Keys are
 * built from configured user names and hold only IAM-name characters (session-key.ts sessionKeyFor), so they are
 * trusted text; `code` formats a key per channel (inline code in chat).
 */
export function sessionText(o: SessionOutcome | undefined, code: (key: string) => string = (k) => k): string | undefined {
  if (!o || o.key === null && o.status !== 'older') return undefined;
  switch (o.status) {
    case 'first': return `Session: ${code(o.key!)} (first alert of this session)`;
    case 'follow-up': return `Session: ${code(o.key!)} (follow-up ${o.followUp})`;
    case 'unavailable': return `Session: ${code(o.key!)} (first alert of this session; the session state could not be read, so this alert pages)`;
    case 'older': return `Session: none (older than the session being tracked for this user${o.current ? `, ${code(o.current)}` : ''}; this alert pages on its own)`;
    default: return undefined;
  }
}

export function renderNotification(event: unknown, rule: AlertRule, options: RenderOptions = {}): Notification {
  const f = readFacts(event);
  const c = buildContext(f, options);
  const text: RuleText = (RULE_TEXT as Record<string, ((c: Ctx) => RuleText) | undefined>)[rule.id]?.(c) ?? genericText(c);
  const severity = rule.severity.toUpperCase();
  const head = `[${severity}] ${rule.title}`;
  const subject = fitSubject(head, text.subject);
  const runbook = operatorText(options.runbookUrl) ?? DEFAULT_RUNBOOK_URL;
  const runbookLine = `Runbook: ${runbook} (section "${rule.title}")`;
  const eventId = f.eventId;
  const region = f.region ?? operatorText(options.consoleRegion);
  const url = cloudTrailEventUrl(region, eventId);
  const user = text.user ?? c.actor?.long ?? 'unknown';

  const facts: Line[] = [
    ['Event', f.eventName ? `${f.eventName}${f.eventSource ? ` (${f.eventSource})` : ''}` : 'unknown'],
    ['Outcome', c.outcome.text],
    [text.userLabel ?? 'User', user],
    ...text.details,
    ['Account', c.account(f.account)],
    ['Region', f.region ?? 'unknown'],
    ['Time', f.time ?? 'unknown'],
    ['Source IP', sourceIpText(f)],
    ['User agent', f.userAgent ? untrusted(f.userAgent) : 'unknown'],
  ];
  const record: Line[] = [
    ['Event ID', eventId ?? `unknown (EventBridge event ID ${f.envelopeId ?? 'unknown'})`],
    ['Console link', url],
  ];
  const findIt = eventId
    ? `  ${url ? 'If the link does not open: s' : 'S'}ign in to account ${c.account(f.account)}, open CloudTrail > Event history${region ? ` in ${region}` : ''} and filter on Event ID. Event history keeps 90 days of management events.`
    : '  The record has no CloudTrail event ID: search CloudTrail > Event history by time, event name and user instead.';

  const session = sessionText(options.session);
  const message = renderPlain([
    head,
    ...(session ? [session] : []),
    '',
    text.headline,
    '',
    `Why it matters: ${rule.description}`,
    '',
    'What happened',
    ...labelled(facts),
    '',
    'What to do now',
    ...text.steps.map((s, i) => `  ${i + 1}. ${s}`),
    `  ${runbookLine}`,
    '',
    'CloudTrail record',
    ...labelled(record),
    findIt,
    '',
    `Alert rule: ${rule.id}, severity ${rule.severity}. Sent by breakglass.`,
    '',
  ].join('\n'));

  // The chat form is built when first read: `simulate` and email-only deployments never need it, and it is a third of
  // the rendering time.
  const buildChat = (): ChatNotification => {
    const chatFacts: Array<[string, string | undefined, boolean]> = [
      [text.userLabel ?? 'User', user, false],
      ['Outcome', c.outcome.text, false],
      ...text.details.map(([l, v]) => [l, v, false] as [string, string | undefined, boolean]),
      ['Account', c.account(f.account), false],
      ['Region', f.region ?? 'unknown', true],
      ['Time', f.time ?? 'unknown', false],
      ['Source IP', f.sourceIp ? untrusted(f.sourceIp) : 'unknown', true],
      ['Event ID', eventId ?? 'unknown', true],
    ];
    const chatSession = sessionText(options.session, (k) => `\`${k}\``);
    const description = renderChat([
      ...(chatSession ? [chatSession, ''] : []),
      text.headline,
      '',
      `Why it matters: ${rule.description}`,
      '',
      ...chatFacts.filter(([, v]) => v !== undefined && v !== '').map(([l, v, code]) => `${l}: ${code ? codeIfTrusted(v!) : v}`),
      ...(url ? [`CloudTrail: ${url}`] : []),
    ].join('\n'));
    const additionalContext: Record<string, string> = {};
    for (const [k, v] of [['rule', rule.id], ['severity', rule.severity], ['eventId', shaped(eventId)], ['eventName', shaped(f.eventName)], ['account', shaped(f.account)], ['region', shaped(f.region)]] as const) {
      if (v) additionalContext[k] = v;
    }
    const id = shaped(eventId) ?? shaped(f.envelopeId);
    const resources = safeResources(text.resources);
    return {
      version: '1.0',
      source: 'custom',
      ...(id ? { id } : {}),
      content: {
        textType: 'client-markdown',
        title: renderChat(`${SEVERITY_EMOJI[rule.severity] ?? ''} ${head}: ${text.subject[0] ?? ''}`).trim(),
        description,
        nextSteps: [...text.steps.map(renderChat), chatTrusted(runbookLine)],
        keywords: [severity, rule.id, ...(shaped(f.eventName) ? [f.eventName!] : []), ...(shaped(f.account) ? [f.account!] : [])],
      },
      // Alerts of one break-glass session share its key as threadId, so follow-ups thread under the session's first alert
      // (Chatbot custom notifications, metadata.threadId, page cited above). Every other alert gets no threadId: a new
      // top-level message, so it never hides in an old thread.
      metadata: {
        ...(options.session?.key ? { threadId: options.session.key } : {}),
        // The subject, whose values are already defanged and quoted; no markup at all, in case it is shown as is.
        summary: chatLine(subject),
        eventType: `breakglass-${rule.id}`,
        ...(resources.length ? { relatedResources: resources } : {}),
        additionalContext,
      },
    };
  };
  let chat: ChatNotification | undefined;
  return { subject, message, get chat() { return (chat ??= buildChat()); } };
}

// ---- heartbeat -------------------------------------------------------------------------------------------------

export interface HeartbeatOptions {
  /** How often the heartbeat is scheduled. @default 'weekly' */
  readonly period?: 'daily' | 'weekly';
  /** @default DEFAULT_RUNBOOK_URL */
  readonly runbookUrl?: string;
  /** The account and region that send the heartbeat (the security account's home region), when known. */
  readonly accountId?: string;
  readonly region?: string;
  readonly accountNames?: Readonly<Record<string, string>>;
  /**
   * When each break-glass user's next drill is due (lib/notify/drill-status.ts). @default - no drill paragraph (the
   * dates were not read)
   */
  readonly drills?: readonly DrillLine[];
}

const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;

/** The scheduled "alert path is alive" message. `time` is the schedule's time (EventBridge scheduled event `time`). */
export function renderHeartbeat(time: Date | string, options: HeartbeatOptions = {}): Notification {
  const period = options.period === 'daily' ? 'daily' : 'weekly';
  const at = time instanceof Date ? time : new Date(typeof time === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(time) ? time : Number.NaN);
  const { account } = accountFormatters(options.accountNames);
  const sent = formatUtcSafe(at);
  const next = Number.isNaN(at.getTime()) ? undefined : formatUtcSafe(new Date(at.getTime() + PERIOD_MS[period]));
  const from = options.accountId ? ` from account ${account(operatorText(options.accountId))}${operatorText(options.region) ? `, region ${operatorText(options.region)}` : ''}` : '';
  const runbook = operatorText(options.runbookUrl) ?? DEFAULT_RUNBOOK_URL;
  const subject = fitSubject(`[INFO] Break-glass alert path heartbeat (${period})`, []);
  const checks = [
    'Check that your subscription to the alert topic is confirmed (not PendingConfirmation) and that the message is not in a spam folder.',
    'In the security account, check the alert topic, its KMS key (enabled, not pending deletion) and the breakglass EventBridge rules (ENABLED, no FailedInvocations).',
    'Check that the CloudTrail trail is logging: `aws cloudtrail get-trail-status --name <trail>`.',
  ];
  const what = 'no break-glass sign-in, role use, credential or role change, root sign-in, or change to the alerting itself was detected';
  const message = renderPlain([
    subject,
    '',
    `This is the ${period} heartbeat of the break-glass alert path, sent at ${sent}${from}.`,
    '',
    'Its arrival means the alert path works end to end: the schedule fired, the message was published to the alert topic, and the topic delivered it to you.',
    '',
    `Silence between heartbeats means nothing happened: ${what}. Each of those raises its own alert, normally within minutes.`,
    '',
    `If a heartbeat does not arrive${next ? ` (the next one is due around ${next})` : ''}, silence no longer means nothing happened: the alert path may be broken. Then:`,
    ...checks.map((s, i) => `  ${i + 1}. ${s}`),
    `  Runbook: ${runbook} (section "Heartbeat")`,
    '',
    ...drillParagraph(options.drills, at, runbook),
    'No action is needed when this message arrives.',
    '',
  ].join('\n'));
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: `:white_check_mark: ${subject}`,
      description: renderChat([
        `The ${period} heartbeat of the break-glass alert path, sent at ${sent}${from}: the alert path works.`,
        '',
        `Silence between heartbeats means nothing happened: ${what}.`,
        `If a heartbeat does not arrive${next ? ` (next due around ${next})` : ''}, the alert path may be broken.`,
        ...(options.drills?.length ? ['', nextDrillSentence(options.drills, at)] : []),
      ].join('\n')),
      nextSteps: [...checks, `Runbook: ${runbook} (section "Heartbeat")`].map(renderChat),
      keywords: ['INFO', 'heartbeat'],
    },
    // Heartbeats share one thread so they do not crowd out alerts in the channel.
    metadata: { threadId: 'breakglass-heartbeat', summary: subject, eventType: 'breakglass-heartbeat' },
  };
  return { subject, message, chat };
}

/**
 * The drill cadence (lib/drill/cadence.ts): every user drilled or used at least every 45 days, Security Hub IAM.22's
 * limit for unused credentials. One line per user; dates to the minute; the error text comes from AWS, so untrusted.
 */
function drillParagraph(drills: readonly DrillLine[] | undefined, at: Date, runbook: string): string[] {
  if (!drills?.length) return [];
  const lines = drills.map((d) => {
    const user = operatorText(d.user) ?? 'unknown';
    if ('error' in d) return `  ${user}: the dates could not be read (${untrusted(d.error)}); run \`breakglass doctor\`.`;
    if (d.basis === 'none') return `  ${user}: never drilled or used: a drill is due now.`;
    return `  ${user}: last ${d.basis === 'drill' ? 'drilled' : 'used'} ${formatUtcSafe(new Date(d.last))}; next drill due ${formatUtcSafe(new Date(d.due))}${overdue(d.due, at) ? ' (OVERDUE)' : ''}.`;
  });
  return [
    'Drills',
    `  ${nextDrillSentence(drills, at)} Each break-glass user is drilled (\`breakglass drill\`) or used at least every 45 days: Security Hub IAM.22 flags credentials unused that long, and a password nobody tried may no longer work. Runbook: ${runbook} (section "Drills").`,
    ...lines,
    '',
  ];
}

/** "The next drill is due <date> (<user>)." for the earliest due date; "now" when one is overdue or never done. */
function nextDrillSentence(drills: readonly DrillLine[], at: Date): string {
  const dated = drills.filter((d): d is Extract<DrillLine, { due: string }> => !('error' in d) && d.basis !== 'none');
  const never = drills.filter((d) => !('error' in d) && d.basis === 'none').map((d) => operatorText(d.user) ?? 'unknown');
  if (never.length) return `A drill is due now: ${never.join(', ')} ${never.length === 1 ? 'has' : 'have'} never been drilled or used.`;
  if (!dated.length) return 'When the next drill is due could not be read.';
  const first = dated.reduce((a, b) => (b.due < a.due ? b : a));
  const who = operatorText(first.user) ?? 'unknown';
  return overdue(first.due, at) ? `A drill is overdue since ${formatUtcSafe(new Date(first.due))} (${who}).` : `The next drill is due ${formatUtcSafe(new Date(first.due))} (${who}).`;
}

function overdue(due: string, at: Date): boolean {
  return !Number.isNaN(at.getTime()) && new Date(due).getTime() <= at.getTime();
}

function formatUtcSafe(d: Date): string {
  return Number.isNaN(d.getTime()) ? 'an unknown time' : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
