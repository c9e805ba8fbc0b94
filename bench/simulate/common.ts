/** What the parts of bench/simulate.bench.ts share: paths, options, result shapes, the inputs written into .bench/. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, type GenFiles, type GenOptions, type Manifest } from '../gen-cloudtrail';
import type { CpuProfileSummary } from '../lib/cpu-profile';
import type { FreshDist } from '../lib/fresh-dist';
import type { Machine } from '../lib/machine';
import { ROOT } from '../lib/process-runner';

export const BENCH = BENCH_DIR;
export const CONFIG = 'examples/breakglass.config.yaml';
/** The packaged command: requires dist/bin/breakglass.js. */
export const BIN = 'bin/breakglass.js';
export const PATTERNS = join(BENCH, 'patterns.json');
export const ONE_EVENT = join(BENCH, 'one-event.json');
/** Relative to the repository root, as the report shows it. */
export const PARSE_ONLY = 'bench/simulate/parse-only.cjs';
export const SECTION = '## Simulate and test-pattern';
export const DEFAULT_RESULTS = join(BENCH, 'simulate-bench-results.json');
export const TARGET_RATIO = 2;

export const simulateArgs = (file: string): string[] => [BIN, 'simulate', '-c', CONFIG, '--json', file];
export const log = (s: string): void => { process.stderr.write(`${s}\n`); };

export interface Options {
  readonly gen: GenOptions;
  readonly runs: number;
  readonly warmup: number;
  readonly motoLimit: number;
  readonly startupRuns: number;
  /** false (--no-build): never build; a stale dist/ is an error. */
  readonly build: boolean;
  readonly moto: boolean;
  readonly startup: boolean;
  readonly profile: 'auto' | 'always' | 'never';
}

/** Options and the dist/ guard, handed to every part that runs children. */
export interface Ctx {
  readonly o: Options;
  readonly dist: FreshDist;
}

export interface Form {
  readonly name: string;
  readonly file: string;
  readonly events: number;
  readonly parseMode: 'lines' | 'document';
}

export interface Stats { readonly ms: number; readonly minMs: number; readonly maxMs: number; readonly rssKb: number; readonly eps: number }
export interface FormResult { readonly form: Form; readonly bytes: number; readonly parse: Stats; readonly simulate: Stats; readonly ratio: number }

export type Counts = Record<string, number>;

export interface SimCounts {
  readonly byRule: Counts;
  /** Per-rule counts among the first `limit` events. */
  readonly byRuleFirst: Counts;
  /** index -> rules (comma-joined) among the first `limit` events (not saved with the results). */
  readonly firstMatches?: Map<number, string>;
  readonly summary: { events: number; alerting: number; unreadable: number };
  readonly sha256: string;
}

export interface MotoResult {
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

export type StartupId = 'bare' | 'packaged' | 'compiled' | 'sources';

export interface StartupResult {
  /** Missing in results saved before the start-up cases had ids. */
  readonly id?: StartupId;
  readonly name: string;
  readonly cmd: string;
  readonly ms: number;
  readonly minMs: number;
  readonly rssKb: number;
}

export interface StageRow { readonly stage: string; readonly ms: number; readonly addedMs: number }
export interface CpuProfile extends CpuProfileSummary { readonly form: Form }
export interface Profile { readonly cpu: CpuProfile[]; readonly stages: Array<{ form: Form; runs: number; rows: StageRow[] }> }

export interface SimMachine extends Machine {
  readonly python: string;
  readonly moto: string;
}

export interface Results {
  readonly o: Options;
  readonly m: SimMachine;
  readonly manifest: Manifest;
  readonly files: GenFiles;
  readonly forms: FormResult[];
  readonly fixed: Stats;
  readonly counts: { jsonl: SimCounts; gzSha: string; logFile: SimCounts; moto?: MotoResult; motoLimit: number };
  readonly startup?: StartupResult[];
  /** Warm-up rounds of the start-up cases (at least 2: the tsx case fills tsx's compile cache on its first run). */
  readonly startupWarmup?: number;
  /** Set when the start-up table was re-measured alone (--only-startup) after the main run. */
  readonly startupRun?: { date: string; load: string; code: string; distJs?: string };
  readonly profile?: Profile;
  /** Builds of dist/ during the run (the first included when dist/ was stale at the start). */
  readonly rebuilds: number;
  readonly loadEnd: string;
  /** HEAD and uncommitted changes under lib/ and bin/ when the run started and ended. */
  readonly code: string;
}

/**
 * Writes into .bench/ the rule patterns for moto (from the same lib modules simulate uses, under the example config)
 * and one EventBridge console sign-in event for the one-event runs.
 */
export function writeInputs(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadConfigFile } = require('../../lib/config/load') as typeof import('../../lib/config/load');
  const { detectionContext } = require('../../lib/detection/context') as typeof import('../../lib/detection/context');
  const { CATALOGUE, regionsFor } = require('../../lib/detection/catalogue') as typeof import('../../lib/detection/catalogue');
  const { toEventBridgeEvent } = require('../../lib/detection/envelope') as typeof import('../../lib/detection/envelope');
  const f = require('../../test/fixtures/cloudtrail') as typeof import('../../test/fixtures/cloudtrail');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ctx = detectionContext(loadConfigFile(join(ROOT, CONFIG)).config);
  const rules = CATALOGUE.map((r) => ({ id: r.id, accounts: r.accounts, regions: regionsFor(r, ctx), pattern: r.pattern(ctx) }));
  writeFileSync(PATTERNS, `${JSON.stringify({ context: ctx, rules }, null, 1)}\n`);
  const one = toEventBridgeEvent(f.consoleLogin());
  if ('error' in one) throw new Error(one.error);
  writeFileSync(ONE_EVENT, `${JSON.stringify(one.event)}\n`);
}
