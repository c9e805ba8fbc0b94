/**
 * Alert rendering (lib/notify/render.ts): golden files for every catalogue rule, invariants every rendering must
 * keep, and unit tests for the edges (sanitising, truncation, absent and malformed fields, chat escaping).
 *
 * Golden files: test/golden/<rule-id>.<case>.txt holds the subject, a blank line and the message (what email
 * subscribers receive); <rule-id>.<case>.chat.json holds the chat notification. After an intended wording change:
 *   UPDATE_GOLDEN=1 node --import tsx --test test/notify/*.test.ts
 * then read every changed file (git diff test/golden) as if woken at 3 a.m. UPDATE_GOLDEN is refused when CI is set.
 *
 * Cases: for every rule, at least one complete event and one that lacks fields real records lack (failed sign-ins
 * without an arn, SwitchRole without sourceIPAddress, the role-owner AssumeRole copy with only principalId,
 * requestParameters null, no detail.eventTime, ...). Event IDs are fixed so the golden files do not depend on the
 * order fixtures are built in.
 *
 * Hostile cases (`kind: 'hostile'`): attacker-controlled fields carrying Markdown links, bare URLs, mentions, forged
 * lines, bidi overrides, a 100 KB value and backtick breakouts. Besides their golden files they are checked
 * structurally (`assertInert`), and every rule is also rendered with every field of its record poisoned
 * ("untrusted text: every field of every rule"), so a value printed without escaping fails even without a golden file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_ENABLED_REGIONS } from '../../lib/config/regions';
import { CATALOGUE, ROLE_CHANGE_EVENTS, ruleById, USER_CREDENTIAL_EVENTS, USERS_GROUP_EVENTS, USERS_POLICY_EVENTS, type RuleId } from '../../lib/detection/catalogue';
import type { DetectionContext } from '../../lib/detection/context';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { Simulator } from '../../lib/detection/simulate';
import {
  renderHeartbeat, renderNotification, SUBJECT_MAX_LENGTH, type Notification, type RenderOptions,
} from '../../lib/notify/render';
import { GROUP_EVENTS, POLICY_EVENTS } from '../../lib/notify/render-rules';
import { MAX_DOCUMENT_CHARS, MAX_VALUE_CHARS } from '../../lib/notify/untrusted-text';
import * as f from '../fixtures/cloudtrail';

// ---- cases ----------------------------------------------------------------------------------------------------
type Rec = Record<string, any>;

interface Case {
  readonly rule: RuleId;
  /** File-name part: test/golden/<rule>.<name>.txt */
  readonly name: string;
  /**
   * "complete" = every field AWS documents for the event; "missing" = fields absent as in real partial records;
   * "hostile" = attacker-controlled fields carrying links, mentions, markup, forged lines or huge values.
   */
  readonly kind: 'complete' | 'missing' | 'hostile';
  readonly event: Rec;
  readonly options: RenderOptions;
}

const NAMED: RenderOptions = {
  accountNames: { [f.S]: 'Security', [f.M]: 'Payments production', [f.MGMT]: 'Management' },
  runbookUrl: 'https://wiki.example.com/security/breakglass-runbook',
};
const PLAIN: RenderOptions = {};

const eventId = (n: number) => `e7a1c0de-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The EventBridge event AWS would deliver for a CloudTrail record (lib/detection/envelope.ts). */
function wrap(record: Rec): Rec {
  const c = toEventBridgeEvent(record);
  if ('error' in c) throw new Error(c.error);
  return c.event;
}

/** A copy of a record without the given top-level fields. */
function without(record: Rec, ...fields: string[]): Rec {
  const r = { ...record };
  for (const k of fields) delete r[k];
  return r;
}

const topicArn = `arn:aws:sns:us-east-1:${f.S}:breakglass-alerts`;

const CASES: readonly Case[] = [
  // console-login
  { rule: 'console-login', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.consoleLogin({ region: 'eu-west-1' }), eventID: eventId(1) }) },
  { rule: 'console-login', name: 'no-mfa', kind: 'complete', options: PLAIN, event: wrap({ ...f.consoleLogin({ user: 'BreakGlassUser2', mfa: 'No' }), eventID: eventId(2) }) },
  {
    rule: 'console-login', name: 'missing-fields', kind: 'missing', options: NAMED,
    event: wrap({
      ...without(f.consoleLogin({ region: 'eu-north-1' }), 'sourceIPAddress', 'userAgent', 'additionalEventData'),
      userIdentity: { type: 'IAMUser', accountId: f.S, userName: f.USER },
      eventID: eventId(3),
    }),
  },
  // console-login-failure
  { rule: 'console-login-failure', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.consoleLogin({ result: 'Failure', region: 'ap-southeast-2' }), eventID: eventId(4) }) },
  {
    rule: 'console-login-failure', name: 'missing-fields', kind: 'missing', options: PLAIN,
    // Failed sign-ins carry no userIdentity.arn; this one also lacks the error message, user agent and MFA data.
    event: wrap({ ...without(f.consoleLogin({ result: 'Failure' }), 'errorMessage', 'userAgent', 'additionalEventData'), eventID: eventId(5) }),
  },
  // assume-role
  { rule: 'assume-role', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.assumeRoleCaller(), eventID: eventId(6) }) },
  { rule: 'assume-role', name: 'console-switch', kind: 'complete', options: NAMED, event: wrap({ ...f.assumeRoleCaller({ console: true, region: 'us-east-1' }), eventID: eventId(7) }) },
  { rule: 'assume-role', name: 'denied', kind: 'complete', options: NAMED, event: wrap({ ...f.assumeRoleCaller({ denied: true, roleAccount: f.MGMT }), eventID: eventId(8) }) },
  {
    rule: 'assume-role', name: 'missing-fields', kind: 'missing', options: PLAIN,
    event: wrap({ ...without(f.assumeRoleCaller(), 'sourceIPAddress', 'sharedEventID', 'resources'), requestParameters: null, responseElements: null, eventID: eventId(9) }),
  },
  // role-assumed
  { rule: 'role-assumed', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.assumeRoleOwner(), eventID: eventId(10) }) },
  {
    rule: 'role-assumed', name: 'missing-fields', kind: 'missing', options: NAMED,
    // The owner copy with only principalId: no caller account, no shared event ID, no response.
    event: wrap({
      ...without(f.assumeRoleOwner({ roleAccount: f.MGMT, region: 'us-east-1' }), 'sharedEventID', 'sourceIPAddress', 'userAgent'),
      userIdentity: { type: 'AWSAccount', principalId: 'AIDACKCEVSQ6C2EXAMPLE' },
      responseElements: null,
      eventID: eventId(11),
    }),
  },
  // switch-role
  { rule: 'switch-role', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.switchRole(), eventID: eventId(12) }) },
  {
    rule: 'switch-role', name: 'missing-fields', kind: 'missing', options: NAMED,
    // No sourceIPAddress, and no SwitchFrom: matched through the assumed-role ARN only.
    event: wrap({ ...without(f.switchRole({ region: 'eu-west-1' }), 'sourceIPAddress'), additionalEventData: { RedirectTo: 'https://console.aws.amazon.com/console/home' }, eventID: eventId(13) }),
  },
  // One page per session (lib/notify/session-key.ts): the Session line and the chat threadId.
  {
    rule: 'console-login', name: 'session-first', kind: 'complete',
    options: { ...NAMED, session: { key: 'bg-BreakGlassUser1-20261123T041209Z', page: true, status: 'first' } },
    event: wrap({ ...f.consoleLogin({ region: 'eu-west-1' }), eventID: eventId(39) }),
  },
  {
    rule: 'switch-role', name: 'session-follow-up', kind: 'complete',
    options: { ...NAMED, session: { key: 'bg-BreakGlassUser1-20261123T041209Z', page: false, status: 'follow-up', followUp: 2 } },
    event: wrap({ ...f.switchRole(), eventID: eventId(40) }),
  },
  // user-credentials-changed
  {
    rule: 'user-credentials-changed', name: 'complete', kind: 'complete', options: NAMED,
    event: wrap({
      ...f.iamCall('CreateAccessKey', { userName: f.USER }),
      responseElements: { accessKey: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', userName: f.USER, createDate: 'Nov 23, 2026, 4:12:09 AM' } },
      eventID: eventId(14),
    }),
  },
  {
    rule: 'user-credentials-changed', name: 'change-password', kind: 'missing', options: NAMED,
    // ChangePassword: requestParameters null; the user acts on itself.
    event: wrap({ ...f.iamCall('ChangePassword', null, { actor: f.iamUser() }), eventID: eventId(15) }),
  },
  {
    rule: 'user-credentials-changed', name: 'missing-fields', kind: 'missing', options: PLAIN,
    // DeleteVirtualMFADevice names only the device; no userIdentity, no source IP, no user agent.
    event: wrap({ ...without(f.iamCall('DeleteVirtualMFADevice', { serialNumber: `arn:aws:iam::${f.S}:mfa/${f.USER}` }), 'userIdentity', 'sourceIPAddress', 'userAgent'), eventID: eventId(16) }),
  },
  // role-changed
  {
    rule: 'role-changed', name: 'complete', kind: 'complete', options: NAMED,
    event: wrap({ ...f.iamCall('UpdateAssumeRolePolicy', { roleName: f.ROLE, policyDocument: '{"Version":"2012-10-17","Statement":[]}' }, { account: f.M }), eventID: eventId(17) }),
  },
  {
    rule: 'role-changed', name: 'missing-fields', kind: 'missing', options: NAMED,
    // A denied attempt by a session whose identity has no arn; no user agent.
    event: wrap({
      ...without(f.apiCall({ source: 'iam.amazonaws.com', name: 'AttachRolePolicy', params: { roleName: f.ROLE }, account: f.MGMT, error: 'AccessDenied', actor: { type: 'AssumedRole', principalId: 'AROAEXAMPLEID:bob', accountId: f.MGMT } }), 'userAgent'),
      eventID: eventId(18),
    }),
  },
  // alerting-tampered
  {
    rule: 'alerting-tampered', name: 'complete', kind: 'complete', options: NAMED,
    event: wrap({ ...f.apiCall({ source: 'cloudtrail.amazonaws.com', name: 'StopLogging', params: { name: `arn:aws:cloudtrail:us-east-1:${f.S}:trail/breakglass-trail` } }), eventID: eventId(19) }),
  },
  {
    rule: 'alerting-tampered', name: 'sns-unsubscribe', kind: 'complete', options: NAMED,
    event: wrap({ ...f.apiCall({ source: 'sns.amazonaws.com', name: 'Unsubscribe', params: { subscriptionArn: `${topicArn}:3f1e2d4c-5b6a-4789-8abc-def012345678` } }), eventID: eventId(20) }),
  },
  {
    rule: 'alerting-tampered', name: 'kms-schedule-deletion', kind: 'complete', options: PLAIN,
    event: wrap({ ...f.apiCall({ source: 'kms.amazonaws.com', name: 'ScheduleKeyDeletion', params: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', pendingWindowInDays: 7 } }), eventID: eventId(21) }),
  },
  {
    rule: 'alerting-tampered', name: 'missing-fields', kind: 'missing', options: NAMED,
    // No userIdentity, source IP or user agent, and no detail.eventTime: the envelope's time is used.
    event: {
      ...wrap({ ...without(f.apiCall({ source: 'events.amazonaws.com', name: 'DeleteRule', params: { name: 'breakglass-fwd-console-login' }, account: f.M, region: 'eu-central-1' }), 'userIdentity', 'sourceIPAddress', 'userAgent', 'eventTime'), eventID: eventId(22) }),
      time: '2026-11-23T04:12:09Z',
    },
  },
  // root-console-login
  { rule: 'root-console-login', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.consoleLogin({ root: true, account: f.M }), eventID: eventId(23) }) },
  {
    rule: 'root-console-login', name: 'failure-missing-fields', kind: 'missing', options: PLAIN,
    event: wrap({ ...without(f.consoleLogin({ root: true, account: f.MGMT, result: 'Failure' }), 'sourceIPAddress', 'additionalEventData'), eventID: eventId(24) }),
  },
  // user-credentials-changed: the group and its managed policy (issue 11, item 1)
  {
    rule: 'user-credentials-changed', name: 'group-policy-version', kind: 'complete', options: NAMED,
    event: wrap({ ...f.iamCall('CreatePolicyVersion', { policyArn: `arn:aws:iam::${f.S}:policy/breakglass-users`, policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', setAsDefault: true }), eventID: eventId(25) }),
  },
  {
    rule: 'user-credentials-changed', name: 'group-member-added', kind: 'complete', options: NAMED,
    event: wrap({ ...f.iamCall('AddUserToGroup', { groupName: 'breakglass-users', userName: 'mallory' }), eventID: eventId(26) }),
  },
  // assume-root (issue 11, item 5)
  { rule: 'assume-root', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.assumeRoot(), eventID: eventId(27) }) },
  {
    rule: 'assume-root', name: 'missing-fields', kind: 'missing', options: PLAIN,
    // A refused call from an account whose caller has no ARN; no task policy, no response, no source IP.
    event: wrap({
      ...without(f.assumeRoot({ callerAccount: f.M, denied: true }), 'sourceIPAddress', 'userAgent'),
      userIdentity: { type: 'AssumedRole', principalId: 'AROAEXAMPLEID:carol', accountId: f.M },
      requestParameters: { targetPrincipal: '444444444444' },
      eventID: eventId(28),
    }),
  },
  // root-activity (issue 11, item 5)
  { rule: 'root-activity', name: 'complete', kind: 'complete', options: NAMED, event: wrap({ ...f.rootCall({ params: {} }), eventID: eventId(29) }) },
  {
    rule: 'root-activity', name: 'root-access-key', kind: 'complete', options: NAMED,
    event: wrap({ ...f.rootCall({ account: f.MGMT, session: false, source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true, params: { Host: 's3.amazonaws.com' } }), eventID: eventId(30) }),
  },
  {
    rule: 'root-activity', name: 'missing-fields', kind: 'missing', options: PLAIN,
    // Root identity with neither arn nor access key; no request parameters, source IP or user agent.
    event: wrap({
      ...without(f.rootCall({ source: 's3.amazonaws.com', name: 'DeleteBucketPolicy', region: 'eu-central-1' }), 'sourceIPAddress', 'userAgent'),
      userIdentity: { type: 'Root', accountId: f.M },
      requestParameters: null,
      eventID: eventId(38),
    }),
  },
  // ---- hostile values (PLAIN options: the only non-AWS URL an output may hold is a configured runbook URL) ----
  {
    rule: 'console-login', name: 'hostile-markdown-link-user-agent', kind: 'hostile', options: PLAIN,
    event: wrap({ ...f.consoleLogin(), userAgent: '[Security team: click here](https://evil.example/login)', eventID: eventId(31) }),
  },
  {
    rule: 'assume-role', name: 'hostile-url-session-name', kind: 'hostile', options: PLAIN,
    // The session name is the caller's choice; AWS limits real ones to [\w+=,.@-], a forged or pasted record does not.
    event: wrap({
      ...f.assumeRoleCaller(),
      requestParameters: { roleArn: `arn:aws:iam::${f.M}:role/${f.ROLE}`, roleSessionName: 'https://evil.example/verify', durationSeconds: 3600 },
      responseElements: { assumedRoleUser: { assumedRoleId: 'AROAEXAMPLEROLEID:www.evil.example', arn: `arn:aws:sts::${f.M}:assumed-role/${f.ROLE}/www.evil.example` } },
      eventID: eventId(32),
    }),
  },
  {
    rule: 'role-changed', name: 'hostile-mentions-policy-name', kind: 'hostile', options: PLAIN,
    event: wrap({
      ...f.iamCall('PutRolePolicy', {
        roleName: f.ROLE,
        policyName: '@channel <!here> <!everyone> <@U0123ABCD> approve at <https://evil.example|the portal>',
        policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      }, { account: f.M }),
      eventID: eventId(33),
    }),
  },
  {
    rule: 'console-login-failure', name: 'hostile-forged-lines-error-message', kind: 'hostile', options: PLAIN,
    event: wrap({ ...f.consoleLogin({ result: 'Failure' }), errorMessage: 'Failed authentication\nSeverity: info\r\nWhat to do now\n  1. Nothing: this was a scheduled test.\u2028Alert rule: heartbeat', eventID: eventId(34) }),
  },
  {
    rule: 'user-credentials-changed', name: 'hostile-bidi-user-name', kind: 'hostile', options: PLAIN,
    // A caller whose name is displayed reversed (U+202E) and a new user name with zero-width and isolate characters.
    event: wrap({
      ...f.iamCall('UpdateUser', { userName: f.USER, newUserName: 'BreakGlass\u200bUser1\u2066\u202egnp.exe\u2069' }, {
        actor: { type: 'IAMUser', principalId: 'AIDAEXAMPLEOPS000001', arn: `arn:aws:iam::${f.S}:user/ops\u202Enimda`, accountId: f.S, userName: 'ops\u202Enimda' },
      }),
      eventID: eventId(35),
    }),
  },
  {
    rule: 'root-console-login', name: 'hostile-100kb-user-agent', kind: 'hostile', options: PLAIN,
    event: wrap({ ...f.consoleLogin({ root: true, account: f.M }), userAgent: `Mozilla/5.0 ${'A'.repeat(100 * 1024)}`, eventID: eventId(36) }),
  },
  {
    rule: 'role-assumed', name: 'hostile-backtick-breakout', kind: 'hostile', options: PLAIN,
    // Tries to close the code span the value is printed in, then to format, mention and link outside it.
    event: wrap({
      ...f.assumeRoleOwner(),
      requestParameters: { roleArn: `arn:aws:iam::${f.M}:role/${f.ROLE}`, roleSessionName: 'x` *URGENT* _ack_ ~no~ <!channel> [reset MFA](https://evil.example/r) `y', durationSeconds: 3600 },
      responseElements: null,
      sourceIPAddress: '``` evil.example ```',
      eventID: eventId(37),
    }),
  },
];

// ---- invariants -----------------------------------------------------------------------------------------------

const TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/;
/** Words that only appear when a missing value leaked into the text. */
const LEAKS = /\bundefined\b|\bnull\b|\[object Object\]|\bNaN\b/;

function assertInvariants(n: Notification, expect: { eventId?: string; time?: boolean } = {}): void {
  // SNS Publish: subject "less than 100 characters", no line breaks or control characters; printable ASCII here.
  assert.ok(n.subject.length > 0 && n.subject.length <= SUBJECT_MAX_LENGTH, `subject has ${n.subject.length} characters: ${n.subject}`);
  assert.ok(SUBJECT_MAX_LENGTH < 100);
  assert.match(n.subject, /^[\x20-\x7e]+$/, `subject is not printable ASCII: ${JSON.stringify(n.subject)}`);
  assert.match(n.subject, /^\[(CRITICAL|HIGH|MEDIUM|INFO)\] /);
  // Message: only newlines as control characters; no bidi, zero-width or other format characters anywhere.
  assert.doesNotMatch(n.message, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/, 'control character in the message');
  const chat = JSON.stringify(n.chat);
  for (const [what, text] of [['subject', n.subject], ['message', n.message], ['chat', chatStrings(n.chat).join('\n')]] as const) {
    assert.doesNotMatch(text, /\p{Cf}/u, `${what} holds a format character (bidi, zero-width, ...)`);
    assert.doesNotMatch(text, /[\uE000-\uF8FF]/, `${what} holds a private-use character (an untrusted-value mark leaked)`);
  }
  for (const line of chatLines(n.chat)) {
    assert.equal((line.match(/`/g) ?? []).length % 2, 0, `unbalanced code span in chat line: ${line}`);
  }
  for (const [what, text] of [['subject', n.subject], ['message', n.message], ['chat', chat]] as const) {
    assert.doesNotMatch(text, LEAKS, `${what} shows a missing value: ${text.match(LEAKS)?.[0]}`);
  }
  if (expect.eventId) {
    assert.ok(n.message.includes(expect.eventId), 'message lacks the event ID');
    assert.ok(n.chat.content.description.includes(expect.eventId), 'chat lacks the event ID');
  }
  if (expect.time) {
    assert.match(n.message, TIME);
    assert.match(n.chat.content.description, TIME);
  }
  assertChatSchema(n.chat);
}

/** The custom-notification schema of Amazon Q Developer in chat applications (AWS Chatbot). */
function assertChatSchema(chat: any): void {
  assert.equal(chat.version, '1.0');
  assert.equal(chat.source, 'custom');
  const allowedTop = new Set(['version', 'source', 'id', 'content', 'metadata']);
  for (const k of Object.keys(chat)) assert.ok(allowedTop.has(k), `unexpected top-level key ${k}`);
  if (chat.id !== undefined) assert.equal(typeof chat.id, 'string');
  const c = chat.content;
  assert.equal(c.textType, 'client-markdown');
  assert.equal(typeof c.title, 'string');
  assert.ok(c.title.length > 0 && !c.title.includes('\n'));
  assert.equal(typeof c.description, 'string');
  assert.ok(c.description.length > 0);
  for (const k of Object.keys(c)) assert.ok(['textType', 'title', 'description', 'nextSteps', 'keywords'].includes(k), `unexpected content key ${k}`);
  for (const list of [c.nextSteps, c.keywords]) {
    if (list === undefined) continue;
    assert.ok(Array.isArray(list) && list.every((s: unknown) => typeof s === 'string' && s.length > 0));
  }
  const m = chat.metadata;
  if (m === undefined) return;
  for (const k of Object.keys(m)) assert.ok(['threadId', 'summary', 'eventType', 'relatedResources', 'additionalContext'].includes(k), `unexpected metadata key ${k}`);
  for (const k of ['threadId', 'summary', 'eventType'] as const) if (m[k] !== undefined) assert.equal(typeof m[k], 'string');
  if (m.relatedResources !== undefined) assert.ok(m.relatedResources.every((s: unknown) => typeof s === 'string'));
  if (m.additionalContext !== undefined) assert.ok(Object.values(m.additionalContext).every((s) => typeof s === 'string'));
}

/** Every string of a chat notification (what Chatbot may render). */
function chatStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(chatStrings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(chatStrings);
  return [];
}

/** The rendered lines of a chat notification (title, description lines, next steps). */
const chatLines = (chat: Notification['chat']) => [chat.content.title, ...chat.content.description.split('\n'), ...(chat.content.nextSteps ?? [])];

/** The part of a chat line outside inline code spans. */
const outsideCode = (line: string) => line.split('`').filter((_, i) => i % 2 === 0).join('');

/** Hosts that may be linked: AWS's own (console links, documentation). */
const AWS_HOST = /(^|\.)(aws\.amazon\.com|amazonaws\.com)$/;

/**
 * What no rendering may contain, whatever the record says: links to non-AWS hosts (with a scheme or bare), Markdown
 * links, Slack control sequences and @-mentions, a line forged by a value, raw control/format characters; in chat,
 * no "<" or ">" at all and untrusted words only inside code spans. `hostile` lists words that come only from the
 * record and must therefore appear in chat only inside code spans.
 */
function assertInert(n: Notification, hostile: readonly string[] = []): void {
  const chat = chatStrings(n.chat);
  for (const [what, text] of [['subject', n.subject], ['message', n.message], ...chat.map((c, i) => [`chat string ${i}`, c] as const)] as const) {
    for (const m of text.matchAll(/\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#)\]`'"]+)/gi)) {
      if (/^(hxxps?|fxps?)$/i.test(m[1]!)) continue; // defanged: no client links these
      assert.match(m[2]!.toLowerCase(), AWS_HOST, `${what}: link to a non-AWS host: ${m[0]}`);
    }
    assert.doesNotMatch(text, /evil\.example|evil[.\u3002\uFF0E\uFF61]example/i, `${what}: a host name from the record is not defanged`);
    assert.doesNotMatch(text, /\]\(/, `${what}: Markdown link syntax`);
    assert.doesNotMatch(text, /<[!@#]/, `${what}: Slack control sequence`);
    assert.doesNotMatch(text, /(^|[^[\uFF3B])[@\uFF20](here|channel|everyone)\b/i, `${what}: @-mention`);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]/, `${what}: control or format character`);
  }
  // Every line of the message is one the renderer wrote: each section once, steps numbered 1..n once, no extra
  // header-like lines.
  const lines = n.message.split('\n');
  for (const header of ['What happened', 'What to do now', 'CloudTrail record']) {
    assert.equal(lines.filter((l) => l === header).length, 1, `section "${header}" is not there exactly once`);
  }
  assert.equal(lines.filter((l) => l.startsWith('Alert rule: ')).length, 1, 'forged "Alert rule:" line');
  assert.deepEqual(lines.filter((l) => /^ {2}\d+\. /.test(l)).map((l) => Number(/\d+/.exec(l)![0])), lines.filter((l) => /^ {2}\d+\. /.test(l)).map((_, i) => i + 1), 'forged step');
  for (const line of lines) assert.doesNotMatch(line, /^\s*(Severity|Subject)\b/i, `forged line in the message: ${line}`);
  for (const line of chatLines(n.chat)) {
    const outside = outsideCode(line);
    assert.doesNotMatch(outside, /[<>]/, `chat: "<" or ">" outside code: ${line}`);
    for (const word of hostile) assert.ok(!outside.includes(word), `chat: "${word}" from the record outside a code span: ${line}`);
  }
  for (const c of chat) assert.doesNotMatch(c, /[<>]/, `chat: "<" or ">" (Slack links and mentions): ${c}`);
  assert.doesNotMatch(n.chat.content.description, /^\s*(Severity|What to do now)\b/m, 'forged line in the chat description');
}

// ---- golden files ---------------------------------------------------------------------------------------------

const GOLDEN_DIR = join(__dirname, '..', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
if (UPDATE && process.env.CI) throw new Error('UPDATE_GOLDEN=1 is not allowed in CI: golden files are reviewed by people, not rewritten by CI.');

const written = new Set<string>();

function golden(file: string, actual: string): void {
  written.add(file);
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    if (!existsSync(path) || readFileSync(path, 'utf8') !== actual) writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden file test/golden/${file}: run UPDATE_GOLDEN=1 node --import tsx --test test/notify/*.test.ts and review it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `test/golden/${file} differs; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`);
}

const emailText = (n: Notification) => `${n.subject}\n\n${n.message}`;
const chatText = (n: Notification) => `${JSON.stringify(n.chat, null, 2)}\n`;

/** The example deployment (examples/breakglass.config.yaml), built by hand to keep aws-cdk-lib out of this test. */
const ctx: DetectionContext = {
  securityAccountId: f.S,
  homeRegion: 'us-east-1',
  userNames: [f.USER, 'BreakGlassUser2'],
  roleName: f.ROLE,
  regions: [...DEFAULT_ENABLED_REGIONS],
  managementAccountId: f.MGMT,
  memberAccounts: [],
  targetsOrganizationalUnits: true,
};
const sim = new Simulator(ctx);

/** Words that only the hostile cases' values contain: in chat they must appear inside code spans only. */
const HOSTILE_WORDS = ['evil', 'click here', 'URGENT', 'approve', 'Severity', 'scheduled test', 'gnp', 'nimda', 'AAAA', 'reset MFA'];

describe('alert rendering: golden files', () => {
  it('every catalogue rule has a complete case and a case with missing fields', () => {
    for (const rule of CATALOGUE) {
      const kinds = new Set(CASES.filter((c) => c.rule === rule.id).map((c) => c.kind));
      assert.ok(kinds.has('complete'), `${rule.id}: no complete case`);
      assert.ok(kinds.has('missing'), `${rule.id}: no case with missing fields`);
    }
    const names = CASES.map((c) => `${c.rule}.${c.name}`);
    assert.equal(new Set(names).size, names.length, 'case names must be unique per rule');
  });

  for (const c of CASES) {
    it(`${c.rule}.${c.name}`, () => {
      // The case must be an event the deployed system would actually alert on with this rule.
      assert.ok(sim.evaluate(c.event).some((m) => m.rule === c.rule), `${c.rule}.${c.name}: the event does not raise ${c.rule}`);
      const n = renderNotification(c.event, ruleById(c.rule)!, c.options);
      assertInvariants(n, { eventId: c.event.detail?.eventID ?? c.event.id, time: true });
      if (c.kind === 'hostile') assertInert(n, HOSTILE_WORDS);
      golden(`${c.rule}.${c.name}.txt`, emailText(n));
      golden(`${c.rule}.${c.name}.chat.json`, chatText(n));
    });
  }

  it('heartbeat (weekly and daily)', () => {
    const weekly = renderHeartbeat('2026-11-23T09:00:00Z', { accountId: f.S, region: 'us-east-1', accountNames: { [f.S]: 'Security' } });
    assertInvariants(weekly, { time: true });
    assert.equal(weekly.subject, '[INFO] Break-glass alert path heartbeat (weekly)');
    golden('heartbeat.weekly.txt', emailText(weekly));
    golden('heartbeat.weekly.chat.json', chatText(weekly));
    const daily = renderHeartbeat(new Date('2026-11-23T09:00:00Z'), { period: 'daily' });
    assertInvariants(daily, { time: true });
    assert.equal(daily.subject, '[INFO] Break-glass alert path heartbeat (daily)');
    golden('heartbeat.daily.txt', emailText(daily));
    // With the drill dates (lib/notify/drill-status.ts): one drilled, one used and overdue, one never, one unreadable.
    const drills = renderHeartbeat('2026-11-23T09:00:00Z', {
      drills: [
        { user: f.USER, basis: 'drill', last: '2026-11-01T10:00:00.000Z', due: '2026-12-16T10:00:00.000Z' },
        { user: 'BreakGlassUser2', basis: 'use', last: '2026-09-20T08:30:00.000Z', due: '2026-11-04T08:30:00.000Z' },
        { user: 'BreakGlassUser3', basis: 'none' },
        { user: 'BreakGlassUser4', error: 'AccessDenied: see https://evil.example\nSeverity: none' },
      ],
    });
    golden('heartbeat.drills.txt', emailText(drills));
    golden('heartbeat.drills.chat.json', chatText(drills));
    assert.match(drills.message, /A drill is due now: BreakGlassUser3 has never been drilled or used\./);
    assert.match(drills.message, /BreakGlassUser2: last used 2026-09-20 08:30:00 UTC; next drill due 2026-11-04 08:30:00 UTC \(OVERDUE\)\./);
    assert.doesNotMatch(drills.message, /https:\/\/evil\.example|\nSeverity: none/, 'AWS error text is untrusted');
    const soon = renderHeartbeat('2026-11-23T09:00:00Z', { drills: [{ user: f.USER, basis: 'drill', last: '2026-11-01T10:00:00.000Z', due: '2026-12-16T10:00:00.000Z' }] });
    assert.match(soon.message, /The next drill is due 2026-12-16 10:00:00 UTC \(BreakGlassUser1\)\./);
    assert.doesNotMatch(weekly.message, /^Drills$/m, 'no drill paragraph without dates');
  });

  it('no stale golden files', () => {
    if (!existsSync(GOLDEN_DIR)) return;
    const stale = readdirSync(GOLDEN_DIR, { withFileTypes: true }).filter((e) => e.isFile() && !written.has(e.name)).map((e) => e.name);
    assert.deepEqual(stale, [], 'golden files without a case: delete them');
  });
});

// ---- untrusted text everywhere -------------------------------------------------------------------------------------

/** Links, mentions, markup, a forged line, bidi and Slack separators; ZQX marks where it went. */
const PAYLOAD = 'ZQX` *b* _i_ ~s~ <!channel> @here <@U1> [x](https://evil.example/p) www.evil.example/q |&amp;\nSeverity: info\u202E``';

/** Every string in an event replaced by (or suffixed with) the payload, numbers and booleans left alone. */
function poison(v: unknown, mode: 'replace' | 'suffix'): unknown {
  if (typeof v === 'string') return mode === 'replace' ? PAYLOAD : `${v}${PAYLOAD}`;
  if (Array.isArray(v)) return v.map((x) => poison(x, mode));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x, mode)]));
  return v;
}

describe('untrusted text: every field of every rule', () => {
  // Suffixing keeps the shapes the rules parse (ARNs, names), so every wording path is reached with hostile text;
  // replacing reaches the fallbacks. Without a runbook URL, the only links left are AWS console links.
  for (const c of CASES.filter((x) => x.kind !== 'hostile')) {
    for (const mode of ['suffix', 'replace'] as const) {
      it(`${c.rule}.${c.name} (${mode})`, () => {
        const event = poison(c.event, mode) as Rec;
        const n = renderNotification(event, ruleById(c.rule)!, { ...c.options, runbookUrl: undefined });
        assertInvariants(n);
        assertInert(n, ['ZQX', 'evil', 'Severity']);
        assert.ok(n.message.includes('ZQX'), 'the poisoned values are shown (escaped), not dropped');
        assert.match(n.subject, /^[\x20-\x7e]+$/);
      });
    }
  }

  // Every change event the wording knows, with every request parameter the wording reads, all poisoned.
  const changeEvents: Array<[RuleId, string, readonly string[]]> = [
    ['user-credentials-changed', 'iam.amazonaws.com', [...USER_CREDENTIAL_EVENTS, 'ChangePassword', ...USERS_GROUP_EVENTS, ...USERS_POLICY_EVENTS]],
    ['role-changed', 'iam.amazonaws.com', ROLE_CHANGE_EVENTS],
    ['alerting-tampered', 'events.amazonaws.com', ['DeleteRule', 'DisableRule', 'PutRule', 'RemoveTargets', 'PutTargets', 'DeleteEventBus', 'PutPermission', 'RemovePermission']],
    ['alerting-tampered', 'sns.amazonaws.com', ['DeleteTopic', 'SetTopicAttributes', 'AddPermission', 'Unsubscribe', 'SetSubscriptionAttributes']],
    ['alerting-tampered', 'kms.amazonaws.com', ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DeleteAlias', 'UpdateAlias']],
    ['alerting-tampered', 'cloudtrail.amazonaws.com', ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors']],
    ['alerting-tampered', 'cloudformation.amazonaws.com', ['DeleteStackSet', 'UpdateStackSet', 'DeleteStackInstances']],
  ];
  const keys = ['userName', 'roleName', 'name', 'rule', 'trailName', 'topicArn', 'subscriptionArn', 'keyId', 'aliasName', 'stackSetName', 'groupName',
    'serialNumber', 'policyArn', 'policyName', 'permissionsBoundary', 'accessKeyId', 'newUserName', 'status', 'state', 'attributeName',
    'pendingWindowInDays', 'targetKeyId', 'versionId'];
  it('every change event, every parameter the wording reads', () => {
    for (const [id, source, names] of changeEvents) {
      for (const name of names) {
        for (const drop of [[], keys.slice(0, 11)]) {
          const params: Rec = Object.fromEntries(keys.filter((k) => !drop.includes(k)).map((k) => [k, `${k}${PAYLOAD}`]));
          params.ids = [`id1${PAYLOAD}`, `id2${PAYLOAD}`];
          const rec = { ...f.apiCall({ source, name, params }), responseElements: { accessKey: { accessKeyId: `AKIA${PAYLOAD}` } } };
          const n = renderNotification(wrap(rec), ruleById(id)!);
          assertInvariants(n, { time: true });
          assertInert(n, ['ZQX', 'evil', 'Severity']);
        }
      }
    }
  });
});

describe('untrusted text: the break-glass group\'s events with every other parameter poisoned', () => {
  it('group-targeted wording escapes the member, the policy and the caller', () => {
    for (const name of USERS_GROUP_EVENTS) {
      const params: Rec = { groupName: 'breakglass-users', userName: `mallory${PAYLOAD}`, policyArn: `arn:aws:iam::aws:policy/x${PAYLOAD}`, policyName: `p${PAYLOAD}`, newGroupName: `g${PAYLOAD}` };
      const actor = { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${f.S}:user/ops${PAYLOAD}`, accountId: f.S, userName: `ops${PAYLOAD}` };
      const n = renderNotification(wrap(f.apiCall({ source: 'iam.amazonaws.com', name, params, actor })), ruleById('user-credentials-changed')!);
      assertInvariants(n, { time: true });
      assertInert(n, ['ZQX', 'evil', 'Severity']);
      assert.match(n.message, /break-glass group/);
    }
  });
});

// ---- edges -------------------------------------------------------------------------------------------------------

const rule = (id: RuleId) => ruleById(id)!;

describe('alert rendering: edges', () => {
  it('subject: long account names and titles are cut gracefully, severity and title first', () => {
    const longName = 'A very long account name for the payments platform production workload in Europe';
    const n = renderNotification(wrap(f.switchRole()), rule('switch-role'), { accountNames: { [f.M]: longName } });
    assert.ok(n.subject.length <= SUBJECT_MAX_LENGTH);
    // The name is dropped before the user: the ID-only variant fits.
    assert.equal(n.subject, '[CRITICAL] Console switch into the break-glass role: BreakGlassUser1 in 333333333333');
    const custom = { ...rule('console-login'), title: 'An unusually long custom title that on its own nearly fills the whole subject line of an email' };
    const cut = renderNotification(wrap(f.consoleLogin()), custom);
    assert.ok(cut.subject.length <= SUBJECT_MAX_LENGTH, cut.subject);
    assert.ok(cut.subject.startsWith('[CRITICAL] An unusually long custom title'));
    assert.ok(cut.subject.endsWith('...'));
  });

  it('subject: printable ASCII only; accents folded, other characters replaced, line breaks removed', () => {
    const n = renderNotification(wrap(f.consoleLogin()), rule('console-login'), { accountNames: { [f.S]: 'S\u00e9curit\u00e9\r\n\u5b89\u5168' } });
    assertInvariants(n, { time: true });
    assert.equal(n.subject, '[CRITICAL] Break-glass console sign-in: BreakGlassUser1 in Securite ?? 222222222222 (us-east-1)');
    // The message keeps UTF-8 but never a line break inside a value.
    assert.ok(n.message.includes('222222222222 (S\u00e9curit\u00e9 \u5b89\u5168)'));
  });

  it('control characters and newlines in record values cannot forge lines', () => {
    const rec: Rec = { ...f.consoleLogin(), userAgent: 'curl/8.0\nOutcome: Success\u0007\u001b[31m', sourceIPAddress: '203.0.113.9\r\nMFA used: Yes' };
    const n = renderNotification(wrap(rec), rule('console-login'));
    assertInvariants(n, { eventId: rec.eventID, time: true });
    assert.equal(n.message.split('\n').filter((l) => /^\s*Outcome:/.test(l)).length, 1);
    assert.equal(n.message.split('\n').filter((l) => /^\s*MFA used:/.test(l)).length, 1);
    // Shown as escapes, so the attempt stays visible.
    assert.ok(n.message.includes('User agent: curl/8.0\\nOutcome: Success\\u0007\\u001B[31m\n'), n.message);
    assert.ok(n.message.includes('Source IP:  203.0.113.9\\r\\nMFA used: Yes\n'), n.message);
  });

  it('very long values are cut at MAX_VALUE_CHARS with a visible count of what was left out', () => {
    const n = renderNotification(wrap({ ...f.consoleLogin(), userAgent: 'x'.repeat(5000) }), rule('console-login'));
    const line = n.message.split('\n').find((l) => l.includes('User agent:'))!;
    assert.equal(line, `  User agent: ${'x'.repeat(MAX_VALUE_CHARS)}\u2026 (4,744 more characters)`);
    const chatLine = n.chat.content.description.split('\n').find((l) => l.startsWith('User agent:') || l.includes('xxxx'));
    assert.equal(chatLine, undefined, 'the chat description has no user agent line');
    const ip = renderNotification(wrap({ ...f.consoleLogin(), sourceIPAddress: 'y'.repeat(300) }), rule('console-login'));
    assert.ok(ip.chat.content.description.includes(`Source IP: \`${'y'.repeat(MAX_VALUE_CHARS)}\u2026\` (44 more characters)`));
    // Surrogate pairs are never split.
    const emoji = renderNotification(wrap({ ...f.consoleLogin(), userAgent: '\u{1F600}'.repeat(300) }), rule('console-login'));
    assert.ok(emoji.message.includes(`${'\u{1F600}'.repeat(MAX_VALUE_CHARS)}\u2026 (44 more characters)`));
  });

  it('malformed and empty events render for every rule without leaking undefined/null/[object Object]', () => {
    const odd: Rec[] = [
      {},
      { detail: null },
      { detail: 'text' },
      { id: 'eb-1', account: 123, region: ['x'], time: 'yesterday', detail: { userIdentity: 'root', requestParameters: [1, 2], responseElements: 'ok', eventTime: 'Nov 23, 2026' } },
      { detail: { eventName: { a: 1 }, userIdentity: { type: 'IAMUser', userName: { toString: 'x' }, arn: null }, requestParameters: { userName: null, roleArn: 42, roleName: { n: 1 } }, additionalEventData: { SwitchFrom: null, MFAUsed: null } } },
      { detail: { eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com', userIdentity: { type: 'AWSAccount' }, requestParameters: { roleArn: 'not-an-arn' } } },
    ];
    for (const r of CATALOGUE) {
      for (const e of odd) {
        const n = renderNotification(e, r);
        assertInvariants(n);
        // A time that cannot be read is shown as given (issue 11, item 7); only an absent one is unknown.
        assert.match(n.message, e.detail?.eventTime ? /Time: +Nov 23, 2026 \(as recorded: not an ISO 8601 time\)/ : /Time: +unknown/);
        assert.match(n.message, /Event ID: +unknown/);
        assert.doesNotMatch(n.message, /Console link/);
      }
    }
  });

  it('only CloudTrail/EventBridge ISO times are formatted; others are shown as given, never as unknown', () => {
    const e = wrap({ ...f.consoleLogin(), eventTime: '2026-11-23T04:12:09.123+02:00' });
    assert.match(renderNotification(e, rule('console-login')).message, /Time: +2026-11-23 02:12:09 UTC/);
    const bad = { ...wrap(f.consoleLogin()), time: undefined, detail: { ...wrap(f.consoleLogin()).detail, eventTime: '11/23/2026 4:12' } };
    const n = renderNotification(bad, rule('console-login'));
    assert.match(n.message, /Time: +11\/23\/2026 4:12 \(as recorded: not an ISO 8601 time\)/);
    assert.doesNotMatch(n.message, /Time: +unknown/);
    assertInvariants(n);
  });

  it('console link: the event\'s region wins; consoleRegion is only a fallback; other partitions get none', () => {
    const e = wrap(f.consoleLogin({ region: 'eu-west-1' }));
    const id = e.detail.eventID;
    assert.ok(renderNotification(e, rule('console-login'), { consoleRegion: 'us-east-1' }).message
      .includes(`https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/${id}`));
    const noRegion = { ...e, region: undefined, detail: { ...e.detail, awsRegion: undefined } };
    assert.doesNotMatch(renderNotification(noRegion, rule('console-login')).message, /Console link/);
    assert.ok(renderNotification(noRegion, rule('console-login'), { consoleRegion: 'eu-central-1' }).message
      .includes(`https://eu-central-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-central-1#/events/${id}`));
    const china = { ...e, region: 'cn-north-1' };
    const n = renderNotification(china, rule('console-login'));
    assert.doesNotMatch(n.message, /Console link/);
    assert.match(n.message, /Sign in to account 222222222222, open CloudTrail > Event history in cn-north-1 and filter on Event ID/);
    const evil = { ...e, detail: { ...e.detail, eventID: 'x#/../../evil?y=1' } };
    assert.doesNotMatch(renderNotification(evil, rule('console-login')).message, /Console link/);
  });

  it('runbook: documented default, or the configured URL, with the rule\'s section', () => {
    const e = wrap(f.consoleLogin());
    assert.match(renderNotification(e, rule('console-login')).message, /Runbook: docs\/runbook\.md \(section "Break-glass console sign-in"\)/);
    assert.match(renderNotification(e, rule('console-login'), { runbookUrl: 'https://runbooks.example.org/bg' }).message, /Runbook: https:\/\/runbooks\.example\.org\/bg \(section/);
  });

  it('special values such as "AWS Internal" are shown as is', () => {
    const n = renderNotification(wrap(f.assumeRoleCaller({ console: true })), rule('assume-role'));
    assert.match(n.message, /Source IP: +AWS Internal \(/);
    assert.match(n.message, /User agent: +AWS Internal\n/);
  });

  it('suggested commands only interpolate values of the shape AWS allows', () => {
    const rec = { ...f.iamCall('CreateAccessKey', { userName: 'bob; rm -rf /' }), responseElements: { accessKey: { accessKeyId: '$(whoami)' } } };
    const n = renderNotification(wrap(rec), rule('user-credentials-changed'));
    assert.match(n.message, /--user-name <user-name> --access-key-id <access-key-id>/);
    assert.doesNotMatch(n.message, /--user-name bob;/);
  });

  it('chat: untrusted text cannot create links, mentions or break out of code spans', () => {
    const rec = { ...f.consoleLogin(), sourceIPAddress: '`<!channel>` <https://evil.example|click>' };
    const n = renderNotification(wrap(rec), rule('console-login'));
    const chat = JSON.stringify(n.chat);
    assert.doesNotMatch(chat, /[<>]/);
    const ipLine = n.chat.content.description.split('\n').find((l) => l.startsWith('Source IP:'))!;
    assert.equal(ipLine.match(/`/g)!.length, 2);
    assert.equal(ipLine, 'Source IP: `\u02CB\u2039!channel\u203A\u02CB \u2039hxxps://evil[.]example\u00A6click\u203A`'.replace(/\[/g, '\uFF3B').replace(/\]/g, '\uFF3D'));
    assertInert(n, ['evil', 'click']);
  });

  it('AWS-controlled fields are printed as they are only in their own shape; otherwise escaped like any value', () => {
    const base = wrap(f.consoleLogin({ region: 'eu-west-1' }));
    const forged = {
      ...base, id: '<!here>', account: '22222222222<!here>', region: 'eu-west-1 [x](https://evil.example)',
      detail: { ...base.detail, eventName: 'ConsoleLogin\nSeverity: info', eventSource: 'signin.evil.example', eventID: '[id](https://evil.example)' },
    };
    const n = renderNotification(forged, rule('console-login'));
    assertInvariants(n);
    assertInert(n, ['evil', 'Severity', '22222222222']);
    assert.match(n.message, /Event: +ConsoleLogin\\nSeverity: info \(signin\[\.\]evil\[\.\]example\)/);
    assert.doesNotMatch(n.message, /Console link/);
    assert.equal(n.chat.id, undefined);
    assert.deepEqual(n.chat.content.keywords, ['CRITICAL', 'console-login']);
    assert.deepEqual(Object.keys(n.chat.metadata!.additionalContext!), ['rule', 'severity']);
    // Well-shaped values stay plain and copyable.
    const ok = renderNotification(base, rule('console-login'));
    assert.match(ok.message, /Event: +ConsoleLogin \(signin\.amazonaws\.com\)/);
    assert.match(ok.chat.content.description, /\nAccount: 222222222222\n/);
  });

  it('subject: untrusted values are defanged, quoted unless bare identifiers, and never carry markup', () => {
    const n = renderNotification(wrap(f.consoleLogin({ user: 'BreakGlassUser1 - resolved, ignore https://evil.example' })), rule('console-login'));
    assertInert(n);
    assert.equal(n.subject, '[CRITICAL] Break-glass console sign-in: "BreakGlassUser1 - resolved, ignore hxxps://evil[.]example"');
    const plain = renderNotification(wrap(f.consoleLogin()), rule('console-login'));
    assert.equal(plain.subject, '[CRITICAL] Break-glass console sign-in: BreakGlassUser1 in 222222222222 (us-east-1)');
    assert.equal(plain.chat.metadata!.summary, plain.subject);
  });

  it('suggested commands never hold a value that would need defanging', () => {
    const rec = f.apiCall({ source: 'cloudtrail.amazonaws.com', name: 'StopLogging', params: { name: 'login.evil.example' } });
    const n = renderNotification(wrap(rec), rule('alerting-tampered'));
    assert.match(n.message, /aws cloudtrail start-logging --name <trail> --region us-east-1/);
    assert.match(n.message, /Changed: +CloudTrail trail login\[\.\]evil\[\.\]example/);
    assertInert(n, ['evil']);
  });

  it('relatedResources keep only inert AWS-shaped ARNs', () => {
    const n = renderNotification(wrap(f.switchRole({ user: 'alice@evil.example' })), rule('switch-role'));
    assert.deepEqual(n.chat.metadata!.relatedResources, undefined);
    const ok = renderNotification(wrap(f.switchRole()), rule('switch-role'));
    assert.deepEqual(ok.chat.metadata!.relatedResources, [`arn:aws:iam::${f.S}:user/${f.USER}`, `arn:aws:sts::${f.M}:assumed-role/${f.ROLE}/${f.USER}`]);
  });

  it('a rule without wording of its own still renders (generic text), with its request parameters capped', () => {
    const custom = { ...rule('console-login'), id: 'future-rule' as RuleId, title: 'Future rule', severity: 'medium' as const };
    const n = renderNotification(wrap(f.iamCall('ListUsers', {})), custom);
    assertInvariants(n, { time: true });
    assert.match(n.subject, /^\[MEDIUM\] Future rule: ListUsers in 222222222222 \(us-east-1\)$/);
    assert.doesNotMatch(n.message, /Request parameters/);
    const params = { userName: 'x', policyDocument: `{"a":"${'p'.repeat(5000)}"}`, note: 'see https://evil.example\n' };
    const big = renderNotification(wrap(f.iamCall('PutUserPolicy', params)), custom);
    assertInert(big, ['evil']);
    const line = big.message.split('\n').find((l) => l.includes('Request parameters:'))!;
    const json = JSON.stringify(params);
    assert.equal(line, `  Request parameters: ${json.slice(0, MAX_DOCUMENT_CHARS)}\u2026 (${(json.length - MAX_DOCUMENT_CHARS).toLocaleString('en-US')} more characters)`);
  });

  it('heartbeat: invalid time and unknown period do not leak', () => {
    const n = renderHeartbeat('not a time', { period: 'hourly' as never });
    assertInvariants(n);
    assert.match(n.message, /sent at an unknown time/);
    assert.equal(n.subject, '[INFO] Break-glass alert path heartbeat (weekly)');
  });

  it('the renderer is pure: no AWS SDK or aws-cdk-lib imports', () => {
    const dir = join(__dirname, '..', '..', 'lib', 'notify');
    for (const file of readdirSync(dir).filter((x) => /^(render.*|untrusted-text)\.ts$/.test(x))) {
      const imports = readFileSync(join(dir, file), 'utf8').match(/^import .* from '([^']+)';$/gm) ?? [];
      // ../naming: the fixed resource names (constants, no imports of its own).
      for (const line of imports) assert.match(line, /from '\.\/(render[-\w]*|untrusted-text)'|^import type .* from '\.\.\/detection\/catalogue'|^import \{ NAMES \} from '\.\.\/naming'|^import type \{ SessionOutcome \} from '\.\/session-key'|^import type \{ DrillLine \} from '\.\/drill-status'/, `${file}: ${line}`);
    }
    // The session logic the renderer takes its types from is pure too: only the audit's record reading (no imports).
    const session = readFileSync(join(dir, 'session-key.ts'), 'utf8').match(/^import [^;]* from '([^']+)';$/gm) ?? [];
    assert.deepEqual(session.map((l) => /from '([^']+)'/.exec(l)![1]), ['../audit/events']);
    assert.equal(readFileSync(join(__dirname, '..', '..', 'lib', 'audit', 'events.ts'), 'utf8').match(/^import /m), null, 'audit/events.ts imports nothing');
    assert.equal(readFileSync(join(__dirname, '..', '..', 'lib', 'naming.ts'), 'utf8').match(/^import /m), null, 'naming.ts imports nothing');
  });

  it('the wording knows the same group and policy events as the catalogue', () => {
    assert.deepEqual([...GROUP_EVENTS], [...USERS_GROUP_EVENTS]);
    assert.deepEqual([...POLICY_EVENTS], [...USERS_POLICY_EVENTS]);
  });
});

describe('breakglass simulate prints the notification', () => {
  it('table output: subject and message indented under the ALERT line', async () => {
    const { runCliWithInput } = await import('../helpers/cli');
    const r = await runCliWithInput(`${JSON.stringify(f.switchRole())}\n`, 'simulate', '-c', join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ALERT CRITICAL switch-role .*\n {8}Subject: \[CRITICAL\] Console switch into the break-glass role: BreakGlassUser1 in 333333333333\n\n {8}\[CRITICAL\] Console switch into the break-glass role\n/);
    assert.match(r.stdout, /\n {10}Event ID: +0b6e6c3a-/);
  });
});
