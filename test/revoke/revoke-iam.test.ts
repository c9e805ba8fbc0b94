/**
 * The revocation switch, proven on the SYNTHESIZED role policies with @cloud-copilot/iam-simulate: a session of the
 * break-glass role issued before RevokeSessionsBefore is denied everything, one issued at or after it is not, and the
 * default value revokes nothing. For the StackSet member template, Breakglass-Security and Breakglass-Management.
 * And the path `breakglass revoke` takes passes the guardrail SCP, while the old manual step (an inline policy added
 * by an administrator) is refused by it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { REVOKE_NOTHING, REVOKE_PARAMETER } from '../../lib/revoke/parameter';
import { stackIds } from '../../lib/stacks/names';
import { ACCOUNTS, describe as show, MFA, PARTITION, type PolicyDocument, roleInlinePolicies, roleSession, simulate } from '../helpers/iam';
import { exampleWith, resourcesOfType, type CfnTemplate, type Synthesized, synthConfig } from '../helpers/synth';

process.env.CDK_VALIDATION = 'false';

/** What role.managedPolicies may grant at most: everything. The revocation must hold against it. */
const ADMIN = { name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
const T = '2026-11-23T03:00:00Z';
const ACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['s3:ListAllMyBuckets', '*'],
  ['iam:CreateUser', 'arn:aws:iam::<account>:user/backdoor'],
  ['sts:AssumeRole', 'arn:aws:iam::<account>:role/OrganizationAccountAccessRole'],
  ['ec2:DescribeInstances', '*'],
];

let s: Synthesized;
before(() => { s = synthConfig(exampleWith((c) => { c.guardrails = { serviceControlPolicy: { enabled: true, targets: ['r-ab12'] } }; })); });
after(() => s?.cleanup());

interface Where { readonly name: string; readonly template: () => CfnTemplate; readonly account: string }
const WHERE: Where[] = [
  { name: 'StackSet member template', template: () => s.member, account: ACCOUNTS.member },
  { name: stackIds.security, template: () => s.templates.get(stackIds.security)!, account: ACCOUNTS.security },
  { name: stackIds.management, template: () => s.templates.get(stackIds.management)!, account: ACCOUNTS.management },
];

async function asSession(w: Where, issued: string | undefined, value: string | undefined, action: string, resource: string) {
  const region = s.config.securityAccount.region;
  const inline = roleInlinePolicies(w.template(), s.config.role.name, { partition: PARTITION, accountId: w.account, region, ...(value === undefined ? {} : { parameters: { [REVOKE_PARAMETER]: value } }) });
  const caller = roleSession(w.account, s.config.role.name, 'BreakGlassUser1');
  return simulate({
    caller, action, resource: resource.replace('<account>', w.account), resourceAccount: w.account,
    context: { ...MFA.present(), ...(issued === undefined ? {} : { 'aws:TokenIssueTime': issued }) },
    identityPolicies: [ADMIN, ...inline],
  });
}

for (const w of WHERE) {
  describe(`revocation in ${w.name} (iam-simulate)`, () => {
    test('the template declares the parameter with a default that revokes nothing, and the role uses it', () => {
      const t = w.template();
      assert.equal(t.Parameters?.[REVOKE_PARAMETER]?.Default, REVOKE_NOTHING);
      const [, role] = resourcesOfType(t, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === s.config.role.name)!;
      assert.ok(JSON.stringify(role.Properties.Policies).includes(JSON.stringify({ Ref: REVOKE_PARAMETER })), 'the role policy refers to the parameter');
    });

    test('a session issued before the time is denied everything, even with AdministratorAccess', async () => {
      for (const issued of ['2026-11-23T02:59:59Z', '2026-11-22T20:00:00Z']) {
        for (const [action, resource] of ACTIONS) {
          const o = await asSession(w, issued, T, action, resource);
          assert.equal(o.decision, 'ExplicitlyDenied', `${issued} ${action}: ${show(o)}`);
          assert.deepEqual(o.identityDenySids, ['DenySessionsIssuedBeforeRevocation'], `${action}: denied by the revocation statement`);
        }
      }
    });

    test('a session issued at or after the time is allowed (control: the same requests, the same policies)', async () => {
      for (const issued of [T, '2026-11-23T03:00:01Z', '2026-11-24T00:00:00Z']) {
        for (const [action, resource] of ACTIONS) {
          const o = await asSession(w, issued, T, action, resource);
          assert.equal(o.decision, 'Allowed', `${issued} ${action}: ${show(o)}`);
        }
      }
    });

    test('the default revokes nothing: sessions of any time, and a request without aws:TokenIssueTime, are allowed', async () => {
      for (const issued of ['1970-01-01T00:00:00Z', '2011-07-01T00:00:00Z', new Date().toISOString().replace(/\.\d+Z$/, 'Z'), undefined]) {
        const o = await asSession(w, issued, undefined, 's3:ListAllMyBuckets', '*');
        assert.equal(o.decision, 'Allowed', `${issued}: ${show(o)}`);
      }
    });
  });
}

describe('the revoke path and the guardrail SCP (iam-simulate)', () => {
  const FULL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  let scps: PolicyDocument[];
  before(() => { scps = resourcesOfType(s.templates.get(stackIds.guardrails)!, 'AWS::Organizations::Policy').map(([, r]) => r.Properties.Content); });

  async function decide(account: string, roleName: string, action: string): Promise<string> {
    const caller = roleSession(account, roleName, 'session');
    const r = await runSimulation({
      request: { principal: caller.arn, action, resource: { resource: `arn:aws:iam::${account}:role/${s.config.role.name}`, accountId: account }, contextVariables: caller.context },
      identityPolicies: [ADMIN],
      serviceControlPolicies: [
        { orgIdentifier: 'r-ab12', policies: [{ name: 'FullAWSAccess', policy: FULL }, ...scps.map((policy, i) => ({ name: `guardrail-${i}`, policy }))] },
        { orgIdentifier: account, policies: [{ name: 'FullAWSAccess', policy: FULL }] },
      ],
      resourceControlPolicies: [],
    }, { simulationMode: 'Strict' });
    if (r.resultType !== 'single') throw new Error(`unexpected simulation result ${r.resultType}`);
    assert.deepEqual(r.result.ignoredContextKeys ?? [], []);
    return r.overallResult;
  }

  test('StackSets and the CDK execution role may rewrite the role\'s inline policy; an administrator by hand may not', async () => {
    // CloudFormation writes the role's inline policies with iam:PutRolePolicy (IAM API reference); a console
    // "Revoke active sessions" does the same as the signed-in administrator.
    for (const action of ['iam:PutRolePolicy', 'iam:DeleteRolePolicy']) {
      assert.equal(await decide(ACCOUNTS.member, 'stacksets-exec-0123456789abcdef0123456789abcdef', action), 'Allowed', `service-managed StackSet ${action}`);
      assert.equal(await decide(ACCOUNTS.member, 'AWSCloudFormationStackSetExecutionRole', action), 'Allowed', `self-managed StackSet ${action}`);
      assert.equal(await decide(ACCOUNTS.security, `cdk-hnb659fds-cfn-exec-role-${ACCOUNTS.security}-us-east-1`, action), 'Allowed', `CDK execution role, security account ${action}`);
      assert.equal(await decide(ACCOUNTS.member, 'Admin', action), 'ExplicitlyDenied', `member administrator ${action}`);
      assert.equal(await decide(ACCOUNTS.security, 'Admin', action), 'ExplicitlyDenied', `security administrator ${action}`);
    }
  });
});
