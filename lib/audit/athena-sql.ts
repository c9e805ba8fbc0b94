/**
 * SQL for the Athena path of `breakglass audit`, and the DDL of `breakglass athena-table`. Pure text builders.
 *
 * The table (Athena user guide, "Create the table for CloudTrail logs in Athena using partition projection"; the
 * columns follow the CloudTrail record fields of "CloudTrail record contents", all lower case as Athena stores them):
 * - LOCATION is the organization trail prefix s3://BUCKET/[PREFIX/]AWSLogs/<org-id>/, under which CloudTrail writes
 *   <account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz (CloudTrail user guide, "Finding your CloudTrail log
 *   files"; organization trails add the organization ID after AWSLogs/, "Creating a trail for an organization").
 * - Partition projection, so there is no crawler and no ALTER TABLE ADD PARTITION (Athena user guide, "Use partition
 *   projection with Amazon Athena"): `account` is of type injected (any account of the organization, present or
 *   future, without listing them; every query must then give it by equality, "Use dynamic ID partitioning"), `region`
 *   an enum of the config's regions, `day` a date in yyyy/MM/dd from a start day to NOW; storage.location.template
 *   maps them to the S3 layout above.
 * - The records are read by CloudTrailInputFormat (one record per row out of {"Records":[…]}) with the Hive JSON
 *   SerDe, as in that guide's example.
 *
 * The audit queries always bound the partitions (account by equality, day by range), so a query reads only the
 * prefixes of the accounts and days it names: first the security account, then the accounts the sessions reached.
 * They select a superset (anything by the break-glass users, the break-glass role, or the credentials and
 * sharedEventIDs of the sessions' role sessions); the exact linking is the stitcher's, shared with local files.
 */
import { parseRoleArn } from './events';

export interface TableRef {
  readonly catalog?: string;
  readonly database: string;
  readonly table: string;
}

/** Athena database and table names: lower-case letters, digits and underscores (Athena user guide, "Name databases, tables and columns"). */
export const ATHENA_NAME = /^[a-z0-9_]{1,255}$/;

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export function tableName(t: TableRef): string {
  return `${t.catalog ? `${quoteIdent(t.catalog)}.` : ''}${quoteIdent(t.database)}.${quoteIdent(t.table)}`;
}

export interface DdlOptions {
  readonly bucket: string;
  /** Key prefix of the trail, without slashes at either end ("" when the trail has none). */
  readonly prefix?: string;
  readonly organizationId: string;
  readonly database: string;
  readonly table: string;
  readonly regions: readonly string[];
  /** First day projected, yyyy/MM/dd. */
  readonly startDay: string;
}

/** S3 bucket names: 3-63 characters of lower-case letters, digits, dots and hyphens (S3 user guide, "Bucket naming rules"). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function trailLocation(o: Pick<DdlOptions, 'bucket' | 'prefix' | 'organizationId'>): string {
  return `s3://${o.bucket}/${o.prefix ? `${o.prefix}/` : ''}AWSLogs/${o.organizationId}/`;
}

/** The CREATE EXTERNAL TABLE statement (Hive DDL, as Athena runs it). */
export function createTableDdl(o: DdlOptions): string {
  const location = trailLocation(o);
  const ident = (s: string) => `\`${s}\``;
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${ident(o.database)}.${ident(o.table)} (
  eventversion STRING,
  useridentity STRUCT<
    type: STRING,
    principalid: STRING,
    arn: STRING,
    accountid: STRING,
    invokedby: STRING,
    accesskeyid: STRING,
    username: STRING,
    onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING, STRING>>,
      sourceidentity: STRING>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  readonly STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  vpcendpointaccountid STRING,
  eventcategory STRING,
  addendum STRUCT<reason: STRING, updatedfields: STRING, originalrequestid: STRING, originaleventid: STRING>,
  sessioncredentialfromconsole STRING,
  edgedevicedetails STRING,
  tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
)
COMMENT ${sqlString(`CloudTrail organization trail ${o.organizationId} (breakglass athena-table)`)}
PARTITIONED BY (\`account\` STRING, \`region\` STRING, \`day\` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION ${sqlString(location)}
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.account.type' = 'injected',
  'projection.region.type' = 'enum',
  'projection.region.values' = ${sqlString(o.regions.join(','))},
  'projection.day.type' = 'date',
  'projection.day.format' = 'yyyy/MM/dd',
  'projection.day.range' = ${sqlString(`${o.startDay},NOW`)},
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'storage.location.template' = ${sqlString(`${location}\${account}/CloudTrail/\${region}/\${day}`)}
)`;
}

// ------------------------------------------------------------------------------------------------ queries

/** The columns each query returns, named so a row rebuilds the record the stitcher reads (rowToRecord). */
export const COLUMNS: readonly (readonly [string, string])[] = [
  ['eventid', 'eventid'],
  ['eventtime', 'eventtime'],
  ['eventsource', 'eventsource'],
  ['eventname', 'eventname'],
  ['awsregion', 'awsregion'],
  ['recipientaccountid', 'recipientaccountid'],
  ['sourceipaddress', 'sourceipaddress'],
  ['useragent', 'useragent'],
  ['errorcode', 'errorcode'],
  ['errormessage', 'errormessage'],
  ['readonly', 'readonly'],
  ['sharedeventid', 'sharedeventid'],
  ['requestparameters', 'requestparameters'],
  ['responseelements', 'responseelements'],
  ['additionaleventdata', 'additionaleventdata'],
  ['uid_type', 'useridentity.type'],
  ['uid_arn', 'useridentity.arn'],
  ['uid_accountid', 'useridentity.accountid'],
  ['uid_principalid', 'useridentity.principalid'],
  ['uid_username', 'useridentity.username'],
  ['uid_accesskeyid', 'useridentity.accesskeyid'],
  ['uid_invokedby', 'useridentity.invokedby'],
  ['uid_creationdate', 'useridentity.sessioncontext.attributes.creationdate'],
  ['uid_mfaauthenticated', 'useridentity.sessioncontext.attributes.mfaauthenticated'],
  ['uid_issuer_type', 'useridentity.sessioncontext.sessionissuer.type'],
  ['uid_issuer_arn', 'useridentity.sessioncontext.sessionissuer.arn'],
  ['uid_sourceidentity', 'useridentity.sessioncontext.sourceidentity'],
];

export interface DayRange {
  /** yyyy/MM/dd, inclusive. */
  readonly first: string;
  readonly last: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
export function dayOf(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/**
 * The day partitions for a --from/--to range: one day before (a session that started up to 12 h before --from) and
 * one day after (its role sessions may run on past --to).
 */
export function dayRange(from: number, to: number): DayRange {
  return { first: dayOf(from - 86_400_000), last: dayOf(to + 86_400_000) };
}

function select(t: TableRef, accounts: readonly string[], days: DayRange, condition: string): string {
  const cols = COLUMNS.map(([alias, expr]) => (alias === expr ? expr : `${expr} AS ${alias}`)).join(',\n  ');
  const acct = accounts.length === 1 ? `"account" = ${sqlString(accounts[0]!)}` : `"account" IN (${accounts.map(sqlString).join(', ')})`;
  return `SELECT\n  ${cols}\nFROM ${tableName(t)}\nWHERE ${acct}\n  AND "day" BETWEEN ${sqlString(days.first)} AND ${sqlString(days.last)}\n  AND (${condition})`;
}

/** The assumed-role session's role name: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION → ROLE. */
function assumedRoleIs(role: string): string {
  return `(useridentity.type = 'AssumedRole' AND (useridentity.sessioncontext.sessionissuer.username = ${sqlString(role)} OR split_part(useridentity.arn, '/', 2) = ${sqlString(role)}))`;
}

export interface Scope {
  readonly securityAccountId: string;
  readonly userNames: readonly string[];
  readonly roleName: string;
}

/** First query: the security account's records of the break-glass users (sign-ins, failures, AssumeRole, calls). */
export function securityAccountQuery(t: TableRef, s: Scope, days: DayRange): string {
  const users = s.userNames.map(sqlString).join(', ');
  return select(t, [s.securityAccountId], days, [
    `(useridentity.type = 'IAMUser' AND useridentity.accountid = ${sqlString(s.securityAccountId)} AND useridentity.username IN (${users}))`,
    `(eventsource = 'signin.amazonaws.com' AND eventname = 'ConsoleLogin' AND useridentity.username = 'HIDDEN_DUE_TO_SECURITY_REASONS')`,
    assumedRoleIs(s.roleName),
  ].join('\n    OR '));
}

export interface QueryNeedles {
  readonly keys: readonly string[];
  readonly sharedEventIDs: readonly string[];
  readonly arns: readonly string[];
}

/** Values from log records go into SQL only when they have the documented shape (and are quoted anyway). */
const KEY = /^[A-Z0-9]{16,128}$/;
const SHARED = /^[0-9A-Za-z-]{1,128}$/;
const ASSUMED_ARN = /^arn:[a-z-]+:sts::\d{12}:assumed-role\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{2,64}$/;

export function safeNeedles(n: { keys: Iterable<string>; sharedEventIDs: Iterable<string>; arns: Iterable<string> }): QueryNeedles {
  return {
    keys: [...n.keys].filter((k) => KEY.test(k)).sort(),
    sharedEventIDs: [...n.sharedEventIDs].filter((k) => SHARED.test(k)).sort(),
    arns: [...n.arns].filter((k) => ASSUMED_ARN.test(k)).sort(),
  };
}

/**
 * The accounts the sessions reached: the break-glass role's records (its sessions, the role owner's copy of each
 * AssumeRole of it, SwitchRole into it), and, with `needles`, what the credentials of chained role sessions did and
 * the owner's copies of the AssumeRole calls that created them. `includeRole` false: the needles only.
 */
export function reachedAccountsQuery(t: TableRef, s: Scope, accounts: readonly string[], days: DayRange, needles: QueryNeedles, includeRole = true): string {
  const parts: string[] = [];
  if (includeRole) {
    parts.push(assumedRoleIs(s.roleName));
    parts.push(`(eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole' AND element_at(split(json_extract_scalar(requestparameters, '$.roleArn'), '/'), -1) = ${sqlString(s.roleName)})`);
  }
  if (needles.keys.length) parts.push(`useridentity.accesskeyid IN (${needles.keys.map(sqlString).join(', ')})`);
  if (needles.sharedEventIDs.length) parts.push(`sharedeventid IN (${needles.sharedEventIDs.map(sqlString).join(', ')})`);
  if (needles.arns.length) parts.push(`useridentity.arn IN (${needles.arns.map(sqlString).join(', ')})`);
  if (!parts.length) parts.push('FALSE');
  return select(t, accounts, days, parts.join('\n    OR '));
}

/** A result row (column alias → value, undefined for NULL) as the CloudTrail record it came from. */
export function rowToRecord(row: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const v = (k: string) => (row[k] === undefined || row[k] === '' ? undefined : row[k]);
  const json = (k: string): unknown => {
    const x = v(k);
    if (x === undefined) return undefined;
    try { return JSON.parse(x); } catch { return x; }
  };
  const attributes = { creationDate: v('uid_creationdate'), mfaAuthenticated: v('uid_mfaauthenticated') };
  const issuer = { type: v('uid_issuer_type'), arn: v('uid_issuer_arn') };
  const sessionContext = (attributes.creationDate || issuer.arn || v('uid_sourceidentity'))
    ? { attributes, ...(issuer.arn ? { sessionIssuer: issuer } : {}), ...(v('uid_sourceidentity') ? { sourceIdentity: v('uid_sourceidentity') } : {}) }
    : undefined;
  return {
    eventID: v('eventid'),
    eventTime: v('eventtime'),
    eventSource: v('eventsource'),
    eventName: v('eventname'),
    awsRegion: v('awsregion'),
    recipientAccountId: v('recipientaccountid'),
    sourceIPAddress: v('sourceipaddress'),
    userAgent: v('useragent'),
    errorCode: v('errorcode'),
    errorMessage: v('errormessage'),
    readOnly: v('readonly'),
    sharedEventID: v('sharedeventid'),
    requestParameters: json('requestparameters'),
    responseElements: json('responseelements'),
    additionalEventData: json('additionaleventdata'),
    userIdentity: {
      type: v('uid_type'), arn: v('uid_arn'), accountId: v('uid_accountid'), principalId: v('uid_principalid'),
      userName: v('uid_username'), accessKeyId: v('uid_accesskeyid'), invokedBy: v('uid_invokedby'),
      ...(sessionContext ? { sessionContext } : {}),
    },
  };
}

/** Accounts of the role sessions (where a session's calls are recorded), from their role ARNs. */
export function roleAccounts(roleArns: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const a of roleArns) {
    const r = parseRoleArn(a);
    if (r) out.add(r.account);
  }
  return [...out].sort();
}
