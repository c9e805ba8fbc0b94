/**
 * dist/ against the sources, so that no measured run goes through stale compiled code. The build steps are read from
 * package.json: `build:js` writes dist/bin and dist/lib (one .js per .ts, no bundling), and each other `build:*`
 * script but `build:types` (today `build:notifier`) bundles a Lambda handler into the `--outfile` it names
 * (dist/notifier/index.js), which synthesis packages as an asset. dist/ is fresh when every bin/ and lib/ source has
 * its compiled file at least as new as itself, and every bundle is at least as new as every lib/ source (a bundle
 * holds an unknown subset of them). Others may edit the working tree while a benchmark runs: scripts call `ensure()`
 * right before every measured run that uses dist/, and it rebuilds (and counts the rebuild) when needed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './process-runner';

interface BuildPlan {
  /** npm scripts to run, in package.json order: build:js first, then the bundles. */
  readonly scripts: string[];
  /** Bundles the scripts write, relative to the root (dist/notifier/index.js). */
  readonly bundles: string[];
}

function buildPlan(root: string): BuildPlan {
  const all = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  const scripts = Object.keys(all).filter((k) => k.startsWith('build:') && k !== 'build:types');
  const bundles = scripts.flatMap((k) => /--outfile[= ](\S+)/.exec(all[k]!)?.[1] ?? []);
  return { scripts: [...scripts.filter((k) => k === 'build:js'), ...scripts.filter((k) => k !== 'build:js')], bundles };
}

/** The build the benchmarks run when dist/ is stale: `npm run build:js && npm run build:notifier` today. */
export function buildCommand(root = ROOT): string {
  return buildPlan(root).scripts.map((s) => `npm run ${s}`).join(' && ');
}

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const mtime = (p: string): number => {
  try { return statSync(p).mtimeMs; } catch { return -1; }
};

/** Why dist/ is not fresh (the first problem found), or undefined when it is. */
export function staleReason(root = ROOT): string | undefined {
  const libSources = sources(join(root, 'lib'));
  for (const src of [...sources(join(root, 'bin')), ...libSources]) {
    const out = join(root, 'dist', relative(root, src).replace(/\.ts$/, '.js'));
    const o = mtime(out);
    if (o < 0) return `${relative(root, out)} is missing`;
    if (o < mtime(src)) return `${relative(root, src)} is newer than ${relative(root, out)}`;
  }
  const newestLib = Math.max(0, ...libSources.map(mtime));
  for (const bundle of buildPlan(root).bundles) {
    const t = mtime(join(root, bundle));
    if (t < 0) return `${bundle} is missing`;
    if (t < newestLib) return `a lib/ source is newer than ${bundle}`;
  }
  return undefined;
}

export function buildDist(root = ROOT): void {
  for (const script of buildPlan(root).scripts) {
    const r = spawnSync('npm', ['run', '--silent', script], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`npm run ${script} failed: ${r.stderr || r.stdout}`);
  }
}

export class FreshDist {
  /** Builds done by ensure() (the first one included when dist/ was stale at the start). */
  rebuilds = 0;

  /** allowBuild false (--no-build): a stale dist/ is an error instead of a rebuild. */
  constructor(private readonly allowBuild: boolean, private readonly log: (s: string) => void, private readonly root = ROOT) {}

  /** Rebuilds dist/ when a source is newer than its compiled file; throws when that is not allowed or did not help. */
  ensure(): void {
    const why = staleReason(this.root);
    if (!why) return;
    if (!this.allowBuild) throw new Error(`dist/ is stale (${why}) and --no-build was given; run \`${buildCommand(this.root)}\``);
    this.log(`  (dist/ stale: ${why}; ${buildCommand(this.root)})`);
    buildDist(this.root);
    this.rebuilds++;
    const still = staleReason(this.root);
    if (still) throw new Error(`dist/ still stale after ${buildCommand(this.root)}: ${still}`);
  }
}
