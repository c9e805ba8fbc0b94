/**
 * The Athena path of `breakglass audit`: the same sessions, computed from queries over the organization trail table
 * that `breakglass athena-table` creates. Loaded only with --athena (it loads the AWS SDK).
 *
 * Rounds: (1) the security account's records of the break-glass users; then, while the sessions reach accounts not
 * yet queried or open chained role sessions, (2…) the reached accounts (the role's own records, the owner copies of
 * AssumeRole, and the credentials of chained sessions). Every query names its accounts and days. Each result feeds the
 * stitcher exactly as records read from files do.
 *
 * Athena API (API reference): StartQueryExecution (QueryString, QueryExecutionContext.Database/Catalog, WorkGroup,
 * ResultConfiguration.OutputLocation), GetQueryExecution (Status.State QUEUED | RUNNING | SUCCEEDED | FAILED |
 * CANCELLED, Status.StateChangeReason, Statistics.DataScannedInBytes), GetQueryResults (pages of at most 1000 rows,
 * NextToken; the first row of a SELECT's first page holds the column names), StopQueryExecution.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { BreakglassConfig } from '../config/schema';
import { escapeControls } from '../detection/escape';
import { DEFAULT_DEADLINE_SECONDS } from '../detection/limits';
import { EXIT, UserError } from '../cli/errors';
import type { Io } from '../cli/io';
import {
  ATHENA_NAME, COLUMNS, dayRange, reachedAccountsQuery, roleAccounts, rowToRecord, safeNeedles, securityAccountQuery,
  type DayRange, type TableRef,
} from './athena-sql';
import type { Stitcher, StitchResult } from './stitch';

export interface AthenaAuditOptions {
  readonly table: TableRef;
  readonly workgroup: string;
  readonly output?: string;
  readonly days: DayRange;
  readonly profile?: string;
  readonly region?: string;
  readonly deadlineSeconds: number;
  /** First wait between GetQueryExecution calls; doubles up to 5 s. @default 500 */
  readonly pollMs?: number;
  /** Progress lines on stderr (a terminal, not CI). */
  readonly progress?: boolean;
}

/** Checks the --athena options; --from and --to are required so that every query bounds its days. */
export function athenaOptions(o: {
  database?: string; table?: string; workgroup?: string; output?: string; catalog?: string; profile?: string; region?: string; deadline?: string;
}, from: number | undefined, to: number | undefined): AthenaAuditOptions {
  const missing = (['database', 'table', 'workgroup'] as const).filter((k) => !o[k]).map((k) => `--${k}`);
  if (from === undefined) missing.push('--from');
  if (to === undefined) missing.push('--to');
  if (missing.length) throw new UserError(`--athena needs ${missing.join(', ')} (every query names its days: give the range to audit)`, EXIT.usage);
  for (const k of ['database', 'table'] as const) {
    if (!ATHENA_NAME.test(o[k]!)) throw new UserError(`--${k}: expected lower-case letters, digits and underscores (an Athena name), got ${JSON.stringify(escapeControls(o[k]!.slice(0, 64)))}`, EXIT.usage);
  }
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(o.workgroup!)) throw new UserError(`--workgroup: expected an Athena workgroup name, got ${JSON.stringify(escapeControls(o.workgroup!.slice(0, 64)))}`, EXIT.usage);
  if (o.catalog !== undefined && !/^[A-Za-z0-9_@-]{1,256}$/.test(o.catalog)) throw new UserError('--catalog: expected a data catalog name such as AwsDataCatalog', EXIT.usage);
  if (o.output !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(o.output)) {
    throw new UserError(`--output: expected an S3 location such as s3://my-athena-results/breakglass/, got ${JSON.stringify(escapeControls(o.output.slice(0, 64)))}`, EXIT.usage);
  }
  const { checkRegionOption, deadlineSeconds } = require('../cli/commands/doctor') as typeof import('../cli/commands/doctor');
  checkRegionOption(o.region);
  return {
    table: { database: o.database!, table: o.table!, ...(o.catalog ? { catalog: o.catalog } : {}) },
    workgroup: o.workgroup!,
    ...(o.output ? { output: o.output } : {}),
    days: dayRange(from!, to!),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.region ? { region: o.region } : {}),
    deadlineSeconds: deadlineSeconds(o.deadline, DEFAULT_DEADLINE_SECONDS),
    // Tests only (moto answers at once): the first wait between GetQueryExecution calls, in ms.
    ...(Number(process.env.BREAKGLASS_TEST_ATHENA_POLL_MS) > 0 ? { pollMs: Number(process.env.BREAKGLASS_TEST_ATHENA_POLL_MS) } : {}),
    progress: !!(process.stderr as { isTTY?: boolean }).isTTY && !process.env.CI,
  };
}

export interface AthenaRun {
  readonly result: StitchResult;
  readonly queries: number;
  readonly rows: number;
  readonly bytesScanned: number;
  readonly table: string;
}

/** Most query rounds: the security account, the reached accounts, and a few levels of role chaining. */
export const MAX_ROUNDS = 6;

export async function auditAthena(stitcher: Stitcher, config: BreakglassConfig, o: AthenaAuditOptions, io: Io, client?: AthenaClient): Promise<AthenaRun> {
  let athena = client;
  if (!athena) {
    const { athenaClient } = require('../aws/clients') as typeof import('../aws/clients');
    athena = athenaClient({ profile: o.profile, region: o.region }, config.securityAccount.region);
  }
  const runner = new QueryRunner(athena, o, io);
  const scope = stitcher.scope;
  let rows = 0;
  const feed = (list: Record<string, string | undefined>[]) => {
    for (const r of list) { stitcher.offer(rowToRecord(r)); rows++; }
  };
  feed(await runner.run('break-glass users in the security account', securityAccountQuery(o.table, scope, o.days)));
  let { result } = stitcher.resolve();
  const queried = new Set<string>();
  const usedNeedles = new Set<string>();
  for (let round = 2; round <= MAX_ROUNDS; round++) {
    const sessions = result.sessions.flatMap((s) => s.roleSessions);
    const reached = roleAccounts(sessions.map((r) => r.roleArn));
    const needles = safeNeedles(stitcher.needles());
    const all = [...needles.keys, ...needles.sharedEventIDs, ...needles.arns];
    const fresh = all.filter((x) => !usedNeedles.has(x));
    const newAccounts = reached.filter((a) => !queried.has(a));
    const oldAccounts = reached.filter((a) => queried.has(a));
    if (!newAccounts.length && !fresh.length) break;
    if (newAccounts.length) {
      feed(await runner.run(`${newAccounts.length} account${newAccounts.length === 1 ? '' : 's'} the sessions reached`, reachedAccountsQuery(o.table, scope, newAccounts, o.days, needles)));
      for (const a of newAccounts) queried.add(a);
    }
    if (fresh.length && oldAccounts.length) {
      const only = new Set(fresh);
      const n = { keys: needles.keys.filter((x) => only.has(x)), sharedEventIDs: needles.sharedEventIDs.filter((x) => only.has(x)), arns: needles.arns.filter((x) => only.has(x)) };
      feed(await runner.run('credentials of chained role sessions', reachedAccountsQuery(o.table, scope, oldAccounts, o.days, n, false)));
    }
    for (const x of all) usedNeedles.add(x);
    ({ result } = stitcher.resolve());
  }
  io.err(`athena: ${runner.queries} quer${runner.queries === 1 ? 'y' : 'ies'}, ${rows} row${rows === 1 ? '' : 's'}, ${formatBytes(runner.bytesScanned)} scanned`);
  return { result, queries: runner.queries, rows, bytesScanned: runner.bytesScanned, table: `${o.table.database}.${o.table.table}` };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** One line for an SDK error: its name and message, control characters escaped. */
function awsError(call: string, e: unknown): UserError {
  const err = e as { name?: string; message?: string };
  return new UserError(`Athena ${call} failed: ${escapeControls(`${err.name ?? 'Error'}: ${err.message ?? String(e)}`.slice(0, 500))}`, EXIT.runtime);
}

export class QueryRunner {
  queries = 0;
  bytesScanned = 0;
  private readonly deadline: number;

  constructor(private readonly client: AthenaClient, private readonly o: AthenaAuditOptions, private readonly io: Io) {
    this.deadline = Date.now() + o.deadlineSeconds * 1000;
  }

  /** Runs one query to completion and returns its rows keyed by column alias. */
  async run(label: string, sql: string): Promise<Record<string, string | undefined>[]> {
    const sdk = require('@aws-sdk/client-athena') as typeof import('@aws-sdk/client-athena');
    this.queries++;
    const n = this.queries;
    let id: string | undefined;
    try {
      const r = await this.client.send(new sdk.StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: this.o.table.database, ...(this.o.table.catalog ? { Catalog: this.o.table.catalog } : {}) },
        WorkGroup: this.o.workgroup,
        ...(this.o.output ? { ResultConfiguration: { OutputLocation: this.o.output } } : {}),
      }));
      id = r.QueryExecutionId;
    } catch (e) { throw awsError('StartQueryExecution', e); }
    if (!id) throw new UserError('Athena StartQueryExecution returned no QueryExecutionId', EXIT.runtime);
    if (this.o.progress) this.io.err(`athena: query ${n} (${label}) started: ${id}`);
    let wait = this.o.pollMs ?? 500;
    const started = Date.now();
    for (;;) {
      let state: string | undefined;
      let reason: string | undefined;
      try {
        const q = await this.client.send(new sdk.GetQueryExecutionCommand({ QueryExecutionId: id }));
        state = q.QueryExecution?.Status?.State;
        reason = q.QueryExecution?.Status?.StateChangeReason;
        if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') this.bytesScanned += q.QueryExecution?.Statistics?.DataScannedInBytes ?? 0;
      } catch (e) { throw awsError('GetQueryExecution', e); }
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new UserError(`Athena query ${n} (${label}) ${state.toLowerCase()}: ${escapeControls((reason ?? 'no reason given').slice(0, 500))} (query ${id})`, EXIT.runtime);
      }
      if (Date.now() + wait > this.deadline) {
        try { await this.client.send(new sdk.StopQueryExecutionCommand({ QueryExecutionId: id })); } catch { /* reported below either way */ }
        throw new UserError(`Athena query ${n} (${label}) did not finish within --deadline ${this.o.deadlineSeconds} s (state ${state ?? 'unknown'}); it was stopped (query ${id})`, EXIT.runtime);
      }
      if (this.o.progress) this.io.err(`athena: query ${n} ${state ?? 'UNKNOWN'} (${Math.round((Date.now() - started) / 1000)} s)`);
      await new Promise((res) => setTimeout(res, wait));
      wait = Math.min(wait * 2, 5000);
    }
    const rows: Record<string, string | undefined>[] = [];
    let names: string[] | undefined;
    let token: string | undefined;
    let first = true;
    do {
      let page;
      try {
        page = await this.client.send(new sdk.GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
      } catch (e) { throw awsError('GetQueryResults', e); }
      names ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((c) => c.Name ?? c.Label ?? '') ;
      if (!names || !names.length) names = COLUMNS.map(([alias]) => alias);
      const list = page.ResultSet?.Rows ?? [];
      for (let i = 0; i < list.length; i++) {
        const data = list[i]!.Data ?? [];
        // The first row of the first page repeats the column names (SELECT queries).
        if (first && i === 0 && data.length === names.length && data.every((d, k) => d.VarCharValue === names![k])) continue;
        const row: Record<string, string | undefined> = {};
        names.forEach((name, k) => { row[name] = data[k]?.VarCharValue; });
        rows.push(row);
      }
      first = false;
      token = page.NextToken;
    } while (token);
    if (this.o.progress) this.io.err(`athena: query ${n} done: ${rows.length} rows`);
    return rows;
  }
}
