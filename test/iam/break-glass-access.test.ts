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
import {
  ACCOUNTS, MFA, ORG_ID, OTHER_ORG_ID, PARTITION, breakGlassPolicies, describe as show, iamUser, roleSession, roleTrust,
  simulate, type Caller, type PolicyDocument, type SimOutcome,
} from '../helpers/iam';
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

test('the policies under test are the synthesized ones, fully resolved', () => {
  assert.deepEqual(p.userNames, ['BreakGlassUser1', 'BreakGlassUser2']);
  for (const u of p.userNames) {
    const policies = p.userPolicies(u);
    assert.equal(policies.length, 1, `${u} has exactly the one managed policy`);
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
      assert.ok(o.identityDenySids.includes('DenyEverythingElseWithoutMfa'), o.identityDenySids.join());
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

describe('a break-glass user without MFA can only set up its password and MFA', () => {
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
        assert.ok(o.identityDenySids.includes('DenyEverythingElseWithoutMfa'), `${label}: explicit deny expected, got ${show(o)}`);
        const withAdmin = await run(action, resource(), account, mfa, [ADMIN]);
        assert.equal(withAdmin.decision, 'ExplicitlyDenied', `${label} + admin: ${show(withAdmin)}`);
      }
      // Control: the same request with MFA and an administrator policy is allowed, so the setup can allow it.
      assertAllowed(await run(action, resource(), account, MFA.present(), [ADMIN]), `${action} control with MFA`);
    });
  }

  const allowed: Array<[string, () => string, (() => string) | undefined]> = [
    ['iam:ChangePassword', self, other],
    ['iam:CreateVirtualMFADevice', () => `arn:aws:iam::${ACCOUNTS.security}:mfa/${p.userNames[0]}`, undefined],
    ['iam:EnableMFADevice', self, other],
    ['iam:GetAccountPasswordPolicy', () => '*', undefined],
    ['iam:GetUser', self, other],
    ['iam:ListMFADevices', self, other],
    ['iam:ResyncMFADevice', self, other],
    ['iam:ListVirtualMFADevices', () => '*', undefined],
  ];
  for (const [action, resource, otherResource] of allowed) {
    test(`${action}${otherResource ? ' on its own user' : ''} is allowed without MFA${otherResource ? ', but not on another user' : ''}`, async () => {
      for (const [label, mfa] of [...withoutMfa, ['with MFA', MFA.present()] as const]) {
        const o = await run(action, resource(), ACCOUNTS.security, mfa);
        assertAllowed(o, `${action} ${label}`);
        if (otherResource) {
          const x = await run(action, otherResource(), ACCOUNTS.security, mfa);
          assert.notEqual(x.decision, 'Allowed', `${action} on ${otherResource()} ${label}: ${show(x)}`);
        }
      }
    });
  }
});
