/**
 * Synthesis benchmark (a script, not a test): how long `buildApp` + `app.synth()` take, how large the StackSets
 * template gets and how much memory a run needs, for growing target lists.
 *
 *   npm run bench                                    all cases, 1 warm-up + 5 measured runs each, updates docs/benchmarks.md
 *   npm run bench -- --runs 3 --warmup 0 --no-write   quicker, prints only
 *   npm run bench -- --accounts 1,5000 --ous none      choose the cases
 *   npm run bench -- --report-from .bench/synth-results.json   re-render the last measurement without measuring
 *
 * Every run is a fresh Node process (same tsx loader as this one) over a copy of lib/ taken at the start, so edits
 * made to the working tree during a long run cannot mix versions. In the child, `require('aws-cdk-lib')` and the
 * project modules are timed apart; because aws-cdk-lib loads its namespaces and classes lazily, most of the real
 * library loading happens during the first build, so the child reports that first build ("cold") apart from the best
 * of 3 later builds with fresh Apps ("warm"), and one extra process times an eager load of the whole library.
 * Wall time and CPU time are both recorded; CPU time is the one used to judge growth, as it is much less disturbed
 * by other processes on the machine. The parent imports only node: built-ins.
 *
 * Cases start from examples/breakglass.config.yaml (includeManagementAccount, regions, users as there) and replace
 * organization.targets: either N explicit accounts (generated 12-digit IDs, no OUs; self-managed StackSet) or N OUs
 * (generated "ou-ab12-xxxxxxxx" IDs, no accounts; service-managed StackSet). The config passes the same validation
 * as a user's file (parseConfigText), timed separately.
 *
 * What is checked: the target list may cost only its own size, once, in the one StackSet resource. The child counts
 * in which templates, and how often, the first generated target ID occurs; the parent prints the growth over the
 * smallest case per 1000 targets, and fits the exponent of the extra CPU time between the two largest sizes
 * (~1 linear, ~2 quadratic). A warm run with CDK_VALIDATION=false (aws-cdk-lib's built-in CloudFormation validator
 * off) shows how much of the time and growth is that validator's.
 */
import { writeSection } from './benchmarks-doc';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'breakglass.config.yaml');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
/** Raw results of the last measurement (.bench/ is git-ignored); `--report-from` re-renders them. */
const RAW = join(ROOT, '.bench', 'synth-results.json');
const RESULT_MARK = 'BENCH_RESULT ';
/** Warm builds per process; the fastest counts. */
const WARM_REPS = 3;
/** CloudFormation limits referred to in the output. */
const LIMITS = {
  /** Template body in an S3 object (CreateStack/UpdateStack with TemplateURL); the CDK CLI uploads templates > 50 KiB. */
  templateUrl: 1_048_576,
  /** Template body passed inline (TemplateBody). */
  templateBody: 51_200,
  /** OUs per CreateStackInstances operation (CloudFormation API reference, CreateStackInstances). */
  ousPerOperation: 50,
};

interface Case {
  readonly name: string;
  readonly kind: 'accounts' | 'ous';
  readonly size: number;
}

interface Timing {
  /** `buildApp`, which includes synthesizing the member-template app. */
  readonly buildMs: number;
  /** `app.synth()` of the main app into a temporary directory. */
  readonly synthMs: number;
  readonly totalMs: number;
  /** CPU time (user + system, all threads of the process) over build + synth; less disturbed by other load than wall time. */
  readonly cpuMs: number;
}

/** What the synthesized assembly looks like (taken from the warm run; the cold one writes the same files). */
interface AssemblyStats {
  readonly stacks: number;
  readonly stackNames: string[];
  readonly stackSetTemplateBytes: number;
  readonly largestOtherTemplate: { name: string; bytes: number };
  readonly assemblyBytes: number;
  readonly memberTemplateBytes: number;
  /** Targets of the kind under test (accounts or OUs) in the StackSet resource(s) of the StackSets stack. */
  readonly targetsInStackSet: number;
  /** Templates (file names) that mention the first generated target ID, with the number of occurrences. */
  readonly firstTargetOccurrences: Record<string, number>;
}

interface RunResult extends AssemblyStats {
  /** `require('aws-cdk-lib')`: the root module only; its namespaces and classes are lazy getters. */
  readonly cdkImportMs: number;
  /** The project modules (TypeScript through tsx) and the aws-cdk-lib modules they pull in at load time. */
  readonly appImportMs: number;
  /** parseConfigText of the generated config (zod schema + semantic checks). */
  readonly validateMs: number;
  /** First build + synth in the process: what `breakglass synth` pays, lazy module loading and JIT included. */
  readonly cold: Timing;
  /** Best of WARM_REPS further builds + synths in the same process, each with a fresh App: the cost of the config itself. */
  readonly warm: Timing;
  /** As warm, with CDK_VALIDATION=false (aws-cdk-lib's built-in CloudFormation validator off); diagnostic only. */
  readonly warmNoValidation: Timing;
  readonly rssAfterImportMiB: number;
  /** ru_maxrss right after the cold run (a `breakglass synth` process peaks at this). */
  readonly peakRssMiB: number;
  /** Wall time of the whole child process as seen by the parent. */
  processMs?: number;
}

interface EagerImport {
  readonly rootMs: number;
  readonly allMs: number;
  readonly modules: number;
  readonly rssMiB: number;
}

// ---------------------------------------------------------------- generated targets

export function accountIds(n: number): string[] {
  // 3xxxxxxxxxxx: 12 digits, never the example's management (111111111111) or security (222222222222) account.
  return Array.from({ length: n }, (_, i) => String(300_000_000_000 + i * 7 + 1));
}

export function ouIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `ou-ab12-${(i + 1).toString(36).padStart(8, '0')}`);
}

function targetsOf(c: Case): { organizationalUnits: string[]; accounts: string[] } {
  return c.kind === 'accounts' ? { organizationalUnits: [], accounts: accountIds(c.size) } : { organizationalUnits: ouIds(c.size), accounts: [] };
}

// ---------------------------------------------------------------- child: one measured synthesis

function child(c: Case): void {
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('aws-cdk-lib');
  const t1 = performance.now();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { buildApp } = require('../lib/app') as typeof import('../lib/app');
  const { loadConfigFile, parseConfigText } = require('../lib/config/load') as typeof import('../lib/config/load');
  const { stackIds } = require('../lib/stacks/names') as typeof import('../lib/stacks/names');
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
  const result: RunResult = {
    cdkImportMs: t1 - t0,
    appImportMs: t2 - t1,
    validateMs: t4 - t3,
    cold,
    warm,
    warmNoValidation,
    ...stats!,
    rssAfterImportMiB,
    peakRssMiB,
  };
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`);
}

/** Fields of the run with the smallest wall time; CPU time is the minimum on its own. */
function best(n: number, run: () => Timing): Timing {
  const runs = Array.from({ length: n }, run);
  const fastest = runs.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
  return { ...fastest, cpuMs: Math.min(...runs.map((r) => r.cpuMs)) };
}

type BuildApp = typeof import('../lib/app').buildApp;
type Built = ReturnType<BuildApp>;
type Assembly = ReturnType<Built['app']['synth']>;

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
  const first = c.kind === 'accounts' ? accountIds(1)[0] : ouIds(1)[0];
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

/** One-off: load every namespace of aws-cdk-lib eagerly (what a non-lazy import would cost). */
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
  const r: EagerImport = { rootMs: t1 - t0, allMs: t2 - t0, modules, rssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(r)}\n`);
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

// ---------------------------------------------------------------- parent: orchestration and report

interface Options {
  runs: number;
  warmup: number;
  accounts: number[];
  ous: number[];
  write: boolean;
  snapshot: boolean;
  reportFrom?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, warmup: 1, accounts: [1, 100, 1000, 5000], ous: [1, 50], write: true, snapshot: true };
  const list = (v: string | undefined) => (v ?? '').split(',').filter(Boolean).map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 1) throw new Error(`expected a comma-separated list of positive integers, got "${v}"`);
    return n;
  });
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Math.max(1, Number(argv[++i]));
    else if (a === '--warmup') o.warmup = Math.max(0, Number(argv[++i]));
    else if (a === '--accounts') o.accounts = argv[i + 1] === 'none' ? (i++, []) : list(argv[++i]);
    else if (a === '--ous') o.ous = argv[i + 1] === 'none' ? (i++, []) : list(argv[++i]);
    else if (a === '--no-write') o.write = false;
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--report-from') o.reportFrom = argv[++i];
    else throw new Error(`unknown argument "${a}" (expected --runs N, --warmup N, --accounts 1,100|none, --ous 1,50|none, --no-write, --no-snapshot, --report-from FILE)`);
  }
  return o;
}

/**
 * Copies the sources the children run (lib/, examples/, this script, package and TS config) into a temporary
 * directory, with node_modules linked, so that edits to the working tree during a long run cannot mix versions.
 */
function snapshot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'breakglass-bench-src-'));
  for (const p of ['lib', 'examples', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  mkdirSync(join(dir, 'bench'));
  cpSync(__filename, join(dir, 'bench', basename(__filename)));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** What was measured: commit, uncommitted changes under lib/, and a hash of the lib/ tree as copied. */
function sourceVersion(dir: string): string {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : '';
  };
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else hash.update(`${relative(dir, p)}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(join(dir, 'lib'));
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'lib', 'examples') !== '';
  return `commit ${head}${dirty ? ' plus uncommitted changes in lib/ or examples/' : ''} (lib/ tree sha256 ${hash.digest('hex').slice(0, 12)})`;
}

let childScript = __filename;

function runChild<T>(args: string[], label: string): T & { processMs: number } {
  const start = performance.now();
  const root = join(dirname(childScript), '..');
  const r = spawnSync(process.execPath, [...process.execArgv, childScript, ...args], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: 15 * 60_000,
  });
  const processMs = performance.now() - start;
  const line = r.stdout?.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (r.status !== 0 || !line) {
    throw new Error(`${label}: child failed (status ${r.status}, signal ${r.signal})\n${r.stderr}\n${r.stdout}`);
  }
  return { ...(JSON.parse(line.slice(RESULT_MARK.length)) as T), processMs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stat = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const fmtStat = (s: { median: number; min: number; max: number }) => `${ms(s.median)} (${ms(s.min)}–${ms(s.max)})`;

interface CaseSummary {
  readonly c: Case;
  readonly runs: RunResult[];
}

function machine(): { lines: string[]; date: string } {
  const cpuModel = (() => {
    try {
      const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
      return m ? m[1].trim() : cpus()[0]?.model ?? 'unknown';
    } catch { return cpus()[0]?.model ?? 'unknown'; }
  })();
  const nproc = (() => {
    const r = spawnSync('nproc', { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : String(cpus().length);
  })();
  const date = (() => {
    const r = spawnSync('date', ['-u', '+%Y-%m-%d'], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : new Date().toISOString().slice(0, 10);
  })();
  const pkg = (name: string) => {
    try { return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version; } catch { return '?'; }
  };
  return {
    date,
    lines: [
      `- Date (UTC): ${date}`,
      `- Machine: ${nproc} CPUs (nproc), ${cpuModel}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform}/${process.arch}`,
      `- Node ${process.version}, aws-cdk-lib ${pkg('aws-cdk-lib')}, tsx ${pkg('tsx')}`,
    ],
  };
}

function report(summaries: CaseSummary[], eager: EagerImport & { processMs: number }, o: Options): string {
  const out: string[] = [];
  const allRuns = summaries.flatMap((s) => s.runs);
  const t = (runs: RunResult[], f: (r: RunResult) => number) => fmtStat(stat(runs.map(f)));
  out.push(`Method: ${o.warmup} warm-up run (discarded) + ${o.runs} measured runs per case, each in a fresh \`node\` process with the tsx`
    + ' loader. Each process imports, validates the config, then builds and synthesizes into temporary directories (removed'
    + ' afterwards). **Cold** is the first `buildApp` + `app.synth()` in the process: what `breakglass synth` pays after its imports;'
    + ' aws-cdk-lib loads its modules lazily, so this includes most of the library loading and JIT warm-up. **Warm** is the best of'
    + ` ${WARM_REPS} further builds in the same process, each with a fresh \`App\`: the cost of the config itself. "build" is`
    + ' `buildApp` (includes synthesizing the member-template app), "synth" is `app.synth()` of the main app. CPU is user + system'
    + ' time of the process over build + synth; it is far less disturbed by other load on the machine than wall time, so the growth'
    + ' analysis uses it. The CDK_VALIDATION=false columns repeat the warm runs with aws-cdk-lib\'s built-in CloudFormation validator'
    + ' switched off, only to show its share (the project runs with it on). Times in ms, median (min–max) over the measured'
    + ' processes. Peak RSS is `ru_maxrss` right after the cold run, imports included. Template sizes are the files `app.synth()`'
    + ' writes (pretty-printed JSON).');
  out.push('');
  out.push('Import cost (once per process, all measured runs of all cases; the eager line is one extra process):');
  out.push('');
  out.push('| what | ms, median (min–max) |');
  out.push('| --- | --- |');
  out.push(`| \`require('aws-cdk-lib')\` (root only; namespaces and classes are lazy getters) | ${t(allRuns, (r) => r.cdkImportMs)} |`);
  out.push(`| project modules (\`lib/app\`, config loader; TypeScript through tsx) | ${t(allRuns, (r) => r.appImportMs)} |`);
  out.push(`| for comparison: eager load of all ${eager.modules} aws-cdk-lib namespaces | ${ms(eager.allMs)} (RSS ${eager.rssMiB.toFixed(0)} MiB) |`);
  out.push(`| RSS after the project imports (MiB) | ${t(allRuns, (r) => r.rssAfterImportMiB)} |`);
  out.push(`| whole child process, spawn to exit (imports, config validation, cold, ${2 * WARM_REPS} warm runs) | ${t(allRuns, (r) => r.processMs ?? 0)} |`);
  out.push('');
  out.push('| case | targets in StackSet | stacks | config validation ms | cold total ms | cold CPU ms | warm build ms | warm synth ms | warm total ms | warm CPU ms | warm total ms, CDK_VALIDATION=false | StackSets template | largest other template | cloud assembly | peak RSS MiB |');
  out.push('| --- | ---: | ---: | ---: | --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const { c, runs } of summaries) {
    const r0 = runs[0];
    out.push(`| ${c.name} | ${r0.targetsInStackSet} | ${r0.stacks} | ${ms(median(runs.map((r) => r.validateMs)))} `
      + `| ${t(runs, (r) => r.cold.totalMs)} | ${t(runs, (r) => r.cold.cpuMs)} | ${t(runs, (r) => r.warm.buildMs)} | ${t(runs, (r) => r.warm.synthMs)} | ${t(runs, (r) => r.warm.totalMs)} `
      + `| ${t(runs, (r) => r.warm.cpuMs)} | ${t(runs, (r) => r.warmNoValidation.totalMs)} `
      + `| ${kib(r0.stackSetTemplateBytes)} | ${kib(r0.largestOtherTemplate.bytes)} | ${kib(r0.assemblyBytes)} | ${t(runs, (r) => r.peakRssMiB)} |`);
  }
  out.push('');
  const r0 = allRuns[0];
  if (r0) {
    const same = allRuns.every((r) => r.stacks === r0.stacks);
    out.push(`Stacks: ${r0.stacks}${same ? ' in every case' : ' (varies, see table)'}: ${compactStackNames(r0.stackNames)}. The member template is a`
      + ` separately synthesized app (1 more stack; ${kib(r0.memberTemplateBytes)} minified, inlined as the StackSet TemplateBody, limit`
      + ` ${LIMITS.templateBody} bytes). "Largest other template" is ${r0.largestOtherTemplate.name}.`);
    out.push('');
  }

  // Where does the first generated target appear? Expected: the StackSets template only, once.
  const spread = summaries.map(({ c, runs }) => {
    const where = Object.entries(runs[0].firstTargetOccurrences).map(([f, n]) => `${f.replace(/\.template\.json$/, '')} ×${n}`).join(', ') || 'nowhere';
    return `${c.name}: ${where}`;
  });
  out.push(`First generated target ID found in — ${spread.join('; ')}.`);
  out.push('');

  const growth: string[] = [];
  const growthOk: string[] = [];
  for (const kind of ['accounts', 'ous'] as const) {
    const s = summaries.filter((x) => x.c.kind === kind).sort((a, b) => a.c.size - b.c.size);
    if (s.length < 2) continue;
    const unit = kind === 'accounts' ? 'accounts' : 'OUs';
    const base = s[0];
    const dm = (x: CaseSummary, f: (r: RunResult) => number) => median(x.runs.map(f)) - median(base.runs.map(f));
    out.push(`Growth over the smallest case (${base.c.name}), differences of medians. Linear cost shows as a constant "per 1000" column;`
      + ' differences below ~50 ms CPU are noise:');
    out.push('');
    out.push(`| ${unit} | Δ cold ms | Δ warm ms | Δ warm CPU ms | Δ warm CPU ms per 1000 | Δ warm CPU ms per 1000, CDK_VALIDATION=false | Δ StackSets template bytes | bytes per added target | Δ peak RSS MiB |`);
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of s.slice(1)) {
      const d = x.c.size - base.c.size;
      const dc = dm(x, (r) => r.warm.cpuMs);
      const dn = dm(x, (r) => r.warmNoValidation.cpuMs);
      const db = x.runs[0].stackSetTemplateBytes - base.runs[0].stackSetTemplateBytes;
      // Per 1000 only where at least 500 targets were added; below that it scales noise up more than it shows cost.
      const per1000 = (v: number) => (d >= 500 ? (v / d * 1000).toFixed(0) : '–');
      out.push(`| ${x.c.size} | ${dm(x, (r) => r.cold.totalMs).toFixed(0)} | ${dm(x, (r) => r.warm.totalMs).toFixed(0)} | ${dc.toFixed(0)} `
        + `| ${per1000(dc)} | ${per1000(dn)} | ${db} | ${(db / d).toFixed(1)} | ${dm(x, (r) => r.peakRssMiB).toFixed(0)} |`);
    }
    out.push('');
    // Growth exponent of the extra warm CPU time between the two largest sizes: ~1 linear, ~2 quadratic.
    if (s.length >= 3) {
      const [a, b] = s.slice(-2);
      const da = dm(a, (r) => r.warm.cpuMs);
      const db = dm(b, (r) => r.warm.cpuMs);
      const cpu = (x: CaseSummary) => ms(median(x.runs.map((r) => r.warm.cpuMs)));
      const floor = 50; // ms of CPU: below this a difference is not told from noise
      if (db > floor) {
        // With the smaller difference inside the noise, it is taken as the floor: the exponent is then a lower bound.
        const bound = da <= floor;
        const k = Math.log(db / Math.max(da, floor)) / Math.log((b.c.size - base.c.size) / (a.c.size - base.c.size));
        const kText = `${bound ? 'at least ' : ''}n^${k.toFixed(2)}`;
        out.push(`Extra warm CPU time grows as ${kText} between ${a.c.size} and ${b.c.size} ${unit} (1 = linear, 2 = quadratic)`
          + `${bound ? `; the extra at ${a.c.size} (${da.toFixed(0)} ms) is within noise and taken as ${floor} ms, so this is a lower bound` : ''}.`);
        out.push('');
        const dnb = dm(b, (r) => r.warmNoValidation.cpuMs);
        const what = `warm CPU ${cpu(base)} ms at ${base.c.size}, ${cpu(a)} ms at ${a.c.size}, ${cpu(b)} ms at ${b.c.size}: the extra time grows as ${kText};`
          + ` with aws-cdk-lib's built-in CloudFormation validator off (CDK_VALIDATION=false) the extra at ${b.c.size} is ${dnb.toFixed(0)} ms`;
        (k > 1.4 ? growth : growthOk).push(`${unit}: ${what}`);
      } else {
        growthOk.push(`${unit}: extra warm CPU time ${da.toFixed(0)} ms at ${a.c.size}, ${db.toFixed(0)} ms at ${b.c.size}, within noise`);
      }
    }
  }

  const problems: string[] = [];
  for (const { c, runs } of summaries) {
    const bytes = runs[0].stackSetTemplateBytes;
    if (bytes > LIMITS.templateUrl) problems.push(`${c.name}: StackSets template ${kib(bytes)} exceeds CloudFormation's 1 MiB template limit`);
    if (c.kind === 'ous' && c.size > LIMITS.ousPerOperation) problems.push(`${c.name}: more than ${LIMITS.ousPerOperation} OUs per CreateStackInstances operation`);
    const others = Object.keys(runs[0].firstTargetOccurrences).filter((f) => !f.startsWith('Breakglass-MemberStackSets'));
    if (others.length) problems.push(`${c.name}: target list also copied into ${others.join(', ')}`);
    if (runs[0].targetsInStackSet !== c.size) problems.push(`${c.name}: StackSet has ${runs[0].targetsInStackSet} targets, expected ${c.size}`);
  }
  out.push(problems.length ? `**Limit problems:** ${problems.join('; ')}.`
    : `Limits: no case exceeds CloudFormation's 1 MiB template limit (${LIMITS.templateUrl} bytes), and the target list appears only in the StackSets template, once.`);
  out.push('');
  if (growth.length) out.push(`**Scaling problem:** ${growth.join('; ')}.`);
  if (growthOk.length) out.push(`Scaling${growth.length ? ', otherwise' : ''}: ${growthOk.join('; ')}.`);
  return out.join('\n');
}

/** Groups the per-region stacks ("Breakglass-Security-<region> ×16") so the line stays short. */
function compactStackNames(names: string[]): string {
  const groups = new Map<string, number>();
  for (const n of names) {
    const m = /^(.*?)-([a-z]{2}(?:-gov)?-[a-z]+-\d)$/.exec(n);
    const key = m ? `${m[1]}-<region>` : n;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups.entries()].map(([k, count]) => (count > 1 ? `${k} ×${count}` : k)).join(', ');
}

function writeDoc(section: string): void {
  writeSection('## Synthesis', section, DOC);
}

const loadNow = (): string => loadavg().map((x) => x.toFixed(2)).join(' / ');

/** Everything a report is made from; saved so the Markdown can be re-rendered without measuring again. */
interface Measurement {
  readonly options: Options;
  readonly machineLines: string[];
  readonly version: string;
  readonly snapshot: boolean;
  readonly loadStart: string;
  readonly loadEnd: string;
  readonly summaries: CaseSummary[];
  readonly eager: EagerImport & { processMs: number };
}

function measure(o: Options): Measurement {
  const cases: Case[] = [
    ...o.accounts.map((n): Case => ({ name: `${n} account${n === 1 ? '' : 's'}`, kind: 'accounts', size: n })),
    ...o.ous.map((n): Case => ({ name: `${n} OU${n === 1 ? '' : 's'}`, kind: 'ous', size: n })),
  ];
  const m = machine();
  const loadStart = loadNow();
  const snap = o.snapshot ? snapshot() : undefined;
  const version = sourceVersion(snap ?? ROOT);
  if (snap) childScript = join(snap, 'bench', basename(__filename));
  process.stderr.write(`${m.lines.join('\n')}\n- load ${loadStart}\n- sources: ${version}${snap ? `, snapshot in ${snap}` : ''}\n`);
  const summaries: CaseSummary[] = [];
  try {
    for (const c of cases) {
      const runs: RunResult[] = [];
      for (let i = 0; i < o.warmup + o.runs; i++) {
        const warm = i < o.warmup;
        const r = runChild<RunResult>(['--child', JSON.stringify(c)], c.name);
        process.stderr.write(`${c.name.padEnd(14)} ${warm ? 'warm-up' : `run ${i - o.warmup + 1}  `}  cold ${ms(r.cold.totalMs).padStart(6)} ms  `
          + `warm ${ms(r.warm.totalMs).padStart(6)} ms  StackSets template ${kib(r.stackSetTemplateBytes)}  peak RSS ${r.peakRssMiB.toFixed(0)} MiB\n`);
        if (!warm) runs.push(r);
      }
      summaries.push({ c, runs });
    }
  } finally {
    if (snap) rmSync(snap, { recursive: true, force: true });
    childScript = __filename;
  }
  const eager = runChild<EagerImport>(['--eager-import'], 'eager import');
  process.stderr.write(`eager import of aws-cdk-lib: ${ms(eager.allMs)} ms, ${eager.modules} namespaces\n`);
  return { options: o, machineLines: m.lines, version, snapshot: !!snap, loadStart, loadEnd: loadNow(), summaries, eager };
}

function render(r: Measurement): string {
  const load = `- Load average (1/5/15 min) at start ${r.loadStart}, at end ${r.loadEnd}; other processes on the machine compete for the CPUs, so`
    + ' min–max spreads are part of the result.';
  const sources = `- Sources: ${r.version}${r.snapshot ? '; the children ran a copy taken at the start, so edits during the run do not mix in' : ''}.`;
  return ['## Synthesis', '', `Script: \`npm run bench\` (${relative(ROOT, __filename)}); raw results in \`${relative(ROOT, RAW)}\` (not committed).`,
    '', ...r.machineLines, sources, load, '', report(r.summaries, r.eager, r.options)].join('\n');
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  let r: Measurement;
  if (o.reportFrom) {
    r = JSON.parse(readFileSync(o.reportFrom, 'utf8')) as Measurement;
  } else {
    r = measure(o);
    mkdirSync(dirname(RAW), { recursive: true });
    writeFileSync(RAW, `${JSON.stringify(r, null, 1)}\n`);
  }
  const section = render(r);
  process.stdout.write(`\n${section}\n`);
  if (o.write) {
    writeDoc(section);
    process.stderr.write(`\nwrote ${relative(process.cwd(), DOC)}\n`);
  }
}

if (process.argv[2] === '--child') child(JSON.parse(process.argv[3]) as Case);
else if (process.argv[2] === '--eager-import') eagerImport();
else main();
