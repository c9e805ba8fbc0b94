/**
 * Forwarder liveness: the names, schedules, thresholds and event patterns shared by the constructs (member template,
 * security stacks) and the watchdog Lambda. No aws-cdk-lib or AWS SDK here: the Lambda bundle and the pure tests
 * import it. Design and cost: docs/decisions/0003-forwarder-liveness.md.
 */
import { NAMES } from '../naming';

/**
 * How often every forwarder sends its heartbeat. A rate (not a cron) on purpose: a rate schedule starts counting when
 * the rule is created, so thousands of forwarders created over a StackSet rollout do not all fire in the same minute.
 */
export const HEARTBEAT_SCHEDULE = 'rate(6 hours)';
/** A forwarder not heard from for longer than this is reported silent (four missed heartbeats). */
export const SILENT_AFTER_MS = 24 * 3600_000;
/** A silent forwarder is reminded about once a day while it stays silent... */
export const REMIND_EVERY_MS = 24 * 3600_000;
/** ...and forgotten (reported once more, then deleted) after this long, so a removed account does not alert forever. */
export const FORGET_AFTER_MS = 14 * 24 * 3600_000;
/** How often the watchdog looks: a forwarder is reported at most an hour after it crossed SILENT_AFTER_MS. */
export const WATCHDOG_SCHEDULE = 'rate(1 hour)';

/**
 * Heartbeats of forwarders that cannot schedule themselves (see forwarderHeartbeatPattern) are custom events put on
 * the default bus by EventBridge Scheduler. The source must not start with "aws." (EventBridge Scheduler API
 * reference, "EventBridgeParameters": Source pattern excludes "aws.").
 */
export const HEARTBEAT_SOURCE = 'breakglass.liveness';
export const HEARTBEAT_DETAIL_TYPE = 'Forwarder Heartbeat';

/** Prefix of every forwarder rule name (lib/naming.ts forwarderRuleName). */
export const FORWARDER_RULE_PREFIX = `${NAMES.rulePrefix}fwd-`;

export const LIVENESS_NAMES = {
  /** Rule on the central bus that hands heartbeats to the recorder. */
  centralRule: `${NAMES.rulePrefix}liveness`,
  /** Scheduled rule (security account, home region, default bus) that runs the watchdog. */
  checkRule: `${NAMES.rulePrefix}liveness-check`,
  recorderFunction: `${NAMES.rulePrefix}liveness-recorder`,
  watchdogFunction: `${NAMES.rulePrefix}liveness-watchdog`,
  table: `${NAMES.rulePrefix}liveness`,
  /** Prefix of every liveness alarm name. */
  alarmPrefix: `${NAMES.rulePrefix}liveness-`,
  /**
   * The role EventBridge Scheduler uses to put heartbeats on the default bus, one per region (IAM names are global).
   * It shares the forwarder-role prefix so the guardrail SCP and the tamper rule, which protect that prefix, cover it.
   */
  schedulerRole: (region: string): string => `${NAMES.forwarderRolePrefix}heartbeat-${region}`,
  /** Name of the EventBridge Scheduler schedule that feeds one forwarder. */
  schedule: (forwarderRuleName: string): string => `${forwarderRuleName}-heartbeat`,
} as const;

/** The detail of a Scheduler heartbeat: which forwarder it is meant for. */
export interface HeartbeatDetail {
  readonly forwarder: string;
}

/**
 * The alternative a forwarder's pattern gets when it cannot carry a schedule itself: rules in the state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (the AssumeRole forwarders) are refused a ScheduleExpression
 * ("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rule state is not supported with scheduled rule expressions",
 * EventBridge PutRule validation). Only the heartbeat addressed to this very rule matches, so each such forwarder
 * carries exactly its own heartbeat.
 */
export function forwarderHeartbeatPattern(forwarderRuleName: string): Record<string, unknown> {
  return { source: [HEARTBEAT_SOURCE], 'detail-type': [HEARTBEAT_DETAIL_TYPE], detail: { forwarder: [forwarderRuleName] } };
}

/**
 * A forwarder pattern that also lets its own heartbeat through: `$or` of the catalogue pattern and the heartbeat
 * (EventBridge user guide, "Comparison operators for use in event patterns": `$or` matching, at any level).
 */
export function withHeartbeat(pattern: Record<string, unknown>, forwarderRuleName: string): Record<string, unknown> {
  return { $or: [pattern, forwarderHeartbeatPattern(forwarderRuleName)] };
}

/**
 * Central liveness rule: every forwarder heartbeat from any account and region of the organization (the central bus
 * admits only the organization's forwarder roles). Two shapes:
 * - the Scheduled Event a self-scheduled forwarder sends through its own target: source aws.events, detail-type
 *   "Scheduled Event", `resources` = the ARN of the rule that fired (EventBridge user guide, "Amazon EventBridge events
 *   detail reference", Scheduled Event example). PutEvents refuses sources starting with "aws." (EventBridge API
 *   reference, PutEvents: such entries fail with NotAuthorizedForSourceException), so this shape cannot be forged with PutEvents;
 * - the Scheduler heartbeat (HEARTBEAT_SOURCE) the AssumeRole forwarders carry.
 */
export function centralLivenessPattern(): Record<string, unknown> {
  return {
    $or: [
      { source: ['aws.events'], 'detail-type': ['Scheduled Event'], resources: [{ wildcard: `arn:aws*:events:*:*:rule/${FORWARDER_RULE_PREFIX}*` }] },
      { source: [HEARTBEAT_SOURCE], 'detail-type': [HEARTBEAT_DETAIL_TYPE], detail: { forwarder: [{ prefix: FORWARDER_RULE_PREFIX }] } },
    ],
  };
}
