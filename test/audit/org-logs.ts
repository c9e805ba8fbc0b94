/**
 * Generated multi-account CloudTrail logs for the audit tests, with the exact answer (which record belongs to which
 * session, which are attempts, which are unlinked, and which must appear nowhere).
 *
 * Written by us from the documented record format: CloudTrail user guide, "CloudTrail record contents",
 * "CloudTrail userIdentity element", "AWS Management Console sign-in events", "sharedEventID example", "CloudTrail log
 * file examples" (file names) and "Finding your CloudTrail log files" (organization trail layout); IAM user guide,
 * "Logging IAM and AWS STS API calls with AWS CloudTrail" (cross-account AssumeRole caller and owner copies, role
 * chaining with sourceIdentity, sign-in success and failure, HIDDEN_DUE_TO_SECURITY_REASONS). The console switch-role
 * shape (AssumeRole in the security account with invokedBy/sourceIPAddress/userAgent "AWS Internal", the owner's
 * copy and a SwitchRole with additionalEventData.SwitchFrom in the member account) is the one in
 * /work/shared/notes/aws-facts.md §0.4.
 *
 * Accounts and names are those of examples/breakglass.config.yaml: security 222222222222, users BreakGlassUser1/2,
 * role BreakGlassRole, organization o-a1b2c3d4e5; members 333333333333, 444444444444, 555555555555.
 *
 *   npx tsx test/audit/org-logs.ts OUT_DIR      writes OUT_DIR/AWSLogs/… (organization trail layout, .json.gz)
 *                                               and OUT_DIR/all.jsonl, for trying `breakglass audit` by hand
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const ORG = 'o-a1b2c3d4e5';
export const S = '222222222222';
export const MGMT = '111111111111';
export const M1 = '333333333333';
export const M2 = '444444444444';
export const N = '555555555555';
export const U1 = 'BreakGlassUser1';
export const U2 = 'BreakGlassUser2';
export const ROLE = 'BreakGlassRole';

type Rec = Record<string, any>;

/** What a record must become: a session (by its id), an attempt, unlinked, or nothing at all. */
export type Expect = { session: string } | 'attempt' | 'unlinked' | 'nothing';

export interface Generated {
  readonly records: Rec[];
  readonly expect: Map<string, Expect>;
  /** Expected sessions: id → user, kind, the eventIDs in it. */
  readonly sessions: Map<string, { user: string; kind: 'console' | 'cli'; eventIDs: Set<string>; accounts: Set<string> }>;
  readonly attempts: Set<string>;
  readonly unlinked: Set<string>;
}

const PRINCIPAL: Record<string, string> = { [U1]: 'AIDAEXAMPLEBGUSER0001', [U2]: 'AIDAEXAMPLEBGUSER0002', BreakGlassUser10: 'AIDAEXAMPLELOOKALIKE1' };
const CONSOLE_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CLI_UA = 'aws-cli/2.27.0 md/awscrt#0.23.8 ua/2.1 os/linux#6.1 md/arch#x86_64 lang/python#3.13.2 md/pyimpl#CPython m/E cfg/retry-mode#standard';

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const compact = (t: number) => iso(t).replace(/[-:]/g, '');

/** A role session's credentials as the calls made with them show them. */
interface RoleCtx { account: string; role: string; session: string; key: string; created: number; sourceIdentity?: string; arn: string; ip?: string }
interface UserCtx { user: string; key: string; created?: number; console: boolean; ip?: string }

class Builder {
  readonly records: Rec[] = [];
  readonly expect = new Map<string, Expect>();
  private seq = 0;
  private rnd = 1;

  private next(): number { return ++this.seq; }
  /** Deterministic pseudo-random numbers (LCG). */
  random(): number { this.rnd = (this.rnd * 1103515245 + 12345) % 2147483648; return this.rnd / 2147483648; }
  uuid(): string {
    const n = this.next().toString(16).padStart(12, '0');
    return `7a1c${n.slice(0, 4)}-2b3d-4e5f-8a9b-${n}`;
  }
  key(prefix: 'ASIA' | 'AKIA'): string {
    return `${prefix}EX${this.next().toString(36).toUpperCase().padStart(10, '0')}`;
  }

  push(r: Rec, e: Expect): Rec {
    this.records.push(r);
    this.expect.set(r.eventID, e);
    return r;
  }

  base(o: { at: number; source: string; name: string; account: string; region: string; identity: Rec; ip?: string; ua?: string;
    params?: Rec | null; response?: Rec | null; readOnly?: boolean; error?: [string, string]; type?: string; extra?: Rec }): Rec {
    return {
      eventVersion: '1.10',
      userIdentity: o.identity,
      eventTime: iso(o.at),
      eventSource: o.source,
      eventName: o.name,
      awsRegion: o.region,
      sourceIPAddress: o.ip ?? '198.51.100.77',
      userAgent: o.ua ?? CLI_UA,
      ...(o.error ? { errorCode: o.error[0], errorMessage: o.error[1] } : {}),
      requestParameters: o.params === undefined ? null : o.params,
      responseElements: o.response === undefined ? null : o.response,
      ...o.extra,
      requestID: this.uuid(),
      eventID: this.uuid(),
      readOnly: o.readOnly ?? false,
      eventType: o.type ?? 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: o.account,
      eventCategory: 'Management',
    };
  }

  userIdentity(user: string, ctx?: UserCtx, account = S): Rec {
    return {
      type: 'IAMUser', principalId: PRINCIPAL[user] ?? 'AIDAEXAMPLEOTHER00001', arn: `arn:aws:iam::${account}:user/${user}`, accountId: account,
      accessKeyId: ctx?.key ?? '', userName: user,
      ...(ctx?.created !== undefined ? { sessionContext: { attributes: { creationDate: iso(ctx.created), mfaAuthenticated: 'true' } } } : {}),
    };
  }

  roleIdentity(r: RoleCtx, withKey = true): Rec {
    const roleId = `AROAEXAMPLE${r.role.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 9)}`;
    return {
      type: 'AssumedRole', principalId: `${roleId}:${r.session}`, arn: r.arn, accountId: r.account, accessKeyId: withKey ? r.key : '',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${r.account}:role/${r.role}`, accountId: r.account, userName: r.role },
        attributes: { creationDate: iso(r.created), mfaAuthenticated: 'true' },
        ...(r.sourceIdentity ? { sourceIdentity: r.sourceIdentity } : {}),
      },
    };
  }

  consoleLogin(user: string, at: number, o: { account?: string; region?: string; ip?: string; result?: 'Success' | 'Failure'; mfa?: 'Yes' | 'No'; expect: Expect; hidden?: boolean }): UserCtx {
    const account = o.account ?? S;
    const failed = o.result === 'Failure';
    const identity = o.hidden
      ? { type: 'IAMUser', accountId: account, accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' }
      : failed
        ? { type: 'IAMUser', principalId: PRINCIPAL[user] ?? 'AIDAEXAMPLEOTHER00001', accountId: account, accessKeyId: '', userName: user }
        : { type: 'IAMUser', principalId: PRINCIPAL[user] ?? 'AIDAEXAMPLEOTHER00001', arn: `arn:aws:iam::${account}:user/${user}`, accountId: account, userName: user };
    this.push(this.base({
      at, source: 'signin.amazonaws.com', name: 'ConsoleLogin', account, region: o.region ?? 'us-east-1', identity,
      ip: o.ip ?? '203.0.113.10', ua: CONSOLE_UA, response: { ConsoleLogin: failed ? 'Failure' : 'Success' }, type: 'AwsConsoleSignIn',
      ...(failed ? { error: undefined } : {}),
      extra: {
        ...(failed ? { errorMessage: o.hidden ? 'No username found in supplied account' : 'Failed authentication' } : {}),
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true', MobileVersion: 'No', MFAUsed: o.mfa ?? (failed ? 'No' : 'Yes'),
          ...(o.mfa !== 'No' && !failed ? { MFAIdentifier: `arn:aws:iam::${account}:mfa/${user}` } : {}),
        },
        tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${o.region ?? 'us-east-1'}.signin.aws.amazon.com` },
      },
    }), o.expect);
    return { user, key: this.key('ASIA'), created: at, console: true, ip: o.ip ?? '203.0.113.10' };
  }

  userCall(ctx: UserCtx, at: number, source: string, name: string, o: { region?: string; readOnly?: boolean; params?: Rec; error?: [string, string]; expect: Expect; ip?: string; account?: string }): Rec {
    return this.push(this.base({
      at, source, name, account: o.account ?? S, region: o.region ?? 'us-east-1', identity: this.userIdentity(ctx.user, ctx, o.account ?? S),
      ip: o.ip ?? ctx.ip ?? (ctx.console ? '203.0.113.10' : '192.0.2.50'), ua: ctx.console ? CONSOLE_UA : CLI_UA, params: o.params ?? null, readOnly: o.readOnly, error: o.error,
    }), o.expect);
  }

  /**
   * AssumeRole: the caller's copy (in the caller's account) and, when it succeeds across accounts, the role owner's
   * copy with the same sharedEventID. Returns the role session's credentials.
   */
  assumeRole(caller: { user: UserCtx } | { role: RoleCtx }, at: number, o: {
    roleAccount: string; role: string; session: string; region?: string; console?: boolean; sourceIdentity?: string;
    denied?: boolean; expect: Expect; ownerExpect?: Expect; callerAccount?: string;
  }): RoleCtx {
    const roleArn = `arn:aws:iam::${o.roleAccount}:role/${o.role}`;
    const key = this.key('ASIA');
    const arn = `arn:aws:sts::${o.roleAccount}:assumed-role/${o.role}/${o.session}`;
    const shared = this.uuid();
    const callerAccount = 'user' in caller ? (o.callerAccount ?? S) : caller.role.account;
    let identity: Rec = 'user' in caller ? this.userIdentity(caller.user.user, caller.user, callerAccount) : this.roleIdentity(caller.role);
    if (o.console) identity = { ...identity, invokedBy: 'AWS Internal' };
    const sourceIdentity = o.sourceIdentity ?? ('role' in caller ? caller.role.sourceIdentity : undefined);
    const params = { roleArn, roleSessionName: o.session, durationSeconds: 3600, ...(sourceIdentity ? { sourceIdentity } : {}),
      ...(!o.console && 'user' in caller ? { serialNumber: `arn:aws:iam::${callerAccount}:mfa/${caller.user.user}` } : {}) };
    const response = o.denied ? null : {
      credentials: { accessKeyId: key, sessionToken: '<session token>', expiration: new Date(at + 3_600_000).toUTCString() },
      assumedRoleUser: { assumedRoleId: `AROAEXAMPLE${o.role.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 9)}:${o.session}`, arn },
      ...(sourceIdentity ? { sourceIdentity } : {}),
    };
    const common = {
      at, source: 'sts.amazonaws.com', name: 'AssumeRole', region: o.region ?? 'us-east-1', params, response, readOnly: true,
      ip: o.console ? 'AWS Internal' : ('user' in caller ? (caller.user.console ? '203.0.113.10' : '192.0.2.50') : '192.0.2.50'),
      ua: o.console ? 'AWS Internal' : CLI_UA,
      ...(o.denied ? { error: ['AccessDenied', `User: ${identity.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`] as [string, string] } : {}),
    };
    this.push(this.base({ ...common, account: callerAccount, identity,
      extra: { resources: [{ accountId: o.roleAccount, type: 'AWS::IAM::Role', ARN: roleArn }], ...(o.roleAccount !== callerAccount ? { sharedEventID: shared } : {}) } }), o.expect);
    if (!o.denied && o.roleAccount !== callerAccount) {
      this.push(this.base({ ...common, account: o.roleAccount, identity: { type: 'AWSAccount', principalId: identity.principalId, accountId: callerAccount },
        extra: { resources: [{ accountId: o.roleAccount, type: 'AWS::IAM::Role', ARN: roleArn }], sharedEventID: shared } }), o.ownerExpect ?? o.expect);
    }
    const ip = 'user' in caller ? caller.user.ip : caller.role.ip;
    return { account: o.roleAccount, role: o.role, session: o.session, key, created: at, arn, ...(sourceIdentity ? { sourceIdentity } : {}), ...(ip ? { ip } : {}) };
  }

  switchRole(user: string, r: RoleCtx, at: number, region: string, expect: Expect, fromAccount = S): Rec {
    return this.push(this.base({
      at, source: 'signin.amazonaws.com', name: 'SwitchRole', account: r.account, region, identity: this.roleIdentity(r, false),
      ip: r.ip ?? '203.0.113.10', ua: CONSOLE_UA, response: { SwitchRole: 'Success' }, type: 'AwsConsoleSignIn',
      extra: { additionalEventData: { SwitchFrom: `arn:aws:iam::${fromAccount}:user/${user}`, RedirectTo: 'https://console.aws.amazon.com/console/home' } },
    }), expect);
  }

  roleCall(r: RoleCtx, at: number, source: string, name: string, o: { region?: string; readOnly?: boolean; params?: Rec; error?: [string, string]; expect: Expect; withKey?: boolean; console?: boolean }): Rec {
    return this.push(this.base({
      at, source, name, account: r.account, region: o.region ?? 'us-east-1', identity: this.roleIdentity(r, o.withKey ?? true),
      ip: r.ip ?? (o.console ? '203.0.113.10' : '192.0.2.50'), ua: o.console ? CONSOLE_UA : CLI_UA, params: o.params ?? null, readOnly: o.readOnly, error: o.error,
    }), o.expect);
  }
}

const T = (s: string) => Date.parse(s);

/** The scenario; deterministic (same records, same IDs, every run). */
export function generateOrgLogs(o: { noise?: number } = {}): Generated {
  const b = new Builder();
  const day1 = '2026-11-23';
  const day2 = '2026-11-24';

  // ---- Session A: BreakGlassUser1, console, day 1 at 10:00 (a failed attempt first), switches into two accounts.
  b.consoleLogin(U1, T(`${day1}T09:58:10Z`), { region: 'eu-west-1', result: 'Failure', expect: 'attempt' });
  const aStart = T(`${day1}T10:00:00Z`);
  const A = `${U1}-${compact(aStart)}`;
  const a = { session: A };
  const c1 = b.consoleLogin(U1, aStart, { region: 'eu-west-1', expect: a });
  b.userCall(c1, T(`${day1}T10:01:30Z`), 'iam.amazonaws.com', 'GetAccountSummary', { readOnly: true, expect: a });
  b.userCall(c1, T(`${day1}T10:02:00Z`), 'iam.amazonaws.com', 'ListUsers', { readOnly: true, expect: a });
  const r1 = b.assumeRole({ user: c1 }, T(`${day1}T10:03:00Z`), { roleAccount: M1, role: ROLE, session: U1, console: true, expect: a });
  b.switchRole(U1, r1, T(`${day1}T10:03:01Z`), 'us-east-1', a);
  b.roleCall(r1, T(`${day1}T10:05:00Z`), 'iam.amazonaws.com', 'ListRoles', { readOnly: true, console: true, expect: a });
  b.roleCall(r1, T(`${day1}T10:07:00Z`), 'iam.amazonaws.com', 'UpdateAssumeRolePolicy', { params: { roleName: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef', policyDocument: '{"Version":"2012-10-17","Statement":[]}' }, console: true, expect: a });
  b.roleCall(r1, T(`${day1}T10:08:00Z`), 'iam.amazonaws.com', 'AttachRolePolicy', { params: { roleName: ROLE, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, error: ['AccessDenied', 'explicit deny in a service control policy'], console: true, expect: a });
  b.roleCall(r1, T(`${day1}T10:10:00Z`), 'ec2.amazonaws.com', 'DescribeInstances', { region: 'eu-west-1', readOnly: true, console: true, expect: a });
  // A console call recorded without an access key: linked by the session ARN and its creationDate.
  b.roleCall(r1, T(`${day1}T10:12:00Z`), 'cloudtrail.amazonaws.com', 'LookupEvents', { readOnly: true, console: true, withKey: false, expect: a });
  const r2 = b.assumeRole({ user: c1 }, T(`${day1}T10:30:00Z`), { roleAccount: M2, role: ROLE, session: U1, console: true, expect: a });
  b.switchRole(U1, r2, T(`${day1}T10:30:01Z`), 'eu-west-1', a);
  b.roleCall(r2, T(`${day1}T10:32:00Z`), 's3.amazonaws.com', 'PutBucketPolicy', { region: 'eu-west-1', params: { bucketName: 'payments-exports' }, console: true, expect: a });
  b.roleCall(r2, T(`${day1}T10:35:00Z`), 'iam.amazonaws.com', 'CreateRole', { params: { roleName: 'temporary-admin' }, console: true, expect: a });

  // ---- Session C: BreakGlassUser2, command line with an access key, day 1 at 11:00; role chaining two levels deep.
  const cStart = T(`${day1}T11:00:00Z`);
  const C = `${U2}-${compact(cStart)}`;
  const c = { session: C };
  const k2: UserCtx = { user: U2, key: b.key('AKIA'), console: false };
  b.userCall(k2, cStart, 'sts.amazonaws.com', 'GetCallerIdentity', { region: 'eu-central-1', readOnly: true, expect: c });
  const r4 = b.assumeRole({ user: k2 }, T(`${day1}T11:00:20Z`), { roleAccount: M1, role: ROLE, session: U2, region: 'eu-central-1', sourceIdentity: U2, expect: c });
  b.roleCall(r4, T(`${day1}T11:01:00Z`), 'iam.amazonaws.com', 'ListRoles', { readOnly: true, expect: c });
  b.roleCall(r4, T(`${day1}T11:02:00Z`), 'iam.amazonaws.com', 'PutRolePolicy', { params: { roleName: 'ci-deployer', policyName: 'restore' }, expect: c });
  const r5 = b.assumeRole({ role: r4 }, T(`${day1}T11:03:00Z`), { roleAccount: N, role: 'OrganizationAccountAccessRole', session: 'bg-chain', region: 'eu-central-1', expect: c });
  b.roleCall(r5, T(`${day1}T11:04:00Z`), 's3.amazonaws.com', 'ListBuckets', { region: 'eu-central-1', readOnly: true, expect: c });
  b.roleCall(r5, T(`${day1}T11:05:00Z`), 's3.amazonaws.com', 'DeleteBucket', { region: 'eu-central-1', params: { bucketName: 'old-artifacts' }, expect: c });
  b.roleCall(r5, T(`${day1}T11:06:00Z`), 'cloudtrail.amazonaws.com', 'StopLogging', { region: 'eu-central-1', params: { name: 'org-trail' }, error: ['AccessDeniedException', 'denied by a service control policy'], expect: c });
  const r6 = b.assumeRole({ role: r5 }, T(`${day1}T11:07:00Z`), { roleAccount: N, role: 'ReadOnlyAudit', session: 'bg-chain-2', region: 'eu-central-1', expect: c });
  b.roleCall(r6, T(`${day1}T11:08:00Z`), 'ec2.amazonaws.com', 'DescribeVpcs', { region: 'eu-central-1', readOnly: true, expect: c });

  // ---- Session B: BreakGlassUser1 again the same day at 15:00: a second session, the same role session ARN in M1.
  const bStart = T(`${day1}T15:00:00Z`);
  const B = `${U1}-${compact(bStart)}`;
  const bb = { session: B };
  const c2 = b.consoleLogin(U1, bStart, { region: 'us-east-1', ip: '198.51.100.20', expect: bb });
  const r3 = b.assumeRole({ user: c2 }, T(`${day1}T15:02:00Z`), { roleAccount: M1, role: ROLE, session: U1, console: true, expect: bb });
  b.switchRole(U1, r3, T(`${day1}T15:02:01Z`), 'us-east-1', bb);
  b.roleCall(r3, T(`${day1}T15:04:00Z`), 'iam.amazonaws.com', 'DeleteRolePolicy', { params: { roleName: 'temporary-admin', policyName: 'inline' }, console: true, expect: bb });
  b.roleCall(r3, T(`${day1}T15:06:00Z`), 'iam.amazonaws.com', 'GetRole', { readOnly: true, console: true, withKey: false, params: { roleName: 'temporary-admin' }, expect: bb });
  // The morning's console tab is still open: new console credentials, but creationDate of the 10:00 sign-in.
  b.userCall({ ...c1, key: b.key('ASIA') }, T(`${day1}T15:08:00Z`), 'iam.amazonaws.com', 'ListAccessKeys', { readOnly: true, params: { userName: U1 }, expect: a });

  // ---- Session D: BreakGlassUser1 signs in the next day: a new session.
  b.consoleLogin('x', T(`${day2}T07:55:00Z`), { hidden: true, result: 'Failure', expect: 'attempt' });
  const dStart = T(`${day2}T08:00:00Z`);
  const D = `${U1}-${compact(dStart)}`;
  const c3 = b.consoleLogin(U1, dStart, { expect: { session: D } });
  b.userCall(c3, T(`${day2}T08:05:00Z`), 'iam.amazonaws.com', 'GetUser', { readOnly: true, expect: { session: D } });
  b.userCall(c3, T(`${day2}T08:06:00Z`), 'iam.amazonaws.com', 'DeactivateMFADevice', { params: { userName: U2, serialNumber: `arn:aws:iam::${S}:mfa/${U2}` }, expect: { session: D } });

  // ---- Session E: BreakGlassUser2's access key again the next day: a new session.
  const eStart = T(`${day2}T09:00:00Z`);
  const E = `${U2}-${compact(eStart)}`;
  b.userCall(k2, eStart, 'sts.amazonaws.com', 'GetCallerIdentity', { readOnly: true, expect: { session: E } });
  b.userCall(k2, T(`${day2}T09:01:00Z`), 'iam.amazonaws.com', 'DeleteAccessKey', { params: { userName: U2, accessKeyId: k2.key }, expect: { session: E } });
  b.consoleLogin(U2, T(`${day2}T12:00:00Z`), { result: 'Failure', mfa: 'Yes', expect: 'attempt' });

  // ---- The break-glass role used with credentials whose AssumeRole is not in the logs: reported as unlinked.
  const ghost: RoleCtx = { account: M2, role: ROLE, session: U1, key: b.key('ASIA'), created: T(`${day1}T05:59:00Z`), arn: `arn:aws:sts::${M2}:assumed-role/${ROLE}/${U1}` };
  b.roleCall(ghost, T(`${day1}T06:00:00Z`), 'iam.amazonaws.com', 'ListRoles', { readOnly: true, expect: 'unlinked' });

  // ---- Look-alikes: none of these is break-glass.
  // An IAM user with a break-glass user's name in a member account, and a role whose name starts like the role's.
  const lookalike = b.consoleLogin(U1, T(`${day1}T12:00:00Z`), { account: M1, expect: 'nothing' });
  b.userCall(lookalike, T(`${day1}T12:01:00Z`), 'iam.amazonaws.com', 'ListRoles', { account: M1, readOnly: true, expect: 'nothing' });
  b.consoleLogin(U1, T(`${day1}T12:10:00Z`), { account: M1, result: 'Failure', expect: 'nothing' });
  const ro = b.assumeRole({ user: lookalike }, T(`${day1}T12:02:00Z`), { callerAccount: M1, roleAccount: M1, role: `${ROLE}ReadOnly`, session: U1, console: true, expect: 'nothing' });
  b.switchRole(U1, ro, T(`${day1}T12:02:01Z`), 'us-east-1', 'nothing', M1);
  b.roleCall(ro, T(`${day1}T12:03:00Z`), 'iam.amazonaws.com', 'DeleteRole', { params: { roleName: 'x' }, console: true, expect: 'nothing' });
  // A user in the security account whose name only starts with a break-glass user's name.
  const ten = b.consoleLogin('BreakGlassUser10', T(`${day1}T13:00:00Z`), { expect: 'nothing' });
  b.userCall(ten, T(`${day1}T13:01:00Z`), 'iam.amazonaws.com', 'CreateAccessKey', { params: { userName: 'BreakGlassUser10' }, expect: 'nothing' });
  // Someone else's role session assuming a look-alike role in another account.
  const alice: RoleCtx = { account: M2, role: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef', session: 'alice@example.com', key: b.key('ASIA'), created: T(`${day1}T09:00:00Z`), arn: `arn:aws:sts::${M2}:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com` };
  const alicero = b.assumeRole({ role: alice }, T(`${day1}T14:00:00Z`), { roleAccount: M1, role: `X${ROLE}`, session: 'alice', expect: 'nothing' });
  b.roleCall(alicero, T(`${day1}T14:01:00Z`), 'iam.amazonaws.com', 'ListRoles', { readOnly: true, expect: 'nothing' });

  // ---- Background: unrelated calls by other principals in every account.
  const accounts = [MGMT, S, M1, M2, N];
  const regions = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
  const calls: [string, string, boolean][] = [
    ['ec2.amazonaws.com', 'DescribeInstances', true], ['s3.amazonaws.com', 'GetBucketAcl', true], ['kms.amazonaws.com', 'Decrypt', true],
    ['lambda.amazonaws.com', 'Invoke', false], ['iam.amazonaws.com', 'ListRoles', true], ['sts.amazonaws.com', 'GetCallerIdentity', true],
    ['logs.amazonaws.com', 'PutLogEvents', false], ['ec2.amazonaws.com', 'RunInstances', false],
  ];
  const noise = o.noise ?? 400;
  for (let i = 0; i < noise; i++) {
    const account = accounts[Math.floor(b.random() * accounts.length)]!;
    const at = T(`${day1}T00:00:00Z`) + Math.floor(b.random() * 2 * 86_400_000);
    const [source, name, readOnly] = calls[Math.floor(b.random() * calls.length)]!;
    const who: RoleCtx = { account, role: i % 3 ? 'ci-deployer' : 'AWSReservedSSO_ReadOnly_abc', session: i % 3 ? `build-${i % 17}` : 'bob@example.com', key: b.key('ASIA'), created: at - 60_000, arn: '' };
    who.arn = `arn:aws:sts::${account}:assumed-role/${who.role}/${who.session}`;
    b.roleCall(who, at, source, name, { region: regions[Math.floor(b.random() * regions.length)]!, readOnly, expect: 'nothing' });
  }

  const sessions: Generated['sessions'] = new Map();
  const attempts = new Set<string>();
  const unlinked = new Set<string>();
  for (const r of b.records) {
    const e = b.expect.get(r.eventID)!;
    if (e === 'attempt') attempts.add(r.eventID);
    else if (e === 'unlinked') unlinked.add(r.eventID);
    else if (e !== 'nothing') {
      const user = e.session.startsWith(U2) ? U2 : U1;
      const kind = e.session === C || e.session === E ? 'cli' : 'console';
      const s = sessions.get(e.session) ?? { user, kind, eventIDs: new Set<string>(), accounts: new Set<string>([S]) };
      s.eventIDs.add(r.eventID);
      s.accounts.add(r.recipientAccountId);
      sessions.set(e.session, s);
    }
  }
  return { records: b.records, expect: b.expect, sessions, attempts, unlinked };
}

/** Records in a deterministic shuffled order (a trail's files are not in time order). */
function shuffled<T>(list: T[], seed = 7): T[] {
  const out = [...list];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Writes the records as an organization trail bucket would hold them: one gzip log file per account, region and
 * hour, AWSLogs/<org>/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz,
 * each `{"Records":[…]}`; plus a digest file that must be skipped. Returns the directory holding AWSLogs/.
 */
export function writeOrgTrail(dir: string, records: Rec[]): string {
  const groups = new Map<string, Rec[]>();
  for (const r of records) {
    const hour = (r.eventTime as string).slice(0, 13);
    const k = `${r.recipientAccountId}|${r.awsRegion}|${hour}`;
    const list = groups.get(k) ?? [];
    list.push(r);
    groups.set(k, list);
  }
  let n = 0;
  for (const [k, list] of [...groups.entries()].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const [account, region, hour] = k.split('|') as [string, string, string];
    const [y, m, d] = hour.slice(0, 10).split('-');
    const folder = join(dir, 'AWSLogs', ORG, account, 'CloudTrail', region, y!, m!, d!);
    mkdirSync(folder, { recursive: true });
    const delivered = `${y}${m}${d}T${hour.slice(11, 13)}55Z`;
    const unique = `Uq${String(++n).padStart(14, '0')}`;
    writeFileSync(join(folder, `${account}_CloudTrail_${region}_${delivered}_${unique}.json.gz`), gzipSync(JSON.stringify({ Records: shuffled(list) })));
  }
  const digest = join(dir, 'AWSLogs', ORG, S, 'CloudTrail-Digest', 'us-east-1', '2026', '11', '23');
  mkdirSync(digest, { recursive: true });
  writeFileSync(join(digest, `${S}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261123T110000Z.json.gz`), gzipSync(JSON.stringify({ awsAccountId: S, digestStartTime: '2026-11-23T10:00:00Z', logFiles: [] })));
  return dir;
}

/**
 * A record as one row of the audit queries' result (lib/audit/athena-sql.ts COLUMNS): every value a string, the JSON
 * columns (requestParameters, responseElements, additionalEventData) as JSON text, absent values as NULL. This is how
 * the CloudTrail SerDe exposes them (Athena user guide, "Querying AWS CloudTrail logs": those columns are STRING).
 */
export function toAthenaRow(r: Rec, columns: readonly (readonly [string, string])[]): Record<string, string | undefined> {
  const get = (path: string): unknown => path.split('.').reduce((o: any, k) => (o == null ? undefined : o[Object.keys(o).find((x) => x.toLowerCase() === k) ?? k]), r);
  const row: Record<string, string | undefined> = {};
  for (const [alias, expr] of columns) {
    const v = get(expr);
    row[alias] = v === undefined || v === null ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return row;
}

export function jsonLines(records: Rec[]): string {
  return `${shuffled(records, 11).map((r) => JSON.stringify(r)).join('\n')}\n`;
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) { process.stderr.write('usage: npx tsx test/audit/org-logs.ts OUT_DIR\n'); process.exit(2); }
  const g = generateOrgLogs();
  writeOrgTrail(out, g.records);
  writeFileSync(join(out, 'all.jsonl'), jsonLines(g.records));
  process.stderr.write(`wrote ${g.records.length} records (${g.sessions.size} sessions, ${g.attempts.size} attempts) to ${out}/AWSLogs and ${out}/all.jsonl\n`);
}
