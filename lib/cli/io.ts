/** Output streams, injectable so tests can run commands in-process and read stdout/stderr separately. */
export interface Io {
  /** Writes a line (a newline is added when missing), or raw text when `raw` is set. */
  out(text: string, raw?: boolean): void;
  err(text: string): void;
  /** Input for commands that read '-'. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
}

export const processIo: Io = {
  out: (t, raw) => { process.stdout.write(raw || t.endsWith('\n') ? t : `${t}\n`); },
  err: (t) => { process.stderr.write(t.endsWith('\n') ? t : `${t}\n`); },
};
