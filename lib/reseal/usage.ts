/**
 * When a break-glass user was last used, from what IAM itself records (shared by `breakglass reseal` and the doctor's
 * seal and drill checks), and the seal and drill dates read back from the user's tags (lib/drill/cadence.ts).
 *
 * - Password: GetUser PasswordLastUsed, the last console sign-in with the password. IAM keeps only the first use in any
 *   five-minute span (IAM API Reference, User), so a second sign-in within five minutes of the first is not seen
 *   here; the CloudTrail ConsoleLogin records in an attached audit are (lib/reseal/evaluate.ts).
 * - Access keys: GetAccessKeyLastUsed LastUsedDate of every key the user has (IAM API Reference, AccessKeyLastUsed);
 *   a key deleted since is not seen, its calls are in the audit. Break-glass users should have no key at all.
 */
import type { UserFacts } from '../doctor/checks/users';
import { DRILL_TAG, parseTagTime, SEAL_TAG } from '../drill/cadence';

export type UseSource = 'password sign-in' | 'access key' | 'audit';

export interface IamUse {
  /** PasswordLastUsed. */
  readonly password?: Date;
  /** The latest LastUsedDate of the user's access keys. */
  readonly accessKey?: Date;
  /** The later of the two. */
  readonly last?: Date;
  readonly lastFrom?: UseSource;
}

export function iamUse(f: UserFacts): IamUse {
  const password = f.info?.passwordLastUsed;
  const keys = f.accessKeys.ok ? f.accessKeys.value : [];
  const accessKey = latest(keys.map((k) => k.lastUsed));
  if (password && (!accessKey || password >= accessKey)) return { password, accessKey, last: password, lastFrom: 'password sign-in' };
  if (accessKey) return { password, accessKey, last: accessKey, lastFrom: 'access key' };
  return {};
}

export interface TagDates {
  readonly sealedAt?: Date;
  /** The tag is there but holds no time (hand-edited): treated as absent, and said. */
  readonly sealUnreadable?: string;
  readonly drilledAt?: Date;
  readonly drillUnreadable?: string;
}

export function tagDates(f: UserFacts): TagDates {
  const tags = f.info?.tags ?? {};
  const seal = tags[SEAL_TAG];
  const drill = tags[DRILL_TAG];
  const sealedAt = parseTagTime(seal);
  const drilledAt = parseTagTime(drill);
  return {
    ...(sealedAt ? { sealedAt } : seal !== undefined ? { sealUnreadable: seal } : {}),
    ...(drilledAt ? { drilledAt } : drill !== undefined ? { drillUnreadable: drill } : {}),
  };
}

/** The latest of some dates; undefined when none is given. */
export function latest(dates: ReadonlyArray<Date | undefined>): Date | undefined {
  let out: Date | undefined;
  for (const d of dates) if (d && !Number.isNaN(d.getTime()) && (!out || d > out)) out = d;
  return out;
}

/** The earliest of some dates; undefined when none is given. */
export function earliest(dates: ReadonlyArray<Date | undefined>): Date | undefined {
  let out: Date | undefined;
  for (const d of dates) if (d && !Number.isNaN(d.getTime()) && (!out || d < out)) out = d;
  return out;
}

/** 2026-11-23 10:00:00 UTC: how times are printed for people (the audit report and the alerts print them so too). */
export function utc(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}
