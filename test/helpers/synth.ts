/**
 * Synthesizes a config once per test file into a private temp directory and hands out the templates.
 * Tests read what `breakglass synth` writes, so they check what deploys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, IPolicyValidationPlugin } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { loadConfigFile, parseConfigText } from '../../lib/config/load';
import type { BreakglassConfig } from '../../lib/config/schema';

export const EXAMPLE_CONFIG = join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml');

export type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: any; Condition?: string; [k: string]: any }>; [k: string]: any };

export interface Synthesized {
  readonly config: BreakglassConfig;
  readonly dir: string;
  /** Templates by stack name (artifact id), plus the StackSet member template under "member". */
  readonly templates: Map<string, CfnTemplate>;
  readonly member: CfnTemplate;
  readonly app: App;
  readonly memberApp: App;
  cleanup(): void;
}

export function synthConfig(config: BreakglassConfig = loadConfigFile(EXAMPLE_CONFIG).config,
  plugins?: (app: App) => IPolicyValidationPlugin[]): Synthesized {
  const dir = mkdtempSync(join(tmpdir(), 'breakglass-test-'));
  const built = buildApp(config, { outdir: dir, plugins });
  const assembly = built.app.synth();
  const templates = new Map<string, CfnTemplate>();
  for (const s of assembly.stacks) templates.set(s.stackName, s.template as CfnTemplate);
  return {
    config, dir, templates, member: built.memberTemplate as CfnTemplate, app: built.app, memberApp: built.memberApp,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The example config with changes applied through YAML text, validated like a user's file. */
export function exampleWith(mutate: (c: any) => void): BreakglassConfig {
  const c = structuredClone(loadConfigFile(EXAMPLE_CONFIG).config) as any;
  mutate(c);
  return parseConfigText(JSON.stringify(c), 'test-config.json');
}

export function resourcesOfType(t: CfnTemplate, type: string): Array<[string, any]> {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}
