/** The "Synthesis" section of docs/benchmarks.md, from a measurement of bench/synth.bench.ts. */
import { fmtKiB as kib, fmtSpread, ms1 as ms } from '../lib/format';
import { buildCommand } from '../lib/fresh-dist';
import { shownPath } from '../lib/process-runner';
import { median, summary } from '../lib/stats';
import { LIMITS, WARM_REPS, type CaseSummary, type EagerImport, type Measurement, type Options, type RunResult } from './common';

export const SECTION = '## Synthesis';

export function render(r: Measurement, rawFile: string): string {
  const load = `- Load average (1/5/15 min) at start ${r.loadStart}, at end ${r.loadEnd}; other processes on the machine compete for the CPUs, so`
    + ' min–max spreads are part of the result.';
  const sources = `- Sources: ${r.version}${r.snapshot ? '; the children ran a copy taken at the start, so edits during the run do not mix in' : ''}`
    + `${r.assets ? `; the Lambda assets (${r.assets.join(', ')}) come from dist/, checked against the sources first (\`${buildCommand()}\` when older${r.rebuilds ? `, done ${r.rebuilds} time(s)` : ''})` : ''}.`;
  return [SECTION, '', `Script: \`npm run bench\` (bench/synth.bench.ts); raw results in \`${shownPath(rawFile)}\` (not committed).`,
    '', ...r.machineLines, sources, load, '', report(r.summaries, r.eager, r.options)].join('\n');
}

const t = (runs: RunResult[], f: (r: RunResult) => number) => fmtSpread(summary(runs.map(f)));

function report(summaries: CaseSummary[], eager: EagerImport & { processMs: number }, o: Options): string {
  const out: string[] = [];
  const allRuns = summaries.flatMap((s) => s.runs);
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
    const r0 = runs[0]!;
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
    const where = Object.entries(runs[0]!.firstTargetOccurrences).map(([f, n]) => `${f.replace(/\.template\.json$/, '')} ×${n}`).join(', ') || 'nowhere';
    return `${c.name}: ${where}`;
  });
  out.push(`First generated target ID found in — ${spread.join('; ')}.`);
  out.push('');
  const verdicts = growthText(summaries, out);
  out.push(limitsText(summaries));
  out.push('');
  if (verdicts.growth.length) out.push(`**Scaling problem:** ${verdicts.growth.join('; ')}.`);
  if (verdicts.ok.length) out.push(`Scaling${verdicts.growth.length ? ', otherwise' : ''}: ${verdicts.ok.join('; ')}.`);
  return out.join('\n');
}

/** Growth tables per kind (appended to `out`), and one verdict per kind: a scaling problem or fine. */
function growthText(summaries: CaseSummary[], out: string[]): { growth: string[]; ok: string[] } {
  const growth: string[] = [];
  const ok: string[] = [];
  for (const kind of ['accounts', 'ous'] as const) {
    const s = summaries.filter((x) => x.c.kind === kind).sort((a, b) => a.c.size - b.c.size);
    if (s.length < 2) continue;
    const unit = kind === 'accounts' ? 'accounts' : 'OUs';
    const base = s[0]!;
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
      const db = x.runs[0]!.stackSetTemplateBytes - base.runs[0]!.stackSetTemplateBytes;
      // Per 1000 only where at least 500 targets were added; below that it scales noise up more than it shows cost.
      const per1000 = (v: number) => (d >= 500 ? (v / d * 1000).toFixed(0) : '–');
      out.push(`| ${x.c.size} | ${dm(x, (r) => r.cold.totalMs).toFixed(0)} | ${dm(x, (r) => r.warm.totalMs).toFixed(0)} | ${dc.toFixed(0)} `
        + `| ${per1000(dc)} | ${per1000(dn)} | ${db} | ${(db / d).toFixed(1)} | ${dm(x, (r) => r.peakRssMiB).toFixed(0)} |`);
    }
    out.push('');
    // Growth exponent of the extra warm CPU time between the two largest sizes: ~1 linear, ~2 quadratic.
    if (s.length < 3) continue;
    const [a, b] = s.slice(-2) as [CaseSummary, CaseSummary];
    const da = dm(a, (r) => r.warm.cpuMs);
    const db = dm(b, (r) => r.warm.cpuMs);
    const cpu = (x: CaseSummary) => ms(median(x.runs.map((r) => r.warm.cpuMs)));
    const floor = 50; // ms of CPU: below this a difference is not told from noise
    if (db <= floor) {
      ok.push(`${unit}: extra warm CPU time ${da.toFixed(0)} ms at ${a.c.size}, ${db.toFixed(0)} ms at ${b.c.size}, within noise`);
      continue;
    }
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
    (k > 1.4 ? growth : ok).push(`${unit}: ${what}`);
  }
  return { growth, ok };
}

function limitsText(summaries: CaseSummary[]): string {
  const problems: string[] = [];
  for (const { c, runs } of summaries) {
    const r0 = runs[0]!;
    if (r0.stackSetTemplateBytes > LIMITS.templateUrl) problems.push(`${c.name}: StackSets template ${kib(r0.stackSetTemplateBytes)} exceeds CloudFormation's 1 MiB template limit`);
    if (c.kind === 'ous' && c.size > LIMITS.ousPerOperation) problems.push(`${c.name}: more than ${LIMITS.ousPerOperation} OUs per CreateStackInstances operation`);
    const others = Object.keys(r0.firstTargetOccurrences).filter((f) => !f.startsWith('Breakglass-MemberStackSets'));
    if (others.length) problems.push(`${c.name}: target list also copied into ${others.join(', ')}`);
    if (r0.targetsInStackSet !== c.size) problems.push(`${c.name}: StackSet has ${r0.targetsInStackSet} targets, expected ${c.size}`);
  }
  return problems.length ? `**Limit problems:** ${problems.join('; ')}.`
    : `Limits: no case exceeds CloudFormation's 1 MiB template limit (${LIMITS.templateUrl} bytes), and the target list appears only in the StackSets template, once.`;
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
