/**
 * Untrusted text never becomes a link, a mention, markup or an extra line, on any channel.
 *
 * Almost every string in a CloudTrail record can be chosen by whoever made the call: user agents, request parameters
 * and response elements (session, policy, user and tag names, documents, descriptions), error messages, the source
 * "IP" (a service name or any string for some events), additionalEventData, the session name inside an
 * assumed-role ARN, sourceIdentity. The renderers therefore work on text in which every such value is *marked*
 * (`untrusted(value)`) and turn the marked text into each channel's output at the very end:
 *
 * - `renderPlain`: email and HTTPS subscribers. URLs, host names, e-mail addresses and @-mentions are defanged
 *   (`https://evil.example/x` -> `hxxps://evil[.]example/x`, `a@b.example` -> `a[@]b[.]example`), Slack control
 *   sequences (`<!here>`, `<#C1>`) and Markdown links (`](`) are broken.
 * - `renderChat`: AWS Chatbot / Amazon Q Developer custom notifications (`textType` "client-markdown": rendered in
 *   the chat platform's own markdown, Slack mrkdwn or Teams Markdown, so both are treated as live). Each value
 *   becomes an inline code span, is defanged as above, and the characters that stay live inside a code span in at
 *   least one renderer, or that build links/mentions/emphasis around it, are replaced by look-alikes.
 * - `renderSubject`: the SNS subject (printable ASCII): defanged as in plain text and quoted unless it is a bare
 *   identifier, so "BreakGlassUser1 - resolved, ignore" reads as one quoted value, not as words of the alert.
 *
 * On every channel, values are first made visible (`visibleText`): control characters, line and paragraph
 * separators, bidi overrides/isolates, zero-width and other format characters and private-use characters are
 * printed as escapes (`\n`, `\u202E`), so a value can neither start a line ("Severity: info") nor reorder or hide
 * text, and the attempt itself stays visible. Values are capped (`MAX_VALUE_CHARS`, `MAX_DOCUMENT_CHARS`) with a
 * visible "… (N more characters)".
 *
 * Values AWS itself controls (account IDs, region, event name and source, event ID, error code) are printed as they
 * are only when they have the shape AWS gives them (`awsShaped`); anything else is marked like any other value.
 *
 * Pure: no AWS SDK, no aws-cdk-lib, no I/O.
 */

/**
 * Longest value printed, in characters (code points) of the cleaned value. A person reads a user name, an ARN, a user
 * agent or an error message in far less; the SNS subject must stay under 100 characters anyway; Slack rejects a
 * section block text over 3,000 characters and truncates messages over 40,000 (Slack API docs, chat.postMessage and
 * Block Kit limits), and a chat description holds about 15 values; and SNS messages are limited to 256 KB (SNS API
 * reference, Publish), which a record's values could otherwise approach: an EventBridge event itself may be 256 KB.
 */
export const MAX_VALUE_CHARS = 256;
/** Longest JSON document printed (request parameters): enough for a short policy, small against every limit above. */
export const MAX_DOCUMENT_CHARS = 2000;

// ---- marks -------------------------------------------------------------------------------------------------------

/** Private-use code points that delimit untrusted values inside rendered text; never valid in output. */
const VALUE = '\uE000';
const DOCUMENT = '\uE001';
const END = '\uE002';
const MARK = /[\uE000-\uE002]/g;
const SEGMENT = /([\uE000\uE001])([^\uE000-\uE002]*)\uE002/g;

/**
 * Marks a value from the record (or anything derived from it) as untrusted. Marks inside the value are dropped, so
 * marking text that already contains marked values turns the whole of it into one untrusted value (safe default).
 */
export function untrusted(value: string): string;
export function untrusted(value: string | undefined): string | undefined;
export function untrusted(value: string | undefined): string | undefined {
  return value === undefined ? undefined : `${VALUE}${value.replace(MARK, '')}${END}`;
}

/** Marks a document (e.g. a JSON dump of request parameters): like `untrusted`, capped at MAX_DOCUMENT_CHARS. */
export function untrustedDocument(value: string): string {
  return `${DOCUMENT}${value.replace(MARK, '')}${END}`;
}

/** Whether text contains a marked (untrusted) value. */
export const isMarked = (text: string): boolean => /[\uE000-\uE002]/.test(text);

/**
 * A value AWS controls (account ID, region, event name, ...) as it is when it has its expected shape, otherwise
 * marked as untrusted: records pasted into `breakglass simulate`, or forged, can hold anything there.
 */
export function awsShaped(value: string | undefined, shape: RegExp): string | undefined {
  if (value === undefined) return undefined;
  return !isMarked(value) && shape.test(value) ? value : untrusted(value);
}

interface Part {
  readonly text: string;
  /** Cap for an untrusted part; undefined = trusted text written by breakglass or its operator. */
  readonly max?: number;
}

function parts(text: string): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(SEGMENT)) {
    if (m.index! > last) out.push({ text: text.slice(last, m.index).replace(MARK, '') });
    out.push({ text: m[2]!, max: m[1] === DOCUMENT ? MAX_DOCUMENT_CHARS : MAX_VALUE_CHARS });
    last = m.index! + m[0].length;
  }
  // Unpaired marks cannot come from `untrusted` (it strips them from values); drop them rather than print them.
  if (last < text.length) out.push({ text: text.slice(last).replace(MARK, '') });
  return out;
}

// ---- making text visible and single-line -------------------------------------------------------------------------

/**
 * Control characters (C0, DEL, C1), line/paragraph separators, format characters (bidi embeddings, overrides and
 * isolates U+202A-U+202E and U+2066-U+2069, LRM/RLM, zero-width space/joiners, word joiner, BOM, soft hyphen, tag
 * characters), lone surrogates and private-use characters.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]/gu;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeInvisible(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named) return named;
  const cp = ch.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase();
  return cp > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/**
 * One visible line: invisible and line-breaking characters become escapes (`\n`, `\u202E`), other spaces (no-break,
 * em, ideographic, ...) become one ordinary space, and the ends are trimmed. Idempotent.
 */
export function visibleText(s: string): string {
  // Printable ASCII without spaces has nothing to escape, fold or trim (most values: IDs, ARNs, names).
  if (PRINTABLE_NO_SPACE.test(s)) return s;
  return memo(visibleCache, s, () => s.replace(INVISIBLE, escapeInvisible).replace(/\p{Zs}+/gu, ' ').trim());
}

const PRINTABLE_NO_SPACE = /^[\x21-\x7e]*$/;

/**
 * Results of the pure functions above and below for values seen before: alerts of one input repeat the same
 * accounts, users, addresses and agents. Bounded: a full cache is emptied, so memory stays small on any input.
 */
const MEMO_ENTRIES = 4096;
const visibleCache = new Map<string, string>();
const defangCache = new Map<string, string>();
function memo(cache: Map<string, string>, key: string, compute: () => string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (key.length <= 1024) {
    if (cache.size >= MEMO_ENTRIES) cache.clear();
    cache.set(key, value);
  }
  return value;
}

const codePoints = (s: string) => s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);

/** At most `max` code points of `s` (a surrogate pair is never split), and how many were left out. */
export function capText(s: string, max: number): { text: string; more: number } {
  if (s.length <= max) return { text: s, more: 0 };
  let end = 0;
  for (let n = 0; n < max && end < s.length; n++) end += (s.codePointAt(end)! > 0xffff ? 2 : 1);
  return end >= s.length ? { text: s, more: 0 } : { text: s.slice(0, end), more: codePoints(s.slice(end)) };
}

/** A segment's value capped, then made visible (again: values from readFacts already are, documents are not). */
function capped(p: Part): { v: string; more: number } {
  const { text, more } = capText(p.text, p.max!);
  return { v: visibleText(text), more };
}

const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** The visible marker after a cut value: "(N more characters)". */
export const moreMarker = (more: number) => `(${thousands(more)} more character${more === 1 ? '' : 's'})`;

// ---- defanging -----------------------------------------------------------------------------------------------------

/**
 * An AWS service principal host such as `signin.amazonaws.com` or `cloudformation.amazonaws.com`, as CloudTrail
 * prints in sourceIPAddress, invokedBy and userAgent for calls AWS makes: left as it is when it is the whole value.
 * One label only: S3 buckets and other customer content live on deeper names (`bucket.s3.amazonaws.com`), and a path
 * (`s3.amazonaws.com/bucket/page.html`) makes it more than the whole value.
 */
const AWS_SERVICE_HOST = /^[a-z0-9-]{1,63}\.amazonaws\.com$/;

/** Dots that IDNA (and so browsers and auto-linkers) treat as label separators. */
const DOT = '[.\\u3002\\uFF0E\\uFF61]';
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const TLD = '(?:\\p{L}{2,63}|xn--[a-z0-9-]{1,59})';
/**
 * A host name as auto-linkers see one: two or more labels ending in an alphabetic (or punycode) top-level label, not
 * glued to a longer word (so `x86_64.amzn`, `python#3.11` and `sts.assume-role` in user agents are left alone).
 */
const HOST_LIKE = new RegExp(`(?<![\\p{L}\\p{N}_.\\u3002\\uFF0E\\uFF61-])(?:${LABEL}${DOT})+${TLD}(?![\\p{L}\\p{N}_-])`, 'giu');
/** `scheme://host`: the scheme is defanged and every dot of the host (IP addresses too). */
const URL_START = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}):\/\/([^\s/?#\\]*)/gi;

/** `https:` -> `hxxps:`, `ftp:` -> `fxp:`, any other `scheme:` -> `scheme[:]`. */
function defangScheme(scheme: string): string {
  if (/^https?$/i.test(scheme)) return `${scheme.replace(/t/gi, (t) => (t === 't' ? 'x' : 'X'))}:`;
  if (/^ftps?$/i.test(scheme)) return `${scheme.replace(/t/i, (t) => (t === 't' ? 'x' : 'X'))}:`;
  return `${scheme}[:]`;
}

/**
 * Makes links and mentions inert while keeping the value readable: `https://evil.example/login` ->
 * `hxxps://evil[.]example/login`, bare `evil.example/login` -> `evil[.]example/login`, `alice@example.com` ->
 * `alice[@]example[.]com`, `@channel` -> `[@]channel`. Every dot of every host-like token is defanged, not only those
 * of URLs with a scheme: mail clients and chat apps auto-link bare domains (`www.evil.example`, `evil.example/login`)
 * and file-like names in new top-level domains (`.zip`, `.mov`). A value that is exactly an AWS service host is left
 * as it is.
 */
export function defang(s: string): string {
  if (AWS_SERVICE_HOST.test(s)) return s;
  // Without "://", a dot (of any kind DOT names) or an at sign, none of the three replacements can apply.
  if (!s.includes('://') && !MAY_DEFANG.test(s)) return s;
  return memo(defangCache, s, () => defangAll(s));
}

const MAY_DEFANG = /[.\u3002\uFF0E\uFF61@\uFF20\uFE6B]/;

function defangAll(s: string): string {
  return s
    .replace(URL_START, (_m, scheme: string, host: string) => `${defangScheme(scheme)}//${host.replace(new RegExp(DOT, 'g'), '[.]')}`)
    .replace(HOST_LIKE, (host) => host.replace(new RegExp(DOT, 'gu'), '[.]'))
    .replace(/[@\uFF20\uFE6B]/g, (a) => `[${a}]`);
}

// ---- channels -----------------------------------------------------------------------------------------------------

/** Plain text: defanged, Slack control sequences (`<!here>`, `<#C1>`) and Markdown links (`[x](y)`) broken. */
function inertPlain(s: string): string {
  return defang(s).replace(/<([!#])/g, '<[$1]').replace(/\]\(/g, '] (');
}

/**
 * Email and HTTPS text: trusted text as it is; each untrusted value made visible, defanged and capped with
 * "… (N more characters)".
 */
export function renderPlain(text: string): string {
  return parts(text).map((p) => {
    if (p.max === undefined) return p.text;
    const { v, more } = capped(p);
    return `${inertPlain(v)}${more ? `… ${moreMarker(more)}` : ''}`;
  }).join('');
}

/**
 * Characters replaced by look-alikes inside chat code spans. Backticks would end the span; `<`, `>` and `&` build
 * Slack links, mentions (`<!channel>`, `<@U1>`) and entities even inside code; `[`, `]` build Markdown links, and a
 * converter that does not know code spans (Chatbot's is not documented) would still turn them into links; `|` is
 * Slack's link-label separator and the Markdown table cell separator; `*` and `~` are emphasis and strike-through in
 * both dialects, including inside words. Parentheses stay: they are only live after a `]`, and user agents are full
 * of them.
 */
const CHAT_LOOKALIKE: Readonly<Record<string, string>> = {
  '`': '\u02CB', // ˋ modifier letter grave accent
  '<': '\u2039', // ‹
  '>': '\u203A', // ›
  '&': '\uFF06', // ＆
  '[': '\uFF3B', // ［
  ']': '\uFF3D', // ］
  '|': '\u00A6', // ¦
  '*': '\u2217', // ∗
  '~': '\u223C', // ∼
};

/** Chat text of one untrusted value, without the code-span backticks. */
function chatCodeText(s: string): string {
  return defang(s)
    .replace(/[`<>&[\]|*~]/g, (ch) => CHAT_LOOKALIKE[ch]!)
    // `_` opens or closes emphasis only next to a non-alphanumeric character; inside words
    // (AWSReservedSSO_Admin_1, x86_64) it never does, in either dialect, and is kept for copying.
    .replace(/_/g, (u, i: number, all: string) => (/[\p{L}\p{N}]/u.test(all[i - 1] ?? '') && /[\p{L}\p{N}]/u.test(all[i + 1] ?? '') ? u : '\uFF3F'))
    // A trailing backslash could escape the closing backtick in a renderer with backslash escapes.
    .replace(/\\$/, '\u2216');
}

/** Trusted text in chat: no "<" or ">" (Slack links and mentions); "->" in subjects becomes an arrow. */
export function chatTrusted(s: string): string {
  return s.replace(/ -> /g, ' \u2192 ').replace(/</g, '\u2039').replace(/>/g, '\u203A');
}

/**
 * Chat (client-markdown) text: trusted text through `chatTrusted`; each untrusted value made visible, capped and
 * defanged, its live characters replaced, and put in an inline code span, with "… (N more characters)" after a cut.
 */
export function renderChat(text: string): string {
  return parts(text).map((p) => {
    if (p.max === undefined) return chatTrusted(p.text);
    const { v, more } = capped(p);
    if (v === '') return '';
    return `\`${chatCodeText(v)}${more ? '\u2026' : ''}\`${more ? ` ${moreMarker(more)}` : ''}`;
  }).join('');
}

/**
 * Chat text where markup is not wanted at all (metadata.summary, which may be shown as a plain preview), for text
 * already rendered as plain (values defanged and quoted), i.e. the subject: the chat look-alikes for every character
 * but brackets, `_` included, and Markdown links broken ("](" -> "] ("), so "[CRITICAL]" keeps its brackets.
 */
export function chatLine(s: string): string {
  return chatTrusted(s).replace(/[`&|*~]/g, (ch) => CHAT_LOOKALIKE[ch]!).replace(/_/g, '\uFF3F').replace(/\]\(/g, '] (');
}

/** Characters of a value that may go into the subject bare; anything else is quoted. */
const BARE_IN_SUBJECT = /^[A-Za-z0-9+=,.@_:/-]+$/;

/**
 * Subject text (before the ASCII folding the SNS subject needs): untrusted values made visible, capped, defanged, and
 * quoted ("...") unless they are a bare identifier (letters, digits and + = , . @ _ : / -), so free text from the
 * record cannot read as the alert's own words.
 */
export function renderSubject(text: string): string {
  return parts(text).map((p) => {
    if (p.max === undefined) return p.text;
    const { v, more } = capped(p);
    const inert = inertPlain(v);
    return BARE_IN_SUBJECT.test(v) && !more ? inert : `"${inert.replace(/"/g, "'")}${more ? '...' : ''}"`;
  }).join('');
}
