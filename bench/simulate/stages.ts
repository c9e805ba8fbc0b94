/**
 * The stages of simulate's pipeline, for the stage breakdown of bench/simulate.bench.ts. Run as a child:
 *
 *   node --import tsx bench/simulate/stages.ts STAGE FILE [lines|document]
 *
 * runs simulate's pipeline up to STAGE on FILE with the lib modules imported through tsx (the current sources),
 * timed in-process from after module loading, and prints {"events":N,"ms":T,"sink":S} (sink keeps the work alive).
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';

export const STAGES = ['baseline', 'read', 'envelope', 'evaluate', 'full'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABEL: Record<Stage, string> = {
  baseline: 'parse-only, in-process (the baseline script\'s loop, no lib code)',
  read: 'readValues: JsonValueSplitter + StringDecoder + JSON.parse, async generators',
  envelope: '+ toEventBridgeEvent',
  evaluate: '+ Simulator.evaluate (every catalogue rule)',
  full: 'runSimulate --json in-process, output discarded (adds the JSON writer with notifications)',
};

const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, 'examples', 'breakglass.config.yaml');

async function runStage(stage: Stage, file: string, parseMode: string): Promise<{ events: number; ms: number; sink: number }> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parseOnly } = require('./parse-only.cjs') as { parseOnly(file: string, mode: string): Promise<number> };
  const { loadConfigFile } = await import('../../lib/config/load');
  const { detectionContext } = await import('../../lib/detection/context');
  const { toEventBridgeEvent } = await import('../../lib/detection/envelope');
  const { readValues } = await import('../../lib/detection/read-events');
  const { Simulator } = await import('../../lib/detection/simulate');
  const { runSimulate } = await import('../../lib/cli/commands/simulate');
  let sink = 0;
  if (stage === 'baseline') {
    const t0 = performance.now();
    const events = await parseOnly(file, parseMode);
    return { events, ms: performance.now() - t0, sink };
  }
  if (stage === 'full') {
    const t0 = performance.now();
    let last = '';
    await runSimulate({ config: CONFIG, json: true, files: [file] }, { out: (t) => { sink += t.length; if (t) last = t; }, err: (t) => { throw new Error(t); } });
    // The document's summary carries the event count.
    return { events: Number(/"summary":\{"events":(\d+)/.exec(last)?.[1] ?? -1), ms: performance.now() - t0, sink };
  }
  const sim = new Simulator(detectionContext(loadConfigFile(CONFIG).config));
  const upTo = STAGES.indexOf(stage);
  let n = 0;
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
  return { events: n, ms: performance.now() - t0, sink };
}

if (require.main === module) {
  const [stage, file, mode = 'lines'] = process.argv.slice(2);
  if (!STAGES.includes(stage as Stage) || !file) {
    process.stderr.write(`usage: node --import tsx bench/simulate/stages.ts ${STAGES.join('|')} FILE [lines|document]\n`);
    process.exit(2);
  }
  runStage(stage as Stage, file, mode).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); },
  );
}
