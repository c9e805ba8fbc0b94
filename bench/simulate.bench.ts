/**
 * Simulate / test-pattern benchmark (a script, not a test), for the issue "simulate must be within 2x of parse-only".
 *
 *   npx tsx bench/simulate.bench.ts                         everything below; updates docs/benchmarks.md
 *   npx tsx bench/simulate.bench.ts --runs 3 --moto-limit 20000 --no-write     quicker, prints only
 *   npx tsx bench/simulate.bench.ts --events 200000 --log-records 20000        smaller data set
 *   options: --events N (1000000) --log-records M (100000) --break-glass-rate R (0.025) --seed S (1)
 *            --runs K (5) --warmup W (1) --moto-limit L (100000; 0 = all) --startup-runs J (20)
 *            --no-build --no-moto --no-startup --no-write --profile (always profile) --no-profile
 *            --from-results (re-render the section from .bench/simulate-bench-results.json, no measuring)
 *            --only-startup (re-measure only the test-pattern start-up table, keep the rest of the saved results)
 *
 * On the same files (bench/gen-cloudtrail.ts makes them in .bench/ when missing: JSON Lines, its gzip, and the first
 * M records as a one-line CloudTrail log file), in the same run:
 * 1. Parse-only baseline, plain Node in a child process (.bench/parse-only.cjs, written by this script): stream the
 *    file (1 MiB reads, as lib/detection/read-events.ts), split lines, JSON.parse each; gzip through zlib. The log
 *    file is a single JSON document, so its baseline reads the whole file and JSON.parses it once.
 * 2. `node bin/breakglass.js simulate -c examples/breakglass.config.yaml --json FILE > /dev/null` after
 *    `npm run build`. The bundle's freshness (bin/breakglass.js's own rule) is checked before every run and the
 *    bundle rebuilt if a source changed meanwhile, so no measured run silently goes through tsx; rebuilds are counted.
 * 3. moto's EventBridge matcher (python3 bench/moto-match.py) over the first --moto-limit records of the JSON Lines:
 *    events/s, and per-rule match counts compared with those of simulate (same records, same deployment scope), and
 *    with what the generator intended (the manifest).
 * 4. test-pattern start-up: `node bin/breakglass.js test-pattern -p '{"source":["aws.signin"]}' one-event.json` with a
 *    fresh bundle, with BREAKGLASS_FROM_SOURCE=1 (tsx), and `node dist/breakglass.js` directly, against `node -e 0`.
 * Wall time is measured around each child (median of --runs after --warmup, runs of the compared commands
 * interleaved so drift hits both alike); peak RSS from /usr/bin/time -f %M, or, without it, from
 * process.resourceUsage().maxRSS reported by a preload in the child.
 * When simulate is slower than 2x parse-only (or with --profile): a --cpu-prof profile of one simulate run, summarised
 * by function and by source module, and a stage breakdown (each stage of simulate's pipeline added in turn, the lib
 * modules imported through tsx, one child per stage).
 */
import { writeSection } from './benchmarks-doc';
import { createHash } from 'node:crypto';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { existing, filesFor, generate, parseGenArgs, type GenFiles, type GenOptions, type Manifest } from './gen-cloudtrail';

const ROOT = join(__dirname, '..');
const BENCH = join(ROOT, '.bench');
const DOC = join(ROOT, 'docs', 'benchmarks.md');
const CONFIG = 'examples/breakglass.config.yaml';
const BIN = 'bin/breakglass.js';
const BUNDLE = join(ROOT, 'dist', 'breakglass.js');
const PATTERNS = join(BENCH, 'patterns.json');
const PARSE_ONLY = join(BENCH, 'parse-only.cjs');
const RSS_PRELOAD = join(BENCH, 'report-rss.cjs');
const ONE_EVENT = join(BENCH, 'one-event.json');
const SECTION = '## Simulate and test-pattern';
const RESULTS = join(BENCH, 'simulate-bench-results.json');
const TARGET_RATIO = 2;
const HAS_TIME = existsSync('/usr/bin/time');

// ---------------------------------------------------------------------------------------------------------------
// Options

interface Options {
  readonly gen: GenOptions;
  readonly runs: number;
  readonly warmup: number;
  readonly motoLimit: number;
  readonly startupRuns: number;
  readonly build: boolean;
  readonly moto: boolean;
  readonly startup: boolean;
  readonly write: boolean;
  readonly profile: 'auto' | 'always' | 'never';
}

function parseArgs(argv: readonly string[]): Options {
  const num = (flag: string, d: number) => {
    const i = argv.indexOf(flag);
    if (i < 0) return d;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a non-negative number`);
    return Math.floor(v);
  };
  return {
    gen: parseGenArgs(argv),
    runs: Math.max(1, num('--runs', 5)),
    warmup: num('--warmup', 1),
    motoLimit: num('--moto-limit', 100_000),
    startupRuns: Math.max(1, num('--startup-runs', 20)),
    build: !argv.includes('--no-build'),
    moto: !argv.includes('--no-moto'),
    startup: !argv.includes('--no-startup'),
    write: !argv.includes('--no-write'),
    profile: argv.includes('--profile') ? 'always' : argv.includes('--no-profile') ? 'never' : 'auto',
  };
}

const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Helper scripts written into .bench/ (gitignored) so the children run plain Node with nothing of ours preloaded.

const PARSE_ONLY_SOURCE = `'use strict';
// Parse-only baseline (written by bench/simulate.bench.ts): node parse-only.cjs FILE [lines|document]
const fs = require('node:fs');
const zlib = require('node:zlib');
const [file, mode = 'lines'] = process.argv.slice(2);
async function main() {
  let n = 0;
  if (mode === 'document') {
    // A CloudTrail log file is one JSON document: read it whole and parse it once.
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    n = doc.Records.length;
  } else {
    let s = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    if (file.endsWith('.gz')) s = s.pipe(zlib.createGunzip());
    s.setEncoding('utf8');
    let tail = '';
    for await (const chunk of s) {
      const text = tail + chunk;
      let start = 0;
      let nl;
      while ((nl = text.indexOf('\\n', start)) >= 0) {
        if (nl > start) { JSON.parse(text.slice(start, nl)); n++; }
        start = nl + 1;
      }
      tail = text.slice(start);
    }
    if (tail.trim()) { JSON.parse(tail); n++; }
  }
  process.stdout.write(JSON.stringify({ events: n }) + '\\n');
}
main().catch((e) => { console.error(e); process.exit(1); });
`;

/** Fallback when /usr/bin/time is missing: the child reports its own peak RSS (kB) to the file in $BENCH_RSS_FILE. */
const RSS_PRELOAD_SOURCE = `'use strict';
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

// ---------------------------------------------------------------------------------------------------------------
// Running children

interface Sample {
  readonly ms: number;
  readonly rssKb: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

/** Runs a command once; stdout to /dev/null unless captured. Node children get the RSS preload when needed. */
function runOnce(cmd: string, args: readonly string[], o: { env?: NodeJS.ProcessEnv; capture?: boolean; stdoutFile?: string } = {}): Sample {
  const rssFile = join(BENCH, `rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  let env = { ...process.env, ...o.env };
  let argv: string[];
  if (HAS_TIME) {
    argv = ['/usr/bin/time', '-f', '%M', '-o', rssFile, cmd, ...args];
  } else {
    argv = [cmd, ...args];
    if (cmd === 'node') env = { ...env, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require ${RSS_PRELOAD}`.trim() };
  }
  const outFd = o.capture ? 'pipe' : openSync(o.stdoutFile ?? '/dev/null', 'w');
  let r: SpawnSyncReturns<string>;
  const t0 = performance.now();
  try {
    r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', outFd, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
  } finally {
    if (typeof outFd === 'number') closeSync(outFd);
  }
  const ms = performance.now() - t0;
  let rssKb = NaN;
  try {
    // /usr/bin/time writes "Command exited with non-zero status N" before the number when the command fails.
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    rssKb = Number(lines[lines.length - 1]);
  } catch { /* no RSS (python without /usr/bin/time) */ }
  rmSync(rssFile, { force: true });
  if (r.error) throw r.error;
  return { ms, rssKb, stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
}

function check(s: Sample, what: string): Sample {
  if (s.status !== 0) throw new Error(`${what} exited with ${s.status}: ${s.stderr.slice(0, 2000)}`);
  return s;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------------------------------------------------------
// Bundle freshness: bin/breakglass.js's own rule, so we know which path a run of it takes.

function newestTs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function bundleFresh(): boolean {
  try {
    return statSync(BUNDLE).mtimeMs >= Math.max(newestTs(join(ROOT, 'lib')), statSync(join(ROOT, 'bin', 'breakglass.ts')).mtimeMs);
  } catch {
    return false;
  }
}

let rebuilds = 0;
function build(): void {
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stderr || r.stdout}`);
  rebuilds++;
}

/** Before each measured bundle run: rebuild when someone edited a source since the last build. */
function ensureFresh(allowBuild: boolean): void {
  if (bundleFresh()) return;
  if (!allowBuild) throw new Error('dist/breakglass.js is stale and --no-build was given: bin/breakglass.js would run the sources through tsx');
  log('  (bundle stale: a source changed; rebuilding)');
  build();
  if (!bundleFresh()) throw new Error('dist/breakglass.js still stale after npm run build');
}

// ---------------------------------------------------------------------------------------------------------------
// Machine

interface Machine {
  readonly date: string;
  readonly nproc: number;
  readonly cpu: string;
  readonly ramGiB: string;
  readonly node: string;
  readonly python: string;
  readonly moto: string;
  readonly load: string;
}

/** Read-only git: which code was measured (others may edit lib/ during a run; the bundle is rebuilt then). */
function codeState(): string {
  const git = (a: string[]) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git(['rev-parse', '--short', 'HEAD']) || '?';
  const dirty = git(['status', '--porcelain', '--', 'lib', 'bin']).split('\n').filter(Boolean).length;
  return `commit ${head}${dirty ? ` + ${dirty} uncommitted file(s) under lib/ or bin/` : ''}`;
}

function machine(): Machine {
  const sh = (c: string, a: string[]) => { const r = spawnSync(c, a, { encoding: 'utf8' }); return r.status === 0 ? r.stdout.trim() : '?'; };
  let cpu = cpus()[0]?.model ?? '?';
  try { cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu; } catch { /* not Linux */ }
  return {
    date: sh('date', ['-u']),
    nproc: Number(sh('nproc', [])) || cpus().length,
    cpu,
    ramGiB: (totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    python: sh('python3', ['--version']).replace(/^Python /, ''),
    moto: sh('python3', ['-c', 'import moto; print(moto.__version__)']),
    load: loadavg().map((x) => x.toFixed(2)).join(' / '),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Patterns for moto and the one-event file, from the same lib modules simulate uses.

function writeInputs(): void {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const { loadConfigFile } = require('../lib/config/load') as typeof import('../lib/config/load');
  const { detectionContext } = require('../lib/detection/context') as typeof import('../lib/detection/context');
  const { CATALOGUE, regionsFor } = require('../lib/detection/catalogue') as typeof import('../lib/detection/catalogue');
  const { toEventBridgeEvent } = require('../lib/detection/envelope') as typeof import('../lib/detection/envelope');
  const f = require('../test/fixtures/cloudtrail') as typeof import('../test/fixtures/cloudtrail');
  const ctx = detectionContext(loadConfigFile(join(ROOT, CONFIG)).config);
  const rules = CATALOGUE.map((r) => ({ id: r.id, accounts: r.accounts, regions: regionsFor(r, ctx), pattern: r.pattern(ctx) }));
  writeFileSync(PATTERNS, `${JSON.stringify({ context: ctx, rules }, null, 1)}\n`);
  const one = toEventBridgeEvent(f.consoleLogin());
  if ('error' in one) throw new Error(one.error);
  writeFileSync(ONE_EVENT, `${JSON.stringify(one.event)}\n`);
  writeFileSync(PARSE_ONLY, PARSE_ONLY_SOURCE);
  writeFileSync(RSS_PRELOAD, RSS_PRELOAD_SOURCE);
}

// ---------------------------------------------------------------------------------------------------------------
// 1 + 2: parse-only vs simulate

interface Form {
  readonly name: string;
  readonly file: string;
  readonly events: number;
  readonly parseMode: 'lines' | 'document';
}

interface Stats { readonly ms: number; readonly minMs: number; readonly maxMs: number; readonly rssKb: number; readonly eps: number }
interface FormResult { readonly form: Form; readonly bytes: number; readonly parse: Stats; readonly simulate: Stats; readonly ratio: number }

const simulateArgs = (file: string) => [BIN, 'simulate', '-c', CONFIG, '--json', file];

function stats(samples: readonly Sample[], events: number): Stats {
  const ms = median(samples.map((s) => s.ms));
  return {
    ms,
    minMs: Math.min(...samples.map((s) => s.ms)),
    maxMs: Math.max(...samples.map((s) => s.ms)),
    rssKb: median(samples.map((s) => s.rssKb)),
    eps: events / (ms / 1000),
  };
}

function benchForm(form: Form, o: Options): FormResult {
  const parse: Sample[] = [];
  const sim: Sample[] = [];
  for (let i = 0; i < o.warmup + o.runs; i++) {
    const p = check(runOnce('node', [PARSE_ONLY, form.file, form.parseMode], { capture: true }), `parse-only ${form.name}`);
    const got = JSON.parse(p.stdout).events;
    if (got !== form.events) throw new Error(`parse-only read ${got} events from ${form.file}, expected ${form.events}`);
    ensureFresh(o.build);
    const s = check(runOnce('node', simulateArgs(form.file)), `simulate ${form.name}`);
    const warm = i < o.warmup;
    log(`  ${form.name} ${warm ? 'warm-up' : `run ${i - o.warmup + 1}/${o.runs}`}: parse-only ${(p.ms / 1000).toFixed(2)} s ${(p.rssKb / 1024).toFixed(0)} MiB, simulate ${(s.ms / 1000).toFixed(2)} s ${(s.rssKb / 1024).toFixed(0)} MiB`);
    if (!warm) { parse.push(p); sim.push(s); }
  }
  const ps = stats(parse, form.events);
  const ss = stats(sim, form.events);
  return { form, bytes: statSync(form.file).size, parse: ps, simulate: ss, ratio: ss.ms / ps.ms };
}

/** simulate on one event: the fixed cost (start-up, config load) inside each simulate time above. */
function simulateFixedCost(o: Options): Stats {
  const xs: Sample[] = [];
  for (let i = 0; i < o.warmup + Math.max(o.runs, 5); i++) {
    ensureFresh(o.build);
    const s = check(runOnce('node', simulateArgs(ONE_EVENT)), 'simulate one event');
    if (i >= o.warmup) xs.push(s);
  }
  return stats(xs, 1);
}

// ---------------------------------------------------------------------------------------------------------------
// 3: match counts: simulate (JSON output) vs generator intent vs moto

type Counts = Record<string, number>;

interface SimCounts {
  readonly byRule: Counts;
  /** Per-rule counts among the first `limit` events. */
  readonly byRuleFirst: Counts;
  /** index -> rules (comma-joined) among the first `limit` events. */
  readonly firstMatches: Map<number, string>;
  readonly summary: { events: number; alerting: number; unreadable: number };
  readonly sha256: string;
}

function simulateCounts(file: string, outFile: string, limit: number, o: Options): SimCounts {
  ensureFresh(o.build);
  check(runOnce('node', simulateArgs(file), { stdoutFile: outFile }), `simulate ${file} (counts)`);
  const text = readFileSync(outFile, 'utf8');
  const sha256 = createHash('sha256').update(text).digest('hex');
  const doc = JSON.parse(text) as { events: Array<{ index: number; matches: Array<{ rule: string }> }>; summary: SimCounts['summary'] };
  const byRule: Counts = {};
  const byRuleFirst: Counts = {};
  const firstMatches = new Map<number, string>();
  for (const e of doc.events) {
    for (const m of e.matches) {
      byRule[m.rule] = (byRule[m.rule] ?? 0) + 1;
      if (e.index < limit) byRuleFirst[m.rule] = (byRuleFirst[m.rule] ?? 0) + 1;
    }
    if (e.index < limit && e.matches.length) firstMatches.set(e.index, e.matches.map((m) => m.rule).join(','));
  }
  return { byRule, byRuleFirst, firstMatches, summary: doc.summary, sha256 };
}

interface MotoResult {
  readonly events: number;
  readonly alerting: number;
  readonly raw: Counts;
  readonly deployed: Counts;
  readonly seconds: number;
  readonly matchSeconds: number;
  readonly eventsPerSecond: number;
  readonly matchEventsPerSecond: number;
  readonly wallMs: number;
  readonly rssKb: number;
  /** Events whose matching rules differ between moto (deployed) and simulate: index, moto, simulate. */
  readonly diffs: Array<[number, string, string]>;
}

function runMoto(file: string, limit: number, sim: SimCounts): MotoResult {
  const matchesOut = join(BENCH, 'moto-matches.tsv');
  const s = check(runOnce('python3', [join('bench', 'moto-match.py'), '--patterns', PATTERNS, '--limit', String(limit), '--matches-out', matchesOut, file], { capture: true }), 'moto-match.py');
  const r = JSON.parse(s.stdout);
  const moto = new Map<number, string>();
  for (const line of readFileSync(matchesOut, 'utf8').split('\n')) {
    if (!line) continue;
    const [i, rules] = line.split('\t');
    moto.set(Number(i), rules!);
  }
  const diffs: Array<[number, string, string]> = [];
  for (const i of new Set([...moto.keys(), ...sim.firstMatches.keys()])) {
    const a = moto.get(i) ?? '';
    const b = sim.firstMatches.get(i) ?? '';
    if (a !== b) diffs.push([i, a, b]);
  }
  diffs.sort((x, y) => x[0] - y[0]);
  return { ...r, wallMs: s.ms, rssKb: s.rssKb, diffs };
}

// ---------------------------------------------------------------------------------------------------------------
// 4: start-up

interface StartupResult { readonly name: string; readonly cmd: string; readonly ms: number; readonly minMs: number; readonly rssKb: number }

function benchStartup(o: Options): StartupResult[] {
  const pattern = '{"source":["aws.signin"]}';
  const event = relative(ROOT, ONE_EVENT);
  const cases = [
    { name: 'bare Node', cmd: 'node -e 0', args: ['-e', '0'], env: {}, expect: '', bundle: false },
    { name: 'bundle via bin/breakglass.js (fresh)', cmd: `node ${BIN} test-pattern -p '${pattern}' ${event}`, args: [BIN, 'test-pattern', '-p', pattern, event], env: {}, expect: 'true\n', bundle: true },
    { name: 'bundle directly', cmd: `node dist/breakglass.js test-pattern -p '${pattern}' ${event}`, args: ['dist/breakglass.js', 'test-pattern', '-p', pattern, event], env: {}, expect: 'true\n', bundle: true },
    { name: 'sources through tsx via bin/breakglass.js', cmd: `BREAKGLASS_FROM_SOURCE=1 node ${BIN} test-pattern -p '${pattern}' ${event}`, args: [BIN, 'test-pattern', '-p', pattern, event], env: { BREAKGLASS_FROM_SOURCE: '1' }, expect: 'true\n', bundle: false },
  ];
  const samples = cases.map(() => [] as Sample[]);
  const warm = Math.max(o.warmup, 2); // the tsx case fills tsx's compile cache on its first run
  for (let i = 0; i < warm + o.startupRuns; i++) {
    cases.forEach((c, k) => {
      if (c.bundle) ensureFresh(o.build);
      const s = check(runOnce('node', c.args, { env: c.env, capture: true }), c.name);
      if (s.stdout !== c.expect) throw new Error(`${c.name}: printed ${JSON.stringify(s.stdout)}, expected ${JSON.stringify(c.expect)}`);
      if (i >= warm) samples[k]!.push(s);
    });
  }
  return cases.map((c, k) => ({ name: c.name, cmd: c.cmd, ms: median(samples[k]!.map((s) => s.ms)), minMs: Math.min(...samples[k]!.map((s) => s.ms)), rssKb: median(samples[k]!.map((s) => s.rssKb)) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Profile: where simulate's time goes

interface ProfileRow { readonly name: string; readonly where: string; readonly ms: number; readonly pct: number }
interface StageRow { readonly stage: string; readonly ms: number; readonly addedMs: number }
interface CpuProfile { readonly form: Form; readonly totalMs: number; readonly functions: ProfileRow[]; readonly modules: ProfileRow[] }
interface Profile { readonly cpu: CpuProfile[]; readonly stages: Array<{ form: Form; runs: number; rows: StageRow[] }> }

/** Source module of each bundle line, from esbuild's "// path" markers. */
function bundleModules(): (line: number) => string {
  const marks: Array<[number, string]> = [];
  readFileSync(BUNDLE, 'utf8').split('\n').forEach((l, i) => {
    const m = /^\/\/ ((?:lib|bin|node_modules)\/\S+)$/.exec(l);
    if (m) marks.push([i, m[1]!]);
  });
  return (line) => {
    let lo = 0, hi = marks.length - 1, found = '(bundle)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid]![0] <= line) { found = marks[mid]![1]; lo = mid + 1; } else hi = mid - 1;
    }
    return found.replace(/^node_modules\/([^/]+)\/.*$/, 'node_modules/$1');
  };
}

function cpuProfile(form: Form, o: Options): CpuProfile {
  const file = form.file;
  const dir = join(BENCH, 'prof');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  ensureFresh(o.build);
  check(runOnce('node', ['--cpu-prof', '--cpu-prof-dir', dir, ...simulateArgs(file)]), 'simulate --cpu-prof');
  const prof = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith('.cpuprofile'))!), 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
    samples: number[]; timeDeltas: number[];
  };
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
  const moduleOf = bundleModules();
  const byFn = new Map<string, { name: string; where: string; ms: number }>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    total += ms;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url.endsWith('dist/breakglass.js') ? moduleOf(lineNumber) : url ? url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^node:/, 'node:') : '(native / VM)';
    const name = functionName || '(anonymous)';
    const key = `${name}@${where}:${lineNumber}`;
    const e = byFn.get(key) ?? { name: `${name}${url.endsWith('dist/breakglass.js') ? ` (dist line ${lineNumber + 1})` : ''}`, where, ms: 0 };
    e.ms += ms;
    byFn.set(key, e);
    const mod = url ? where : name.startsWith('(') ? name : '(native / VM)';
    byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
  }
  const rows = (xs: Array<{ name: string; where: string; ms: number }>) =>
    xs.sort((a, b) => b.ms - a.ms).map((x) => ({ ...x, pct: (100 * x.ms) / total }));
  return {
    form,
    totalMs: total,
    functions: rows([...byFn.values()]).slice(0, 20),
    modules: rows([...byModule.entries()].map(([where, ms]) => ({ name: where, where, ms }))).slice(0, 12),
  };
}

/**
 * CPU profiles of the JSON Lines run and of the worst form when that is another; stage breakdown of the JSON Lines
 * run (median of 3) and, for a worse log file, of its reading stage alone (once: it is the slow one).
 */
function profileSimulate(results: readonly FormResult[], o: Options): Profile {
  const main = results[0]!;
  const worst = results.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const forms = worst === main ? [main.form] : [main.form, worst.form];
  const cpu = forms.map((f) => { log(`  cpu profile: ${f.name}`); return cpuProfile(f, o); });
  const stages = [{ form: main.form, runs: 3, rows: stageBreakdown(main.form, STAGES, 3) }];
  if (worst !== main) stages.push({ form: worst.form, runs: 1, rows: stageBreakdown(worst.form, ['baseline', 'read'], 1) });
  return { cpu, stages };
}

const STAGES = ['baseline', 'read', 'envelope', 'evaluate', 'full'] as const;
type Stage = (typeof STAGES)[number];
const STAGE_LABEL: Record<Stage, string> = {
  baseline: 'parse-only, in-process (the baseline script\'s loop, no lib code)',
  read: 'readValues: JsonValueSplitter + StringDecoder + JSON.parse, async generators',
  envelope: '+ toEventBridgeEvent',
  evaluate: '+ Simulator.evaluate (every catalogue rule)',
  full: 'runSimulate --json in-process, output discarded (adds the JSON writer with notifications)',
};

/** Each stage in its own child (tsx), same file; rounds interleave the stages so drift hits all alike; median. */
function stageBreakdown(form: Form, stages: readonly Stage[], runs: number): StageRow[] {
  const xs = new Map<Stage, number[]>(stages.map((st) => [st, []]));
  for (let i = 0; i < runs; i++) {
    for (const stage of stages) {
      log(`  stage ${stage} (round ${i + 1}/${runs}): ${form.name}`);
      const r = check(runOnce('node', ['--import', 'tsx', __filename, '--child-stage', stage, form.file, form.parseMode], { capture: true }), `stage ${stage}`);
      const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { events: number; ms: number };
      if (got.events !== form.events) throw new Error(`stage ${stage}: ${got.events} events, expected ${form.events}`);
      xs.get(stage)!.push(got.ms);
    }
  }
  const out: StageRow[] = [];
  let prev = 0;
  for (const stage of stages) {
    const ms = median(xs.get(stage)!);
    out.push({ stage: STAGE_LABEL[stage], ms, addedMs: ms - prev });
    prev = ms;
  }
  return out;
}

/** In a child: run simulate's pipeline up to `stage`, timed in-process (module loading excluded). */
async function childStage(stage: Stage, file: string, parseMode: string): Promise<void> {
  const { loadConfigFile } = await import('../lib/config/load');
  const { detectionContext } = await import('../lib/detection/context');
  const { toEventBridgeEvent } = await import('../lib/detection/envelope');
  const { readValues } = await import('../lib/detection/read-events');
  const { Simulator } = await import('../lib/detection/simulate');
  const { runSimulate } = await import('../lib/cli/commands/simulate');
  const done = (n: number, t0: number, sink: number) => process.stdout.write(`${JSON.stringify({ events: n, ms: performance.now() - t0, sink })}\n`);
  let n = 0;
  let sink = 0;
  if (stage === 'baseline') {
    const t0 = performance.now();
    if (parseMode === 'document') {
      n = (JSON.parse(readFileSync(file, 'utf8')) as { Records: unknown[] }).Records.length;
    } else {
      const { createReadStream } = await import('node:fs');
      const { createGunzip } = await import('node:zlib');
      let st: NodeJS.ReadableStream = createReadStream(file, { highWaterMark: 1 << 20 });
      if (file.endsWith('.gz')) st = st.pipe(createGunzip());
      st.setEncoding('utf8');
      let tail = '';
      for await (const chunk of st as AsyncIterable<string>) {
        const text = tail + chunk;
        let start = 0;
        let nl: number;
        while ((nl = text.indexOf('\n', start)) >= 0) {
          if (nl > start) { sink += JSON.parse(text.slice(start, nl)) ? 1 : 0; n++; }
          start = nl + 1;
        }
        tail = text.slice(start);
      }
    }
    done(n, t0, sink);
    return;
  }
  if (stage === 'full') {
    const t0 = performance.now();
    let last = '';
    await runSimulate({ config: join(ROOT, CONFIG), json: true, files: [file] }, { out: (t) => { sink += t.length; if (t) last = t; }, err: (t) => { throw new Error(t); } });
    // The document's summary carries the event count.
    done(Number(/"summary":\{"events":(\d+)/.exec(last)?.[1] ?? -1), t0, sink);
    return;
  }
  const sim = new Simulator(detectionContext(loadConfigFile(join(ROOT, CONFIG)).config));
  const upTo = STAGES.indexOf(stage);
  const t0 = performance.now();
  for await (const item of readValues([file])) {
    if (item.error !== undefined) throw new Error(item.error);
    n++;
    if (upTo < STAGES.indexOf('envelope')) continue;
    const c = toEventBridgeEvent(item.value);
    if ('error' in c) throw new Error(c.error);
    if (upTo < STAGES.indexOf('evaluate')) continue;
    sink += sim.evaluate(c.event).length;
  }
  done(n, t0, sink);
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMs = (ms: number) => `${ms.toFixed(0)} ms`;
const fmtMiB = (kb: number) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MiB` : 'n/a');
const fmtN = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtBytes = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);

interface Results {
  readonly o: Options;
  readonly m: Machine;
  readonly manifest: Manifest;
  readonly files: GenFiles;
  readonly forms: FormResult[];
  readonly fixed: Stats;
  readonly counts: { jsonl: SimCounts; gzSha: string; logFile: SimCounts; moto?: MotoResult; motoLimit: number };
  readonly startup?: StartupResult[];
  /** Set when the start-up table was re-measured alone (--only-startup) after the main run. */
  readonly startupRun?: { date: string; load: string; code: string; bundleBytes: number };
  readonly profile?: Profile;
  readonly rebuilds: number;
  readonly loadEnd: string;
  /** HEAD and uncommitted changes under lib/ and bin/ when the run started and ended. */
  readonly code: string;
}

function countsTable(r: Results): string[] {
  const { manifest: man, counts } = r;
  const rules = Object.keys(JSON.parse(readFileSync(PATTERNS, 'utf8')).rules.reduce((a: Counts, x: { id: string }) => ({ ...a, [x.id]: 0 }), {}));
  const moto = counts.moto;
  const lim = counts.motoLimit;
  const lines = [
    `| rule | generator intended (all ${fmtN(man.options.events)}) | simulate, JSON Lines | simulate, gzip | generator intended (first ${fmtN(lim)}) | simulate (first ${fmtN(lim)}) | moto, deployment-scoped (first ${fmtN(lim)}) | moto, pattern only (first ${fmtN(lim)}) | simulate, log file (${fmtN(man.options.logRecords)}) | generator intended, log file |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const firstIntended = intendedFirst(r, lim);
  const sum = (c: Counts | undefined) => (c ? Object.values(c).reduce((a, b) => a + b, 0) : NaN);
  const gzSame = counts.gzSha === counts.jsonl.sha256;
  for (const rule of [...rules, 'total']) {
    const get = (c: Counts | undefined) => (c === undefined ? 'n/a' : fmtN(rule === 'total' ? sum(c) : c[rule] ?? 0));
    lines.push(`| ${rule === 'total' ? '**total**' : rule} | ${get(man.expectedByRule)} | ${get(counts.jsonl.byRule)} | ${gzSame ? 'same output' : 'DIFFERENT output'} | ${get(firstIntended)} | ${get(counts.jsonl.byRuleFirst)} | ${get(moto?.deployed)} | ${get(moto?.raw)} | ${get(counts.logFile.byRule)} | ${get(man.expectedByRuleInLogFile)} |`);
  }
  return lines;
}

/** The generator's intent among the first `limit` records is known only for the whole file and the log file. */
function intendedFirst(r: Results, limit: number): Counts | undefined {
  if (limit === r.manifest.options.events) return r.manifest.expectedByRule;
  if (limit === r.manifest.options.logRecords) return r.manifest.expectedByRuleInLogFile;
  return undefined;
}

function agreement(r: Results): { ok: boolean; notes: string[] } {
  const notes: string[] = [];
  const eq = (a: Counts | undefined, b: Counts | undefined) => !!a && !!b && [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
  const { counts, manifest: man } = r;
  let ok = true;
  const say = (cond: boolean, yes: string, no: string) => { notes.push(cond ? yes : `**MISMATCH**: ${no}`); ok &&= cond; };
  say(eq(counts.jsonl.byRule, man.expectedByRule), `simulate raised exactly the alerts the generator intended, per rule, over all ${fmtN(man.options.events)} records (${fmtN(counts.jsonl.summary.alerting)} alerting events, expected ${fmtN(man.expectedAlerting)}).`,
    `simulate's per-rule counts differ from the generator's intent (${JSON.stringify(counts.jsonl.byRule)} vs ${JSON.stringify(man.expectedByRule)}).`);
  say(counts.gzSha === counts.jsonl.sha256, 'simulate printed byte-identical JSON for the gzip file and the plain file.', 'simulate printed different JSON for the gzip and plain files.');
  say(eq(counts.logFile.byRule, man.expectedByRuleInLogFile), `the log-file form gave the per-rule counts intended for its ${fmtN(man.options.logRecords)} records.`, `log-file counts differ: ${JSON.stringify(counts.logFile.byRule)} vs ${JSON.stringify(man.expectedByRuleInLogFile)}.`);
  if (counts.moto) {
    const m = counts.moto;
    say(eq(m.deployed, counts.jsonl.byRuleFirst) && m.diffs.length === 0,
      `moto (pattern match + the same account/region deployment scope) agrees with simulate on every one of the first ${fmtN(m.events)} records: same rules for each record, ${fmtN(m.alerting)} alerting.`,
      `moto and simulate disagree on ${m.diffs.length} of the first ${fmtN(m.events)} records; first ones (index: moto / simulate): ${m.diffs.slice(0, 8).map(([i, a, b]) => `${i}: ${a || '-'} / ${b || '-'}`).join('; ')}.`);
    const rawMinusDeployed = Object.keys(m.raw).filter((k) => m.raw[k] !== m.deployed[k]).map((k) => `${k} ${m.raw[k]! - (m.deployed[k] ?? 0)}`);
    if (rawMinusDeployed.length) notes.push(`Pattern-only matches that no deployed forwarder would see (event in an unwatched region or in an account where the rule is not deployed), which simulate rightly does not report: ${rawMinusDeployed.join(', ')}.`);
  }
  return { ok, notes };
}

function render(r: Results): string {
  const { o, m, manifest: man, files } = r;
  const rel = (p: string) => relative(ROOT, p);
  const genArgs = `--events ${o.gen.events} --log-records ${o.gen.logRecords} --break-glass-rate ${o.gen.breakGlassRate} --seed ${o.gen.seed}`;
  const defaults = o.gen.events === 1_000_000 && o.gen.logRecords === 100_000 && o.gen.breakGlassRate === 0.025 && o.gen.seed === 1;
  const cmd = `npx tsx bench/simulate.bench.ts${defaults ? '' : ` ${genArgs}`}${o.runs !== 5 ? ` --runs ${o.runs}` : ''}${o.warmup !== 1 ? ` --warmup ${o.warmup}` : ''}${o.motoLimit !== 100_000 ? ` --moto-limit ${o.motoLimit}` : ''}${o.startupRuns !== 20 ? ` --startup-runs ${o.startupRuns}` : ''}`;
  const bg = Object.entries(man.categories).filter(([k]) => k.startsWith('bg:')).reduce((s, [, n]) => s + n, 0);
  const worst = Math.max(...r.forms.map((f) => f.ratio));
  const out: string[] = [
    SECTION,
    '',
    `Script: \`${cmd}\` (bench/simulate.bench.ts; data from bench/gen-cloudtrail.ts, cross-check bench/moto-match.py).`,
    'Re-running it regenerates the data in .bench/ if missing (deterministic), runs `npm run build`, and rewrites only this section.',
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}, Python ${m.python}, moto ${m.moto}. Load average (1/5/15 min) at start ${m.load}, at end ${r.loadEnd} (other work on the machine shows here; the ratios are the robust figure, runs being interleaved).`,
    `- Code: at start ${r.code ?? '?'}.`,
    `- Peak RSS: ${HAS_TIME ? '`/usr/bin/time -f %M`' : 'process.resourceUsage().maxRSS of the child'}. Wall time: around the child process, median of ${o.runs} runs after ${o.warmup} warm-up (files in the page cache), parse-only and simulate runs interleaved.`,
    `- Data: ${fmtN(man.options.events)} CloudTrail records (${fmtN(bg)} break-glass-related = ${((100 * bg) / man.options.events).toFixed(2)}%, the rest unrelated API calls and near misses by other principals, 43 accounts, 17 watched + 4 unwatched regions), seed ${man.options.seed}: ${rel(files.jsonl)} ${fmtBytes(man.bytes.jsonl)} (${fmtN(man.bytes.jsonl / man.options.events)} bytes/record), ${rel(files.gz)} ${fmtBytes(man.bytes.gz)}, and the first ${fmtN(man.options.logRecords)} as one-line CloudTrail log file ${rel(files.logFile)} ${fmtBytes(man.bytes.logFile)}.`,
    `- simulate: \`node bin/breakglass.js simulate -c ${CONFIG} --json FILE > /dev/null\`, bundle fresh for every run${r.rebuilds > 1 ? ` (rebuilt ${r.rebuilds - 1} time(s) during the run because sources changed)` : ''}. Parse-only: \`node .bench/parse-only.cjs FILE\` (written by the script: 1 MiB stream reads, split on newlines, JSON.parse each line; gzip through zlib.createGunzip; the log file read whole and JSON.parsed once).`,
    '',
    '### simulate vs parse-only',
    '',
    '| input | size | parse-only | parse-only events/s | parse-only peak RSS | simulate | simulate events/s | simulate peak RSS | simulate / parse-only |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.forms.map((f) => `| ${f.form.name} (${fmtN(f.form.events)}) | ${fmtBytes(f.bytes)} | ${fmtS(f.parse.ms)} | ${fmtN(f.parse.eps)} | ${fmtMiB(f.parse.rssKb)} | ${fmtS(f.simulate.ms)} | ${fmtN(f.simulate.eps)} | ${fmtMiB(f.simulate.rssKb)} | **${f.ratio.toFixed(2)}x** |`),
    '',
    `simulate of one event (start-up + config load + one evaluation), included in each simulate time above: ${fmtMs(r.fixed.ms)} (peak RSS ${fmtMiB(r.fixed.rssKb)}).`,
    `Min-max of the measured runs: ${r.forms.map((f) => `${f.form.name} parse-only ${fmtS(f.parse.minMs)}-${fmtS(f.parse.maxMs)}, simulate ${fmtS(f.simulate.minMs)}-${fmtS(f.simulate.maxMs)}`).join('; ')}.`,
    '',
    worst <= TARGET_RATIO
      ? `Verdict: simulate is within ${TARGET_RATIO}x of parse-only on every input (worst ${worst.toFixed(2)}x).`
      : `Verdict: simulate is **not** within ${TARGET_RATIO}x of parse-only (worst ${worst.toFixed(2)}x); see "Where simulate's time goes" below.`,
    '',
  ];
  if (r.profile) {
    const p = r.profile;
    const parseOf = (f: Form) => r.forms.find((x) => x.form.name === f.name)!.parse.ms;
    out.push("### Where simulate's time goes", '');
    for (const st of p.stages) {
      out.push(
        `Stage breakdown, ${st.form.name} (${rel(st.form.file)}): each row runs simulate's pipeline up to that stage in its own Node process (lib modules through tsx, timed in-process from after module loading, so start-up is excluded; ${st.runs === 1 ? 'one run' : `median of ${st.runs}, stages interleaved`}). The first row is the parse-only baseline timed the same way; whole-process parse-only above: ${fmtS(parseOf(st.form))}. Separate processes on a shared machine: a difference of about a second between rows is within noise; the CPU profile below is the sharper attribution.`,
        '',
        '| stage (cumulative) | time | added by this stage |',
        '| --- | ---: | ---: |',
        ...st.rows.map((s) => `| ${s.stage} | ${fmtS(s.ms)} | ${fmtS(s.addedMs)} |`),
        '',
      );
    }
    for (const c of p.cpu) {
      out.push(
        `CPU profile of one \`simulate --json\` run, ${c.form.name} (${rel(c.form.file)}; \`node --cpu-prof\`, bundle; ${fmtS(c.totalMs)} sampled). Self time by source module, then the top functions (bundle line numbers refer to dist/breakglass.js as built for this run):`,
        '',
        '| module | self time | share |',
        '| --- | ---: | ---: |',
        ...c.modules.map((x) => `| ${x.name} | ${fmtS(x.ms)} | ${x.pct.toFixed(1)}% |`),
        '',
        '| function | module | self time | share |',
        '| --- | --- | ---: | ---: |',
        ...c.functions.slice(0, 12).map((x) => `| ${x.name.replace(/\|/g, '\\|')} | ${x.where} | ${fmtS(x.ms)} | ${x.pct.toFixed(1)}% |`),
        '',
      );
    }
  }
  const ag = agreement(r);
  out.push(
    '### Match counts: simulate vs moto vs the generator',
    '',
    `moto's matcher (\`moto.events.models.EventPattern\`, the central pattern of each rule exported from lib/detection/catalogue.ts under the example config, each record wrapped as lib/detection/envelope.ts does) ran on the first ${fmtN(r.counts.motoLimit)} records of the JSON Lines file${r.counts.moto ? '' : ' — skipped (--no-moto)'}. "Deployment-scoped" applies simulate's other condition too (a forwarder for the rule exists in the event's account kind and region); that is the count comparable with simulate.`,
    '',
    ...countsTable(r),
    '',
    ...ag.notes.map((n) => `- ${n}`),
    '',
  );
  if (r.counts.moto) {
    const mo = r.counts.moto;
    const simEps = mainEps(r);
    out.push(
      `moto speed: ${fmtN(mo.eventsPerSecond)} events/s overall (json.loads + envelope + 9 patterns; ${fmtN(mo.matchEventsPerSecond)} events/s in matches_event alone), wall ${fmtS(mo.wallMs)} for ${fmtN(mo.events)} records, peak RSS ${fmtMiB(mo.rssKb)}; simulate end to end: ${fmtN(simEps)} events/s (${(simEps / mo.eventsPerSecond).toFixed(0)}x moto).`,
      '',
    );
  }
  if (r.startup) {
    const bare = r.startup[0]!.ms;
    out.push(
      '### test-pattern start-up',
      '',
      `Median of ${o.startupRuns} runs (after 2 warm-ups, cases interleaved) of one \`test-pattern\` call on ${rel(ONE_EVENT)} (an EventBridge console sign-in event; prints \`true\`).${r.startupRun ? ` Re-measured alone (\`--only-startup\`) on ${r.startupRun.date}, load average ${r.startupRun.load}, ${r.startupRun.code}, dist/breakglass.js ${fmtBytes(r.startupRun.bundleBytes)}.` : ''}`,
      '',
      '| command | path | median | min | over bare Node | peak RSS |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
      ...r.startup.map((s, i) => `| \`${s.cmd}\` | ${s.name} | ${fmtMs(s.ms)} | ${fmtMs(s.minMs)} | ${i === 0 ? '-' : `+${fmtMs(s.ms - bare)}`} | ${fmtMiB(s.rssKb)} |`),
      '',
      `Bundle vs tsx through bin/breakglass.js: ${fmtMs(r.startup[3]!.ms - r.startup[1]!.ms)} faster with the bundle; the freshness check in bin/breakglass.js (stat of every lib/**/*.ts): ${r.startup[1]!.ms - r.startup[2]!.ms > 5 ? `costs ${fmtMs(r.startup[1]!.ms - r.startup[2]!.ms)}` : `no measurable cost (median difference ${fmtMs(r.startup[1]!.ms - r.startup[2]!.ms)}, within run-to-run noise)`} over running dist/breakglass.js directly.`,
      '',
    );
  }
  return out.join('\n').trimEnd();
}

const mainEps = (r: Results) => r.forms[0]!.simulate.eps;

function writeDoc(section: string): void {
  writeSection('## Simulate and test-pattern', section, DOC);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(BENCH, { recursive: true });
  if (process.argv.includes('--only-startup')) {
    // Re-measure only the start-up table (it is the most sensitive to other load) and re-render from saved results.
    const saved = JSON.parse(readFileSync(RESULTS, 'utf8')) as Results;
    writeInputs();
    if (o.build) build(); else ensureFresh(false);
    const at = machine();
    log(`test-pattern start-up: ${o.startupRuns} runs x 4 cases (load ${at.load})`);
    const startup = benchStartup(o);
    const next: Results = { ...saved, o: { ...saved.o, startupRuns: o.startupRuns }, startup, startupRun: { date: at.date, load: `${at.load} -> ${loadavg().map((x) => x.toFixed(2)).join(' / ')}`, code: codeState(), bundleBytes: statSync(BUNDLE).size } };
    writeFileSync(RESULTS, `${JSON.stringify(next, null, 2)}\n`);
    const section = render(next);
    process.stdout.write(`${section}\n`);
    if (o.write) writeDoc(section);
    return;
  }
  if (process.argv.includes('--from-results')) {
    // Re-render (and rewrite the doc section) from the last run's saved results, without measuring again.
    const saved = JSON.parse(readFileSync(RESULTS, 'utf8')) as Results;
    const section = render(saved);
    process.stdout.write(`${section}\n`);
    if (o.write) writeDoc(section);
    return;
  }
  const m = machine();
  log(`machine: ${m.nproc} CPUs, ${m.cpu}, ${m.ramGiB} GiB, Node ${m.node}; ${m.date}`);

  const files = filesFor(o.gen);
  let manifest = existing(o.gen);
  if (!manifest) {
    log(`generating ${o.gen.events} records into ${relative(ROOT, BENCH)}/ ...`);
    manifest = await generate(o.gen, log);
  }
  writeInputs();
  const codeStart = codeState();

  if (o.build) { log('npm run build'); build(); } else ensureFresh(false);

  const forms: Form[] = [
    { name: 'JSON Lines', file: files.jsonl, events: o.gen.events, parseMode: 'lines' },
    { name: 'JSON Lines, gzip', file: files.gz, events: o.gen.events, parseMode: 'lines' },
    { name: 'CloudTrail log file, one line', file: files.logFile, events: Math.min(o.gen.logRecords, o.gen.events), parseMode: 'document' },
  ];
  const formResults: FormResult[] = [];
  for (const form of forms) {
    log(`${form.name}: ${relative(ROOT, form.file)}`);
    formResults.push(benchForm(form, o));
  }
  log('simulate, one event (fixed cost)');
  const fixed = simulateFixedCost(o);

  log('match counts: simulate --json (plain, gzip, log file)');
  const motoLimit = o.motoLimit === 0 ? o.gen.events : Math.min(o.motoLimit, o.gen.events);
  const jsonl = simulateCounts(files.jsonl, join(BENCH, 'simulate-jsonl.json'), motoLimit, o);
  const gz = simulateCounts(files.gz, join(BENCH, 'simulate-gz.json'), motoLimit, o);
  const logFile = simulateCounts(files.logFile, join(BENCH, 'simulate-logfile.json'), motoLimit, o);
  let moto: MotoResult | undefined;
  if (o.moto) {
    log(`moto: first ${motoLimit} records`);
    moto = runMoto(files.jsonl, motoLimit, jsonl);
  }

  let startup: StartupResult[] | undefined;
  if (o.startup) {
    log(`test-pattern start-up: ${o.startupRuns} runs x 4 cases`);
    startup = benchStartup(o);
  }

  const worst = Math.max(...formResults.map((f) => f.ratio));
  let profile: Profile | undefined;
  if (o.profile === 'always' || (o.profile === 'auto' && worst > TARGET_RATIO)) {
    log(`profiling simulate (worst ratio ${worst.toFixed(2)}x)`);
    profile = profileSimulate(formResults, o);
  }

  const results: Results = { o, m, manifest, files, forms: formResults, fixed, counts: { jsonl, gzSha: gz.sha256, logFile, moto, motoLimit }, startup, profile, rebuilds, loadEnd: loadavg().map((x) => x.toFixed(2)).join(' / '), code: `${codeStart}; at end ${codeState()}` };
  const section = render(results);
  process.stdout.write(`${section}\n`);
  writeFileSync(RESULTS, `${JSON.stringify({ ...results, counts: { ...results.counts, jsonl: { ...jsonl, firstMatches: undefined }, logFile: { ...logFile, firstMatches: undefined } } }, null, 2)}\n`);
  if (o.write) {
    writeDoc(section);
    log(`\nwrote ${relative(process.cwd(), DOC)} (section "${SECTION.slice(3)}")`);
  }
  if (!agreement(results).ok) process.exitCode = 1;
}

const stageAt = process.argv.indexOf('--child-stage');
if (stageAt >= 0) {
  childStage(process.argv[stageAt + 1] as Stage, process.argv[stageAt + 2]!, process.argv[stageAt + 3] ?? 'lines').catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
} else if (require.main === module) {
  main().catch((e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); });
}
