/**
 * CloudFormation stack names of the CDK app. Kept free of aws-cdk-lib so the deployment plan (`breakglass
 * deploy-plan`) can name stacks without loading the CDK; lib/stacks/names.ts re-exports them for the app.
 */
import { NAMES } from '../naming';

export const stackIds = {
  security: `${NAMES.stackPrefix}-Security`,
  securityRegion: (region: string) => `${NAMES.stackPrefix}-Security-${region}`,
  memberStackSets: `${NAMES.stackPrefix}-MemberStackSets`,
  management: `${NAMES.stackPrefix}-Management`,
  managementRegion: (region: string) => `${NAMES.stackPrefix}-Management-${region}`,
  memberTemplate: `${NAMES.stackPrefix}-MemberTemplate`,
  guardrails: `${NAMES.stackPrefix}-Guardrails`,
  trail: `${NAMES.stackPrefix}-Trail`,
} as const;
