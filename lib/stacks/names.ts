import { Aws } from 'aws-cdk-lib';
import type { BreakglassConfig } from '../config/schema';
import { NAMES } from '../naming';

// The stack names live in a CDK-free module so `breakglass deploy-plan` can use them without loading aws-cdk-lib.
export { stackIds } from '../deployment/stack-ids';

/** The central bus ARN is built, not referenced, so regional and member stacks need no cross-stack references. */
export function centralBusArn(c: BreakglassConfig): string {
  return `arn:${Aws.PARTITION}:events:${c.securityAccount.region}:${c.securityAccount.accountId}:event-bus/${NAMES.centralBus}`;
}
