/**
 * Generates synthetic CloudTrail records for bench/simulate.bench.ts (a script, not a test).
 *
 *   npx tsx bench/gen-cloudtrail.ts                         1,000,000 records, first 100,000 also as a log file
 *   npx tsx bench/gen-cloudtrail.ts --events 200000 --log-records 50000 --break-glass-rate 0.03 --seed 7
 *
 * Writes into .bench/ (gitignored), named after the sizes so several can coexist:
 *   cloudtrail-<N>.jsonl         JSON Lines, one record a line
 *   cloudtrail-<N>.jsonl.gz      the same bytes, gzip
 *   cloudtrail-<M>.log.json      the first M records as a CloudTrail log file: {"Records":[...]} on ONE line
 *   cloudtrail-<N>.manifest.json what was generated: counts per category, and the alerts each category should raise
 *                                (per rule, for all N records and for the first M), for the benchmark to check against
 *
 * The mix: mostly API calls that have nothing to do with break-glass (EC2, S3, IAM, STS, KMS, Lambda, EventBridge,
 * CloudTrail reads; console sign-ins of other users; AssumeRole into other roles; IAM changes on other users and
 * roles) by many principals, in every default region, a few opt-in regions the example config does not watch, the
 * security and management accounts and 40 other member accounts; plus a small share (--break-glass-rate, default
 * 2.5%) of break-glass events built with the shapes of test/fixtures/cloudtrail.ts (console sign-ins, AssumeRole
 * caller and owner copies, SwitchRole, IAM changes on the break-glass users and role, alert-path tampering, root
 * sign-in), some of them in unwatched regions where no alert may fire. Accounts and names are those of
 * examples/breakglass.config.yaml (security 222222222222, management 111111111111, OUs targeted so every other
 * account is a member; users BreakGlassUser1/2; role BreakGlassRole; 17 default regions watched).
 * Deterministic: the same arguments give byte-identical files.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as f from '../test/fixtures/cloudtrail';

export const BENCH_DIR = join(__dirname, '..', '.bench');

export interface GenOptions {
  readonly events: number;
  readonly logRecords: number;
  readonly breakGlassRate: number;
  readonly seed: number;
}

export const DEFAULTS: GenOptions = { events: 1_000_000, logRecords: 100_000, breakGlassRate: 0.025, seed: 1 };

export interface GenFiles {
  readonly jsonl: string;
  readonly gz: string;
  readonly logFile: string;
  readonly manifest: string;
}

export function filesFor(o: GenOptions): GenFiles {
  return {
    jsonl: join(BENCH_DIR, `cloudtrail-${o.events}.jsonl`),
    gz: join(BENCH_DIR, `cloudtrail-${o.events}.jsonl.gz`),
    logFile: join(BENCH_DIR, `cloudtrail-${o.logRecords}.log.json`),
    manifest: join(BENCH_DIR, `cloudtrail-${o.events}.manifest.json`),
  };
}

export interface Manifest {
  readonly options: GenOptions;
  readonly generator: number;
  readonly bytes: { jsonl: number; gz: number; logFile: number };
  /** Records per category, all N. */
  readonly categories: Record<string, number>;
  /** Records per category among the first M (the log file). */
  readonly categoriesInLogFile: Record<string, number>;
  /** Rules each category should raise under the example config. */
  readonly expectedRules: Record<string, string[]>;
  /** Alerts per rule the generator intended: all N, and the first M. */
  readonly expectedByRule: Record<string, number>;
  readonly expectedByRuleInLogFile: Record<string, number>;
  /** Records that should raise at least one alert. */
  readonly expectedAlerting: number;
}

/** Bump when the output for the same options changes, so stale files are regenerated. */
const GENERATOR_VERSION = 1;

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32).

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The world of the example config.

const WATCHED = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
];
/** Opt-in regions an organization might use although the example config does not watch them. */
const UNWATCHED = ['af-south-1', 'me-central-1', 'eu-south-2', 'ap-southeast-3'];
const BG_USERS = ['BreakGlassUser1', 'BreakGlassUser2'];
const OTHER_ACCOUNTS = Array.from({ length: 40 }, (_, i) => `4${String(10_000_000_000 + i * 7_919_113).slice(-11)}`);
const ACCOUNTS = [f.S, f.MGMT, f.M, ...OTHER_ACCOUNTS];
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'walter'];
const ROLES = ['Admin', 'ReadOnly', 'Developer', 'DataEngineer', 'OrganizationAccountAccessRole', 'AWSReservedSSO_PowerUser_1a2b3c4d5e6f7a8b', 'ci-deploy', 'BreakGlassRoleReadOnly'];
const SERVICE_ROLES = ['ecsTaskExecutionRole', 'lambda-ingest', 'eks-node-group', 'AWSServiceRoleForAutoScaling'];
const AGENTS = [
  'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe sid/d4a1 md/prompt#off md/command#ec2.describe-instances',
  'Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144',
  'aws-sdk-java/2.25.60 Linux/5.10.218-208.862.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/adaptive',
  'Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.58.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.168.0',
  'console.amazonaws.com',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
];

type Rec = Record<string, any>;

class World {
  private n = 0;
  constructor(readonly r: () => number) {}
  pick<T>(a: readonly T[]): T { return a[Math.floor(this.r() * a.length)]!; }
  hex(len: number): string { let s = ''; for (let i = 0; i < len; i++) s += '0123456789abcdef'[Math.floor(this.r() * 16)]; return s; }
  uuid(): string { return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${'89ab'[Math.floor(this.r() * 4)]}${this.hex(3)}-${this.hex(12)}`; }
  ip(): string { return `${this.pick(['198.51.100', '203.0.113', '192.0.2', '100.64.12'])}.${1 + Math.floor(this.r() * 254)}`; }
  /** Regions weighted like a real organization: mostly a few, some in unwatched opt-in regions. */
  region(): string {
    const x = this.r();
    if (x < 0.30) return 'us-east-1';
    if (x < 0.45) return 'eu-west-1';
    if (x < 0.55) return 'us-west-2';
    if (x < 0.97) return this.pick(WATCHED);
    return this.pick(UNWATCHED);
  }
  account(): string { return this.r() < 0.3 ? this.pick([f.S, f.MGMT, f.M]) : this.pick(ACCOUNTS); }
  /** One second apart on average, starting 2026-11-23T00:00:00Z. */
  time(): string { this.n++; return new Date(Date.UTC(2026, 10, 23) + this.n * 1000 + Math.floor(this.r() * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z'); }
  actor(account: string): Rec {
    const x = this.r();
    if (x < 0.55) {
      const role = this.pick(ROLES);
      const who = this.pick(PEOPLE);
      return {
        type: 'AssumedRole', principalId: `AROA${this.hex(16).toUpperCase()}:${who}`, arn: `arn:aws:sts::${account}:assumed-role/${role}/${who}`,
        accountId: account, accessKeyId: `ASIA${this.hex(16).toUpperCase()}`,
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: `AROA${this.hex(16).toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
          attributes: { creationDate: '2026-11-23T00:00:00Z', mfaAuthenticated: this.r() < 0.5 ? 'true' : 'false' },
        },
      };
    }
    if (x < 0.80) {
      const role = this.pick(SERVICE_ROLES);
      return {
        type: 'AssumedRole', principalId: `AROA${this.hex(16).toUpperCase()}:i-${this.hex(17)}`, arn: `arn:aws:sts::${account}:assumed-role/${role}/i-${this.hex(17)}`,
        accountId: account, accessKeyId: `ASIA${this.hex(16).toUpperCase()}`,
        sessionContext: { sessionIssuer: { type: 'Role', principalId: `AROA${this.hex(16).toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role }, attributes: { creationDate: '2026-11-23T00:00:00Z', mfaAuthenticated: 'false' } },
        ...(this.r() < 0.5 ? { invokedBy: this.pick(['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com', 'autoscaling.amazonaws.com']) } : {}),
      };
    }
    if (x < 0.95) return f.iamUser(this.pick(PEOPLE), account);
    return { type: 'AWSService', invokedBy: this.pick(['config.amazonaws.com', 'cloudformation.amazonaws.com', 'access-analyzer.amazonaws.com']) };
  }
}

/** Common fields every generated record gets, over what the fixture builders set. */
function stamp(w: World, rec: Rec, region?: string): Rec {
  rec.eventTime = w.time();
  rec.eventID = w.uuid();
  if (rec.sourceIPAddress === '198.51.100.7') rec.sourceIPAddress = w.ip();
  if (rec.userAgent === 'Mozilla/5.0 (X11; Linux x86_64)') rec.userAgent = w.pick(AGENTS);
  if (region) rec.awsRegion = region;
  if (rec.eventSource !== 'signin.amazonaws.com') {
    rec.requestID = w.uuid();
    rec.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${rec.eventSource.split('.')[0]}.${rec.awsRegion}.amazonaws.com` };
  }
  return rec;
}

// ---------------------------------------------------------------------------------------------------------------
// Background: API calls unrelated to break-glass (including near misses), expected to raise nothing.

function background(w: World): { category: string; rec: Rec } {
  const account = w.account();
  const actor = w.actor(account);
  const x = w.r();
  if (x < 0.34) {
    const region = w.region();
    const name = w.pick(['DescribeInstances', 'DescribeInstances', 'DescribeSecurityGroups', 'DescribeVolumes', 'RunInstances', 'TerminateInstances', 'CreateTags', 'DescribeSubnets']);
    const instance = `i-${w.hex(17)}`;
    const params = name === 'RunInstances'
      ? { instancesSet: { items: [{ imageId: `ami-${w.hex(17)}`, minCount: 1, maxCount: 1 }] }, instanceType: w.pick(['t3.micro', 'm7i.large', 'c7g.xlarge']), blockDeviceMapping: {}, monitoring: { enabled: false }, disableApiTermination: false, subnetId: `subnet-${w.hex(17)}`, clientToken: w.uuid() }
      : name.startsWith('Describe')
        ? { maxResults: 1000, filterSet: { items: [{ name: 'tag:Environment', valueSet: { items: [{ value: w.pick(['prod', 'staging', 'dev']) }] } }] } }
        : { instancesSet: { items: [{ instanceId: instance }] } };
    const rec = f.apiCall({ source: 'ec2.amazonaws.com', name, params, account, region, actor });
    rec.readOnly = name.startsWith('Describe');
    if (name === 'TerminateInstances') rec.responseElements = { requestId: w.uuid(), instancesSet: { items: [{ instanceId: instance, currentState: { code: 32, name: 'shutting-down' }, previousState: { code: 16, name: 'running' } }] } };
    return { category: 'background-ec2', rec: stamp(w, rec) };
  }
  if (x < 0.56) {
    const region = w.region();
    const bucket = `${w.pick(['logs', 'data', 'artifacts', 'backups'])}-${account}-${region}`;
    const name = w.pick(['ListBuckets', 'GetBucketAcl', 'GetBucketLocation', 'GetBucketPolicy', 'PutBucketPolicy', 'CreateBucket', 'GetBucketVersioning']);
    const rec = f.apiCall({ source: 's3.amazonaws.com', name, params: name === 'ListBuckets' ? { Host: `s3.${region}.amazonaws.com` } : { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com`, [name.replace(/^(Get|Put|Create)Bucket/, '').toLowerCase() || 'acl']: '' }, account, region, actor });
    rec.readOnly = name.startsWith('Get') || name.startsWith('List');
    rec.additionalEventData = { SignatureVersion: 'SigV4', CipherSuite: 'TLS_AES_128_GCM_SHA256', bytesTransferredIn: 0, AuthenticationMethod: 'AuthHeader', 'x-amz-id-2': w.hex(40), bytesTransferredOut: 312 };
    rec.resources = [{ accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }];
    return { category: 'background-s3', rec: stamp(w, rec) };
  }
  if (x < 0.68) {
    // IAM is recorded in us-east-1 only. Near misses: other users' keys, other roles' policies.
    const name = w.pick(['ListUsers', 'GetUser', 'GetRole', 'ListRoles', 'ListAttachedRolePolicies', 'CreateAccessKey', 'AttachRolePolicy', 'UpdateAssumeRolePolicy', 'PutUserPolicy']);
    const params = name === 'CreateAccessKey' || name === 'GetUser' ? { userName: w.pick(PEOPLE) }
      : name === 'PutUserPolicy' ? { userName: w.pick(PEOPLE), policyName: 'inline', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' }
        : name === 'AttachRolePolicy' ? { roleName: w.pick(ROLES), policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }
          : name.includes('Role') && name !== 'ListRoles' ? { roleName: w.pick([...ROLES, ...SERVICE_ROLES]) }
            : name === 'ListUsers' || name === 'ListRoles' ? { maxItems: 100 } : null;
    const rec = f.iamCall(name, params, { account, actor, region: 'us-east-1' });
    rec.readOnly = /^(Get|List)/.test(name);
    return { category: 'background-iam', rec: stamp(w, rec) };
  }
  if (x < 0.82) {
    const region = w.region();
    if (w.r() < 0.5) {
      const rec = f.apiCall({ source: 'sts.amazonaws.com', name: 'GetCallerIdentity', params: null, account, region, actor });
      rec.readOnly = true;
      return { category: 'background-sts', rec: stamp(w, rec) };
    }
    // AssumeRole by someone else into some other role (near miss for assume-role and role-assumed).
    const roleAccount = w.pick(ACCOUNTS);
    const role = w.pick(ROLES);
    const who = w.pick(PEOPLE);
    const rec = f.assumeRoleCaller({ user: who, roleAccount, role, region });
    rec.userIdentity = actor;
    rec.recipientAccountId = account;
    rec.sharedEventID = w.uuid();
    return { category: 'background-sts', rec: stamp(w, rec) };
  }
  if (x < 0.86) {
    // Console sign-ins of other users (near miss for console-login), in the security account too.
    const rec = f.consoleLogin({ user: w.pick(PEOPLE), account: w.r() < 0.5 ? f.S : account, region: w.pick(['us-east-1', 'us-east-2', 'eu-north-1', 'ap-southeast-2', w.region()]), result: w.r() < 0.9 ? 'Success' : 'Failure', mfa: w.r() < 0.7 ? 'Yes' : 'No' });
    return { category: 'background-signin', rec: stamp(w, rec) };
  }
  const region = w.region();
  const y = w.r();
  let rec: Rec;
  if (y < 0.45) rec = f.apiCall({ source: 'kms.amazonaws.com', name: w.pick(['Decrypt', 'GenerateDataKey', 'Encrypt']), params: { keyId: `arn:aws:kms:${region}:${account}:key/${w.uuid()}`, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, account, region, actor });
  else if (y < 0.75) rec = f.apiCall({ source: 'lambda.amazonaws.com', name: w.pick(['GetFunction20150331v2', 'ListFunctions20150331', 'UpdateFunctionCode20150331v2']), params: { functionName: `${w.pick(['ingest', 'resize', 'notify'])}-${w.hex(6)}` }, account, region, actor });
  else if (y < 0.9) rec = f.apiCall({ source: 'events.amazonaws.com', name: w.pick(['PutRule', 'DeleteRule', 'DescribeRule', 'PutTargets']), params: w.r() < 0.5 ? { name: `app-${w.hex(6)}`, eventBusName: 'default' } : { rule: `app-${w.hex(6)}`, targets: [{ id: '1', arn: `arn:aws:sqs:${region}:${account}:queue-${w.hex(4)}` }] }, account, region, actor });
  else rec = f.apiCall({ source: 'cloudtrail.amazonaws.com', name: w.pick(['LookupEvents', 'DescribeTrails', 'GetTrailStatus', 'ListTrails']), params: { trailNameList: [] }, account, region, actor });
  rec.readOnly = !/^(Put|Delete|Update)/.test(rec.eventName);
  return { category: 'background-other', rec: stamp(w, rec) };
}

// ---------------------------------------------------------------------------------------------------------------
// Break-glass events, each category with the rules it should raise under the example config.

interface BgCategory {
  readonly name: string;
  readonly weight: number;
  readonly rules: readonly string[];
  readonly make: (w: World) => Rec;
}

const member = (w: World) => w.pick([f.MGMT, f.M, ...OTHER_ACCOUNTS]);
const user = (w: World) => w.pick(BG_USERS);

const BREAK_GLASS: readonly BgCategory[] = [
  { name: 'console-login', weight: 8, rules: ['console-login'], make: (w) => stamp(w, f.consoleLogin({ user: user(w), region: w.pick(['us-east-1', 'us-east-2', 'eu-north-1', 'ap-southeast-2', w.pick(WATCHED)]) })) },
  { name: 'console-login-failure', weight: 10, rules: ['console-login-failure'], make: (w) => stamp(w, f.consoleLogin({ user: user(w), result: 'Failure', region: w.pick(['us-east-1', 'us-east-2', 'eu-north-1', 'ap-southeast-2']) })) },
  { name: 'console-login-unwatched-region', weight: 2, rules: [], make: (w) => stamp(w, f.consoleLogin({ user: user(w), region: w.pick(UNWATCHED) })) },
  { name: 'assume-role-caller', weight: 12, rules: ['assume-role'], make: (w) => stamp(w, f.assumeRoleCaller({ user: user(w), roleAccount: member(w), region: w.pick(WATCHED), console: w.r() < 0.3 })) },
  { name: 'assume-role-caller-denied', weight: 4, rules: ['assume-role'], make: (w) => stamp(w, f.assumeRoleCaller({ user: user(w), roleAccount: member(w), region: w.pick(WATCHED), denied: true })) },
  { name: 'assume-role-owner', weight: 12, rules: ['role-assumed'], make: (w) => stamp(w, f.assumeRoleOwner({ roleAccount: member(w), region: w.pick(WATCHED) })) },
  { name: 'assume-role-owner-unwatched-region', weight: 2, rules: [], make: (w) => stamp(w, f.assumeRoleOwner({ roleAccount: member(w), region: w.pick(UNWATCHED) })) },
  { name: 'switch-role', weight: 10, rules: ['switch-role'], make: (w) => stamp(w, f.switchRole({ user: user(w), account: member(w), region: w.pick(WATCHED) })) },
  {
    name: 'user-credentials-changed', weight: 8, rules: ['user-credentials-changed'],
    make: (w) => { const u = user(w); return stamp(w, f.iamCall(w.pick(['CreateAccessKey', 'UpdateLoginProfile', 'DeactivateMFADevice', 'AttachUserPolicy', 'AddUserToGroup']), { userName: u }, { account: f.S })); },
  },
  { name: 'user-changed-own-password', weight: 3, rules: ['user-credentials-changed'], make: (w) => stamp(w, f.iamCall('ChangePassword', null, { account: f.S, actor: f.iamUser(user(w)) })) },
  { name: 'user-mfa-device-deleted', weight: 2, rules: ['user-credentials-changed'], make: (w) => stamp(w, f.iamCall('DeleteVirtualMFADevice', { serialNumber: `arn:aws:iam::${f.S}:mfa/${user(w)}` }, { account: f.S })) },
  { name: 'role-changed', weight: 6, rules: ['role-changed'], make: (w) => stamp(w, f.iamCall(w.pick(['AttachRolePolicy', 'UpdateAssumeRolePolicy', 'PutRolePolicy']), { roleName: f.ROLE, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, { account: member(w) })) },
  { name: 'tamper-stop-logging', weight: 4, rules: ['alerting-tampered'], make: (w) => { const a = w.pick(ACCOUNTS); const r = w.pick(WATCHED); return stamp(w, f.apiCall({ source: 'cloudtrail.amazonaws.com', name: w.pick(['StopLogging', 'DeleteTrail', 'PutEventSelectors']), params: { name: `arn:aws:cloudtrail:${r}:${a}:trail/breakglass-trail` }, account: a, region: r })); } },
  { name: 'tamper-disable-rule', weight: 4, rules: ['alerting-tampered'], make: (w) => stamp(w, f.apiCall({ source: 'events.amazonaws.com', name: w.pick(['DisableRule', 'DeleteRule']), params: { name: `breakglass-fwd-${w.pick(['console-login', 'assume-role', 'switch-role'])}` }, account: w.pick(ACCOUNTS), region: w.pick(WATCHED) })) },
  { name: 'tamper-unsubscribe', weight: 2, rules: ['alerting-tampered'], make: (w) => stamp(w, f.apiCall({ source: 'sns.amazonaws.com', name: 'Unsubscribe', params: { subscriptionArn: `arn:aws:sns:us-east-1:${f.S}:breakglass-alerts:${w.uuid()}` }, account: f.S, region: 'us-east-1' })) },
  { name: 'tamper-kms-key', weight: 2, rules: ['alerting-tampered'], make: (w) => stamp(w, f.apiCall({ source: 'kms.amazonaws.com', name: w.pick(['DisableKey', 'ScheduleKeyDeletion']), params: { keyId: w.uuid(), pendingWindowInDays: 7 }, account: f.S, region: 'us-east-1' })) },
  { name: 'tamper-forwarder-role', weight: 2, rules: ['alerting-tampered'], make: (w) => stamp(w, f.iamCall('DeleteRolePolicy', { roleName: `breakglass-forwarder-${w.pick(WATCHED)}`, policyName: 'PutEvents' }, { account: member(w) })) },
  { name: 'root-console-login', weight: 5, rules: ['root-console-login'], make: (w) => stamp(w, f.consoleLogin({ root: true, account: w.pick(ACCOUNTS) })) },
];
const BG_TOTAL_WEIGHT = BREAK_GLASS.reduce((s, c) => s + c.weight, 0);

function breakGlass(w: World): { category: string; rec: Rec } {
  let x = w.r() * BG_TOTAL_WEIGHT;
  for (const c of BREAK_GLASS) {
    x -= c.weight;
    if (x < 0) return { category: `bg:${c.name}`, rec: c.make(w) };
  }
  const last = BREAK_GLASS[BREAK_GLASS.length - 1]!;
  return { category: `bg:${last.name}`, rec: last.make(w) };
}

// ---------------------------------------------------------------------------------------------------------------

async function write(stream: NodeJS.WritableStream & { write(s: string): boolean }, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream as any, 'drain');
}

export async function generate(o: GenOptions, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<Manifest> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const files = filesFor(o);
  const w = new World(rng(o.seed));
  const jsonl = createWriteStream(files.jsonl);
  const logFile = createWriteStream(files.logFile);
  const categories: Record<string, number> = {};
  let categoriesInLogFile: Record<string, number> = {};
  const logRecords = Math.min(o.logRecords, o.events);
  await write(logFile, '{"Records":[');
  let lines: string[] = [];
  let logParts: string[] = [];
  const started = Date.now();
  for (let i = 0; i < o.events; i++) {
    const { category, rec } = w.r() < o.breakGlassRate ? breakGlass(w) : background(w);
    categories[category] = (categories[category] ?? 0) + 1;
    const text = JSON.stringify(rec);
    lines.push(text);
    if (i < logRecords) logParts.push(i === 0 ? text : `,${text}`);
    if (i + 1 === logRecords) categoriesInLogFile = { ...categories };
    if (lines.length === 4096) { await write(jsonl, `${lines.join('\n')}\n`); lines = []; }
    if (logParts.length === 4096) { await write(logFile, logParts.join('')); logParts = []; }
    if ((i + 1) % 200_000 === 0) log(`  generated ${i + 1} records (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  if (lines.length) await write(jsonl, `${lines.join('\n')}\n`);
  await write(logFile, `${logParts.join('')}]}`);
  await Promise.all([new Promise((r) => jsonl.end(r)), new Promise((r) => logFile.end(r))]);
  log(`  gzip ${files.gz}`);
  await pipeline(createReadStream(files.jsonl), createGzip({ level: 6 }), createWriteStream(files.gz));

  const expectedRules: Record<string, string[]> = {};
  for (const c of BREAK_GLASS) expectedRules[`bg:${c.name}`] = [...c.rules];
  for (const k of Object.keys(categories)) expectedRules[k] ??= [];
  const byRule = (counts: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(counts)) for (const rule of expectedRules[k] ?? []) out[rule] = (out[rule] ?? 0) + n;
    return out;
  };
  const manifest: Manifest = {
    options: o,
    generator: GENERATOR_VERSION,
    bytes: { jsonl: statSync(files.jsonl).size, gz: statSync(files.gz).size, logFile: statSync(files.logFile).size },
    categories,
    categoriesInLogFile,
    expectedRules,
    expectedByRule: byRule(categories),
    expectedByRuleInLogFile: byRule(categoriesInLogFile),
    expectedAlerting: Object.entries(categories).reduce((s, [k, n]) => s + ((expectedRules[k] ?? []).length ? n : 0), 0),
  };
  writeFileSync(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The manifest of files already generated with these options, or undefined when they must be (re)generated. */
export function existing(o: GenOptions): Manifest | undefined {
  const files = filesFor(o);
  if (![files.jsonl, files.gz, files.logFile, files.manifest].every(existsSync)) return undefined;
  try {
    const m = JSON.parse(readFileSync(files.manifest, 'utf8')) as Manifest;
    const same = m.generator === GENERATOR_VERSION && JSON.stringify(m.options) === JSON.stringify(o)
      && m.bytes.jsonl === statSync(files.jsonl).size && m.bytes.gz === statSync(files.gz).size && m.bytes.logFile === statSync(files.logFile).size;
    return same ? m : undefined;
  } catch {
    return undefined;
  }
}

export function parseGenArgs(argv: readonly string[], base: GenOptions = DEFAULTS): GenOptions {
  const num = (flag: string, d: number) => {
    const i = argv.indexOf(flag);
    if (i < 0) return d;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a non-negative number`);
    return v;
  };
  return {
    events: Math.floor(num('--events', base.events)),
    logRecords: Math.floor(num('--log-records', base.logRecords)),
    breakGlassRate: num('--break-glass-rate', base.breakGlassRate),
    seed: Math.floor(num('--seed', base.seed)),
  };
}

if (require.main === module) {
  const o = parseGenArgs(process.argv.slice(2));
  const force = process.argv.includes('--force');
  const have = force ? undefined : existing(o);
  if (have) {
    process.stderr.write(`up to date: ${JSON.stringify(filesFor(o))}\n`);
  } else {
    generate(o).then((m) => {
      process.stdout.write(`${JSON.stringify({ files: filesFor(o), bytes: m.bytes, categories: m.categories, expectedByRule: m.expectedByRule }, null, 2)}\n`);
    }).catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
  }
}
