/**
 * Splits a stream of text into JSON values without holding more than one value in memory:
 * JSON Lines, concatenated or pretty-printed JSON documents, and CloudTrail log files (`{"Records":[...]}`), whose
 * records are emitted one by one even when the file is a single multi-gigabyte line.
 *
 * The scanner only finds value boundaries (skipping string contents with indexOf); JSON.parse does the parsing and
 * the validation. Work and memory stay linear in the input whatever it holds:
 * - Only the current chunk is scanned; the text of an unfinished value is kept as a list of pieces and joined once,
 *   when the value ends (re-joining the buffer on every chunk made one 200 MB value quadratic).
 * - A value longer than the record limit (lib/detection/limits.ts) is scanned to its end but not kept, and reported.
 *
 * Broken input is reported where it is, and everything around it is still read:
 * - Once the input has shown itself to be line-oriented (a value started and ended on one line), an unfinished value
 *   at the end of a line is reported as malformed, so one truncated line cannot swallow the rest.
 * - A raw line break inside a string is never valid JSON: the value is reported as broken at that line and reading
 *   goes on, line by line, with the next one.
 * - Before the input has shown its shape (a broken FIRST line), a line that starts in column 0 with "{" and holds one
 *   complete, non-empty JSON object is taken as the next JSON Lines record: the unfinished value before it is
 *   reported and the input is read as JSON Lines from there. Pretty-printers indent nested objects, so this does not
 *   split pretty-printed documents.
 * - A CloudTrail log file that ends before its closing `]}` is reported as truncated (the records read are kept).
 */
import { formatSize, limits } from './limits';

export interface RawValue {
  /** The JSON text of one value (or of one element of a top-level Records array); empty when `error` is set. */
  readonly text: string;
  /** 1-based line where the value starts. */
  readonly line: number;
  /** True when the value is an element of a CloudTrail log file's Records array. */
  readonly fromRecords: boolean;
  /** Set when the text is known to be incomplete (truncated line, unterminated value at end of input). */
  readonly incomplete?: boolean;
  /**
   * Set when the text is a whole line of line-oriented input, taken without scanning it: usually one value, but
   * not checked; a reader whose JSON.parse fails re-splits it with splitLine() to report what is wrong (or to find
   * several values on one line).
   */
  readonly wholeLine?: boolean;
  /** A problem the splitter found itself: a value over the size limit, a truncated CloudTrail log file. */
  readonly error?: string;
}

const RECORDS_HEAD = /^\{\s*"Records"\s*:\s*\[/;
const MAYBE_RECORDS_HEAD = /^\{\s*("R?e?c?o?r?d?s?"?\s*:?\s*)?$/;

const enum State { Between, Value, Line, Scalar, Tail }

interface Candidate {
  /** Offset of the candidate's "{" from the start of the value. */
  readonly offset: number;
  /** Depth before the "{": the candidate is complete when the depth is back to it. */
  readonly depth: number;
  readonly line: number;
  closed: boolean;
  /** The candidate line's own text: pieces from earlier chunks, then buf from bufStart. Never the whole value. */
  pieces: string[];
  length: number;
  bufStart: number;
}

export class JsonValueSplitter {
  /** The chunk being scanned (with a few carried-over characters in front when a Records head was undecided). */
  private buf = '';
  private carry = '';
  private started = false;
  private state = State.Between;
  private line = 1; // line number at the scan position
  private startLine = 1; // line where the current value starts
  private depth = 0; // nesting inside the current value (or inside the Records wrapper, in Tail)
  private inString = false;
  /** Backslashes at the end of the previous chunk, inside a string: they may escape a quote that starts this one. */
  private backslashRun = 0;
  private lineMode = false;
  private records = false;
  private recordsLine = 0;
  private recordsCount = 0;

  // The text of the current value: pieces from earlier chunks, plus buf from segStart (-1 when not kept).
  private parts: string[] = [];
  private partsLength = 0;
  private segStart = -1;
  /** Characters of the current value in earlier chunks, and where it starts in buf (0 when it began earlier). */
  private valueLength = 0;
  private valueBufStart = 0;
  /** The current value is over the limit: scanned to its end, not kept. */
  private skipping = false;

  private lineStart = false; // the next character in a multi-line value is in column 0
  private cand: Candidate | undefined;

  // Cache of the next newline in buf (see nextNewline).
  private nlFrom = 0;
  private nlAt = -2;

  constructor(private readonly maxChars: number = limits().maxRecordChars) {}

  /** Feeds a chunk; returns the values completed by it. */
  push(chunk: string): RawValue[] {
    const out: RawValue[] = [];
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1); // a UTF-8 byte order mark is not JSON
    }
    this.buf = this.carry ? this.carry + chunk : chunk;
    this.carry = '';
    this.nlAt = -2;
    this.scan(out, false);
    this.endOfChunk();
    return out;
  }

  /** Flushes the last value at end of input. */
  end(): RawValue[] {
    const out: RawValue[] = [];
    if (this.carry) {
      this.buf = this.carry;
      this.carry = '';
      this.nlAt = -2;
      this.scan(out, true);
    } else {
      this.buf = '';
    }
    const n = this.buf.length;
    switch (this.state) {
      case State.Value:
        if (this.records) out.push(this.truncated(true));
        else this.emit(out, n, { incomplete: true });
        break;
      case State.Line:
        this.emit(out, n, { wholeLine: true });
        break;
      case State.Scalar: {
        const records = this.records;
        this.emit(out, n, { incomplete: this.inString });
        if (records) out.push(this.truncated(false));
        break;
      }
      case State.Tail:
        out.push(this.truncated(false));
        break;
      default:
        if (this.records) out.push(this.truncated(false));
    }
    this.state = State.Between;
    this.records = false;
    this.buf = '';
    return out;
  }

  /** Characters held for the current value (for tests: memory stays bounded by one value). */
  get buffered(): number {
    return this.partsLength + (this.segStart >= 0 ? this.buf.length - this.segStart : 0) + this.carry.length;
  }

  private truncated(insideRecord: boolean): RawValue {
    const n = this.recordsCount;
    const read = `${n} record${n === 1 ? '' : 's'} read`;
    return {
      text: '',
      line: insideRecord ? this.startLine : this.recordsLine,
      fromRecords: true,
      error: `truncated CloudTrail log file: it ends ${insideRecord ? 'inside a record' : 'before the closing "]}"'} (${read}; the rest of the file is missing)`,
    };
  }

  /** Index of the next "\n" in buf at or after `from`, or -1. Cached, so repeated questions stay linear. */
  private nextNewline(from: number): number {
    if (this.nlAt !== -2 && from >= this.nlFrom && (this.nlAt === -1 || this.nlAt >= from)) return this.nlAt;
    this.nlFrom = from;
    this.nlAt = this.buf.indexOf('\n', from);
    return this.nlAt;
  }

  private beginValue(state: State, i: number): void {
    this.state = state;
    this.startLine = this.line;
    this.parts = [];
    this.partsLength = 0;
    this.valueLength = 0;
    this.valueBufStart = i;
    this.segStart = i;
    this.skipping = false;
    this.cand = undefined;
    this.lineStart = false;
    this.backslashRun = 0;
  }

  private valueOffset(i: number): number {
    return this.valueLength + (i - this.valueBufStart);
  }

  /** The kept text of the current value up to buf[end]. */
  private keptText(end: number): string {
    const tail = this.segStart >= 0 ? this.buf.slice(this.segStart, end) : '';
    if (this.parts.length === 0) return tail;
    return this.parts.join('') + tail;
  }

  private emit(out: RawValue[], end: number, flags: { incomplete?: boolean; wholeLine?: boolean } = {}): void {
    const fromRecords = this.records && this.state !== State.Tail;
    const size = this.valueOffset(end);
    if (this.skipping || size > this.maxChars) {
      out.push({ text: '', line: this.startLine, fromRecords, error: this.tooLarge(size) });
    } else {
      let text = this.keptText(end);
      if (flags.wholeLine || this.state === State.Scalar) text = text.replace(/\r$/, '');
      if (flags.incomplete) text = text.trimEnd();
      if (text) out.push({ text, line: this.startLine, fromRecords, ...(flags.incomplete ? { incomplete: true } : {}), ...(flags.wholeLine ? { wholeLine: true } : {}) });
    }
    if (fromRecords) this.recordsCount++;
    this.state = State.Between;
    this.parts = [];
    this.partsLength = 0;
    this.segStart = -1;
    this.skipping = false;
    this.cand = undefined;
    this.lineStart = false;
    this.inString = false;
    this.depth = 0;
  }

  private tooLarge(size: number): string {
    return `a JSON value larger than ${formatSize(this.maxChars)} (the limit for one record; ${formatSize(size)} here): skipped`;
  }

  /** After a chunk: keep the unfinished value's text as one more piece, and enforce the size limit. */
  private endOfChunk(): void {
    const n = this.buf.length;
    if (this.state === State.Between || this.state === State.Tail) return;
    if (this.segStart >= 0 && this.segStart < n) {
      const piece = this.buf.slice(this.segStart);
      this.parts.push(piece);
      this.partsLength += piece.length;
    }
    this.valueLength += n - this.valueBufStart;
    this.valueBufStart = 0;
    if (!this.skipping && this.valueLength > this.maxChars) {
      this.skipping = true; // from here on the value is only scanned
      this.parts = [];
      this.partsLength = 0;
    }
    this.segStart = this.skipping ? -1 : 0;
    const c = this.cand;
    if (c) {
      const piece = this.buf.slice(c.bufStart);
      c.pieces.push(piece);
      c.length += piece.length;
      c.bufStart = 0;
      if (c.length > this.maxChars) this.dropCandidate();
    }
  }

  private dropCandidate(): void {
    this.cand = undefined;
  }

  private startCandidate(i: number): void {
    this.cand = { offset: this.valueOffset(i), depth: this.depth, line: this.line, closed: false, pieces: [], length: 0, bufStart: i };
  }

  /**
   * At the newline `nl` ending a candidate line: when that line is one complete non-empty JSON object, report the
   * unfinished value before it and take the line as a JSON Lines record. Returns false (nothing changed) otherwise.
   */
  private resync(out: RawValue[], nl: number): boolean {
    const c = this.cand!;
    const tail = this.buf.slice(c.bufStart, nl);
    const lineText = (c.pieces.length ? c.pieces.join('') + tail : tail).trimEnd();
    let parsed: unknown;
    try {
      parsed = JSON.parse(lineText);
    } catch {
      return false;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).length === 0) return false;
    if (this.skipping) out.push({ text: '', line: this.startLine, fromRecords: false, error: this.tooLarge(c.offset) });
    else {
      const before = this.keptText(nl).slice(0, c.offset).trimEnd();
      if (before) out.push({ text: before, line: this.startLine, fromRecords: false, incomplete: true });
    }
    out.push({ text: lineText, line: c.line, fromRecords: false, wholeLine: true });
    this.lineMode = true;
    this.state = State.Between;
    this.parts = [];
    this.partsLength = 0;
    this.segStart = -1;
    this.skipping = false;
    this.cand = undefined;
    this.lineStart = false;
    this.depth = 0;
    return true;
  }

  /**
   * Skips string contents from i. Returns the index after the closing quote, or -1 when the string runs past the end
   * of buf, or -(newline index) - 2 when a raw line break comes first (never valid JSON).
   */
  private skipString(i: number): number {
    const buf = this.buf;
    for (;;) {
      const q = buf.indexOf('"', i);
      const nl = this.nextNewline(i);
      if (nl >= 0 && (q < 0 || nl < q)) {
        this.inString = false;
        this.backslashRun = 0;
        return -nl - 2;
      }
      if (q < 0) {
        let b = buf.length - 1;
        while (b >= i && buf.charCodeAt(b) === 92) b--;
        const run = buf.length - 1 - b;
        this.backslashRun = b < i && i === 0 ? this.backslashRun + run : run;
        return -1;
      }
      let b = q - 1;
      while (b >= i && buf.charCodeAt(b) === 92) b--;
      let run = q - 1 - b;
      if (b < i && i === 0) run += this.backslashRun;
      this.backslashRun = 0;
      i = q + 1;
      if (run % 2 === 0) {
        this.inString = false;
        return i;
      }
    }
  }

  private scan(out: RawValue[], final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.Between: {
          const ch = buf.charCodeAt(i);
          if (ch === 10) { this.line++; i++; continue; }
          if (ch === 32 || ch === 9 || ch === 13) { i++; continue; }
          if (this.records) {
            if (ch === 44) { i++; continue; } // ,
            if (ch === 93) { // ] closes Records; the rest of the wrapper object is consumed as nothing
              this.records = false;
              this.state = State.Tail;
              this.depth = 1;
              this.inString = false;
              i++;
              continue;
            }
            const structured = ch === 123 || ch === 91;
            this.beginValue(structured ? State.Value : State.Scalar, i);
            this.depth = structured ? 1 : 0;
            this.inString = ch === 34;
            i++;
            continue;
          }
          if (ch === 123) {
            // Line-oriented input (JSON Lines): a line that opens with {" and is not a Records head is handed to
            // JSON.parse whole, without scanning it here: the hot path for large exports.
            let fast = false;
            if (this.lineMode && buf.charCodeAt(i + 1) === 34) {
              if (n - i < 10 && !final) {
                this.carry = buf.slice(i); // too short yet to tell a record from a {"Records" head
                i = n;
                continue;
              }
              fast = !buf.startsWith('{"Records"', i);
            }
            if (!fast) {
              const head = buf.slice(i, i + 64);
              const m = RECORDS_HEAD.exec(head);
              if (m) {
                // A CloudTrail log file: stream its records instead of buffering the whole document.
                this.records = true;
                this.recordsLine = this.line;
                this.recordsCount = 0;
                for (let k = 0; k < m[0].length; k++) if (m[0].charCodeAt(k) === 10) this.line++;
                i += m[0].length;
                continue;
              }
              if (head.length < 64 && !final && MAYBE_RECORDS_HEAD.test(head)) {
                this.carry = buf.slice(i); // not enough text yet to tell
                i = n;
                continue;
              }
            }
            if (this.lineMode) {
              this.beginValue(State.Line, i);
              i++;
              continue;
            }
          }
          if (ch === 123 || ch === 91) {
            this.beginValue(State.Value, i);
            this.depth = 1;
            this.inString = false;
            i++;
            continue;
          }
          // A bare scalar or garbage: runs to the end of the line, so a line of garbage is one problem.
          this.beginValue(State.Scalar, i);
          this.inString = ch === 34;
          i++;
          continue;
        }

        case State.Line: {
          const nl = this.nextNewline(i);
          if (nl < 0) { i = n; continue; }
          this.emit(out, nl, { wholeLine: true });
          i = nl; // counted by Between
          continue;
        }

        case State.Scalar: {
          if (this.inString) {
            const r = this.skipString(i);
            if (r === -1) { i = n; continue; }
            if (r < -1) { i = -r - 2; this.emit(out, i); continue; }
            i = r;
            continue;
          }
          if (!this.records) {
            const nl = this.nextNewline(i);
            if (nl < 0) { i = n; continue; }
            this.emit(out, nl);
            i = nl;
            continue;
          }
          const ch = buf.charCodeAt(i);
          if (ch === 10 || ch === 13 || ch === 44 || ch === 93) { this.emit(out, i); continue; }
          i++;
          continue;
        }

        case State.Value:
        case State.Tail: {
          const tail = this.state === State.Tail;
          if (this.inString) {
            const r = this.skipString(i);
            if (r === -1) { i = n; continue; }
            if (r < -1) {
              // A raw line break inside a string: this value is broken here; read on line by line.
              const nl = -r - 2;
              if (tail) { i = nl; this.inString = false; continue; }
              this.emit(out, nl, { incomplete: true });
              this.records = false;
              this.lineMode = true;
              i = nl;
              continue;
            }
            i = r;
            continue;
          }
          const ch = buf.charCodeAt(i);
          if (this.lineStart) {
            this.lineStart = false;
            if (ch === 123 && !tail && !this.records && !this.cand) this.startCandidate(i);
          }
          if (this.cand !== undefined && this.cand.closed && ch !== 32 && ch !== 9 && ch !== 13 && ch !== 10) this.dropCandidate();
          if (ch === 34) { this.inString = true; i++; continue; }
          if (ch === 123 || ch === 91) { this.depth++; i++; continue; }
          if (ch === 125 || ch === 93) {
            this.depth--;
            i++;
            if (this.cand !== undefined && this.depth <= this.cand.depth) {
              if (this.depth === this.cand.depth) this.cand.closed = true;
              else this.dropCandidate();
            }
            if (this.depth <= 0) {
              if (tail) {
                this.state = State.Between; // end of the {"Records":[...]} wrapper: nothing to emit
                this.depth = 0;
              } else {
                if (!this.records && this.startLine === this.line) this.lineMode = true;
                this.emit(out, i);
              }
            }
            continue;
          }
          if (ch === 10) {
            if (!tail && this.lineMode && !this.records) {
              // Line-oriented input and the value did not close on its line: report it, resynchronise.
              this.emit(out, i, { incomplete: true });
              continue; // the newline is counted by Between
            }
            if (this.cand !== undefined && this.cand.closed && this.resync(out, i)) continue;
            if (this.cand !== undefined) this.dropCandidate();
            this.line++;
            i++;
            this.lineStart = !tail && !this.records;
            continue;
          }
          i++;
          continue;
        }
      }
    }
  }
}

/** The values of one line, for a wholeLine value that JSON.parse refused; line numbers as in the input. */
export function splitLine(v: RawValue): RawValue[] {
  const sub = new JsonValueSplitter(Infinity);
  return [...sub.push(v.text), ...sub.end()].map((x) => ({ ...x, line: v.line }));
}
