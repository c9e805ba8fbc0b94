/**
 * `breakglass athena-table`: prints the CREATE EXTERNAL TABLE statement for the organization trail bucket, with
 * partition projection (account, region, day), for `breakglass audit --athena`. Offline: it only writes text.
 */
import { loadConfigFile } from '../../config/load';
import { escapeControls } from '../../detection/escape';
import { ATHENA_NAME, BUCKET_NAME, createTableDdl } from '../../audit/athena-sql';
import { EXIT, UserError } from '../errors';
import type { Io } from '../io';

export interface AthenaTableOptions {
  readonly config: string;
  readonly bucket: string;
  readonly prefix?: string;
  readonly database?: string;
  readonly table?: string;
  readonly orgId?: string;
  readonly start?: string;
}

const ORG_ID = /^o-[a-z0-9]{10,32}$/;

export function runAthenaTable(o: AthenaTableOptions, io: Io): number {
  const bucket = o.bucket.replace(/^s3:\/\//, '').replace(/\/+$/, '');
  if (!BUCKET_NAME.test(bucket)) throw new UserError(`--bucket: expected an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens), got ${JSON.stringify(escapeControls(o.bucket.slice(0, 70)))}`, EXIT.usage);
  const prefix = (o.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix && !/^[A-Za-z0-9!_.*'()/-]{1,200}$/.test(prefix)) throw new UserError('--prefix: expected the trail\'s S3 key prefix (letters, digits and !_.*\'()/-)', EXIT.usage);
  const database = o.database ?? 'default';
  const table = o.table ?? 'breakglass_org_trail';
  for (const [k, v] of [['--database', database], ['--table', table]] as const) {
    if (!ATHENA_NAME.test(v)) throw new UserError(`${k}: expected lower-case letters, digits and underscores (an Athena name), got ${JSON.stringify(escapeControls(v.slice(0, 64)))}`, EXIT.usage);
  }
  const start = o.start ?? '2020-01-01';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`))) throw new UserError(`--start: expected a date such as 2024-01-01, got ${JSON.stringify(escapeControls(start.slice(0, 40)))}`, EXIT.usage);
  const { config } = loadConfigFile(o.config);
  const orgId = o.orgId ?? config.organization.id;
  if (!orgId) throw new UserError('the config has no organization.id: pass --org-id o-… (aws organizations describe-organization)', EXIT.usage);
  if (!ORG_ID.test(orgId)) throw new UserError(`--org-id: expected an organization ID such as o-a1b2c3d4e5, got ${JSON.stringify(escapeControls(orgId.slice(0, 40)))}`, EXIT.usage);
  const regions = [config.securityAccount.region, ...config.regions.enabled, ...config.regions.optIn].filter((r, i, a) => a.indexOf(r) === i);
  io.out(`${createTableDdl({ bucket, prefix, organizationId: orgId, database, table, regions, startDay: start.replace(/-/g, '/') })};\n`, true);
  io.err(`run it once in the Athena query editor (or aws athena start-query-execution), then: breakglass audit -c ${escapeControls(o.config)} --athena --database ${database} --table ${table} --workgroup primary --from … --to …`);
  return EXIT.ok;
}
