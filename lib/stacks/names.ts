import { Aws } from 'aws-cdk-lib';
import type { BreakglassConfig } from '../config/schema';
import { NAMES } from '../naming';

/** The central bus ARN is built, not referenced, so regional and member stacks need no cross-stack references. */
export function centralBusArn(c: BreakglassConfig): string {
  return `arn:${Aws.PARTITION}:events:${c.securityAccount.region}:${c.securityAccount.accountId}:event-bus/${NAMES.centralBus}`;
}

export const stackIds = {
  security: `${NAMES.stackPrefix}-Security`,
  securityRegion: (region: string) => `${NAMES.stackPrefix}-Security-${region}`,
  memberStackSets: `${NAMES.stackPrefix}-MemberStackSets`,
  management: `${NAMES.stackPrefix}-Management`,
  managementRegion: (region: string) => `${NAMES.stackPrefix}-Management-${region}`,
  memberTemplate: `${NAMES.stackPrefix}-MemberTemplate`,
  guardrails: `${NAMES.stackPrefix}-Guardrails`,
} as const;
