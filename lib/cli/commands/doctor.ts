/**
 * `breakglass doctor`: checks a deployed setup through the standard AWS credential chain and prints a table, or one
 * JSON document with --json. Exit 0 when nothing failed (warnings included), 1 when a check failed, 3 when the
 * credentials do not work at all (every check would only repeat that error) or when the run passed its --deadline
 * (the checks that did not finish are named), 2 for a bad config (from main()) or a bad option.
 */
import { loadConfigFile } from '../../config/load';
import { DEFAULT_DEADLINE_SECONDS } from '../../detection/limits';
import { EXIT, UserError } from '../errors';
import type { Io } from '../io';

export interface DoctorOptions {
  readonly config: string;
  readonly json?: boolean;
  readonly profile?: string;
  readonly region?: string;
  /** Seconds for the whole run (--deadline). @default DEFAULT_DEADLINE_SECONDS */
  readonly deadline?: string;
}

const MAX_DEADLINE_SECONDS = 24 * 3600;

/** --deadline: seconds, more than 0 and at most a day. */
export function deadlineSeconds(v: string | undefined, fallback = DEFAULT_DEADLINE_SECONDS): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !(n > 0) || n > MAX_DEADLINE_SECONDS) {
    throw new UserError(`--deadline: expected seconds between 0 and ${MAX_DEADLINE_SECONDS} (e.g. ${fallback}), got ${JSON.stringify(v.slice(0, 40))}`, EXIT.usage);
  }
  return n;
}

/** --region, else the environment's region: refused with exit 2 when it is not a region name (lib/aws/clients.ts). */
export function checkRegionOption(region: string | undefined): void {
  const { environmentRegionProblem, regionOptionProblem } = require('../../aws/clients') as typeof import('../../aws/clients');
  const problem = region !== undefined ? regionOptionProblem(region) : environmentRegionProblem();
  if (problem) throw new UserError(problem, EXIT.usage);
}

export async function runDoctor(opts: DoctorOptions, io: Io): Promise<number> {
  const deadline = deadlineSeconds(opts.deadline);
  checkRegionOption(opts.region);
  const { config } = loadConfigFile(opts.config);
  const { createDoctorContext } = require('../../doctor/context') as typeof import('../../doctor/context');
  const { CHECKS } = require('../../doctor/checks/index') as typeof import('../../doctor/checks/index');
  const { runChecksWithDeadline, worst } = require('../../doctor/run') as typeof import('../../doctor/run');
  const { renderJson, renderTable } = require('../../doctor/render') as typeof import('../../doctor/render');
  const ctx = createDoctorContext(config, { profile: opts.profile, region: opts.region, configFile: opts.config });
  try {
    const { results, unfinished } = await runChecksWithDeadline(ctx, CHECKS, deadline * 1000);
    io.out(opts.json ? renderJson(results) : renderTable(results), true);
    if (unfinished.length > 0) {
      io.err(`error: doctor did not finish within the deadline of ${deadline} s (--deadline); unfinished: ${unfinished.join(', ')}`);
      return EXIT.runtime;
    }
    const credentials = results.find((r) => r.id === 'credentials');
    if (credentials?.status === 'fail') {
      io.err(`error: ${credentials.detail}`);
      return EXIT.runtime;
    }
    return worst(results) === 'fail' ? EXIT.problems : EXIT.ok;
  } finally {
    ctx.destroy();
  }
}
