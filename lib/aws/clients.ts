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
 * - Retries: standard mode with 5 attempts (exponential backoff with jitter on throttling and transient network
 *   errors), unless AWS_MAX_ATTEMPTS / AWS_RETRY_MODE are set, which then win.
 * - Timeouts: 5 s to connect, 30 s per request, so an unreachable endpoint fails instead of hanging.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';

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
  return {
    region: opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? defaultRegion,
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 5 }),
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'standard' }),
    // throwOnRequestTimeout: without it, smithy only logs a warning when requestTimeout passes and keeps waiting.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
  };
}

export function organizationsClient(opts: AwsOptions, defaultRegion?: string): OrganizationsClient {
  const { OrganizationsClient: Client } = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
  return new Client(clientConfig(opts, defaultRegion));
}

export function stsClient(opts: AwsOptions, defaultRegion?: string): STSClient {
  const { STSClient: Client } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  return new Client(clientConfig(opts, defaultRegion));
}

export function iamClient(opts: AwsOptions, defaultRegion?: string): IAMClient {
  const { IAMClient: Client } = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  return new Client(clientConfig(opts, defaultRegion));
}

export function cloudFormationClient(opts: AwsOptions, defaultRegion?: string): CloudFormationClient {
  const { CloudFormationClient: Client } = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  return new Client(clientConfig(opts, defaultRegion));
}

/** EventBridge is regional: pass the region explicitly (opts.region) for each region checked. */
export function eventBridgeClient(opts: AwsOptions, defaultRegion?: string): EventBridgeClient {
  const { EventBridgeClient: Client } = require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge');
  return new Client(clientConfig(opts, defaultRegion));
}

export function cloudTrailClient(opts: AwsOptions, defaultRegion?: string): CloudTrailClient {
  const { CloudTrailClient: Client } = require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail');
  return new Client(clientConfig(opts, defaultRegion));
}

export function snsClient(opts: AwsOptions, defaultRegion?: string): SNSClient {
  const { SNSClient: Client } = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
  return new Client(clientConfig(opts, defaultRegion));
}

export function sqsClient(opts: AwsOptions, defaultRegion?: string): SQSClient {
  const { SQSClient: Client } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  return new Client(clientConfig(opts, defaultRegion));
}

/**
 * SDK releases of 2026 print a multi-line NodeVersionSupportWarning on Node < 22 the first time a client is built.
 * On a CLI whose errors are one line each that is noise on stderr, and the project supports Node 20 (package.json
 * engines). AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is the SDK's own switch; an explicit value is kept.
 */
function quietNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
