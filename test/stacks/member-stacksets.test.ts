/**
 * The StackSets that carry the member template: service-managed with auto-deployment to OUs, self-managed for
 * explicit accounts, CallAs for a delegated administrator, every watched region, the member template inline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { detectionContext } from '../../lib/detection/context';
import { NAMES } from '../../lib/naming';
import { REVOKE_NOTHING, REVOKE_PARAMETER } from '../../lib/revoke/parameter';
import { stackIds } from '../../lib/stacks/names';
import { exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';

// aws-cdk-lib's bundled CloudFormation validator costs ~6 s of CPU at its first use in each test process. These tests
// check template properties only (validation never changes a template); validation.test.ts runs the validator, with
// cdk-nag and cfn-lint, over the same configs.
process.env.CDK_VALIDATION = 'false';

function stackSets(s: Synthesized) {
  const t = s.templates.get(stackIds.memberStackSets);
  assert.ok(t, 'MemberStackSets stack exists');
  return new Map(resourcesOfType(t, 'AWS::CloudFormation::StackSet').map(([, r]) => [r.Properties.PermissionModel as string, r.Properties]));
}

function checkCommon(s: Synthesized, p: any) {
  assert.deepEqual(p.StackInstancesGroup.length, 1);
  assert.deepEqual(p.StackInstancesGroup[0].Regions, [...detectionContext(s.config).regions], 'every watched region, home first');
  assert.ok(p.Capabilities.includes('CAPABILITY_NAMED_IAM'), 'named IAM roles need CAPABILITY_NAMED_IAM');
  assert.deepEqual(JSON.parse(p.TemplateBody), s.member, 'TemplateBody is the synthesized member template');
  assert.equal(p.TemplateURL, undefined, 'inline body: no bootstrap bucket in member accounts');
  // The revocation time passes through from the stack's own parameter (lib/stacks/member-stacksets-stack.ts), so a
  // redeploy can keep a revocation `breakglass revoke` made; nothing else is passed.
  assert.deepEqual(p.Parameters, [{ ParameterKey: REVOKE_PARAMETER, ParameterValue: { Ref: REVOKE_PARAMETER } }]);
  const t = s.templates.get(stackIds.memberStackSets)!;
  assert.equal(t.Parameters?.[REVOKE_PARAMETER]?.Default, REVOKE_NOTHING);
  assert.ok(s.member.Parameters?.[REVOKE_PARAMETER], 'the member template declares the parameter passed to it');
}

describe('member StackSets: example (OUs, from the management account)', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(); });
  after(() => s?.cleanup());

  test('deployed from the management account in the home region', () => {
    const env = s.app.synth().getStackByName(stackIds.memberStackSets).environment;
    assert.equal(env.account, s.config.organization.managementAccountId);
    assert.equal(env.region, s.config.securityAccount.region);
  });

  test('one SERVICE_MANAGED StackSet, auto-deployed to the configured OUs minus the security account, every watched region, CallAs SELF', () => {
    const sets = stackSets(s);
    assert.deepEqual([...sets.keys()], ['SERVICE_MANAGED']);
    const p = sets.get('SERVICE_MANAGED')!;
    assert.equal(p.StackSetName, NAMES.memberStackSet);
    assert.deepEqual(p.AutoDeployment, { Enabled: true, RetainStacksOnAccountRemoval: false });
    assert.equal(p.CallAs, 'SELF');
    assert.deepEqual(p.StackInstancesGroup[0].DeploymentTargets, {
      OrganizationalUnitIds: s.config.organization.targets.organizationalUnits,
      // The example targets the root, which holds the security account; its own stacks own the forwarder names.
      Accounts: [s.config.securityAccount.accountId],
      AccountFilterType: 'DIFFERENCE',
    });
    checkCommon(s, p);
    Template.fromJSON(s.templates.get(stackIds.memberStackSets)!).hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      StackInstancesGroup: [Match.objectLike({ DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'], Accounts: ['222222222222'], AccountFilterType: 'DIFFERENCE' } })],
    });
  });
});

describe('member StackSets: delegated administrator, OUs and explicit accounts', () => {
  let s: Synthesized;
  before(() => {
    s = synthConfig(exampleWith((c) => {
      c.organization.deployFrom = 'delegated-admin';
      c.organization.delegatedAdminAccountId = '333333333333';
      c.organization.targets = { organizationalUnits: ['ou-ab12-abcd1234', 'ou-ab12-efgh5678'], accounts: ['444444444444', '555555555555'] };
      c.regions.optIn = ['af-south-1'];
    }));
  });
  after(() => s?.cleanup());

  test('deployed from the delegated administrator account', () => {
    const env = s.app.synth().getStackByName(stackIds.memberStackSets).environment;
    assert.equal(env.account, '333333333333');
  });

  test('service-managed StackSet uses CallAs DELEGATED_ADMIN and auto-deploys to both OUs, opt-in region included', () => {
    const p = stackSets(s).get('SERVICE_MANAGED')!;
    assert.equal(p.CallAs, 'DELEGATED_ADMIN');
    assert.deepEqual(p.AutoDeployment, { Enabled: true, RetainStacksOnAccountRemoval: false });
    assert.deepEqual(p.StackInstancesGroup[0].DeploymentTargets, {
      OrganizationalUnitIds: ['ou-ab12-abcd1234', 'ou-ab12-efgh5678'], Accounts: ['222222222222'], AccountFilterType: 'DIFFERENCE',
    });
    assert.ok(p.StackInstancesGroup[0].Regions.includes('af-south-1'));
    checkCommon(s, p);
  });

  test('SELF_MANAGED StackSet for the explicit accounts, no auto-deployment, no CallAs', () => {
    const p = stackSets(s).get('SELF_MANAGED')!;
    assert.equal(p.StackSetName, `${NAMES.memberStackSet}-accounts`);
    assert.deepEqual(p.StackInstancesGroup[0].DeploymentTargets, { Accounts: ['444444444444', '555555555555'] });
    assert.equal(p.AutoDeployment, undefined);
    assert.equal(p.CallAs, undefined);
    checkCommon(s, p);
  });
});

describe('member StackSets: explicit accounts only', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(exampleWith((c) => { c.organization.targets = { organizationalUnits: [], accounts: ['444444444444'] }; })); });
  after(() => s?.cleanup());

  test('only a SELF_MANAGED StackSet', () => {
    const sets = stackSets(s);
    assert.deepEqual([...sets.keys()], ['SELF_MANAGED']);
    checkCommon(s, sets.get('SELF_MANAGED')!);
  });
});
