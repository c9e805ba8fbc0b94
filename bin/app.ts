/**
 * CDK app entry for `npx cdk ls|synth|diff|deploy` (cdk.json "app"). The config file comes from, in order:
 * `-c breakglass:config=FILE`, the BREAKGLASS_CONFIG environment variable, or the bundled example.
 */
import { App } from 'aws-cdk-lib';
import { join } from 'node:path';
import { buildApp } from '../lib/app';
import { ConfigError, loadConfigFile } from '../lib/config/load';
import { packageRoot } from '../lib/package-files';

// This App only reads the context the CDK CLI passes in; autoSynth off, or at exit it would write its own, empty
// cloud assembly over the real one (the CLI then reports "This app contains no stacks").
const contextReader = new App({ autoSynth: false });
const fromContext = contextReader.node.tryGetContext('breakglass:config') as string | undefined;
const file = fromContext ?? process.env.BREAKGLASS_CONFIG ?? join(packageRoot(), 'examples', 'breakglass.config.yaml');
try {
  const { config } = loadConfigFile(file);
  const outdir = process.env.CDK_OUTDIR ?? 'cdk.out';
  buildApp(config, { outdir }).app.synth();
} catch (e) {
  if (e instanceof ConfigError) {
    for (const p of e.problems) console.error(p);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
