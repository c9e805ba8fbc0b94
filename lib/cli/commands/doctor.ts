/**
 * `breakglass doctor`: checks a deployed setup through the standard AWS credential chain and prints a table, or one
 * JSON document with --json. Exit 0 when nothing failed (warnings included), 1 when a check failed, 3 when the
 * credentials do not work at all (every check would only repeat that error), 2 for a bad config (from main()).
 */
import { loadConfigFile } from '../../config/load';
import { EXIT } from '../errors';
import type { Io } from '../io';

export interface DoctorOptions {
  readonly config: string;
  readonly json?: boolean;
  readonly profile?: string;
  readonly region?: string;
}

export async function runDoctor(opts: DoctorOptions, io: Io): Promise<number> {
  const { config } = loadConfigFile(opts.config);
  const { createDoctorContext } = require('../../doctor/context') as typeof import('../../doctor/context');
  const { CHECKS } = require('../../doctor/checks/index') as typeof import('../../doctor/checks/index');
  const { runChecks, worst } = require('../../doctor/run') as typeof import('../../doctor/run');
  const { renderJson, renderTable } = require('../../doctor/render') as typeof import('../../doctor/render');
  const ctx = createDoctorContext(config, { profile: opts.profile, region: opts.region });
  try {
    const results = await runChecks(ctx, CHECKS);
    io.out(opts.json ? renderJson(results) : renderTable(results), true);
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
