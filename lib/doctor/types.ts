/** The shapes shared by every doctor check: results, checks, and the context they run in. */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import type { BreakglassConfig } from '../config/schema';

export const STATUSES = ['pass', 'warn', 'fail'] as const;
export type CheckStatus = (typeof STATUSES)[number];

/** One line of the report; `--json` prints these as they are. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found, one or a few sentences. Never a secret. */
  readonly detail: string;
  /** What to do about it; null when there is nothing to do. */
  readonly fix: string | null;
}

export type Finding = Omit<CheckResult, 'id' | 'title'>;

export interface Check {
  readonly id: string;
  readonly title: string;
  /** The IAM action named when the check fails with an unexpected AWS error. */
  readonly action: string;
  run(ctx: DoctorContext): Promise<Finding>;
}

/** Who the credentials belong to (sts:GetCallerIdentity). */
export interface Caller {
  readonly account: string;
  readonly arn: string;
}

/**
 * What a check may use. Clients are created on first use (per region for the regional services) and every `send`
 * goes through one shared limiter of `config.doctor.concurrency` calls.
 */
export interface DoctorContext {
  readonly config: BreakglassConfig;
  /** The config file, named in fix lines that give a command to run. */
  readonly configFile?: string;
  /** The profile in use, named in error messages. */
  readonly profile?: string;
  /** Region of the global services' calls (IAM, STS, Organizations): --region, else the environment, else the home region. */
  readonly globalRegion: string;
  readonly concurrency: number;
  readonly now: () => Date;
  iam(): IAMClient;
  sts(): STSClient;
  organizations(): OrganizationsClient;
  cloudFormation(region: string): CloudFormationClient;
  eventBridge(region: string): EventBridgeClient;
  cloudTrail(region: string): CloudTrailClient;
  sns(region: string): SNSClient;
  /** sts:GetCallerIdentity, asked once; rejects with the SDK error. */
  caller(): Promise<Caller>;
  /** Memoizes one promise per key for the whole run: checks that need the same facts ask AWS once. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** AWS calls sent so far (every attempt the SDK made counts once per `send`). */
  readonly calls: number;
  destroy(): void;
}
