/**
 * Runs cdk-nag (v3, a CDK validation plugin) and aws-cdk-lib's own CloudFormation validation over every stack the
 * app synthesizes, including the StackSet member template, and returns every finding that was not acknowledged.
 *
 * How the findings surface (aws-cdk-lib 2.276 + cdk-nag 3.0.2):
 * - Each App runs its plugins after writing its templates and writes `validation-report.json` into its own cloud
 *   assembly directory (the main app: outdir; the member-template app: outdir/member-template.out).
 * - cdk-nag drops findings acknowledged with `Validations.of(construct).acknowledge()` itself, so they never appear
 *   in the report; aws-cdk-lib's own plugin ("CloudFormation Validate") lists acknowledged ones under
 *   `suppressedViolations`.
 * - A report lists only plugins that found something: a clean run writes `pluginReports: []`.
 * - By default a failed validation throws from `app.synth()` (UnscopedValidationError "Validation failed"), and
 *   buildApp synthesizes the member app first, so a member finding would hide every main-app finding. The helper
 *   sets `@aws-cdk/core:failSynthOnValidationErrors: false`: synthesis then completes for both apps and the
 *   reports on disk carry everything (no throw, and process.exitCode is left alone).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../lib/app';
import type { BreakglassConfig } from '../../lib/config/schema';

export const VALIDATION_REPORT_FILE = 'validation-report.json';
export const CFN_VALIDATE_PLUGIN = 'CloudFormation Validate';

export interface ValidationFinding {
  /** Which cloud assembly reported it: the main app or the StackSet member-template app. */
  readonly app: 'main' | 'member';
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  /** Construct path, e.g. "Breakglass-Security/Users/Policy/Resource" ("" if the plugin gave none). */
  readonly path: string;
}

export interface SuppressedFinding extends ValidationFinding {
  readonly acknowledgedId: string;
  readonly reason: string;
}

export interface ValidationReadout {
  readonly findings: ValidationFinding[];
  /** Acknowledged findings of aws-cdk-lib's own plugin (cdk-nag does not report its acknowledged ones). */
  readonly suppressed: SuppressedFinding[];
  /** Plugins that reported something at all, per app (a clean plugin is left out of the report). */
  readonly pluginsReporting: ReadonlyArray<{ app: 'main' | 'member'; plugin: string; conclusion: string }>;
}

/** An acknowledgement recorded with `Validations.of(construct).acknowledge()`, read from the construct tree. */
export interface Acknowledgement {
  readonly app: 'main' | 'member';
  /** Construct path of the scope it was recorded on (it covers that construct and everything below). */
  readonly path: string;
  /** As recorded, e.g. "Annotation::AwsSolutions-SQS3" or "CloudFormation-Validate::W9053". */
  readonly id: string;
  readonly reason: string;
}

/** aws-cdk-lib 2.276 records each acknowledgement as construct metadata of this type, data {[qualified id]: reason}. */
export const ACKNOWLEDGED_RULES_METADATA = 'aws:cdk:acknowledged-rules';

/** Every acknowledgement in an app's construct tree. */
export function acknowledgementsOf(app: IConstruct, which: 'main' | 'member'): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== ACKNOWLEDGED_RULES_METADATA) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, unknown>)) out.push({ app: which, path: c.node.path, id, reason: String(reason ?? '') });
    }
  }
  return out;
}

export interface NagRun extends ValidationReadout {
  readonly dir: string;
  /** Every acknowledgement in both apps (cdk-nag's included, which its report leaves out). */
  readonly acknowledgements: Acknowledgement[];
  /** Every synthesized template file: main app stacks and the member template. */
  readonly templateFiles: string[];
  cleanup(): void;
}

/** Reads one cloud assembly's validation-report.json; a missing report means validation never ran: that throws. */
export function readValidationReport(assemblyDir: string, app: 'main' | 'member'): ValidationReadout {
  const file = join(assemblyDir, VALIDATION_REPORT_FILE);
  if (!existsSync(file)) throw new Error(`no ${VALIDATION_REPORT_FILE} in ${assemblyDir}: validation plugins did not run`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as { pluginReports: any[] };
  const findings: ValidationFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const pluginsReporting: Array<{ app: 'main' | 'member'; plugin: string; conclusion: string }> = [];
  for (const pr of report.pluginReports) {
    pluginsReporting.push({ app, plugin: pr.pluginName, conclusion: pr.conclusion });
    const asFindings = (v: any) => (v.violatingConstructs?.length ? v.violatingConstructs : [{ constructPath: '' }]).map((c: any) => ({
      app, plugin: pr.pluginName, rule: v.ruleName, severity: v.severity, description: v.description, path: c.constructPath ?? '',
    }));
    for (const v of pr.violations ?? []) findings.push(...asFindings(v));
    for (const v of pr.suppressedViolations ?? []) {
      for (const f of asFindings(v)) suppressed.push({ ...f, acknowledgedId: v.acknowledgedId, reason: v.reason ?? '' });
    }
    // A plugin that crashed reports failure, possibly without violations: that must not read as clean.
    if (pr.conclusion === 'failure' && !(pr.violations ?? []).length) {
      findings.push({ app, plugin: pr.pluginName, rule: '(plugin failed)', severity: 'error', description: JSON.stringify(pr.metadata ?? pr), path: '' });
    }
  }
  return { findings, suppressed, pluginsReporting };
}

/** Synthesizes the whole app (main + member template) with the AwsSolutions pack and reads both reports. */
export function nagSynth(config: BreakglassConfig): NagRun {
  const dir = mkdtempSync(join(tmpdir(), 'breakglass-nag-'));
  try {
    const built = buildApp(config, {
      outdir: dir,
      plugins: (app) => [new AwsSolutionsChecks(app)],
      context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
    });
    const assembly = built.app.synth();
    const memberAssembly = built.memberApp.synth();
    const main = readValidationReport(assembly.directory, 'main');
    const member = readValidationReport(memberAssembly.directory, 'member');
    return {
      dir,
      findings: [...main.findings, ...member.findings],
      suppressed: [...main.suppressed, ...member.suppressed],
      pluginsReporting: [...main.pluginsReporting, ...member.pluginsReporting],
      acknowledgements: [...acknowledgementsOf(built.app, 'main'), ...acknowledgementsOf(built.memberApp, 'member')],
      templateFiles: [...assembly.stacks, ...memberAssembly.stacks].map((s) => s.templateFullPath),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** One line per finding, for assertion messages. */
export function formatFindings(findings: readonly ValidationFinding[]): string {
  return findings.map((f) => `  [${f.app}] ${f.severity.toUpperCase()} ${f.rule} at ${f.path || '(no path)'}: ${f.description}`).join('\n');
}
