/**
 * `breakglass drill`: a guided rehearsal of breaking the glass in the real organization. Listens on the alert topic
 * through a temporary queue in the security account, walks the operator through a console sign-in and a switch-role,
 * shows each expected alert as it arrives, tears the listener down (also on Ctrl-C), and writes a drill record
 * (JSON + Markdown) into --out. The AWS SDK and the drill modules load only here.
 */
import { loadConfigFile } from '../../config/load';
import { tmpdir } from 'node:os';
import { escapeControls } from '../../detection/escape';
import type { DrillRecord } from '../../drill/record';
import { EXIT, UserError } from '../errors';
import type { Io } from '../io';
import type { DrillPrompt } from '../../drill/run';

export interface DrillCliOptions {
  readonly config: string;
  readonly profile?: string;
  readonly region?: string;
  readonly out?: string;
  readonly timeout?: string;
  readonly yes?: boolean;
}

/** Test seams: a scripted prompt, a shorter long-poll, an abort signal instead of SIGINT. */
export interface DrillCliDeps {
  readonly prompt?: DrillPrompt;
  readonly waitTimeSeconds?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MINUTES = 15;
const MAX_TIMEOUT_MINUTES = 120;

export function timeoutMinutes(v: string | undefined): number {
  if (v === undefined) return DEFAULT_TIMEOUT_MINUTES;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !(n > 0) || n > MAX_TIMEOUT_MINUTES) {
    throw new UserError(`--timeout: expected minutes between 0 and ${MAX_TIMEOUT_MINUTES} (e.g. 15), got "${v}"`, EXIT.usage);
  }
  return n;
}

export async function runDrillCommand(opts: DrillCliOptions, io: Io, deps: DrillCliDeps = {}): Promise<number> {
  const minutes = timeoutMinutes(opts.timeout);
  const { config } = loadConfigFile(opts.config);
  const home = config.securityAccount.region;
  if (opts.region && opts.region !== home) {
    throw new UserError(`--region ${opts.region}: the alert topic is in the home region ${home}; omit --region or pass ${home}`, EXIT.usage);
  }
  // The auditors' record is written at the end: make sure it can be, before anything is created in AWS.
  const outDir = opts.out ?? 'drills';
  const { checkDirectoryWritable } = require('../../write-atomically') as typeof import('../../write-atomically');
  try {
    checkDirectoryWritable(outDir);
  } catch (e) {
    throw new UserError(`--out ${escapeControls(outDir)}: the drill record could not be written there (${escapeControls((e as NodeJS.ErrnoException).code ?? (e as Error).message)}); choose a writable directory`, EXIT.usage);
  }
  const { sqsClient, snsClient, stsClient, iamClient } = require('../../aws/clients') as typeof import('../../aws/clients');
  const { runDrill } = require('../../drill/run') as typeof import('../../drill/run');
  const { writeRecord } = require('../../drill/record') as typeof import('../../drill/record');
  const { lineReaderPrompt } = require('../../drill/prompt') as typeof import('../../drill/prompt');
  const { DrillAwsError } = require('../../drill/resources') as typeof import('../../drill/resources');

  const aws = { profile: opts.profile, region: home };
  const clients = { sqs: sqsClient(aws, home), sns: snsClient(aws, home), sts: stsClient(aws, home), iam: iamClient(aws, home) };
  const ownPrompt = deps.prompt ? undefined : lineReaderPrompt(io.stdin ?? process.stdin, (t) => io.err(t));
  const prompt = deps.prompt ?? ownPrompt!;

  // Ctrl-C: the first tears down and still writes the record; a second one quits at once (leaving the resources).
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) { io.err('interrupted: removing the drill queue and subscription (Ctrl-C again to quit without cleanup)'); interrupt.abort(); }
    else process.exit(130);
  };
  const external = deps.signal;
  const onExternal = () => interrupt.abort();
  external?.addEventListener('abort', onExternal, { once: true });
  process.on('SIGINT', onSigint);
  try {
    const result = await runDrill(
      { config, configFile: opts.config, timeoutMs: minutes * 60_000, yes: !!opts.yes },
      { ...clients, prompt, signal: interrupt.signal, waitTimeSeconds: deps.waitTimeSeconds, profile: opts.profile },
    );
    if (result.kind === 'declined') {
      io.err('drill cancelled; nothing was created');
      return EXIT.problems;
    }
    // A passed drill records its date on the users it exercised (lib/drill/tag.ts); a failure to tag is one line,
    // and the record is written either way.
    let r = result.record;
    if (r.outcome === 'passed') {
      const { tagDrilledUsers } = require('../../drill/tag') as typeof import('../../drill/tag');
      const drillTag = await tagDrilledUsers(clients.iam, r, config, opts.profile);
      r = { ...r, drillTag };
      if (!drillTag.written) io.err(`warning: drill date not written (tag ${drillTag.key}): ${escapeControls(drillTag.error ?? 'unknown reason')}`);
    }
    const files = saveRecord(outDir, r, io, writeRecord);
    const summary = r.outcome === 'passed'
      ? `drill passed: ${r.expected.length}/${r.expected.length} alerts arrived`
      : r.outcome === 'missing-alerts'
        ? `drill failed: missing ${r.missing.join(', ')}`
        : `drill ${r.outcome}: ${r.problem ?? 'see the record'}`;
    if (!files) { io.err(summary); return EXIT.runtime; }
    io.out(summary);
    io.out(files.json);
    io.out(files.markdown);
    if (r.teardown.errors.length) for (const e of r.teardown.errors) io.err(`error: ${e}`);
    if (r.outcome === 'failed') return EXIT.runtime;
    return r.outcome === 'passed' && r.teardown.errors.length === 0 ? EXIT.ok : EXIT.problems;
  } catch (e) {
    if (e instanceof DrillAwsError) throw new UserError(e.message, EXIT.runtime);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    external?.removeEventListener('abort', onExternal);
    ownPrompt?.close();
    for (const c of Object.values(clients)) c.destroy();
  }
}

/**
 * Writes the record into `dir`; if that fails now (the disk filled up during the drill, the directory was removed),
 * into the system's temporary directory, and if that fails too, prints it on stdout: the record is never lost.
 */
function saveRecord(dir: string, r: DrillRecord, io: Io, writeRecord: typeof import('../../drill/record').writeRecord): { json: string; markdown: string } | undefined {
  try {
    return writeRecord(dir, r);
  } catch (e) {
    const fallback = tmpdir();
    io.err(`error: cannot write the drill record into ${escapeControls(dir)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); writing it into ${fallback} instead`);
    try {
      return writeRecord(fallback, r);
    } catch (e2) {
      io.err(`error: cannot write it into ${fallback} either (${(e2 as NodeJS.ErrnoException).code ?? (e2 as Error).message}); the record follows on stdout, keep it`);
      io.out(`${JSON.stringify(r, null, 2)}\n`, true);
      return undefined;
    }
  }
}
