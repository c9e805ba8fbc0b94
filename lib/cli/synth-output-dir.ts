/**
 * Where `breakglass synth --out DIR` may write. A cloud assembly is a directory of generated files; the user's own
 * files must never be lost to a mistyped `--out` (`.`, the config file, a folder of notes). So:
 * - a path that does not exist, or an empty directory, is used as is;
 * - an existing cloud assembly of breakglass (its manifest.json names a Breakglass- stack) is cleared of the files
 *   a synthesis writes, by name, and nothing else;
 * - anything else (a file, a non-empty directory that is not our assembly, the working directory or one of its
 *   parents, a directory holding the config) is refused with one line saying why.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from './errors';

/** Names a CDK synthesis writes into its output directory (aws-cdk-lib cloud assembly layout). */
const ASSEMBLY_ENTRY = /^(manifest\.json|tree\.json|cdk\.out|validation-report\.json|.+\.(template|assets|metadata)\.json|asset\.[0-9a-f]+(\..+)?|member-template\.out)$/;

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

function isOurAssembly(dir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(resolve(dir, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, unknown> };
    return Object.keys(manifest.artifacts ?? {}).some((id) => id.startsWith('Breakglass-'));
  } catch {
    return false;
  }
}

/** Checks DIR and clears a previous breakglass assembly in it; throws UserError (exit 2) when DIR must not be used. */
export function prepareSynthOutput(out: string, configFile: string, cwd = process.cwd()): void {
  const dir = resolve(cwd, out);
  const config = resolve(cwd, configFile);
  if (isInside(cwd, dir)) throw new UserError(`--out ${out}: is the working directory or one of its parents; choose a new directory such as cdk.out`);
  if (isInside(config, dir)) throw new UserError(`--out ${out}: holds the config file ${configFile}; choose a new directory such as cdk.out`);
  if (!existsSync(dir)) {
    if (existsSync(dirname(dir)) && !lstatSync(dirname(dir)).isDirectory()) throw new UserError(`--out ${out}: ${dirname(out)} is not a directory`);
    return;
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw new UserError(`--out ${out}: is a symbolic link; give the real directory`);
  if (!st.isDirectory()) throw new UserError(`--out ${out}: exists and is not a directory; synth writes a directory of templates`);
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!isOurAssembly(dir)) {
    throw new UserError(`--out ${out}: exists and is not a breakglass synthesis output (no manifest.json naming Breakglass- stacks); choose a new or empty directory`);
  }
  for (const name of entries) if (ASSEMBLY_ENTRY.test(name)) rmSync(resolve(dir, name), { recursive: true, force: true });
}
