/**
 * How long the member StackSet takes to reach N accounts, from its operation preferences. The preferences are set in
 * lib/constructs/member-stackset.ts (which needs aws-cdk-lib); they are repeated here for the plan, and
 * test/deploy-plan/layout-matches-app.test.ts checks both against the synthesized template.
 */
export const MEMBER_STACKSET_PREFERENCES = {
  regionConcurrencyType: 'PARALLEL',
  maxConcurrentPercentage: 100,
  failureTolerancePercentage: 10,
} as const;

/** Assumed time of one stack instance (one role, one queue, a few rules): an estimate, not a measurement. */
export const MINUTES_PER_INSTANCE = { min: 1, max: 2 } as const;

/**
 * Rounds of accounts per region. Percentages round down (FailureTolerancePercentage: "CloudFormation rounds down to
 * the next whole number"), and the default concurrency mode, STRICT_FAILURE_TOLERANCE, starts at the lower of the
 * maximum concurrent accounts and failure tolerance + 1 (CloudFormation API reference, StackSetOperationPreferences).
 * So 100 % concurrency with 10 % tolerance runs floor(N / 10) + 1 accounts at a time: one by one below 10 accounts.
 */
export function stackSetRounds(accounts: number): number {
  if (accounts <= 0) return 0;
  const tolerance = Math.floor((accounts * MEMBER_STACKSET_PREFERENCES.failureTolerancePercentage) / 100);
  const maxConcurrent = Math.max(1, Math.floor((accounts * MEMBER_STACKSET_PREFERENCES.maxConcurrentPercentage) / 100));
  return Math.ceil(accounts / Math.min(maxConcurrent, tolerance + 1));
}

/** Regions run in parallel (RegionConcurrencyType PARALLEL), so the rounds of one region bound the whole rollout. */
export function stackSetRolloutMinutes(accounts: number): { min: number; max: number } {
  const rounds = stackSetRounds(accounts);
  return { min: rounds * MINUTES_PER_INSTANCE.min, max: rounds * MINUTES_PER_INSTANCE.max };
}

/** Accounts a region may lose before CloudFormation stops the operation there. */
export function stackSetFailureTolerance(accounts: number): number {
  return Math.floor((accounts * MEMBER_STACKSET_PREFERENCES.failureTolerancePercentage) / 100);
}
