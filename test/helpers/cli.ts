import { Readable } from 'node:stream';
import { main } from '../../lib/cli/program';

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the CLI in-process with a fresh program and captured streams. */
export async function runCli(...argv: string[]): Promise<CliResult> {
  return runCliWithInput(undefined, ...argv);
}

/** Same, with text (or a stream) on stdin. */
export async function runCliWithInput(input: string | Buffer | NodeJS.ReadableStream | undefined, ...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (t, raw) => { stdout += raw || t.endsWith("\n") ? t : `${t}\n`; }, err: (t) => { stderr += t.endsWith('\n') ? t : `${t}\n`; },
    stdin: input === undefined ? Readable.from([]) : typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([Buffer.from(input)]) : input });
  return { code, stdout, stderr };
}
