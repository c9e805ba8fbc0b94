/**
 * Where simulate's time goes (bench/simulate.bench.ts, when simulate is slower than the target or with --profile):
 * a CPU profile of one `simulate --json` run of the packaged command (compiled dist/, attributed to the sources
 * through the source maps) and the stage breakdown (bench/simulate/stages.ts, one child per stage and round).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { summariseCpuProfile } from '../lib/cpu-profile';
import { check, ROOT, runOnce } from '../lib/process-runner';
import { interleaved, median } from '../lib/stats';
import { BENCH, log, simulateArgs, type Ctx, type CpuProfile, type Form, type FormResult, type Profile, type StageRow } from './common';
import { STAGE_LABEL, STAGES, type Stage } from './stages';

const STAGE_SCRIPT = join(__dirname, 'stages.ts');

function cpuProfile(ctx: Ctx, form: Form): CpuProfile {
  const dir = join(BENCH, 'prof');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  ctx.dist.ensure();
  check(runOnce('node', ['--cpu-prof', '--cpu-prof-dir', dir, ...simulateArgs(form.file)]), 'simulate --cpu-prof');
  const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!file) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
  return { form, ...summariseCpuProfile(join(dir, file), ROOT) };
}

/**
 * CPU profiles of the JSON Lines run and of the worst form when that is another; stage breakdown of the JSON Lines
 * run (median of 3) and, for a worse form, of its reading stage alone (once: it is the slow one).
 */
export function profileSimulate(ctx: Ctx, results: readonly FormResult[]): Profile {
  const main = results[0]!;
  const worst = results.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const forms = worst === main ? [main.form] : [main.form, worst.form];
  const cpu = forms.map((f) => { log(`  cpu profile: ${f.name}`); return cpuProfile(ctx, f); });
  const stages = [{ form: main.form, runs: 3, rows: stageBreakdown(main.form, STAGES, 3) }];
  if (worst !== main) stages.push({ form: worst.form, runs: 1, rows: stageBreakdown(worst.form, ['baseline', 'read'], 1) });
  return { cpu, stages };
}

/** Each stage in its own child (tsx), same file; rounds interleave the stages so drift hits all alike; median. */
function stageBreakdown(form: Form, stages: readonly Stage[], runs: number): StageRow[] {
  const times = interleaved(stages, { warmup: 0, runs }, ({ c: stage, round }) => {
    log(`  stage ${stage} (round ${round + 1}/${runs}): ${form.name}`);
    const r = check(runOnce('node', ['--import', 'tsx', STAGE_SCRIPT, stage, form.file, form.parseMode], { capture: true }), `stage ${stage}`);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { events: number; ms: number };
    if (got.events !== form.events) throw new Error(`stage ${stage}: ${got.events} events, expected ${form.events}`);
    return got.ms;
  });
  let prev = 0;
  return stages.map((stage, k) => {
    const ms = median(times[k]!);
    const row = { stage: STAGE_LABEL[stage], ms, addedMs: ms - prev };
    prev = ms;
    return row;
  });
}
