import { Aws, Duration, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT } from './break-glass-users';
import { isRevokeTime, REVOKE_POLICY_NAME } from '../revoke/parameter';

export interface BreakGlassRoleProps {
  readonly roleName: string;
  /** Account that owns the break-glass users. */
  readonly securityAccountId: string;
  /** Names of the break-glass users allowed to assume the role. */
  readonly userNames: readonly string[];
  /** AWS managed policy names or policy ARNs. */
  readonly managedPolicies: readonly string[];
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** If set, the MFA sign-in must be at most this old (aws:MultiFactorAuthAge). @default - no age limit */
  readonly maxMfaAgeSeconds?: number;
  /**
   * Require the role session name to equal the IAM user name (sts:RoleSessionName = ${aws:username}), so every
   * action under the role names the person in CloudTrail (userIdentity.arn ends in /<user name>). The console's
   * Switch Role provides the key (IAM user guide, "IAM and AWS STS condition context keys", sts:RoleSessionName:
   * "present in the request when the principal assumes the role using the AWS Management Console, any assume-role
   * CLI command, or any AWS STS AssumeRole API operation") and names the session after the IAM user (observed in
   * SwitchRole records: arn:aws:sts::<account>:assumed-role/<role>/<user name>); the CLI passes --role-session-name.
   * @default true
   */
  readonly requireSessionNameIsUserName?: boolean;
  /**
   * Sessions of the role issued before this time are denied every action: an inline policy (REVOKE_POLICY_NAME) with
   * Deny "*" on "*" under DateLessThan aws:TokenIssueTime, the policy of the IAM console's "Revoke active sessions"
   * (IAM user guide, "Revoking IAM role temporary security credentials"). Usually a CloudFormation parameter's value
   * (`CfnParameter.valueAsString`), so `breakglass revoke` can change it without a new template; a literal must be
   * ISO 8601 UTC with whole seconds (2026-11-23T03:00:00Z).
   * @default - no revocation policy
   */
  readonly revokeSessionsIssuedBefore?: string;
}

/**
 * The role break-glass users assume in a member account.
 *
 * The trust names the security account as principal and pins the users with aws:PrincipalArn instead of listing
 * user ARNs as principals: IAM resolves principal ARNs to unique IDs when the policy is saved, so a user ARN principal
 * would fail to deploy before the users exist, and silently stop matching if a user were recreated (IAM user guide,
 * "AWS JSON policy elements: Principal", IAM user principals).
 */
export class BreakGlassRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BreakGlassRoleProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.userNames.length === 0) problems.push('expected at least one user name');
    if (props.managedPolicies.length === 0) problems.push('expected at least one managed policy');
    const max = props.maxSessionDurationSeconds ?? 3600;
    if (!Token.isUnresolved(max) && (max < 3600 || max > 43200)) problems.push(`maxSessionDurationSeconds must be 3600..43200, got ${max}`);
    if (!Token.isUnresolved(props.securityAccountId) && !/^\d{12}$/.test(props.securityAccountId)) problems.push(`securityAccountId must be 12 digits, got "${props.securityAccountId}"`);
    const revoke = props.revokeSessionsIssuedBefore;
    if (revoke !== undefined && !Token.isUnresolved(revoke) && !isRevokeTime(revoke)) problems.push(`revokeSessionsIssuedBefore must be a UTC time such as 2026-11-23T03:00:00Z, got "${revoke}"`);
    if (problems.length) throw new Error(`BreakGlassRole: ${problems.join('; ')}`);

    const conditions: Record<string, Record<string, unknown>> = {
      ArnEquals: { 'aws:PrincipalArn': props.userNames.map((u) => `arn:${Aws.PARTITION}:iam::${props.securityAccountId}:user/${u}`) },
      // Bool (not BoolIfExists): a request without the key, e.g. from long-term keys, must not match.
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    };
    if (props.maxMfaAgeSeconds !== undefined) conditions.NumericLessThanEquals = { 'aws:MultiFactorAuthAge': String(props.maxMfaAgeSeconds) };
    // The console names a switch-role session after the IAM user; CLI users must pass --role-session-name.
    if (props.requireSessionNameIsUserName ?? true) conditions.StringEquals = { 'sts:RoleSessionName': '${aws:username}' };

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Break-glass emergency access. Every assumption raises an alert.',
      assumedBy: new iam.PrincipalWithConditions(new iam.AccountPrincipal(props.securityAccountId), conditions),
      maxSessionDuration: Duration.seconds(max),
      managedPolicies: props.managedPolicies.map((p) => (p.startsWith('arn:')
        ? iam.ManagedPolicy.fromManagedPolicyArn(this, `Policy${p.replace(/[^A-Za-z0-9]/g, '')}`, p)
        : iam.ManagedPolicy.fromAwsManagedPolicyName(p))),
      // Whatever role.managedPolicies grants (AdministratorAccess includes signin:*), a role session must not become
      // `aws login` credentials that the CLI refreshes for up to 12 hours outside the console (docs/detection.md).
      inlinePolicies: {
        DenyConsoleCredentialsForLocalDevelopment: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: [...CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT], resources: ['*'] })],
        }),
        // Inline, not a managed policy: it lives and dies with the role, needs no second protected resource (the
        // guardrail SCP already refuses iam:PutRolePolicy / DeleteRolePolicy on the role to everyone but the
        // deployment; a customer managed policy would need its own statement for CreatePolicyVersion & co.), takes
        // none of the role's managed-policy slots (10 by default: IAM user guide, "IAM and AWS STS quotas") that
        // role.managedPolicies may need, and is what the console's "Revoke active sessions" writes too.
        ...(revoke === undefined ? {} : {
          [REVOKE_POLICY_NAME]: new iam.PolicyDocument({
            statements: [new iam.PolicyStatement({
              sid: 'DenySessionsIssuedBeforeRevocation',
              effect: iam.Effect.DENY,
              actions: ['*'],
              resources: ['*'],
              conditions: { DateLessThan: { 'aws:TokenIssueTime': revoke } },
            })],
          }),
        }),
      },
    });
    // A source identity may be set, never required: "You cannot switch to a role in the AWS Management Console that
    // requires a source identity to be set when the role is assumed" (IAM user guide, "Monitor and control actions
    // taken with assumed roles"). Setting one needs sts:SetSourceIdentity in the trust as well (same page,
    // "Permissions required to set source identity"), in its own statement so a request without one (the console)
    // is decided by the AssumeRole statement alone. Only the user's own name is accepted.
    this.role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      actions: ['sts:SetSourceIdentity'],
      principals: [new iam.AccountPrincipal(props.securityAccountId)],
      conditions: {
        ArnEquals: conditions.ArnEquals,
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        StringEquals: { 'sts:SourceIdentity': '${aws:username}' },
      },
    }));
    // cdk-nag names the finding after the policy ARN as written in the template: a name becomes a partition-aware
    // ARN, a literal AWS managed policy ARN stays as given. Customer managed policy ARNs raise no IAM4 finding.
    for (const p of props.managedPolicies) {
      const findingArn = p.startsWith('arn:') ? p : `arn:<AWS::Partition>:iam::aws:policy/${p}`;
      if (p.startsWith('arn:') && !/^arn:[^:]+:iam::aws:policy\//.test(p)) continue;
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::${findingArn}]`,
        reason: 'The emergency role carries the AWS managed policy chosen in the config (role.managedPolicies) so it stays current with new services.',
      });
    }
  }
}
