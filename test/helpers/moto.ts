/**
 * moto_server for tests: one server per test file, on a free local port, always stopped (its whole process group)
 * when the file ends. moto is optional (pip install "moto[server]"); without it the tests that need it are skipped
 * with a visible reason.
 *
 *   const moto = motoForThisFile();                  // registers before/after hooks for this file
 *   it('...', async (t) => {
 *     const m = moto.orSkip(t); if (!m) return;      // t.skip('moto_server not installed: ...')
 *     await withEnv(m.env, () => runCli(...));       // SDK clients in-process now talk to moto
 *   });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { after, before, type TestContext } from 'node:test';

export interface MotoServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** Environment for AWS SDK clients and the AWS CLI: endpoint, dummy credentials, region, no shared config. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the server and its process group; safe to call twice. */
  stop(): Promise<void>;
}

/** Why moto_server cannot be used here, or undefined when it is on PATH. */
export function motoUnavailable(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'moto_server'), constants.X_OK);
      return undefined;
    } catch { /* next */ }
  }
  return 'no moto_server on PATH (pip install "moto[server]")';
}

/** An unused TCP port on 127.0.0.1 (the OS picks it; the tiny race until moto binds it is retried by startMoto). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Environment that points AWS SDK v3 clients at `endpoint` with dummy credentials. Shared config files are pointed at
 * paths that do not exist so a developer's ~/.aws (profiles, endpoint_url, SSO) cannot leak into a test, and IMDS is
 * off so a missing credential fails at once. `undefined` removes a variable.
 */
export function awsEnv(endpoint: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/breakglass-test/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/breakglass-test/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: undefined,
    AWS_RETRY_MODE: undefined,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Runs fn with these variables set (undefined = unset) and restores the previous values afterwards. */
export async function withEnv<T>(vars: Readonly<Record<string, string | undefined>>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

const READY_TIMEOUT_MS = 10_000;

/** Starts moto_server on a free port and waits until it answers. Throws when it cannot start. */
export async function startMoto(): Promise<MotoServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(port);
    } catch (e) {
      lastError = e;
      if (!/address already in use|exited/i.test(String((e as Error).message))) break;
    }
  }
  throw lastError;
}

async function launch(port: number): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  // detached: moto_server (often a pyenv shim or a wrapper script) gets its own process group, killed as a whole.
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('error', (e) => { exited = `could not start moto_server: ${e.message}`; resolve(); });
    child.once('exit', (code, signal) => { exited ??= `moto_server exited (${signal ?? `code ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`; resolve(); });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  // Last resort if the test process dies without running `after` (e.g. an uncaught error): no orphan servers.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (true) {
    if (exited) { process.removeListener('exit', onExit); throw new Error(exited); }
    try {
      const r = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await r.arrayBuffer();
      if (r.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      killGroup('SIGKILL');
      process.removeListener('exit', onExit);
      throw new Error(`moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  let stopped = false;
  return {
    endpoint,
    env: awsEnv(endpoint),
    async reset() {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`moto reset failed: HTTP ${r.status}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      if (exited) return;
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 3_000);
      await exitedPromise;
      clearTimeout(timer);
      killGroup('SIGKILL'); // any grandchild that ignored SIGTERM
    },
  };
}

export interface MotoForFile {
  /** The running server, or undefined after t.skip() with the reason when moto is not installed. */
  orSkip(t: TestContext): MotoServer | undefined;
  /** The running server, or undefined when moto is not installed (for `before` hooks, which cannot skip). */
  readonly current: MotoServer | undefined;
}

/**
 * Registers file-level before/after hooks: one moto_server for the whole test file, stopped in `after`.
 * Call at the top level of a test file.
 */
export function motoForThisFile(): MotoForFile {
  let server: MotoServer | undefined;
  let reason = motoUnavailable();
  before(async () => {
    if (reason) return;
    try {
      server = await startMoto();
    } catch (e) {
      const msg = (e as Error).message;
      // A PATH entry that is only a shim (pyenv) for another Python counts as "not installed"; anything else fails.
      if (/could not start|code 127|No module named|command not found|not found/i.test(msg)) reason = msg;
      else throw e;
    }
  });
  after(async () => { await server?.stop(); });
  return {
    orSkip(t) {
      if (server) return server;
      t.skip(`moto_server not installed: ${reason ?? 'not started'}`);
      return undefined;
    },
    get current() {
      return server;
    },
  };
}
