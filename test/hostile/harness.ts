/**
 * Runs the PACKAGED command (`node bin/breakglass.js …`, i.e. dist/, built by `npm run build:js`) on a hostile
 * input, with a budget per case enforced here:
 * - time: a deadline, not a performance assertion. The child is killed (whole process group) when it passes and the
 *   case fails as a hang. Generous (20 s by default) because the machine running the tests is shared.
 * - memory: peak RSS of the child, from `/usr/bin/time -f %M` when it exists, else from a preload that writes
 *   process.resourceUsage().maxRSS at exit.
 * Inputs are generated into a temporary directory that each test file removes in its `after` hook.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'breakglass.js');
export const CONFIG = join(ROOT, 'examples', 'breakglass.config.yaml');

const TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : undefined;

export interface Budget {
  /** Seconds before the child is killed and the case fails as a hang. @default 20 */
  readonly seconds?: number;
  /** Peak resident memory allowed, MiB. @default 400 */
  readonly rssMiB?: number;
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak RSS of the child in MiB (undefined when it could not be measured). */
  readonly rssMiB: number | undefined;
  readonly killed: boolean;
}

export interface RunOptions extends Budget {
  /** Written to the child's stdin (then closed); a file path with `stdinFile`. Default: closed stdin. */
  readonly input?: string | Buffer;
  readonly stdinFile?: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `breakglass-hostile-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `breakglass args…` as a child process within the budget. Never throws for the child's own failures. */
export function runPackaged(args: readonly string[], opts: RunOptions = {}): Promise<Run> {
  if (!existsSync(join(ROOT, 'dist', 'bin', 'breakglass.js'))) throw new Error('dist/ is missing: run `npm run build:js` first');
  const seconds = opts.seconds ?? 20;
  const rssDir = mkdtempSync(join(tmpdir(), 'breakglass-rss-'));
  const rssFile = join(rssDir, 'rss');
  const preload = join(rssDir, 'report-rss.cjs');
  writeFileSync(preload, "process.on('exit', () => { require('node:fs').writeFileSync(process.env.HOSTILE_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n");
  const node = [process.execPath, ...(TIME ? [] : ['--require', preload]), BIN, ...args];
  const argv = TIME ? [TIME, '-f', '%M', '-o', rssFile, ...node] : node;
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    HOSTILE_RSS_FILE: rssFile,
    // No developer configuration or credentials can leak in; AWS tests pass their own.
    AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    ...opts.env,
  };
  for (const k of ['BREAKGLASS_TEST_LIMITS', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) {
    if (!opts.env || !(k in opts.env)) delete env[k];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? ROOT, env, detached: true,
      stdio: [opts.stdinFile ? 'pipe' : opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < 8 << 20) stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 8 << 20) stderr += d; });
    if (opts.stdinFile) {
      const { createReadStream } = require('node:fs') as typeof import('node:fs');
      createReadStream(opts.stdinFile).on('error', () => undefined).pipe(child.stdin!).on('error', () => undefined);
    } else if (opts.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    }
    const timer = setTimeout(() => {
      killed = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }, seconds * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let rssMiB: number | undefined;
      try {
        const text = readFileSync(rssFile, 'utf8').trim().split('\n').pop()!;
        const kb = Number(text);
        if (Number.isFinite(kb) && kb > 0) rssMiB = kb / 1024;
      } catch { /* killed before it could write */ }
      rmSync(rssDir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, rssMiB, killed });
    });
  });
}

/** Asserts the run stayed within its budget; returns it for further assertions. */
export function withinBudget(run: Run, budget: Budget = {}, what = 'the command'): Run {
  if (run.killed) throw new Error(`${what} did not finish within ${budget.seconds ?? 20} s (killed): a hang. stderr: ${run.stderr.slice(0, 500)}`);
  const rss = budget.rssMiB ?? 400;
  if (run.rssMiB !== undefined && run.rssMiB > rss) throw new Error(`${what} peaked at ${run.rssMiB.toFixed(0)} MiB, over the budget of ${rss} MiB`);
  return run;
}

/** Runs and checks the budget in one go. */
export async function hostile(args: readonly string[], opts: RunOptions = {}): Promise<Run> {
  return withinBudget(await runPackaged(args, opts), opts, `breakglass ${args.join(' ').slice(0, 120)}`);
}

/** Every stderr line, each a single line naming `file` (and a line number when `line` is given). */
export function stderrLines(run: Run): string[] {
  return run.stderr.split('\n').filter((l) => l.length > 0);
}

/** A CloudTrail record that raises the console-login alert under the example config. */
export function loginRecord(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09', eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventType: 'AwsConsoleSignIn',
    awsRegion: 'us-east-1', recipientAccountId: '222222222222', eventTime: '2026-11-23T04:12:09Z', eventID: `id-${i}`,
    sourceIPAddress: '198.51.100.7', userAgent: 'Mozilla/5.0',
    userIdentity: { type: 'IAMUser', userName: 'BreakGlassUser1', arn: 'arn:aws:iam::222222222222:user/BreakGlassUser1', accountId: '222222222222' },
    responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'Yes' },
    ...extra,
  };
}

/** The "N events, M raising alerts…" summary line of simulate's text output. */
export function summaryOf(stdout: string): { events: number; alerting: number; unreadable: number } {
  const m = /(\d+) events?, (\d+) raising alerts(?:, (\d+) unreadable)?/.exec(stdout.trim().split('\n').pop() ?? '');
  if (!m) throw new Error(`no summary line in: ${stdout.slice(-300)}`);
  return { events: Number(m[1]), alerting: Number(m[2]), unreadable: Number(m[3] ?? 0) };
}
