/**
 * Runs independent checks at the same time and folds them into one exit status. A check that throws (an AWS
 * error it did not handle itself) becomes a `fail` with describeAwsError's one line: it never stops the others.
 */
import { describeAwsError } from '../aws/errors';
import type { Check, CheckResult, CheckStatus, DoctorContext } from './types';

export async function runChecks(ctx: DoctorContext, checks: readonly Check[]): Promise<CheckResult[]> {
  return Promise.all(checks.map(async (c): Promise<CheckResult> => {
    try {
      const f = await c.run(ctx);
      return { id: c.id, title: c.title, ...f };
    } catch (e) {
      return { id: c.id, title: c.title, status: 'fail', detail: describeAwsError(e, { action: c.action, profile: ctx.profile }), fix: `give the credentials ${c.action}, or fix the error above, then run again` };
    }
  }));
}

export function worst(results: readonly CheckResult[]): CheckStatus {
  return results.some((r) => r.status === 'fail') ? 'fail' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass';
}
