import type { BreakglassConfig } from '../config/schema';
import type { BreakGlassRoleProps } from '../constructs/break-glass-role';

/** The break-glass role as the config describes it; the same in the security, management and member accounts. */
export function roleProps(c: BreakglassConfig): BreakGlassRoleProps {
  return {
    roleName: c.role.name,
    securityAccountId: c.securityAccount.accountId,
    userNames: c.users.map((u) => u.name),
    managedPolicies: c.role.managedPolicies,
    maxSessionDurationSeconds: c.role.maxSessionDuration,
    maxMfaAgeSeconds: c.role.maxMfaAgeSeconds,
    requireSessionNameIsUserName: c.role.requireSessionNameIsUserName,
  };
}
