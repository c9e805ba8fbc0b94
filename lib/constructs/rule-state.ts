import type { AlertRule } from '../detection/catalogue';

/**
 * Rule state for a catalogue rule. Read-only management events (AssumeRole) reach only rules in the state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, on default and custom buses alike
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html).
 */
export function ruleState(rule: AlertRule): 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' {
  return rule.readOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED';
}
