/**
 * Runs independent checks at the same time and folds them into one exit status. A check that throws (an AWS
 * error it did not handle itself) becomes a `fail` with describeAwsError's one line: it never stops the others.
 * With a deadline, checks still running when it passes are reported as unfinished (and every AWS call still in flight
 * is cancelled), so a stalled endpoint costs at most the deadline, never a hang.
 */
import { withAwsAbortSignal } from '../aws/clients';
import { describeAwsError } from '../aws/errors';
import type { Check, CheckResult, CheckStatus, DoctorContext } from './types';

async function runOne(ctx: DoctorContext, c: Check): Promise<CheckResult> {
  try {
    const f = await c.run(ctx);
    return { id: c.id, title: c.title, ...f };
  } catch (e) {
    return { id: c.id, title: c.title, status: 'fail', detail: describeAwsError(e, { action: c.action, profile: ctx.profile }), fix: `give the credentials ${c.action}, or fix the error above, then run again` };
  }
}

export async function runChecks(ctx: DoctorContext, checks: readonly Check[]): Promise<CheckResult[]> {
  return Promise.all(checks.map((c) => runOne(ctx, c)));
}

export interface DeadlineRun {
  readonly results: CheckResult[];
  /** Ids of the checks that had not finished when the deadline passed (reported as `fail` in results). */
  readonly unfinished: string[];
}

/**
 * runChecks with a deadline for the whole run. When it passes, the results are taken as they are at that moment:
 * a check still running becomes a `fail` saying it did not finish (and what it was waiting for), and its AWS calls
 * are aborted so the process can end.
 */
export async function runChecksWithDeadline(ctx: DoctorContext, checks: readonly Check[], deadlineMs: number): Promise<DeadlineRun> {
  const done: Array<CheckResult | undefined> = new Array(checks.length);
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => { timer = setTimeout(() => resolve('expired'), deadlineMs); });
  const all = withAwsAbortSignal(stop.signal, () => Promise.all(checks.map(async (c, i) => { done[i] = await runOne(ctx, c); })));
  const outcome = await Promise.race([all.then(() => 'done' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'done') return { results: done as CheckResult[], unfinished: [] };
  const seconds = deadlineMs / 1000;
  const snapshot = checks.map((c, i) => done[i] ?? {
    id: c.id,
    title: c.title,
    status: 'fail' as const,
    detail: `did not finish within the deadline of ${seconds} s (--deadline): still waiting for AWS (${c.action})`,
    fix: 'check the network, proxy or AWS_ENDPOINT_URL; for a very large organization, raise --deadline',
  });
  stop.abort(Object.assign(new Error(`deadline of ${seconds} s passed`), { name: 'DeadlineExceeded' }));
  all.catch(() => undefined); // the aborted calls settle later; nothing waits for them
  return { results: snapshot, unfinished: checks.filter((_, i) => done[i] === undefined).map((c) => c.id) };
}

export function worst(results: readonly CheckResult[]): CheckStatus {
  return results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass';
}
