import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { envFromProcess, messagesFor, type NotifierEnv } from '../../lib/notify/handler';
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
