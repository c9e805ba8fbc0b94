/**
 * Match counts of bench/simulate.bench.ts: what simulate --json reported per rule, what moto's EventBridge matcher
 * (bench/moto-match.py) says on the first records, and what the generator intended (its manifest); and whether they
 * agree.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtN } from '../lib/format';
import { check, runOnce } from '../lib/process-runner';
import { BENCH, PATTERNS, simulateArgs, type Counts, type Ctx, type MotoResult, type Results, type SimCounts } from './common';

/** One `simulate --json` run (output kept in `outFile`), counted per rule overall and among the first `limit` events. */
export function simulateCounts(ctx: Ctx, file: string, outFile: string, limit: number): SimCounts {
  ctx.dist.ensure();
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

/** moto's matcher over the first `limit` records, with a per-record diff against simulate's matches. */
export function runMoto(file: string, limit: number, sim: SimCounts): MotoResult {
  const matchesOut = join(BENCH, 'moto-matches.tsv');
  const s = check(runOnce('python3', [join('bench', 'moto-match.py'), '--patterns', PATTERNS, '--limit', String(limit), '--matches-out', matchesOut, file], { capture: true }), 'moto-match.py');
  const r = JSON.parse(s.stdout) as Omit<MotoResult, 'wallMs' | 'rssKb' | 'diffs'>;
  const moto = new Map<number, string>();
  for (const line of readFileSync(matchesOut, 'utf8').split('\n')) {
    if (!line) continue;
    const [i, rules] = line.split('\t');
    moto.set(Number(i), rules!);
  }
  const simFirst = sim.firstMatches ?? new Map<number, string>();
  const diffs: Array<[number, string, string]> = [];
  for (const i of new Set([...moto.keys(), ...simFirst.keys()])) {
    const a = moto.get(i) ?? '';
    const b = simFirst.get(i) ?? '';
    if (a !== b) diffs.push([i, a, b]);
  }
  diffs.sort((x, y) => x[0] - y[0]);
  return { ...r, wallMs: s.ms, rssKb: s.rssKb, diffs };
}

/** The Markdown table of per-rule counts, every source side by side. */
export function countsTable(r: Results): string[] {
  const { manifest: man, counts } = r;
  const rules = (JSON.parse(readFileSync(PATTERNS, 'utf8')) as { rules: Array<{ id: string }> }).rules.map((x) => x.id);
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

const sameCounts = (a: Counts | undefined, b: Counts | undefined) =>
  !!a && !!b && [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => (a[k] ?? 0) === (b[k] ?? 0));

/** Whether simulate, the generator and moto agree, with one sentence per comparison for the report. */
export function agreement(r: Results): { ok: boolean; notes: string[] } {
  const notes: string[] = [];
  const { counts, manifest: man } = r;
  let ok = true;
  const say = (cond: boolean, yes: string, no: string) => { notes.push(cond ? yes : `**MISMATCH**: ${no}`); ok &&= cond; };
  say(sameCounts(counts.jsonl.byRule, man.expectedByRule), `simulate raised exactly the alerts the generator intended, per rule, over all ${fmtN(man.options.events)} records (${fmtN(counts.jsonl.summary.alerting)} alerting events, expected ${fmtN(man.expectedAlerting)}).`,
    `simulate's per-rule counts differ from the generator's intent (${JSON.stringify(counts.jsonl.byRule)} vs ${JSON.stringify(man.expectedByRule)}).`);
  say(counts.gzSha === counts.jsonl.sha256, 'simulate printed byte-identical JSON for the gzip file and the plain file.', 'simulate printed different JSON for the gzip and plain files.');
  say(sameCounts(counts.logFile.byRule, man.expectedByRuleInLogFile), `the log-file form gave the per-rule counts intended for its ${fmtN(man.options.logRecords)} records.`, `log-file counts differ: ${JSON.stringify(counts.logFile.byRule)} vs ${JSON.stringify(man.expectedByRuleInLogFile)}.`);
  if (counts.moto) {
    const m = counts.moto;
    say(sameCounts(m.deployed, counts.jsonl.byRuleFirst) && m.diffs.length === 0,
      `moto (pattern match + the same account/region deployment scope) agrees with simulate on every one of the first ${fmtN(m.events)} records: same rules for each record, ${fmtN(m.alerting)} alerting.`,
      `moto and simulate disagree on ${m.diffs.length} of the first ${fmtN(m.events)} records; first ones (index: moto / simulate): ${m.diffs.slice(0, 8).map(([i, a, b]) => `${i}: ${a || '-'} / ${b || '-'}`).join('; ')}.`);
    const rawMinusDeployed = Object.keys(m.raw).filter((k) => m.raw[k] !== m.deployed[k]).map((k) => `${k} ${m.raw[k]! - (m.deployed[k] ?? 0)}`);
    if (rawMinusDeployed.length) notes.push(`Pattern-only matches that no deployed forwarder would see (event in an unwatched region or in an account where the rule is not deployed), which simulate rightly does not report: ${rawMinusDeployed.join(', ')}.`);
  }
  return { ok, notes };
}
