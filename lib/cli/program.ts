/**
 * The `breakglass` command line. Results go to stdout, everything else to stderr; errors are one line each,
 * stack traces only with --debug. Heavy modules (aws-cdk-lib, AWS SDK) are imported inside the commands that need
 * them so offline commands start quickly. Commands are loaded with a lazy require(): tsx's CommonJS hook,
 * used by bin/breakglass.js, does not cover dynamic import().
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT, UserError } from './errors';
import { processIo, type Io } from './io';
import { packageVersion } from '../package-files';

const EXIT_HELP = `
Exit codes:
  0  success
  1  checks found problems (doctor; reseal: a check failed and was not accepted; revoke: did not land somewhere)
  2  usage error or invalid input (bad config, bad pattern, unreadable events; the readable ones are still processed)
  3  AWS or runtime error (also: doctor, links or revoke still running at --deadline)`;

export function buildProgram(io: Io = processIo): { program: Command; exitCode: () => number } {
  let code = EXIT.ok as number;
  const program = new Command('breakglass')
    .description('Break-glass access for an AWS Organization: deploy, check and rehearse the emergency door.')
    .version(packageVersion(), '-V, --version', 'print the version of breakglass')
    .option('--debug', 'print stack traces of unexpected errors')
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showSuggestionAfterError();

  const configOption = () => new Option('-c, --config <file>', 'breakglass YAML or JSON config').makeOptionMandatory();

  program.command('validate')
    .description('check a config file; print every problem, one per line')
    .addOption(configOption())
    .option('-q, --quiet', 'print nothing when valid')
    .action(async (o) => { code = (require('./commands/validate') as typeof import('./commands/validate')).runValidate(o, io); });

  program.command('synth')
    .description('synthesize the CloudFormation templates for every account and region (offline)')
    .addOption(configOption())
    .option('-o, --out <dir>', 'cloud assembly directory', 'cdk.out')
    .option('--no-summary', 'do not print the deployment summary')
    .action(async (o) => { code = await (require('./commands/synth') as typeof import('./commands/synth')).runSynth(o, io); });

  program.command('deploy-plan')
    .description('the ordered commands that deploy breakglass: CDK bootstrap and deploy per account, with the credentials each step needs (offline)')
    .addOption(configOption())
    .option('--json', 'print one JSON document ({"schemaVersion":1,"steps":[...]})')
    .action(async (o) => { code = (require('./commands/deploy-plan') as typeof import('./commands/deploy-plan')).runDeployPlan(o, io); });

  program.command('simulate')
    .description('which alerts the deployed system would raise for CloudTrail records / EventBridge events (offline)')
    .addOption(configOption())
    .option('--json', 'print one JSON document ({"schemaVersion":1,"events":[...]})')
    .option('--alerts-only', 'list only the events that raise alerts; the summary still counts every event (reads large JSON Lines files faster)')
    .option('--no-prefilter', 'with --alerts-only: parse every record instead of deciding from the raw bytes which can match')
    .argument('[files...]', 'CloudTrail records, EventBridge events, CloudTrail log files or JSON Lines; .gz accepted; "-" or none for stdin')
    .action(async (files: string[], o) => { code = await (require('./commands/simulate') as typeof import('./commands/simulate')).runSimulate({ ...o, files }, io); });

  program.command('test-pattern')
    .description('offline twin of `aws events test-event-pattern`: prints true or false per event')
    .requiredOption('-p, --pattern <file|json>', 'EventBridge event pattern: a file or inline JSON')
    .argument('[event]', 'a JSON event or JSON Lines file; "-" or none for stdin')
    .action(async (event: string | undefined, o) => { code = await (require('./commands/test-pattern') as typeof import('./commands/test-pattern')).runTestPattern({ pattern: o.pattern, event }, io); });

  program.command('links')
    .description('the emergency sheet to print and vault: sign-in URL, and role ARN and switch-role link of every active account')
    .addOption(configOption())
    .addOption(new Option('-f, --format <format>', 'output format (default: from the --out extension, else markdown)').choices(['markdown', 'html', 'json']))
    .option('-o, --out <file>', 'write the sheet to this file instead of stdout ("-": stdout)')
    .option('--offline', 'do not ask AWS: list only the accounts named in the config (explicit targets, security, management)')
    .option('--profile <name>', 'AWS profile with credentials of the management account or a delegated administrator')
    .option('--region <region>', 'AWS region for the API calls (default: AWS_REGION, else the config\'s home region)')
    .option('--deadline <seconds>', 'give up after this long, naming the call that did not answer (exit 3)', '300')
    .action(async (o) => { code = await (require('./commands/links') as typeof import('./commands/links')).runLinks(o, io); });

  program.command('drill')
    .description('rehearse breaking the glass: listen on the alert topic, guide a sign-in and switch-role, record which alerts arrived and how fast (exit 1 if any is missing)')
    .addOption(configOption())
    .option('--profile <name>', 'AWS profile with credentials of the security account (creates a temporary queue and subscription there)')
    .option('--region <region>', 'must be the config\'s home region, where the alert topic is (default: that region)')
    .option('-o, --out <dir>', 'directory for the drill record (JSON and Markdown, named by UTC start time)', 'drills')
    .option('--timeout <minutes>', 'how long to wait for the alerts after the last step', '15')
    .option('-y, --yes', 'do not ask before creating the temporary queue and subscription')
    .action(async (o) => { code = await (require('./commands/drill') as typeof import('./commands/drill')).runDrillCommand(o, io); });

  program.command('reseal')
    .description('after a use or a drill: check each used break-glass user (password changed, MFA unchanged, no access keys, sessions revoked, use audited), then tag it and write a seal record (exit 1 if a check fails)')
    .addOption(configOption())
    .option('--audit <file>', 'the use reviewed: output of breakglass audit --format json covering every use since the last seal')
    .option('-o, --out <dir>', 'directory of the seal records (JSON and Markdown, named by UTC seal time; previous ones are read here)', 'seals')
    .option('-y, --yes', 'ask, at a terminal, whether to accept each check that did not pass (with a reason, recorded)')
    .option('--profile <name>', 'AWS profile with credentials of the security account (reads and tags the users)')
    .option('--management-profile <name>', 'AWS profile of the management account, to read RevokeSessionsBefore of Breakglass-Management (default: --profile)')
    .option('--stacksets-profile <name>', 'AWS profile of the StackSets administrator, to read it from the member StackSet (default: --management-profile)')
    .option('--region <region>', 'AWS region for the global services\' calls (IAM, STS); stacks are read in the home region')
    .option('--deadline <seconds>', 'give up reading AWS after this long, naming what did not finish (exit 3); the questions are not counted', '300')
    .action(async (o) => { code = await (require('./commands/reseal') as typeof import('./commands/reseal')).runResealCommand(o, io); });

  program.command('doctor')
    .description('check a deployed setup: users, MFA, passwords, StackSet instances, alert rules, topics, trail, SCPs (exit 1 when a check fails)')
    .addOption(configOption())
    .option('--json', 'print one JSON document ({"schemaVersion":1,"checks":[...]})')
    .option('--profile <name>', 'AWS profile: the security account\'s credentials (StackSet and SCP checks need the management account\'s)')
    .option('--region <region>', 'AWS region for the global services\' calls (IAM, STS, Organizations); regional resources are read where they live')
    .option('--deadline <seconds>', 'whole-run deadline: checks still running then are reported as unfinished (exit 3)', '300')
    .action(async (o) => { code = await (require('./commands/doctor') as typeof import('./commands/doctor')).runDoctor(o, io); });

  program.command('audit')
    .description('every break-glass session reconstructed across accounts (sign-in, role sessions, every call) from CloudTrail files or Athena')
    .addOption(configOption())
    .option('--from <iso>', 'sessions overlapping this time or later (ISO 8601 date, or date-time with a zone)')
    .option('--to <iso>', 'sessions overlapping this time or earlier (a date means the end of that day, UTC)')
    .option('--user <name>', 'only this break-glass user')
    .addOption(new Option('-f, --format <format>', 'output format (default: from the --out extension, else markdown)').choices(['markdown', 'html', 'json']))
    .option('--json', 'same as --format json: one document ({"schemaVersion":1,"sessions":[...],"attempts":[...]})')
    .option('-o, --out <file>', 'write the report to this file instead of stdout ("-": stdout)')
    .option('--athena', 'query the organization trail table in Athena instead of reading files (see breakglass athena-table)')
    .option('--database <name>', 'Athena database of the trail table (--athena)')
    .option('--table <name>', 'Athena table created by breakglass athena-table (--athena)')
    .option('--workgroup <name>', 'Athena workgroup (--athena)')
    .option('--output <s3-url>', 'query result location, when the workgroup does not set one (--athena)')
    .option('--catalog <name>', 'data catalog (--athena; default: the workgroup\'s, AwsDataCatalog)')
    .option('--profile <name>', 'AWS profile allowed to run Athena queries and read the trail bucket (--athena)')
    .option('--region <region>', 'region of the Athena workgroup (--athena; default: AWS_REGION, else the config\'s home region)')
    .option('--deadline <seconds>', 'give up on the Athena queries after this long, stopping the one running (exit 3)', '300')
    .option('--no-prefilter', 'parse every JSON Lines record (by default only lines holding a break-glass name or key are parsed; the report is the same, but malformed lines that cannot matter are then reported too)')
    .argument('[inputs...]', 'CloudTrail log files (.json, .json.gz), directories (read recursively, e.g. a copy of AWSLogs/), JSON Lines or EventBridge events; "-" or none for stdin')
    .action(async (inputs: string[], o) => { code = await (require('./commands/audit') as typeof import('./commands/audit')).runAudit({ ...o, files: inputs }, io); });

  program.command('revoke')
    .description('deny everything to break-glass role sessions issued before a time, in every account: updates the member StackSet and the security and management stacks (asks first; exit 1 if it did not land somewhere)')
    .addOption(configOption())
    .option('--before <iso>', 'revoke sessions issued before this ISO 8601 time with a zone (default: now)')
    .option('--dry-run', 'read and show what would change (stack sets, stacks, current values); change nothing')
    .option('-y, --yes', 'do not ask (needed when there is no terminal)')
    .option('--targets <list>', 'comma-separated subset of stacksets,management,security (default: all)')
    .option('--profile <name>', 'AWS profile of the StackSets administrator (management account or delegated administrator); the default for the two below')
    .option('--management-profile <name>', 'AWS profile with credentials of the management account (Breakglass-Management)')
    .option('--security-profile <name>', 'AWS profile with credentials of the security account (Breakglass-Security)')
    .option('--deadline <seconds>', 'stop following after this long (not counting the confirmation); what is still running is listed (exit 3)', '900')
    .action(async (o) => { code = await (require('./commands/revoke') as typeof import('./commands/revoke')).runRevokeCommand(o, io); });

  program.command('athena-table')
    .description('the Athena CREATE EXTERNAL TABLE statement for the organization trail bucket, with partition projection (offline)')
    .addOption(configOption())
    .requiredOption('--bucket <name>', 'S3 bucket of the organization trail')
    .option('--prefix <prefix>', 'S3 key prefix of the trail, if it has one')
    .option('--database <name>', 'Athena database', 'default')
    .option('--table <name>', 'table name', 'breakglass_org_trail')
    .option('--org-id <id>', 'organization ID (default: organization.id of the config)')
    .option('--start <date>', 'first day the table projects (YYYY-MM-DD)', '2020-01-01')
    .action(async (o) => { code = (require('./commands/athena-table') as typeof import('./commands/athena-table')).runAthenaTable(o, io); });

  return { program, exitCode: () => code };
}

/** Runs the CLI; never throws. Returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const { program, exitCode } = buildProgram(io);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // Matched by name: importing the config module here would load zod and yaml into every command's start-up.
    if (e instanceof Error && e.name === 'ConfigError') {
      const ce = e as Error & { problems: string[]; file: string };
      for (const p of ce.problems) io.err(p);
      io.err(`${ce.problems.length} problem${ce.problems.length === 1 ? '' : 's'} in ${ce.file}; see examples/breakglass.config.yaml for a valid config.`);
      return EXIT.usage;
    }
    if (e instanceof UserError) { io.err(`error: ${e.message}`); return e.exitCode; }
    io.err(`error: ${(e as Error)?.message ?? String(e)}`);
    if (debug) io.err((e as Error)?.stack ?? '');
    else io.err('(run again with --debug for details)');
    return EXIT.runtime;
  }
}
