/**
 * The front door, before and after: wall time of the test suite and of `breakglass synth` of the example config, for
 * two checkouts of this repository measured in one sitting on one machine.
 *
 *   npx tsx bench/front-door.bench.ts --before DIR --after DIR [--synth-runs 5] [--skip-tests] [--no-write | --doc FILE]
 *
 * DIR is a checkout with node_modules and a built dist/ (`npm ci`, or `npm run build` with node_modules linked).
 * Synthesis runs interleave the two checkouts (before, after, before, …) so load drifts hit both alike; each runs
 * the checkout's own packaged command from its own root into a fresh temporary directory. The test suites run one
 * after the other, each checkout's own `npm test` (the after checkout also by layer, since its `npm test` adds the
 * fresh-clone journey, which the before checkout did not have).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Args } from './lib/args';
import { DOC_FLAGS, DOC_USAGE, docTarget, publish } from './lib/docs-writer';
import { fmtMiB, fmtS } from './lib/format';
import { gitStateOf, loadNow, machine } from './lib/machine';
import { check, runOnce, type Sample } from './lib/process-runner';
import { interleaved, summary } from './lib/stats';

const USAGE = `usage: npx tsx bench/front-door.bench.ts --before DIR --after DIR [--synth-runs N] [--skip-tests] ${DOC_USAGE}`;
const args = new Args(process.argv.slice(2), { '--before': 'value', '--after': 'value', '--synth-runs': 'value', '--skip-tests': 'flag', ...DOC_FLAGS }, USAGE);
const before = resolve(args.str('--before') ?? fail('--before DIR is required'));
const after = resolve(args.str('--after') ?? fail('--after DIR is required'));
const synthRuns = Number(args.str('--synth-runs', '5'));

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const m = machine();

/**
 * The checkout's own quickstart synthesis: its package.json "start" script (before this change `tsx bin/breakglass.ts
 * synth …`, because the packaged command could not find the Lambda entry; now `node bin/breakglass.js synth …`), with
 * the output directory moved to a fresh temporary one.
 */
function startCommand(dir: string): string[] {
  const start = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const argv = start.split(/\s+/);
  if (argv[0] === 'tsx') argv[0] = join(dir, 'node_modules', '.bin', 'tsx');
  return argv;
}

function synthOnce(dir: string): Sample {
  const out = mkdtempSync(join(tmpdir(), 'breakglass-bench-synth-'));
  const argv = startCommand(dir);
  const o = argv.indexOf('--out');
  if (o < 0) fail(`${dir}: the start script has no --out`);
  argv[o + 1] = join(out, 'a');
  try {
    return check(runOnce(argv[0]!, argv.slice(1), { cwd: dir, capture: true }), `synth in ${dir}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface SuiteRun { readonly what: string; readonly ms: number; readonly pass: number; readonly fail: number; readonly load: string }

function suite(dir: string, script: string, what: string): SuiteRun {
  log(`${what}: npm ${script === 'test' ? 'test' : `run ${script}`} in ${dir}`);
  const s = runOnce('npm', script === 'test' ? ['test'] : ['run', script], { cwd: dir, capture: true, env: { CI: '1', NO_COLOR: '1' } });
  const count = (k: string) => Number([...s.stdout.matchAll(new RegExp(`^# ${k} (\\d+)`, 'gm'))].pop()?.[1] ?? NaN);
  return { what, ms: s.ms, pass: count('pass'), fail: count('fail'), load: loadNow() };
}

log(`synth: ${synthRuns} runs each, interleaved (after one warm-up each)`);
const [synthBefore, synthAfter] = interleaved([before, after], { warmup: 1, runs: synthRuns }, (t) => synthOnce(t.c));
const stacks = (s: Sample) => /Synthesized (\d+) stacks/.exec(s.stdout)?.[1] ?? '?';

const suites: SuiteRun[] = [];
if (!args.has('--skip-tests')) {
  suites.push(suite(before, 'test', 'before: npm test'));
  suites.push(suite(after, 'test:unit', 'after: npm run test:unit'));
  suites.push(suite(after, 'test:integration', 'after: npm run test:integration'));
  suites.push(suite(after, 'test:journey', 'after: npm run test:journey'));
  suites.push(suite(after, 'test', 'after: npm test (all three layers)'));
}

const sb = summary(synthBefore!.map((s) => s.ms));
const sa = summary(synthAfter!.map((s) => s.ms));
const section = [
  '## Front door: test suite and synthesis, before and after',
  '',
  `Measured ${m.date} on ${m.nproc} × ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node} (${m.platform}); load average at the start ${m.load}.`,
  `Before: ${gitStateOf(before)}. After: ${gitStateOf(after)}. Script: \`npx tsx bench/front-door.bench.ts --before … --after …\`.`,
  '',
  '### Synthesis of the example config (each checkout\'s `npm start` command)',
  '',
  `Median of ${synthRuns} runs per checkout, interleaved, after one warm-up each; wall time of the whole process, peak RSS. Before: \`${startCommand(before).slice(1).join(' ')}\` through tsx (its packaged command could not synthesize: it looked for the Lambda entry next to the bundle); after: \`${startCommand(after).join(' ')}\`.`,
  '',
  '| checkout | stacks | median | min | max | peak RSS (median run) |',
  '|---|---|---|---|---|---|',
  `| before | ${stacks(synthBefore![0]!)} | ${fmtS(sb.median)} | ${fmtS(sb.min)} | ${fmtS(sb.max)} | ${fmtMiB(summary(synthBefore!.map((s) => s.rssKb)).median)} |`,
  `| after | ${stacks(synthAfter![0]!)} | ${fmtS(sa.median)} | ${fmtS(sa.min)} | ${fmtS(sa.max)} | ${fmtMiB(summary(synthAfter!.map((s) => s.rssKb)).median)} |`,
  '',
  ...(suites.length === 0 ? [] : [
    '### Test suite',
    '',
    'One run each, one after the other (CI=1). The after checkout\'s `npm test` also runs the fresh-clone journey (npm ci in a temporary copy, npm pack, an install into an empty project), which the before checkout did not have; unit + integration is the same scope as the before suite.',
    '',
    '| run | wall time | passed | failed | load average after |',
    '|---|---|---|---|---|',
    ...suites.map((s) => `| ${s.what} | ${fmtS(s.ms)} | ${s.pass} | ${s.fail} | ${s.load} |`),
  ]),
].join('\n');

publish('## Front door: test suite and synthesis, before and after', section, docTarget(args));
