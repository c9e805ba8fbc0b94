/**
 * What the guardrail SCP, as synthesized, does to real requests in a member account, evaluated offline with
 * @cloud-copilot/iam-simulate (devDependency). Every caller is an administrator (AdministratorAccess-equivalent
 * identity policy), so any denial comes from the SCP: the control run without the SCP shows the same request allowed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { NAMES } from '../../lib/naming';
import { stackIds } from '../../lib/stacks/names';
import { ACCOUNTS, type Caller, roleSession } from '../helpers/iam';
import { exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';

process.env.CDK_VALIDATION = 'false';

const ROOT = 'r-ab12';
const M = ACCOUNTS.member;
const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** The AWS managed SCP that Organizations attaches everywhere when SCPs are enabled; without it nothing is allowed. */
const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

let s: Synthesized;
let scp: unknown;
before(() => {
  s = synthConfig(exampleWith((c) => { c.guardrails = { serviceControlPolicy: { enabled: true, targets: [ROOT] } }; }));
  const policies = resourcesOfType(s.templates.get(stackIds.guardrails)!, 'AWS::Organizations::Policy');
  assert.equal(policies.length, 1);
  scp = policies[0]![1].Properties.Content;
});
after(() => s?.cleanup());

async function decide(caller: Caller, action: string, resource: string, withScp = true): Promise<string> {
  const r = await runSimulation({
    request: { principal: caller.arn, action, resource: { resource, accountId: M }, contextVariables: { ...caller.context } },
    identityPolicies: [{ name: 'admin', policy: ADMIN_POLICY }],
    // Root first, the account last (iam-simulate's order); the guardrail is attached at the root.
    serviceControlPolicies: [
      { orgIdentifier: ROOT, policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...(withScp ? [{ name: 'guardrail', policy: scp }] : [])] },
      { orgIdentifier: M, policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
    ],
    resourceControlPolicies: [],
  }, { simulationMode: 'Strict' });
  if (r.resultType === 'error') throw new Error(`iam-simulate rejected ${action} ${resource}: ${JSON.stringify(r.errors)}`);
  if (r.resultType !== 'single') throw new Error(`expected a single result, got ${r.resultType}`);
  const ignored = r.result.ignoredContextKeys ?? [];
  assert.deepEqual(ignored, [], `context keys ignored for ${action}: the test would not evaluate what it claims`);
  return r.overallResult;
}

const admin = roleSession(M, 'Admin', 'alice');
const roleArn = () => `arn:aws:iam::${M}:role/${s.config.role.name}`;

describe('guardrail SCP in a member account (iam-simulate)', () => {
  test('control: without the SCP an administrator may change the break-glass role trust', async () => {
    assert.equal(await decide(admin, 'iam:UpdateAssumeRolePolicy', roleArn(), false), 'Allowed');
  });

  test('an ordinary administrator cannot change the trust policy of the break-glass role', async () => {
    assert.equal(await decide(admin, 'iam:UpdateAssumeRolePolicy', roleArn()), 'ExplicitlyDenied');
  });

  test('nor attach a policy to it, delete it, or untag it; nor silence a forwarder rule, purge its dead letters or drop its role', async () => {
    for (const [action, resource] of [
      ['iam:AttachRolePolicy', roleArn()],
      ['iam:DeleteRole', roleArn()],
      ['iam:UntagRole', roleArn()],
      ['iam:PutRolePolicy', `arn:aws:iam::${M}:role/${NAMES.forwarderRolePrefix}eu-west-1`],
      ['events:DisableRule', `arn:aws:events:eu-west-1:${M}:rule/${NAMES.rulePrefix}fwd-console-login`],
      ['events:RemoveTargets', `arn:aws:events:us-east-1:${M}:rule/${NAMES.rulePrefix}fwd-role-changed`],
      ['sqs:PurgeQueue', `arn:aws:sqs:eu-west-1:${M}:${NAMES.rulePrefix}forwarder-dead-letters`],
    ] as const) {
      assert.equal(await decide(admin, action, resource), 'ExplicitlyDenied', `${action} ${resource}`);
    }
  });

  test('the StackSet execution roles (service- and self-managed) and the CDK execution role may still change it', async () => {
    for (const role of ['stacksets-exec-0123456789abcdef0123456789abcdef', 'AWSCloudFormationStackSetExecutionRole', 'cdk-hnb659fds-cfn-exec-role-333333333333-us-east-1']) {
      const deployer = roleSession(M, role, 'cloudformation');
      assert.equal(await decide(deployer, 'iam:UpdateAssumeRolePolicy', roleArn()), 'Allowed', role);
      assert.equal(await decide(deployer, 'events:PutRule', `arn:aws:events:eu-west-1:${M}:rule/${NAMES.rulePrefix}fwd-switch-role`), 'Allowed', role);
    }
  });

  test('a look-alike role name does not get the exemption', async () => {
    for (const role of ['AWSCloudFormationStackSetExecutionRole2', 'my-stacksets-exec-role', 'cdk-cfn-exec-role']) {
      assert.equal(await decide(roleSession(M, role, 'x'), 'iam:UpdateAssumeRolePolicy', roleArn()), 'ExplicitlyDenied', role);
    }
  });

  test('unrelated actions and other resources stay allowed', async () => {
    for (const [action, resource] of [
      ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${M}:role/ApplicationRole`],
      ['iam:CreateRole', `arn:aws:iam::${M}:role/NewRole`],
      ['iam:GetRole', roleArn()],
      ['events:DisableRule', `arn:aws:events:eu-west-1:${M}:rule/team-nightly-job`],
      ['sqs:DeleteQueue', `arn:aws:sqs:us-east-1:${M}:${NAMES.rulePrefix}drill-20260101t000000z`],
      ['s3:PutObject', 'arn:aws:s3:::app-bucket/key'],
      ['sts:AssumeRole', roleArn()],
    ] as const) {
      assert.equal(await decide(admin, action, resource), 'Allowed', `${action} ${resource}`);
    }
  });
});
