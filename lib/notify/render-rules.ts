/**
 * Per-rule wording of alerts: the plain-words headline, the subject's short summary, the rule-specific detail lines
 * and 2-4 concrete next steps. One entry per catalogue rule (the Record type makes a missing rule a compile error).
 *
 * Values from the record are caller-controlled (user agents, names typed at sign-in, anything pasted into
 * `breakglass simulate`): everything returned here is *marked* text (untrusted-text.ts): each value from the record
 * is wrapped in `u(...)` where it is interpolated, and render.ts turns the marks into each channel's escaping. Values
 * are interpolated into suggested shell commands unmarked only when they match the shape AWS allows for that value
 * and contain nothing that would need defanging (`cmdArg`); otherwise a <placeholder> is shown.
 */
import type { RuleId } from '../detection/catalogue';
import { NAMES } from '../naming';
import {
  assumedRole, iamRoleArn, iamUserArn, obj, parseArn, SHAPE, shortName, str, strs,
  type Actor, type Facts, type Json, type Outcome,
} from './render-facts';
import { defang, isMarked, untrusted as u, untrustedDocument } from './untrusted-text';

export interface Ctx {
  readonly f: Facts;
  readonly outcome: Outcome;
  readonly actor: Actor | undefined;
  /**
   * "222222222222 (Security)" with a known name, "222222222222" without, "unknown" when absent; an ID that is not
   * 12 digits is marked untrusted.
   */
  readonly account: (id: string | undefined) => string;
  /** For subjects: "Security 222222222222", "222222222222" or "unknown account". */
  readonly accountShort: (id: string | undefined) => string;
}

/**
 * Subject summaries from bases ordered most detailed first: each base with the failure marker and error code, then
 * with the bare marker, so a long error code drops out before the account or the user. Account bases are given
 * with and without the account's name (`acct`), the name going first.
 */
function subjects(c: Ctx, bases: ReadonlyArray<string | ((acct: (id: string | undefined) => string) => string)>, markFailure = true): string[] {
  const plainId = (id: string | undefined) => id ?? 'unknown account';
  const expanded = bases.flatMap((b) => (typeof b === 'string' ? [b] : [b(c.accountShort), b(plainId)]));
  const out = expanded.flatMap((b) => (markFailure && c.outcome.failed ? [`${b}${failSuffix(c)}`, `${b} - FAILED`] : [b]));
  return out.filter((s, i) => out.indexOf(s) === i);
}

/** A labelled fact; the value is marked text. */
export type Line = readonly [label: string, value: string | undefined];

export interface RuleText {
  /**
   * Subject summaries after "[SEV] Title: ", most detailed first; the first that fits the limit is used. Every text
   * field here is marked text (values from the record wrapped in `u`).
   */
  readonly subject: readonly string[];
  /** What happened, in plain words (one or two sentences). */
  readonly headline: string;
  /** Rule-specific lines, printed after the "User" line; lines without a value are left out. */
  readonly details: readonly Line[];
  /** 2-4 concrete steps. */
  readonly steps: readonly string[];
  /** The user (or principal) the alert is about, for the "User" line. */
  readonly user?: string;
  /** Label of that line. @default "User" ("Changed by" for change events, where the user is the caller). */
  readonly userLabel?: string;
  /** ARNs worth linking in chat (raw: render.ts keeps only those of a strict, inert shape). */
  readonly resources: readonly string[];
}

// ---- safe interpolation into suggested commands ----------------------------------------------------------------

const IAM_NAME = /^[\w+=,.@-]{1,128}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const RESOURCE_ID = /^[\w+=,.@:/-]{1,2048}$/;
const PRINCIPAL_ID = /^[A-Z0-9]{16,128}$/;
const ACCOUNT_ID = SHAPE.account;
export const REGION = SHAPE.region;

/**
 * A value for a suggested command: as it is when it has the shape AWS allows and nothing in it would be defanged
 * (no host name, URL or "@": `--name login.evil.example` is a valid trail name and would be a link in an e-mail),
 * otherwise the placeholder. The value itself is still shown, escaped, on its own line.
 */
const cmdArg = (v: string | undefined, shape: RegExp, placeholder: string): string => (v && !isMarked(v) && shape.test(v) && defang(v) === v ? v : placeholder);

// ---- shared helpers -----------------------------------------------------------------------------------------------

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
// f.region, f.account, f.eventName, f.errorCode: AWS-shaped or already marked by readFacts.
const inRegion = (f: Facts) => (f.region ? ` (${f.region})` : '');
const failSuffix = (c: Ctx) => (c.outcome.failed ? ` - FAILED${c.f.errorCode ? ` (${c.f.errorCode})` : ''}` : '');
const arns = (...v: Array<string | undefined>) => v.filter((a): a is string => !!a && a.startsWith('arn:')).filter((a, i, all) => all.indexOf(a) === i);
/** A request parameter, raw (for logic); mark it with `u` where it is printed. */
const p = (f: Facts, key: string) => str(f.params[key]);

function mfaUsed(f: Facts): string | undefined {
  const v = str(f.additional.MFAUsed);
  if (!v) return undefined;
  const lower = v.toLowerCase();
  // The CloudTrail guide's root example prints "YES"; real records say "Yes"/"No".
  if (lower === 'yes') return 'Yes';
  if (lower === 'no') return 'No - this sign-in did not use MFA';
  return u(v);
}

/**
 * Where a person reads the record: CloudTrail > Event history, in the recording account and region. `userName` is
 * marked text (or a literal such as "root").
 */
function historyHint(c: Ctx, userName: string | undefined): string {
  const region = c.f.region ? `, region ${c.f.region}` : '';
  const filter = userName ? `, filter "User name" = ${userName}` : '';
  return `CloudTrail > Event history in account ${c.account(c.f.account)}${region}${filter}`;
}

function sourceNote(f: Facts): string | undefined {
  return f.sourceIp === 'AWS Internal' || f.userAgent === 'AWS Internal' || f.invokedBy === 'AWS Internal'
    ? 'AWS Internal: the console made this call on the user\'s behalf (Switch role)'
    : undefined;
}

// ---- sign-in rules -------------------------------------------------------------------------------------------------

function consoleLogin(c: Ctx): RuleText {
  const { f } = c;
  const who = f.userName ?? iamUserArn(f.arn)?.name;
  const mfa = mfaUsed(f);
  const noMfa = mfa?.startsWith('No') ? ' without MFA' : '';
  const w = who ? u(who) : 'unknown user';
  const name = cmdArg(who, IAM_NAME, '<user-name>');
  return {
    subject: subjects(c, [(a) => `${w}${noMfa} in ${a(f.account)}${inRegion(f)}`, (a) => `${w}${noMfa} in ${a(f.account)}`, `${w}${noMfa}`]),
    headline: `${who ? u(who) : 'A break-glass user'} signed in to the AWS console of account ${c.account(f.account)}${f.time ? ` at ${f.time}` : ''}`
      + `${mfa === 'Yes' ? ', with MFA' : noMfa ? ', WITHOUT MFA' : ''}.`,
    user: who ? `${u(who)}${f.arn ? ` (${u(f.arn)})` : ''}` : undefined,
    details: [['MFA used', mfa ?? 'unknown']],
    steps: [
      `Confirm with the holder of ${who ? u(who) : 'this user'} and the incident lead that an emergency was declared. If nobody claims this sign-in, treat the user as compromised and follow the runbook's containment steps.`,
      `${f.sourceIp || f.userAgent ? 'Check that the source IP and browser above fit the holder' : 'The record names no source IP or browser: ask the holder where they signed in from'}${noMfa ? '. A break-glass sign-in without MFA should not be possible: treat it as suspicious' : ''}.`,
      `Follow what the user does next: role switches raise their own alerts, and everything else is in ${historyHint(c, u(who))}.`,
      `When the emergency is over, change the password of ${name}, check its MFA device and re-seal the credentials.`,
    ],
    resources: arns(f.arn),
  };
}

function consoleLoginFailure(c: Ctx): RuleText {
  const { f } = c;
  const who = f.userName ?? iamUserArn(f.arn)?.name;
  const w = who ? u(who) : 'unknown user';
  return {
    subject: subjects(c, [(a) => `${w} in ${a(f.account)}${inRegion(f)}`, (a) => `${w} in ${a(f.account)}`, w], false),
    headline: `Someone tried to sign in to the AWS console as ${who ? u(who) : 'a break-glass user'} in account ${c.account(f.account)} and failed`
      + `${f.errorMessage ? ` (${u(f.errorMessage)})` : ''}.`,
    user: who ? `${u(who)}${f.arn ? ` (${u(f.arn)})` : ''}` : undefined,
    details: [['MFA used', mfaUsed(f)]],
    steps: [
      `Ask the holders whether one of them is signing in as ${who ? u(who) : 'this user'} right now; a holder may be stuck on the password or the MFA device and need help.`,
      `If no holder is, someone else knows this user name: look for more failed sign-ins and their source IPs in ${historyHint(c, u(who))}.`,
      'A successful sign-in would raise "Break-glass console sign-in". If one follows and nobody claims it, follow the runbook\'s containment steps.',
    ],
    resources: arns(f.arn),
  };
}

function rootConsoleLogin(c: Ctx): RuleText {
  const { f } = c;
  const mfa = mfaUsed(f);
  const noMfa = mfa?.startsWith('No') ? ' without MFA' : '';
  const failed = c.outcome.failed === true;
  const acct = c.account(f.account ?? f.identityAccount);
  return {
    subject: subjects(c, [(a) => `${a(f.account ?? f.identityAccount)}${noMfa}${inRegion(f)}`, (a) => `${a(f.account ?? f.identityAccount)}${noMfa}`]),
    headline: failed
      ? `Someone tried to sign in to the AWS console as the root user of account ${acct} and failed${f.errorMessage ? ` (${u(f.errorMessage)})` : ''}.`
      : `The root user of account ${acct} signed in to the AWS console${f.time ? ` at ${f.time}` : ''}${mfa === 'Yes' ? ', with MFA' : noMfa ? ', WITHOUT MFA' : ''}.`,
    user: f.arn ? `root user (${u(f.arn)})` : `root user of account ${acct}`,
    details: [['MFA used', mfa ?? 'unknown']],
    steps: failed
      ? [
        `Ask the custodian of the root credentials of account ${acct} whether they are signing in.`,
        'If not, someone knows the root e-mail address and is trying passwords: check that the root user has MFA and that the root e-mail mailbox is secure.',
        `Look for more attempts in ${historyHint(c, 'root')}.`,
      ]
      : [
        `Confirm with the custodian of the root credentials of account ${acct} that this sign-in was planned.`,
        `If it was not: change the root password, check the root MFA devices, and review what the root user does in ${historyHint(c, 'root')} (root sign-in is recorded in us-east-1; its actions in the regions used).`,
        'Check that the root user has no access keys: `aws iam get-account-summary` (AccountAccessKeysPresent must be 0).',
      ],
    resources: arns(f.arn),
  };
}

// ---- role rules ----------------------------------------------------------------------------------------------------

function assumeRole(c: Ctx): RuleText {
  const { f } = c;
  const who = f.userName ?? iamUserArn(f.arn)?.name;
  const w = who ? u(who) : 'unknown user';
  const roleArn = p(f, 'roleArn');
  const role = iamRoleArn(roleArn);
  const session = p(f, 'roleSessionName');
  const assumed = str((obj(f.response.assumedRoleUser) ?? {}).arn);
  const viaConsole = sourceNote(f);
  const failed = c.outcome.failed === true;
  const roleNameRaw = role?.name ?? shortName(roleArn);
  const roleName = roleNameRaw ? u(roleNameRaw) : 'unknown role';
  const roleIn = (a: (id: string | undefined) => string) => (role ? `${u(role.name)} in ${a(role.account)}` : roleName);
  const roleAccount = role ? `account ${c.account(role.account)}` : 'the account that owns the role';
  return {
    subject: subjects(c, [(a) => `${w} -> ${roleIn(a)}${inRegion(f)}`, (a) => `${w} -> ${roleIn(a)}`, `${w} -> ${roleName}`]),
    headline: `${who ? u(who) : 'A break-glass user'} ${failed ? 'tried to assume' : 'assumed'} ${role || roleArn ? `role ${u(role?.name ?? roleArn!)}` : 'a role (the record does not name it)'}`
      + `${role ? ` in account ${c.account(role.account)}` : ''}${viaConsole ? ' through the console\'s Switch role' : ''}`
      + `${failed ? `, and was refused${f.errorCode ? ` (${f.errorCode})` : ''}` : ''}.`,
    user: who ? `${u(who)}${f.arn ? ` (${u(f.arn)})` : ''}` : c.actor?.long,
    details: [
      ['Role', roleArn ? u(roleArn) : 'unknown'],
      ['Target account', role ? c.account(role.account) : 'unknown'],
      ['Session name', u(session)],
      ['Session ARN', u(assumed)],
      ['MFA used', mfaOfCall(f)],
      ['Shared event ID', f.sharedEventId],
    ],
    steps: [
      `Confirm that ${who ? u(who) : 'the user'} is in use for a declared emergency. If not, follow the runbook's containment steps for the user.`,
      failed
        ? 'The call was refused: check that the role ARN is the break-glass role of the intended account. Refused calls are logged only in the security account, so this alert is the only trace.'
        : `Follow the session in ${role ? `account ${c.account(role.account)}` : 'the account that owns the role'}: CloudTrail > Event history there, filter "User name" = ${session ? u(session) : 'the session name'}.`,
      ...(failed ? [] : [viaConsole
        ? `This was a console Switch role: expect "Console switch into the break-glass role" from ${roleAccount}.`
        : `Expect "Break-glass role assumed" from ${roleAccount}${f.sharedEventId ? ' with the same shared event ID' : ''}; if it does not arrive, check that account's forwarders.`]),
    ],
    resources: arns(f.arn, roleArn, assumed),
  };
}

function roleAssumed(c: Ctx): RuleText {
  const { f } = c;
  const roleArn = p(f, 'roleArn');
  const role = iamRoleArn(roleArn);
  const session = p(f, 'roleSessionName');
  const assumed = str((obj(f.response.assumedRoleUser) ?? {}).arn);
  const callerAccount = f.identityAccount;
  const roleAcct = role?.account ?? f.account;
  const roleNameRaw = role?.name ?? shortName(roleArn);
  const roleName = roleNameRaw ? u(roleNameRaw) : 'unknown role';
  const from = (a: (id: string | undefined) => string) => (callerAccount ? ` from ${a(callerAccount)}` : '');
  const pid = cmdArg(f.principalId, PRINCIPAL_ID, '<principal-id>');
  return {
    subject: subjects(c, [(a) => `${roleName} in ${a(roleAcct)}${from(a)}${inRegion(f)}`, (a) => `${roleName} in ${a(roleAcct)}${from(a)}`, (a) => `${roleName} in ${a(roleAcct)}`]),
    headline: `The break-glass role ${roleName} in account ${c.account(roleAcct)} was assumed`
      + `${f.principalId ? ` by principal ID ${u(f.principalId)}` : ''}${callerAccount ? ` from account ${c.account(callerAccount)}` : ''}`
      + `${session ? `, session name ${u(session)}` : ''}. This is the role owner's copy of the event; the caller's name is recorded only in the caller's account.`,
    user: f.principalId || callerAccount
      ? `${f.principalId ? `principal ID ${u(f.principalId)}` : 'unknown principal'}${callerAccount ? ` in account ${c.account(callerAccount)}` : ''}`
      : undefined,
    details: [
      ['Role', roleArn ? u(roleArn) : 'unknown'],
      ['Session name', u(session)],
      ['Session ARN', u(assumed)],
      ['Caller account', callerAccount ? c.account(callerAccount) : 'unknown'],
      ['Shared event ID', f.sharedEventId],
    ],
    steps: [
      `Match this with "Break-glass user assumed a role" from the security account${f.sharedEventId ? ` (same shared event ID ${f.sharedEventId})` : ''}. If there is none, the security account's alerting may be impaired or bypassed: escalate.`,
      callerAccount && ACCOUNT_ID.test(callerAccount)
        ? `Identify the caller: in account ${callerAccount} run \`aws iam list-users --query "Users[?UserId=='${pid}'].UserName"\` (the principal ID is the IAM user's unique ID).`
        : `Identify the caller: the principal ID ${f.principalId ? u(f.principalId) : '(not in the record)'} is the unique ID of an IAM user in the calling account; \`aws iam list-users\` there lists each user's UserId.`,
      `Follow the session in ${historyHint(c, u(session))}.`,
    ],
    resources: arns(roleArn, assumed),
  };
}

function switchRole(c: Ctx): RuleText {
  const { f } = c;
  const fromArn = str(f.additional.SwitchFrom);
  const from = iamUserArn(fromArn);
  const r = assumedRole(f.arn);
  const whoRaw = from?.name ?? r?.session;
  const who = u(whoRaw);
  const w = who ?? 'unknown user';
  const roleRaw = r?.role ?? f.sessionIssuer;
  const role = roleRaw ? u(roleRaw) : 'unknown role';
  return {
    // The title already says "into the break-glass role": the user, account and region come first.
    subject: subjects(c, [(a) => `${w} in ${a(f.account)}${inRegion(f)}`, (a) => `${w} in ${a(f.account)}`, w]),
    headline: `${who ?? 'Someone'}${from ? ` from account ${c.account(from.account)}` : ''} ${c.outcome.failed ? 'tried to switch' : 'switched'} roles in the console into ${role} in account ${c.account(f.account)}`
      + `${c.outcome.failed ? ', and failed' : ''}.`,
    user: from
      ? `${u(from.name)} (${u(fromArn)})`
      : r?.session ? `session ${u(r.session)} (SwitchFrom is missing from the record; a console switch names the session after the user)` : undefined,
    details: [
      ['Switched from', from ? undefined : u(fromArn)],
      ['Role', role],
      ['Session ARN', u(f.arn)],
    ],
    steps: [
      `Confirm with the holder of ${who ?? 'the break-glass user'} that they switched into the role for a declared emergency. If not, follow the runbook's containment steps.`,
      `Follow the session in ${historyHint(c, u(r?.session ?? whoRaw))}.`,
      'A "Break-glass console sign-in" alert from the security account should have come first; if it did not, check the alert path there.',
    ],
    resources: arns(fromArn, f.arn),
  };
}

// ---- change rules --------------------------------------------------------------------------------------------------

/** Plain words for the changing API calls, passive voice, {t} = the thing changed (marked text). */
const PLAIN: Record<string, (t: string, params: Json) => string> = {
  CreateLoginProfile: (t) => `a console password was created for ${t}`,
  UpdateLoginProfile: (t) => `the console password of ${t} was changed`,
  DeleteLoginProfile: (t) => `the console password of ${t} was deleted`,
  ChangePassword: (t) => `${t} changed its own console password`,
  CreateAccessKey: (t) => `an access key was created for ${t}`,
  UpdateAccessKey: (t, q) => `an access key of ${t} was set to ${u(str(q.status)) ?? 'a new status'}`,
  DeleteAccessKey: (t) => `an access key of ${t} was deleted`,
  EnableMFADevice: (t) => `an MFA device was enabled for ${t}`,
  DeactivateMFADevice: (t) => `an MFA device of ${t} was deactivated`,
  ResyncMFADevice: (t) => `an MFA device of ${t} was resynchronised`,
  DeleteVirtualMFADevice: (t) => `${t} was deleted`,
  AttachUserPolicy: (t) => `a managed policy was attached to ${t}`,
  DetachUserPolicy: (t) => `a managed policy was detached from ${t}`,
  PutUserPolicy: (t) => `an inline policy was added to or changed on ${t}`,
  DeleteUserPolicy: (t) => `an inline policy was deleted from ${t}`,
  AddUserToGroup: (t) => `${t} was added to a group`,
  RemoveUserFromGroup: (t) => `${t} was removed from a group`,
  PutUserPermissionsBoundary: (t) => `a permissions boundary was set on ${t}`,
  DeleteUserPermissionsBoundary: (t) => `the permissions boundary of ${t} was removed`,
  UpdateUser: (t) => `${t} was renamed or moved`,
  DeleteUser: (t) => `${t} was deleted`,
  CreateServiceSpecificCredential: (t) => `a service-specific credential was created for ${t}`,
  UploadSSHPublicKey: (t) => `an SSH public key was uploaded for ${t}`,
  UploadSigningCertificate: (t) => `a signing certificate was uploaded for ${t}`,
  AttachGroupPolicy: (t, q) => `${str(q.policyArn) ? `the managed policy ${u(str(q.policyArn))}` : 'a managed policy'} was attached to ${t}`,
  DetachGroupPolicy: (t, q) => `${str(q.policyArn) ? `the managed policy ${u(str(q.policyArn))}` : 'a managed policy'} was detached from ${t}`,
  PutGroupPolicy: (t) => `an inline policy was added to or changed on ${t}`,
  DeleteGroupPolicy: (t) => `an inline policy was deleted from ${t}`,
  UpdateGroup: (t) => `${t} was renamed or moved`,
  DeleteGroup: (t) => `${t} was deleted`,
  CreatePolicyVersion: (t, q) => `a new version of ${t} was created${q.setAsDefault === true || str(q.setAsDefault) === 'true' ? ' and made the default (in force now)' : ''}`,
  SetDefaultPolicyVersion: (t, q) => `${str(q.versionId) ? `version ${u(str(q.versionId))}` : 'another version'} of ${t} was made the default (in force now)`,
  DeletePolicyVersion: (t, q) => `${str(q.versionId) ? `version ${u(str(q.versionId))}` : 'a version'} of ${t} was deleted`,
  DeletePolicy: (t) => `${t} was deleted`,
  CreateRole: (t) => `${t} was created`,
  DeleteRole: (t) => `${t} was deleted`,
  UpdateRole: (t) => `the settings of ${t} were changed`,
  UpdateAssumeRolePolicy: (t) => `the trust policy of ${t} was replaced`,
  AttachRolePolicy: (t) => `a managed policy was attached to ${t}`,
  DetachRolePolicy: (t) => `a managed policy was detached from ${t}`,
  PutRolePolicy: (t) => `an inline policy was added to or changed on ${t}`,
  DeleteRolePolicy: (t) => `an inline policy was deleted from ${t}`,
  PutRolePermissionsBoundary: (t) => `a permissions boundary was set on ${t}`,
  DeleteRolePermissionsBoundary: (t) => `the permissions boundary of ${t} was removed`,
  DeleteRule: (t) => `${t} was deleted`,
  DisableRule: (t) => `${t} was disabled`,
  PutRule: (t, q) => `${t} was created or changed${str(q.state) ? ` (state now ${u(str(q.state))})` : ''}`,
  RemoveTargets: (t) => `targets were removed from ${t}`,
  PutTargets: (t) => `the targets of ${t} were changed`,
  DeleteEventBus: (t) => `${t} was deleted`,
  PutPermission: (t) => `the permissions of ${t} were changed`,
  RemovePermission: (t) => `a permission was removed from ${t}`,
  AddPermission: (t) => `a permission was added to ${t}`,
  DeleteTopic: (t) => `${t} was deleted`,
  SetTopicAttributes: (t, q) => `${str(q.attributeName) ? `attribute ${u(str(q.attributeName))}` : 'an attribute'} of ${t} was changed`,
  Unsubscribe: (t) => `${t} was removed`,
  SetSubscriptionAttributes: (t, q) => `${str(q.attributeName) ? `attribute ${u(str(q.attributeName))}` : 'an attribute'} of ${t} was changed`,
  DisableKey: (t) => `${t} was disabled`,
  ScheduleKeyDeletion: (t, q) => `${t} was scheduled for deletion${str(q.pendingWindowInDays) ? ` in ${u(str(q.pendingWindowInDays))} days` : ''}`,
  PutKeyPolicy: (t) => `the key policy of ${t} was replaced`,
  DeleteAlias: (t) => `${t} was deleted`,
  UpdateAlias: (t) => `${t} was pointed at another key`,
  StopLogging: (t) => `${t} was stopped (it no longer logs events)`,
  DeleteTrail: (t) => `${t} was deleted`,
  UpdateTrail: (t) => `the settings of ${t} were changed`,
  PutEventSelectors: (t) => `the event selectors of ${t} (which events it logs) were changed`,
  DeleteStackSet: (t) => `${t} was deleted`,
  UpdateStackSet: (t) => `${t} was updated`,
  DeleteStackInstances: (t) => `stack instances of ${t} were deleted`,
};

interface Target {
  /** e.g. "EventBridge rule" */
  readonly kind: string;
  /** The value from the record (may be an ARN), raw: mark it where it is printed. */
  readonly value: string;
  /** For subjects: the name at the end of an ARN, as marked text. */
  readonly short: string;
}

/** The thing a change event acted on, from requestParameters (service API references' parameter names). */
function targetOf(f: Facts, ruleKind: { user?: string; role?: string }): Target | undefined {
  const src = f.eventSource?.split('.')[0];
  const busEvents = ['DeleteEventBus', 'PutPermission', 'RemovePermission'];
  const fields: Array<[string, string]> = [
    ['userName', ruleKind.user ?? 'user'],
    ['roleName', ruleKind.role ?? 'role'],
    ['name', src === 'events' ? (busEvents.includes(f.eventName ?? '') ? 'event bus' : 'EventBridge rule') : src === 'cloudtrail' ? 'CloudTrail trail' : 'resource'],
    ['rule', 'EventBridge rule'],
    ['trailName', 'CloudTrail trail'],
    ['topicArn', 'SNS topic'],
    ['subscriptionArn', 'SNS subscription'],
    ['keyId', 'KMS key'],
    ['aliasName', 'KMS alias'],
    ['stackSetName', 'StackSet'],
    ['groupName', 'group'],
    ['serialNumber', 'virtual MFA device'],
    ['policyArn', 'managed policy'],
  ];
  for (const [key, kind] of fields) {
    const value = p(f, key);
    if (!value) continue;
    let short = u(shortName(value) ?? value);
    if (key === 'subscriptionArn') {
      const a = parseArn(value);
      short = a ? `${u(a.resource.split(':')[0]!)} subscription` : u(value);
    }
    return { kind, value, short };
  }
  return undefined;
}

/** Detail lines for the parameters people need to judge a change (never policy documents: too long to read). */
function changeDetails(f: Facts, target: Target | undefined): Line[] {
  const accessKey = p(f, 'accessKeyId') ?? str((obj(f.response.accessKey) ?? {}).accessKeyId);
  const lines: Line[] = [
    ['Changed', target ? `${target.kind} ${u(target.value)}` : 'unknown (the record names no target)'],
    ['Policy', target?.kind.endsWith('managed policy') ? undefined : u(p(f, 'policyArn') ?? p(f, 'policyName'))],
    ['Policy version', u(p(f, 'versionId'))],
    ['Permissions boundary', u(p(f, 'permissionsBoundary'))],
    ['Group', target?.kind.endsWith('group') ? undefined : u(p(f, 'groupName'))],
    ['Access key', u(accessKey)],
    ['MFA device', target?.kind === 'virtual MFA device' ? undefined : u(p(f, 'serialNumber'))],
    ['New user name', u(p(f, 'newUserName'))],
    ['New status', u(p(f, 'status'))],
    ['New rule state', u(p(f, 'state'))],
    ['Attribute', u(p(f, 'attributeName'))],
    ['Deletion window', p(f, 'pendingWindowInDays') ? `${u(p(f, 'pendingWindowInDays')!)} days` : undefined],
    ['Alias now points to', u(p(f, 'targetKeyId'))],
    ['Target IDs', strs(f.params.ids).map((id) => u(id)).join(', ') || undefined],
  ];
  return lines;
}

function changeHeadline(c: Ctx, target: Target | undefined, targetPhrase: string, sentence?: string): string {
  const { f } = c;
  const where = ` in account ${c.account(f.account)}${f.region ? `, region ${f.region}` : ''}`;
  const by = c.actor ? c.actor.short : 'an unknown principal';
  if (c.outcome.failed) {
    return `${upperFirst(by)} tried to change ${targetPhrase} (${f.eventName ?? 'unknown action'})${where}, but the call failed`
      + `${f.errorCode ? ` (${f.errorCode})` : ''}. The change most likely did not happen, but someone attempted it.`;
  }
  const plain = f.eventName ? PLAIN[f.eventName] : undefined;
  const said = sentence ?? (plain ? plain(targetPhrase, f.params) : `${f.eventName ?? 'An unknown action'} was called on ${targetPhrase}`);
  const self = f.eventName === 'ChangePassword' || (c.actor?.id !== undefined && target && c.actor.id === target.value);
  return `${upperFirst(said)}${where}${self ? '' : `, by ${by}`}.`;
}

/**
 * The catalogue's USERS_GROUP_EVENTS and USERS_POLICY_EVENTS (kept here as plain data so the notifier bundle does not
 * load the catalogue; test/notify/render.test.ts checks they are the same lists).
 */
export const GROUP_EVENTS: readonly string[] = ['AttachGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy', 'DeleteGroupPolicy', 'AddUserToGroup', 'RemoveUserFromGroup', 'UpdateGroup', 'DeleteGroup'];
export const POLICY_EVENTS: readonly string[] = ['CreatePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicyVersion', 'DeletePolicy'];

/**
 * The break-glass group or its managed policy as the target of a change (issue 11: permissions come through the
 * group NAMES.usersGroup and its policy NAMES.usersPolicy), with the sentence and the check that fit; undefined for a
 * change to a user.
 */
function groupOrPolicyChange(f: Facts): { target: Target; sentence?: string; check: string } | undefined {
  const ev = f.eventName ?? '';
  const group = p(f, 'groupName');
  if (GROUP_EVENTS.includes(ev) && group === NAMES.usersGroup) {
    const member = p(f, 'userName');
    const target: Target = { kind: 'break-glass group', value: group, short: u(group) };
    const phrase = `the break-glass group ${u(group)}`;
    const sentence = ev === 'AddUserToGroup'
      ? `${member ? `user ${u(member)}` : 'a user'} was added to ${phrase} (it carries the break-glass users' permissions)`
      : ev === 'RemoveUserFromGroup' ? `${member ? `user ${u(member)}` : 'a user'} was removed from ${phrase}` : undefined;
    const check = ev === 'AddUserToGroup' || ev === 'RemoveUserFromGroup'
      ? `Check who is in the group: \`aws iam get-group --group-name ${group}\`. Only the break-glass users belong there; remove anyone else with \`aws iam remove-user-from-group --group-name ${group} --user-name <user-name>\`, and add back a break-glass user that was removed by re-deploying breakglass.`
      : `Check what the group grants: \`aws iam list-attached-group-policies --group-name ${group}\` and \`aws iam list-group-policies --group-name ${group}\`. Only the policy ${NAMES.usersPolicy} belongs there; re-deploying breakglass restores it.`;
    return { target, sentence, check };
  }
  const policyArn = p(f, 'policyArn');
  if (POLICY_EVENTS.includes(ev) && policyArn) {
    const arg = cmdArg(policyArn, RESOURCE_ID, '<policy-arn>');
    const phrase = `the break-glass users' managed policy ${u(policyArn)}`;
    const plain = PLAIN[ev];
    return {
      target: { kind: 'managed policy', value: policyArn, short: u(shortName(policyArn) ?? policyArn) },
      sentence: plain ? plain(phrase, f.params) : undefined,
      check: `See which version is in force and what it allows: \`aws iam get-policy --policy-arn ${arg}\` (DefaultVersionId), then \`aws iam get-policy-version --policy-arn ${arg} --version-id <version>\`. Compare with \`breakglass synth\`; re-deploying breakglass restores it. Delete versions nobody planned.`,
    };
  }
  return undefined;
}

function userCredentialsChanged(c: Ctx): RuleText {
  const { f } = c;
  const groupOrPolicy = groupOrPolicyChange(f);
  if (groupOrPolicy) return groupOrPolicyChanged(c, groupOrPolicy);
  let target = targetOf(f, { user: 'break-glass user' });
  // ChangePassword has requestParameters null: the user changes its own password (IAM API reference).
  if (!target && f.identityType === 'IAMUser' && f.userName) target = { kind: 'break-glass user', value: f.userName, short: u(f.userName) };
  const userRaw = target?.kind === 'break-glass user' ? target.value : undefined;
  const user = u(userRaw);
  const phrase = target ? (f.eventName === 'ChangePassword' ? u(target.value) : `${target.kind} ${u(target.value)}`) : 'a break-glass user';
  const ev = f.eventName ?? 'unknown change';
  const name = cmdArg(userRaw, IAM_NAME, '<user-name>');
  const key = p(f, 'accessKeyId') ?? str((obj(f.response.accessKey) ?? {}).accessKeyId);
  const specific: Record<string, string> = {
    CreateAccessKey: `An access key on a break-glass user should never exist. Deactivate it now: \`aws iam update-access-key --user-name ${name} --access-key-id ${cmdArg(key, ACCESS_KEY_ID, '<access-key-id>')} --status Inactive\`, then delete it once the change is understood.`,
    DeactivateMFADevice: `Check that the user still has an MFA device: \`aws iam list-mfa-devices --user-name ${name}\`; without one the user cannot sign in in an emergency.`,
    DeleteVirtualMFADevice: `Check that the user still has an MFA device: \`aws iam list-mfa-devices --user-name ${name}\`; without one the user cannot sign in in an emergency.`,
    DeleteLoginProfile: `Without a console password ${user ?? 'the user'} cannot sign in in an emergency: restore it if this was not planned.`,
  };
  const permissionEvents = ['AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy', 'AddUserToGroup', 'RemoveUserFromGroup', 'PutUserPermissionsBoundary', 'DeleteUserPermissionsBoundary'];
  const check = specific[ev]
    ?? (permissionEvents.includes(ev)
      ? `Review what the user may do now: \`aws iam list-attached-user-policies --user-name ${name}\`, \`aws iam list-user-policies --user-name ${name}\` and \`aws iam list-groups-for-user --user-name ${name}\`.`
      : `Check the user's current state: \`aws iam get-login-profile --user-name ${name}\`, \`aws iam list-access-keys --user-name ${name}\` (must be empty) and \`aws iam list-mfa-devices --user-name ${name}\`.`);
  // The break-glass user acting on itself (ChangePassword, self-service calls): its holder is the one to ask.
  const self = f.identityType === 'IAMUser' && !!userRaw && f.userName === userRaw;
  return {
    subject: subjects(c, [(a) => `${ev} on ${user ?? target?.short ?? 'unknown user'} in ${a(f.account)}`, `${ev} on ${user ?? target?.short ?? 'unknown user'}`, ev]),
    headline: changeHeadline(c, target, phrase),
    user: c.actor?.long,
    userLabel: 'Changed by',
    details: changeDetails(f, target),
    steps: [
      self
        ? `Confirm with the holder of ${user} that they made this change (for example a planned password rotation).`
        : c.actor
          ? `Confirm with ${c.actor.short} that this change was planned (for example a password or MFA rotation).`
          : 'Find out who made this change (the record does not name the caller) and whether it was planned.',
      ...(c.outcome.failed ? [] : [check]),
      self
        ? `If the holder did not make it, someone else can sign in as ${user}: follow the runbook's containment steps.`
        : 'If nobody planned it: treat the caller\'s credentials as compromised, revert the change and re-seal the break-glass user (runbook).',
    ],
    resources: arns(f.arn, p(f, 'policyArn'), p(f, 'serialNumber')),
  };
}

/** user-credentials-changed for the break-glass group (policies, members, name) and the users' managed policy. */
function groupOrPolicyChanged(c: Ctx, g: { target: Target; sentence?: string; check: string }): RuleText {
  const { f } = c;
  const ev = f.eventName ?? 'unknown change';
  return {
    subject: subjects(c, [(a) => `${ev} on ${g.target.short} in ${a(f.account)}`, `${ev} on ${g.target.short}`, ev]),
    headline: changeHeadline(c, g.target, `${g.target.kind} ${u(g.target.value)}`, g.sentence),
    user: c.actor?.long,
    userLabel: 'Changed by',
    details: changeDetails(f, g.target),
    steps: [
      'Check whether a breakglass deployment was running at that time: deployments update the group and its policy and raise this alert, so it is expected then.',
      ...(c.outcome.failed ? [] : [g.check]),
      c.outcome.failed
        ? 'If nobody planned the attempt: treat the caller\'s credentials as compromised (runbook); the call failed, so the permissions are most likely unchanged.'
        : 'If nobody planned it: whoever can change this group or policy decides what the break-glass users (and anyone added to the group) may do. Treat the caller\'s credentials as compromised and re-seal the break-glass users (runbook).',
    ],
    resources: arns(f.arn, p(f, 'policyArn')),
  };
}

// ---- root rules ----------------------------------------------------------------------------------------------------

/** Task policy name at the end of arn:aws:iam::aws:policy/root-task/<name> (IAM user guide, centralized root access). */
function taskPolicyOf(f: Facts): { arn?: string; name?: string } {
  const raw = obj(f.params.taskPolicyArn);
  const arn = str(raw?.arn) ?? str(f.params.taskPolicyArn);
  return { arn, name: arn ? shortName(arn) : undefined };
}

function assumeRoot(c: Ctx): RuleText {
  const { f } = c;
  const targetRaw = p(f, 'targetPrincipal');
  // targetPrincipal is "the member account principal ARN or account ID" (STS API reference, AssumeRoot).
  const targetAccount = targetRaw && ACCOUNT_ID.test(targetRaw) ? targetRaw : parseArn(targetRaw)?.account;
  const target = targetAccount && ACCOUNT_ID.test(targetAccount) ? c.account(targetAccount) : targetRaw ? u(targetRaw) : 'an unnamed account';
  const targetShort = (a: (id: string | undefined) => string) => (targetAccount && ACCOUNT_ID.test(targetAccount) ? a(targetAccount) : targetRaw ? u(targetRaw) : 'unknown account');
  const task = taskPolicyOf(f);
  const taskName = task.name ? u(task.name) : undefined;
  const failed = c.outcome.failed === true;
  const who = c.actor?.short ?? 'an unknown principal';
  const duration = p(f, 'durationSeconds');
  const key = str((obj(f.response.credentials) ?? {}).accessKeyId);
  return {
    subject: subjects(c, [
      (a) => `${who} -> root of ${targetShort(a)}${taskName ? `: ${taskName}` : ''}${inRegion(f)}`,
      (a) => `${who} -> root of ${targetShort(a)}`,
      (a) => `root of ${targetShort(a)}`,
    ]),
    headline: `${upperFirst(who)} ${failed ? 'tried to open' : 'opened'} a root session in account ${target}${taskName ? ` with the task policy ${taskName}` : ''}`
      + ` (centralized root access, sts:AssumeRoot), from account ${c.account(f.account)}${failed ? `, and was refused${f.errorCode ? ` (${f.errorCode})` : ''}` : ''}.`
      + `${failed ? '' : ' The session lasts at most 15 minutes and never signs in to the console: its calls raise "Root user API activity".'}`,
    user: c.actor?.long,
    userLabel: 'Called by',
    details: [
      ['Target account', target],
      ['Task policy', task.arn ? u(task.arn) : 'unknown'],
      ['Session length', duration ? `${u(duration)} seconds` : undefined],
      ['Root session access key', u(key)],
    ],
    steps: [
      `Confirm with ${c.actor?.short ?? 'the caller'} and the owner of account ${target} that this privileged task was planned (deleting or auditing the root user's credentials, unlocking a bucket or queue policy).`,
      failed
        ? 'The call was refused. Someone in this account tried to obtain root in another account: find out who and why.'
        : `Follow the root session in account ${target}: CloudTrail > Event history there${key ? `, filter "AWS access key" = ${u(key)}` : ', filter "User name" = root'}; every call also raises "Root user API activity".`,
      `If nobody planned it: treat the caller's credentials in account ${c.account(f.account)} as compromised (runbook), and consider stopping root sessions for the organization: \`aws iam disable-organizations-root-sessions\` with credentials of the management account.`,
    ],
    resources: arns(f.arn, task.arn),
  };
}

function rootActivity(c: Ctx): RuleText {
  const { f } = c;
  const acct = c.account(f.account ?? f.identityAccount);
  const ev = f.eventName ?? 'unknown call';
  const session = f.assumedRoot === 'true';
  const longTermKey = !session && f.accessKeyId?.startsWith('AKIA');
  const how = session
    ? 'in a root session from centralized root access (sts:AssumeRoot)'
    : longTermKey ? 'with a root ACCESS KEY (long-term root credentials)' : 'with root credentials';
  const failed = c.outcome.failed === true;
  const id = cmdArg(f.account ?? f.identityAccount, ACCOUNT_ID, '<account-id>');
  return {
    subject: subjects(c, [(a) => `${ev} by root in ${a(f.account ?? f.identityAccount)}${inRegion(f)}`, (a) => `${ev} by root in ${a(f.account ?? f.identityAccount)}`, `${ev} by root`]),
    headline: `The root user of account ${acct} ${failed ? 'tried to call' : 'called'} ${ev}${f.eventSource ? ` (${f.eventSource})` : ''} ${how}`
      + `${failed ? `, and the call failed${f.errorCode ? ` (${f.errorCode})` : ''}` : ''}. Root bypasses every IAM control in its account.`,
    user: f.arn ? `root user (${u(f.arn)})` : `root user of account ${acct}`,
    details: [
      ['Credentials', session ? 'root session (sts:AssumeRoot)' : longTermKey ? 'root access key' : f.accessKeyId ? 'temporary' : undefined],
      ['Access key', u(f.accessKeyId)],
      // Null values left out: a null says nothing, and would read like a missing value.
      ['Request parameters', Object.keys(f.params).length ? untrustedDocument(JSON.stringify(f.params, (_k, v: unknown) => (v === null ? undefined : v))) : undefined],
    ],
    steps: [
      session
        ? `Match this with "Root session requested (AssumeRoot)" from the management account or the IAM delegated administrator, and confirm with its caller that this privileged task in account ${acct} was planned.`
        : `Confirm with the custodian of the root credentials of account ${acct} that root is in use for a planned task.`,
      ...(longTermKey ? [`A root access key should not exist. Delete it (as root, or with centralized root access: \`aws sts assume-root --target-principal ${id} --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials\` from the management account) and find out who created it.`] : []),
      `Review everything root did: ${historyHint(c, 'root')}${f.accessKeyId ? `, or filter "AWS access key" = ${u(f.accessKeyId)}` : ''}.`,
      'If nobody claims it: treat the root credentials of this account as compromised and follow the runbook ("Root user API activity").',
    ],
    resources: arns(f.arn),
  };
}

function roleChanged(c: Ctx): RuleText {
  const { f } = c;
  const target = targetOf(f, { role: 'break-glass role' });
  const roleRaw = target?.kind === 'break-glass role' ? target.value : undefined;
  const role = u(roleRaw);
  const ev = f.eventName ?? 'unknown change';
  return {
    subject: subjects(c, [(a) => `${ev} on ${role ?? 'unknown role'} in ${a(f.account)}`, `${ev} on ${role ?? 'unknown role'}`, ev]),
    headline: changeHeadline(c, target, target ? `${target.kind} ${u(target.value)}` : 'the break-glass role'),
    user: c.actor?.long,
    userLabel: 'Changed by',
    details: changeDetails(f, target),
    steps: [
      'Check whether a breakglass deployment (CloudFormation StackSet operation) was running at that time: deployments change the role and raise this alert, so it is expected then.',
      `Otherwise compare the role with what breakglass deploys: in account ${c.account(f.account)} run \`aws iam get-role --role-name ${cmdArg(roleRaw, IAM_NAME, '<role-name>')}\` and \`aws iam list-attached-role-policies --role-name ${cmdArg(roleRaw, IAM_NAME, '<role-name>')}\`; the CloudTrail record shows the new policy.`,
      c.outcome.failed
        ? 'If nobody planned the attempt: treat the caller\'s credentials as compromised (runbook); the call failed, so the role is most likely unchanged.'
        : 'If nobody planned it: treat the caller\'s credentials as compromised and restore the role by re-deploying breakglass.',
    ],
    resources: arns(f.arn, p(f, 'policyArn')),
  };
}

function alertingTampered(c: Ctx): RuleText {
  const { f } = c;
  const target = targetOf(f, { role: 'forwarder role' });
  const ev = f.eventName ?? 'unknown change';
  const region = cmdArg(f.region, REGION, '<region>');
  const t = target?.value;
  const restore: Record<string, string> = {
    StopLogging: `Restart the trail: \`aws cloudtrail start-logging --name ${cmdArg(t, RESOURCE_ID, '<trail>')} --region ${region}\`. Without a logging trail EventBridge receives no CloudTrail events, so no alert can fire.`,
    DisableRule: `Re-enable the rule: \`aws events enable-rule --name ${cmdArg(t, RESOURCE_ID, '<rule>')} --region ${region}\` (add --event-bus-name breakglass-central for the central rules).`,
    ScheduleKeyDeletion: `Cancel the deletion, then re-enable the key: \`aws kms cancel-key-deletion --key-id ${cmdArg(t, RESOURCE_ID, '<key-id>')} --region ${region}\` and \`aws kms enable-key --key-id ${cmdArg(t, RESOURCE_ID, '<key-id>')} --region ${region}\`. Alerts cannot be delivered while the key is unusable.`,
    DisableKey: `Re-enable the key: \`aws kms enable-key --key-id ${cmdArg(t, RESOURCE_ID, '<key-id>')} --region ${region}\`. Alerts cannot be delivered while the key is disabled.`,
    Unsubscribe: 'Re-subscribe the endpoint to the alert topic and have the recipient confirm the subscription.',
  };
  return {
    subject: subjects(c, [
      (a) => `${ev} on ${target?.short ?? 'unknown resource'} in ${a(f.account)}${inRegion(f)}`,
      (a) => `${ev} on ${target?.short ?? 'unknown resource'} in ${a(f.account)}`,
      `${ev} on ${target?.short ?? 'unknown resource'}`,
      ev,
    ]),
    headline: changeHeadline(c, target, target ? `${target.kind} ${u(target.value)}` : 'part of the alert path'),
    user: c.actor?.long,
    userLabel: 'Changed by',
    details: changeDetails(f, target),
    steps: [
      'Check whether a breakglass deployment was running at that time: deployments update rules, roles and the StackSet and raise this alert, so it is expected then.',
      ...(c.outcome.failed ? [] : [restore[ev] ?? 'If it was not a deployment, restore the alert path by re-deploying breakglass; the next heartbeat confirms that alerts arrive again.']),
      `Until the alert path is restored, alerts may not reach you: review break-glass activity since ${f.time ?? 'this event'} directly in CloudTrail (Event history, or the trail's S3 logs).`,
      'If nobody planned it: treat the caller\'s credentials as compromised (runbook).',
    ],
    resources: arns(f.arn, p(f, 'topicArn'), p(f, 'subscriptionArn'), p(f, 'name'), p(f, 'keyId')),
  };
}

/** MFA of an API call: the caller's session attribute, or an MFA serial number passed to AssumeRole. */
function mfaOfCall(f: Facts): string | undefined {
  if (f.sessionMfa === 'true') return 'Yes';
  if (f.sessionMfa === 'false') return 'No';
  const device = p(f, 'serialNumber');
  return device ? `Yes (device ${u(device)})` : undefined;
}

export const RULE_TEXT: Record<RuleId, (c: Ctx) => RuleText> = {
  'console-login': consoleLogin,
  'console-login-failure': consoleLoginFailure,
  'assume-role': assumeRole,
  'role-assumed': roleAssumed,
  'switch-role': switchRole,
  'user-credentials-changed': userCredentialsChanged,
  'role-changed': roleChanged,
  'alerting-tampered': alertingTampered,
  'root-console-login': rootConsoleLogin,
  'assume-root': assumeRoot,
  'root-activity': rootActivity,
};

/** For rules added to the catalogue later without wording here: the facts, the description, generic steps. */
export function genericText(c: Ctx): RuleText {
  const { f } = c;
  const ev = f.eventName ?? 'unknown event';
  return {
    subject: subjects(c, [(a) => `${ev} in ${a(f.account)}${inRegion(f)}`, ev]),
    headline: `${upperFirst(c.actor?.short ?? 'an unknown principal')} called ${ev} in account ${c.account(f.account)}${inRegion(f)}.`,
    user: c.actor?.long,
    // No wording of its own: the request parameters are the best description of what changed.
    details: [['Request parameters', Object.keys(f.params).length ? untrustedDocument(JSON.stringify(f.params)) : undefined]],
    steps: [
      `Confirm with ${c.actor?.short ?? 'whoever made the call'} that this was planned.`,
      `Review the record in ${historyHint(c, undefined)}.`,
    ],
    resources: arns(f.arn),
  };
}


