/**
 * The Athena DDL and queries: shape (partition projection, bounded partitions), checked against the Hive (DDL) and
 * Trino (queries) grammars of dt-sql-parser when it is installed (a devDependency; skipped with the reason otherwise),
 * and the row → record mapping: rows as Athena returns them give the same sessions as the records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createTableDdl, dayRange, reachedAccountsQuery, rowToRecord, safeNeedles, securityAccountQuery, sqlString, COLUMNS,
} from '../../lib/audit/athena-sql';
import { Stitcher } from '../../lib/audit/stitch';
import { runCli } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';
import { generateOrgLogs, ROLE, S, toAthenaRow, U1, U2 } from './org-logs';

const SCOPE = { securityAccountId: S, userNames: [U1, U2], roleName: ROLE };
const DAYS = dayRange(Date.parse('2026-11-23T00:00:00Z'), Date.parse('2026-11-24T23:59:59.999Z'));
const TABLE = { database: 'security', table: 'org_trail' };

type Parser = { validate(sql: string): { message: string; startLine: number; startColumn: number }[] };
function parsers(): { hive: Parser; trino: Parser } | string {
  try {
    const m = require('dt-sql-parser') as { HiveSQL: new () => Parser; TrinoSQL: new () => Parser };
    return { hive: new m.HiveSQL(), trino: new m.TrinoSQL() };
  } catch (e) {
    return `dt-sql-parser not installed (${(e as Error).message.split('\n')[0]}): npm install --no-save dt-sql-parser@4.5.1`;
  }
}

const toRow = (r: any) => toAthenaRow(r, COLUMNS);

describe('athena-table DDL', () => {
  const ddl = createTableDdl({ bucket: 'org-trail-bucket', prefix: 'trails', organizationId: 'o-a1b2c3d4e5', database: 'security', table: 'org_trail', regions: ['us-east-1', 'eu-west-1'], startDay: '2024/01/01' });

  it('projects account (injected), region (enum) and day (date) onto the organization trail layout', () => {
    assert.match(ddl, /^CREATE EXTERNAL TABLE IF NOT EXISTS `security`\.`org_trail` \(/);
    assert.match(ddl, /PARTITIONED BY \(`account` STRING, `region` STRING, `day` STRING\)/);
    assert.match(ddl, /LOCATION 's3:\/\/org-trail-bucket\/trails\/AWSLogs\/o-a1b2c3d4e5\/'/);
    for (const p of [
      "'projection.enabled' = 'true'", "'projection.account.type' = 'injected'", "'projection.region.type' = 'enum'",
      "'projection.region.values' = 'us-east-1,eu-west-1'", "'projection.day.type' = 'date'", "'projection.day.format' = 'yyyy/MM/dd'",
      "'projection.day.range' = '2024/01/01,NOW'", "'projection.day.interval.unit' = 'DAYS'",
      "'storage.location.template' = 's3://org-trail-bucket/trails/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${day}'",
    ]) assert.ok(ddl.includes(p), p);
    assert.match(ddl, /sourceidentity: STRING/);
    assert.match(ddl, /INPUTFORMAT 'com\.amazon\.emr\.cloudtrail\.CloudTrailInputFormat'/);
  });

  it('parses as Hive DDL', (t) => {
    const p = parsers();
    if (typeof p === 'string') { t.skip(p); return; }
    assert.deepEqual(p.hive.validate(ddl), []);
    assert.notDeepEqual(p.hive.validate(ddl.replace('PARTITIONED BY', 'PARTITIONED')), [], 'the parser does reject broken DDL');
  });

  it('breakglass athena-table prints it for the config, and refuses what it cannot build', async () => {
    const r = await runCli('athena-table', '-c', EXAMPLE_CONFIG, '--bucket', 's3://org-trail-bucket/', '--database', 'security', '--table', 'org_trail');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /LOCATION 's3:\/\/org-trail-bucket\/AWSLogs\/o-a1b2c3d4e5\/'/);
    assert.match(r.stdout, /'projection\.region\.values' = 'us-east-1,us-east-2,/);
    assert.match(r.stdout, /\);\n$/);
    assert.match(r.stderr, /breakglass audit -c .* --athena --database security --table org_trail/);
    const p = parsers();
    if (typeof p !== 'string') assert.deepEqual(p.hive.validate(r.stdout.replace(/;\s*$/, '')), []);
    for (const [args, re] of [
      [['--bucket', 'Bad_Bucket'], /--bucket: expected an S3 bucket name/],
      [['--bucket', 'b-123', '--table', 'Org-Trail'], /--table: expected lower-case letters/],
      [['--bucket', 'b-123', '--org-id', 'org-1'], /--org-id: expected an organization ID/],
      [['--bucket', 'b-123', '--start', '2024-13-45'], /--start: expected a date/],
    ] as [string[], RegExp][]) {
      const bad = await runCli('athena-table', '-c', EXAMPLE_CONFIG, ...args);
      assert.equal(bad.code, 2, args.join(' '));
      assert.match(bad.stderr, re);
      assert.equal(bad.stdout, '');
    }
  });
});

describe('audit queries', () => {
  const q1 = securityAccountQuery(TABLE, SCOPE, DAYS);
  const q2 = reachedAccountsQuery({ ...TABLE, catalog: 'AwsDataCatalog' }, SCOPE, ['333333333333', '444444444444'], DAYS,
    { keys: ['ASIAEXAMPLE00000001'], sharedEventIDs: ['7a1c0000-2b3d-4e5f-8a9b-000000000002'], arns: ['arn:aws:sts::333333333333:assumed-role/X/y'] });
  const q3 = reachedAccountsQuery(TABLE, SCOPE, ['555555555555'], DAYS, { keys: ['ASIAEXAMPLE00000002'], sharedEventIDs: [], arns: [] }, false);

  it('always bound the partitions: accounts by equality (injected projection), days by range', () => {
    assert.match(q1, /WHERE "account" = '222222222222'\n {2}AND "day" BETWEEN '2026\/11\/22' AND '2026\/11\/25'/);
    assert.match(q2, /WHERE "account" IN \('333333333333', '444444444444'\)\n {2}AND "day" BETWEEN/);
    assert.match(q2, /FROM "AwsDataCatalog"\."security"\."org_trail"/);
    assert.match(q3, /WHERE "account" = '555555555555'/);
    assert.doesNotMatch(q3, /BreakGlassRole/);
    assert.match(q3, /useridentity\.accesskeyid IN \('ASIAEXAMPLE00000002'\)/);
  });

  it('parse as Trino (Athena engine 3) SQL', (t) => {
    const p = parsers();
    if (typeof p === 'string') { t.skip(p); return; }
    for (const q of [q1, q2, q3]) assert.deepEqual(p.trino.validate(q), [], q);
    assert.notDeepEqual(p.trino.validate(q1.replace('WHERE', 'WERE')), []);
  });

  it('put values from log records into SQL only when they have the documented shape, quoted', () => {
    const n = safeNeedles({ keys: ['ASIAEXAMPLE00000001', "x') OR 1=1 --"], sharedEventIDs: ['ok-1', "'"], arns: ['arn:aws:sts::123456789012:assumed-role/R/sess', 'arn:aws:sts::1:x'] });
    assert.deepEqual(n, { keys: ['ASIAEXAMPLE00000001'], sharedEventIDs: ['ok-1'], arns: ['arn:aws:sts::123456789012:assumed-role/R/sess'] });
    assert.equal(sqlString("O'Brien"), "'O''Brien'");
  });

  it('rebuild records from rows: the same sessions as from the records themselves', () => {
    const g = generateOrgLogs();
    const st = new Stitcher(SCOPE);
    for (let more = true; more;) {
      for (const r of g.records) st.offer(rowToRecord(toRow(r)));
      more = st.resolve().morePasses;
    }
    const { result } = st.resolve();
    assert.deepEqual(result.sessions.map((s) => s.id).sort(), [...g.sessions.keys()].sort());
    for (const s of result.sessions) assert.deepEqual(new Set(s.events.map((e) => e.event.eventID)), g.sessions.get(s.id)!.eventIDs, s.id);
    assert.deepEqual(new Set(result.attempts.map((a) => a.event.eventID)), g.attempts);
  });
});
