import { relative } from 'node:path';
import { loadConfigFile } from '../../config/load';
import type { Io } from '../io';
import { EXIT } from '../errors';
import { summarize } from '../summary';
import { prepareSynthOutput } from '../synth-output-dir';

export interface SynthOptions {
  readonly config: string;
  readonly out: string;
  readonly summary?: boolean;
}

export async function runSynth(opts: SynthOptions, io: Io): Promise<number> {
  const { config } = loadConfigFile(opts.config);
  prepareSynthOutput(opts.out, opts.config);
  // aws-cdk-lib is loaded only here: the offline commands must start fast.
  const { buildApp } = require('../../app') as typeof import('../../app');
  const { app } = buildApp(config, { outdir: opts.out });
  const assembly = app.synth();
  if (opts.summary !== false) io.out(summarize(config));
  io.out(`\nSynthesized ${assembly.stacks.length} stacks into ${relative(process.cwd(), opts.out) || '.'}/ (StackSet member template in ${relative(process.cwd(), opts.out) || '.'}/member-template.out/):`);
  for (const s of assembly.stacks) io.out(`  ${s.stackName.padEnd(36)} account ${s.environment.account}  ${s.environment.region}`);
  return EXIT.ok;
}
