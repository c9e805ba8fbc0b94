/**
 * The real DoctorContext: AWS SDK v3 clients from lib/aws/clients (credential chain, --profile, --region,
 * AWS_ENDPOINT_URL, retries and timeouts are all handled there), created lazily, one per service and region,
 * each with its `send` routed through one shared limiter and counted.
 */
import * as clients from '../aws/clients';
import type { BreakglassConfig } from '../config/schema';
import { createLimiter } from './concurrency';
import type { Caller, DoctorContext } from './types';

export interface ContextOptions {
  readonly profile?: string;
  readonly region?: string;
  /** @default config.doctor.concurrency */
  readonly concurrency?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** The config file, named in fix lines. */
  readonly configFile?: string;
}

interface Sendable { send(...args: any[]): Promise<any>; destroy(): void }

export function createDoctorContext(config: BreakglassConfig, opts: ContextOptions = {}): DoctorContext {
  const concurrency = opts.concurrency ?? config.doctor.concurrency;
  const limit = createLimiter(concurrency);
  const home = config.securityAccount.region;
  const globalRegion = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? home;
  const made = new Map<string, Sendable>();
  const memo = new Map<string, Promise<unknown>>();
  let calls = 0;

  function client<C extends Sendable>(key: string, make: () => C): C {
    let c = made.get(key) as C | undefined;
    if (!c) {
      c = make();
      const send = c.send.bind(c);
      // Paginators call client.send too, so every page goes through the limiter.
      c.send = (...args: any[]) => limit(() => { calls++; return send(...args); });
      made.set(key, c);
    }
    return c;
  }
  const aws = (region: string) => ({ profile: opts.profile, region });

  const ctx: DoctorContext = {
    config,
    configFile: opts.configFile,
    profile: opts.profile,
    globalRegion,
    concurrency,
    now: opts.now ?? (() => new Date()),
    iam: () => client('iam', () => clients.iamClient(aws(globalRegion))),
    sts: () => client('sts', () => clients.stsClient(aws(globalRegion))),
    organizations: () => client('organizations', () => clients.organizationsClient(aws(globalRegion))),
    cloudFormation: (r) => client(`cloudformation:${r}`, () => clients.cloudFormationClient(aws(r))),
    eventBridge: (r) => client(`events:${r}`, () => clients.eventBridgeClient(aws(r))),
    cloudTrail: (r) => client(`cloudtrail:${r}`, () => clients.cloudTrailClient(aws(r))),
    sns: (r) => client(`sns:${r}`, () => clients.snsClient(aws(r))),
    caller: () => ctx.once('caller', async () => {
      const { GetCallerIdentityCommand } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
      const who = await ctx.sts().send(new GetCallerIdentityCommand({}));
      return { account: who.Account ?? '', arn: who.Arn ?? '' } satisfies Caller;
    }),
    once<T>(key: string, fn: () => Promise<T>): Promise<T> {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) { p = fn(); memo.set(key, p); }
      return p;
    },
    get calls() { return calls; },
    destroy() { for (const c of made.values()) c.destroy(); made.clear(); },
  };
  return ctx;
}
