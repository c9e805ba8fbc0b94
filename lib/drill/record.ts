/**
 * The drill record: what an auditor needs to see that the emergency door was tried and the alarm rang. Written as
 * JSON (for tooling) and Markdown (for people) into the drills directory, both named by the UTC start time.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../write-atomically';
import { DRILL_INTERVAL_DAYS } from './cadence';
import type { DrillStepId } from './expected';
import type { ReceivedAlert } from './messages';

export const RECORD_SCHEMA_VERSION = 1;

export type DrillOutcome = 'passed' | 'missing-alerts' | 'aborted' | 'failed';

export interface ExpectedAlertResult {
  readonly rule: string;
  readonly title: string;
  readonly step: DrillStepId;
  readonly received: boolean;
  readonly receivedAt?: string;
  readonly subject?: string;
  /** Seconds from the event (or, failing that, from the operator's confirmation of the step) to arrival. */
  readonly latencySeconds?: number;
  readonly latencyFrom?: 'event-time' | 'step-confirmed';
  /** How many more copies arrived (e.g. the same event seen in two regions). */
  readonly duplicates: number;
  /** The IAM user the alert names (its "User:" line), when it names one. */
  readonly userArn?: string;
}

export interface DrillRecord {
  readonly schemaVersion: typeof RECORD_SCHEMA_VERSION;
  readonly kind: 'breakglass-drill';
  /** UTC start time, compact: 20261201T235307Z. Also the file name. */
  readonly id: string;
  readonly operatorArn?: string;
  readonly configFile: string;
  readonly securityAccountId: string;
  readonly region: string;
  readonly topicArn: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly timeoutMinutes: number;
  readonly outcome: DrillOutcome;
  /** One line: why the drill did not pass (abort reason, AWS error). */
  readonly problem?: string;
  readonly steps: ReadonlyArray<{ readonly id: DrillStepId; readonly instruction: string; readonly confirmedAt?: string }>;
  readonly expected: readonly ExpectedAlertResult[];
  readonly missing: readonly string[];
  readonly unexpected: readonly ReceivedAlert[];
  readonly resources: { readonly queueUrl?: string; readonly queueArn?: string; readonly subscriptionArn?: string };
  readonly teardown: { readonly unsubscribed: boolean; readonly queueDeleted: boolean; readonly errors: readonly string[] };
  /**
   * The drill date written on the users exercised (tag DRILL_TAG, value the start time: lib/drill/tag.ts), after a
   * passed drill. Absent when the drill did not pass.
   */
  readonly drillTag?: { readonly key: string; readonly value: string; readonly users: readonly string[]; readonly written: boolean; readonly error?: string };
}

/** 2026-12-01T23:53:07.123Z -> 20261201T235307Z */
export function recordId(startedAt: Date): string {
  return startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Writes <dir>/<id>.json and <dir>/<id>.md (each via a temp file and rename); returns both paths. */
export function writeRecord(dir: string, record: DrillRecord): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${record.id}.json`);
  const markdown = join(dir, `${record.id}.md`);
  writeAtomically(json, `${JSON.stringify(record, null, 2)}\n`);
  writeAtomically(markdown, recordMarkdown(record));
  return { json, markdown };
}

const OUTCOME_TEXT: Record<DrillOutcome, string> = {
  passed: 'PASSED: every expected alert arrived',
  'missing-alerts': 'FAILED: expected alerts did not arrive before the timeout',
  aborted: 'ABORTED before the drill finished',
  failed: 'FAILED: the drill could not run',
};

/** Markdown cells: no line breaks, no unescaped pipes. */
const cell = (s: string | number | undefined) => (s === undefined || s === '' ? '-' : String(s).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|'));

export function recordMarkdown(r: DrillRecord): string {
  const lines: string[] = [];
  lines.push(`# Break-glass drill ${r.id}`, '');
  lines.push(`**Result: ${OUTCOME_TEXT[r.outcome]}**${r.problem ? ` (${cell(r.problem)})` : ''}`, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Run by | ${cell(r.operatorArn)} |`);
  lines.push(`| Config | ${cell(r.configFile)} |`);
  lines.push(`| Security account | ${r.securityAccountId} (${r.region}) |`);
  lines.push(`| Alert topic | ${cell(r.topicArn)} |`);
  lines.push(`| Started | ${r.startedAt} |`);
  lines.push(`| Ended | ${r.endedAt} |`);
  lines.push(`| Timeout | ${r.timeoutMinutes} min after the last step |`, '');

  lines.push('## Steps', '');
  for (const s of r.steps) lines.push(`- ${s.instruction} ${s.confirmedAt ? `(confirmed ${s.confirmedAt})` : '(not confirmed)'}`);
  lines.push('');

  lines.push('## Expected alerts', '');
  lines.push('| Rule | Alert | Received | Arrived | Time to alert | Measured from |', '|---|---|---|---|---|---|');
  for (const e of r.expected) {
    lines.push(`| ${e.rule} | ${cell(e.title)} | ${e.received ? 'yes' : '**no**'} | ${cell(e.receivedAt)} | ${e.latencySeconds === undefined ? '-' : `${e.latencySeconds} s`} | ${e.latencyFrom === 'event-time' ? 'CloudTrail event time' : e.latencyFrom === 'step-confirmed' ? 'operator confirmation' : '-'} |`);
  }
  lines.push('');
  if (r.missing.length) lines.push(`Missing: ${r.missing.join(', ')}. See docs/runbook.md, "Drills", for where each alert can get lost.`, '');

  lines.push('## Other alerts during the drill', '');
  if (r.unexpected.length === 0) lines.push('None.');
  for (const u of r.unexpected) lines.push(`- ${u.receivedAt} ${cell(u.rule ?? 'unidentified')}: ${cell(u.subject)}`);
  lines.push('');

  lines.push('## Teardown', '');
  lines.push(`- Subscription removed: ${r.teardown.unsubscribed ? 'yes' : 'no'} (${cell(r.resources.subscriptionArn)})`);
  lines.push(`- Queue deleted: ${r.teardown.queueDeleted ? 'yes' : 'no'} (${cell(r.resources.queueUrl)})`);
  for (const e of r.teardown.errors) lines.push(`- Problem: ${cell(e)}`);
  lines.push('');

  if (r.drillTag) {
    lines.push('## Drill date on the users', '');
    lines.push(r.drillTag.written
      ? `Tag \`${r.drillTag.key}\` = \`${r.drillTag.value}\` written on ${r.drillTag.users.join(', ')} (\`breakglass doctor\` reads it; this record is the evidence, the tag points to it).`
      : `Tag \`${r.drillTag.key}\` NOT written${r.drillTag.users.length ? ` on ${r.drillTag.users.join(', ')}` : ''}: ${cell(r.drillTag.error)}.`, '');
  }

  lines.push('## For auditors: why break-glass users show recent use', '');
  lines.push(
    'Break-glass IAM users exist for emergencies, so in a quiet year nobody signs in with them. Checks for unused',
    'credentials then report them: AWS Security Hub control IAM.8 "Unused IAM user credentials should be removed"',
    '(AWS Config rule iam-user-unused-credentials-check, maxCredentialUsageAge 90 days by default) and the CIS AWS',
    'Foundations Benchmark recommendation to disable credentials unused for 90 days (v1.2.0, 1.3; later versions use',
    '45 days, as does Security Hub control IAM.22). The answer is not to delete the door but to prove it works on a',
    'schedule shorter than that window. This record is that proof: a named holder signed in with MFA, switched into',
    'the break-glass role, and the alerts above reached the alert topic within the stated times. A drill at least every',
    `${DRILL_INTERVAL_DAYS} days (breakglass doctor warns when one is due) keeps the credentials "used" for those checks, shows they`,
    'still work, and shows that using them cannot go unnoticed. Rotate the password after every drill and record the',
    'seal (breakglass reseal), as after every real use.',
    '',
  );
  return `${lines.join('\n')}\n`;
}
