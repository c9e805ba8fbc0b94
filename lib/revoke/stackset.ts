/**
 * The member StackSet side of `breakglass revoke`: read the StackSet and its instances, update its RevokeSessionsBefore
 * parameter in place, and follow the operation account by account.
 *
 * AWS facts relied on (CloudFormation API reference):
 * - UpdateStackSet with UsePreviousTemplate keeps the template; parameters not changed are passed with
 *   UsePreviousValue. Without Accounts/DeploymentTargets and Regions it updates every instance: "To update all the
 *   stack instances associated with this stack set, do not specify the Accounts or Regions properties", and a change
 *   of Parameters marks all instances OUTDATED before updating them (UpdateStackSet, Accounts).
 * - "Even if the stack set operation created by updating the stack set fails (completely or partially, below or above
 *   a specified failure tolerance), the stack set is updated with your changes" (UpdateStackSet): failed instances
 *   stay OUTDATED, and `breakglass doctor` (stackset-instances) lists them.
 * - OperationId "also functions as an idempotency token": the SDK may retry the call without starting a second
 *   operation, and the ID is known before the call returns.
 * - Operation preferences (StackSetOperationPreferences): SOFT_FAILURE_TOLERANCE "decouples FailureToleranceCount from
 *   the actual concurrency ... regardless of the number of failures"; with the default STRICT mode the initial
 *   concurrency is the lower of MaxConcurrent and FailureTolerance + 1. FailureTolerancePercentage is "The percentage
 *   of accounts, per Region, for which this stack operation can fail before CloudFormation stops the operation in that
 *   Region". Chosen for an emergency: every account at once (MaxConcurrentPercentage 100, regions PARALLEL), and never
 *   stop for failures (FailureTolerancePercentage 100): one broken account must not keep the revocation from the
 *   others. The preferences "don't apply to AutoDeployment" (new accounts get the StackSet's current values anyway).
 * - DescribeStackSetOperation Status: QUEUED | RUNNING | SUCCEEDED | FAILED | STOPPING | STOPPED;
 *   ListStackSetOperationResults: one summary per account and region, Status PENDING | RUNNING | SUCCEEDED | FAILED |
 *   CANCELLED, with StatusReason.
 * - CallAs (DELEGATED_ADMIN from a StackSets delegated administrator) applies to service-managed StackSets only.
 */
import {
  type CloudFormationClient, DescribeStackSetCommand, DescribeStackSetOperationCommand, ListStackInstancesCommand,
  ListStackSetOperationResultsCommand, UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { REVOKE_NOTHING, REVOKE_PARAMETER } from './parameter';
import { EMERGENCY_PREFERENCES, type StackSetTarget } from './targets';
import { sleep } from './sleep';

export interface Instance {
  readonly account: string;
  readonly region: string;
  /** CURRENT | OUTDATED | INOPERABLE (before), or the operation result (after). */
  readonly status: string;
  readonly reason?: string;
}

export interface StackSetState {
  readonly status: string;
  /** Current RevokeSessionsBefore of the StackSet; undefined when the deployed template has no such parameter. */
  readonly value?: string;
  readonly otherParameters: string[];
  readonly instances: Instance[];
}

const callAs = (t: StackSetTarget) => (t.permissionModel === 'SERVICE_MANAGED' ? { CallAs: t.callAs } : {});
export const instanceKey = (account: string, region: string) => `${account} ${region}`;

export async function readStackSet(cf: CloudFormationClient, t: StackSetTarget): Promise<StackSetState> {
  const set = (await cf.send(new DescribeStackSetCommand({ StackSetName: t.name, ...callAs(t) }))).StackSet;
  const params = set?.Parameters ?? [];
  const own = params.find((p) => p.ParameterKey === REVOKE_PARAMETER);
  // A StackSet created without a value for a parameter may not list it; its template's default then applies.
  const fromTemplate = own ? undefined : templateDefault(set?.TemplateBody);
  const instances: Instance[] = [];
  let token: string | undefined;
  do {
    const page = await cf.send(new ListStackInstancesCommand({ StackSetName: t.name, ...callAs(t), NextToken: token, MaxResults: 100 }));
    for (const s of page.Summaries ?? []) {
      if (!s.Account || !s.Region) continue;
      const detailed = s.StackInstanceStatus?.DetailedStatus;
      instances.push({ account: s.Account, region: s.Region, status: s.Status ?? 'UNKNOWN', ...(detailed && detailed !== 'SUCCEEDED' ? { reason: detailed } : {}) });
    }
    token = page.NextToken;
  } while (token);
  instances.sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  return {
    status: set?.Status ?? 'UNKNOWN',
    value: own ? own.ParameterValue : fromTemplate,
    otherParameters: params.map((p) => p.ParameterKey!).filter((k) => k && k !== REVOKE_PARAMETER),
    instances,
  };
}

/** Starts the update; returns the operation ID (ours, so a timed-out call can still be followed). */
export async function startStackSetUpdate(cf: CloudFormationClient, t: StackSetTarget, value: string, otherParameters: readonly string[], operationId: string): Promise<string> {
  const out = await cf.send(new UpdateStackSetCommand({
    StackSetName: t.name,
    ...callAs(t),
    UsePreviousTemplate: true,
    Parameters: [
      { ParameterKey: REVOKE_PARAMETER, ParameterValue: value },
      ...otherParameters.map((k) => ({ ParameterKey: k, UsePreviousValue: true })),
    ],
    // The member template creates named IAM roles (CloudFormation user guide, "Acknowledging IAM resources").
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    OperationPreferences: { ...EMERGENCY_PREFERENCES },
    OperationId: operationId,
  }));
  return out.OperationId ?? operationId;
}

export const FINAL_OPERATION = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);
const FINAL_RESULT = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface FollowOptions {
  readonly pollMs: number;
  /** Aborts at the command's deadline. */
  readonly signal: AbortSignal;
  /** Home region: where the role is; its failures matter most. */
  readonly home: string;
  readonly progress: (line: string) => void;
}

export interface OperationOutcome {
  /** Last status seen; final when `finished`. */
  readonly status: string;
  readonly finished: boolean;
  /** Result per instance (instanceKey), as last listed. */
  readonly results: Map<string, Instance>;
  /** Why following stopped early (an AWS error), if it did. */
  readonly error?: unknown;
}

/**
 * Polls DescribeStackSetOperation and ListStackSetOperationResults until the operation ends or the signal aborts,
 * reporting on `progress`: every failed instance at once, every account once all its instances have finished, and a
 * count whenever it changes.
 */
export async function followOperation(cf: CloudFormationClient, t: StackSetTarget, operationId: string, before: readonly Instance[], o: FollowOptions): Promise<OperationOutcome> {
  const results = new Map<string, Instance>();
  const expected = new Map<string, string[]>(); // account -> regions
  for (const i of before) expected.set(i.account, [...(expected.get(i.account) ?? []), i.region]);
  const reportedAccounts = new Set<string>();
  const reportedFailures = new Set<string>();
  let status = 'UNKNOWN';
  let lastCount = '';
  let notFound = 0;
  while (true) {
    try {
      const op = await cf.send(new DescribeStackSetOperationCommand({ StackSetName: t.name, OperationId: operationId, ...callAs(t) }));
      status = op.StackSetOperation?.Status ?? 'UNKNOWN';
      let token: string | undefined;
      do {
        const page = await cf.send(new ListStackSetOperationResultsCommand({ StackSetName: t.name, OperationId: operationId, ...callAs(t), NextToken: token, MaxResults: 100 }));
        for (const r of page.Summaries ?? []) {
          if (!r.Account || !r.Region) continue;
          results.set(instanceKey(r.Account, r.Region), { account: r.Account, region: r.Region, status: r.Status ?? 'UNKNOWN', ...(r.StatusReason ? { reason: r.StatusReason } : {}) });
          if (!expected.has(r.Account)) expected.set(r.Account, []);
          if (!expected.get(r.Account)!.includes(r.Region)) expected.get(r.Account)!.push(r.Region);
        }
        token = page.NextToken;
      } while (token);
    } catch (e) {
      if (o.signal.aborted) return { status, finished: false, results };
      // The operation can take a moment to become visible after UpdateStackSet returns.
      if ((e as Error).name === 'OperationNotFoundException' && ++notFound <= 3) { await sleep(o.pollMs, o.signal); continue; }
      return { status, finished: false, results, error: e };
    }
    report(t, o, status, expected, results, reportedAccounts, reportedFailures, (count) => {
      if (count === lastCount) return false;
      lastCount = count;
      return true;
    });
    if (FINAL_OPERATION.has(status)) return { status, finished: true, results };
    await sleep(o.pollMs, o.signal);
    if (o.signal.aborted) return { status, finished: false, results };
  }
}

function report(t: StackSetTarget, o: FollowOptions, status: string, expected: Map<string, string[]>, results: Map<string, Instance>,
  reportedAccounts: Set<string>, reportedFailures: Set<string>, changed: (count: string) => boolean): void {
  for (const r of results.values()) {
    const key = instanceKey(r.account, r.region);
    if ((r.status === 'FAILED' || r.status === 'CANCELLED') && !reportedFailures.has(key)) {
      reportedFailures.add(key);
      o.progress(`  ${r.account} ${r.region} ${r.status}${r.region === o.home ? ' (role region)' : ''}${r.reason ? `: ${oneLine(r.reason)}` : ''}`);
    }
  }
  for (const [account, regions] of [...expected.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (reportedAccounts.has(account) || regions.length === 0) continue;
    const rs = regions.map((region) => results.get(instanceKey(account, region)));
    if (!rs.every((r) => r && FINAL_RESULT.has(r.status))) continue;
    reportedAccounts.add(account);
    const ok = rs.filter((r) => r!.status === 'SUCCEEDED').length;
    const home = results.get(instanceKey(account, o.home));
    const role = home === undefined ? `no instance in ${o.home}` : home.status === 'SUCCEEDED' ? 'role sessions revoked' : `role NOT revoked (${o.home} ${home.status})`;
    o.progress(`  ${account}: ${role}; ${ok}/${regions.length} region${regions.length === 1 ? '' : 's'} updated`);
  }
  const all = [...expected.values()].reduce((n, r) => n + r.length, 0);
  const counts = { SUCCEEDED: 0, FAILED: 0, CANCELLED: 0 } as Record<string, number>;
  for (const r of results.values()) if (r.status in counts) counts[r.status]! += 1;
  const done = counts.SUCCEEDED! + counts.FAILED! + counts.CANCELLED!;
  const line = `  ${t.name}: ${done}/${all} instances finished (${counts.SUCCEEDED} succeeded, ${counts.FAILED} failed${counts.CANCELLED ? `, ${counts.CANCELLED} cancelled` : ''}); operation ${status}`;
  if (changed(line)) o.progress(line);
}

/** The template's default for RevokeSessionsBefore (JSON templates: what breakglass deploys), if it declares it. */
function templateDefault(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const d = (JSON.parse(body) as { Parameters?: Record<string, { Default?: unknown }> }).Parameters?.[REVOKE_PARAMETER];
    return d ? (typeof d.Default === 'string' ? d.Default : REVOKE_NOTHING) : undefined;
  } catch {
    return undefined;
  }
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 300);
}
