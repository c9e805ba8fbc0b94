/**
 * The synthesized break-glass policies for a config WITHOUT organization.id (the users' policy then uses the
 * `${aws:PrincipalOrgID}` policy variable), with role.maxMfaAgeSeconds, and with role.requireSessionNameIsUserName turned off
 * (it defaults to on: break-glass-access.test.ts proves that).
 * One synthesis covers the three options: the organization ID only changes the users' policy, the two role options
 * only change the trust, and every test below satisfies the conditions it is not about.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ACCOUNTS, MFA, ORG_ID, OTHER_ORG_ID, PARTITION, breakGlassPolicies, describe as show, iamUser, simulate,
  type PolicyDocument, type SimOutcome,
} from '../helpers/iam';
import { exampleWith, synthConfig, type Synthesized } from '../helpers/synth';

const MAX_MFA_AGE = 900;
let s: Synthesized;
let p: ReturnType<typeof breakGlassPolicies>;
before(() => {
  s = synthConfig(exampleWith((c) => {
    delete c.organization.id;
    c.role.maxMfaAgeSeconds = MAX_MFA_AGE;
    c.role.requireSessionNameIsUserName = false;
  }));
  p = breakGlassPolicies(s);
});
after(() => s?.cleanup());

const user = () => iamUser(ACCOUNTS.security, p.userNames[0]);
const ADMIN: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function assumeRole(opts: {
  account?: string; resourceOrgId?: string; principalOrgId?: string | undefined; mfa?: Record<string, string>; sessionName?: string;
  trust?: PolicyDocument; identity?: PolicyDocument;
} = {}): Promise<SimOutcome> {
  const account = opts.account ?? ACCOUNTS.member;
  return simulate({
    caller: user(), action: 'sts:AssumeRole', resource: `arn:${PARTITION}:iam::${account}:role/${p.roleName}`, resourceAccount: account,
    context: {
      ...(opts.mfa ?? MFA.present()), 'aws:ResourceAccount': account, 'aws:ResourceOrgID': opts.resourceOrgId ?? ORG_ID,
      'aws:PrincipalOrgID': 'principalOrgId' in opts ? opts.principalOrgId : ORG_ID,
      'sts:RoleSessionName': opts.sessionName ?? p.userNames[0],
    },
    identityPolicies: opts.identity ? [{ name: 'identity', policy: opts.identity }] : p.userPolicies(p.userNames[0]),
    resourcePolicy: opts.trust ?? p.trust,
  });
}

const OPEN_TRUST: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNTS.security}:root` }, Action: 'sts:AssumeRole' }] };

describe('organization.id absent: aws:ResourceOrgID must equal ${aws:PrincipalOrgID}', () => {
  test('the synthesized policy uses the policy variable, and iam-simulate substitutes it from the request', async () => {
    const st = p.userPolicies(p.userNames[0])[0].policy.Statement.find((x) => x.Sid === 'AssumeBreakGlassRoleInOrganization');
    assert.deepEqual(st.Condition.StringEquals, { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' });

    const inOrg = await assumeRole();
    assert.equal(inOrg.decision, 'Allowed', show(inOrg));
    // The explain shows the variable resolved to the caller's organization, not compared as text.
    const cond = JSON.stringify(inOrg.analysis.identityAnalysis!.allowStatements.map((a) => a.explain.conditions));
    assert.match(cond, /"value":"\$\{aws:PrincipalOrgID\}","matches":true,"resolvedValue":"o-a1b2c3d4e5"/);

    // Substitution, not a literal comparison: a resource org ID spelled like the variable does not match...
    const literal = await assumeRole({ resourceOrgId: '${aws:PrincipalOrgID}', trust: OPEN_TRUST });
    assert.equal(literal.identity, 'ImplicitlyDenied', show(literal));
    // ...and the value follows the caller: a caller in another organization matches roles of that organization.
    const followsCaller = await assumeRole({ principalOrgId: OTHER_ORG_ID, resourceOrgId: OTHER_ORG_ID, trust: OPEN_TRUST });
    assert.equal(followsCaller.identity, 'Allowed', show(followsCaller));
  });

  test('a role in an account of another organization is denied by the identity policy', async () => {
    for (const resourceOrgId of [OTHER_ORG_ID, 'o-a1b2c3d4e']) {
      const o = await assumeRole({ account: ACCOUNTS.outside, resourceOrgId, trust: OPEN_TRUST });
      assert.ok(o.trustAllows, 'the foreign trust lets the user in');
      assert.equal(o.identity, 'ImplicitlyDenied', `${resourceOrgId}: ${show(o)}`);
      assert.notEqual(o.decision, 'Allowed');
    }
    // A caller without aws:PrincipalOrgID (never true for these users, but the variable then matches nothing).
    const noOrg = await assumeRole({ principalOrgId: undefined, trust: OPEN_TRUST });
    assert.equal(noOrg.identity, 'ImplicitlyDenied', show(noOrg));
    // Control: the same foreign-account request with the caller's organization is allowed.
    const control = await assumeRole({ account: ACCOUNTS.outside, resourceOrgId: ORG_ID, trust: OPEN_TRUST });
    assert.equal(control.decision, 'Allowed', show(control));
  });
});

describe('trust options', () => {
  test(`role.maxMfaAgeSeconds=${MAX_MFA_AGE}: an older MFA sign-in is denied by the trust`, async () => {
    const cond = p.trust.Statement[0].Condition;
    assert.deepEqual(cond.NumericLessThanEquals, { 'aws:MultiFactorAuthAge': String(MAX_MFA_AGE) });
    for (const age of [0, 60, MAX_MFA_AGE]) {
      const o = await assumeRole({ mfa: MFA.present(age) });
      assert.equal(o.decision, 'Allowed', `age ${age}: ${show(o)}`);
    }
    for (const age of [MAX_MFA_AGE + 1, 3600, 129600]) {
      const o = await assumeRole({ mfa: MFA.present(age) });
      assert.equal(o.identity, 'Allowed', `age ${age}: the identity policy has no age limit`);
      assert.equal(o.trustAllows, false, `age ${age}: ${show(o)}`);
      assert.notEqual(o.decision, 'Allowed');
      const admin = await assumeRole({ mfa: MFA.present(age), identity: ADMIN });
      assert.notEqual(admin.decision, 'Allowed', `age ${age} with an admin identity policy: ${show(admin)}`);
    }
    // MFA present but no age in the request: the numeric condition cannot match.
    const noAge = await assumeRole({ mfa: { 'aws:MultiFactorAuthPresent': 'true' } });
    assert.equal(noAge.trustAllows, false, show(noAge));
  });

  test('role.requireSessionNameIsUserName: false (the escape hatch) drops the session-name condition; the rest of the trust stays', async () => {
    // The default (true) is proven in break-glass-access.test.ts. Turned off, any session name passes, and the
    // principal, MFA and source-identity conditions are unchanged.
    assert.equal(p.trust.Statement[0].Condition.StringEquals, undefined);
    assert.deepEqual(p.trust.Statement[0].Condition.Bool, { 'aws:MultiFactorAuthPresent': 'true' });
    for (const [i, name] of p.userNames.entries()) {
      const o = await simulate({
        caller: iamUser(ACCOUNTS.security, name), action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNTS.member}:role/${p.roleName}`,
        resourceAccount: ACCOUNTS.member, identityPolicies: p.userPolicies(name), resourcePolicy: p.trust,
        context: { ...MFA.present(), 'aws:ResourceOrgID': ORG_ID, 'sts:RoleSessionName': name },
      });
      assert.equal(o.decision, 'Allowed', `user ${i} with its own name: ${show(o)}`);
    }
    for (const sessionName of [p.userNames[1], 'admin', `${p.userNames[0]}-x`]) {
      const o = await assumeRole({ sessionName });
      assert.equal(o.decision, 'Allowed', `session "${sessionName}": ${show(o)}`);
    }
    const set = p.trust.Statement.find((st: any) => st.Action === 'sts:SetSourceIdentity');
    assert.deepEqual(set?.Condition.StringEquals, { 'sts:SourceIdentity': '${aws:username}' });
  });
});
