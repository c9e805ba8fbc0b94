/**
 * One measured process of bench/synth.bench.ts (started by it, with its tsx loader):
 *
 *   node --import tsx bench/synth/child.ts case '{"name":"1 account","kind":"accounts","size":1}'
 *   node --import tsx bench/synth/child.ts eager-import
 *
 * `case` imports aws-cdk-lib and the project modules (timed apart), validates a config generated from the example
 * with the case's targets, then times the first build + synth ("cold") and the best of WARM_REPS later ones with
 * fresh Apps ("warm", and again with CDK_VALIDATION=false), and inspects the assembly. `eager-import` times loading
 * every namespace of aws-cdk-lib. Each prints one RESULT_MARK line of JSON. Only node: built-ins and the project
 * modules next to this file are loaded (in the parent's snapshot, the copy of lib/ taken at its start).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { accountIds, ouIds, RESULT_MARK, targetsOf, WARM_REPS, type AssemblyStats, type Case, type EagerImport, type RunResult, type Timing } from './common';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml');

type BuildApp = typeof import('../../lib/app').buildApp;
type Built = ReturnType<BuildApp>;
type Assembly = ReturnType<Built['app']['synth']>;

const report = (r: RunResult | EagerImport) => process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(r)}\n`);

function measureCase(c: Case): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const t0 = performance.now();
  require('aws-cdk-lib');
  const t1 = performance.now();
  const { buildApp } = require('../../lib/app') as typeof import('../../lib/app');
  const { loadConfigFile, parseConfigText } = require('../../lib/config/load') as typeof import('../../lib/config/load');
  const { stackIds } = require('../../lib/stacks/names') as typeof import('../../lib/stacks/names');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const t2 = performance.now();
  const rssAfterImportMiB = process.memoryUsage().rss / 2 ** 20;

  const raw = structuredClone(loadConfigFile(EXAMPLE).config) as unknown as { organization: { targets: unknown } };
  raw.organization.targets = targetsOf(c);
  const text = JSON.stringify(raw);
  const t3 = performance.now();
  const config = parseConfigText(text, 'bench-config.json');
  const t4 = performance.now();

  // Cold: the first build in this process, as `breakglass synth` runs it. aws-cdk-lib loads its modules lazily, so
  // this includes loading most of the library and JIT warm-up. Peak RSS is read right after it.
  const cold = timedSynth(buildApp, config, () => {});
  const peakRssMiB = process.resourceUsage().maxRSS / 1024; // ru_maxrss is in KiB on Linux
  // Warm: further fresh Apps in the same process; what the config itself costs. Best of WARM_REPS (the least disturbed).
  let stats: AssemblyStats | undefined;
  const warm = best(WARM_REPS, () => timedSynth(buildApp, config, (outdir, built, assembly) => { stats ??= inspect(c, outdir, built, assembly, stackIds.memberStackSets); }));
  // Diagnostic only: the same with aws-cdk-lib's built-in CloudFormation validator switched off (CDK_VALIDATION=false
  // is read at synth time), to tell the validator's share from the rest of synthesis.
  process.env.CDK_VALIDATION = 'false';
  const warmNoValidation = best(WARM_REPS, () => timedSynth(buildApp, config, () => {}));
  delete process.env.CDK_VALIDATION;
  report({ cdkImportMs: t1 - t0, appImportMs: t2 - t1, validateMs: t4 - t3, cold, warm, warmNoValidation, ...stats!, rssAfterImportMiB, peakRssMiB });
}

/** Fields of the run with the smallest wall time; CPU time is the minimum on its own. */
function best(n: number, run: () => Timing): Timing {
  const runs = Array.from({ length: n }, run);
  const fastest = runs.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
  return { ...fastest, cpuMs: Math.min(...runs.map((r) => r.cpuMs)) };
}

function timedSynth(buildApp: BuildApp, config: Parameters<BuildApp>[0], look: (outdir: string, built: Built, assembly: Assembly) => void): Timing {
  const outdir = mkdtempSync(join(tmpdir(), 'breakglass-bench-'));
  try {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const built = buildApp(config, { outdir });
    const t1 = performance.now();
    const assembly = built.app.synth();
    const t2 = performance.now();
    const cpu = process.cpuUsage(c0);
    look(outdir, built, assembly);
    return { buildMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function inspect(c: Case, outdir: string, built: Built, assembly: Assembly, stackSetsStack: string): AssemblyStats {
  const first = c.kind === 'accounts' ? accountIds(1)[0]! : ouIds(1)[0]!;
  const occurrences: Record<string, number> = {};
  let largestOther = { name: '', bytes: 0 };
  let stackSetBytes = 0;
  let targetsInStackSet = 0;
  for (const s of assembly.stacks) {
    const body = readFileSync(join(outdir, s.templateFile), 'utf8');
    const bytes = Buffer.byteLength(body, 'utf8');
    const hits = body.split(first).length - 1;
    if (hits) occurrences[s.templateFile] = hits;
    if (s.stackName === stackSetsStack) {
      stackSetBytes = bytes;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      for (const r of Object.values(s.template.Resources as Record<string, { Type: string; Properties?: any }>)) {
        if (r.Type !== 'AWS::CloudFormation::StackSet') continue;
        for (const g of r.Properties?.StackInstancesGroup ?? []) {
          // Only the kind under test: an OU StackSet may also list accounts (e.g. excluded ones with AccountFilterType).
          targetsInStackSet += (c.kind === 'accounts' ? g.DeploymentTargets?.Accounts?.length : g.DeploymentTargets?.OrganizationalUnitIds?.length) ?? 0;
        }
      }
    } else if (bytes > largestOther.bytes) {
      largestOther = { name: s.stackName, bytes };
    }
  }
  return {
    stacks: assembly.stacks.length,
    stackNames: assembly.stacks.map((s) => s.stackName),
    stackSetTemplateBytes: stackSetBytes,
    largestOtherTemplate: largestOther,
    assemblyBytes: dirBytes(outdir),
    memberTemplateBytes: Buffer.byteLength(JSON.stringify(built.memberTemplate), 'utf8'),
    targetsInStackSet,
    firstTargetOccurrences: occurrences,
  };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** Loads every namespace of aws-cdk-lib eagerly (what a non-lazy import would cost). */
function eagerImport(): void {
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('aws-cdk-lib') as Record<string, unknown>;
  const t1 = performance.now();
  // Namespaces (aws_iam, custom_resources, ...) are the lower-case exports; each is a lazy getter, and so are the
  // classes inside them. Touching every export of every namespace loads the whole library.
  let modules = 0;
  for (const k of Object.keys(lib).filter((x) => /^[a-z]/.test(x))) {
    const ns = lib[k];
    if (!ns || typeof ns !== 'object') continue;
    for (const e of Object.keys(ns)) void (ns as Record<string, unknown>)[e];
    modules++;
  }
  const t2 = performance.now();
  report({ rootMs: t1 - t0, allMs: t2 - t0, modules, rssMiB: process.resourceUsage().maxRSS / 1024 });
}

if (require.main === module) {
  const [what, arg] = process.argv.slice(2);
  if (what === 'case' && arg) measureCase(JSON.parse(arg) as Case);
  else if (what === 'eager-import') eagerImport();
  else { process.stderr.write('usage: node --import tsx bench/synth/child.ts case CASE_JSON | eager-import\n'); process.exitCode = 2; }
}
