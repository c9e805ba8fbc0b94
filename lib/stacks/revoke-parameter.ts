import { CfnParameter, type Stack } from 'aws-cdk-lib';
import {
  REVOKE_ALLOWED_PATTERN, REVOKE_CONSTRAINT_DESCRIPTION, REVOKE_NOTHING, REVOKE_PARAMETER,
} from '../revoke/parameter';

/**
 * The stack parameter that `breakglass revoke` sets (lib/revoke/parameter.ts): same logical ID in every template, so
 * one UpdateStack / UpdateStackSet call with UsePreviousTemplate changes it. A direct child of the stack, so its
 * logical ID is exactly REVOKE_PARAMETER. A later `cdk deploy` keeps the value: the CDK CLI uses the previous values of
 * existing parameters unless told otherwise (`cdk deploy --previous-parameters`, default true).
 */
export function revokeParameter(stack: Stack): CfnParameter {
  return new CfnParameter(stack, REVOKE_PARAMETER, {
    type: 'String',
    default: REVOKE_NOTHING,
    allowedPattern: REVOKE_ALLOWED_PATTERN,
    constraintDescription: `must be ${REVOKE_CONSTRAINT_DESCRIPTION}`,
    description: `Sessions of the break-glass role issued before this UTC time are denied everything (set by \`breakglass revoke\`). ${REVOKE_NOTHING} revokes nothing.`,
  });
}
