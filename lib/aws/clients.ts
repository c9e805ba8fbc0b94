/**
 * AWS SDK v3 client factories for the CLI. Every SDK module is required inside the factory, never at module load,
 * so commands that do not talk to AWS (validate, synth, simulate, …) never pay for loading the SDK.
 *
 * What the clients honour, all through the SDK itself (nothing here re-implements the credential chain):
 * - `--profile`: passed as the client's `profile` setting (SDK v3 client config, same effect as AWS_PROFILE but
 *   without changing the process environment). When a profile is named, the SDK skips AWS_ACCESS_KEY_ID & co.
 * - `--region`, else AWS_REGION / AWS_DEFAULT_REGION, else the caller's default (the config's home region). A region
 *   written only in a profile of ~/.aws/config is not consulted; the global services used here (Organizations,
 *   and STS on its regional endpoints) answer in any commercial region.
 * - AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>: read natively by SDK v3 (@smithy/core getEndpointUrlConfig),
 *   which is how the tests point every client at moto_server.
 * - Retries: standard mode with 3 attempts (exponential backoff with jitter on throttling and transient network
 *   errors, timeouts included), unless AWS_MAX_ATTEMPTS / AWS_RETRY_MODE are set, which then win.
 * - Timeouts (lib/detection/limits.ts): 5 s to connect, and 30 s for a whole attempt: connection, response headers
 *   AND body. The SDK's own `requestTimeout` stops at the headers, so an endpoint that sent headers and then
 *   stalled hung for good; each client's handler is therefore wrapped (bounded()) to read the body within the same
 *   30 s, and at most 64 MiB of it. One call thus fails within about 3 x 30 s whatever the endpoint does.
 * - Cancellation: a command runs its AWS work inside withAwsAbortSignal(signal, …); when the signal aborts (the
 *   command's --deadline), every call in flight is cut off and every later one fails at once, without retries.
 *   AsyncLocalStorage carries the signal, so it reaches every client a command creates, however deep.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { regionProblem } from '../config/regions';
import { limits } from '../detection/limits';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AthenaClient } from '@aws-sdk/client-athena';

export interface AwsOptions {
  /** Named profile from ~/.aws/config or ~/.aws/credentials (--profile). */
  readonly profile?: string;
  /** Region (--region). */
  readonly region?: string;
}

/** Region used when neither --region nor the environment names one. */
const FALLBACK_REGION = 'us-east-1';

/** The client settings shared by every factory below. */
export function clientConfig(opts: AwsOptions, defaultRegion = FALLBACK_REGION) {
  quietNodeVersionWarning();
  const env = process.env;
  const lim = limits();
  return {
    region: opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? defaultRegion,
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: lim.awsMaxAttempts }),
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'standard' }),
    // throwOnRequestTimeout: without it, smithy only logs a warning when requestTimeout passes and keeps waiting.
    // requestTimeout covers connection + headers only; bounded() below covers the whole attempt, body included.
    requestHandler: { connectionTimeout: lim.awsConnectMs, requestTimeout: lim.awsAttemptMs, throwOnRequestTimeout: true },
  };
}

/**
 * Why a region given to a command (--region, else AWS_REGION / AWS_DEFAULT_REGION) is refused, one line naming
 * where it came from; undefined when it is fine or not given. The same list as the config's (lib/config/regions.ts):
 * a typo would otherwise become a DNS failure or a hang on an endpoint that does not exist (exit 3, not 2).
 */
export function regionOptionProblem(region: string | undefined, from = '--region'): string | undefined {
  if (region === undefined) return undefined;
  if (region.length > 64) return `${from}: expected an AWS region name such as "us-east-1", got a ${region.length}-character value`;
  const problem = regionProblem(region);
  return problem === undefined ? undefined : `${from}: ${problem.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}`;
}

/** The region the clients will use when none is passed: checked like --region, naming the variable. */
export function environmentRegionProblem(): string | undefined {
  const env = process.env;
  if (env.AWS_REGION) return regionOptionProblem(env.AWS_REGION, 'AWS_REGION');
  if (env.AWS_DEFAULT_REGION) return regionOptionProblem(env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION');
  return undefined;
}

const abortScope = new AsyncLocalStorage<AbortSignal>();

/** Runs fn with `signal` as the abort signal of every AWS call made inside it (see the module comment). */
export function withAwsAbortSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return abortScope.run(signal, fn);
}

interface HandlerLike {
  handle(request: unknown, options?: { abortSignal?: AbortSignal; requestTimeout?: number }): Promise<{ response: { body?: unknown } }>;
  __breakglassBounded?: boolean;
}

/** Error of an attempt that did not complete in time: named TimeoutError, which the SDK retries as transient. */
function attemptTimeout(ms: number): Error {
  return Object.assign(new Error(`no complete answer within ${ms / 1000} s (connection, headers and body)`), { name: 'TimeoutError' });
}

/**
 * Wraps a client's request handler so that each attempt, body included, ends within awsAttemptMs, reads at most
 * awsMaxResponseBytes, and stops when the command's abort signal (withAwsAbortSignal) fires.
 */
export function bounded<C>(client: C): C {
  const handler = (client as { config?: { requestHandler?: HandlerLike } }).config?.requestHandler;
  if (!handler || typeof handler.handle !== 'function' || handler.__breakglassBounded) return client;
  const handle = handler.handle.bind(handler);
  handler.handle = async (request, options = {}) => {
    const lim = limits();
    const ctl = new AbortController();
    const cleanups: Array<() => void> = [];
    for (const s of [options.abortSignal, abortScope.getStore()]) {
      if (!s) continue;
      if (s.aborted) { ctl.abort(s.reason); continue; }
      const onAbort = () => ctl.abort(s.reason);
      s.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => s.removeEventListener('abort', onAbort));
    }
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; ctl.abort(attemptTimeout(lim.awsAttemptMs)); }, lim.awsAttemptMs);
    try {
      const result = await handle(request, { ...options, abortSignal: ctl.signal });
      const body = result.response.body;
      if (body instanceof Readable) result.response.body = Readable.from([await readBody(body, ctl.signal, lim.awsMaxResponseBytes)]);
      return result;
    } catch (e) {
      if (timedOut) throw attemptTimeout(lim.awsAttemptMs);
      throw e;
    } finally {
      clearTimeout(timer);
      for (const c of cleanups) c();
    }
  };
  handler.__breakglassBounded = true;
  return client;
}

async function readBody(body: Readable, signal: AbortSignal, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const onAbort = () => body.destroy(Object.assign(new Error('aborted while reading the response'), { name: 'AbortError' }));
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer;
      size += b.length;
      if (size > max) {
        body.destroy();
        throw Object.assign(new Error(`the response is larger than ${max} bytes`), { name: 'ResponseTooLarge' });
      }
      chunks.push(b);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks, size);
}

export function organizationsClient(opts: AwsOptions, defaultRegion?: string): OrganizationsClient {
  const { OrganizationsClient: Client } = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

export function stsClient(opts: AwsOptions, defaultRegion?: string): STSClient {
  const { STSClient: Client } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

export function iamClient(opts: AwsOptions, defaultRegion?: string): IAMClient {
  const { IAMClient: Client } = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

export function cloudFormationClient(opts: AwsOptions, defaultRegion?: string): CloudFormationClient {
  const { CloudFormationClient: Client } = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

/** EventBridge is regional: pass the region explicitly (opts.region) for each region checked. */
export function eventBridgeClient(opts: AwsOptions, defaultRegion?: string): EventBridgeClient {
  const { EventBridgeClient: Client } = require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

export function cloudTrailClient(opts: AwsOptions, defaultRegion?: string): CloudTrailClient {
  const { CloudTrailClient: Client } = require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

export function snsClient(opts: AwsOptions, defaultRegion?: string): SNSClient {
  const { SNSClient: Client } = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

export function sqsClient(opts: AwsOptions, defaultRegion?: string): SQSClient {
  const { SQSClient: Client } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

/** Athena is regional: pass the region of the workgroup (and of the query results bucket) as opts.region. */
export function athenaClient(opts: AwsOptions, defaultRegion?: string): AthenaClient {
  const { AthenaClient: Client } = require('@aws-sdk/client-athena') as typeof import('@aws-sdk/client-athena');
  return bounded(new Client(clientConfig(opts, defaultRegion)));
}

/**
 * SDK releases of 2026 print a multi-line NodeVersionSupportWarning on Node < 22 the first time a client is built.
 * On a CLI whose errors are one line each that is noise on stderr, and the project supports Node 20 (package.json
 * engines). AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is the SDK's own switch; an explicit value is kept.
 */
function quietNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
