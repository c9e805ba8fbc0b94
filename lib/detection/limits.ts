/**
 * Every limit that keeps bad input from costing unbounded time or memory, in one place (README, "Limits").
 * Each one ends with a one-line error naming the file and line, exit 2, and the other records still evaluated.
 *
 * - maxRecordChars (16 MiB): the largest single JSON value (a JSON Lines line, a pretty-printed document, or one element
 *   of a CloudTrail log file's Records array), in characters of the decoded text (bytes, for the ASCII that
 *   CloudTrail writes). An EventBridge event is at most 256 KB (EventBridge user guide, "Calculating PutEvents event
 *   entry size": "The total entry size must be less than 256KB"), and a CloudTrail record is a few KB (1.4 KB on
 *   average in bench/gen-cloudtrail.ts data): 16 MiB is 64 times the largest event EventBridge can deliver, and
 *   small enough that one value never dominates memory. A larger value is skipped without being held in memory
 *   (its text is scanned, not kept) and reported.
 * - gzipMaxRatio (100) / gzipRatioAfterChars (256 MiB): a gzip stream may expand to any size, but once its output
 *   passes gzipRatioAfterChars it must stay within gzipMaxRatio output bytes per input byte. CloudTrail JSON
 *   compresses about 8:1 (docs/benchmarks.md: 1.30 GiB from 166.5 MiB); deflate cannot exceed about 1032:1, which is
 *   what a bomb (1 GB of zeros in 1 MB) reaches. 100:1 leaves room for very repetitive exports and stops a bomb
 *   after 256 MiB of output, a few seconds of work.
 * - maxConfigBytes (4 MiB): a config file. The example is 2 KB; one that lists 5,000 target accounts with their names is
 *   about 350 KB, so 4 MiB leaves room for the largest organizations while `-c /dev/zero` stops at once.
 * - maxPatternBytes (1 MiB): an event-pattern file for test-pattern; real patterns are a few KB.
 *
 * - AWS calls (lib/aws/clients.ts): awsConnectMs (5 s) to connect, awsAttemptMs (30 s) for one whole attempt
 *   (connection, headers and body: an endpoint that sends headers and then stalls is cut off too), awsMaxAttempts (3)
 *   attempts (standard retry mode: backoff with jitter on throttling and transient errors), and at most
 *   awsMaxResponseBytes (64 MiB) of response body (an answer is a page of at most a few hundred KB). So one call fails
 *   within about 3 x 30 s, and each command that calls AWS also has a deadline for the whole run (--deadline,
 *   DEFAULT_DEADLINE_SECONDS) after which it reports what did not finish and exits 3.
 *
 * BREAKGLASS_TEST_LIMITS overrides them, for tests only (so a test needs 20 MB rather than 200 MB to cross a limit):
 * comma-separated `name=value` pairs with the field names of Limits, e.g. `BREAKGLASS_TEST_LIMITS=maxRecordChars=1048576`.
 * It is not a user setting: the values above are the documented ones.
 */

export interface Limits {
  readonly maxRecordChars: number;
  readonly gzipMaxRatio: number;
  readonly gzipRatioAfterChars: number;
  readonly maxConfigBytes: number;
  readonly maxPatternBytes: number;
  readonly awsConnectMs: number;
  readonly awsAttemptMs: number;
  readonly awsMaxAttempts: number;
  readonly awsMaxResponseBytes: number;
}

export const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Limits = {
  maxRecordChars: 16 * MiB,
  gzipMaxRatio: 100,
  gzipRatioAfterChars: 256 * MiB,
  maxConfigBytes: 4 * MiB,
  maxPatternBytes: 1 * MiB,
  awsConnectMs: 5_000,
  awsAttemptMs: 30_000,
  awsMaxAttempts: 3,
  awsMaxResponseBytes: 64 * MiB,
};

/** Default --deadline of doctor and links, in seconds: far above a healthy run (docs/benchmarks.md, "Doctor"). */
export const DEFAULT_DEADLINE_SECONDS = 300;

/** The limits in force: the defaults, with BREAKGLASS_TEST_LIMITS applied (tests only). Read on every call. */
export function limits(env: NodeJS.ProcessEnv = process.env): Limits {
  const spec = env.BREAKGLASS_TEST_LIMITS;
  if (!spec) return DEFAULT_LIMITS;
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const pair of spec.split(',')) {
    const [name, value] = pair.split('=').map((s) => s.trim());
    const n = Number(value);
    if (name && name in DEFAULT_LIMITS && Number.isFinite(n) && n > 0) out[name] = n;
  }
  return out as unknown as Limits;
}

/** 16777216 -> "16 MiB", 1536 -> "1.5 KiB": for messages. */
export function formatSize(n: number): string {
  if (n >= MiB) return `${+(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
