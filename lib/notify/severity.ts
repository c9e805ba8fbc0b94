/** Severity routing shared by the CDK app (subscription filters) and the notifier (chat topics). */

/** Most severe first; a channel with minSeverity X receives X and everything more severe. */
export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'info'] as const;

export function severitiesAtLeast(min: string): string[] {
  const i = SEVERITY_ORDER.indexOf(min as (typeof SEVERITY_ORDER)[number]);
  return SEVERITY_ORDER.slice(0, i < 0 ? SEVERITY_ORDER.length : i + 1);
}
