import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface BreakGlassUsersProps {
  /** IAM user names, one per person who may break the glass. */
  readonly userNames: readonly string[];
  /** Name of the break-glass role in member accounts; the users may assume only this role. */
  readonly roleName: string;
  /**
   * Organization ID the role must belong to (aws:ResourceOrgID).
   * @default the caller's own organization, via the `${aws:PrincipalOrgID}` policy variable
   */
  readonly organizationId?: string;
}

/**
 * Actions a user without MFA may still call: exactly what is needed to set its own password at first sign-in
 * and enrol its MFA device. Mirrors the IAM user guide example "Allows MFA-authenticated IAM users to manage their
 * own MFA device" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html)
 * plus ChangePassword/GetAccountPasswordPolicy from "Allows IAM users to change their own password".
 */
export const SELF_SERVICE_WITHOUT_MFA = [
  'iam:ChangePassword', 'iam:GetAccountPasswordPolicy', 'iam:GetUser',
  'iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:ListVirtualMFADevices',
  'iam:ResyncMFADevice', 'sts:GetSessionToken',
] as const;

/**
 * The break-glass IAM users and their one managed policy. No password and no access key is created here:
 * a console password is set out of band (README, "After deployment"), so no secret reaches code, template or state.
 */
export class BreakGlassUsers extends Construct {
  readonly users: readonly iam.User[];
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: BreakGlassUsersProps) {
    super(scope, id);
    if (props.userNames.length === 0) throw new Error('BreakGlassUsers: expected at least one user name');
    const selfUser = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:user/\${aws:username}`;

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Break-glass users: assume the break-glass role in this organization, only with MFA.',
      statements: [
        new iam.PolicyStatement({
          sid: 'AssumeBreakGlassRoleInOrganization',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${Aws.PARTITION}:iam::*:role/${props.roleName}`],
          conditions: {
            // aws:ResourceOrgID is the organization of the account that owns the role (IAM user guide, global
            // condition keys); the policy variable form keeps the users inside their own organization.
            StringEquals: { 'aws:ResourceOrgID': props.organizationId ?? '${aws:PrincipalOrgID}' },
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'ManageOwnPasswordAndMfa',
          actions: ['iam:ChangePassword', 'iam:GetUser', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
          resources: [selfUser],
        }),
        new iam.PolicyStatement({
          sid: 'CreateOwnVirtualMfaDevice',
          actions: ['iam:CreateVirtualMFADevice'],
          resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:mfa/*`],
        }),
        new iam.PolicyStatement({
          sid: 'ReadPasswordPolicyAndMfaDevices',
          actions: ['iam:GetAccountPasswordPolicy', 'iam:ListVirtualMFADevices'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyEverythingElseWithoutMfa',
          effect: iam.Effect.DENY,
          notActions: [...SELF_SERVICE_WITHOUT_MFA],
          resources: ['*'],
          // BoolIfExists: long-term access keys carry no MFA key at all, so a plain Bool would let them through
          // (IAM user guide, "Condition operator to check existence of condition keys").
          conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        }),
      ],
    });
    Validations.of(this.policy).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/' + props.roleName + ']', reason: 'The role exists in every organization account; aws:ResourceOrgID restricts the account to this organization.' },
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:mfa/*]', reason: 'Virtual MFA device names are chosen at enrolment; creation is scoped to this account.' },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'GetAccountPasswordPolicy and ListVirtualMFADevices take no resource; the deny-without-MFA statement must cover everything.' },
    );

    this.users = props.userNames.map((name) => {
      const user = new iam.User(this, `User${name}`, { userName: name, managedPolicies: [this.policy] });
      return user;
    });
  }
}
