/**
 * `breakglass audit`: every break-glass session reconstructed across accounts, from local CloudTrail files (the
 * readers simulate uses) or from Athena over the organization trail (--athena). Both feed the same stitcher
 * (lib/audit/stitch.ts) and renderers. Results on stdout (or --out), problems and progress on stderr.
 * Exit 0; 2 for bad options or config, or when some input could not be read (the readable records are still
 * audited and the report is printed); 3 for AWS errors on the Athena path.
 */
import { extname } from 'node:path';
import { loadConfigFile } from '../../config/load';
import { escapeControls } from '../../detection/escape';
import { buildReport, type ReportScope } from '../../audit/report';
import { FORMATS, render, type Format } from '../../audit/render';
import { Stitcher } from '../../audit/stitch';
import { EXIT, UserError } from '../errors';
import { STDOUT, type Io } from '../io';
import { checkOutputFile, writeOutputFile } from '../output-file';

export interface AuditOptions {
  readonly config: string;
  readonly from?: string;
  readonly to?: string;
  readonly user?: string;
  readonly format?: string;
  readonly json?: boolean;
  readonly out?: string;
  readonly files: readonly string[];
  readonly athena?: boolean;
  readonly database?: string;
  readonly table?: string;
  readonly workgroup?: string;
  readonly output?: string;
  readonly catalog?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly deadline?: string;
  /** commander's --no-prefilter: false parses every record. */
  readonly prefilter?: boolean;
}

const BY_EXTENSION: Record<string, Format> = { '.md': 'markdown', '.markdown': 'markdown', '.html': 'html', '.htm': 'html', '.json': 'json' };

/** --json, else --format, else the --out file's extension, else markdown. */
export function auditFormat(o: Pick<AuditOptions, 'format' | 'json' | 'out'>): Format {
  if (o.json) {
    if (o.format && o.format !== 'json') throw new UserError(`--json and --format ${o.format} contradict each other`, EXIT.usage);
    return 'json';
  }
  if (o.format) {
    if (!(FORMATS as readonly string[]).includes(o.format)) throw new UserError(`--format: expected one of ${FORMATS.join(', ')}, got "${escapeControls(o.format.slice(0, 40))}"`, EXIT.usage);
    return o.format as Format;
  }
  return (o.out && BY_EXTENSION[extname(o.out).toLowerCase()]) || 'markdown';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * --from / --to: an ISO 8601 date (UTC day; --to then means the end of that day) or date-time with a zone
 * ("2026-11-23T10:00:00Z", "…+01:00"). A time without a zone is refused: it would silently depend on the machine.
 */
export function parseTime(v: string | undefined, option: '--from' | '--to'): number | undefined {
  if (v === undefined) return undefined;
  const bad = () => new UserError(`${option}: expected an ISO 8601 date or date-time with a zone, such as 2026-11-23 or 2026-11-23T10:00:00Z, got ${JSON.stringify(escapeControls(v.slice(0, 40)))}`, EXIT.usage);
  if (DATE_ONLY.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 10) !== v) throw bad();
    return option === '--to' ? t + 86_400_000 - 1 : t;
  }
  if (!ISO_TIME.test(v)) throw bad();
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw bad();
  return t;
}

export async function runAudit(opts: AuditOptions, io: Io): Promise<number> {
  const format = auditFormat(opts);
  const from = parseTime(opts.from, '--from');
  const to = parseTime(opts.to, '--to');
  if (from !== undefined && to !== undefined && from > to) throw new UserError('--from is after --to', EXIT.usage);
  const toStdout = !opts.out || opts.out === STDOUT;
  if (!toStdout) checkOutputFile(opts.out!);
  if (opts.athena && opts.files.length) throw new UserError('--athena reads the organization trail through Athena: name no files with it', EXIT.usage);

  const { config } = loadConfigFile(opts.config);
  const userNames = config.users.map((u) => u.name);
  if (opts.user !== undefined && !userNames.includes(opts.user)) {
    throw new UserError(`--user: "${escapeControls(opts.user.slice(0, 64))}" is not a break-glass user of this config (${userNames.join(', ')})`, EXIT.usage);
  }
  const scope: ReportScope = {
    securityAccountId: config.securityAccount.accountId,
    userNames,
    roleName: config.role.name,
    accountNames: config.alerts.accountNames,
  };
  const stitcher = new Stitcher(scope, { roleMaxSessionMs: config.role.maxSessionDuration * 1000 });

  let report;
  let unreadable = 0;
  if (opts.athena) {
    const { auditAthena, athenaOptions } = require('../../audit/athena') as typeof import('../../audit/athena');
    const a = athenaOptions(opts, from, to);
    const run = await auditAthena(stitcher, config, a, io);
    report = buildReport(run.result, {
      scope, configFile: opts.config, input: `Athena table ${run.table}, ${run.queries} queries`, source: 'athena',
      from, to, user: opts.user, recordsRead: run.rows, passes: run.queries, bytesScanned: run.bytesScanned,
    });
  } else {
    const { auditFiles, expandInputs } = require('../../audit/local') as typeof import('../../audit/local');
    const stdin = (io.stdin ?? process.stdin) as NodeJS.ReadableStream & { isTTY?: boolean };
    if ((opts.files.length === 0 || opts.files.includes('-')) && stdin.isTTY) {
      io.err('reading CloudTrail records from standard input (end with Ctrl-D; or name files or directories: breakglass audit -c FILE AWSLogs/)');
    }
    const progress = !!(process.stderr as { isTTY?: boolean }).isTTY && !process.env.CI;
    let input;
    try {
      input = await expandInputs(opts.files, stdin);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'NOLOGS') throw new UserError((e as Error).message, EXIT.usage);
      throw e;
    }
    try {
      const run = await auditFiles(stitcher, input.files, {
        problem: (m) => io.err(m),
        // Progress only on a terminal, never in CI (the report says how many passes were made).
        ...(progress ? { pass: (n: number, keys: number) => io.err(`pass ${n}: reading the input again for calls made with ${keys} chained role session credential${keys === 1 ? '' : 's'}`) } : {}),
      }, { prefilter: opts.prefilter !== false });
      unreadable = run.unreadable;
      report = buildReport(run.result, {
        scope, configFile: opts.config, input: input.description, source: 'files', from, to, user: opts.user,
        recordsRead: run.recordsRead, unreadable: run.unreadable, passes: run.passes,
      });
    } finally {
      await input.cleanup();
    }
  }

  const text = render(report, format);
  if (!toStdout) {
    writeOutputFile(opts.out!, text);
    const s = report.summary;
    io.err(`wrote ${s.sessions} session${s.sessions === 1 ? '' : 's'} and ${s.attempts} attempt${s.attempts === 1 ? '' : 's'} (${format}) to ${escapeControls(opts.out!)}`);
  } else {
    io.out(text, true);
  }
  if (unreadable > 0) io.err(`${unreadable} value${unreadable === 1 ? '' : 's'} could not be read (listed above); the report covers the readable records`);
  return unreadable > 0 ? EXIT.usage : EXIT.ok;
}
