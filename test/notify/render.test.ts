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
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_ENABLED_REGIONS } from '../../lib/config/regions';
import { CATALOGUE, ruleById, type RuleId } from '../../lib/detection/catalogue';
import type { DetectionContext } from '../../lib/detection/context';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { Simulator } from '../../lib/detection/simulate';
import {
  renderHeartbeat, renderNotification, SUBJECT_MAX_LENGTH, type Notification, type RenderOptions,
} from '../../lib/notify/render';
import * as f from '../fixtures/cloudtrail';

// ---- cases ----------------------------------------------------------------------------------------------------
type Rec = Record<string, any>;

interface Case {
  readonly rule: RuleId;
  /** File-name part: test/golden/<rule>.<name>.txt */
  readonly name: string;
  /** "complete" = every field AWS documents for the event; "missing" = fields absent as in real partial records. */
  readonly kind: 'complete' | 'missing';
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
  // Message: only newlines as control characters.
  assert.doesNotMatch(n.message, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/, 'control character in the message');
  const chat = JSON.stringify(n.chat);
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
  });

  it('no stale golden files', () => {
    if (!existsSync(GOLDEN_DIR)) return;
    const stale = readdirSync(GOLDEN_DIR).filter((file) => !written.has(file));
    assert.deepEqual(stale, [], 'golden files without a case: delete them');
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
    assert.match(n.message, /User agent: curl\/8\.0 Outcome: Success \[31m\n/);
  });

  it('very long values are shortened', () => {
    const n = renderNotification(wrap({ ...f.consoleLogin(), userAgent: 'x'.repeat(5000) }), rule('console-login'));
    const line = n.message.split('\n').find((l) => l.includes('User agent:'))!;
    assert.ok(line.length < 340, `${line.length}`);
    assert.ok(line.endsWith('...'));
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
        assert.match(n.message, /Time: +unknown/);
        assert.match(n.message, /Event ID: +unknown/);
        assert.doesNotMatch(n.message, /Console link/);
      }
    }
  });

  it('only CloudTrail/EventBridge ISO times are formatted; others show as unknown', () => {
    const e = wrap({ ...f.consoleLogin(), eventTime: '2026-11-23T04:12:09.123+02:00' });
    assert.match(renderNotification(e, rule('console-login')).message, /Time: +2026-11-23 02:12:09 UTC/);
    const bad = { ...wrap(f.consoleLogin()), time: undefined, detail: { ...wrap(f.consoleLogin()).detail, eventTime: '11/23/2026 4:12' } };
    assert.match(renderNotification(bad, rule('console-login')).message, /Time: +unknown/);
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
  });

  it('a rule without wording of its own still renders (generic text)', () => {
    const custom = { ...rule('console-login'), id: 'future-rule' as RuleId, title: 'Future rule', severity: 'medium' as const };
    const n = renderNotification(wrap(f.iamCall('ListUsers', {})), custom);
    assertInvariants(n, { time: true });
    assert.match(n.subject, /^\[MEDIUM\] Future rule: ListUsers in 222222222222 \(us-east-1\)$/);
  });

  it('heartbeat: invalid time and unknown period do not leak', () => {
    const n = renderHeartbeat('not a time', { period: 'hourly' as never });
    assertInvariants(n);
    assert.match(n.message, /sent at an unknown time/);
    assert.equal(n.subject, '[INFO] Break-glass alert path heartbeat (weekly)');
  });

  it('the renderer is pure: no AWS SDK or aws-cdk-lib imports', () => {
    const dir = join(__dirname, '..', '..', 'lib', 'notify');
    for (const file of readdirSync(dir).filter((x) => /^render.*\.ts$/.test(x))) {
      const imports = readFileSync(join(dir, file), 'utf8').match(/^import .* from '([^']+)';$/gm) ?? [];
      for (const line of imports) assert.match(line, /from '\.\/render[-\w]*'|^import type .* from '\.\.\/detection\/catalogue'/, `${file}: ${line}`);
    }
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
