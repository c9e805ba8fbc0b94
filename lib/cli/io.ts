/** Output streams, injectable so tests can run commands in-process and read stdout/stderr separately. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => { process.stdout.write(t.endsWith('\n') ? t : `${t}\n`); },
  err: (t) => { process.stderr.write(t.endsWith('\n') ? t : `${t}\n`); },
};
