/**
 * The emergency sheet: where to sign in, and for every account the break-glass role and its console switch-role
 * link. Pure data and string building (no SDK, no aws-cdk-lib), so rendering thousands of accounts is instant.
 */
import type { BreakglassConfig } from '../config/schema';

/** An account as the organization reports it (or as the config names it, offline). */
export interface OrgAccount {
  readonly id: string;
  readonly name: string;
  readonly email?: string;
}

export interface SheetAccount extends OrgAccount {
  readonly roleArn: string;
  readonly switchRoleUrl: string;
  /** "management" or "security" for those two accounts; absent for members. */
  readonly kind?: 'management' | 'security';
}

export interface Sheet {
  /** Console sign-in page of the security account, where the break-glass users live. */
  readonly signInUrl: string;
  readonly securityAccountId: string;
  readonly roleName: string;
  readonly users: readonly string[];
  readonly accounts: readonly SheetAccount[];
  /** True when the organization was not asked: only the accounts the config names are listed. */
  readonly offline: boolean;
  /** ISO 8601, UTC. */
  readonly generatedAt: string;
  /** The config file as given on the command line. */
  readonly configFile: string;
  /** Caveats printed on the sheet (coverage gaps), one sentence each. */
  readonly notes: readonly string[];
}

/** https://<account-id>.signin.aws.amazon.com/console: the IAM user sign-in page of one account. */
export function signInUrl(accountId: string): string {
  return `https://${accountId}.signin.aws.amazon.com/console`;
}

export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/**
 * The console's switch-role link, with the form pre-filled.
 * `roleName` and `account` are the parameters of the link IAM shows under "Link to switch roles in console"
 * (AWS Knowledge Center, "How do I provide IAM users with a link to assume an IAM role?",
 * https://repost.aws/knowledge-center/iam-user-role-link: https://signin.aws.amazon.com/switchrole?roleName=YOURROLE&account=123456789012;
 * IAM User Guide, "Grant a user permissions to switch roles": a link "with all the details already filled in").
 * `displayName` pre-fills the Display name field; AWS does not document it (re:Post "Switch role link query
 * parameters" confirms it works), so it is only a convenience: the link works without it.
 * Values are percent-encoded strictly (RFC 3986, also ! ' ( ) *), so the URL is safe in Markdown and HTML as is.
 */
export function switchRoleUrl(accountId: string, roleName: string, displayName: string): string {
  return `https://signin.aws.amazon.com/switchrole?roleName=${encode(roleName)}&account=${encode(accountId)}&displayName=${encode(displayName)}`;
}

function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SheetOptions {
  readonly configFile: string;
  readonly offline: boolean;
  readonly generatedAt?: Date;
}

/**
 * The accounts the config itself names: explicit StackSet targets, the security account (its own stacks create the
 * role) and the management account when organization.includeManagementAccount. Names from alerts.accountNames,
 * else the empty string (the renderers print "name unknown").
 */
export function configAccounts(c: BreakglassConfig): OrgAccount[] {
  const ids = new Set<string>([c.securityAccount.accountId, ...c.organization.targets.accounts]);
  if (c.organization.includeManagementAccount) ids.add(c.organization.managementAccountId);
  return [...ids].map((id) => ({ id, name: c.alerts.accountNames[id] ?? '' }));
}

export interface Selection {
  readonly accounts: OrgAccount[];
  readonly notes: string[];
  /** Problems worth a line on stderr (not on the sheet). */
  readonly warnings: string[];
}

/**
 * Which of the organization's ACTIVE accounts go on the sheet. Every active account, except the management account
 * when includeManagementAccount is false. When the StackSet targets only explicit accounts (no OU), accounts outside
 * that list have no break-glass role, so they are left off rather than printed with a link that cannot work.
 */
export function selectAccounts(c: BreakglassConfig, active: readonly OrgAccount[]): Selection {
  const o = c.organization;
  const notes: string[] = [];
  const warnings: string[] = [];
  const byId = new Map(active.map((a) => [a.id, a]));
  const explicitOnly = o.targets.organizationalUnits.length === 0;
  const targeted = new Set(o.targets.accounts);
  const accounts = active.filter((a) => {
    if (a.id === o.managementAccountId) return o.includeManagementAccount;
    if (a.id === c.securityAccount.accountId) return true;
    return explicitOnly ? targeted.has(a.id) : true;
  });
  if (explicitOnly) {
    const left = active.length - accounts.length - (o.includeManagementAccount || !byId.has(o.managementAccountId) ? 0 : 1);
    if (left > 0) notes.push(`${left} active account${left === 1 ? ' is' : 's are'} not in organization.targets.accounts and ${left === 1 ? 'has' : 'have'} no break-glass role; not listed.`);
  } else if (!o.targets.organizationalUnits.some((ou) => ou.startsWith('r-'))) {
    notes.push(`The role is deployed to the organizational units ${o.targets.organizationalUnits.join(', ')}${o.targets.accounts.length ? ' and the listed accounts' : ''}; active accounts outside them are listed but may lack the role.`);
  }
  for (const id of o.targets.accounts) {
    if (!byId.has(id)) warnings.push(`organization.targets.accounts lists ${id}, which is not an active account of the organization; left off the sheet`);
  }
  if (!byId.has(c.securityAccount.accountId)) warnings.push(`the security account ${c.securityAccount.accountId} is not an active account of the organization`);
  return { accounts, notes, warnings };
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

export function buildSheet(c: BreakglassConfig, accounts: readonly OrgAccount[], opts: SheetOptions & { notes?: readonly string[] }): Sheet {
  const role = c.role.name;
  const kinds = new Map<string, 'management' | 'security'>([
    [c.organization.managementAccountId, 'management'],
    [c.securityAccount.accountId, 'security'],
  ]);
  const rows: SheetAccount[] = accounts.map((a) => {
    const kind = kinds.get(a.id);
    return {
      ...a,
      roleArn: roleArn(a.id, role),
      switchRoleUrl: switchRoleUrl(a.id, role, a.name || a.id),
      ...(kind ? { kind } : {}),
    };
  });
  // By name (case- and accent-insensitive, numbers in numeric order); unnamed accounts last; ties by ID.
  rows.sort((x, y) => (x.name ? 0 : 1) - (y.name ? 0 : 1) || collator.compare(x.name, y.name) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const notes = [...(opts.notes ?? [])];
  if (!c.organization.includeManagementAccount) {
    notes.push(`The management account ${c.organization.managementAccountId} is not listed: organization.includeManagementAccount is false, so it has no break-glass role.`);
  }
  if (opts.offline) {
    const ous = c.organization.targets.organizationalUnits;
    notes.unshift('OFFLINE: the organization was not asked for its accounts. Only the accounts named in the config are listed '
      + '(organization.targets.accounts, the security account and the management account), with names from alerts.accountNames; '
      + (ous.length ? `accounts reached through the organizational units ${ous.join(', ')} are missing.` : 'no organizational unit is targeted, so no account with the role is missing.'));
  }
  return {
    signInUrl: signInUrl(c.securityAccount.accountId),
    securityAccountId: c.securityAccount.accountId,
    roleName: role,
    users: c.users.map((u) => u.name),
    accounts: rows,
    offline: opts.offline,
    generatedAt: (opts.generatedAt ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    configFile: opts.configFile,
    notes,
  };
}
