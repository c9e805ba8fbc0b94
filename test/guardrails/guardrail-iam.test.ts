/**
 * What the guardrail SCP, as synthesized, does to real requests, evaluated offline with @cloud-copilot/iam-simulate
 * (devDependency). Unless a test says otherwise the caller is an administrator (AdministratorAccess-equivalent
 * identity policy), so any denial comes from the SCP: the control runs without the SCP show the same requests
 * allowed. The SCP is attached at the root, as in the example config; the security account (222222222222) and a member
 * account (333333333333) sit under it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { STACKSETS_MEMBER_SERVICE_LINKED_ROLE } from '../../lib/constructs/guardrail-scp';
import { NAMES } from '../../lib/naming';
import { stackIds } from '../../lib/stacks/names';
import { ACCOUNTS, type Caller, iamUser, MFA, type PolicyDocument, roleSession, userIdentityPolicies } from '../helpers/iam';
import { exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';

process.env.CDK_VALIDATION = 'false';

const ROOT = 'r-ab12';
const M = ACCOUNTS.member;
const S = ACCOUNTS.security;
const REGION = 'us-east-1';
const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** The AWS managed SCP that Organizations attaches everywhere when SCPs are enabled; without it nothing is allowed. */
const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

let s: Synthesized;
let scps: unknown[];
before(() => {
  s = synthConfig(exampleWith((c) => { c.guardrails = { serviceControlPolicy: { enabled: true, targets: [ROOT] } }; }));
  assert.equal(s.config.securityAccount.accountId, S);
  scps = resourcesOfType(s.templates.get(stackIds.guardrails)!, 'AWS::Organizations::Policy').map(([, r]) => r.Properties.Content);
  assert.equal(scps.length, 1, 'the example fits one SCP');
});
after(() => s?.cleanup());

interface Options {
  /** Account that owns the resource; also the account whose SCP path is evaluated (the caller's). */
  readonly account?: string;
  readonly withScp?: boolean;
  readonly context?: Record<string, string | string[]>;
  readonly identityPolicies?: ReadonlyArray<{ name: string; policy: PolicyDocument }>;
  /** A resource policy, e.g. a KMS key policy (KMS needs one that lets the account's IAM policies in). */
  readonly resourcePolicy?: PolicyDocument;
}

async function decide(caller: Caller, action: string, resource: string, o: Options = {}): Promise<string> {
  const account = o.account ?? caller.account;
  const r = await runSimulation({
    request: { principal: caller.arn, action, resource: { resource, accountId: account }, contextVariables: { ...caller.context, ...o.context } },
    identityPolicies: (o.identityPolicies ?? [{ name: 'admin', policy: ADMIN_POLICY }]).map((p) => ({ name: p.name, policy: p.policy })),
    // Root first, the account last (iam-simulate's order); the guardrail is attached at the root.
    serviceControlPolicies: [
      { orgIdentifier: ROOT, policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...(o.withScp === false ? [] : scps.map((policy, i) => ({ name: `guardrail-${i}`, policy })))] },
      { orgIdentifier: caller.account, policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
    ],
    resourceControlPolicies: [],
    ...(o.resourcePolicy ? { resourcePolicy: o.resourcePolicy } : {}),
  }, { simulationMode: 'Strict' });
  if (r.resultType === 'error') throw new Error(`iam-simulate rejected ${action} ${resource}: ${JSON.stringify(r.errors)}`);
  if (r.resultType !== 'single') throw new Error(`expected a single result, got ${r.resultType}`);
  const ignored = r.result.ignoredContextKeys ?? [];
  assert.deepEqual(ignored, [], `context keys ignored for ${action}: the test would not evaluate what it claims`);
  return r.overallResult;
}

const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const user = (name: string) => `arn:aws:iam::${S}:user/${name}`;
const memberAdmin = roleSession(M, 'Admin', 'alice');
const securityAdmin = roleSession(S, 'Admin', 'bob');
const breakGlassRole = () => role(M, s.config.role.name);
const CDK_EXEC = (account: string) => `cdk-hnb659fds-cfn-exec-role-${account}-${REGION}`;
const STACKSETS_EXEC = 'stacksets-exec-0123456789abcdef0123456789abcdef';
/** The StackSets service-linked role in a member account: a role under a service path, so its ARN and session differ. */
const stackSetsServiceLinkedRole: Caller = {
  arn: `arn:aws:sts::${M}:assumed-role/AWSServiceRoleForCloudFormationStackSetsOrgMember/stacksets`,
  account: M,
  context: {
    'aws:PrincipalArn': STACKSETS_MEMBER_SERVICE_LINKED_ROLE.replace('::*:', `::${M}:`), 'aws:PrincipalAccount': M,
    'aws:PrincipalType': 'AssumedRole', 'aws:userid': 'AROAEXAMPLE:stacksets', 'aws:PrincipalOrgID': 'o-a1b2c3d4e5',
  },
};

describe('guardrail SCP in a member account (iam-simulate)', () => {
  test('control: without the SCP an administrator may change the break-glass role trust', async () => {
    assert.equal(await decide(memberAdmin, 'iam:UpdateAssumeRolePolicy', breakGlassRole(), { withScp: false }), 'Allowed');
  });

  test('an ordinary administrator cannot change the trust policy of the break-glass role', async () => {
    assert.equal(await decide(memberAdmin, 'iam:UpdateAssumeRolePolicy', breakGlassRole()), 'ExplicitlyDenied');
  });

  test('nor attach a policy to it, delete it, pre-create it, or untag it; nor silence a forwarder rule, purge its dead letters or drop its role', async () => {
    for (const [action, resource] of [
      ['iam:AttachRolePolicy', breakGlassRole()],
      ['iam:DeleteRole', breakGlassRole()],
      ['iam:CreateRole', breakGlassRole()],
      ['iam:UntagRole', breakGlassRole()],
      ['iam:PutRolePolicy', role(M, `${NAMES.forwarderRolePrefix}eu-west-1`)],
      ['events:DisableRule', `arn:aws:events:eu-west-1:${M}:rule/${NAMES.rulePrefix}fwd-console-login`],
      ['events:RemoveTargets', `arn:aws:events:us-east-1:${M}:rule/${NAMES.rulePrefix}fwd-role-changed`],
      ['sqs:PurgeQueue', `arn:aws:sqs:eu-west-1:${M}:${NAMES.rulePrefix}forwarder-dead-letters`],
    ] as const) {
      assert.equal(await decide(memberAdmin, action, resource), 'ExplicitlyDenied', `${action} ${resource}`);
      assert.equal(await decide(memberAdmin, action, resource, { withScp: false }), 'Allowed', `control: ${action} ${resource}`);
    }
  });

  test('the StackSet execution roles (service- and self-managed) may still change it and its forwarders', async () => {
    for (const name of [STACKSETS_EXEC, 'AWSCloudFormationStackSetExecutionRole']) {
      const deployer = roleSession(M, name, 'cloudformation');
      assert.equal(await decide(deployer, 'iam:UpdateAssumeRolePolicy', breakGlassRole()), 'Allowed', name);
      assert.equal(await decide(deployer, 'iam:CreateRole', role(M, `${NAMES.forwarderRolePrefix}eu-west-1`)), 'Allowed', name);
      assert.equal(await decide(deployer, 'events:PutRule', `arn:aws:events:eu-west-1:${M}:rule/${NAMES.rulePrefix}fwd-switch-role`), 'Allowed', name);
    }
  });

  test('a member administrator cannot create a role with an exempt name, even under a path that spells one', async () => {
    for (const name of ['stacksets-exec-evil', 'AWSCloudFormationStackSetExecutionRole', 'stacksets-exec-x/evil']) {
      assert.equal(await decide(memberAdmin, 'iam:CreateRole', role(M, name)), 'ExplicitlyDenied', name);
      assert.equal(await decide(memberAdmin, 'iam:CreateRole', role(M, name), { withScp: false }), 'Allowed', `control: ${name}`);
    }
  });

  test('nor re-trust, re-permission, tag or delete an existing StackSet execution role', async () => {
    for (const name of [STACKSETS_EXEC, 'AWSCloudFormationStackSetExecutionRole']) {
      for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:TagRole', 'iam:DeleteRole']) {
        assert.equal(await decide(memberAdmin, action, role(M, name)), 'ExplicitlyDenied', `${action} ${name}`);
      }
    }
  });

  test('the StackSets service-linked role still creates and maintains stacksets-exec-* (trusted access keeps working)', async () => {
    for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:DeleteRole']) {
      assert.equal(await decide(stackSetsServiceLinkedRole, action, role(M, STACKSETS_EXEC)), 'Allowed', action);
    }
  });

  test('a CDK execution role in a member account (not a CDK deployment account) is not exempt', async () => {
    const lookAlike = roleSession(M, CDK_EXEC(M), 'cloudformation');
    for (const [action, resource] of [
      ['iam:UpdateAssumeRolePolicy', breakGlassRole()],
      ['events:DisableRule', `arn:aws:events:us-east-1:${M}:rule/${NAMES.rulePrefix}fwd-role-changed`],
      ['iam:CreateRole', role(M, 'stacksets-exec-evil')],
    ] as const) {
      assert.equal(await decide(lookAlike, action, resource), 'ExplicitlyDenied', `${action} ${resource}`);
    }
    // So creating one gains nothing, and the accounts' own CDK bootstraps keep working.
    assert.equal(await decide(memberAdmin, 'iam:CreateRole', role(M, CDK_EXEC(M))), 'Allowed');
  });

  test('a look-alike role name does not get the exemption', async () => {
    for (const name of ['AWSCloudFormationStackSetExecutionRole2', 'my-stacksets-exec-role', 'cdk-cfn-exec-role', 'team/stacksets-exec-x']) {
      assert.equal(await decide(roleSession(M, name, 'x'), 'iam:UpdateAssumeRolePolicy', breakGlassRole()), 'ExplicitlyDenied', name);
    }
  });

  test('unrelated actions and other resources stay allowed', async () => {
    for (const [action, resource] of [
      ['iam:UpdateAssumeRolePolicy', role(M, 'ApplicationRole')],
      ['iam:CreateRole', role(M, 'NewRole')],
      ['iam:GetRole', breakGlassRole()],
      ['iam:GetRole', role(M, STACKSETS_EXEC)],
      ['events:DisableRule', `arn:aws:events:eu-west-1:${M}:rule/team-nightly-job`],
      ['sqs:DeleteQueue', `arn:aws:sqs:us-east-1:${M}:${NAMES.rulePrefix}drill-20260101t000000z`],
      ['s3:PutObject', 'arn:aws:s3:::app-bucket/key'],
      ['sts:AssumeRole', breakGlassRole()],
    ] as const) {
      assert.equal(await decide(memberAdmin, action, resource), 'Allowed', `${action} ${resource}`);
    }
  });
});

describe('guardrail SCP in the security account (iam-simulate)', () => {
  const cdkExec = () => roleSession(S, CDK_EXEC(S), 'cloudformation');
  const topic = `arn:aws:sns:${REGION}:${S}:${NAMES.alertTopic}`;
  const notifier = `arn:aws:lambda:${REGION}:${S}:function:${NAMES.notifierFunction}`;
  const key = `arn:aws:kms:${REGION}:${S}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  // The default key policy: the account's IAM policies decide (KMS developer guide, "Default key policy").
  const keyPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${S}:root` }, Action: 'kms:*', Resource: '*' }] };
  const aliases = (...a: string[]) => ({ context: { 'kms:ResourceAliases': a }, resourcePolicy: keyPolicy });

  test("the CDK execution role of the security account deploys: users, key, topic, notifier, alarms, the role", async () => {
    for (const [action, resource, o] of [
      ['iam:AttachUserPolicy', user('BreakGlassUser1'), {}],
      ['iam:DeleteUser', user('BreakGlassUser2'), {}],
      ['kms:PutKeyPolicy', key, aliases(NAMES.alertKeyAlias)],
      ['sns:SetTopicAttributes', topic, {}],
      ['lambda:UpdateFunctionCode', notifier, {}],
      ['cloudwatch:PutMetricAlarm', `arn:aws:cloudwatch:${REGION}:${S}:alarm:${NAMES.rulePrefix}notifier-errors`, {}],
      ['iam:UpdateAssumeRolePolicy', role(S, s.config.role.name), {}],
    ] as const) {
      assert.equal(await decide(cdkExec(), action, resource, o), 'Allowed', `${action} ${resource}`);
    }
  });

  test("an administrator cannot make the break-glass users unusable or mint credentials for them", async () => {
    for (const action of [
      'iam:DeleteLoginProfile', 'iam:CreateAccessKey', 'iam:DeactivateMFADevice', 'iam:AttachUserPolicy', 'iam:PutUserPolicy',
      'iam:DetachUserPolicy', 'iam:PutUserPermissionsBoundary', 'iam:DeleteUser', 'iam:UpdateUser', 'iam:CreateServiceSpecificCredential',
    ]) {
      assert.equal(await decide(securityAdmin, action, user('BreakGlassUser1')), 'ExplicitlyDenied', action);
      assert.equal(await decide(securityAdmin, action, user('BreakGlassUser1'), { withScp: false }), 'Allowed', `control: ${action}`);
    }
    // Other users of the security account are not the guardrail's business.
    assert.equal(await decide(securityAdmin, 'iam:CreateAccessKey', user('ci-deployer')), 'Allowed');
  });

  test("an administrator cannot change the users' group or its policy (membership, grants, policy versions)", async () => {
    const group = `arn:aws:iam::${S}:group/${NAMES.usersGroup}`;
    const policy = `arn:aws:iam::${S}:policy/${NAMES.usersPolicy}`;
    for (const [action, resource] of [
      ['iam:AddUserToGroup', group], ['iam:AttachGroupPolicy', group], ['iam:PutGroupPolicy', group], ['iam:DeleteGroup', group],
      ['iam:CreatePolicyVersion', policy], ['iam:SetDefaultPolicyVersion', policy], ['iam:DeletePolicy', policy],
    ] as const) {
      assert.equal(await decide(securityAdmin, action, resource), 'ExplicitlyDenied', `${action} ${resource}`);
      assert.equal(await decide(securityAdmin, action, resource, { withScp: false }), 'Allowed', `control: ${action}`);
      assert.equal(await decide(cdkExec(), action, resource), 'Allowed', `the deployment may: ${action}`);
    }
    assert.equal(await decide(securityAdmin, 'iam:AddUserToGroup', `arn:aws:iam::${S}:group/developers`), 'Allowed', 'other groups untouched');
  });

  test('the documented administration stays open: MFA enrolment, first password, password reset after use', async () => {
    for (const action of ['iam:EnableMFADevice', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile', 'iam:ResyncMFADevice', 'iam:DeleteAccessKey']) {
      assert.equal(await decide(securityAdmin, action, user('BreakGlassUser1')), 'Allowed', action);
    }
  });

  test('a break-glass user may still change its own password with MFA, under the guardrail; without MFA, or to enrol MFA, its own policy refuses (issue 11)', async () => {
    const security = s.templates.get(stackIds.security)!;
    const name = s.config.users[0]!.name;
    const identityPolicies = userIdentityPolicies(security, name, { partition: 'aws', accountId: S, region: REGION });
    const self = iamUser(S, name);
    assert.equal(await decide(self, 'iam:ChangePassword', user(name), { identityPolicies, context: MFA.present() }), 'Allowed', 'the SCP leaves ChangePassword to the user');
    assert.equal(await decide(self, 'iam:ChangePassword', user(name), { identityPolicies, context: MFA.false() }), 'ExplicitlyDenied', 'no password change without MFA');
    assert.equal(await decide(self, 'iam:EnableMFADevice', user(name), { identityPolicies, context: MFA.false() }), 'ExplicitlyDenied', 'no MFA self-enrolment without MFA');
    assert.equal(await decide(self, 'iam:EnableMFADevice', user(name), { identityPolicies, context: MFA.present() }), 'ImplicitlyDenied', 'nor with MFA: administrators enrol devices');
  });

  test('an administrator cannot disable, delete, re-key or unalias the alert keys; other keys are untouched', async () => {
    for (const action of ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy']) {
      for (const alias of [NAMES.alertKeyAlias, NAMES.operationsKeyAlias]) {
        assert.equal(await decide(securityAdmin, action, key, aliases('alias/something-else', alias)), 'ExplicitlyDenied', `${action} ${alias}`);
      }
      assert.equal(await decide(securityAdmin, action, key, aliases('alias/team-key')), 'Allowed', `${action} on another key`);
    }
    for (const action of ['kms:DeleteAlias', 'kms:UpdateAlias']) {
      assert.equal(await decide(securityAdmin, action, `arn:aws:kms:${REGION}:${S}:${NAMES.alertKeyAlias}`), 'ExplicitlyDenied', action);
    }
  });

  test('nor delete, replace or silence the notifier, nor delete or mute the alarms', async () => {
    for (const [action, resource] of [
      ['lambda:DeleteFunction', notifier],
      ['lambda:UpdateFunctionCode', notifier],
      ['lambda:PutFunctionConcurrency', notifier],
      ['lambda:RemovePermission', notifier],
      ['cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:${REGION}:${S}:alarm:${NAMES.rulePrefix}notifier-errors`],
      ['cloudwatch:DisableAlarmActions', `arn:aws:cloudwatch:${REGION}:${S}:alarm:${NAMES.rulePrefix}failed-${NAMES.rulePrefix}console-login`],
      ['sns:SetTopicAttributes', topic],
    ] as const) {
      assert.equal(await decide(securityAdmin, action, resource), 'ExplicitlyDenied', `${action} ${resource}`);
    }
    assert.equal(await decide(securityAdmin, 'lambda:PutFunctionConcurrency', `arn:aws:lambda:${REGION}:${S}:function:team-function`), 'Allowed');
    assert.equal(await decide(securityAdmin, 'cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:${REGION}:${S}:alarm:team-alarm`), 'Allowed');
  });
});
