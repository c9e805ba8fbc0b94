/**
 * `breakglass reseal`: after a use (an emergency or a drill), checks that each break-glass user used since its last
 * seal had its password changed, its MFA devices unchanged, no access keys, its role sessions revoked and its use
 * audited; then tags the users (SEAL_TAG) and writes the seal record (JSON + Markdown) into --out. Exceptions are
 * accepted only one by one at a terminal (--yes). The AWS SDK and the reseal modules load only here.
 *
 * Exit: 0 sealed (or nothing to reseal); 1 a check failed and was not accepted (one line per failing check on stdout);
 * 2 bad option, config or audit file; 3 AWS error (reading, the wrong account, a deadline, or a tag not written:
 * the record is written anyway and says so).
 */
import { tmpdir } from 'node:os';
import { loadConfigFile } from '../../config/load';
import { escapeControls } from '../../detection/escape';
import type { DrillPrompt } from '../../drill/run';
import type { SealRecord } from '../../reseal/record';
import { EXIT, UserError } from '../errors';
import type { Io } from '../io';
import { checkRegionOption, deadlineSeconds } from './doctor';

export interface ResealCliOptions {
  readonly config: string;
  readonly audit?: string;
  readonly out?: string;
  readonly yes?: boolean;
  readonly profile?: string;
  readonly managementProfile?: string;
  readonly stacksetsProfile?: string;
  readonly region?: string;
  readonly deadline?: string;
}

/** Test seams: a scripted prompt standing for the terminal, and a clock. */
export interface ResealCliDeps {
  readonly prompt?: DrillPrompt;
  readonly now?: () => Date;
}

export const DEFAULT_SEALS_DIR = 'seals';

export async function runResealCommand(opts: ResealCliOptions, io: Io, deps: ResealCliDeps = {}): Promise<number> {
  const deadline = deadlineSeconds(opts.deadline);
  checkRegionOption(opts.region);
  const { config } = loadConfigFile(opts.config);
  const outDir = opts.out ?? DEFAULT_SEALS_DIR;
  const { checkDirectoryWritable } = require('../../write-atomically') as typeof import('../../write-atomically');
  try {
    checkDirectoryWritable(outDir);
  } catch (e) {
    throw new UserError(`--out ${escapeControls(outDir)}: the seal record could not be written there (${escapeControls((e as NodeJS.ErrnoException).code ?? (e as Error).message)}); choose a writable directory`, EXIT.usage);
  }
  const { readAuditFile, AuditFileError } = require('../../reseal/audit-file') as typeof import('../../reseal/audit-file');
  let audit: import('../../reseal/audit-file').AuditEvidence | undefined;
  if (opts.audit !== undefined) {
    try {
      audit = readAuditFile(opts.audit);
    } catch (e) {
      if (e instanceof AuditFileError) throw new UserError(`--audit ${escapeControls(opts.audit)}: ${escapeControls(e.message)}`, EXIT.usage);
      throw e;
    }
  }

  const { createDoctorContext } = require('../../doctor/context') as typeof import('../../doctor/context');
  const { withAwsAbortSignal } = require('../../aws/clients') as typeof import('../../aws/clients');
  const { readState, reseal, ResealAwsError, verdictNote } = require('../../reseal/run') as typeof import('../../reseal/run');
  const { writeSealRecord } = require('../../reseal/record') as typeof import('../../reseal/record');
  const { lineReaderPrompt } = require('../../drill/prompt') as typeof import('../../drill/prompt');

  const now = deps.now ?? (() => new Date());
  const make = (profile: string | undefined) => createDoctorContext(config, { profile, region: opts.region, configFile: opts.config, now });
  const security = make(opts.profile);
  const management = opts.managementProfile !== undefined ? make(opts.managementProfile) : security;
  const stacksets = opts.stacksetsProfile !== undefined ? make(opts.stacksetsProfile) : management;
  const contexts = { security, management, stacksets, options: { security: '--profile', management: '--management-profile', stacksets: '--stacksets-profile' } };
  const stdin = (io.stdin ?? process.stdin) as NodeJS.ReadableStream & { isTTY?: boolean };
  const ownPrompt = !deps.prompt && opts.yes && stdin.isTTY ? lineReaderPrompt(stdin, (t) => io.err(t)) : undefined;
  try {
    // Reading is bounded by --deadline; the questions to the operator are not.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(Object.assign(new Error(`deadline of ${deadline} s passed`), { name: 'DeadlineExceeded' })), deadline * 1000);
    let state;
    try {
      state = await withAwsAbortSignal(stop.signal, () => readState({ config, configFile: opts.config, audit, outDir, yes: !!opts.yes }, { contexts, now }));
    } catch (e) {
      if (e instanceof ResealAwsError) throw new UserError(stop.signal.aborted ? `reseal did not finish reading within the deadline of ${deadline} s (--deadline): ${e.message}` : e.message, EXIT.runtime);
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (stop.signal.aborted) throw new UserError(`reseal did not finish reading within the deadline of ${deadline} s (--deadline); nothing was written`, EXIT.runtime);
    for (const v of state.verdicts) io.err(verdictNote(v));
    const result = await reseal({ config, configFile: opts.config, audit, outDir, yes: !!opts.yes }, { contexts, now, prompt: deps.prompt ?? ownPrompt }, state);
    if (result.kind === 'nothing') {
      io.out('nothing to reseal: no break-glass user was used since its last seal');
      return EXIT.ok;
    }
    if (result.kind === 'refused') {
      for (const l of result.lines) io.out(l);
      io.err(`error: ${result.why}`);
      return EXIT.problems;
    }
    const files = saveRecord(outDir, result.record, io, writeSealRecord);
    io.out(`sealed ${result.record.users.map((u) => u.name).join(', ')} at ${result.record.sealedAt}`);
    if (files) { io.out(files.json); io.out(files.markdown); }
    for (const l of result.tagErrors) io.err(`error: ${l}`);
    return files && result.tagErrors.length === 0 ? EXIT.ok : EXIT.runtime;
  } finally {
    ownPrompt?.close();
    for (const c of new Set([security, management, stacksets])) c.destroy();
  }
}

/** Writes the record into `dir`, else into the temporary directory, else prints it on stdout: never lost. */
function saveRecord(dir: string, r: SealRecord, io: Io, write: typeof import('../../reseal/record').writeSealRecord): { json: string; markdown: string } | undefined {
  try {
    return write(dir, r);
  } catch (e) {
    const fallback = tmpdir();
    io.err(`error: cannot write the seal record into ${escapeControls(dir)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); writing it into ${fallback} instead`);
    try {
      return write(fallback, r);
    } catch (e2) {
      io.err(`error: cannot write it into ${fallback} either (${(e2 as NodeJS.ErrnoException).code ?? (e2 as Error).message}); the record follows on stdout, keep it`);
      io.out(`${JSON.stringify(r, null, 2)}\n`, true);
      return undefined;
    }
  }
}
