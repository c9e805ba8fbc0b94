/**
 * Runs cfn-lint (the pip package, v1.x, offline) once over many template files and returns its findings.
 * One process for every template: cfn-lint's start-up dominates, so batching keeps the test fast.
 */
import { spawnSync } from 'node:child_process';

export interface CfnLintFinding {
  readonly rule: string;
  /** "Error" | "Warning" | "Informational" */
  readonly level: string;
  readonly message: string;
  readonly file: string;
  /** Path inside the template, e.g. "Resources/Foo/Properties/Bar". */
  readonly path: string;
}

export interface CfnLintResult {
  readonly version: string;
  readonly findings: CfnLintFinding[];
}

/** The version line of cfn-lint on PATH, or undefined when it is not installed. */
export function cfnLintVersion(): string | undefined {
  const r = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim();
}

export interface CfnLintOptions {
  /** Regions to lint for (resource and property availability differ by region). @default cfn-lint's default, us-east-1 */
  readonly regions?: readonly string[];
}

export function runCfnLint(files: readonly string[], opts: CfnLintOptions = {}): CfnLintResult {
  const version = cfnLintVersion();
  if (!version) throw new Error('cfn-lint is not installed (pip install cfn-lint)');
  const args = ['--format', 'json'];
  if (opts.regions?.length) args.push('--regions', ...opts.regions);
  args.push('--', ...files);
  const r = spawnSync('cfn-lint', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // Exit status is a bit mask: 2 errors, 4 warnings, 8 informational; 1 means cfn-lint itself failed.
  if (r.error || r.status === null || (r.status & 1) === 1) {
    throw new Error(`cfn-lint failed (status ${r.status}): ${r.error?.message ?? ''}${r.stderr}`);
  }
  let raw: any[];
  try {
    raw = JSON.parse(r.stdout || '[]');
  } catch {
    throw new Error(`cfn-lint printed no JSON (status ${r.status}): ${r.stdout.slice(0, 2000)}${r.stderr.slice(0, 2000)}`);
  }
  return {
    version,
    findings: raw.map((m) => ({
      rule: m.Rule?.Id ?? '?',
      level: m.Level ?? '?',
      message: m.Message ?? '',
      file: m.Filename ?? '',
      path: Array.isArray(m.Location?.Path) ? m.Location.Path.join('/') : '',
    })),
  };
}

export function formatCfnLint(findings: readonly CfnLintFinding[]): string {
  return findings.map((f) => `  ${f.level} ${f.rule} ${f.file.split('/').pop()} ${f.path}: ${f.message}`).join('\n');
}
