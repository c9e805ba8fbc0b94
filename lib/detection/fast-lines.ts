/**
 * Reading JSON Lines faster than parsing them: decides from the raw bytes which lines need JSON.parse.
 *
 * Nearly every line of a trail export is a record that cannot belong to a break-glass session or raise an alert. A
 * LineSelector names the lines that might, from a native search of each chunk (Buffer.indexOf, no decoding):
 * - needleSelector (audit): the lines containing one of a few literal strings (Stitcher.rawNeedles(): the break-glass
 *   user names, the role name, HIDDEN_DUE_TO_SECURITY_REASONS, and the access keys, sharedEventIDs and session ARNs of
 *   chained role sessions);
 * - fieldSelector (simulate --alerts-only): the lines where some occurrence of a key (such as "eventName") has a
 *   value that a rule requires (requiredValues in ./simulate.ts), or a value that is not a plain string.
 * Only those lines are decoded and parsed. Conservative by construction:
 * - a line containing a JSON escape that could spell a needle differently (`\u…`, or `\/` inside an ARN) is parsed;
 * - a line that does not look like one complete object (first byte "{", last byte "}") is parsed, so a truncated or
 *   garbled line is reported exactly as the full reader reports it (it is re-read through that reader);
 * - a line that starts like a CloudTrail log file (`{"Records"`) is parsed (its records are counted and read);
 * - anything that is not JSON Lines (a CloudTrail log file, pretty-printed JSON, binary data, a first line that does
 *   not parse, a gzip stream past the bomb ratio, a line longer than the record limit) is read by the full reader
 *   (lib/detection/read-events.ts) instead, from its start.
 * What it does not do: validate lines that cannot matter. A line that looks like a complete object and contains no
 * needle is counted as a record and not parsed; if it was not valid JSON, the full reader (--no-prefilter) would have
 * reported it. The answer (sessions, attempts, unlinked; alerts) is the same either way; test/audit/fast-lines.test.ts
 * and test/detection/simulate-prefilter.test.ts check it byte for byte on every fixture.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readValues, type ReadItem } from './read-events';
import { limits } from './limits';

const NL = 0x0a;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const RECORDS = Buffer.from('{"Records"');

/** What the first bytes of a file say about it. */
export async function sniff(file: string): Promise<{ gzip: boolean } | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return { gzip: bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b };
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

/** Counters of one read, for the report and the benchmark. */
export interface FastStats {
  lines: number;
  parsed: number;
  /** Unparsed lines already given as some value's skippedBefore (internal to the reader). */
  attributed?: number;
}

class Fallback extends Error {}

/**
 * Which lines of a region must be parsed. `region` holds whole lines (it ends with a newline); `starts` receives the
 * start offset of every line that must be parsed, in any order and possibly repeated. It must name every line that
 * could matter; naming more only costs time.
 */
export interface LineSelector {
  select(region: Buffer, starts: number[]): void;
}

const BACKSLASH = 0x5c;

/**
 * The lines holding an escape that could spell a needle, key or value differently from its plain text (`\u…`, or
 * `\/`): such lines are always parsed. One search for the backslash; other escapes (`\"`, `\\`, `\n`) cannot.
 */
function selectEscapes(region: Buffer, starts: number[]): void {
  let at = region.indexOf(BACKSLASH, 0);
  while (at >= 0) {
    const next = region[at + 1];
    if (next === 0x75 /* u */ || next === 0x2f /* / */) {
      starts.push(lineStart(region, at));
      const end = region.indexOf(NL, at);
      if (end < 0) return;
      at = region.indexOf(BACKSLASH, end + 1);
    } else {
      // Skip the escaped character, so that `\\u` (an escaped backslash, then "u") is not taken for `\u`. Taking it
      // would only parse one more line; skipping keeps the scan exact.
      at = region.indexOf(BACKSLASH, at + 2);
    }
  }
}

function lineStart(region: Buffer, at: number): number {
  return region.lastIndexOf(NL, at) + 1;
}

function selectContaining(region: Buffer, patterns: readonly Buffer[], starts: number[]): void {
  for (const p of patterns) {
    let at = region.indexOf(p, 0);
    while (at >= 0) {
      starts.push(lineStart(region, at));
      const end = region.indexOf(NL, at);
      if (end < 0) break;
      at = region.indexOf(p, end + 1);
    }
  }
}

/** The lines containing one of the needles (through searchTerms), or an escape. */
export function needleSelector(needles: readonly string[]): LineSelector {
  const patterns = searchTerms(needles).map((n) => Buffer.from(n, 'utf8'));
  return {
    select: (region, starts) => {
      selectEscapes(region, starts);
      selectContaining(region, patterns, starts);
    },
  };
}

/** What a key's value must be for a line to be parsed: one of `exact`, or starting with one of `prefixes`. */
export interface FieldValues {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

/** At most this many exact values (and no prefix): the key's values are searched for as quoted strings instead. */
const FEW_VALUES = 4;

/**
 * The lines where some occurrence of `"key"` followed by a colon has a value in its FieldValues, or a value that is
 * not a plain string (array, object, number, a string holding a backslash); plus the lines holding an escape. Every
 * occurrence counts, at any depth, so the one the pattern looks at is among them (duplicate keys included).
 * A line without the key is not selected: a pattern that requires the key's value cannot match it.
 * A key with few values and no prefix (userIdentity.type "Root", say) is searched for by its quoted values instead:
 * one search for a rare string rather than a look at every occurrence of a common key. A line holding the value under
 * another key is parsed too, which only costs time; a value inside an array is still found.
 */
export function fieldSelector(fields: ReadonlyMap<string, FieldValues>): LineSelector {
  const keys: Array<{ token: Buffer; values: FieldValues }> = [];
  const quoted: Buffer[] = [];
  for (const [key, values] of fields) {
    if (values.prefixes.length === 0 && values.exact.size <= FEW_VALUES) quoted.push(...[...values.exact].map((v) => Buffer.from(JSON.stringify(v), 'utf8')));
    else keys.push({ token: Buffer.from(JSON.stringify(key), 'utf8'), values });
  }
  return {
    select(region, starts) {
      selectEscapes(region, starts);
      selectContaining(region, quoted, starts);
      for (const { token, values } of keys) {
        let at = region.indexOf(token, 0);
        while (at >= 0) {
          if (valueMayMatch(region, at + token.length, values)) starts.push(lineStart(region, at));
          at = region.indexOf(token, at + token.length);
        }
      }
    },
  };
}

function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d;
}

/** After a key token at `p`: false only for a key whose value is a plain string outside `values`, or for no key at all. */
function valueMayMatch(region: Buffer, p: number, values: FieldValues): boolean {
  while (isBlank(region[p])) p++;
  // The token was a value or part of one ("eventName" as a string value, say), not a key.
  if (region[p] !== 0x3a) return false;
  p++;
  while (isBlank(region[p])) p++;
  if (region[p] !== 0x22) return true; // array, object, number, literal: the full match decides
  const end = region.indexOf(0x22, p + 1);
  const nl = region.indexOf(NL, p + 1);
  if (end < 0 || (nl >= 0 && nl < end)) return true;
  const slash = region.indexOf(0x5c, p + 1);
  if (slash >= 0 && slash < end) return true; // an escape: the text is not the value
  // Keys this selector serves are short names; a long value cannot be one of them but costs nothing to decode.
  const v = region.toString('utf8', p + 1, end);
  if (values.exact.has(v)) return true;
  for (const pre of values.prefixes) if (v.startsWith(pre)) return true;
  return false;
}

/**
 * A second, exact look at the lines `base` names: each is decoded and kept only if `keep` says it may matter. A line
 * holding a backslash escape (`\u…`, `\/`) is always kept, since `keep` reads plain text.
 */
export function refinedSelector(base: LineSelector, keep: (line: string) => boolean): LineSelector {
  return {
    select(region, starts) {
      const first: number[] = [];
      base.select(region, first);
      let last = -1;
      for (const start of first.sort((a, b) => a - b)) {
        if (start === last) continue;
        last = start;
        const end = region.indexOf(NL, start);
        const line = region.toString('utf8', start, end < 0 ? region.length : end);
        if (line.includes('\\u') || line.includes('\\/') || keep(line)) starts.push(start);
      }
    },
  };
}

/**
 * The values of a JSON Lines file (plain or gzip) on the lines `selector` names, as ReadItems (the shape the full
 * reader yields); `stats` counts the lines and those parsed. Falls back to the full reader for anything else (see the
 * module comment). `selector` may be a list of needles (needleSelector).
 */
export async function* readFiltered(file: string, selector: LineSelector | readonly string[], stats: FastStats): AsyncGenerator<ReadItem[]> {
  const kind = await sniff(file);
  if (!kind) { yield* fullRead(file, 0, stats); return; } // the full reader says why it cannot be read
  const lim = limits();
  const select = isSelector(selector) ? selector : needleSelector(selector);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let source: AsyncIterable<Buffer> = raw;
  let compressed = 0;
  if (kind.gzip) {
    // 256 KiB output chunks: fewer, larger regions to search; measured 25-40% faster here than zlib's 16 KiB default.
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    raw.on('data', (c: Buffer | string) => { compressed += c.length; });
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    source = gunzip;
  }
  let carry: Buffer | undefined;
  let lineNo = 0;
  let expanded = 0;
  let first = true;
  const out: ReadItem[] = [];
  try {
    for await (let chunk of source) {
      expanded += chunk.length;
      if (kind.gzip && expanded > lim.gzipRatioAfterChars && expanded > lim.gzipMaxRatio * compressed) throw new Fallback();
      if (first) {
        first = false;
        if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
        if (!looksLikeJsonLines(chunk)) throw new Fallback();
      }
      // The line cut by the previous chunk is completed with a small copy; the rest of the chunk is scanned in place
      // (copying every chunk onto the carried bytes was a third of the time).
      let from = 0;
      if (carry?.length) {
        const nl = chunk.indexOf(NL);
        if (nl < 0) {
          carry = Buffer.concat([carry, chunk]);
          if (carry.length > lim.maxRecordChars) throw new Fallback();
          continue;
        }
        lineNo = await scan(Buffer.concat([carry, chunk.subarray(0, nl + 1)]), lineNo, select, file, out, stats, lim.maxRecordChars);
        carry = undefined;
        from = nl + 1;
      }
      const last = chunk.lastIndexOf(NL);
      if (last < from) {
        carry = chunk.subarray(from);
        if (carry.length > lim.maxRecordChars) throw new Fallback();
      } else {
        carry = chunk.subarray(last + 1);
        lineNo = await scan(chunk.subarray(from, last + 1), lineNo, select, file, out, stats, lim.maxRecordChars);
      }
      if (out.length) yield out.splice(0, out.length);
    }
    if (carry?.length) {
      lineNo = await scan(Buffer.concat([carry, Buffer.from([NL])]), lineNo, select, file, out, stats, lim.maxRecordChars);
      if (out.length) yield out.splice(0, out.length);
    }
  } catch (e) {
    raw.destroy();
    // Not JSON Lines after all, a gzip bomb, an over-long line, or a read/gunzip error: the full reader reads the file
    // from its start and reports the problem in its own words; lines already given are not given twice.
    if (!(e instanceof Fallback) && !(e instanceof Error)) throw e;
    yield* fullRead(file, lineNo, stats);
  }
}

/**
 * Fewer strings to search for, each contained in some needle, so that every line holding a needle holds one of them
 * (still conservative; a few more lines may be parsed): a needle containing another is dropped, and needles sharing a
 * prefix of at least 8 characters and half their length ("BreakGlassUser1", "BreakGlassUser2", "BreakGlassRole" →
 * "BreakGlass") are searched for by that prefix. Each string is one native pass over the data, so this is most of the saving.
 */
export function searchTerms(needles: readonly string[]): string[] {
  const uniq = [...new Set(needles.filter((n) => n.length > 0))].sort();
  const kept = uniq.filter((n) => !uniq.some((m) => m !== n && n.includes(m)));
  const out: string[] = [];
  for (const n of kept) {
    const last = out[out.length - 1];
    if (last !== undefined) {
      let k = 0;
      while (k < last.length && k < n.length && last[k] === n[k]) k++;
      // Names only (ARNs share long generic prefixes such as "arn:aws:sts::ACCOUNT:assumed-role/"), and only a
      // prefix that is most of the shorter name, so that it stays rare in the data.
      const names = /^[\w+=,.@-]+$/.test(last) && /^[\w+=,.@-]+$/.test(n);
      if (names && k >= 8 && k * 2 >= Math.min(last.length, n.length)) { out[out.length - 1] = last.slice(0, k); continue; }
    }
    out.push(n);
  }
  return out;
}

/**
 * The first line of the input is one complete JSON object that is not a CloudTrail log file's head: JSON Lines.
 * (A broken first line, pretty-printed JSON or a log file go to the full reader, which handles all of them.)
 */
function looksLikeJsonLines(chunk: Buffer): boolean {
  let s = 0;
  while (s < chunk.length && (chunk[s] === 0x20 || chunk[s] === 0x09 || chunk[s] === 0x0d || chunk[s] === NL)) s++;
  if (chunk[s] !== OPEN) return false;
  const e = chunk.indexOf(NL, s);
  if (e < 0) return false;
  if (chunk.indexOf(0, s) >= 0 && chunk.indexOf(0, s) < Math.min(chunk.length, 4096)) return false;
  try {
    const v = JSON.parse(chunk.toString('utf8', s, e));
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !Array.isArray((v as { Records?: unknown }).Records);
  } catch {
    return false;
  }
}

function isSelector(s: LineSelector | readonly string[]): s is LineSelector {
  return !Array.isArray(s);
}

async function* fullRead(file: string, skipThrough: number, stats: FastStats): AsyncGenerator<ReadItem[]> {
  const batch: ReadItem[] = [];
  for await (const item of readValues([file], Readable.from([]))) {
    if (item.line !== 0 && item.line <= skipThrough) continue;
    if (item.line !== 0) { stats.lines++; stats.parsed++; }
    batch.push(item);
    if (batch.length >= 512) yield batch.splice(0, batch.length);
  }
  if (batch.length) yield batch;
}

/** Scans whole lines (`region` ends with a newline); returns the line number reached. */
async function scan(region: Buffer, lineNo: number, selector: LineSelector, file: string, out: ReadItem[], stats: FastStats, maxChars: number): Promise<number> {
  // The start offsets of the lines the selector names, from native searches of the whole region.
  const hits: number[] = [];
  selector.select(region, hits);
  if (hits.length > 1) hits.sort((a, b) => a - b);
  let h = 0;
  for (let s = 0; s < region.length;) {
    const e = region.indexOf(NL, s);
    lineNo++;
    // Trim blanks (and a \r) at both ends; blank lines are nothing, as for the full reader.
    let a = s;
    let b = e;
    while (a < b && (region[a] === 0x20 || region[a] === 0x09 || region[a] === 0x0d)) a++;
    while (b > a && (region[b - 1] === 0x20 || region[b - 1] === 0x09 || region[b - 1] === 0x0d)) b--;
    while (h < hits.length && hits[h]! < s) h++;
    const hit = h < hits.length && hits[h] === s;
    if (a < b) {
      stats.lines++;
      const complete = region[a] === OPEN && region[b - 1] === CLOSE;
      const records = complete && b - a >= RECORDS.length && region.compare(RECORDS, 0, RECORDS.length, a, a + RECORDS.length) === 0;
      if (hit || !complete || records || b - a > maxChars) {
        stats.parsed++;
        const text = region.toString('utf8', a, b);
        let value: unknown;
        let ok = b - a <= maxChars;
        if (ok) {
          try { value = JSON.parse(text); } catch { ok = false; }
        }
        // Unparsed lines since the last value given (this line is counted in both lines and parsed).
        const unparsed = stats.lines - stats.parsed;
        const skippedBefore = unparsed - (stats.attributed ?? 0);
        stats.attributed = unparsed;
        if (ok) out.push({ source: file, line: lineNo, fromRecords: false, value, ...(skippedBefore ? { skippedBefore } : {}) });
        else {
          let attributed = false;
          // Exactly what the full reader says about this line (messages, several values on one line, size limit): the
          // same reader, in the same state (line mode, which a first line holding one whole object establishes).
          for await (const item of readValues(['-'], Readable.from([Buffer.from(`{}\n${text}\n`)]))) {
            if (item.line === 1) continue;
            out.push({ ...item, source: file, line: item.line ? item.line + lineNo - 2 : 0, ...(skippedBefore && !attributed ? { skippedBefore } : {}) });
            attributed = true;
          }
        }
      }
    }
    s = e + 1;
  }
  return lineNo;
}
