/**
 * `breakglass deploy-plan`: the ordered commands that deploy a config, per account, with the credentials each step
 * needs. Offline and without aws-cdk-lib, so it starts as fast as `validate`.
 */
import { loadConfigFile } from '../../config/load';
import { buildDeployPlan } from '../../deployment/plan';
import { renderPlanText } from '../../deployment/plan-text';
import { EXIT } from '../errors';
import type { Io } from '../io';

export interface DeployPlanOptions {
  readonly config: string;
  readonly json?: boolean;
}

export function runDeployPlan(opts: DeployPlanOptions, io: Io): number {
  const { config } = loadConfigFile(opts.config);
  const plan = buildDeployPlan(config, { configFile: opts.config });
  io.out(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan, opts.config), true);
  return EXIT.ok;
}
