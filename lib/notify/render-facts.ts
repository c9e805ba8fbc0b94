/**
 * Reads the facts an alert needs out of an EventBridge event whose `detail` is a CloudTrail record, defensively:
 * any field may be absent, null, or of an unexpected type (records from `breakglass simulate` are whatever the user
 * pasted; real records omit fields, e.g. failed sign-ins carry no `userIdentity.arn`). Every value returned is a
 * visible, single-line string (untrusted-text.ts `visibleText`) or undefined; nothing here can print "undefined",
 * "null" or "[object Object]".
 *
 * Values stay unmarked here, so rules can compare and parse them; whoever prints one marks it `untrusted` (or checks
 * its shape). The exceptions are the values AWS controls (event name and source, event IDs, accounts, region, error
 * code, identity type): they are kept as they are only when they have AWS's shape, otherwise they are marked here
 * already, so a forged one is escaped wherever it is printed and matches nothing in the rules' logic.
 *
 * Field paths: CloudTrail user guide, "CloudTrail record contents"; console sign-in and STS/IAM record shapes as
 * summarised in docs/detection.md and the fixtures in test/fixtures/cloudtrail.ts. Pure: no AWS SDK, no aws-cdk-lib.
 */

import { awsShaped, untrusted, visibleText } from './untrusted-text';

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/**
 * Trusted text written by the operator (account names, runbook URL from the configuration) on one line: control and
 * format characters and line breaks become spaces, runs of spaces one space.
 */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\s]+/gu, ' ').trim();
}

/** `oneLine` for an optional operator value: undefined when absent or empty. */
export function operatorText(v: unknown): string | undefined {
  const s = typeof v === 'string' ? oneLine(v) : undefined;
  return s ? s : undefined;
}

/**
 * A printable value, or undefined for absent, empty, null, object or array values. Not shortened: values are capped
 * where they are printed (untrusted-text.ts), so the "N more characters" marker can say how much was left out.
 */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const s = visibleText(v);
    return s === '' ? undefined : s;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/** Non-empty strings of an array (other element types dropped). */
export function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : [];
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * "2026-11-23 04:12:09 UTC" for an ISO-8601 time with a zone (CloudTrail eventTime, EventBridge time) or a Date.
 * Other strings are rejected rather than parsed in the local time zone.
 */
export function formatUtc(v: unknown): string | undefined {
  let d: Date | undefined;
  if (v instanceof Date) d = v;
  else if (typeof v === 'string' && ISO_TIME.test(v.trim())) d = new Date(v.trim());
  if (!d || Number.isNaN(d.getTime())) return undefined;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A time that is not ISO 8601 with a zone, as the record gives it (marked text), so nobody reads "unknown". */
function timeAsGiven(v: unknown): string | undefined {
  const s = str(v);
  return s ? `${untrusted(s)} (as recorded: not an ISO 8601 time)` : undefined;
}

export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** arn:partition:service:region:account:resource (resource may itself contain ":" and "/"). */
export function parseArn(v: string | undefined): Arn | undefined {
  if (!v) return undefined;
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(v);
  return m ? { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! } : undefined;
}

/** The name at the end of an ARN's resource ("user/BreakGlassUser1" -> "BreakGlassUser1"), or the value itself. */
export function shortName(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const a = parseArn(v);
  if (!a) return v;
  const parts = a.resource.split(/[/:]/).filter(Boolean);
  return parts[parts.length - 1] ?? v;
}

/** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION -> role + session. */
export function assumedRole(arn: string | undefined): { account: string; role: string; session?: string } | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'sts') return undefined;
  const m = /^assumed-role\/([^/]+)(?:\/(.+))?$/.exec(a.resource);
  return m ? { account: a.account, role: m[1]!, ...(m[2] ? { session: m[2] } : {}) } : undefined;
}

/** arn:aws:iam::ACCOUNT:user/[path/]NAME -> account + name. */
export function iamUserArn(arn: string | undefined): { account: string; name: string } | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'iam' || !a.resource.startsWith('user/')) return undefined;
  const name = a.resource.split('/').pop();
  return name ? { account: a.account, name } : undefined;
}

/** arn:aws:iam::ACCOUNT:role/[path/]NAME -> account + name. */
export function iamRoleArn(arn: string | undefined): { account: string; name: string } | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'iam' || !a.resource.startsWith('role/')) return undefined;
  const name = a.resource.split('/').pop();
  return name ? { account: a.account, name } : undefined;
}

/** Shapes of the values AWS controls (CloudTrail record contents; IAM identifiers; Regions and Zones). */
export const SHAPE = {
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d+$/,
  eventName: /^[A-Za-z][A-Za-z0-9]{0,127}$/,
  eventSource: /^[a-z0-9-]{1,63}\.amazonaws\.com$/,
  /** CloudTrail eventID / sharedEventID and EventBridge event id: UUIDs in practice. */
  eventId: /^[A-Za-z0-9-]{1,128}$/,
  errorCode: /^[A-Za-z][A-Za-z0-9._:-]{0,127}$/,
  identityType: /^[A-Za-z]{1,64}$/,
} as const;

/** Everything the renderers read, already cleaned. */
export interface Facts {
  readonly eventName?: string;
  readonly eventSource?: string;
  /** CloudTrail event ID (detail.eventID). */
  readonly eventId?: string;
  /** EventBridge event id (envelope), shown only when the CloudTrail ID is missing. */
  readonly envelopeId?: string;
  readonly sharedEventId?: string;
  /** Account whose trail recorded the event: envelope account, else recipientAccountId, else the actor's account. */
  readonly account?: string;
  readonly region?: string;
  /**
   * Formatted UTC time, from detail.eventTime, else the envelope time; a time that cannot be read is shown as given
   * (marked text, with a note), never dropped.
   */
  readonly time?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly identityType?: string;
  readonly userName?: string;
  readonly arn?: string;
  readonly principalId?: string;
  readonly identityAccount?: string;
  readonly invokedBy?: string;
  /** userIdentity.accessKeyId: ASIA… for temporary credentials, AKIA… for long-term access keys. */
  readonly accessKeyId?: string;
  /** userIdentity.sessionContext.assumedRoot ("true" for a root session from sts:AssumeRoot), when present. */
  readonly assumedRoot?: string;
  /** sessionContext.attributes.mfaAuthenticated of the caller ("true"/"false"), when present. */
  readonly sessionMfa?: string;
  readonly sessionIssuer?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly params: Json;
  readonly response: Json;
  readonly additional: Json;
}

export function readFacts(event: unknown): Facts {
  const e = obj(event) ?? {};
  const d = obj(e.detail) ?? {};
  const id = obj(d.userIdentity) ?? {};
  const session = obj(id.sessionContext) ?? {};
  const issuer = obj(session.sessionIssuer) ?? {};
  const attributes = obj(session.attributes) ?? {};
  const f: Facts = {
    eventName: awsShaped(str(d.eventName), SHAPE.eventName),
    eventSource: awsShaped(str(d.eventSource), SHAPE.eventSource),
    eventId: awsShaped(str(d.eventID), SHAPE.eventId),
    envelopeId: awsShaped(str(e.id), SHAPE.eventId),
    sharedEventId: awsShaped(str(d.sharedEventID), SHAPE.eventId),
    account: awsShaped(str(e.account) ?? str(d.recipientAccountId) ?? str(id.accountId), SHAPE.account),
    region: awsShaped(str(e.region) ?? str(d.awsRegion), SHAPE.region),
    time: formatUtc(d.eventTime) ?? formatUtc(e.time) ?? timeAsGiven(d.eventTime ?? e.time),
    sourceIp: str(d.sourceIPAddress),
    userAgent: str(d.userAgent),
    identityType: awsShaped(str(id.type), SHAPE.identityType),
    userName: str(id.userName),
    arn: str(id.arn),
    principalId: str(id.principalId),
    identityAccount: awsShaped(str(id.accountId), SHAPE.account),
    invokedBy: str(id.invokedBy),
    accessKeyId: str(id.accessKeyId),
    assumedRoot: str(session.assumedRoot),
    sessionMfa: str(attributes.mfaAuthenticated),
    sessionIssuer: str(issuer.userName) ?? shortName(str(issuer.arn)),
    errorCode: awsShaped(str(d.errorCode), SHAPE.errorCode),
    errorMessage: str(d.errorMessage),
    params: obj(d.requestParameters) ?? {},
    response: obj(d.responseElements) ?? {},
    additional: obj(d.additionalEventData) ?? {},
  };
  return f;
}

export interface Outcome {
  /** true = failed, false = succeeded, undefined = the record does not say. */
  readonly failed: boolean | undefined;
  readonly text: string;
}

/**
 * Sign-in events say Success/Failure in responseElements.<eventName>; API calls carry errorCode (+ errorMessage)
 * only when they failed (CloudTrail record contents), so an API call without one succeeded.
 */
export function outcomeOf(f: Facts): Outcome {
  const why = f.errorMessage ? ` (${untrusted(f.errorMessage)})` : '';
  if (f.errorCode) return { failed: true, text: `Failed: ${f.errorCode}${why}` };
  const signin = str(f.response.ConsoleLogin) ?? str(f.response.SwitchRole) ?? (f.eventName ? str(f.response[f.eventName]) : undefined);
  if (signin === 'Success') return { failed: false, text: 'Success' };
  if (signin === 'Failure') return { failed: true, text: `Failure${why}` };
  if (f.errorMessage) return { failed: true, text: `Failed${why}` };
  if (f.eventSource && f.eventSource !== 'signin.amazonaws.com') return { failed: false, text: 'Success' };
  return { failed: undefined, text: 'unknown' };
}

/**
 * Who acted, as a short phrase (subjects, sentences) and a full description (the "User" line). Both are marked text
 * (values from the record are `untrusted`); `id` is the raw name or ARN, for comparisons only.
 */
export interface Actor {
  readonly short: string;
  readonly long: string;
  readonly id?: string;
}

export function actorOf(f: Facts, account: (id: string | undefined) => string): Actor | undefined {
  const u = untrusted;
  const arn = f.arn;
  switch (f.identityType) {
    case 'IAMUser': {
      const name = f.userName ?? iamUserArn(arn)?.name;
      if (!name && !arn) return undefined;
      return {
        id: name ?? arn,
        short: u(name ?? arn!),
        long: `${name ? u(name) : 'IAM user'} (IAM user${arn ? `, ${u(arn)}` : f.identityAccount ? ` in account ${account(f.identityAccount)}` : ''})`,
      };
    }
    case 'Root':
      return { short: 'the root user', long: `root user of account ${account(f.identityAccount ?? f.account)}` };
    case 'AssumedRole': {
      const r = assumedRole(arn);
      if (r) {
        const who = r.session ? `${u(r.session)} (role ${u(r.role)})` : `role ${u(r.role)}`;
        return { id: arn, short: who, long: `${r.session ? `session ${u(r.session)} of role ${u(r.role)}` : `role ${u(r.role)}`} (${u(arn)})` };
      }
      const role = f.sessionIssuer;
      if (role) return { short: `role ${u(role)}`, long: `a session of role ${u(role)}${f.principalId ? ` (principal ID ${u(f.principalId)})` : ''}` };
      // An assumed-role principal ID is "<role ID>:<session name>" (IAM user guide, "IAM identifiers").
      const session = f.principalId?.includes(':') ? f.principalId.slice(f.principalId.indexOf(':') + 1) : undefined;
      if (session) return { short: `session ${u(session)}`, long: `session ${u(session)} of an assumed role (principal ID ${u(f.principalId)}; the record has no role ARN)` };
      if (f.principalId) return { short: `principal ${u(f.principalId)}`, long: `assumed-role principal ID ${u(f.principalId)}` };
      return undefined;
    }
    case 'AWSAccount': {
      if (!f.principalId && !f.identityAccount) return undefined;
      const p = f.principalId ? `principal ID ${u(f.principalId)}` : 'an unnamed principal';
      const where = f.identityAccount ? ` in account ${account(f.identityAccount)}` : '';
      return { short: `${p}${where}`, long: `${p}${where} (another account's caller; CloudTrail gives the caller's name only in that account)` };
    }
    case 'AWSService':
      return f.invokedBy ? { short: u(f.invokedBy), long: `AWS service ${u(f.invokedBy)}` } : undefined;
    default: {
      const label = arn ?? f.userName ?? f.principalId;
      if (!label) return undefined;
      // identityType is either AWS-shaped or already marked (readFacts).
      return { id: label, short: u(label), long: f.identityType ? `${u(label)} (${f.identityType})` : u(label) };
    }
  }
}
