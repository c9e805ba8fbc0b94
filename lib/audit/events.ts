/**
 * The fields of a CloudTrail record that `breakglass audit` reads, taken out of the record once, and the exact tests
 * that say whose identity a record carries. Pure: no AWS SDK, no aws-cdk-lib, no I/O.
 *
 * Field paths (CloudTrail user guide, "CloudTrail record contents" and "CloudTrail userIdentity element"; IAM user
 * guide, "Logging IAM and AWS STS API calls with AWS CloudTrail"):
 * - userIdentity.type: IAMUser, AssumedRole, AWSAccount (the role owner's copy of a cross-account AssumeRole), Root, …
 * - userIdentity.accessKeyId: "the access key ID that was used to sign the request"; for temporary credentials the
 *   key of those credentials, which is the `responseElements.credentials.accessKeyId` of the AssumeRole that issued
 *   them (IAM user guide, cross-account and role-chaining AssumeRole examples).
 * - userIdentity.sessionContext.attributes.creationDate: when the temporary credentials were issued;
 *   sessionContext.sessionIssuer: the role (type "Role", arn, userName = role name) of an assumed-role session;
 *   sessionContext.sourceIdentity: the source identity set at AssumeRole, which persists through role chaining
 *   (IAM user guide, "Monitor and control actions taken with assumed roles").
 * - sharedEventID: the same value on the copies of one action delivered to several accounts (CloudTrail user guide,
 *   "sharedEventID example"); eventID and recipientAccountId differ between the copies.
 * - ConsoleLogin: responseElements.ConsoleLogin "Success" | "Failure", additionalEventData.MFAUsed, and no
 *   userIdentity.arn on failures; an unknown user name is recorded as HIDDEN_DUE_TO_SECURITY_REASONS (IAM user
 *   guide, sign-in examples; CloudTrail user guide, "AWS Management Console sign-in events").
 * - SwitchRole (console "Switch role"): recorded in the account that owns the role, identity = the new role session,
 *   additionalEventData.SwitchFrom = ARN of the IAM user who switched.
 */

export type Json = Record<string, unknown>;

export interface Identity {
  readonly type?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly principalId?: string;
  readonly userName?: string;
  readonly accessKeyId?: string;
  readonly invokedBy?: string;
  /** sessionContext.attributes.creationDate, in ms; undefined when absent or unreadable. */
  readonly createdAt?: number;
  readonly mfaAuthenticated?: boolean;
  readonly issuerArn?: string;
  readonly issuerType?: string;
  readonly sourceIdentity?: string;
}

/** One CloudTrail record, reduced to what audit needs. */
export interface AuditEvent {
  readonly eventID: string;
  /** eventTime in ms since the epoch. */
  readonly time: number;
  /** eventTime as recorded. */
  readonly eventTime: string;
  /** recipientAccountId (the account whose trail recorded it), else the identity's account. */
  readonly account: string;
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  /** readOnly as recorded; undefined when the record does not say. */
  readonly readOnly?: boolean;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly identity: Identity;
  readonly sharedEventID?: string;
  // AssumeRole
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly requestedSourceIdentity?: string;
  readonly durationSeconds?: number;
  readonly issuedKey?: string;
  readonly assumedRoleArn?: string;
  // Sign-in
  readonly loginResult?: string;
  readonly mfaUsed?: string;
  readonly switchFrom?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Json : undefined;
}

/** A JSON object, or a JSON object encoded as a string (how Athena returns requestParameters & co). */
function objOrJsonText(v: unknown): Json | undefined {
  if (typeof v === 'string' && v.startsWith('{')) {
    try { return obj(JSON.parse(v)); } catch { return undefined; }
  }
  return obj(v);
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function time(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * The audit view of a CloudTrail record (a log file's record, a JSON Lines line, an EventBridge event's `detail`, or
 * a row rebuilt from Athena); undefined for anything that is not a CloudTrail record with a readable eventTime.
 */
export function toAuditEvent(record: unknown): AuditEvent | undefined {
  const r = obj(record);
  if (!r) return undefined;
  const eventSource = str(r.eventSource);
  const eventName = str(r.eventName);
  const t = time(r.eventTime);
  if (!eventSource || !eventName || t === undefined) return undefined;
  const ui = obj(r.userIdentity) ?? {};
  const sc = obj(ui.sessionContext) ?? {};
  const attrs = obj(sc.attributes) ?? {};
  const issuer = obj(sc.sessionIssuer) ?? {};
  const identity: Identity = {
    type: str(ui.type),
    arn: str(ui.arn),
    accountId: str(ui.accountId),
    principalId: str(ui.principalId),
    userName: str(ui.userName),
    accessKeyId: str(ui.accessKeyId),
    invokedBy: str(ui.invokedBy),
    createdAt: time(attrs.creationDate),
    mfaAuthenticated: bool(attrs.mfaAuthenticated),
    issuerArn: str(issuer.arn),
    issuerType: str(issuer.type),
    sourceIdentity: str(sc.sourceIdentity),
  };
  const req = objOrJsonText(r.requestParameters) ?? {};
  const res = objOrJsonText(r.responseElements) ?? {};
  const add = objOrJsonText(r.additionalEventData) ?? {};
  const creds = obj(res.credentials) ?? {};
  const aru = obj(res.assumedRoleUser) ?? {};
  const duration = typeof req.durationSeconds === 'number' ? req.durationSeconds : typeof req.durationSeconds === 'string' ? Number(req.durationSeconds) : undefined;
  return {
    eventID: str(r.eventID) ?? `${eventSource}:${eventName}:${str(r.eventTime)}`,
    time: t,
    eventTime: r.eventTime as string,
    account: str(r.recipientAccountId) ?? identity.accountId ?? '',
    region: str(r.awsRegion) ?? '',
    eventSource,
    eventName,
    readOnly: bool(r.readOnly),
    errorCode: str(r.errorCode),
    errorMessage: str(r.errorMessage),
    sourceIPAddress: str(r.sourceIPAddress),
    userAgent: str(r.userAgent),
    identity,
    sharedEventID: str(r.sharedEventID),
    roleArn: str(req.roleArn),
    roleSessionName: str(req.roleSessionName),
    requestedSourceIdentity: str(req.sourceIdentity) ?? str(res.sourceIdentity),
    durationSeconds: duration !== undefined && Number.isFinite(duration) && duration > 0 ? duration : undefined,
    issuedKey: str(creds.accessKeyId),
    assumedRoleArn: str(aru.arn),
    loginResult: str(res.ConsoleLogin),
    mfaUsed: str(add.MFAUsed),
    switchFrom: str(add.SwitchFrom),
  };
}

// ------------------------------------------------------------------------------------------------ ARNs

/** arn:partition:iam::account:role/[path/]name → { account, name } (role names are unique per account whatever the path). */
export function parseRoleArn(arn: string | undefined): { account: string; name: string } | undefined {
  if (!arn) return undefined;
  const m = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? { account: m[1]!, name: m[2]! } : undefined;
}

/** arn:partition:iam::account:user/[path/]name → { account, name }. IAM user names cannot contain "/". */
export function parseUserArn(arn: string | undefined): { account: string; name: string } | undefined {
  if (!arn) return undefined;
  const m = /^arn:[a-z-]+:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? { account: m[1]!, name: m[2]! } : undefined;
}

/** arn:partition:sts::account:assumed-role/role-name/session-name → parts. */
export function parseAssumedRoleArn(arn: string | undefined): { account: string; role: string; session: string } | undefined {
  if (!arn) return undefined;
  const m = /^arn:[a-z-]+:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  return m ? { account: m[1]!, role: m[2]!, session: m[3]! } : undefined;
}

// ------------------------------------------------------------------------------------------------ who

export interface AuditScope {
  readonly securityAccountId: string;
  /** Break-glass IAM user names, exactly as in the config (and so as IAM records them). */
  readonly userNames: readonly string[];
  /** Name of the break-glass role in every member account. */
  readonly roleName: string;
}

/** CloudTrail's stand-in for a user name that does not exist in the account. */
export const HIDDEN_USER = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/**
 * The break-glass user an identity is, or undefined. Exact: type IAMUser, account = the security account, user name
 * equal to a configured name (an IAM user of the same name in another account, or "BreakGlassUser10", is not).
 */
export function breakGlassUser(id: Identity, scope: AuditScope): string | undefined {
  if (id.type !== 'IAMUser' || id.accountId !== scope.securityAccountId || !id.userName) return undefined;
  if (!scope.userNames.includes(id.userName)) return undefined;
  // When the ARN is there it must say the same (it is absent on failed sign-ins).
  if (id.arn) {
    const u = parseUserArn(id.arn);
    if (!u || u.account !== scope.securityAccountId || u.name !== id.userName) return undefined;
  }
  return id.userName;
}

/** The break-glass user an ARN (SwitchFrom) names, or undefined. */
export function breakGlassUserArn(arn: string | undefined, scope: AuditScope): string | undefined {
  const u = parseUserArn(arn);
  return u && u.account === scope.securityAccountId && scope.userNames.includes(u.name) ? u.name : undefined;
}

/** True when the identity is a session of the break-glass role (any account): the role name is compared whole. */
export function isBreakGlassRoleSession(id: Identity, scope: AuditScope): boolean {
  if (id.type !== 'AssumedRole') return false;
  if (id.issuerArn) {
    const r = parseRoleArn(id.issuerArn);
    return r !== undefined && r.name === scope.roleName;
  }
  const a = parseAssumedRoleArn(id.arn);
  return a !== undefined && a.role === scope.roleName;
}

/** True when an AssumeRole asks for the break-glass role (requestParameters.roleArn). */
export function targetsBreakGlassRole(e: AuditEvent, scope: AuditScope): boolean {
  const r = parseRoleArn(e.roleArn);
  return r !== undefined && r.name === scope.roleName;
}

export const isAssumeRole = (e: AuditEvent) => e.eventSource === 'sts.amazonaws.com' && e.eventName === 'AssumeRole';
export const isConsoleLogin = (e: AuditEvent) => e.eventSource === 'signin.amazonaws.com' && e.eventName === 'ConsoleLogin';
export const isSwitchRole = (e: AuditEvent) => e.eventSource === 'signin.amazonaws.com' && e.eventName === 'SwitchRole';

/** An error that means the caller was not allowed (highlighted as "denied" in the timeline). */
export function isDenied(e: Pick<AuditEvent, 'errorCode'>): boolean {
  return !!e.errorCode && /AccessDenied|Unauthorized|Forbidden|NotAuthorized/i.test(e.errorCode);
}

/**
 * A call that changed something: recorded readOnly false, not failed, and not a sign-in event (ConsoleLogin and
 * SwitchRole are recorded with readOnly false, /work/shared/notes/aws-facts.md §0.7, but change nothing).
 */
export function isWrite(e: Pick<AuditEvent, 'readOnly' | 'errorCode' | 'eventSource'>): boolean {
  return e.readOnly === false && !e.errorCode && e.eventSource !== 'signin.amazonaws.com';
}

/** "iam.amazonaws.com" → "iam". */
export function serviceOf(eventSource: string): string {
  return eventSource.replace(/\.amazonaws\.com$/, '');
}
