/**
 * What the detection rules need to know about a deployment, derived from the config.
 * Kept separate from the config module's zod schema users so the catalogue can be built from plain data in tests.
 */
import type { BreakglassConfig } from '../config/schema';
import { sessionWindowSeconds } from '../notify/session-key';

export interface DetectionContext {
  readonly securityAccountId: string;
  readonly homeRegion: string;
  readonly userNames: readonly string[];
  readonly roleName: string;
  /** Every region watched (enabled + opt-in), home region first. */
  readonly regions: readonly string[];
  readonly managementAccountId: string;
  /** Explicit member accounts; with OUs targeted, any other organization account is a member too. */
  readonly memberAccounts: readonly string[];
  readonly targetsOrganizationalUnits: boolean;
  /** The role's trust requires the role session name to be the user name (role.requireSessionNameIsUserName). @default true */
  readonly sessionNameIsUserName?: boolean;
  /** How long a break-glass session lasts without alerts (lib/notify/session-key.ts sessionWindowSeconds). @default 12 h */
  readonly sessionWindowSeconds?: number;
}

export function detectionContext(c: BreakglassConfig): DetectionContext {
  const regions = [c.securityAccount.region, ...c.regions.enabled, ...c.regions.optIn]
    .filter((r, i, all) => all.indexOf(r) === i);
  return {
    securityAccountId: c.securityAccount.accountId,
    homeRegion: c.securityAccount.region,
    userNames: c.users.map((u) => u.name),
    roleName: c.role.name,
    regions,
    managementAccountId: c.organization.managementAccountId,
    memberAccounts: c.organization.targets.accounts,
    targetsOrganizationalUnits: c.organization.targets.organizationalUnits.length > 0,
    sessionNameIsUserName: c.role.requireSessionNameIsUserName,
    sessionWindowSeconds: sessionWindowSeconds(c.role.maxSessionDuration),
  };
}
