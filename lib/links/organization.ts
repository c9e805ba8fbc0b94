/**
 * Reads the organization's accounts with the credentials of the management account or a delegated administrator.
 * Two calls: organizations:DescribeOrganization (which organization do these credentials see? It must be the one of
 * the config, or the sheet would list someone else's accounts) and organizations:ListAccounts through the SDK
 * paginator. Loads the SDK only when called.
 */
import type { Account } from '@aws-sdk/client-organizations';
import { organizationsClient, withAwsAbortSignal, type AwsOptions } from '../aws/clients';
import { describeAwsError } from '../aws/errors';
import { EXIT, UserError } from '../cli/errors';
import type { BreakglassConfig } from '../config/schema';
import type { OrgAccount } from './sheet';

export interface OrganizationAccounts {
  readonly organizationId?: string;
  /** ACTIVE accounts only. */
  readonly active: OrgAccount[];
  /** How many accounts were left out because they are not ACTIVE (suspended, closing, closed, pending). */
  readonly inactive: number;
}

/** ListAccounts accepts at most 20 per page (Organizations service model: MaxResults min 1, max 20). */
const PAGE_SIZE = 20;

export interface ListOptions {
  /**
   * Seconds for the whole listing (--deadline). When they pass, the calls in flight are cancelled and a UserError
   * (exit 3) says which call had not answered and how many accounts had been read. @default no deadline
   */
  readonly deadlineSeconds?: number;
}

export async function listOrganizationAccounts(c: BreakglassConfig, aws: AwsOptions, opts: ListOptions = {}): Promise<OrganizationAccounts> {
  if (opts.deadlineSeconds === undefined) return list(c, aws);
  const stop = new AbortController();
  const seconds = opts.deadlineSeconds;
  const timer = setTimeout(() => stop.abort(Object.assign(new Error(`deadline of ${seconds} s passed`), { name: 'DeadlineExceeded' })), seconds * 1000);
  try {
    return await withAwsAbortSignal(stop.signal, () => list(c, aws, stop.signal, seconds));
  } finally {
    clearTimeout(timer);
  }
}

async function list(c: BreakglassConfig, aws: AwsOptions, deadline?: AbortSignal, seconds?: number): Promise<OrganizationAccounts> {
  const sdk = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
  const client = organizationsClient(aws, c.securityAccount.region);
  let read = 0;
  const fail = (action: string, e: unknown): never => {
    if (deadline?.aborted) {
      throw new UserError(`links did not finish within the deadline of ${seconds} s (--deadline): ${action} had not answered (${read} account${read === 1 ? '' : 's'} read so far); check the network, proxy or AWS_ENDPOINT_URL, or raise --deadline`, EXIT.runtime);
    }
    const who = `the management account ${c.organization.managementAccountId}${c.organization.delegatedAdminAccountId ? ` or the delegated administrator ${c.organization.delegatedAdminAccountId}` : ' or a delegated administrator'}`;
    throw new UserError(`cannot list the organization's accounts: ${describeAwsError(e, { action, profile: aws.profile })}. `
      + `Run with credentials of ${who}, or pass --offline for a sheet of the accounts named in the config`, EXIT.runtime);
  };
  try {
    let organizationId: string | undefined;
    try {
      const org = (await client.send(new sdk.DescribeOrganizationCommand({}))).Organization;
      organizationId = org?.Id;
      const mgmt = org?.MasterAccountId;
      if (mgmt && mgmt !== c.organization.managementAccountId) {
        throw new UserError(`these credentials see organization ${org?.Id ?? '?'} managed by ${mgmt}, but the config says organization.managementAccountId ${c.organization.managementAccountId}; use credentials of the right organization (--profile)`, EXIT.runtime);
      }
      if (c.organization.id && org?.Id && org.Id !== c.organization.id) {
        throw new UserError(`these credentials see organization ${org.Id}, but the config says organization.id ${c.organization.id}; use credentials of the right organization (--profile)`, EXIT.runtime);
      }
    } catch (e) {
      if (e instanceof UserError) throw e;
      if ((e as Error)?.name === 'AWSOrganizationsNotInUseException') {
        throw new UserError(`cannot list the organization's accounts: the account of these credentials is not in an organization (AWSOrganizationsNotInUseException). Run with credentials of the management account ${c.organization.managementAccountId}, or pass --offline`, EXIT.runtime);
      }
      fail('organizations:DescribeOrganization', e);
    }

    const active: OrgAccount[] = [];
    let inactive = 0;
    try {
      for await (const page of sdk.paginateListAccounts({ client, pageSize: PAGE_SIZE }, {})) {
        for (const a of page.Accounts ?? []) {
          read++;
          if (!a.Id) continue;
          if (isActive(a)) active.push({ id: a.Id, name: a.Name ?? a.Id, ...(a.Email ? { email: a.Email } : {}) });
          else inactive++;
        }
      }
    } catch (e) {
      fail('organizations:ListAccounts', e);
    }
    return { ...(organizationId ? { organizationId } : {}), active, inactive };
  } finally {
    client.destroy();
  }
}

/**
 * `State` is the current field (ACTIVE, PENDING_ACTIVATION, SUSPENDED, PENDING_CLOSURE, CLOSED); `Status` is the
 * older one, retired on 9 September 2026 (SDK docs of Account.Status). Prefer State, fall back to Status.
 */
function isActive(a: Account): boolean {
  return (a.State ?? a.Status) === 'ACTIVE';
}
