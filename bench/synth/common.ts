/** What the parts of bench/synth.bench.ts share: cases, result shapes, constants and the generated targets. */

/** Prefix of the stdout line on which a child prints its measurement as JSON. */
export const RESULT_MARK = 'BENCH_RESULT ';
/** Warm builds per process; the fastest counts. */
export const WARM_REPS = 3;
/** CloudFormation limits referred to in the output. */
export const LIMITS = {
  /** Template body in an S3 object (CreateStack/UpdateStack with TemplateURL); the CDK CLI uploads templates > 50 KiB. */
  templateUrl: 1_048_576,
  /** Template body passed inline (TemplateBody). */
  templateBody: 51_200,
  /** OUs per CreateStackInstances operation (CloudFormation API reference, CreateStackInstances). */
  ousPerOperation: 50,
};

export interface Case {
  readonly name: string;
  readonly kind: 'accounts' | 'ous';
  readonly size: number;
}

export interface Timing {
  /** `buildApp`, which includes synthesizing the member-template app. */
  readonly buildMs: number;
  /** `app.synth()` of the main app into a temporary directory. */
  readonly synthMs: number;
  readonly totalMs: number;
  /** CPU time (user + system, all threads of the process) over build + synth; less disturbed by other load than wall time. */
  readonly cpuMs: number;
}

/** What the synthesized assembly looks like (taken from the warm run; the cold one writes the same files). */
export interface AssemblyStats {
  readonly stacks: number;
  readonly stackNames: string[];
  readonly stackSetTemplateBytes: number;
  readonly largestOtherTemplate: { name: string; bytes: number };
  readonly assemblyBytes: number;
  readonly memberTemplateBytes: number;
  /** Targets of the kind under test (accounts or OUs) in the StackSet resource(s) of the StackSets stack. */
  readonly targetsInStackSet: number;
  /** Templates (file names) that mention the first generated target ID, with the number of occurrences. */
  readonly firstTargetOccurrences: Record<string, number>;
}

export interface RunResult extends AssemblyStats {
  /** `require('aws-cdk-lib')`: the root module only; its namespaces and classes are lazy getters. */
  readonly cdkImportMs: number;
  /** The project modules (TypeScript through tsx) and the aws-cdk-lib modules they pull in at load time. */
  readonly appImportMs: number;
  /** parseConfigText of the generated config (zod schema + semantic checks). */
  readonly validateMs: number;
  /** First build + synth in the process: what `breakglass synth` pays, lazy module loading and JIT included. */
  readonly cold: Timing;
  /** Best of WARM_REPS further builds + synths in the same process, each with a fresh App: the cost of the config itself. */
  readonly warm: Timing;
  /** As warm, with CDK_VALIDATION=false (aws-cdk-lib's built-in CloudFormation validator off); diagnostic only. */
  readonly warmNoValidation: Timing;
  readonly rssAfterImportMiB: number;
  /** ru_maxrss right after the cold run (a `breakglass synth` process peaks at this). */
  readonly peakRssMiB: number;
  /** Wall time of the whole child process as seen by the parent. */
  processMs?: number;
}

export interface EagerImport {
  readonly rootMs: number;
  readonly allMs: number;
  readonly modules: number;
  readonly rssMiB: number;
}

export interface Options {
  readonly runs: number;
  readonly warmup: number;
  readonly accounts: number[];
  readonly ous: number[];
  readonly snapshot: boolean;
  /** false (--no-build): a stale dist/notifier is an error instead of a rebuild. */
  readonly build?: boolean;
}

export interface CaseSummary {
  readonly c: Case;
  readonly runs: RunResult[];
}

/** Everything a report is made from; saved so the Markdown can be re-rendered without measuring again. */
export interface Measurement {
  readonly options: Options;
  readonly machineLines: string[];
  readonly version: string;
  readonly snapshot: boolean;
  readonly loadStart: string;
  readonly loadEnd: string;
  readonly summaries: CaseSummary[];
  readonly eager: EagerImport & { processMs: number };
  /** Builds of dist/ during the run (missing in results saved before the Lambda bundles moved to dist/). */
  readonly rebuilds?: number;
  /** The Lambda bundles in dist/ that synthesis packaged (dist/notifier). */
  readonly assets?: string[];
}

export function accountIds(n: number): string[] {
  // 3xxxxxxxxxxx: 12 digits, never the example's management (111111111111) or security (222222222222) account.
  return Array.from({ length: n }, (_, i) => String(300_000_000_000 + i * 7 + 1));
}

export function ouIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `ou-ab12-${(i + 1).toString(36).padStart(8, '0')}`);
}

export function targetsOf(c: Case): { organizationalUnits: string[]; accounts: string[] } {
  return c.kind === 'accounts' ? { organizationalUnits: [], accounts: accountIds(c.size) } : { organizationalUnits: ouIds(c.size), accounts: [] };
}
