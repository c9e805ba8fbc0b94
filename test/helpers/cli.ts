import { main } from '../../lib/cli/program';

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the CLI in-process with a fresh program and captured streams. */
export async function runCli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (t) => { stdout += t.endsWith('\n') ? t : `${t}\n`; }, err: (t) => { stderr += t.endsWith('\n') ? t : `${t}\n`; } });
  return { code, stdout, stderr };
}
