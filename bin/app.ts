/**
 * CDK app entry for `npx cdk synth` / `npx cdk deploy` (cdk.json "app"). The config file comes from the context
 * key `breakglass:config` (cdk.json; override with `-c breakglass:config=path.yaml`) or BREAKGLASS_CONFIG.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfigFile } from '../lib/config/load';
import { buildApp } from '../lib/app';

const probe = new App();
const file = process.env.BREAKGLASS_CONFIG ?? (probe.node.tryGetContext('breakglass:config') as string | undefined) ?? 'examples/breakglass.config.yaml';
try {
  const { config } = loadConfigFile(file);
  const outdir = process.env.CDK_OUTDIR ?? 'cdk.out';
  buildApp(config, { outdir }).app.synth();
} catch (e) {
  if (e instanceof ConfigError) {
    for (const p of e.problems) console.error(p);
    process.exit(2);
  }
  throw e;
}
