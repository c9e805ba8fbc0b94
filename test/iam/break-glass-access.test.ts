/**
 * Proves the synthesized break-glass IAM policies with @cloud-copilot/iam-simulate, for the example config
 * (organization.id set, so the users' policy carries the literal organization ID).
 *
 * Cross-account AssumeRole is evaluated the way AWS does: the users' identity policies (security account) AND the
 * role's trust policy (member account) must both allow. Every denial is paired with a control that the same
 * simulator setup ALLOWS once the condition under test is satisfied, so a broken setup cannot pass vacuously.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLOUDSHELL_ACTIONS, CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT } from '../../lib/constructs/break-glass-users';
import { NAMES } from '../../lib/naming';
import {
  ACCOUNTS, MFA, ORG_ID, OTHER_ORG_ID, PARTITION, breakGlassPolicies, describe as show, iamUser, roleSession, roleTrust,
  simulate, userGroups, type Caller, type PolicyDocument, type SimOutcome,
} from '../helpers/iam';
import { resourcesOfType } from '../helpers/synth';
import { synthConfig, type Synthesized } from '../helpers/synth';

let s: Synthesized;
let p: ReturnType<typeof breakGlassPolicies>;
before(() => { s = synthConfig(); p = breakGlassPolicies(s); });
after(() => s?.cleanup());

const ADMIN: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const adminPolicy = { name: 'AdministratorAccess', policy: ADMIN };
const roleArn = (account: string, name = p.roleName) => `arn:${PARTITION}:iam::${account}:role/${name}`;
const userArn = (name: string) => `arn:${PARTITION}:iam::${ACCOUNTS.security}:user/${name}`;
const bgUser = (i = 0) => iamUser(ACCOUNTS.security, p.userNames[i]);

/** sts:AssumeRole of the break-glass role in `account`, with the role's synthesized trust. */
function assumeRole(caller: Caller, opts: {
  mfa: Record<string, string>; account?: string; resourceOrgId?: string | undefined; sessionName?: string;
  identityPolicies?: Array<{ name: string; policy: PolicyDocument }>; trust?: PolicyDocument;
}): Promise<SimOutcome> {
  const account = opts.account ?? ACCOUNTS.member;
  const orgId = 'resourceOrgId' in opts ? opts.resourceOrgId : ORG_ID;
  return simulate({
    caller, action: 'sts:AssumeRole', resource: roleArn(account), resourceAccount: account,
    context: {
      ...opts.mfa, 'aws:ResourceAccount': account, 'aws:ResourceOrgID': orgId,
      'sts:RoleSessionName': opts.sessionName ?? caller.context['aws:username'] ?? 'session',
    },
    identityPolicies: opts.identityPolicies ?? p.userPolicies(caller.context['aws:username']),
    resourcePolicy: opts.trust ?? p.trust,
  });
}

function assertAllowed(o: SimOutcome, what: string) {
  assert.equal(o.decision, 'Allowed', `${what}: ${show(o)}`);
}

test('the policies under test are the synthesized ones, fully resolved, and reach the users only through their group', () => {
  assert.deepEqual(p.userNames, ['BreakGlassUser1', 'BreakGlassUser2']);
  const security = s.templates.get('Breakglass-Security')!;
  const [[groupId, group]] = resourcesOfType(security, 'AWS::IAM::Group');
  assert.equal(group.Properties.GroupName, NAMES.usersGroup);
  const policy = resourcesOfType(security, 'AWS::IAM::ManagedPolicy').find(([id]) => group.Properties.ManagedPolicyArns.some((a: any) => a.Ref === id));
  assert.ok(policy, 'the group carries a managed policy of this template');
  assert.equal(policy[1].Properties.ManagedPolicyName, NAMES.usersPolicy, 'fixed name: detection matches its ARN');
  for (const u of p.userNames) {
    // Security Hub IAM.2 / AWS Config iam-user-no-policies-check: no policy on the user itself.
    const user = resourcesOfType(security, 'AWS::IAM::User').find(([, r]) => r.Properties.UserName === u)![1];
    assert.equal(user.Properties.ManagedPolicyArns, undefined, `${u}: no managed policy attached to the user`);
    assert.equal(user.Properties.Policies, undefined, `${u}: no inline policy on the user`);
    assert.deepEqual(userGroups(security, u), [groupId], `${u}: member of the break-glass group`);
    assert.equal(resourcesOfType(security, 'AWS::IAM::Policy').filter(([, r]) => JSON.stringify(r.Properties.Users ?? []).includes(u)).length, 0);
    const policies = p.userPolicies(u);
    assert.equal(policies.length, 1, `${u} gets exactly the one managed policy, through the group`);
    assert.doesNotMatch(JSON.stringify(policies), /Fn::|"Ref"/);
  }
  const assume = p.userPolicies(p.userNames[0])[0].policy.Statement.find((st) => st.Sid === 'AssumeBreakGlassRoleInOrganization');
  assert.equal(assume.Resource, 'arn:aws:iam::*:role/BreakGlassRole');
  assert.deepEqual(assume.Condition.StringEquals, { 'aws:ResourceOrgID': ORG_ID }, 'example config: literal organization ID');
  assert.deepEqual(p.trust.Statement[0].Principal, { AWS: `arn:aws:iam::${ACCOUNTS.security}:root` });
  assert.deepEqual(p.trust.Statement[0].Condition.ArnEquals['aws:PrincipalArn'], p.userNames.map(userArn));
});

describe('cross-account AssumeRole of the break-glass role', () => {
  test('a break-glass user WITH MFA may assume the role in an organization account (identity and trust both allow)', async () => {
    for (const [i, name] of p.userNames.entries()) {
      const o = await assumeRole(bgUser(i), { mfa: MFA.present() });
      assertAllowed(o, name);
      assert.equal(o.identity, 'Allowed');
      assert.ok(o.trustAllows, `trust: ${o.trust}`);
      assert.equal(o.analysis.sameAccount, false, 'evaluated as a cross-account request');
    }
    // The management account's own copy of the role (service-managed StackSets skip that account) trusts the same way.
    const mgmtTrust = roleTrust(s.templates.get('Breakglass-Management')!, p.roleName,
      { partition: PARTITION, accountId: ACCOUNTS.management, region: s.config.securityAccount.region });
    assert.deepEqual(mgmtTrust, p.trust);
    assertAllowed(await assumeRole(bgUser(), { mfa: MFA.present(), account: ACCOUNTS.management, trust: mgmtTrust }), 'management account');
  });

  test('the users may assume no other role, even one in the organization that trusts them', async () => {
    const openTrust: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNTS.security}:root` }, Action: 'sts:AssumeRole' }] };
    for (const other of ['OrganizationAccountAccessRole', `${p.roleName}2`, `x/${p.roleName}`]) {
      const o = await simulate({
        caller: bgUser(), action: 'sts:AssumeRole', resource: roleArn(ACCOUNTS.member, other), resourceAccount: ACCOUNTS.member,
        context: { ...MFA.present(), 'aws:ResourceOrgID': ORG_ID, 'sts:RoleSessionName': p.userNames[0] },
        identityPolicies: p.userPolicies(p.userNames[0]), resourcePolicy: openTrust,
      });
      assert.ok(o.trustAllows);
      assert.equal(o.identity, 'ImplicitlyDenied', `${other}: ${show(o)}`);
    }
    assertAllowed(await assumeRole(bgUser(), { mfa: MFA.present(), trust: openTrust }), 'control: the break-glass role');
  });

  for (const [label, mfa] of [['MultiFactorAuthPresent=false (console without MFA)', MFA.false()], ['MultiFactorAuthPresent absent (access keys)', MFA.absent()]] as const) {
    test(`the same user WITHOUT MFA, ${label}, is denied by the identity policy and by the trust`, async () => {
      const o = await assumeRole(bgUser(), { mfa });
      assert.notEqual(o.decision, 'Allowed', show(o));
      assert.equal(o.identity, 'ExplicitlyDenied', show(o));
      assert.ok(o.identityDenySids.includes('DenyEverythingWithoutMfa'), o.identityDenySids.join());
      assert.equal(o.trustAllows, false, `trust must deny: ${show(o)}`);
      // The trust denies on its own: even with an identity policy allowing everything.
      const withAdmin = await assumeRole(bgUser(), { mfa, identityPolicies: [adminPolicy] });
      assert.equal(withAdmin.identity, 'Allowed');
      assert.notEqual(withAdmin.decision, 'Allowed', show(withAdmin));
      assert.equal(withAdmin.trustAllows, false);
      // Control: identical request with MFA is allowed by both.
      assertAllowed(await assumeRole(bgUser(), { mfa: MFA.present() }), 'control with MFA');
      assertAllowed(await assumeRole(bgUser(), { mfa: MFA.present(), identityPolicies: [adminPolicy] }), 'control with MFA, admin identity');
    });
  }

  const others: Array<[string, Caller]> = [
    ['another IAM user in the security account', iamUser(ACCOUNTS.security, 'SomeAdmin')],
    ['a user of the same name in another organization account', iamUser(ACCOUNTS.member, 'BreakGlassUser1')],
    ['a user of the same name in an account outside the organization', iamUser(ACCOUNTS.outside, 'BreakGlassUser1', OTHER_ORG_ID)],
    ['a role session in the security account', roleSession(ACCOUNTS.security, 'Admin', 'alice')],
    ['a role named like a break-glass user in the security account', roleSession(ACCOUNTS.security, 'BreakGlassUser1', 'BreakGlassUser1')],
    ['the security account root user', { arn: `arn:aws:iam::${ACCOUNTS.security}:root`, account: ACCOUNTS.security, context: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNTS.security}:root`, 'aws:PrincipalAccount': ACCOUNTS.security, 'aws:PrincipalType': 'Account', 'aws:PrincipalOrgID': ORG_ID } }],
  ];
  test('other principals are denied by the trust, even with MFA and an identity policy that allows everything', async () => {
    for (const [label, caller] of others) {
      const o = await assumeRole(caller, { mfa: MFA.present(), identityPolicies: [adminPolicy], sessionName: 'BreakGlassUser1' });
      assert.equal(o.identity, 'Allowed', `${label}: identity side allows, so only the trust decides`);
      assert.equal(o.trustAllows, false, `${label}: ${show(o)}`);
      assert.notEqual(o.decision, 'Allowed', `${label}: ${show(o)}`);
    }
    // Control: the break-glass user with the same identity policy and request gets in.
    assertAllowed(await assumeRole(bgUser(), { mfa: MFA.present(), identityPolicies: [adminPolicy] }), 'control');
  });

  test('the role cannot be assumed outside the organization: aws:ResourceOrgID must be the literal organization ID', async () => {
    // An account outside the organization with a same-named role that trusts the security account unconditionally:
    // the users' identity policy alone must stop it.
    const openTrust: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNTS.security}:root` }, Action: 'sts:AssumeRole' }] };
    for (const resourceOrgId of [OTHER_ORG_ID, undefined]) {
      const o = await assumeRole(bgUser(), { mfa: MFA.present(), account: ACCOUNTS.outside, resourceOrgId, trust: openTrust });
      assert.ok(o.trustAllows, 'the foreign trust lets the user in');
      assert.equal(o.identity, 'ImplicitlyDenied', `ResourceOrgID=${resourceOrgId}: ${show(o)}`);
      assert.notEqual(o.decision, 'Allowed');
    }
    // Control: the same foreign-looking request is allowed once the account is in the organization.
    assertAllowed(await assumeRole(bgUser(), { mfa: MFA.present(), account: ACCOUNTS.outside, resourceOrgId: ORG_ID, trust: openTrust }), 'control in org');
  });
});

describe('a break-glass user without MFA can do nothing at all (issue 11, item 2)', () => {
  const self = () => userArn(p.userNames[0]);
  const other = () => userArn(p.userNames[1]);
  const withoutMfa = [['MultiFactorAuthPresent=false', MFA.false()], ['MultiFactorAuthPresent absent', MFA.absent()]] as const;

  // resource and account for each sampled action; sts:AssumeRole also needs the role's trust and the org context.
  const denied: Array<[string, () => string, string]> = [
    ['s3:ListAllMyBuckets', () => '*', ACCOUNTS.security],
    ['iam:CreateAccessKey', self, ACCOUNTS.security],
    ['iam:DeactivateMFADevice', self, ACCOUNTS.security],
    ['iam:CreateLoginProfile', self, ACCOUNTS.security],
    ['sts:AssumeRole', () => roleArn(ACCOUNTS.member), ACCOUNTS.member],
    ['ec2:DescribeInstances', () => '*', ACCOUNTS.security],
    ['iam:AttachUserPolicy', self, ACCOUNTS.security],
  ];
  const run = (action: string, resource: string, account: string, mfa: Record<string, string>, extra: PolicyDocument[] = []) => simulate({
    caller: bgUser(), action, resource, resourceAccount: account,
    context: { ...mfa, ...(action === 'sts:AssumeRole' ? { 'aws:ResourceOrgID': ORG_ID, 'sts:RoleSessionName': p.userNames[0] } : {}) },
    identityPolicies: [...p.userPolicies(p.userNames[0]), ...extra.map((policy, i) => ({ name: `extra${i}`, policy }))],
    ...(action === 'sts:AssumeRole' ? { resourcePolicy: p.trust } : {}),
  });

  for (const [action, resource, account] of denied) {
    test(`${action} is denied without MFA, even if an administrator policy were attached`, async () => {
      for (const [label, mfa] of withoutMfa) {
        const o = await run(action, resource(), account, mfa);
        assert.notEqual(o.decision, 'Allowed', `${label}: ${show(o)}`);
        assert.ok(o.identityDenySids.includes('DenyEverythingWithoutMfa'), `${label}: explicit deny expected, got ${show(o)}`);
        const withAdmin = await run(action, resource(), account, mfa, [ADMIN]);
        assert.equal(withAdmin.decision, 'ExplicitlyDenied', `${label} + admin: ${show(withAdmin)}`);
      }
      // Control: the same request with MFA and an administrator policy is allowed, so the setup can allow it.
      assertAllowed(await run(action, resource(), account, MFA.present(), [ADMIN]), `${action} control with MFA`);
    });
  }

  // MFA self-enrolment: a leaked password alone must not enrol a device of its own (IAM allows up to 8 per user).
  const mfaDevice = () => `arn:aws:iam::${ACCOUNTS.security}:mfa/${p.userNames[0]}`;
  for (const [action, resource] of [['iam:CreateVirtualMFADevice', mfaDevice], ['iam:EnableMFADevice', self], ['iam:ResyncMFADevice', self]] as const) {
    test(`${action} is explicitly denied without MFA, and not granted with MFA either (an administrator enrols devices)`, async () => {
      for (const [label, mfa] of withoutMfa) {
        const o = await run(action, resource(), ACCOUNTS.security, mfa);
        assert.equal(o.decision, 'ExplicitlyDenied', `${label}: ${show(o)}`);
        assert.ok(o.identityDenySids.includes('DenyEverythingWithoutMfa'), o.identityDenySids.join());
      }
      const withMfa = await run(action, resource(), ACCOUNTS.security, MFA.present());
      assert.equal(withMfa.decision, 'ImplicitlyDenied', `with MFA: ${show(withMfa)}`);
      // Control: the setup can allow it (an administrator with MFA).
      assertAllowed(await run(action, resource(), ACCOUNTS.security, MFA.present(), [ADMIN]), `${action} control`);
    });
  }

  // What a holder needs to change the password once signed in with MFA (Security credentials page).
  const withMfaOnly: Array<[string, () => string, (() => string) | undefined]> = [
    ['iam:ChangePassword', self, other],
    ['iam:GetUser', self, other],
    ['iam:ListMFADevices', self, other],
    ['iam:GetAccountPasswordPolicy', () => '*', undefined],
  ];
  for (const [action, resource, otherResource] of withMfaOnly) {
    test(`${action}${otherResource ? ' on its own user' : ''} is allowed with MFA${otherResource ? ', not on another user' : ''}; without MFA it is denied`, async () => {
      assertAllowed(await run(action, resource(), ACCOUNTS.security, MFA.present()), `${action} with MFA`);
      if (otherResource) {
        const x = await run(action, otherResource(), ACCOUNTS.security, MFA.present());
        assert.notEqual(x.decision, 'Allowed', `${action} on ${otherResource()}: ${show(x)}`);
      }
      for (const [label, mfa] of withoutMfa) {
        const o = await run(action, resource(), ACCOUNTS.security, mfa);
        assert.equal(o.decision, 'ExplicitlyDenied', `${action} ${label}: ${show(o)}`);
      }
    });
  }
});

// ---- issue 11, item 3: every action in a member account names the person ----------------------------------------

describe('attribution: the role session is named after the IAM user; the console path and the CLI path both work', () => {
  const name = () => p.userNames[0];
  const trustStatement = () => p.trust.Statement.find((st: any) => ([] as string[]).concat(st.Action).includes('sts:AssumeRole'));
  const sourceIdentityStatement = () => p.trust.Statement.find((st: any) => ([] as string[]).concat(st.Action).includes('sts:SetSourceIdentity'));

  test('the trust requires sts:RoleSessionName = ${aws:username} (default config) and allows, never requires, a source identity', () => {
    assert.deepEqual(trustStatement().Condition.StringEquals, { 'sts:RoleSessionName': '${aws:username}' });
    assert.equal(JSON.stringify(trustStatement()).includes('SourceIdentity'), false, 'the AssumeRole statement must not mention a source identity (the console cannot set one)');
    const sid = sourceIdentityStatement();
    assert.ok(sid, 'a separate statement for sts:SetSourceIdentity');
    assert.deepEqual(sid.Condition.StringEquals, { 'sts:SourceIdentity': '${aws:username}' });
    assert.deepEqual(sid.Condition.Bool, { 'aws:MultiFactorAuthPresent': 'true' });
    assert.deepEqual(sid.Condition.ArnEquals, trustStatement().Condition.ArnEquals);
  });

  test('console Switch Role: the console names the session after the user and sets no source identity: allowed', async () => {
    // What the console's AssumeRole request carries: MFA from the console sign-in, sts:RoleSessionName (the key is
    // "present in the request when the principal assumes the role using the AWS Management Console"), no
    // sts:SourceIdentity ("You cannot switch to a role in the AWS Management Console that requires a source identity").
    for (const [i, u] of p.userNames.entries()) {
      const o = await assumeRole(bgUser(i), { mfa: MFA.present(), sessionName: u });
      assertAllowed(o, `console switch as ${u}`);
    }
  });

  test('CLI: aws sts assume-role --role-session-name <user> [--source-identity <user>] with the MFA code: allowed', async () => {
    const o = await assumeRole(bgUser(), { mfa: MFA.present(), sessionName: name() });
    assertAllowed(o, 'CLI without a source identity');
    const setSi = await simulate({
      caller: bgUser(), action: 'sts:SetSourceIdentity', resource: roleArn(ACCOUNTS.member), resourceAccount: ACCOUNTS.member,
      context: { ...MFA.present(), 'aws:ResourceOrgID': ORG_ID, 'sts:SourceIdentity': name() },
      identityPolicies: p.userPolicies(name()), resourcePolicy: p.trust,
    });
    assertAllowed(setSi, 'sts:SetSourceIdentity with the user\'s own name');
  });

  test('any other session name is refused by the trust, whatever the identity policy allows', async () => {
    for (const sessionName of [p.userNames[1], 'admin', name().toLowerCase(), `${name()}-x`, 'botocore-session-1700000000']) {
      const o = await assumeRole(bgUser(), { mfa: MFA.present(), sessionName, identityPolicies: [adminPolicy] });
      assert.equal(o.identity, 'Allowed');
      assert.equal(o.trustAllows, false, `session "${sessionName}": ${show(o)}`);
      assert.notEqual(o.decision, 'Allowed');
    }
  });

  test('a source identity other than the user\'s own name is refused, by the trust and by the identity policy', async () => {
    for (const sourceIdentity of [p.userNames[1], 'admin', `${name()}x`]) {
      const o = await simulate({
        caller: bgUser(), action: 'sts:SetSourceIdentity', resource: roleArn(ACCOUNTS.member), resourceAccount: ACCOUNTS.member,
        context: { ...MFA.present(), 'aws:ResourceOrgID': ORG_ID, 'sts:SourceIdentity': sourceIdentity },
        identityPolicies: p.userPolicies(name()), resourcePolicy: p.trust,
      });
      assert.notEqual(o.decision, 'Allowed', `${sourceIdentity}: ${show(o)}`);
      assert.equal(o.trustAllows, false, `trust: ${show(o)}`);
      assert.notEqual(o.identity, 'Allowed', `identity: ${show(o)}`);
    }
  });
});

// ---- issue 11, item 4: the CLI path is CloudShell; `aws login` is denied ------------------------------------------

describe('CLI path: AWS CloudShell in the security account with MFA; aws login refused for users and role', () => {
  const env = `arn:aws:cloudshell:us-east-1:${ACCOUNTS.security}:environment/1a2b3c4d-0000-4000-8000-00000000abcd`;
  const cloudshell: Array<[string, string]> = [
    ...CLOUDSHELL_ACTIONS.anyResource.map((a) => [a, '*'] as [string, string]),
    ...CLOUDSHELL_ACTIONS.environment.map((a) => [a, env] as [string, string]),
  ];
  const asUser = (action: string, resource: string, mfa: Record<string, string>, extra: Array<{ name: string; policy: PolicyDocument }> = []) => simulate({
    caller: bgUser(), action, resource, resourceAccount: ACCOUNTS.security, context: mfa,
    identityPolicies: [...p.userPolicies(p.userNames[0]), ...extra],
  });

  test('every CloudShell action the console needs is allowed with MFA and denied without', async () => {
    for (const [action, resource] of cloudshell) {
      assertAllowed(await asUser(action, resource, MFA.present()), action);
      for (const mfa of [MFA.false(), MFA.absent()]) assert.equal((await asUser(action, resource, mfa)).decision, 'ExplicitlyDenied', `${action} without MFA`);
    }
    // Not granted: file transfer in and out of the shell, and another account's environment.
    for (const action of ['cloudshell:GetFileDownloadUrls', 'cloudshell:GetFileUploadUrls']) {
      assert.equal((await asUser(action, env, MFA.present())).decision, 'ImplicitlyDenied', action);
    }
    const foreign = await simulate({
      caller: bgUser(), action: 'cloudshell:CreateSession', resource: env.replace(ACCOUNTS.security, ACCOUNTS.member), resourceAccount: ACCOUNTS.member,
      context: MFA.present(), identityPolicies: p.userPolicies(p.userNames[0]),
    });
    assert.notEqual(foreign.decision, 'Allowed', show(foreign));
  });

  const signinResource = `arn:aws:signin:us-east-1:${ACCOUNTS.security}:oauth2/public-client/localhost`;
  // AWS managed policy SignInLocalDevelopmentAccess, as AWS publishes it (AWS Managed Policy Reference).
  const signInLocalDevelopmentAccess = { name: 'SignInLocalDevelopmentAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT], Resource: 'arn:aws:signin:*:*:oauth2/public-client/*' }] } };

  test('aws login (signin:AuthorizeOAuth2Access, signin:CreateOAuth2Token) is explicitly denied to the users, even with MFA and SignInLocalDevelopmentAccess attached', async () => {
    for (const action of CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT) {
      for (const extra of [[signInLocalDevelopmentAccess], [adminPolicy]]) {
        const o = await asUser(action, signinResource, MFA.present(), extra);
        assert.equal(o.decision, 'ExplicitlyDenied', `${action} with ${extra[0]!.name}: ${show(o)}`);
        assert.ok(o.identityDenySids.includes('DenyConsoleCredentialsForLocalDevelopment'), o.identityDenySids.join());
      }
      // Control: the same request by an identity with only the managed policy is allowed.
      const control = await simulate({ caller: iamUser(ACCOUNTS.security, 'Developer'), action, resource: signinResource, resourceAccount: ACCOUNTS.security, context: MFA.present(), identityPolicies: [signInLocalDevelopmentAccess] });
      assertAllowed(control, `${action} control`);
    }
  });

  test('aws login from a break-glass role session is denied by the role\'s own inline policy, whatever role.managedPolicies grant', async () => {
    const session = roleSession(ACCOUNTS.member, p.roleName, p.userNames[0]);
    const resource = signinResource.replace(ACCOUNTS.security, ACCOUNTS.member);
    for (const action of CONSOLE_CREDENTIALS_FOR_LOCAL_DEVELOPMENT) {
      const o = await simulate({ caller: session, action, resource, resourceAccount: ACCOUNTS.member, context: MFA.present(), identityPolicies: [adminPolicy, ...p.roleInline] });
      assert.equal(o.decision, 'ExplicitlyDenied', `${action}: ${show(o)}`);
      const control = await simulate({ caller: session, action, resource, resourceAccount: ACCOUNTS.member, context: MFA.present(), identityPolicies: [adminPolicy] });
      assertAllowed(control, `${action} control without the inline deny`);
    }
    // The deny touches nothing else the role does.
    const other = await simulate({ caller: session, action: 'iam:ListRoles', resource: '*', resourceAccount: ACCOUNTS.member, context: MFA.present(), identityPolicies: [adminPolicy, ...p.roleInline] });
    assertAllowed(other, 'iam:ListRoles with the inline deny');
  });
});
