/**
 * The breakglass construct library: `require('breakglass')` / `import … from 'breakglass'`.
 *
 * - `buildApp(config, { outdir })` composes every stack of a deployment from one validated config (what the CLI's
 *   `synth` and the CDK app in bin/app.ts run);
 * - the stacks, for composing a deployment differently;
 * - the constructs, for using one piece (the member role, the users, the alert path) in an existing CDK app;
 * - the config schema, types and loader, and the detection catalogue.
 */
export { buildApp, APP_CONTEXT, type BuildOptions, type BuiltApp } from './app';

export { ConfigError, loadConfigFile, parseConfigText, type LoadedConfig } from './config/load';
export { configSchema, type BreakglassConfig, type BreakglassConfigInput } from './config/schema';
export { configJsonSchema } from './config/json-schema';

export { CATALOGUE, ruleById, type AlertRule, type RuleId, type Severity } from './detection/catalogue';

export * from './constructs/alert-topic';
export * from './constructs/break-glass-role';
export * from './constructs/break-glass-users';
export * from './constructs/central-bus';
export * from './constructs/chat-channels';
export * from './constructs/dead-letter-queue';
export * from './constructs/delivery-alarms';
export * from './constructs/event-forwarders';
export * from './constructs/guardrail-scp';
export * from './constructs/heartbeat';
export * from './constructs/member-stackset';
export * from './constructs/notifier';
export * from './constructs/organization-id';
export * from './constructs/trail';

export * from './stacks/guardrails-stack';
export * from './stacks/member-baseline-stack';
export * from './stacks/member-stacksets-stack';
export * from './stacks/security-stack';
export { stackIds } from './stacks/names';
