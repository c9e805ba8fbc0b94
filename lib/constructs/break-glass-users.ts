import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NAMES } from '../naming';

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
  /**
   * Name of the group that carries the users' permissions. Fixed, because detection matches on it
   * (user-credentials-changed watches the group's policies and members).
   * @default NAMES.usersGroup ("breakglass-users")
   */
  readonly groupName?: string;
  /**
   * Name of the customer managed policy attached to the group; fixed for the same reason (CreatePolicyVersion,
   * SetDefaultPolicyVersion and DeletePolicy are matched on its ARN).
   * @default NAMES.usersPolicy ("breakglass-users")
   */
  readonly policyName?: string;
}

/**
 * What a break-glass user may do without MFA: nothing. The deny statement covers every action ("*").
 *
 * Earlier versions exempted self-enrolment of MFA (iam:CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice) as
 * the IAM user guide example "AWS: Allows MFA-authenticated IAM users to manage their own credentials on the Security
 * credentials page" does. Here an administrator enrols the device before any password exists (README, "After
 * deployment"), so those exemptions only served someone holding a leaked password, who could enrol a device of their
 * own (IAM allows up to eight per user). ChangePassword is not exempt either: the same guide page notes that allowing
 * users to change their password without MFA "can be a security risk"; holders change the password after signing in
 * with MFA (Security credentials page), which the allow statements below permit.
 */
export const SELF_SERVICE_WITHOUT_MFA: readonly string[] = [];

/**
 * CloudShell actions a holder needs to open AWS CloudShell in the security account and run the CLI there with the
 * console session's credentials (Service Authorization Reference, "Actions, resources, and condition keys for AWS
 * CloudShell": CreateEnvironment and DescribeEnvironments take no resource; the others act on an environment,
 * arn:${Partition}:cloudshell:${Region}:${Account}:environment/${EnvironmentId}; PutCredentials "forward[s] console
 * credentials to the environment"). File upload and download (GetFileUploadUrls, GetFileDownloadUrls) are left out:
 * an emergency needs commands typed from the sheet, not files carried in or out.
 */
export const CLOUDSHELL_ACTIONS = {
  anyResource: ['cloudshell:CreateEnvironment', 'cloudshell:DescribeEnvironments'],
  environment: ['cloudshell:CreateSession', 'cloudshell:GetEnvironmentStatus', 'cloudshell:StartEnvironment', 'cloudshell:StopEnvironment', 'cloudshell:PutCredentials'],
} as const;

/**
 * `aws login` (AWS CLI 2.32 and later) turns a console sign-in into CLI credentials that the CLI refreshes "for up to
 * 12 hours" (AWS CLI user guide, "Login for AWS local development using console credentials"); it needs these two
 * actions (AWS managed policy SignInLocalDevelopmentAccess). Denied: break-glass credentials must not outlive the
 * emergency on a laptop; CloudShell keeps the CLI inside the console session (docs/detection.md, "Decisions").
 */
export const CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT = ['signin:AuthorizeOAuth2Access', 'signin:CreateOAuth2Token'] as const;

/**
 * The break-glass IAM users, their group and the group's one managed policy. No password and no access key is created
 * here: a console password is set out of band (README, "After deployment"), so no secret reaches code, template or
 * state.
 *
 * Permissions come only through the group: Security Hub control IAM.2 (CIS "IAM users should not have IAM policies
 * attached") is the AWS Config rule iam-user-no-policies-check, "Checks if none of your AWS Identity and Access
 * Management (IAM) users have policies attached. IAM users must inherit permissions from IAM groups or roles"
 * (AWS Config developer guide, "iam-user-no-policies-check").
 */
export class BreakGlassUsers extends Construct {
  readonly users: readonly iam.User[];
  readonly group: iam.Group;
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: BreakGlassUsersProps) {
    super(scope, id);
    if (props.userNames.length === 0) throw new Error('BreakGlassUsers: expected at least one user name');
    const selfUser = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:user/\${aws:username}`;
    const breakGlassRole = `arn:${Aws.PARTITION}:iam::*:role/${props.roleName}`;
    // aws:ResourceOrgID is the organization of the account that owns the role (IAM user guide, global condition
    // keys); the policy variable form keeps the users inside their own organization.
    const inOrganization = { 'aws:ResourceOrgID': props.organizationId ?? '${aws:PrincipalOrgID}' };

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: props.policyName ?? NAMES.usersPolicy,
      description: 'Break-glass users: assume the break-glass role in this organization, only with MFA.',
      statements: [
        new iam.PolicyStatement({
          sid: 'AssumeBreakGlassRoleInOrganization',
          actions: ['sts:AssumeRole'],
          resources: [breakGlassRole],
          conditions: { StringEquals: inOrganization, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        }),
        // A source identity set at AssumeRole persists into role chaining and appears in CloudTrail as
        // sessionContext.sourceIdentity (IAM user guide, "Monitor and control actions taken with assumed roles").
        // Optional (the console's Switch Role cannot set one), and only the user's own name: the role's trust has
        // the same condition.
        new iam.PolicyStatement({
          sid: 'SetOwnNameAsSourceIdentity',
          actions: ['sts:SetSourceIdentity'],
          resources: [breakGlassRole],
          conditions: {
            StringEquals: { ...inOrganization, 'sts:SourceIdentity': '${aws:username}' },
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
          },
        }),
        // Changing the password after signing in with MFA (Security credentials page): ChangePassword and GetUser on
        // the user itself, GetAccountPasswordPolicy to show the rules (IAM user guide, "Allows IAM users to change
        // their own password"). ListMFADevices shows the holder which device is enrolled.
        new iam.PolicyStatement({
          sid: 'ChangeOwnPassword',
          actions: ['iam:ChangePassword', 'iam:GetUser', 'iam:ListMFADevices'],
          resources: [selfUser],
        }),
        new iam.PolicyStatement({
          sid: 'ReadPasswordPolicy',
          actions: ['iam:GetAccountPasswordPolicy'],
          resources: ['*'],
        }),
        // The CLI path of the emergency sheet: AWS CloudShell in the security account.
        new iam.PolicyStatement({
          sid: 'OpenCloudShell',
          actions: [...CLOUDSHELL_ACTIONS.anyResource],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'UseOwnCloudShellEnvironment',
          actions: [...CLOUDSHELL_ACTIONS.environment],
          resources: [`arn:${Aws.PARTITION}:cloudshell:*:${Aws.ACCOUNT_ID}:environment/*`],
        }),
        new iam.PolicyStatement({
          sid: 'DenyConsoleCredentialsForLocalDevelopment',
          effect: iam.Effect.DENY,
          actions: [...CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyEverythingWithoutMfa',
          effect: iam.Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          // BoolIfExists: long-term access keys carry no MFA key at all, so a plain Bool would let them through
          // (IAM user guide, "Condition operator to check existence of condition keys").
          conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        }),
      ],
    });
    Validations.of(this.policy).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/' + props.roleName + ']', reason: 'The role exists in every organization account; aws:ResourceOrgID restricts the account to this organization.' },
      { id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudshell:*:<AWS::AccountId>:environment/*]', reason: 'CloudShell environment IDs are generated per user and region; the account is pinned.' },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'GetAccountPasswordPolicy, CloudShell CreateEnvironment and DescribeEnvironments take no resource; the deny statements must cover everything.' },
    );

    this.group = new iam.Group(this, 'Group', { groupName: props.groupName ?? NAMES.usersGroup, managedPolicies: [this.policy] });

    this.users = props.userNames.map((name) => new iam.User(this, `User${name}`, { userName: name, groups: [this.group] }));
  }
}
