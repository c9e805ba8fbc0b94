/** The example config and variants of it, validated like a user's file. No aws-cdk-lib: usable by unit tests. */
import { join } from 'node:path';
import { loadConfigFile, parseConfigText } from '../../lib/config/load';
import type { BreakglassConfig } from '../../lib/config/schema';

export const EXAMPLE_CONFIG = join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml');

/** The example config with changes applied through YAML text, validated like a user's file. */
export function exampleWith(mutate: (c: any) => void): BreakglassConfig {
  const c = structuredClone(loadConfigFile(EXAMPLE_CONFIG).config) as any;
  mutate(c);
  return parseConfigText(JSON.stringify(c), 'test-config.json');
}
