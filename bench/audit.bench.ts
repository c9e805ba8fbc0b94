/**
 * Reading benchmark for `audit` and `simulate --alerts-only` (a script, not a test), for the aim "faster than
 * parsing": both must read JSON Lines in at most half the time of parsing every record (readline + JSON.parse of each
 * line, same file, same run); for gzip the floor is decompression, so the ratio to gunzip alone is reported too.
 *
 *   npx tsx bench/audit.bench.ts                                  both commands, 200,000 and 1,000,000 records; updates docs/benchmarks.md
 *   npx tsx bench/audit.bench.ts --command simulate --sizes 20000 --runs 1 --warmup 0 --no-write     a quick trial
 *   options: --command audit|simulate|both (both) --sizes N,N (200000,1000000) --runs K (3) --warmup W (1) --no-build --no-write --doc FILE
 *
 * Data: bench/gen-cloudtrail.ts (the simulate benchmark's generator, same seed: 2.5% break-glass records among
 * unrelated calls and near misses), JSON Lines and its gzip, made in .bench/ when missing. Cases, interleaved
 * (bench/lib/stats.ts), each a fresh process measured by bench/lib/process-runner.ts (wall time, peak RSS):
 * - readline + JSON.parse: bench/audit/readline-parse.cjs (plain Node, nothing of breakglass loaded);
 * - gunzip alone (gzip only): bench/audit/gunzip-only.cjs;
 * - `node bin/breakglass.js audit -c examples/breakglass.config.yaml --json FILE`, or `simulate --json --alerts-only
 *   FILE` (the packaged command; dist/ is rebuilt when stale, bench/lib/fresh-dist.ts), with the prefilter (default)
 *   and with --no-prefilter.
 * The prefilter's outputs are compared with --no-prefilter's (audit: generatedAt aside) and must be identical; the
 * number of lines it parsed comes from one in-process run of lib/detection/fast-lines.ts over the same file.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { existing, filesFor, generate, type GenOptions } from './gen-cloudtrail';
import { Args } from './lib/args';
import { DOC_FLAGS, DOC_USAGE, docTarget, publish } from './lib/docs-writer';
import { fmtBytes, fmtMiB, fmtN, fmtS } from './lib/format';
import { FreshDist } from './lib/fresh-dist';
import { gitState, loadNow, machine } from './lib/machine';
import { check, HAS_TIME, ROOT, runOnce, shownPath, type Sample } from './lib/process-runner';
import { interleaved, median, max, min } from './lib/stats';
import { fieldSelector, readFiltered } from '../lib/detection/fast-lines';
import { Stitcher } from '../lib/audit/stitch';
import { loadConfigFile } from '../lib/config/load';
import { detectionContext } from '../lib/detection/context';
import { rawFieldValues } from '../lib/detection/simulate';

const USAGE = `usage: npx tsx bench/audit.bench.ts [--command audit|simulate|both] [--sizes N,N] [--runs K] [--warmup W] [--no-build] [${DOC_USAGE}]`;
const args = new Args(process.argv.slice(2), { '--command': 'value', '--sizes': 'value', '--runs': 'value', '--warmup': 'value', '--no-build': 'flag', ...DOC_FLAGS }, USAGE);
const sizes = args.list('--sizes', [200_000, 1_000_000]);
const runs = args.int('--runs', 3, 1);
const warmup = args.int('--warmup', 1);
const dist = new FreshDist(!args.has('--no-build'), (s) => process.stderr.write(`${s}\n`));
const CONFIG = join(ROOT, 'examples', 'breakglass.config.yaml');
const BIN = join(ROOT, 'bin', 'breakglass.js');

/** A command under test: how it is run, how its outputs are compared, how many lines its prefilter parses. */
interface Tool {
  readonly name: 'audit' | 'simulate';
  readonly section: string;
  /** The command's arguments before the file (the prefilter on). */
  readonly argv: readonly string[];
  /** The output, made comparable between the two modes. */
  comparable(stdout: string): string;
  parsedLines(file: string): Promise<number>;
  /** A figure of the answer, for the table. */
  answer(stdout: string): { records: number; passes?: number; what: string };
}

const AUDIT: Tool = {
  name: 'audit',
  section: '## Audit: reading JSON Lines',
  argv: ['audit', '-c', CONFIG, '--json'],
  comparable: withoutDate,
  parsedLines: prefilterStats,
  answer: (stdout) => { const d = JSON.parse(stdout); return { records: d.summary.recordsRead, passes: d.summary.passes, what: `${d.summary.sessions} sessions` }; },
};

const SIMULATE: Tool = {
  name: 'simulate',
  section: '## Simulate --alerts-only: reading JSON Lines',
  argv: ['simulate', '-c', CONFIG, '--json', '--alerts-only'],
  comparable: (stdout) => stdout,
  async parsedLines(file) {
    const fields = rawFieldValues(detectionContext(loadConfigFile(CONFIG).config));
    if (!fields) throw new Error('some rule constrains no raw field: the prefilter is off');
    const stats = { lines: 0, parsed: 0 };
    for await (const _ of readFiltered(file, fieldSelector(fields), stats)) { /* count only */ }
    return stats.parsed;
  },
  answer: (stdout) => { const s = JSON.parse(stdout).summary; return { records: s.events, what: `${s.alerting} alerting events` }; },
};

const command = args.str('--command', 'both');
if (!['audit', 'simulate', 'both'].includes(command)) { process.stderr.write(`${USAGE}\n`); process.exit(2); }
const TOOLS = command === 'both' ? [AUDIT, SIMULATE] : command === 'audit' ? [AUDIT] : [SIMULATE];

interface Case { readonly id: 'parse' | 'gunzip' | 'tool' | 'full'; readonly label: string; readonly cmd: string; readonly args: string[] }

function cases(tool: Tool, file: string, gz: boolean): Case[] {
  const list: Case[] = [
    { id: 'parse', label: 'readline + JSON.parse', cmd: process.execPath, args: [join(__dirname, 'audit', 'readline-parse.cjs'), file] },
    { id: 'tool', label: `${tool.name} (prefilter)`, cmd: process.execPath, args: [BIN, ...tool.argv, file] },
    { id: 'full', label: `${tool.name} --no-prefilter`, cmd: process.execPath, args: [BIN, ...tool.argv, '--no-prefilter', file] },
  ];
  if (gz) list.splice(1, 0, { id: 'gunzip', label: 'gunzip alone', cmd: process.execPath, args: [join(__dirname, 'audit', 'gunzip-only.cjs'), file] });
  return list;
}

interface Row {
  readonly form: string;
  readonly file: string;
  readonly records: number;
  readonly bytes: number;
  readonly parsedLines: number;
  readonly passes?: number;
  readonly what: string;
  readonly identical: boolean;
  readonly times: Record<string, { median: number; min: number; max: number; rssKb: number }>;
}

async function prefilterStats(file: string): Promise<number> {
  const { config } = loadConfigFile(CONFIG);
  const st = new Stitcher({ securityAccountId: config.securityAccount.accountId, userNames: config.users.map((u) => u.name), roleName: config.role.name });
  const stats = { lines: 0, parsed: 0 };
  for await (const _ of readFiltered(file, st.rawNeedles(), stats)) { /* count only */ }
  return stats.parsed;
}

function withoutDate(stdout: string): string {
  const doc = JSON.parse(stdout);
  delete doc.generatedAt;
  return JSON.stringify(doc);
}

interface Measured { readonly rows: Row[]; readonly start: string; readonly end: string; readonly rebuilds: number }

async function measure(tool: Tool): Promise<Measured> {
  const start = loadNow();
  const rows: Row[] = [];
  const rebuildsBefore = dist.rebuilds;
  for (const n of sizes) {
    const gen: GenOptions = { events: n, logRecords: Math.min(n, 1000), breakGlassRate: 0.025, seed: 1 };
    if (!existing(gen)) await generate(gen);
    const files = filesFor(gen);
    for (const [form, file, gz] of [['JSON Lines', files.jsonl, false], ['JSON Lines, gzip', files.gz, true]] as const) {
      process.stderr.write(`${tool.name}: ${n} records, ${form}: ${shownPath(file)}\n`);
      dist.ensure();
      // Same answer with and without the prefilter (and one run of each to warm the page cache).
      const fast = check(runOnce(process.execPath, [BIN, ...tool.argv, file], { capture: true }), tool.name);
      const full = check(runOnce(process.execPath, [BIN, ...tool.argv, '--no-prefilter', file], { capture: true }), `${tool.name} --no-prefilter`);
      const answer = tool.answer(fast.stdout);
      const list = cases(tool, file, gz);
      const results = interleaved(list, { warmup, runs }, (t) => {
        dist.ensure();
        const s: Sample = check(runOnce(t.c.cmd, t.c.args), t.c.label);
        process.stderr.write(`  ${t.warm ? 'warm-up ' : ''}${t.c.label}: ${fmtS(s.ms)}\n`);
        return s;
      });
      const times: Row['times'] = {};
      list.forEach((c, i) => {
        const ms = results[i]!.map((s) => s.ms);
        times[c.id] = { median: median(ms), min: min(ms), max: max(ms), rssKb: max(results[i]!.map((s) => s.rssKb)) };
      });
      rows.push({
        form: `${form} (${fmtN(n)})`, file: shownPath(file), records: answer.records, bytes: statSync(file).size,
        parsedLines: await tool.parsedLines(file), passes: answer.passes, what: answer.what,
        identical: tool.comparable(fast.stdout) === tool.comparable(full.stdout), times,
      });
    }
  }
  return { rows, start, end: loadNow(), rebuilds: dist.rebuilds - rebuildsBefore };
}

function render(tool: Tool, r: Measured): string {
  const m = machine();
  const git = gitState(['lib', 'bench', 'bin']);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const name = tool.name === 'audit' ? 'audit' : 'simulate --alerts-only';
  const out: string[] = [tool.section, ''];
  out.push(`Script: \`npx tsx bench/audit.bench.ts --command ${tool.name}${args.has('--sizes') ? ` --sizes ${sizes.join(',')}` : ''} --runs ${runs} --warmup ${warmup}\` (data from bench/gen-cloudtrail.ts, seed 1, 2.5% break-glass records). Command: \`breakglass ${tool.argv.slice(0, 1).concat(tool.argv.slice(3)).join(' ')} FILE\`.`);
  out.push('');
  out.push(`- Date: ${m.date}`);
  out.push(`- Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}. Load average (1/5/15 min) at start ${r.start}, at end ${r.end} (other work on the machine shows here; the ratios are the robust figure, runs being interleaved).`);
  out.push(`- Code: commit ${git.head}${git.dirty ? ` with ${git.dirty} files changed in the working tree` : ''}; dist/ rebuilt ${r.rebuilds} time${r.rebuilds === 1 ? '' : 's'} during the run.`);
  out.push(`- Wall time around each process, median of ${runs} after ${warmup} warm-up (min-max in the notes below); peak RSS: ${HAS_TIME ? '`/usr/bin/time -f %M`' : 'process.resourceUsage().maxRSS'}, the largest of the runs.`);
  out.push(`- Target: ${name} (prefilter) at most 0.5x of readline + JSON.parse on the same file.`);
  out.push('');
  out.push(`| input | size | records | lines parsed by the prefilter | answer | readline + JSON.parse | gunzip alone | ${tool.name} (prefilter) | ${tool.name} / parse | ${tool.name} / gunzip | ${tool.name} --no-prefilter | peak RSS parse / ${tool.name} / --no-prefilter | same output |`);
  out.push('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const row of r.rows) {
    const t = row.times;
    out.push(`| ${row.form} | ${fmtBytes(row.bytes)} | ${fmtN(row.records)} | ${fmtN(row.parsedLines)} (${(100 * row.parsedLines / row.records).toFixed(1)}%) | ${row.what}${row.passes ? `, ${row.passes} pass${row.passes === 1 ? '' : 'es'}` : ''} | ${fmtS(t.parse!.median)} | ${t.gunzip ? fmtS(t.gunzip.median) : '-'} | ${fmtS(t.tool!.median)} | **${ratio(t.tool!.median, t.parse!.median)}** | ${t.gunzip ? ratio(t.tool!.median, t.gunzip.median) : '-'} | ${fmtS(t.full!.median)} | ${fmtMiB(t.parse!.rssKb)} / ${fmtMiB(t.tool!.rssKb)} / ${fmtMiB(t.full!.rssKb)} | ${row.identical ? 'yes' : '**NO**'} |`);
  }
  out.push('');
  const plain = r.rows.filter((x) => !x.form.includes('gzip'));
  const worst = Math.max(...plain.map((x) => x.times.tool!.median / x.times.parse!.median));
  const gz = r.rows.filter((x) => x.form.includes('gzip'));
  const gzWorst = Math.max(...gz.map((x) => x.times.tool!.median / x.times.parse!.median));
  const gzFloor = Math.max(...gz.map((x) => x.times.tool!.median / x.times.gunzip!.median));
  out.push(`Verdict: plain JSON Lines, ${name} is ${worst <= 0.5 ? '' : '**not** '}within 0.5x of readline + JSON.parse (worst ${worst.toFixed(2)}x). `
    + `Gzip: ${gz.map((x) => `${x.form} ${ratio(x.times.tool!.median, x.times.parse!.median)}`).join(', ')} of readline + JSON.parse (${gzWorst <= 0.5 ? 'within' : '**not** within'} 0.5x everywhere); `
    + `decompression is the floor, and ${name} takes at most ${gzFloor.toFixed(2)}x the time of gunzip alone.`);
  out.push('');
  out.push(`Min-max: ${r.rows.map((row) => `${row.form}: ${Object.entries(row.times).map(([k, v]) => `${k === 'tool' ? tool.name : k} ${fmtS(v.min)}-${fmtS(v.max)}`).join(', ')}`).join('; ')}.`);
  return out.join('\n');
}

(async () => {
  for (const tool of TOOLS) publish(tool.section, render(tool, await measure(tool)), docTarget(args));
})().catch((e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); });
