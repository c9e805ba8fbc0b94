/**
 * The Breakglass-Security / Breakglass-Management side of `breakglass revoke`: UpdateStack with the previous template
 * and the new RevokeSessionsBefore, then DescribeStacks until the update ends.
 *
 * AWS facts relied on (CloudFormation API reference, UpdateStack):
 * - UsePreviousTemplate "Reuse the existing template that is associated with the stack"; every other parameter is
 *   passed with UsePreviousValue, so nothing else changes.
 * - RoleARN: "If you don't specify a value, CloudFormation uses the role that was previously associated with the
 *   stack": for a CDK-deployed stack that is the bootstrap execution role cdk-*-cfn-exec-role-*, which is what makes
 *   the change to the role's inline policy pass the guardrail SCP in the security account
 *   (lib/constructs/guardrail-scp.ts, cdkExecutionRolePattern). SCPs never restrict the management account.
 * - Capabilities: the stack's current ones (DescribeStacks) plus CAPABILITY_IAM / CAPABILITY_NAMED_IAM, which the
 *   templates need for their named IAM roles ("Acknowledging IAM resources").
 * - ClientRequestToken makes a retried call safe and marks the stack events of this update, whose failure reason is
 *   then read from DescribeStackEvents.
 * - "No updates are to be performed." (ValidationError) means the value is already in place.
 */
import {
  type Capability, type CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { REVOKE_PARAMETER } from './parameter';
import { sleep } from './sleep';
import type { StackTarget } from './targets';

export interface StackState {
  readonly status: string;
  readonly value?: string;
  readonly otherParameters: string[];
  readonly capabilities: string[];
}

export async function readStack(cf: CloudFormationClient, t: StackTarget): Promise<StackState> {
  const st = (await cf.send(new DescribeStacksCommand({ StackName: t.name }))).Stacks?.[0];
  const params = st?.Parameters ?? [];
  const own = params.find((p) => p.ParameterKey === REVOKE_PARAMETER);
  return {
    status: st?.StackStatus ?? 'UNKNOWN',
    value: own ? own.ParameterValue : undefined,
    otherParameters: params.map((p) => p.ParameterKey!).filter((k) => k && k !== REVOKE_PARAMETER),
    capabilities: st?.Capabilities ?? [],
  };
}

/** Stack states from which UpdateStack is accepted (CloudFormation user guide, "Stack status codes"). */
export const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

/** Starts the update: 'started', or 'unchanged' when CloudFormation says there is nothing to update. */
export async function startStackUpdate(cf: CloudFormationClient, t: StackTarget, value: string, state: StackState, token: string): Promise<'started' | 'unchanged'> {
  const capabilities = [...new Set(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', ...state.capabilities])];
  try {
    await cf.send(new UpdateStackCommand({
      StackName: t.name,
      UsePreviousTemplate: true,
      Parameters: [
        { ParameterKey: REVOKE_PARAMETER, ParameterValue: value },
        ...state.otherParameters.map((k) => ({ ParameterKey: k, UsePreviousValue: true })),
      ],
      Capabilities: capabilities as Capability[],
      ClientRequestToken: token,
    }));
    return 'started';
  } catch (e) {
    if ((e as Error).name === 'ValidationError' && /No updates are to be performed/i.test((e as Error).message)) return 'unchanged';
    throw e;
  }
}

export interface StackOutcome {
  readonly status: string;
  readonly finished: boolean;
  readonly value?: string;
  readonly reason?: string;
  readonly error?: unknown;
}

/** DescribeStacks every pollMs until the stack leaves *_IN_PROGRESS or the signal aborts. */
export async function followStack(cf: CloudFormationClient, t: StackTarget, token: string, o: { pollMs: number; signal: AbortSignal; progress: (line: string) => void }): Promise<StackOutcome> {
  let last = '';
  let status = 'UNKNOWN';
  while (true) {
    let state: StackState;
    try {
      state = await readStack(cf, t);
    } catch (e) {
      if (o.signal.aborted) return { status, finished: false };
      return { status, finished: false, error: e };
    }
    status = state.status;
    if (status !== last) { o.progress(`  ${t.name}: ${status}`); last = status; }
    if (!status.endsWith('_IN_PROGRESS')) {
      const reason = status === 'UPDATE_COMPLETE' ? undefined : await failureReason(cf, t, token).catch(() => undefined);
      return { status, finished: true, value: state.value, ...(reason ? { reason } : {}) };
    }
    await sleep(o.pollMs, o.signal);
    if (o.signal.aborted) return { status, finished: false };
  }
}

/** The first failure among this update's stack events (newest first in the answer), if any. */
async function failureReason(cf: CloudFormationClient, t: StackTarget, token: string): Promise<string | undefined> {
  const events = (await cf.send(new DescribeStackEventsCommand({ StackName: t.name }))).StackEvents ?? [];
  const failed = events.filter((e) => e.ClientRequestToken === token && /FAILED$/.test(e.ResourceStatus ?? '') && e.ResourceStatusReason);
  const first = failed[failed.length - 1];
  return first ? `${first.LogicalResourceId}: ${first.ResourceStatusReason}` : undefined;
}
