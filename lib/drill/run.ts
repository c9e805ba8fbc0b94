/**
 * The drill as an async state machine over injected clients and an injected prompt, so it runs without a TTY:
 *
 *   identity -> confirm -> listen (queue + subscription) -> steps (operator acts; alerts shown as they arrive)
 *            -> wait (until every expected alert arrived or the timeout after the last step) -> teardown -> record
 *
 * Teardown runs in `finally`: after success, a missing alert, an AWS error, the operator typing "abort", end of input
 * or an external abort (the CLI aborts on Ctrl-C / SIGINT). Nothing is created before the operator confirms (or --yes).
 */
import { ConfirmSubscriptionCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { describeAwsError } from '../aws/errors';
import type { BreakglassConfig } from '../config/schema';
import { NAMES } from '../naming';
import { type DrillStepId, EXPECTED_ALERTS } from './expected';
import { parseQueueMessage, type ReceivedAlert } from './messages';
import { type DrillOutcome, type DrillRecord, type ExpectedAlertResult, RECORD_SCHEMA_VERSION, recordId } from './record';
import { createListener, DrillAwsError, type DrillResources, drillQueueName, removeListener } from './resources';

export interface DrillPrompt {
  /** A line for the operator (the CLI writes it to stderr). */
  say(text: string): void;
  /** Asks and resolves with the answer, or undefined when input ended or `signal` aborted. */
  ask(question: string, signal: AbortSignal): Promise<string | undefined>;
}

export interface DrillDeps {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly sts: STSClient;
  readonly prompt: DrillPrompt;
  /** Aborts the drill from outside (SIGINT). */
  readonly signal?: AbortSignal;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Long-poll wait per ReceiveMessage, 0..20 s (SQS API reference, ReceiveMessage WaitTimeSeconds). @default 20 */
  readonly waitTimeSeconds?: number;
  readonly profile?: string;
}

export interface DrillOptions {
  readonly config: BreakglassConfig;
  readonly configFile: string;
  /** How long to wait for alerts after the operator confirmed the last step. */
  readonly timeoutMs: number;
  /** Skip the confirmation before creating resources. */
  readonly yes: boolean;
}

export type DrillResult =
  | { readonly kind: 'declined' }
  | { readonly kind: 'ran'; readonly record: DrillRecord };

export const alertTopicArn = (c: BreakglassConfig) => `arn:aws:sns:${c.securityAccount.region}:${c.securityAccount.accountId}:${NAMES.alertTopic}`;

const ABORT_WORDS = /^\s*(a|abort|q|quit)\s*$/i;

class OperatorAbort extends Error {
  constructor(reason: string) { super(reason); this.name = 'OperatorAbort'; }
}

export async function runDrill(opts: DrillOptions, deps: DrillDeps): Promise<DrillResult> {
  const now = deps.now ?? (() => new Date());
  const { prompt } = deps;
  const c = opts.config;
  const topicArn = alertTopicArn(c);
  const region = c.securityAccount.region;
  const started = now();
  const id = recordId(started);

  // identity: who runs it goes into the record, and the queue must be in the topic's account.
  let identity;
  try {
    identity = await deps.sts.send(new GetCallerIdentityCommand({}), { abortSignal: deps.signal });
  } catch (e) {
    throw new DrillAwsError(describeAwsError(e, { action: 'sts:GetCallerIdentity', profile: deps.profile }));
  }
  if (identity.Account !== c.securityAccount.accountId) {
    throw new DrillAwsError(`these credentials are for account ${identity.Account}, but the drill runs in the security account ${c.securityAccount.accountId} (owner of ${topicArn}); use a profile for that account`);
  }

  // confirm: resources are created in the security account only with an explicit yes.
  prompt.say(`Drill ${id}: as ${identity.Arn}, create a temporary SSE-encrypted SQS queue ${drillQueueName(id)} in ${c.securityAccount.accountId} (${region}) and subscribe it to ${topicArn}. Both are removed at the end.`);
  if (!opts.yes) {
    const answer = await prompt.ask('Create them and start the drill? [y/N] ', deps.signal ?? new AbortController().signal);
    if (!answer || !/^\s*y(es)?\s*$/i.test(answer)) return { kind: 'declined' };
  }

  const stop = new AbortController();
  // Ends the polling only (all alerts in after the last step); `stop` ends everything.
  const pollStop = new AbortController();
  stop.signal.addEventListener('abort', () => pollStop.abort(), { once: true });
  const onExternalAbort = () => stop.abort();
  deps.signal?.addEventListener('abort', onExternalAbort, { once: true });
  if (deps.signal?.aborted) stop.abort();

  const resources: DrillResources = {};
  const received = new Map<string, { first: ReceivedAlert; copies: number }>();
  const unexpected: ReceivedAlert[] = [];
  const confirmedAt = new Map<DrillStepId, string>();
  let deadline: number | undefined;
  let outcome: DrillOutcome | undefined;
  let problem: string | undefined;
  const expectedIds = new Set<string>(EXPECTED_ALERTS.map((e) => e.rule));
  const allArrived = () => EXPECTED_ALERTS.every((e) => received.has(e.rule));

  const steps: Array<{ id: DrillStepId; instruction: string }> = [
    { id: 'sign-in', instruction: `Sign in to the console as a break-glass user (${c.users.map((u) => u.name).join(', ')}) of account ${c.securityAccount.accountId} with MFA: https://${c.securityAccount.accountId}.signin.aws.amazon.com/console` },
    { id: 'switch-role', instruction: `Switch role into a member account: https://signin.aws.amazon.com/switchrole?roleName=${encodeURIComponent(c.role.name)}&account=<member account ID>, then sign out.` },
  ];

  let teardown: DrillRecord['teardown'] = { unsubscribed: true, queueDeleted: true, errors: [] };
  let poller: Promise<void> | undefined;
  try {
    if (stop.signal.aborted) throw new OperatorAbort('interrupted before the listener was created');
    await createListener(deps, topicArn, id, resources, deps.profile);
    prompt.say(`Listening on ${resources.queueUrl}. Expected alerts: ${EXPECTED_ALERTS.map((e) => e.rule).join(', ')}.`);

    const poll = async () => {
      const wait = Math.max(0, Math.min(20, Math.floor(deps.waitTimeSeconds ?? 20)));
      while (!pollStop.signal.aborted) {
        if (deadline !== undefined && (allArrived() || now().getTime() >= deadline)) return;
        const remaining = deadline === undefined ? wait : Math.max(0, Math.ceil((deadline - now().getTime()) / 1000));
        let out;
        try {
          out = await deps.sqs.send(new ReceiveMessageCommand({
            QueueUrl: resources.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: Math.min(wait, remaining),
            MessageSystemAttributeNames: ['SentTimestamp'],
          }), { abortSignal: pollStop.signal });
        } catch (e) {
          if (pollStop.signal.aborted) return;
          throw new DrillAwsError(describeAwsError(e, { action: 'sqs:ReceiveMessage', profile: deps.profile }));
        }
        for (const m of out.Messages ?? []) {
          const item = parseQueueMessage(m.Body, m.Attributes?.SentTimestamp, () => now().getTime());
          if (item.kind === 'subscription-confirmation') {
            await awsCall('sns:ConfirmSubscription', deps.profile, () => deps.sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: item.token })));
          } else if (item.kind === 'alert') {
            const a = item.alert;
            if (a.rule && expectedIds.has(a.rule)) {
              const seen = received.get(a.rule);
              if (seen) seen.copies += 1;
              else {
                received.set(a.rule, { first: a, copies: 0 });
                prompt.say(`  received ${a.rule} (${received.size}/${EXPECTED_ALERTS.length}): ${a.subject ?? ''}`);
                if (deadline !== undefined && allArrived()) pollStop.abort();
              }
            } else {
              unexpected.push(a);
              prompt.say(`  other alert: ${a.rule ?? 'unidentified'}: ${a.subject ?? ''}`);
            }
          } else {
            prompt.say(`  ignored ${item.note}`);
          }
          // Deleted once read: a message is counted once even if polling resumes.
          await awsCall('sqs:DeleteMessage', deps.profile, () => deps.sqs.send(new DeleteMessageCommand({ QueueUrl: resources.queueUrl, ReceiptHandle: m.ReceiptHandle })));
        }
      }
    };
    poller = poll();
    // A failing poller must end the drill without waiting for the operator's next answer.
    const pollerFailed = poller.then(() => undefined, (e) => { stop.abort(); return e as Error; });

    for (const step of steps) {
      prompt.say(`Step: ${step.instruction}`);
      const answer = await prompt.ask('Press Enter when done (or type "abort"): ', stop.signal);
      const failure = stop.signal.aborted ? await pollerFailed : undefined;
      if (failure) throw failure;
      if (answer === undefined) throw new OperatorAbort(stop.signal.aborted ? 'interrupted (Ctrl-C)' : 'input ended before the drill finished');
      if (ABORT_WORDS.test(answer)) throw new OperatorAbort(`aborted by the operator at step "${step.id}"`);
      confirmedAt.set(step.id, now().toISOString());
    }
    deadline = now().getTime() + opts.timeoutMs;
    if (allArrived()) pollStop.abort();
    else prompt.say(`Waiting up to ${Math.round(opts.timeoutMs / 1000)} s for ${EXPECTED_ALERTS.filter((e) => !received.has(e.rule)).map((e) => e.rule).join(', ')}...`);
    const failure = await pollerFailed;
    if (failure) throw failure;
    if (stop.signal.aborted) throw new OperatorAbort('interrupted (Ctrl-C)');
    outcome = allArrived() ? 'passed' : 'missing-alerts';
  } catch (e) {
    if (e instanceof OperatorAbort) { outcome = 'aborted'; problem = e.message; }
    else if (e instanceof DrillAwsError) { outcome = 'failed'; problem = e.message; }
    else { outcome = 'failed'; problem = oneLine((e as Error)?.message ?? String(e)); }
  } finally {
    stop.abort();
    await poller?.catch(() => undefined);
    deps.signal?.removeEventListener('abort', onExternalAbort);
    teardown = await removeListener(deps, resources, deps.profile);
    prompt.say(teardown.errors.length ? `Teardown incomplete: ${teardown.errors.join('; ')}` : 'Teardown done: subscription removed, queue deleted.');
  }
  if (confirmedAt.size > 0) prompt.say('Now rotate the password of the break-glass user you signed in with, revoke and audit, and record the seal with breakglass reseal, as after every use (docs/runbook.md, "Drills").');

  const expected: ExpectedAlertResult[] = EXPECTED_ALERTS.map((e) => {
    const r = received.get(e.rule);
    if (!r) return { rule: e.rule, title: e.title, step: e.step, received: false, duplicates: 0 };
    const at = Date.parse(r.first.receivedAt);
    const confirmed = confirmedAt.get(e.step);
    // The event time in the alert is the honest start; without it, the operator's "done" (an alert that beat the
    // operator's Enter key counts as 0 s).
    const latency = r.first.eventTime
      ? { latencySeconds: round1((at - Date.parse(r.first.eventTime)) / 1000), latencyFrom: 'event-time' as const }
      : confirmed ? { latencySeconds: round1(Math.max(0, at - Date.parse(confirmed)) / 1000), latencyFrom: 'step-confirmed' as const } : {};
    return { rule: e.rule, title: e.title, step: e.step, received: true, receivedAt: r.first.receivedAt, subject: r.first.subject, ...latency, duplicates: r.copies, ...(r.first.userArn ? { userArn: r.first.userArn } : {}) };
  });
  const missing = expected.filter((e) => !e.received).map((e) => e.rule);
  return {
    kind: 'ran',
    record: {
      schemaVersion: RECORD_SCHEMA_VERSION,
      kind: 'breakglass-drill',
      id,
      operatorArn: identity.Arn,
      configFile: opts.configFile,
      securityAccountId: c.securityAccount.accountId,
      region,
      topicArn,
      startedAt: started.toISOString(),
      endedAt: now().toISOString(),
      timeoutMinutes: round1(opts.timeoutMs / 60_000),
      outcome: outcome ?? 'failed',
      ...(problem ? { problem } : {}),
      steps: steps.map((s) => ({ ...s, ...(confirmedAt.has(s.id) ? { confirmedAt: confirmedAt.get(s.id) } : {}) })),
      expected,
      missing,
      unexpected,
      resources: { ...resources },
      teardown,
    },
  };
}

async function awsCall<T>(action: string, profile: string | undefined, fn: () => Promise<T>): Promise<T> {
  try { return await fn(); } catch (e) { throw new DrillAwsError(describeAwsError(e, { action, profile })); }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();
