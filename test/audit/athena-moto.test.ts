/**
 * `breakglass audit --athena` against moto_server's Athena API: StartQueryExecution, GetQueryExecution polling
 * (moto's state manager holds each query QUEUED, then RUNNING), GetQueryResults, StopQueryExecution and the error
 * answers, through the real AWS SDK client.
 *
 * moto does not run SQL: it returns the results queued through POST /moto-api/static/athena/query-results. A small
 * proxy between the client and moto therefore (1) reads each StartQueryExecution's SQL, computes its answer from the
 * generated logs with an independent evaluator of the conditions the queries use, and queues it in moto just before
 * forwarding the call; (2) pages GetQueryResults (moto returns every row at once and ignores MaxResults/NextToken) 3
 * rows at a time with its own NextToken; (3) on request, rewrites a GetQueryExecution answer to FAILED or keeps it
 * RUNNING, and fills Statistics.DataScannedInBytes (moto always says 0). What this does NOT prove, and only a run
 * against real Athena would: that Athena accepts the DDL and the SQL (checked here only by the Hive/Trino grammars in
 * athena-sql.test.ts), partition projection over a real bucket, the CloudTrail SerDe's column values, real
 * pagination tokens, real query times and costs, IAM permissions, and KMS-encrypted result locations.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { COLUMNS } from '../../lib/audit/athena-sql';
import { runCli } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';
import { motoForThisFile, withEnv } from '../helpers/moto';
import { generateOrgLogs, ROLE, S, toAthenaRow, U1, U2 } from './org-logs';

const moto = motoForThisFile();
const g = generateOrgLogs();

// ------------------------------------------------------------------------------ an evaluator of the audit queries

const list = (s: string | undefined) => (s ? [...s.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")) : []);

/** The records a query selects, by the conditions it states (not by calling the code under test). */
function answer(sql: string): any[] {
  const one = /"account" = '(\d{12})'/.exec(sql);
  const accounts = one ? [one[1]!] : list(/"account" IN \(([^)]*)\)/.exec(sql)?.[1]);
  const days = /"day" BETWEEN '([^']+)' AND '([^']+)'/.exec(sql);
  assert.ok(accounts.length, `every query names its accounts:\n${sql}`);
  assert.ok(days, `every query bounds its days:\n${sql}`);
  const users = list(/useridentity\.username IN \(([^)]*)\)/.exec(sql)?.[1]);
  const roleClause = sql.includes(`split_part(useridentity.arn, '/', 2) = '${ROLE}'`);
  const ownerClause = sql.includes('element_at(split(json_extract_scalar(requestparameters');
  const keys = new Set(list(/useridentity\.accesskeyid IN \(([^)]*)\)/.exec(sql)?.[1]));
  const shared = new Set(list(/sharedeventid IN \(([^)]*)\)/.exec(sql)?.[1]));
  const arns = new Set(list(/useridentity\.arn IN \(([^)]*)\)/.exec(sql)?.[1]));
  return g.records.filter((r) => {
    const day = r.eventTime.slice(0, 10).replace(/-/g, '/');
    if (!accounts.includes(r.recipientAccountId) || day < days![1]! || day > days![2]!) return false;
    const id = r.userIdentity ?? {};
    if (users.length && id.type === 'IAMUser' && id.accountId === S && users.includes(id.userName)) return true;
    if (users.length && r.eventName === 'ConsoleLogin' && id.userName === 'HIDDEN_DUE_TO_SECURITY_REASONS') return true;
    if (roleClause && id.type === 'AssumedRole' && (id.sessionContext?.sessionIssuer?.userName === ROLE || String(id.arn).split('/')[1] === ROLE)) return true;
    if (ownerClause && r.eventName === 'AssumeRole' && String(r.requestParameters?.roleArn ?? '').split('/').pop() === ROLE) return true;
    return keys.has(id.accessKeyId) || shared.has(r.sharedEventID) || arns.has(id.arn);
  });
}

// ------------------------------------------------------------------------------ the proxy

interface Proxy {
  readonly url: string;
  readonly sql: string[];
  readonly calls: Record<string, number>;
  readonly pagesWithToken: number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function startProxy(motoUrl: string, o: { failQuery?: number; stuck?: boolean; pageSize?: number } = {}): Promise<Proxy> {
  const sql: string[] = [];
  const calls: Record<string, number> = {};
  const idIndex = new Map<string, number>();
  let pagesWithToken = 0;
  const forward = async (req: IncomingMessage, payload: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    return fetch(`${motoUrl}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : new Uint8Array(payload) });
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const payload = await body(req);
      const target = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '');
      calls[target] = (calls[target] ?? 0) + 1;
      const input = payload.length ? JSON.parse(payload.toString('utf8')) : {};
      if (target === 'StartQueryExecution') {
        sql.push(input.QueryString);
        const rows = answer(input.QueryString).map((r) => toAthenaRow(r, COLUMNS));
        const names = COLUMNS.map(([alias]) => alias);
        const queued = await fetch(`${motoUrl}/moto-api/static/athena/query-results`, {
          method: 'POST',
          body: JSON.stringify({ results: [{
            rows: [{ Data: names.map((n) => ({ VarCharValue: n })) }, ...rows.map((row) => ({ Data: names.map((n) => (row[n] === undefined ? {} : { VarCharValue: row[n] })) }))],
            column_info: names.map((n) => ({ CatalogName: 'hive', SchemaName: '', TableName: '', Name: n, Label: n, Type: 'varchar', Precision: 2147483647, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: true })),
          }] }),
        });
        await queued.arrayBuffer();
      }
      if (target === 'GetQueryResults') {
        // moto answers with every row; page them as Athena does.
        const offset = input.NextToken ? Number(input.NextToken) : 0;
        const full = await forward(req, Buffer.from(JSON.stringify({ QueryExecutionId: input.QueryExecutionId })));
        const doc = await full.json() as any;
        const rows = doc.ResultSet.Rows;
        const size = Math.min(o.pageSize ?? 3, input.MaxResults ?? 1000);
        doc.ResultSet.Rows = rows.slice(offset, offset + size);
        if (offset + size < rows.length) doc.NextToken = String(offset + size);
        if (input.NextToken) pagesWithToken++;
        res.writeHead(full.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(doc));
        return;
      }
      const upstream = await forward(req, payload);
      let text = await upstream.text();
      if (target === 'StartQueryExecution' && upstream.ok) idIndex.set(JSON.parse(text).QueryExecutionId, sql.length);
      if (target === 'GetQueryExecution' && upstream.ok) {
        const doc = JSON.parse(text);
        const n = idIndex.get(input.QueryExecutionId);
        doc.QueryExecution.Statistics.DataScannedInBytes = 1_048_576;
        if (o.failQuery !== undefined && n === o.failQuery) {
          doc.QueryExecution.Status.State = 'FAILED';
          doc.QueryExecution.Status.StateChangeReason = 'COLUMN_NOT_FOUND: line 3:3: Column \'useridentity\' cannot be resolved';
        }
        if (o.stuck) doc.QueryExecution.Status.State = 'RUNNING';
        text = JSON.stringify(doc);
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.1' }).end(text);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`, sql, calls,
    get pagesWithToken() { return pagesWithToken; },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function motoApi(url: string, path: string, payload: unknown): Promise<void> {
  const r = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(payload) });
  await r.arrayBuffer();
  assert.ok(r.ok, `${path}: HTTP ${r.status}`);
}

const ARGS = ['audit', '-c', EXAMPLE_CONFIG, '--athena', '--database', 'security', '--table', 'org_trail', '--workgroup', 'primary',
  '--from', '2026-11-23', '--to', '2026-11-24', '--output', 's3://athena-results-bucket/breakglass/'];

describe('breakglass audit --athena (moto_server)', () => {
  it('reconstructs the same sessions as from files: bounded queries, polling, pagination, bytes scanned', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    // Each query is reported QUEUED, then RUNNING, then SUCCEEDED, two polls each.
    await motoApi(m.endpoint, '/moto-api/state-manager/set-transition', { model_name: 'athena::execution', transition: { progression: 'manual', times: 2 } });
    const proxy = await startProxy(m.endpoint);
    try {
      const r = await withEnv({ ...m.env, AWS_ENDPOINT_URL: proxy.url, BREAKGLASS_TEST_ATHENA_POLL_MS: '5' }, () => runCli(...ARGS, '--json'));
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.source, 'athena');
      assert.deepEqual(doc.sessions.map((s: any) => s.id).sort(), [...g.sessions.keys()].sort());
      for (const s of doc.sessions) assert.deepEqual(new Set(s.events.map((e: any) => e.eventID)), g.sessions.get(s.id)!.eventIDs, s.id);
      assert.deepEqual(new Set(doc.attempts.map((a: any) => a.eventID)), g.attempts);
      // First the security account, then the accounts reached, then the chained sessions' credentials.
      assert.match(proxy.sql[0]!, /"account" = '222222222222'/);
      assert.match(proxy.sql[1]!, /"account" IN \('333333333333', '444444444444'\)/);
      assert.ok(proxy.sql.some((q) => /"account" = '555555555555'/.test(q)));
      assert.ok(proxy.sql.length >= 3 && proxy.sql.length <= 6, `${proxy.sql.length} queries`);
      for (const q of proxy.sql) assert.match(q, /"day" BETWEEN '2026\/11\/22' AND '2026\/11\/25'/);
      assert.equal(doc.summary.passes, proxy.sql.length);
      assert.equal(doc.summary.bytesScanned, 1_048_576 * proxy.sql.length);
      assert.ok(proxy.calls.GetQueryExecution! >= 3 * proxy.sql.length, `polled ${proxy.calls.GetQueryExecution} times`);
      assert.ok(proxy.pagesWithToken > 0, 'results were read over several pages');
      assert.match(r.stderr, new RegExp(`^athena: ${proxy.sql.length} queries, \\d+ rows, ${proxy.sql.length}\\.00 MiB scanned\\n$`));
    } finally {
      await proxy.close();
      await motoApi(m.endpoint, '/moto-api/state-manager/unset-transition', { model_name: 'athena::execution' });
    }
  });

  it('renders the Athena run like a local one (Markdown), naming the table and the queries', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    const proxy = await startProxy(m.endpoint);
    try {
      const r = await withEnv({ ...m.env, AWS_ENDPOINT_URL: proxy.url, BREAKGLASS_TEST_ATHENA_POLL_MS: '5' }, () => runCli(...ARGS, '--user', U2));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Input: Athena table security\.org\\_trail, \d+ queries/);
      assert.match(r.stdout, /## Session BreakGlassUser2-20261123T110000Z/);
      assert.doesNotMatch(r.stdout, new RegExp(`## Session ${U1}`));
    } finally {
      await proxy.close();
    }
  });

  it('a failed query ends the run with one line naming it and Athena\'s reason (exit 3)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    const proxy = await startProxy(m.endpoint, { failQuery: 2 });
    try {
      const r = await withEnv({ ...m.env, AWS_ENDPOINT_URL: proxy.url, BREAKGLASS_TEST_ATHENA_POLL_MS: '5' }, () => runCli(...ARGS));
      assert.equal(r.code, 3);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: Athena query 2 \(2 accounts the sessions reached\) failed: COLUMN_NOT_FOUND: .* \(query [0-9a-f-]+\)\n$/);
    } finally {
      await proxy.close();
    }
  });

  it('a query still running at --deadline is stopped and named (exit 3)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    const proxy = await startProxy(m.endpoint, { stuck: true });
    try {
      const r = await withEnv({ ...m.env, AWS_ENDPOINT_URL: proxy.url, BREAKGLASS_TEST_ATHENA_POLL_MS: '50' }, () => runCli(...ARGS, '--deadline', '1'));
      assert.equal(r.code, 3);
      assert.match(r.stderr, /^error: Athena query 1 \(break-glass users in the security account\) did not finish within --deadline 1 s \(state RUNNING\); it was stopped/);
      assert.equal(proxy.calls.StopQueryExecution, 1);
    } finally {
      await proxy.close();
    }
  });

  it('an AWS error answer (unknown workgroup) is one line with the error name, exit 3', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    const r = await withEnv({ ...m.env }, () => runCli(...ARGS.map((a) => (a === 'primary' ? 'no-such-workgroup' : a))));
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^error: Athena StartQueryExecution failed: InvalidRequestException: WorkGroup does not exist\n$/);
  });
});

