/**
 * The sources the synth benchmark's children run, frozen at the start: a copy of lib/, examples/, bench/, the
 * package and TypeScript config, and the Lambda bundles in dist/ (every directory there but bin/ and lib/, e.g.
 * dist/notifier, which synthesis packages as assets; the caller makes dist/ fresh first), with node_modules linked.
 * Edits made to the working tree during a long run then cannot mix versions.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gitState } from '../lib/machine';
import { ROOT } from '../lib/process-runner';

export function snapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'breakglass-bench-src-'));
  mkdirSync(join(dir, 'dist'));
  for (const p of ['lib', 'examples', 'bench', 'package.json', 'package-lock.json', 'tsconfig.json', ...lambdaBundles()]) {
    if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The Lambda bundle directories in dist/ (all but the compiled bin/ and lib/), relative to the root. */
export function lambdaBundles(): string[] {
  const dist = join(ROOT, 'dist');
  if (!existsSync(dist)) return [];
  return readdirSync(dist, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'bin' && e.name !== 'lib').map((e) => `dist/${e.name}`).sort();
}

/** What was measured: commit, uncommitted changes under lib/ or examples/, and a hash of the lib/ tree in `dir`. */
export function sourceVersion(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else hash.update(`${relative(dir, p)}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(join(dir, 'lib'));
  const g = gitState(['lib', 'examples']);
  return `commit ${g.head}${g.dirty ? ' plus uncommitted changes in lib/ or examples/' : ''} (lib/ tree sha256 ${hash.digest('hex').slice(0, 12)})`;
}
