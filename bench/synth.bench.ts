/**
 * Synthesis benchmark (a script, not a test): how long `buildApp` + `app.synth()` take, how large the StackSets
 * template gets and how much memory a run needs, for growing target lists.
 *
 *   npm run bench                                    all cases, 1 warm-up + 5 measured runs each, updates docs/benchmarks.md
 *   npm run bench -- --runs 3 --warmup 0 --no-write   quicker, prints only
 *   npm run bench -- --accounts 1,5000 --ous none      choose the cases
 *   npm run bench -- --report-from .bench/synth-results.json   re-render the last measurement without measuring
 *   options: --runs N (5) --warmup N (1) --accounts LIST|none (1,100,1000,5000) --ous LIST|none (1,50) --no-snapshot
 *            --no-build --results FILE (.bench/synth-results.json) --report-from FILE --no-write --doc FILE
 *
 * Every run is a fresh Node process (bench/synth/child.ts, same tsx loader as this one) over a snapshot taken at the
 * start (bench/synth/snapshot.ts): lib/ as TypeScript, and dist/notifier, the notifier Lambda bundle that synthesis
 * packages as an asset, which is rebuilt first (`npm run build:js && npm run build:notifier`) when a source is newer.
 * With --no-snapshot the children run the working tree, and dist/ is checked before every child instead.
 * In the child, `require('aws-cdk-lib')` and the project modules are timed apart; because aws-cdk-lib loads its
 * namespaces and classes lazily, most of the real library loading happens during the first build, so the child
 * reports that first build ("cold") apart from the best of 3 later builds with fresh Apps ("warm"), and one extra
 * process times an eager load of the whole library. Wall time and CPU time are both recorded; CPU time is the one
 * used to judge growth, as it is much less disturbed by other processes on the machine.
 *
 * Cases start from examples/breakglass.config.yaml (includeManagementAccount, regions, users as there) and replace
 * organization.targets: either N explicit accounts (generated 12-digit IDs, no OUs; self-managed StackSet) or N OUs
 * (generated "ou-ab12-xxxxxxxx" IDs, no accounts; service-managed StackSet). The config passes the same validation
 * as a user's file (parseConfigText), timed separately.
 *
 * What is checked (bench/synth/report.ts): the target list may cost only its own size, once, in the one StackSet
 * resource; the growth over the smallest case per 1000 targets, and the exponent of the extra CPU time between the
 * two largest sizes (~1 linear, ~2 quadratic), with and without aws-cdk-lib's CloudFormation validator.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Args } from './lib/args';
import { DOC_FLAGS, DOC_USAGE, docTarget, publish } from './lib/docs-writer';
import { fmtKiB, ms1 } from './lib/format';
import { FreshDist } from './lib/fresh-dist';
import { installedVersion, loadNow, machine } from './lib/machine';
import { childResult, ROOT, runOnce } from './lib/process-runner';
import { interleaved } from './lib/stats';
import { RESULT_MARK, type Case, type EagerImport, type Measurement, type Options, type RunResult } from './synth/common';
import { render, SECTION } from './synth/report';
import { lambdaBundles, snapshot, sourceVersion } from './synth/snapshot';

const USAGE = `usage: npm run bench -- [--runs N] [--warmup N] [--accounts 1,100|none] [--ous 1,50|none] [--no-snapshot] [--no-build]
  [--results FILE] [--report-from FILE] [${DOC_USAGE}]`;

const args = new Args(process.argv.slice(2), {
  '--runs': 'value', '--warmup': 'value', '--accounts': 'value', '--ous': 'value', '--no-snapshot': 'flag', '--no-build': 'flag',
  '--results': 'value', '--report-from': 'value', ...DOC_FLAGS,
}, USAGE);

const o: Options = {
  runs: args.int('--runs', 5, 1),
  warmup: args.int('--warmup', 1),
  accounts: args.list('--accounts', [1, 100, 1000, 5000]),
  ous: args.list('--ous', [1, 50]),
  snapshot: !args.has('--no-snapshot'),
  build: !args.has('--no-build'),
};
/** Raw results of the last measurement (.bench/ is git-ignored); `--report-from` re-renders them. */
const RAW = args.str('--results', join(ROOT, '.bench', 'synth-results.json'));
const log = (s: string) => { process.stderr.write(`${s}\n`); };

function cases(): Case[] {
  return [
    ...o.accounts.map((n): Case => ({ name: `${n} account${n === 1 ? '' : 's'}`, kind: 'accounts', size: n })),
    ...o.ous.map((n): Case => ({ name: `${n} OU${n === 1 ? '' : 's'}`, kind: 'ous', size: n })),
  ];
}

function measure(): Measurement {
  const m = machine();
  const machineLines = [
    `- Date (UTC): ${m.day}`,
    `- Machine: ${m.nproc} CPUs (nproc), ${m.cpu}, ${m.ramGiB} GiB RAM, ${m.platform}`,
    `- Node ${m.node}, aws-cdk-lib ${installedVersion('aws-cdk-lib')}, tsx ${installedVersion('tsx')}`,
  ];
  const dist = new FreshDist(o.build !== false, log);
  dist.ensure(); // the snapshot copies dist/notifier: fresh before it is taken
  const snap = o.snapshot ? snapshot() : undefined;
  const root = snap ?? ROOT;
  const version = sourceVersion(root);
  log(`${machineLines.join('\n')}\n- load ${m.load}\n- sources: ${version}${snap ? `, snapshot in ${snap}` : ''}`);
  const child = <T>(childArgs: string[], label: string): T & { processMs: number } => {
    if (!snap) dist.ensure();
    const s = runOnce(process.execPath, [...process.execArgv, join(root, 'bench', 'synth', 'child.ts'), ...childArgs], { cwd: root, capture: true, timeoutMs: 15 * 60_000 });
    return { ...childResult<T>(s, RESULT_MARK, label), processMs: s.ms };
  };
  try {
    const summaries = cases().map((c) => {
      const [runs] = interleaved([c], o, ({ round, warm }) => {
        const r = child<RunResult>(['case', JSON.stringify(c)], c.name);
        log(`${c.name.padEnd(14)} ${warm ? 'warm-up' : `run ${round - o.warmup + 1}  `}  cold ${ms1(r.cold.totalMs).padStart(6)} ms  `
          + `warm ${ms1(r.warm.totalMs).padStart(6)} ms  StackSets template ${fmtKiB(r.stackSetTemplateBytes)}  peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
        return r;
      });
      return { c, runs: runs! };
    });
    const eager = child<EagerImport>(['eager-import'], 'eager import');
    log(`eager import of aws-cdk-lib: ${ms1(eager.allMs)} ms, ${eager.modules} namespaces`);
    return { options: o, machineLines, version, snapshot: !!snap, loadStart: m.load, loadEnd: loadNow(), summaries, eager, rebuilds: dist.rebuilds, assets: lambdaBundles() };
  } finally {
    if (snap) rmSync(snap, { recursive: true, force: true });
  }
}

function main(): void {
  const target = docTarget(args);
  const from = args.str('--report-from');
  let r: Measurement;
  if (from) {
    r = JSON.parse(readFileSync(from, 'utf8')) as Measurement;
  } else {
    r = measure();
    mkdirSync(dirname(RAW), { recursive: true });
    writeFileSync(RAW, `${JSON.stringify(r, null, 1)}\n`);
  }
  process.stdout.write('\n');
  publish(SECTION, render(r, from ?? RAW), target);
}

main();
