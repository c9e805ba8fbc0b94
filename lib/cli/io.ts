/** Output streams, injectable so tests can run commands in-process and read stdout/stderr separately. */
import { escapeControlsKeepLines } from '../detection/escape';

export interface Io {
  /** Writes a line (a newline is added when missing), or raw text when `raw` is set. */
  out(text: string, raw?: boolean): void;
  err(text: string): void;
  /** Input for commands that read '-'. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
}

/**
 * The real streams. Last line of defence for terminal safety: control characters other than newline and tab (ESC
 * sequences, carriage returns, C1 controls, bidi overrides) that reached this point from an event or an AWS answer
 * are written as \u escapes. Commands escape the values they print themselves (one value, one line); this keeps a
 * value that slipped through from acting on the terminal. In JSON output such characters can only be inside
 * strings, where \uXXXX means the same character, so documents stay valid and equal.
 */
export const processIo: Io = {
  out: (t, raw) => { const s = escapeControlsKeepLines(t); process.stdout.write(raw || s.endsWith('\n') ? s : `${s}\n`); },
  err: (t) => { const s = escapeControlsKeepLines(t); process.stderr.write(s.endsWith('\n') ? s : `${s}\n`); },
};

/** `-` means standard output for options that name an output file. */
export const STDOUT = '-';
