/**
 * Synthesizes a config and hands out the templates. Tests read what `breakglass synth` writes, so they check what
 * deploys.
 *
 * Under scripts/run-tests.mjs (npm test), BREAKGLASS_TEST_SYNTH_CACHE names a directory shared by every test file of
 * the run: each config variant is synthesized once, by whichever file needs it first, and the others read the same
 * cloud assembly from disk. The cache lives only for one run, so it never outlives a code change.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, IPolicyValidationPlugin } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { loadConfigFile } from '../../lib/config/load';
import type { BreakglassConfig } from '../../lib/config/schema';

import { EXAMPLE_CONFIG } from './config';

export { EXAMPLE_CONFIG, exampleWith } from './config';

export type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: any; Condition?: string; [k: string]: any }>; [k: string]: any };

export interface Synthesized {
  readonly config: BreakglassConfig;
  readonly dir: string;
  /** Templates by stack name (artifact id), plus the StackSet member template under "member". */
  readonly templates: Map<string, CfnTemplate>;
  readonly member: CfnTemplate;
  /** The construct tree, for tests that read metadata or environments from it (built on first use when cached). */
  readonly app: App;
  readonly memberApp: App;
  cleanup(): void;
}

const COMPLETE = '.complete';

export function synthConfig(config: BreakglassConfig = loadConfigFile(EXAMPLE_CONFIG).config,
  plugins?: (app: App) => IPolicyValidationPlugin[]): Synthesized {
  const cacheRoot = process.env.BREAKGLASS_TEST_SYNTH_CACHE;
  // Validation plugins change what synthesis reports, not the templates, but their runs are few: never cached.
  if (!cacheRoot || plugins) return synthFresh(config, plugins);
  const dir = join(cacheRoot, createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 24));
  if (!existsSync(join(dir, COMPLETE))) {
    const fresh = synthFresh(config, undefined, cacheRoot);
    writeFileSync(join(fresh.dir, COMPLETE), '');
    try {
      renameSync(fresh.dir, dir);
    } catch {
      fresh.cleanup(); // another test file finished the same variant first: use its copy
    }
  }
  return fromDisk(config, dir);
}

function synthFresh(config: BreakglassConfig, plugins?: (app: App) => IPolicyValidationPlugin[], parent = tmpdir()): Synthesized {
  const dir = mkdtempSync(join(parent, 'breakglass-test-'));
  const built = buildApp(config, { outdir: dir, plugins });
  const assembly = built.app.synth();
  const templates = new Map<string, CfnTemplate>();
  for (const s of assembly.stacks) templates.set(s.stackName, s.template as CfnTemplate);
  return {
    config, dir, templates, member: built.memberTemplate as CfnTemplate, app: built.app, memberApp: built.memberApp,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Templates of a cloud assembly on disk; the apps are rebuilt (not synthesized) only if a test asks for them. */
function fromDisk(config: BreakglassConfig, dir: string): Synthesized {
  const stackTemplates = (assemblyDir: string): Map<string, CfnTemplate> => {
    const manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; properties?: { templateFile?: string; stackName?: string } }>;
    };
    const out = new Map<string, CfnTemplate>();
    for (const [id, a] of Object.entries(manifest.artifacts)) {
      if (a.type !== 'aws:cloudformation:stack' || !a.properties?.templateFile) continue;
      out.set(a.properties.stackName ?? id, JSON.parse(readFileSync(join(assemblyDir, a.properties.templateFile), 'utf8')) as CfnTemplate);
    }
    return out;
  };
  const templates = stackTemplates(dir);
  const member = [...stackTemplates(join(dir, 'member-template.out')).values()][0]!;
  let rebuilt: { built: ReturnType<typeof buildApp>; dir: string } | undefined;
  const rebuild = () => {
    if (!rebuilt) {
      const own = mkdtempSync(join(tmpdir(), 'breakglass-test-'));
      rebuilt = { built: buildApp(config, { outdir: own }), dir: own };
    }
    return rebuilt.built;
  };
  return {
    config, dir, templates, member,
    get app() { return rebuild().app; },
    get memberApp() { return rebuild().memberApp; },
    cleanup: () => { if (rebuilt) rmSync(rebuilt.dir, { recursive: true, force: true }); },
  };
}

export function resourcesOfType(t: CfnTemplate, type: string): Array<[string, any]> {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}
