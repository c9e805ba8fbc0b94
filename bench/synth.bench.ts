/**
 * Synthesis benchmark (a script, not a test): how long `buildApp` + `app.synth()` take, how large the StackSets
 * template gets and how much memory a run needs, for growing target lists.
 *
 *   npm run bench                                   all cases, 1 warm-up + 5 measured runs each, updates docs/benchmarks.md
 *   npm run bench -- --runs 3 --warmup 0 --no-write  quicker, prints only
 *   npm run bench -- --accounts 1,5000 --ous 50       choose the cases
 *
 * Every run is a fresh Node process (same tsx loader as this one), so no run profits from the JIT, module cache or
 * construct state of another. Inside the child the import of aws-cdk-lib and of the project modules is timed apart
 * from synthesis, because the first `require('aws-cdk-lib')` alone takes longer than synthesizing small configs.
 * The parent imports only node: built-ins.
 *
 * Cases start from examples/breakglass.config.yaml (includeManagementAccount, regions, users as there) and replace
 * organization.targets: either N explicit accounts (generated 12-digit IDs, no OUs; self-managed StackSet) or N OUs
 * (generated "ou-ab12-xxxxxxxx" IDs, no accounts; service-managed StackSet). The config passes the same validation
 * as a user's file (parseConfigText), timed separately.
 *
 * What is checked: the target list may cost only its own size, once, in the one StackSet resource. The child counts
 * in how many templates, and how often, the first generated target ID occurs; the parent prints the marginal cost per
 * 1000 targets between consecutive sizes (roughly equal slopes = linear; a growing slope = worse than linear).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(__dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'breakglass.config.yaml');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const RESULT_MARK = 'BENCH_RESULT ';
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
}

/** What the synthesized assembly looks like (taken from the warm run; the cold one writes the same files). */
interface AssemblyStats {
  readonly stacks: number;
  readonly stackNames: string[];
  readonly stackSetTemplateBytes: number;
  readonly largestOtherTemplate: { name: string; bytes: number };
  readonly assemblyBytes: number;
  readonly memberTemplateBytes: number;
  /** Targets found in the StackSet resource(s) of the StackSets stack. */
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
  /** Second build + synth in the same process with a fresh App: the cost of the config itself. */
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
  // Warm: a second, fresh App in the same process; what the config itself costs.
  let stats: AssemblyStats | undefined;
  const warm = timedSynth(buildApp, config, (outdir, built, assembly) => { stats = inspect(c, outdir, built, assembly, stackIds.memberStackSets); });
  // Diagnostic only: the same warm run with aws-cdk-lib's built-in CloudFormation validator switched off
  // (CDK_VALIDATION=false is read at synth time), to tell the validator's share from the rest of synthesis.
  process.env.CDK_VALIDATION = 'false';
  const warmNoValidation = timedSynth(buildApp, config, () => {});
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

type BuildApp = typeof import('../lib/app').buildApp;
type Built = ReturnType<BuildApp>;
type Assembly = ReturnType<Built['app']['synth']>;

function timedSynth(buildApp: BuildApp, config: Parameters<BuildApp>[0], look: (outdir: string, built: Built, assembly: Assembly) => void): Timing {
  const outdir = mkdtempSync(join(tmpdir(), 'breakglass-bench-'));
  try {
    const t0 = performance.now();
    const built = buildApp(config, { outdir });
    const t1 = performance.now();
    const assembly = built.app.synth();
    const t2 = performance.now();
    look(outdir, built, assembly);
    return { buildMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0 };
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
          targetsInStackSet += (g.DeploymentTargets?.Accounts?.length ?? 0) + (g.DeploymentTargets?.OrganizationalUnitIds?.length ?? 0);
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
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, warmup: 1, accounts: [1, 100, 1000, 5000], ous: [1, 50], write: true };
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
    else throw new Error(`unknown argument "${a}" (expected --runs N, --warmup N, --accounts 1,100|none, --ous 1,50|none, --no-write)`);
  }
  return o;
}

function runChild<T>(args: string[], label: string): T & { processMs: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, ...args], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: 15 * 60_000,
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
    + ' loader. Each process imports, validates the config, then builds and synthesizes twice into a temporary directory (removed'
    + ' afterwards): **cold** is the first `buildApp` + `app.synth()` in the process (what `breakglass synth` pays; aws-cdk-lib loads'
    + ' its modules lazily, so this includes most of the library loading and JIT warm-up), **warm** is a second, fresh `App` in the'
    + ' same process (the cost of the config itself). The CDK_VALIDATION=false column repeats the warm run with aws-cdk-lib\'s'
    + ' built-in CloudFormation validator switched off, only to show its share; the project runs with it on. "build" is `buildApp` (includes synthesizing the member-template app), "synth"'
    + ' is `app.synth()` of the main app. Times in ms, median (min–max). Peak RSS is `ru_maxrss` right after the cold run, imports'
    + ' included. Template sizes are the files `app.synth()` writes (pretty-printed JSON).');
  out.push('');
  out.push('Import cost (once per process, all measured runs of all cases; the eager line is one extra process):');
  out.push('');
  out.push('| what | ms, median (min–max) |');
  out.push('| --- | --- |');
  out.push(`| \`require('aws-cdk-lib')\` (root only; namespaces and classes are lazy getters) | ${t(allRuns, (r) => r.cdkImportMs)} |`);
  out.push(`| project modules (\`lib/app\`, config loader; TypeScript through tsx) | ${t(allRuns, (r) => r.appImportMs)} |`);
  out.push(`| for comparison: eager load of all ${eager.modules} aws-cdk-lib namespaces | ${ms(eager.allMs)} (RSS ${eager.rssMiB.toFixed(0)} MiB) |`);
  out.push(`| RSS after the project imports (MiB) | ${t(allRuns, (r) => r.rssAfterImportMiB)} |`);
  out.push(`| whole child process, spawn to exit (import + config validation + cold + 2 warm runs) | ${t(allRuns, (r) => r.processMs ?? 0)} |`);
  out.push('');
  out.push('| case | targets in StackSet | stacks | config validation ms | cold total ms | warm build ms | warm synth ms | warm total ms | warm total, CDK_VALIDATION=false | StackSets template | largest other template | cloud assembly | peak RSS MiB |');
  out.push('| --- | ---: | ---: | ---: | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const { c, runs } of summaries) {
    const r0 = runs[0];
    out.push(`| ${c.name} | ${r0.targetsInStackSet} | ${r0.stacks} | ${ms(median(runs.map((r) => r.validateMs)))} `
      + `| ${t(runs, (r) => r.cold.totalMs)} | ${t(runs, (r) => r.warm.buildMs)} | ${t(runs, (r) => r.warm.synthMs)} | ${t(runs, (r) => r.warm.totalMs)} | ${t(runs, (r) => r.warmNoValidation.totalMs)} `
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

  for (const kind of ['accounts', 'ous'] as const) {
    const s = summaries.filter((x) => x.c.kind === kind).sort((a, b) => a.c.size - b.c.size);
    if (s.length < 2) continue;
    const unit = kind === 'accounts' ? 'accounts' : 'OUs';
    const base = s[0];
    const dm = (x: CaseSummary, f: (r: RunResult) => number) => median(x.runs.map(f)) - median(base.runs.map(f));
    out.push(`Growth over the smallest case (${base.c.name}), differences of medians. Linear cost shows as a constant "per 1000" column;`
      + ' differences of a few tens of ms are within run-to-run noise:');
    out.push('');
    out.push(`| ${unit} | Δ cold ms | Δ warm ms | Δ warm ms per 1000 | Δ warm ms per 1000, CDK_VALIDATION=false | Δ StackSets template bytes | bytes per added target | Δ peak RSS MiB |`);
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of s.slice(1)) {
      const d = x.c.size - base.c.size;
      const dw = dm(x, (r) => r.warm.totalMs);
      const db = x.runs[0].stackSetTemplateBytes - base.runs[0].stackSetTemplateBytes;
      const dn = dm(x, (r) => r.warmNoValidation.totalMs);
      out.push(`| ${x.c.size} | ${dm(x, (r) => r.cold.totalMs).toFixed(0)} | ${dw.toFixed(0)} | ${(dw / d * 1000).toFixed(0)} | ${(dn / d * 1000).toFixed(0)} | ${db} | ${(db / d).toFixed(1)} `
        + `| ${dm(x, (r) => r.peakRssMiB).toFixed(0)} |`);
    }
    out.push('');
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
  out.push(problems.length ? `Problems: ${problems.join('; ')}.`
    : `Limits: no case exceeds CloudFormation's 1 MiB template limit (${LIMITS.templateUrl} bytes) and the target list appears only in the StackSets template.`);
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
  const header = [
    '# Benchmarks',
    '',
    'Measurements of this project on a named machine. Each section records its own machine (`nproc`, CPU model from',
    '`/proc/cpuinfo`, RAM, Node version) and the date it was measured (UTC, from `date -u`), because numbers from',
    'different machines or days are not comparable. Re-run the named script to refresh a section; scripts rewrite',
    'only their own section.',
    '',
  ].join('\n');
  let text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : header;
  const start = text.search(/^## Synthesis\s*$/m);
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}\n`;
  } else {
    const rest = text.slice(start + 1);
    const next = rest.search(/^## /m);
    const end = next === -1 ? text.length : start + 1 + next;
    text = `${text.slice(0, start)}${section}\n${next === -1 ? '' : `\n${text.slice(end)}`}`;
  }
  writeFileSync(DOC, text.endsWith('\n') ? text : `${text}\n`);
}

const loadNow = (): string => loadavg().map((x) => x.toFixed(2)).join(' / ');

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const cases: Case[] = [
    ...o.accounts.map((n): Case => ({ name: `${n} account${n === 1 ? '' : 's'}`, kind: 'accounts', size: n })),
    ...o.ous.map((n): Case => ({ name: `${n} OU${n === 1 ? '' : 's'}`, kind: 'ous', size: n })),
  ];
  const m = machine();
  const loadStart = loadNow();
  process.stderr.write(`${m.lines.join('\n')}\n- load ${loadStart}\n`);
  const summaries: CaseSummary[] = [];
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
  const eager = runChild<EagerImport>(['--eager-import'], 'eager import');
  process.stderr.write(`eager import of aws-cdk-lib: ${ms(eager.allMs)} ms, ${eager.modules} namespaces\n`);
  const body = report(summaries, eager, o);
  const load = `- Load average (1/5/15 min) at start ${loadStart}, at end ${loadNow()}; other processes on the machine compete for the CPUs, so`
    + ' min–max spreads are part of the result.';
  const section = ['## Synthesis', '', `Script: \`npm run bench\` (${relative(ROOT, __filename)}).`, '', ...m.lines, load, '', body].join('\n');
  process.stdout.write(`\n${section}\n`);
  if (o.write) {
    writeDoc(section);
    process.stderr.write(`\nwrote ${relative(process.cwd(), DOC)}\n`);
  }
}

if (process.argv[2] === '--child') child(JSON.parse(process.argv[3]) as Case);
else if (process.argv[2] === '--eager-import') eagerImport();
else main();
