/**
 * When the next break-glass drill is due, for the heartbeat message: per user, the later of the last recorded drill
 * (the DRILL_TAG that `breakglass drill` writes) and the password's last use, plus the cadence (lib/drill/cadence.ts).
 *
 * The facts are read with IAM GetUser (`User.PasswordLastUsed`: IAM API reference, GetUser / User data type) and
 * ListUserTags (IAM API reference, ListUserTags). IAM is a global service whose API is served from us-east-1 in the
 * aws partition (IAM user guide, "AWS Identity and Access Management endpoints and quotas"); the SDK picks the
 * endpoint. A failure never stops the heartbeat: that user's line says the dates could not be read.
 */
import { DRILL_INTERVAL_DAYS, DRILL_TAG, parseTagTime } from '../drill/cadence';

const DAY_MS = 86_400_000;

/** What the heartbeat says about one user. Times are ISO 8601 UTC. */
export type DrillLine =
  | { readonly user: string; readonly basis: 'drill' | 'use'; readonly last: string; readonly due: string }
  | { readonly user: string; readonly basis: 'none'; readonly due?: undefined }
  | { readonly user: string; readonly error: string };

/** The facts of one user as read; `error` when they could not be. */
export interface UserDrillFacts {
  readonly user: string;
  readonly lastDrill?: Date;
  readonly passwordLastUsed?: Date;
  readonly error?: string;
}

/** One line per user, in the given order: the later of drill and use decides, due DRILL_INTERVAL_DAYS after it. */
export function drillLines(facts: readonly UserDrillFacts[]): DrillLine[] {
  return facts.map((f): DrillLine => {
    if (f.error !== undefined) return { user: f.user, error: f.error };
    const drill = valid(f.lastDrill);
    const use = valid(f.passwordLastUsed);
    const latest = drill && (!use || drill >= use) ? { at: drill, basis: 'drill' as const } : use ? { at: use, basis: 'use' as const } : undefined;
    if (!latest) return { user: f.user, basis: 'none' };
    return { user: f.user, basis: latest.basis, last: latest.at.toISOString(), due: new Date(latest.at.getTime() + DRILL_INTERVAL_DAYS * DAY_MS).toISOString() };
  });
}

function valid(d: Date | undefined): Date | undefined {
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

/** The two IAM calls, as a small interface so the handler passes the SDK client and tests pass moto's. */
export interface IamReader {
  passwordLastUsed(user: string, signal: AbortSignal): Promise<Date | undefined>;
  tag(user: string, key: string, signal: AbortSignal): Promise<string | undefined>;
}

/** Reads every user's facts at once, each call bounded by `deadlineMs`; one user's failure is that user's line only. */
export async function readDrillFacts(iam: IamReader, users: readonly string[], deadlineMs = 3000): Promise<UserDrillFacts[]> {
  return Promise.all(users.map(async (user): Promise<UserDrillFacts> => {
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      const [passwordLastUsed, tag] = await Promise.all([iam.passwordLastUsed(user, signal), iam.tag(user, DRILL_TAG, signal)]);
      return { user, passwordLastUsed, lastDrill: parseTagTime(tag) };
    } catch (e) {
      const err = e as { name?: string; message?: string };
      return { user, error: signal.aborted ? `no answer within ${deadlineMs / 1000} s` : `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
    }
  }));
}
