/**
 * `breakglass revoke`: deny everything to every break-glass role session issued before a time (default: now), in
 * every account, through the deployment's own path (the member StackSet and the CDK stacks, whose execution roles
 * the guardrail SCP exempts). Logic in lib/revoke/; the AWS SDK loads only here and there.
 *
 * Usage errors exit 2 before any AWS call: a bad --before, --targets or --deadline, and a run without --yes when
 * there is no terminal to ask (CI, a pipe): changing the role in every account is never done unasked.
 */
import { loadConfigFile } from '../../config/load';
import { parseBefore } from '../../revoke/parameter';
import { parseTargetGroups } from '../../revoke/targets';
import { EXIT, UserError } from '../errors';
import type { Io } from '../io';
import { deadlineSeconds } from './doctor';

export interface RevokeOptions {
  readonly config: string;
  readonly before?: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly targets?: string;
  readonly profile?: string;
  readonly managementProfile?: string;
  readonly securityProfile?: string;
  readonly deadline?: string;
}

/** Test seams. */
export interface RevokeCliDeps {
  /** Whether a person can be asked (default: stdin and stderr are terminals). */
  readonly isTty?: boolean;
  /** Where the confirmation is read from (default: io.stdin, else process.stdin). */
  readonly input?: NodeJS.ReadableStream;
  /** Polling interval of the rollout, ms. @default 10000 */
  readonly pollMs?: number;
  readonly now?: () => Date;
}

/** Default --deadline of revoke, in seconds: an emergency answer, while the rollout itself goes on in AWS after it. */
export const REVOKE_DEADLINE_SECONDS = 900;
const POLL_MS = 10_000;

export async function runRevokeCommand(opts: RevokeOptions, io: Io, deps: RevokeCliDeps = {}): Promise<number> {
  let before: string;
  let groups;
  try {
    before = parseBefore(opts.before, (deps.now ?? (() => new Date()))());
    groups = parseTargetGroups(opts.targets);
  } catch (e) {
    throw new UserError((e as Error).message, EXIT.usage);
  }
  const deadline = deadlineSeconds(opts.deadline, REVOKE_DEADLINE_SECONDS);
  const input = deps.input ?? io.stdin ?? process.stdin;
  const tty = deps.isTty ?? (!!(input as { isTTY?: boolean }).isTTY && !!process.stderr.isTTY);
  if (!opts.dryRun && !opts.yes && !tty) {
    throw new UserError('revoke changes the break-glass role in every account and there is no terminal to ask: pass --yes to go ahead, or --dry-run to see what would change', EXIT.usage);
  }
  const { config } = loadConfigFile(opts.config);
  const { cloudFormationClient, stsClient } = require('../../aws/clients') as typeof import('../../aws/clients');
  const { GetCallerIdentityCommand } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  const { runRevoke } = require('../../revoke/run') as typeof import('../../revoke/run');
  const { askToConfirm } = require('../../revoke/confirm') as typeof import('../../revoke/confirm');
  const home = config.securityAccount.region;
  return runRevoke({
    config, configFile: opts.config, before, groups, dryRun: !!opts.dryRun, yes: !!opts.yes, deadlineMs: deadline * 1000,
    profiles: { deployer: opts.profile, management: opts.managementProfile, security: opts.securityProfile },
  }, {
    // Every call in the home region: the StackSets are administered there (Breakglass-MemberStackSets), and both
    // stacks that hold the role are deployed there.
    cloudFormation: (profile, region) => cloudFormationClient({ profile, region }, home),
    async callerIdentity(profile) {
      const sts = stsClient({ profile, region: home }, home);
      try {
        const id = await sts.send(new GetCallerIdentityCommand({}));
        return { account: id.Account ?? '', arn: id.Arn ?? '' };
      } finally {
        sts.destroy();
      }
    },
    ...(opts.yes || opts.dryRun ? {} : { confirm: askToConfirm(input, (l) => io.err(l)) }),
    progress: (l) => io.err(l),
    out: (l) => io.out(l),
    pollMs: deps.pollMs ?? POLL_MS,
  });
}
