/**
 * Runs one benchmark child process and measures it: wall time around the whole process (spawn to exit) and peak RSS,
 * from `/usr/bin/time -f %M` when it is installed, else (Node children only) from bench/lib/report-rss.cjs preloaded
 * through NODE_OPTIONS, which reports the child's own process.resourceUsage().maxRSS.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = join(__dirname, '..', '..');

/** A path as reports show it: relative to the repository root when inside it, else absolute. */
export function shownPath(p: string): string {
  const r = relative(ROOT, resolve(p));
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : resolve(p);
}

export const HAS_TIME = existsSync('/usr/bin/time');

/** How peak RSS was measured, for the method line of a report. */
export const RSS_METHOD = HAS_TIME ? '`/usr/bin/time -f %M`' : 'process.resourceUsage().maxRSS of the child';

const RSS_PRELOAD = join(__dirname, 'report-rss.cjs');

export interface Sample {
  /** Wall time around the child process, ms. */
  readonly ms: number;
  /** Peak RSS in kB; NaN when it could not be measured (a non-Node child without /usr/bin/time). */
  readonly rssKb: number;
  /** Captured stdout ('' unless `capture`). */
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunOptions {
  /** Added to (or, with `undefined` values, removed from) this process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory; the repository root by default. */
  readonly cwd?: string;
  /** Capture stdout into the sample; otherwise it goes to `stdoutFile` or /dev/null. */
  readonly capture?: boolean;
  readonly stdoutFile?: string;
  readonly timeoutMs?: number;
}

const isNode = (cmd: string) => cmd === 'node' || cmd === process.execPath;

/** Runs `cmd args` once and measures it. Throws only when the process could not be started. */
export function runOnce(cmd: string, args: readonly string[], o: RunOptions = {}): Sample {
  const rssFile = join(tmpdir(), `breakglass-bench-rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  let env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  let argv: string[];
  if (HAS_TIME) {
    argv = ['/usr/bin/time', '-f', '%M', '-o', rssFile, cmd, ...args];
  } else {
    argv = [cmd, ...args];
    if (isNode(cmd)) env = { ...env, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require "${RSS_PRELOAD}"`.trim() };
  }
  const outFd = o.capture ? 'pipe' : openSync(o.stdoutFile ?? '/dev/null', 'w');
  let r: SpawnSyncReturns<string>;
  const t0 = performance.now();
  try {
    r = spawnSync(argv[0]!, argv.slice(1), {
      cwd: o.cwd ?? ROOT, env, stdio: ['ignore', outFd, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30, timeout: o.timeoutMs,
    });
  } finally {
    if (typeof outFd === 'number') closeSync(outFd);
  }
  const ms = performance.now() - t0;
  let rssKb = NaN;
  try {
    // /usr/bin/time writes "Command exited with non-zero status N" before the number when the command fails.
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    rssKb = Number(lines[lines.length - 1]);
  } catch { /* not measured */ }
  rmSync(rssFile, { force: true });
  // Could not start at all (a timeout shows as a signal instead, for check() to report).
  if (r.error && r.status === null && r.signal === null) throw r.error;
  return { ms, rssKb, stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, signal: r.signal };
}

/** The sample, or an error naming `what` with the start of its stderr when it did not exit with 0. */
export function check(s: Sample, what: string): Sample {
  if (s.status !== 0) throw new Error(`${what} exited with ${s.status ?? s.signal}: ${s.stderr.slice(0, 2000)}`);
  return s;
}

/**
 * The JSON a child printed on the stdout line that starts with `mark` (children print their in-process measurements
 * that way, so other output cannot be mistaken for them).
 */
export function childResult<T>(s: Sample, mark: string, what: string): T {
  const line = s.stdout.split('\n').find((l) => l.startsWith(mark));
  if (s.status !== 0 || !line) throw new Error(`${what}: child failed (status ${s.status}, signal ${s.signal})\n${s.stderr}\n${s.stdout}`);
  return JSON.parse(line.slice(mark.length)) as T;
}

/** A command line as a reader would type it (arguments with shell characters in single quotes). */
export function shellLine(cmd: string, args: readonly string[]): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [cmd, ...args].map(q).join(' ');
}
