/** The "Simulate and test-pattern" section of docs/benchmarks.md, from the results of bench/simulate.bench.ts. */
import { relative } from 'node:path';
import { fmtBytes, fmtMiB, fmtMs, fmtN, fmtS } from '../lib/format';
import { ROOT, RSS_METHOD } from '../lib/process-runner';
import { DEFAULTS } from '../gen-cloudtrail';
import { buildCommand } from '../lib/fresh-dist';
import { agreement, countsTable } from './counts';
import { CONFIG, ONE_EVENT, PARSE_ONLY, SECTION, TARGET_RATIO, type Form, type Options, type Profile, type Results, type StartupId, type StartupResult } from './common';

const rel = (p: string) => relative(ROOT, p);

/** The command line that reproduces a run: the script and every option that differs from its default. */
export function commandLine(o: Options): string {
  const g = o.gen;
  const gen = g.events === DEFAULTS.events && g.logRecords === DEFAULTS.logRecords && g.breakGlassRate === DEFAULTS.breakGlassRate && g.seed === DEFAULTS.seed
    ? '' : ` --events ${g.events} --log-records ${g.logRecords} --break-glass-rate ${g.breakGlassRate} --seed ${g.seed}`;
  const opt = (flag: string, v: number, d: number) => (v !== d ? ` ${flag} ${v}` : '');
  return `npx tsx bench/simulate.bench.ts${gen}${opt('--runs', o.runs, 5)}${opt('--warmup', o.warmup, 1)}${opt('--moto-limit', o.motoLimit, 100_000)}${opt('--startup-runs', o.startupRuns, 20)}`;
}

export function render(r: Results): string {
  const { o, m, manifest: man, files } = r;
  const bg = Object.entries(man.categories).filter(([k]) => k.startsWith('bg:')).reduce((s, [, n]) => s + n, 0);
  const worst = Math.max(...r.forms.map((f) => f.ratio));
  const out: string[] = [
    SECTION,
    '',
    `Script: \`${commandLine(o)}\` (bench/simulate.bench.ts; data from bench/gen-cloudtrail.ts, cross-check bench/moto-match.py).`,
    `Re-running it regenerates the data in .bench/ if missing (deterministic), rebuilds dist/ (\`${buildCommand()}\`) whenever a source is newer than its compiled file, and rewrites only this section.`,
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}, Python ${m.python}, moto ${m.moto}. Load average (1/5/15 min) at start ${m.load}, at end ${r.loadEnd} (other work on the machine shows here; the ratios are the robust figure, runs being interleaved).`,
    `- Code: at start ${r.code ?? '?'}.`,
    `- Peak RSS: ${RSS_METHOD}. Wall time: around the child process, median of ${o.runs} runs after ${o.warmup} warm-up (files in the page cache), parse-only and simulate runs interleaved.`,
    `- Data: ${fmtN(man.options.events)} CloudTrail records (${fmtN(bg)} break-glass-related = ${((100 * bg) / man.options.events).toFixed(2)}%, the rest unrelated API calls and near misses by other principals, 43 accounts, 17 watched + 4 unwatched regions), seed ${man.options.seed}: ${rel(files.jsonl)} ${fmtBytes(man.bytes.jsonl)} (${fmtN(man.bytes.jsonl / man.options.events)} bytes/record), ${rel(files.gz)} ${fmtBytes(man.bytes.gz)}, and the first ${fmtN(man.options.logRecords)} as one-line CloudTrail log file ${rel(files.logFile)} ${fmtBytes(man.bytes.logFile)}.`,
    `- simulate: \`node bin/breakglass.js simulate -c ${CONFIG} --json FILE > /dev/null\` (the packaged command, running the compiled dist/bin and dist/lib), dist/ checked against the sources before every run${r.rebuilds > 0 ? ` (built ${r.rebuilds} time(s) during the run because sources were newer)` : ''}. Parse-only: \`node ${PARSE_ONLY} FILE\` (plain Node: 1 MiB stream reads, split on newlines, JSON.parse each line; gzip through zlib.createGunzip; the log file read whole and JSON.parsed once).`,
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
  if (r.profile) out.push(...profileText(r, r.profile));
  out.push(...countsText(r));
  if (r.startup) out.push(...startupText(r, r.startup));
  return out.join('\n').trimEnd();
}

function profileText(r: Results, p: Profile): string[] {
  const parseOf = (f: Form) => r.forms.find((x) => x.form.name === f.name)!.parse.ms;
  const out = ["### Where simulate's time goes", ''];
  for (const st of p.stages) {
    out.push(
      `Stage breakdown, ${st.form.name} (${rel(st.form.file)}): each row runs simulate's pipeline up to that stage in its own Node process (bench/simulate/stages.ts, lib modules through tsx, timed in-process from after module loading, so start-up is excluded; ${st.runs === 1 ? 'one run' : `median of ${st.runs}, stages interleaved`}). The first row is the parse-only baseline timed the same way; whole-process parse-only above: ${fmtS(parseOf(st.form))}. Separate processes on a shared machine: a difference of about a second between rows is within noise; the CPU profile below is the sharper attribution.`,
      '',
      '| stage (cumulative) | time | added by this stage |',
      '| --- | ---: | ---: |',
      ...st.rows.map((s) => `| ${s.stage} | ${fmtS(s.ms)} | ${fmtS(s.addedMs)} |`),
      '',
    );
  }
  for (const c of p.cpu) {
    out.push(
      `CPU profile of one \`simulate --json\` run, ${c.form.name} (${rel(c.form.file)}; \`node --cpu-prof\` on the packaged command, compiled dist/; ${fmtS(c.totalMs)} sampled). Self time by source module (frames in dist/lib/….js attributed to lib/….ts), then the top functions (line numbers are source lines, through each compiled file's source map):`,
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
  return out;
}

function countsText(r: Results): string[] {
  const out = [
    '### Match counts: simulate vs moto vs the generator',
    '',
    `moto's matcher (\`moto.events.models.EventPattern\`, the central pattern of each rule exported from lib/detection/catalogue.ts under the example config, each record wrapped as lib/detection/envelope.ts does) ran on the first ${fmtN(r.counts.motoLimit)} records of the JSON Lines file${r.counts.moto ? '' : ' — skipped (--no-moto)'}. "Deployment-scoped" applies simulate's other condition too (a forwarder for the rule exists in the event's account kind and region); that is the count comparable with simulate.`,
    '',
    ...countsTable(r),
    '',
    ...agreement(r).notes.map((n) => `- ${n}`),
    '',
  ];
  const mo = r.counts.moto;
  if (mo) {
    const simEps = r.forms[0]!.simulate.eps;
    out.push(
      `moto speed: ${fmtN(mo.eventsPerSecond)} events/s overall (json.loads + envelope + 9 patterns; ${fmtN(mo.matchEventsPerSecond)} events/s in matches_event alone), wall ${fmtS(mo.wallMs)} for ${fmtN(mo.events)} records, peak RSS ${fmtMiB(mo.rssKb)}; simulate end to end: ${fmtN(simEps)} events/s (${(simEps / mo.eventsPerSecond).toFixed(0)}x moto).`,
      '',
    );
  }
  return out;
}

function startupText(r: Results, rows: readonly StartupResult[]): string[] {
  const bare = rows[0]!.ms;
  const run = r.startupRun;
  const out = [
    '### test-pattern start-up',
    '',
    `Median of ${r.o.startupRuns} runs (after ${r.startupWarmup ?? 2} warm-ups, cases interleaved) of one \`test-pattern\` call on ${rel(ONE_EVENT)} (an EventBridge console sign-in event; prints \`true\`).${run ? ` Re-measured alone (\`--only-startup\`) on ${run.date}, load average ${run.load}, ${run.code}${run.distJs ? `, ${run.distJs}` : ''}.` : ''}`,
    '',
    '| command | path | median | min | over bare Node | peak RSS |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((s, i) => `| \`${s.cmd}\` | ${s.name} | ${fmtMs(s.ms)} | ${fmtMs(s.minMs)} | ${i === 0 ? '-' : `${s.ms >= bare ? '+' : ''}${fmtMs(s.ms - bare)}`} | ${fmtMiB(s.rssKb)} |`),
    '',
  ];
  const get = (id: StartupId) => rows.find((s) => s.id === id);
  const [packaged, compiled, sources] = [get('packaged'), get('compiled'), get('sources')];
  if (packaged && compiled && sources) {
    const wrapper = packaged.ms - compiled.ms;
    out.push(
      `Compiled vs sources: running dist/bin/breakglass.js is ${fmtMs(sources.ms - compiled.ms)} faster than the sources through tsx; the bin/breakglass.js wrapper (an existsSync and a require of dist/bin/breakglass.js) ${wrapper > 5 ? `costs ${fmtMs(wrapper)}` : `has no measurable cost (median difference ${fmtMs(wrapper)}, within run-to-run noise)`} over running dist/bin/breakglass.js directly.`,
      '',
    );
  }
  return out;
}
