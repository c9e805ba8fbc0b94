/**
 * The CDK-free stack layout (lib/deployment/layout.ts) must say exactly what lib/app.ts synthesizes: the plan's
 * bootstrap environments and deploy order are only right if it does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import type { BreakglassConfig } from '../../lib/config/schema';
import { stackLayout } from '../../lib/deployment/layout';
import { stackIds } from '../../lib/deployment/stack-ids';
import { MEMBER_STACKSET_PREFERENCES } from '../../lib/deployment/stackset-rollout';
import { EXAMPLE_CONFIG, exampleWith } from '../helpers/synth';
import { loadConfigFile } from '../../lib/config/load';

const VARIANTS: Array<[string, () => BreakglassConfig]> = [
  ['the example config', () => loadConfigFile(EXAMPLE_CONFIG).config],
  ['delegated admin, guardrails on, no management stacks, two regions', () => exampleWith((c) => {
    c.organization.deployFrom = 'delegated-admin';
    c.organization.delegatedAdminAccountId = '444444444444';
    c.organization.includeManagementAccount = false;
    c.guardrails = { serviceControlPolicy: { enabled: true, targets: ['r-ab12'] } };
    c.regions = { enabled: ['us-east-1', 'eu-west-1'], optIn: [] };
  })],
  ['explicit accounts, eu-west-1 home, an opt-in region, guardrails on', () => exampleWith((c) => {
    c.securityAccount.region = 'eu-west-1';
    c.organization.targets = { organizationalUnits: [], accounts: ['333333333333', '555555555555'] };
    c.guardrails = { serviceControlPolicy: { enabled: true, targets: ['333333333333'] } };
    c.regions = { enabled: ['us-east-1', 'eu-west-1'], optIn: ['eu-south-2'] };
  })],
];

interface Seen { id: string; account: string; region: string; dependsOn: string[] }

/** What the app builds, read from the synthesized CDK stacks. */
function synthesizedStacks(config: BreakglassConfig): { stacks: Seen[]; stackSetPreferences: unknown[] } {
  const dir = mkdtempSync(join(tmpdir(), 'breakglass-layout-'));
  try {
    const { app } = buildApp(config, { outdir: dir });
    const assembly = app.synth();
    const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c)).map((s) => ({
      id: s.stackName, account: s.account, region: s.region, dependsOn: s.dependencies.map((d) => d.stackName).sort(),
    }));
    // The environment the cloud assembly hands to `cdk deploy` must agree with the construct tree.
    for (const artifact of assembly.stacks) {
      const s = stacks.find((x) => x.id === artifact.stackName);
      assert.ok(s, `${artifact.stackName} in the assembly but not in the app`);
      assert.deepEqual([artifact.environment.account, artifact.environment.region], [s.account, s.region]);
    }
    assert.equal(assembly.stacks.length, stacks.length);
    const template = assembly.getStackByName(stackIds.memberStackSets).template as { Resources: Record<string, { Type: string; Properties: any }> };
    const stackSetPreferences = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudFormation::StackSet').map((r) => r.Properties.OperationPreferences);
    return { stacks, stackSetPreferences };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the deployment layout equals what buildApp synthesizes', () => {
  for (const [name, config] of VARIANTS) {
    it(name, () => {
      const c = config();
      const { stacks, stackSetPreferences } = synthesizedStacks(c);
      const planned = stackLayout(c).map(({ id, account, region, dependsOn }) => ({ id, account, region, dependsOn: [...dependsOn].sort() }));
      assert.deepEqual(planned, stacks);
      // The rollout estimate in the plan is computed from these preferences.
      assert.ok(stackSetPreferences.length > 0);
      for (const p of stackSetPreferences) {
        assert.deepEqual(p, {
          RegionConcurrencyType: MEMBER_STACKSET_PREFERENCES.regionConcurrencyType,
          MaxConcurrentPercentage: MEMBER_STACKSET_PREFERENCES.maxConcurrentPercentage,
          FailureTolerancePercentage: MEMBER_STACKSET_PREFERENCES.failureTolerancePercentage,
        });
      }
    });
  }

  it('the variants cover what changes the layout', () => {
    const layouts = VARIANTS.map(([, config]) => stackLayout(config()));
    assert.ok(layouts.some((l) => l.some((s) => s.role === 'guardrails')), 'guardrails on');
    assert.ok(layouts.some((l) => !l.some((s) => s.role === 'guardrails')), 'guardrails off');
    assert.ok(layouts.some((l) => !l.some((s) => s.role === 'management')), 'no management stacks');
    assert.ok(layouts.some((l) => l.find((s) => s.role === 'member-stacksets')!.account === '444444444444'), 'delegated admin');
  });
});
