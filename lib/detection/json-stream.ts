/**
 * Splits a stream of text into JSON values without holding more than one value in memory:
 * JSON Lines, concatenated or pretty-printed JSON documents, and CloudTrail log files (`{"Records":[...]}`), whose
 * records are emitted one by one even when the file is a single multi-gigabyte line.
 *
 * The scanner only finds value boundaries (skipping string contents with indexOf); JSON.parse does the parsing and
 * the validation. Once the input has shown itself to be line-oriented (a value started and ended on one line), an
 * unfinished value at the end of a line is reported as malformed so one truncated line cannot swallow the rest.
 */

export interface RawValue {
  /** The JSON text of one value (or of one element of a top-level Records array). */
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
}

const RECORDS_HEAD = /^\{\s*"Records"\s*:\s*\[/;

export class JsonValueSplitter {
  private buf = '';
  private pos = 0; // scan position in buf
  private start = -1; // start of the current value in buf, -1 when between values
  private startLine = 1;
  private line = 1; // line number at buf[pos]
  private depth = 0;
  private inString = false;
  private scalar = false; // current top-level value is a bare scalar (number, literal, or garbage)
  private lineMode = false;
  private records = false; // inside a top-level {"Records":[ ... ]}
  private recordsBaseDepth = 0;

  /** Feeds a chunk; returns the values completed by it. */
  push(chunk: string): RawValue[] {
    const out: RawValue[] = [];
    // Keep only the unfinished tail; everything before `start` (or `pos`) has been emitted.
    const keep = this.start >= 0 ? this.start : this.pos;
    if (keep > 0) {
      this.buf = this.buf.slice(keep);
      this.pos -= keep;
      if (this.start >= 0) this.start = 0;
    }
    this.buf += chunk;
    this.nextNewline = -2;
    this.scan(out, false);
    return out;
  }

  /** Flushes the last value at end of input. */
  end(): RawValue[] {
    const out: RawValue[] = [];
    this.scan(out, true);
    if (this.start >= 0) {
      const text = this.buf.slice(this.start).trim();
      if (text) out.push({ text, line: this.startLine, fromRecords: this.records, incomplete: !this.scalar || this.inString });
      this.start = -1;
    }
    return out;
  }

  private scan(out: RawValue[], final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    while (i < n) {
      if (this.inString) {
        const q = buf.indexOf('"', i);
        if (q < 0) { this.countLines(i, n); i = n; break; }
        // An escaped quote is preceded by an odd number of backslashes.
        let b = q - 1;
        while (b >= this.start && b >= 0 && buf.charCodeAt(b) === 92) b--; // may reach back into an earlier chunk
        this.countLines(i, q);
        i = q + 1;
        if ((q - 1 - b) % 2 === 0) this.inString = false;
        continue;
      }
      const ch = buf.charCodeAt(i);
      if (this.start < 0) {
        // Between values: skip whitespace and commas/brackets of a Records array.
        if (ch === 10) { this.line++; i++; continue; }
        if (ch === 32 || ch === 9 || ch === 13) { i++; continue; }
        if (this.records) {
          if (ch === 44) { i++; continue; } // ,
          if (ch === 93) { // ] closes Records; consume the rest of the wrapper object
            this.records = false;
            this.depth = this.recordsBaseDepth - 1;
            this.start = i; // re-enter as the tail of the wrapper, emitted as nothing
            this.startLine = this.line;
            i++;
            this.wrapperTail = true;
            continue;
          }
        }
        if (this.lineMode && !this.records && ch === 123) {
          // Line-oriented input (JSON Lines): hand the whole line to JSON.parse without scanning it here. This is
          // the hot path for large exports; the scanner's character loop would cost as much as the parse itself.
          const fast = this.takeLine(out, i, final);
          if (fast < 0) break; // the line is not complete yet
          if (fast > i) { i = fast; continue; }
        }
        if (ch === 123 || ch === 91) {
          // A CloudTrail log file: stream its records instead of buffering the whole document.
          if (ch === 123 && !this.records) {
            const head = buf.slice(i, i + 64);
            if (RECORDS_HEAD.test(head)) {
              const m = RECORDS_HEAD.exec(head)!;
              this.records = true;
              this.recordsBaseDepth = 2;
              this.depth = 2;
              i += m[0].length;
              continue;
            } else if (head.length < 64 && !final && /^\{\s*("R?e?c?o?r?d?s?"?\s*:?\s*)?$/.test(head)) {
              break; // not enough text yet to tell
            }
          }
          this.start = i;
          this.startLine = this.line;
          this.scalar = false;
          this.depth = this.records ? this.recordsBaseDepth + 1 : 1;
          i++;
          continue;
        }
        // A bare scalar or garbage: runs to the end of the line.
        this.start = i;
        this.startLine = this.line;
        this.scalar = true;
        if (ch === 34) this.inString = true;
        i++;
        continue;
      }
      // Inside a value.
      if (this.scalar) {
        // Runs to the end of the line so a line of garbage is one problem, not one per word.
        if (ch === 10 || ch === 13 || (this.records && (ch === 44 || ch === 93))) {
          this.emit(out, i);
          continue; // the separator is handled by the between-values branch
        }
        i++;
        continue;
      }
      if (ch === 34) { this.inString = true; i++; continue; }
      if (ch === 123 || ch === 91) { this.depth++; i++; continue; }
      if (ch === 125 || ch === 93) {
        this.depth--;
        i++;
        const base = this.records ? this.recordsBaseDepth : 0;
        if (this.wrapperTail && this.depth <= 0) {
          // End of a {"Records":[...]} wrapper: nothing to emit.
          this.wrapperTail = false;
          this.start = -1;
          this.depth = 0;
          continue;
        }
        if (!this.wrapperTail && this.depth === base) {
          if (!this.records && this.startLine === this.line) this.lineMode = true;
          this.emit(out, i);
        }
        continue;
      }
      if (ch === 10) {
        if (this.lineMode && !this.records && !this.wrapperTail) {
          // Line-oriented input and the value did not close on its line: report it, resynchronise.
          out.push({ text: buf.slice(this.start, i), line: this.startLine, fromRecords: false, incomplete: true });
          this.start = -1;
          this.depth = 0;
        }
        this.line++;
        i++;
        continue;
      }
      i++;
    }
    this.pos = i;
  }

  private wrapperTail = false;

  /**
   * Emits buf[i..end of line) as one wholeLine value and returns the newline's index; -1 when the line has not
   * fully arrived yet; i itself when the line opens a CloudTrail log file, which the scanner streams record by record.
   */
  private takeLine(out: RawValue[], i: number, final: boolean): number {
    const buf = this.buf;
    if (buf.charCodeAt(i + 1) !== 34 || buf.startsWith('{"Records"', i)) {
      const head = buf.slice(i, i + 64);
      if (RECORDS_HEAD.test(head) || (head.length < 64 && !final && /^\{\s*$/.test(head))) return i;
    }
    let nl = buf.indexOf('\n', i);
    if (nl < 0) {
      if (!final) return -1;
      nl = buf.length;
    }
    const end = buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    out.push({ text: buf.slice(i, end), line: this.line, fromRecords: false, wholeLine: true });
    return nl;
  }

  private emit(out: RawValue[], end: number): void {
    out.push({ text: this.buf.slice(this.start, end), line: this.startLine, fromRecords: this.records });
    this.start = -1;
    this.scalar = false;
    if (!this.records) this.depth = 0;
    else this.depth = this.recordsBaseDepth;
  }

  /**
   * Index of the next newline in buf at or after the last position asked about: -1 when there is none before the
   * end of buf, -2 when unknown (buf changed). Caching it keeps line counting linear: without it every string of a
   * single-line CloudTrail log file searched the rest of the buffer for a newline that was not there.
   */
  private nextNewline = -2;

  private countLines(from: number, to: number): void {
    if (this.nextNewline === -2 || (this.nextNewline >= 0 && this.nextNewline < from)) this.nextNewline = this.buf.indexOf('\n', from);
    while (this.nextNewline >= 0 && this.nextNewline < to) {
      this.line++;
      this.nextNewline = this.buf.indexOf('\n', this.nextNewline + 1);
    }
  }
}

/** The values of one line, for a wholeLine value that JSON.parse refused; line numbers as in the input. */
export function splitLine(v: RawValue): RawValue[] {
  const sub = new JsonValueSplitter();
  return [...sub.push(v.text), ...sub.end()].map((x) => ({ ...x, line: v.line }));
}
