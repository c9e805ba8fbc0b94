/**
 * The alerts a console drill must raise, in the order they normally arrive, and how a received alert is matched to
 * a rule. A console sign-in plus one console "Switch role" produces, per the recorded CloudTrail events:
 * - console-login  (ConsoleLogin in the security account)
 * - assume-role    (the caller-side AssumeRole copy in the security account, invokedBy "AWS Internal")
 * - switch-role    (SwitchRole, recorded in the member account)
 * - role-assumed   (the role-owner AssumeRole copy in the member account)
 * (IAM user guide, "Logging IAM and AWS STS API calls with AWS CloudTrail", cross-account example; CloudTrail user
 * guide, "AWS console sign-in events"; each rule's sources are in lib/detection/catalogue.ts.)
 */
import { CATALOGUE, type RuleId } from '../detection/catalogue';

export type DrillStepId = 'sign-in' | 'switch-role';

export interface ExpectedAlert {
  readonly rule: RuleId;
  readonly title: string;
  /** The operator step that causes it (latency falls back to "since the operator confirmed this step"). */
  readonly step: DrillStepId;
}

const STEP_OF: ReadonlyArray<readonly [RuleId, DrillStepId]> = [
  ['console-login', 'sign-in'],
  ['assume-role', 'switch-role'],
  ['switch-role', 'switch-role'],
  ['role-assumed', 'switch-role'],
];

export const EXPECTED_ALERTS: readonly ExpectedAlert[] = STEP_OF.map(([rule, step]) => {
  const r = CATALOGUE.find((x) => x.id === rule);
  if (!r) throw new Error(`drill: rule ${rule} is not in the catalogue`);
  return { rule, title: r.title, step };
});

/**
 * Which rule an alert came from. The notifier publishes a `rule` message attribute with the rule id
 * (lib/notify/handler.ts); without it (an older notifier) the subject is matched: subjects start with
 * "[SEVERITY] <rule title>" (lib/notify/render.ts). Longest title first, so a title that prefixes another cannot win.
 */
export function identifyRule(ruleAttribute: string | undefined, subject: string | undefined): string | undefined {
  if (ruleAttribute) return ruleAttribute;
  if (!subject) return undefined;
  const head = subject.replace(/^\[[A-Z]+\]\s*/, '');
  const byLength = [...CATALOGUE].sort((a, b) => b.title.length - a.title.length);
  return byLength.find((r) => head === r.title || head.startsWith(`${r.title}:`))?.id;
}
