/**
 * Simulate / test-pattern benchmark (a script, not a test), for the issue "simulate must be within 2x of parse-only".
 *
 *   npx tsx bench/simulate.bench.ts                         everything below; updates docs/benchmarks.md
 *   npx tsx bench/simulate.bench.ts --runs 3 --moto-limit 20000 --no-write     quicker, prints only
 *   npx tsx bench/simulate.bench.ts --events 200000 --log-records 20000        smaller data set
 *   options: --events N (1000000) --log-records M (100000) --break-glass-rate R (0.025) --seed S (1)
 *            --runs K (5) --warmup W (1) --moto-limit L (100000; 0 = all) --startup-runs J (20)
 *            --no-build --no-moto --no-startup --profile (always profile) --no-profile
 *            --no-write (print only) --doc FILE (write the section into FILE instead of docs/benchmarks.md)
 *            --results FILE (raw results; default .bench/simulate-bench-results.json)
 *            --from-results (re-render the section from the raw results, no measuring)
 *            --only-startup (re-measure only the test-pattern start-up table, keep the rest of the saved results)
 *
 * On the same files (bench/gen-cloudtrail.ts makes them in .bench/ when missing: JSON Lines, its gzip, and the first
 * M records as a one-line CloudTrail log file), in the same run:
 * 1. Parse-only baseline, plain Node (bench/simulate/parse-only.cjs): stream, split lines, JSON.parse each.
 * 2. `node bin/breakglass.js simulate -c examples/breakglass.config.yaml --json FILE > /dev/null`: the packaged
 *    command, which runs the compiled dist/bin and dist/lib. dist/ is checked against the sources before every
 *    measured run and rebuilt (`npm run build:js && npm run build:notifier`, counted) when a source is newer, so no
 *    measured run goes through stale code (bench/lib/fresh-dist.ts); --no-build makes a stale dist/ an error.
 * 3. moto's EventBridge matcher (python3 bench/moto-match.py) over the first --moto-limit records: events/s, and
 *    per-rule match counts compared with simulate's and with the generator's intent (bench/simulate/counts.ts).
 * 4. test-pattern start-up, the cases of STARTUP below against bare `node -e 0`.
 * Wall time and peak RSS per child: bench/lib/process-runner.ts; runs of compared commands interleaved
 * (bench/lib/stats.ts). When simulate is slower than 2x parse-only (or with --profile): a CPU profile of one run and a
 * stage breakdown (bench/simulate/profile.ts). The section: bench/simulate/render.ts.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { existing, filesFor, generate, parseGenArgs } from './gen-cloudtrail';
import { Args } from './lib/args';
import { DOC_FLAGS, DOC_USAGE, docTarget, publish } from './lib/docs-writer';
import { fmtBytes } from './lib/format';
import { FreshDist } from './lib/fresh-dist';
import { gitState, loadNow, machine, pythonFacts } from './lib/machine';
import { check, ROOT, runOnce, shellLine, type Sample } from './lib/process-runner';
import { interleaved, max, median, min } from './lib/stats';
import { BENCH, BIN, DEFAULT_RESULTS, log, ONE_EVENT, PARSE_ONLY, SECTION, simulateArgs, TARGET_RATIO, writeInputs } from './simulate/common';
import type { Ctx, Form, FormResult, MotoResult, Options, Results, SimMachine, StartupId, StartupResult, Stats } from './simulate/common';
import { agreement, runMoto, simulateCounts } from './simulate/counts';
import { profileSimulate } from './simulate/profile';
import { render } from './simulate/render';

const USAGE = `usage: npx tsx bench/simulate.bench.ts [--events N] [--log-records M] [--break-glass-rate R] [--seed S] [--runs K] [--warmup W]
  [--moto-limit L] [--startup-runs J] [--no-build] [--no-moto] [--no-startup] [--profile|--no-profile]
  [--results FILE] [--from-results | --only-startup] [${DOC_USAGE}]`;

const args = new Args(process.argv.slice(2), {
  '--events': 'value', '--log-records': 'value', '--break-glass-rate': 'value', '--seed': 'value',
  '--runs': 'value', '--warmup': 'value', '--moto-limit': 'value', '--startup-runs': 'value',
  '--no-build': 'flag', '--no-moto': 'flag', '--no-startup': 'flag', '--profile': 'flag', '--no-profile': 'flag',
  '--results': 'value', '--from-results': 'flag', '--only-startup': 'flag', ...DOC_FLAGS,
}, USAGE);

const o: Options = {
  gen: parseGenArgs(process.argv.slice(2)),
  runs: args.int('--runs', 5, 1),
  warmup: args.int('--warmup', 1),
  motoLimit: args.int('--moto-limit', 100_000),
  startupRuns: args.int('--startup-runs', 20, 1),
  build: !args.has('--no-build'),
  moto: !args.has('--no-moto'),
  startup: !args.has('--no-startup'),
  profile: args.has('--profile') ? 'always' : args.has('--no-profile') ? 'never' : 'auto',
};
const RESULTS = args.str('--results', DEFAULT_RESULTS);
const ctx: Ctx = { o, dist: new FreshDist(o.build, log) };

/** The inputs simulate is measured on: one data set in three forms. */
function forms(): Form[] {
  const files = filesFor(o.gen);
  return [
    { name: 'JSON Lines', file: files.jsonl, events: o.gen.events, parseMode: 'lines' },
    { name: 'JSON Lines, gzip', file: files.gz, events: o.gen.events, parseMode: 'lines' },
    { name: 'CloudTrail log file, one line', file: files.logFile, events: Math.min(o.gen.logRecords, o.gen.events), parseMode: 'document' },
  ];
}

/** The test-pattern start-up cases, compared with bare Node; those that run dist/ need it fresh. */
function startupCases(): Array<{ id: StartupId; name: string; args: string[]; expect: string; dist: boolean }> {
  const tp = ['test-pattern', '-p', '{"source":["aws.signin"]}', relative(ROOT, ONE_EVENT)];
  return [
    { id: 'bare', name: 'bare Node', args: ['-e', '0'], expect: '', dist: false },
    { id: 'packaged', name: 'packaged command: bin/breakglass.js requires dist/bin/breakglass.js', args: [BIN, ...tp], expect: 'true\n', dist: true },
    { id: 'compiled', name: 'compiled CLI directly', args: ['dist/bin/breakglass.js', ...tp], expect: 'true\n', dist: true },
    { id: 'sources', name: 'sources through tsx', args: ['--import', 'tsx', 'bin/breakglass.ts', ...tp], expect: 'true\n', dist: false },
  ];
}

function stats(samples: readonly Sample[], events: number): Stats {
  const times = samples.map((s) => s.ms);
  const ms = median(times);
  return { ms, minMs: min(times), maxMs: max(times), rssKb: median(samples.map((s) => s.rssKb)), eps: events / (ms / 1000) };
}

/** Parse-only and simulate on one form, interleaved. */
function benchForm(form: Form): FormResult {
  const kinds = ['parse-only', 'simulate'] as const;
  const took = (s: Sample) => `${(s.ms / 1000).toFixed(2)} s ${(s.rssKb / 1024).toFixed(0)} MiB`;
  let p: Sample | undefined;
  const [parse, sim] = interleaved(kinds, o, ({ c: kind, round, warm }) => {
    if (kind === 'parse-only') {
      p = check(runOnce('node', [PARSE_ONLY, form.file, form.parseMode], { capture: true }), `parse-only ${form.name}`);
      const got = (JSON.parse(p.stdout) as { events: number }).events;
      if (got !== form.events) throw new Error(`parse-only read ${got} events from ${form.file}, expected ${form.events}`);
      return p;
    }
    ctx.dist.ensure();
    const s = check(runOnce('node', simulateArgs(form.file)), `simulate ${form.name}`);
    log(`  ${form.name} ${warm ? 'warm-up' : `run ${round - o.warmup + 1}/${o.runs}`}: parse-only ${took(p!)}, simulate ${took(s)}`);
    return s;
  });
  const ps = stats(parse!, form.events);
  const ss = stats(sim!, form.events);
  return { form, bytes: statSync(form.file).size, parse: ps, simulate: ss, ratio: ss.ms / ps.ms };
}

/** simulate on one event: the fixed cost (start-up, config load) inside each simulate time. */
function simulateFixedCost(): Stats {
  const [xs] = interleaved(['one event'], { warmup: o.warmup, runs: Math.max(o.runs, 5) }, () => {
    ctx.dist.ensure();
    return check(runOnce('node', simulateArgs(ONE_EVENT)), 'simulate one event');
  });
  return stats(xs!, 1);
}

/** At least 2 warm-up rounds: the tsx case fills tsx's compile cache on its first run. */
const STARTUP_WARMUP = Math.max(o.warmup, 2);

function benchStartup(): StartupResult[] {
  const cases = startupCases();
  const samples = interleaved(cases, { warmup: STARTUP_WARMUP, runs: o.startupRuns }, ({ c }) => {
    if (c.dist) ctx.dist.ensure();
    const s = check(runOnce('node', c.args, { capture: true }), c.name);
    if (s.stdout !== c.expect) throw new Error(`${c.name}: printed ${JSON.stringify(s.stdout)}, expected ${JSON.stringify(c.expect)}`);
    return s;
  });
  return cases.map((c, k) => {
    const ms = samples[k]!.map((s) => s.ms);
    return { id: c.id, name: c.name, cmd: shellLine('node', c.args), ms: median(ms), minMs: min(ms), rssKb: median(samples[k]!.map((s) => s.rssKb)) };
  });
}

/** HEAD and uncommitted files under lib/ and bin/ (others may edit them during a run; dist/ is rebuilt then). */
function codeState(): string {
  const g = gitState(['lib', 'bin']);
  return `commit ${g.head}${g.dirty ? ` + ${g.dirty} uncommitted file(s) under lib/ or bin/` : ''}`;
}

/** Size of the compiled CLI and library, for the start-up table. */
function distJs(): string {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) { files++; bytes += statSync(p).size; }
    }
  };
  for (const d of ['bin', 'lib']) walk(join(ROOT, 'dist', d));
  return `dist/bin + dist/lib ${files} .js files, ${fmtBytes(bytes)}`;
}

function saveResults(r: Results): void {
  const { firstMatches: _a, ...jsonl } = r.counts.jsonl;
  const { firstMatches: _b, ...logFile } = r.counts.logFile;
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify({ ...r, counts: { ...r.counts, jsonl, logFile } }, null, 2)}\n`);
}

async function measure(): Promise<Results> {
  const m: SimMachine = { ...machine(), ...pythonFacts() };
  log(`machine: ${m.nproc} CPUs, ${m.cpu}, ${m.ramGiB} GiB, Node ${m.node}; ${m.date}; load ${m.load}`);
  const files = filesFor(o.gen);
  let manifest = existing(o.gen);
  if (!manifest) {
    log(`generating ${o.gen.events} records into ${relative(ROOT, BENCH)}/ ...`);
    manifest = await generate(o.gen, log);
  }
  writeInputs();
  const codeStart = codeState();
  ctx.dist.ensure();

  const formResults = forms().map((form) => { log(`${form.name}: ${relative(ROOT, form.file)}`); return benchForm(form); });
  log('simulate, one event (fixed cost)');
  const fixed = simulateFixedCost();

  log('match counts: simulate --json (plain, gzip, log file)');
  const motoLimit = o.motoLimit === 0 ? o.gen.events : Math.min(o.motoLimit, o.gen.events);
  const jsonl = simulateCounts(ctx, files.jsonl, join(BENCH, 'simulate-jsonl.json'), motoLimit);
  const gz = simulateCounts(ctx, files.gz, join(BENCH, 'simulate-gz.json'), motoLimit);
  const logFile = simulateCounts(ctx, files.logFile, join(BENCH, 'simulate-logfile.json'), motoLimit);
  let moto: MotoResult | undefined;
  if (o.moto) {
    log(`moto: first ${motoLimit} records`);
    moto = runMoto(files.jsonl, motoLimit, jsonl);
  }
  let startup: StartupResult[] | undefined;
  if (o.startup) {
    log(`test-pattern start-up: ${o.startupRuns} runs x ${startupCases().length} cases`);
    startup = benchStartup();
  }
  const worst = Math.max(...formResults.map((f) => f.ratio));
  const profile = o.profile === 'always' || (o.profile === 'auto' && worst > TARGET_RATIO)
    ? (log(`profiling simulate (worst ratio ${worst.toFixed(2)}x)`), profileSimulate(ctx, formResults))
    : undefined;
  return {
    o, m, manifest, files, forms: formResults, fixed, counts: { jsonl, gzSha: gz.sha256, logFile, moto, motoLimit }, startup, startupWarmup: STARTUP_WARMUP, profile,
    rebuilds: ctx.dist.rebuilds, loadEnd: loadNow(), code: `${codeStart}; at end ${codeState()}`,
  };
}

/** Re-measures only the start-up table (the most sensitive to other load) into the saved results. */
function measureStartupOnly(saved: Results): Results {
  writeInputs();
  ctx.dist.ensure();
  const at = machine();
  log(`test-pattern start-up: ${o.startupRuns} runs x ${startupCases().length} cases (load ${at.load})`);
  const startup = benchStartup();
  return { ...saved, o: { ...saved.o, startupRuns: o.startupRuns }, startup, startupWarmup: STARTUP_WARMUP, startupRun: { date: at.date, load: `${at.load} -> ${loadNow()}`, code: codeState(), distJs: distJs() } };
}

async function main(): Promise<void> {
  const target = docTarget(args);
  mkdirSync(BENCH, { recursive: true });
  let results: Results;
  if (args.has('--from-results')) {
    results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Results;
  } else if (args.has('--only-startup')) {
    results = measureStartupOnly(JSON.parse(readFileSync(RESULTS, 'utf8')) as Results);
    saveResults(results);
  } else {
    results = await measure();
    saveResults(results);
  }
  publish(SECTION, render(results), target);
  if (!agreement(results).ok) process.exitCode = 1;
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); });
