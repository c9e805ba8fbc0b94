/**
 * Static checks over every synthesized template, StackSet member template included:
 * - cdk-nag AwsSolutions (v3 validation plugin): no unacknowledged finding;
 * - aws-cdk-lib's own CloudFormation validation (flag on in APP_CONTEXT): no violation in either app;
 * - cfn-lint: no errors (warnings are listed).
 * Each config is synthesized once, with the nag pack; cfn-lint then runs once over all of their templates.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { APP_CONTEXT } from '../../lib/app';
import type { BreakglassConfig } from '../../lib/config/schema';
import { detectionContext } from '../../lib/detection/context';
import { stackIds } from '../../lib/stacks/names';
import { cfnLintVersion, formatCfnLint, runCfnLint } from '../helpers/cfn-lint';
import { CFN_VALIDATE_PLUGIN, formatFindings, type NagRun, nagSynth, readValidationReport } from '../helpers/nag';
import { exampleWith } from '../helpers/config';

const VALIDATE_FLAG = '@aws-cdk/core:validateAgainstDefaultRules';

/** Configs that together reach every construct and option: example, and everything switched the other way. */
const VARIANTS: Record<string, () => BreakglassConfig> = {
  example: () => exampleWith(() => {}),
  'everything else': () => exampleWith((c) => {
    delete c.organization.id; // organization-ID lookup (AwsCustomResource, Lambda)
    c.securityAccount.region = 'eu-west-1'; // home region other than the global-events region
    c.organization.deployFrom = 'delegated-admin';
    c.organization.delegatedAdminAccountId = '333333333333';
    c.organization.targets = { organizationalUnits: ['ou-ab12-abcd1234'], accounts: ['444444444444'] }; // both StackSets
    c.regions.optIn = ['af-south-1'];
    c.alerts = { // every alert channel, routing by severity, its own operations recipients, no heartbeat
      emails: ['a@example.com', 'b@example.com'],
      https: ['https://pager.example.com/hook', { url: 'https://oncall.example.com/hook', minSeverity: 'high' }],
      slack: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', minSeverity: 'high' }, { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' }],
      teams: [{ teamId: '12345678-1234-1234-1234-123456789012', tenantId: '87654321-4321-4321-4321-210987654321', channelId: '19%3Aabc123%40thread.tacv2', minSeverity: 'critical' }],
      operations: { emails: ['ops@example.com'] },
      heartbeat: { enabled: false },
      accountNames: { '222222222222': 'security' },
      runbookUrl: 'https://wiki.example.com/break-glass',
      deadLetterEncryption: 'kms',
    };
    c.role = {
      name: 'EmergencyRole',
      managedPolicies: ['ReadOnlyAccess', 'job-function/ViewOnlyAccess', 'arn:aws:iam::aws:policy/SecurityAudit', 'arn:aws:iam::123456789012:policy/custom'],
      maxSessionDuration: 7200, maxMfaAgeSeconds: 3600, requireSessionNameIsUserName: true,
    };
    c.users.push({ name: 'BreakGlassUser3' });
    c.tags = { owner: 'security' };
  }),
  'existing trail, no management stacks': () => exampleWith((c) => {
    c.cloudTrail = { mode: 'existing-organization-trail' };
    c.organization.includeManagementAccount = false;
  }),
};

/**
 * Every acknowledgement the project makes, by rule and construct path: a new one has to be added here, in review.
 * (Reasons are checked below; the rules are cdk-nag AwsSolutions and aws-cdk-lib's own CloudFormation validation.)
 */
const EXPECTED_ACKNOWLEDGEMENTS: ReadonlyArray<readonly [RegExp, RegExp]> = [
  // EventBridge/Lambda dead-letter queues: SQS3 only recognises SQS redrive and Lambda DeadLetterConfig.
  [/^Annotation::AwsSolutions-SQS3$/, /^Breakglass-(Security|Management|MemberTemplate)(-[a-z]{2}-[a-z]+-\d)?\/(Forwarders\/)?DeadLetters\/Queue$/],
  // Lambda basic execution role: the notifier and aws-cdk-lib's AwsCustomResource provider.
  [/^Annotation::AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/, /^Breakglass-Security\/(Notifier\/Function|AWS679f53fac002430cb0da5b7982bd2287)$/],
  // Publishing to KMS-encrypted topics / sending to a KMS-encrypted queue.
  [/^Annotation::AwsSolutions-IAM5\[Action::kms:GenerateDataKey\*\]$/, /^Breakglass-Security\/Notifier\/Function$/],
  // The break-glass role carries the managed policies the config names.
  [/^Annotation::AwsSolutions-IAM4\[Policy::arn:(<AWS::Partition>|aws):iam::aws:policy\/[\w/+=,.@-]+\]$/, /^Breakglass-(Security|Management|MemberTemplate)\/BreakGlassRole\/Role$/],
  [/^Annotation::AwsSolutions-IAM5\[Resource::\*\]$/, /^Breakglass-Security\/(OrganizationId|Users\/Policy)$/],
  [/^Annotation::AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:iam::\*:role\/[\w+=,.@-]+\]$/, /^Breakglass-Security\/Users\/Policy$/],
  // CloudShell environments of the security account, the CLI path of the emergency sheet (issue 11).
  [/^Annotation::AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:cloudshell:\*:<AWS::AccountId>:environment\/\*\]$/, /^Breakglass-Security\/Users\/Policy$/],
  [/^Annotation::AwsSolutions-S1$/, /^Breakglass-Trail\/Trail\/AccessLogs$/],
  [/^CloudFormation-Validate::W9053$/, /^Breakglass-MemberTemplate$/],
  // Forwarder liveness (docs/decisions/0003-forwarder-liveness.md): the two functions' basic execution role, the
  // watchdog publishing to the KMS-encrypted operations topic, and a table that rebuilds itself (no PITR).
  [/^Annotation::AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/, /^Breakglass-Security\/Liveness\/(Recorder|Watchdog)$/],
  [/^Annotation::AwsSolutions-IAM5\[Action::kms:GenerateDataKey\*\]$/, /^Breakglass-Security\/Liveness\/Watchdog$/],
  [/^Annotation::AwsSolutions-DDB3$/, /^Breakglass-Security\/Liveness\/Table$/],
  // One page per session (docs/decisions/0005-one-page-per-session.md): the session table, nothing worth restoring.
  [/^Annotation::AwsSolutions-DDB3$/, /^Breakglass-Security\/Notifier\/Sessions$/],
];

/** Resource types the variants must reach between them, so every construct went through cdk-nag and cfn-lint. */
const MUST_BE_CHECKED = [
  'AWS::Lambda::Function', 'AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::Permission', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy',
  'AWS::CloudWatch::Alarm', 'AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::SNS::Subscription', 'AWS::Logs::LogGroup',
  'AWS::Chatbot::SlackChannelConfiguration', 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 'Custom::AWS', 'AWS::CloudTrail::Trail',
  'AWS::CloudFormation::StackSet', 'AWS::Events::EventBus', 'AWS::Events::Rule', 'AWS::DynamoDB::Table', 'AWS::Scheduler::Schedule',
  'AWS::IAM::Group',
];

const runs = new Map<string, NagRun>();
const canaryDir = mkdtempSync(join(tmpdir(), 'breakglass-canary-'));
before(() => { for (const [name, make] of Object.entries(VARIANTS)) runs.set(name, nagSynth(make())); });
after(() => {
  for (const r of runs.values()) r.cleanup();
  rmSync(canaryDir, { recursive: true, force: true });
});

for (const name of Object.keys(VARIANTS)) {
  describe(`validation: ${name}`, () => {
    test('every stack was checked, the member template included', () => {
      const r = runs.get(name)!;
      const files = r.templateFiles.map((f) => f.split('/').pop());
      assert.ok(files.includes(`${stackIds.memberTemplate}.template.json`), 'member template synthesized by its own app');
      assert.ok(files.includes(`${stackIds.security}.template.json`));
      assert.ok(files.includes(`${stackIds.memberStackSets}.template.json`));
      const c = VARIANTS[name]!();
      const regions = detectionContext(c).regions.length;
      const expected = 1 /* member */ + 1 /* stacksets */ + regions /* security */ + (c.organization.includeManagementAccount ? regions : 0)
        + (c.cloudTrail.mode === 'create' ? 1 : 0) /* organization trail */;
      assert.equal(r.templateFiles.length, expected);
    });

    test('cdk-nag AwsSolutions: no unacknowledged finding in any stack', () => {
      const nag = runs.get(name)!.findings.filter((f) => f.plugin !== CFN_VALIDATE_PLUGIN);
      assert.equal(nag.length, 0, `unacknowledged cdk-nag findings (fix, or acknowledge next to the cause with a reason):\n${formatFindings(nag)}`);
    });

    test('aws-cdk-lib CloudFormation validation: no errors in the main app or the member template (warnings listed)', (t) => {
      const cfn = runs.get(name)!.findings.filter((f) => f.plugin === CFN_VALIDATE_PLUGIN);
      const errors = cfn.filter((f) => f.severity === 'error' || f.severity === 'fatal');
      for (const w of cfn.filter((f) => !errors.includes(f))) t.diagnostic(formatFindings([w]).trim());
      assert.equal(errors.length, 0, `CloudFormation validation errors:\n${formatFindings(errors)}`);
    });

    test('every acknowledgement is an expected one, on its cause, with a specific reason', (t) => {
      const acks = runs.get(name)!.acknowledgements;
      assert.ok(acks.length > 0, 'acknowledgements are read from the construct tree');
      for (const a of acks) {
        assert.ok(EXPECTED_ACKNOWLEDGEMENTS.some(([id, path]) => id.test(a.id) && path.test(a.path)), `unexpected acknowledgement [${a.app}] ${a.id} at ${a.path}: ${a.reason}`);
        assert.ok(a.reason.length >= 40 && !/^(todo|n\/a|ok|fine|false positive)\b/i.test(a.reason), `${a.id} at ${a.path}: the reason must say why: "${a.reason}"`);
      }
      const dlqs = acks.filter((a) => a.id === 'Annotation::AwsSolutions-SQS3').length;
      t.diagnostic(`${acks.length} acknowledgements, ${dlqs} of them on dead-letter queues`);
    });

    test('acknowledged CloudFormation validation findings carry a reason', (t) => {
      for (const s of runs.get(name)!.suppressed) {
        assert.ok(s.reason.length > 20, `${s.acknowledgedId} at ${s.path} has no real reason`);
        t.diagnostic(`acknowledged [${s.app}] ${s.acknowledgedId} at ${s.path}: ${s.reason}`);
      }
    });
  });
}

describe('validation: coverage of the variants', () => {
  test('between them the variants synthesize every kind of resource breakglass creates', () => {
    const seen = new Set<string>();
    for (const r of runs.values()) {
      for (const f of r.templateFiles) for (const res of Object.values<any>(JSON.parse(readFileSync(f, 'utf8')).Resources ?? {})) seen.add(res.Type);
    }
    assert.deepEqual(MUST_BE_CHECKED.filter((type) => !seen.has(type)), [], 'resource types no variant reached');
  });
});

describe('validation: cfn-lint', () => {
  test('no errors in any template (warnings listed)', (t) => {
    const version = cfnLintVersion();
    if (!version) {
      t.skip('cfn-lint not installed: pip install cfn-lint (CI installs it; this check did not run)');
      return;
    }
    // A deliberately broken template proves the linter ran and its output is read.
    const canary = join(canaryDir, 'canary.template.json');
    writeFileSync(canary, JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { NoSuchProperty: true } } } }));
    // Every template of the example; of the other variants, every template except the per-region copies of the
    // regional stacks (same code, only the region differs; us-east-1, which carries the global rules, stays in).
    const regionalCopy = /-(?!us-east-1\.)[a-z]{2}-[a-z]+-\d\.template\.json$/;
    const files = [...runs.entries()].flatMap(([name, r]) => (name === 'example' ? r.templateFiles : r.templateFiles.filter((f) => !regionalCopy.test(f))));
    const regions = [...new Set(Object.values(VARIANTS).flatMap((make) => detectionContext(make()).regions))];
    const result = runCfnLint([canary, ...files], { regions });
    const fromCanary = result.findings.filter((f) => f.file === canary);
    assert.ok(fromCanary.some((f) => f.level === 'Error'), `cfn-lint did not flag the canary template: ${JSON.stringify(result.findings.slice(0, 3))}`);
    const real = result.findings.filter((f) => f.file !== canary);
    const errors = real.filter((f) => f.level === 'Error');
    const others = real.filter((f) => f.level !== 'Error');
    t.diagnostic(`${version}: ${files.length} templates, ${regions.length} regions, ${errors.length} errors, ${others.length} warnings/informational`);
    for (const line of formatCfnLint(others).split('\n').filter(Boolean)) t.diagnostic(line);
    assert.equal(errors.length, 0, `cfn-lint errors:\n${formatCfnLint(errors)}`);
  });
});

describe('validation: the checks themselves work', () => {
  test('the CloudFormation validation flag is on in the app context', () => {
    assert.equal(APP_CONTEXT[VALIDATE_FLAG], true);
  });

  test('with that flag, an invalid event pattern fails synthesis', () => {
    const app = new App({ outdir: join(canaryDir, 'invalid'), context: { ...APP_CONTEXT } });
    const stack = new Stack(app, 'Invalid', { env: { account: '111111111111', region: 'us-east-1' } });
    new events.CfnRule(stack, 'Rule', { eventPattern: { source: 'aws.sts' } }); // values must be arrays
    assert.throws(() => app.synth(), /Validation failed/);
    const { findings } = readValidationReport(join(canaryDir, 'invalid'), 'main');
    assert.deepEqual(findings.map((f) => `${f.plugin} ${f.severity} ${f.path}`), [`${CFN_VALIDATE_PLUGIN} error Invalid/Rule`]);
  });

  test('the nag helper reports an unacknowledged finding with its construct path, and honours acknowledgements', () => {
    const outdir = join(canaryDir, 'nag');
    const app = new App({ outdir, context: { ...APP_CONTEXT, '@aws-cdk/core:failSynthOnValidationErrors': false } });
    const stack = new Stack(app, 'Canary', { env: { account: '111111111111', region: 'us-east-1' } });
    new sns.Topic(stack, 'Plain'); // no TLS-only topic policy: AwsSolutions-SNS3
    const acked = new sns.Topic(stack, 'Acknowledged');
    Validations.of(acked).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'canary' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const { findings } = readValidationReport(outdir, 'main');
    const rules = findings.map((f) => `${f.rule} ${f.path}`).sort();
    assert.deepEqual(rules, ['AwsSolutions-SNS3 Canary/Plain/Resource']);
  });
});
