/**
 * Composes the whole deployment from one config: which stacks go to which account and region.
 *
 *   security account, home region    Breakglass-Security            users, key, topic, central bus + rules, forwarders
 *   security account, other regions  Breakglass-Security-<region>   forwarders
 *   management / delegated admin     Breakglass-MemberStackSets     StackSets carrying the member template
 *   management account, each region  Breakglass-Management[-<region>] the member template's resources (StackSets skip it)
 *   management account, home region  Breakglass-Trail               organization trail (only if cloudTrail.mode is create)
 *   management account, home region  Breakglass-Guardrails          guardrail SCP (only if guardrails.serviceControlPolicy.enabled)
 */
import { App, type IPolicyValidationPlugin, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import type { BreakglassConfig } from './config/schema';
import { detectionContext } from './detection/context';
import { GuardrailsStack } from './stacks/guardrails-stack';
import { MemberBaselineStack } from './stacks/member-baseline-stack';
import { MemberStackSetsStack } from './stacks/member-stacksets-stack';
import { stackIds } from './stacks/names';
import { SecurityRegionStack, SecurityStack } from './stacks/security-stack';
import { TrailStack } from './stacks/trail-stack';

export interface BuildOptions {
  /** Cloud assembly directory of the main app. */
  readonly outdir: string;
  /** Extra validation plugins (cdk-nag packs in tests), added to the main app and the member-template app. */
  readonly plugins?: (app: App) => IPolicyValidationPlugin[];
  /** Extra context (e.g. from cdk.json when run by the CDK CLI). */
  readonly context?: Record<string, unknown>;
}

export interface BuiltApp {
  readonly app: App;
  /** The synthesized StackSet member template (CloudFormation JSON). */
  readonly memberTemplate: Record<string, unknown>;
  readonly memberApp: App;
}

export const APP_CONTEXT: Record<string, unknown> = {
  // Fail synthesis on CloudFormation schema errors and invalid event patterns (aws-cdk-lib's bundled validator).
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  // Grant S3 server access logging through a bucket policy, which works with BucketOwnerEnforced (no ACLs).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export function buildApp(config: BreakglassConfig, opts: BuildOptions): BuiltApp {
  const context = { ...APP_CONTEXT, ...opts.context };

  // The member template is synthesized on its own: no env (one template for every account and region) and no
  // bootstrap version rule, so member accounts need no CDK bootstrap.
  // autoSynth off for both apps: callers synthesize explicitly; under the CDK CLI the default would synthesize again
  // at process exit.
  const memberApp = new App({ outdir: `${opts.outdir}/member-template.out`, context, autoSynth: false });
  const memberStack = new MemberBaselineStack(memberApp, stackIds.memberTemplate, {
    config,
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    description: 'breakglass member baseline (StackSet template)',
  });
  if (opts.plugins) Validations.of(memberApp).addPlugins(...opts.plugins(memberApp));
  const memberTemplate = memberApp.synth().getStackArtifact(memberStack.artifactId).template as Record<string, unknown>;

  const app = new App({ outdir: opts.outdir, context, autoSynth: false });
  const c = config;
  const home = c.securityAccount.region;
  const regions = detectionContext(c).regions;
  const tags = { ...c.tags, 'breakglass:managed-by': 'breakglass' };

  const security = new SecurityStack(app, stackIds.security, {
    config: c, env: { account: c.securityAccount.accountId, region: home }, tags,
    description: 'breakglass: break-glass users, alert topic, central event bus and alert rules',
    crossRegionReferences: false,
  });
  for (const region of regions.filter((r) => r !== home)) {
    const s = new SecurityRegionStack(app, stackIds.securityRegion(region), {
      config: c, env: { account: c.securityAccount.accountId, region }, tags,
      description: `breakglass: forwarders for ${region} of the security account`,
    });
    s.addStackDependency(security);
  }

  const deployAccount = c.organization.deployFrom === 'delegated-admin' ? c.organization.delegatedAdminAccountId! : c.organization.managementAccountId;
  new MemberStackSetsStack(app, stackIds.memberStackSets, {
    config: c, memberTemplateBody: JSON.stringify(memberTemplate), env: { account: deployAccount, region: home }, tags,
    description: 'breakglass: StackSets that deploy the break-glass role and forwarders to member accounts',
  }).addStackDependency(security);

  if (c.organization.includeManagementAccount) {
    for (const region of regions) {
      new MemberBaselineStack(app, region === home ? stackIds.management : stackIds.managementRegion(region), {
        config: c, env: { account: c.organization.managementAccountId, region }, tags,
        description: `breakglass: management account ${region === home ? 'break-glass role and ' : ''}forwarders (${region})`,
      }).addStackDependency(security);
    }
  }
  if (c.cloudTrail.mode === 'create') {
    // No dependency: the trail needs nothing from the other stacks. The deploy plan runs it after Breakglass-Security,
    // which in older versions held a trail of the same name.
    new TrailStack(app, stackIds.trail, {
      config: c, env: { account: c.organization.managementAccountId, region: home }, tags,
      description: 'breakglass: organization trail (read and write management events) so every account hands CloudTrail events to EventBridge',
    });
  }
  if (c.guardrails.serviceControlPolicy.enabled) {
    // No dependency on the other stacks: the SCP exempts the roles that deploy them, so order does not matter.
    new GuardrailsStack(app, stackIds.guardrails, {
      config: c, env: { account: c.organization.managementAccountId, region: home }, tags,
      description: 'breakglass: guardrail service control policy protecting the break-glass role and alerting resources',
    });
  }
  if (opts.plugins) Validations.of(app).addPlugins(...opts.plugins(app));
  return { app, memberTemplate, memberApp };
}
