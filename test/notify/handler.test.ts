import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { envFromProcess, messagesFor, sessionFor, type NotifierEnv } from '../../lib/notify/handler';
import { MemorySessionStore } from '../../lib/notify/session-key';
import { severitiesAtLeast } from '../../lib/notify/severity';
import * as f from '../fixtures/cloudtrail';

const ALERTS = 'arn:aws:sns:us-east-1:222222222222:breakglass-alerts';
const env = (chat: NotifierEnv['chatTopics'] = []): NotifierEnv => ({ alertTopicArn: ALERTS, chatTopics: chat, accountNames: { [f.S]: 'Security' }, heartbeatPeriod: 'weekly' });
const event = (rec: Record<string, unknown>) => { const c = toEventBridgeEvent(rec); assert.ok(!('error' in c)); return c.event; };

describe('notifier: messages for one input', () => {
  it('a rule match becomes one text message with subject and severity attribute', () => {
    const out = messagesFor({ rule: 'breakglass-console-login', event: event(f.consoleLogin({ region: 'eu-west-1' })) }, env());
    assert.equal(out.length, 1);
    assert.equal(out[0]!.topicArn, ALERTS);
    assert.equal(out[0]!.severity, 'critical');
    assert.equal(out[0]!.rule, 'console-login');
    assert.match(out[0]!.subject!, /^\[CRITICAL\] Break-glass console sign-in: BreakGlassUser1 in Security 222222222222 \(eu-west-1\)$/);
    assert.match(out[0]!.message, /MFA used:\s+Yes/);
  });
  it('chat topics receive Chatbot JSON only at or above their minimum severity', () => {
    const chat = [{ arn: 'arn:chat-critical', minSeverity: 'critical' }, { arn: 'arn:chat-info', minSeverity: 'info' }];
    const high = messagesFor({ rule: 'breakglass-console-login-failure', event: event(f.consoleLogin({ result: 'Failure' })) }, env(chat));
    assert.deepEqual(high.map((m) => m.topicArn), [ALERTS, 'arn:chat-info']);
    const body = JSON.parse(high[1]!.message);
    assert.equal(body.version, '1.0');
    assert.equal(body.source, 'custom');
    assert.equal(high[1]!.subject, undefined);
    const critical = messagesFor({ rule: 'breakglass-switch-role', event: event(f.switchRole()) }, env(chat));
    assert.deepEqual(critical.map((m) => m.topicArn), [ALERTS, 'arn:chat-critical', 'arn:chat-info']);
  });
  it('the heartbeat is an info message', () => {
    const out = messagesFor({ rule: 'breakglass-heartbeat', event: { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-23T09:00:00Z', detail: {} } }, env());
    assert.equal(out[0]!.severity, 'info');
    assert.match(out[0]!.subject!, /heartbeat/i);
  });
  it('an unknown rule fails loudly (retried, then dead-lettered and alarmed)', () => {
    assert.throws(() => messagesFor({ rule: 'breakglass-nope', event: {} }, env()), /unknown rule "breakglass-nope"/);
  });
  it('reads its settings from the environment and refuses to run without a topic', () => {
    assert.throws(() => envFromProcess({}), /ALERT_TOPIC_ARN/);
    const e = envFromProcess({ ALERT_TOPIC_ARN: ALERTS, CHAT_TOPICS: '[{"arn":"x","minSeverity":"high"}]', ACCOUNT_NAMES: '{"1":"a"}', HEARTBEAT_PERIOD: 'daily' });
    assert.deepEqual(e.chatTopics, [{ arn: 'x', minSeverity: 'high' }]);
    assert.equal(e.heartbeatPeriod, 'daily');
  });
});

describe('severity routing', () => {
  it('a channel receives its minimum severity and everything more severe', () => {
    assert.deepEqual(severitiesAtLeast('critical'), ['critical']);
    assert.deepEqual(severitiesAtLeast('high'), ['critical', 'high']);
    assert.deepEqual(severitiesAtLeast('info'), ['critical', 'high', 'medium', 'info']);
  });
});

describe('one page per session: delivery attributes (lib/notify/session-key.ts)', () => {
  const KEY = 'bg-BreakGlassUser1-20261123T041209Z';
  const chat = [{ arn: 'arn:chat-critical', minSeverity: 'critical' }];
  const attrs = (m: ReturnType<typeof messagesFor>[number]) => [m.page, m.sessionKey];

  it('the first alert of a session pages, carries the key, says so, and opens the chat thread', () => {
    const out = messagesFor({ rule: 'breakglass-console-login', event: event(f.consoleLogin()) }, env(chat), { key: KEY, page: true, status: 'first' });
    assert.deepEqual(out.map(attrs), [['true', KEY], ['true', KEY]]);
    assert.match(out[0]!.message, new RegExp(`^\\[CRITICAL\\] Break-glass console sign-in\\nSession: ${KEY} \\(first alert of this session\\)\\n\\n`));
    const body = JSON.parse(out[1]!.message);
    assert.equal(body.metadata.threadId, KEY);
    assert.match(body.content.description, new RegExp(`^Session: \`${KEY}\` \\(first alert of this session\\)\\n`));
  });

  it('a follow-up does not page (page = "false"), still goes to email and chat, in the same thread', () => {
    const out = messagesFor({ rule: 'breakglass-switch-role', event: event(f.switchRole()) }, env(chat), { key: KEY, page: false, status: 'follow-up', followUp: 3 });
    assert.deepEqual(out.map((m) => m.topicArn), [ALERTS, 'arn:chat-critical'], 'nothing dropped');
    assert.deepEqual(out.map(attrs), [['false', KEY], ['false', KEY]]);
    assert.match(out[0]!.message, new RegExp(`\\nSession: ${KEY} \\(follow-up 3\\)\\n`));
    assert.equal(JSON.parse(out[1]!.message).metadata.threadId, KEY);
  });

  it('alerts of no session page on their own: page = "true", no key, no Session line, no thread; so does the heartbeat', () => {
    for (const [rule, rec] of [['breakglass-root-console-login', f.consoleLogin({ root: true, account: f.M })], ['breakglass-console-login', f.consoleLogin()]] as const) {
      const out = messagesFor({ rule, event: event(rec) }, env(chat));
      assert.deepEqual(out.map(attrs), [['true', undefined], ['true', undefined]], rule);
      assert.doesNotMatch(out[0]!.message, /Session:/);
      assert.equal(JSON.parse(out[1]!.message).metadata.threadId, undefined);
    }
    const hb = messagesFor({ rule: 'breakglass-heartbeat', event: { source: 'aws.events', time: '2026-11-23T09:00:00Z', detail: {} } }, env());
    assert.deepEqual(hb.map(attrs), [['true', undefined]]);
  });

  it('reads the session settings from the environment; incomplete settings turn sessions off (every alert pages)', () => {
    const base = { ALERT_TOPIC_ARN: ALERTS, SESSION_TABLE: 'breakglass-sessions', SECURITY_ACCOUNT_ID: f.S, BREAKGLASS_USERS: '["BreakGlassUser1"]', BREAKGLASS_ROLE_NAME: f.ROLE, SESSION_NAME_IS_USER_NAME: 'true', SESSION_WINDOW_SECONDS: '43200' };
    assert.deepEqual(envFromProcess(base).sessions, { table: 'breakglass-sessions', windowMs: 43_200_000, scope: { securityAccountId: f.S, userNames: ['BreakGlassUser1'], roleName: f.ROLE, sessionNameIsUserName: true } });
    assert.equal(envFromProcess({ ...base, SESSION_NAME_IS_USER_NAME: 'false' }).sessions?.scope.sessionNameIsUserName, false);
    const logged: string[] = [];
    const original = console.error;
    console.error = (m: string) => { logged.push(m); };
    try {
      for (const broken of [{ BREAKGLASS_USERS: 'not json' }, { SECURITY_ACCOUNT_ID: '12' }, { SESSION_WINDOW_SECONDS: '0' }, { BREAKGLASS_ROLE_NAME: '' }]) {
        assert.equal(envFromProcess({ ...base, ...broken }).sessions, undefined, JSON.stringify(broken));
      }
    } finally {
      console.error = original;
    }
    assert.equal(logged.length, 4);
    assert.equal(envFromProcess({ ALERT_TOPIC_ARN: ALERTS }).sessions, undefined, 'no table: no sessions');
  });

  it('sessionFor: the notifier\'s decision over a store, alert by alert', async () => {
    const sessions = { table: 't', windowMs: 43_200_000, scope: { securityAccountId: f.S, userNames: ['BreakGlassUser1'], roleName: f.ROLE, sessionNameIsUserName: true } };
    const store = new MemorySessionStore();
    const inputs = [['console-login', f.consoleLogin()], ['role-assumed', f.assumeRoleOwner()], ['switch-role', f.switchRole()], ['root-console-login', f.consoleLogin({ root: true, account: f.M })]] as const;
    const out = [];
    for (const [rule, rec] of inputs) out.push(await sessionFor({ rule: `breakglass-${rule}`, event: event(rec) }, { ...env(), sessions }, store, Date.parse('2026-11-23T05:00:00Z')));
    assert.deepEqual(out.map((o) => [o.status, o.page, o.key]), [['first', true, KEY], ['follow-up', false, KEY], ['follow-up', false, KEY], ['sessionless', true, null]]);
    assert.deepEqual(await sessionFor({ rule: 'breakglass-console-login', event: event(f.consoleLogin()) }, env(), store), { key: null, page: true, status: 'sessionless' }, 'sessions off');
  });
});
