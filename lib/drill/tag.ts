/**
 * After a drill that passed, its date is written where `breakglass doctor` reads it: the tag DRILL_TAG on each
 * break-glass user the drill exercised, value the drill's start time (tagTime: also its record's name), so doctor's
 * users-drill-cadence check counts the drill (lib/doctor/checks/seal.ts).
 *
 * Which users: those the drill's own alerts name. The console-login alert (and the switch-role and assume-role ones)
 * print the user as "NAME (ARN)" (lib/drill/messages.ts); only the ARN of a configured user of the security account
 * counts, compared exactly. When no alert names one (an older notifier, a record without the ARN), no user is tagged
 * and the drill says so: tagging every configured user would claim drills that did not happen.
 *
 * TagUser: "If a tag with the same key name already exists, then that tag is overwritten with the new value" (IAM API
 * Reference, TagUser); the guardrail SCP does not refuse iam:TagUser on the users (lib/constructs/guardrail-scp.ts,
 * USER_TAMPER_ACTIONS). A tag is a pointer: the drill record is the evidence.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { describeAwsError } from '../aws/errors';
import type { BreakglassConfig } from '../config/schema';
import { DRILL_TAG, tagTime } from './cadence';
import type { DrillRecord } from './record';

/** Configured users named by the drill's received alerts, in config order. */
export function drilledUsers(record: DrillRecord, config: BreakglassConfig): string[] {
  const arns = new Set(record.expected.map((e) => e.userArn).filter((a): a is string => !!a));
  const s = config.securityAccount.accountId;
  return config.users.map((u) => u.name).filter((n) => arns.has(`arn:aws:iam::${s}:user/${n}`));
}

export type DrillTagResult = NonNullable<DrillRecord['drillTag']>;

/** Tags the users; never throws: failures are returned as one line (which users got the tag and which did not). */
export async function tagDrilledUsers(iam: IAMClient, record: DrillRecord, config: BreakglassConfig, profile?: string): Promise<DrillTagResult> {
  const value = tagTime(new Date(record.startedAt));
  const users = drilledUsers(record, config);
  if (users.length === 0) {
    return { key: DRILL_TAG, value, users, written: false, error: 'no received alert named a configured break-glass user, so the drill cannot tell whose date to record' };
  }
  const { TagUserCommand } = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  const done: string[] = [];
  const failed: string[] = [];
  for (const name of users) {
    try {
      await iam.send(new TagUserCommand({ UserName: name, Tags: [{ Key: DRILL_TAG, Value: value }] }));
      done.push(name);
    } catch (e) {
      failed.push(`${name}: ${describeAwsError(e, { action: 'iam:TagUser', profile })}`);
    }
  }
  if (failed.length === 0) return { key: DRILL_TAG, value, users, written: true };
  return { key: DRILL_TAG, value, users, written: false, error: `${failed.join('; ')}${done.length ? ` (written on ${done.join(', ')})` : ''}` };
}
