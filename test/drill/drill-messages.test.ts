/** The pure parts of the drill: matching received alerts to rules, reading the SNS envelope, the record's Markdown. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE } from '../../lib/detection/catalogue';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { EXPECTED_ALERTS, identifyRule } from '../../lib/drill/expected';
import { parseQueueMessage } from '../../lib/drill/messages';
import { type DrillRecord, recordId, recordMarkdown } from '../../lib/drill/record';
import { drillQueueName } from '../../lib/drill/resources';
import { messagesFor } from '../../lib/notify/handler';
import * as f from '../fixtures/cloudtrail';

const env = { alertTopicArn: 'arn:aws:sns:us-east-1:222222222222:breakglass-alerts', chatTopics: [], accountNames: {}, heartbeatPeriod: 'weekly' as const };
const rendered = (rule: string, rec: Record<string, unknown>) => {
  const c = toEventBridgeEvent(rec);
  assert.ok(!('error' in c));
  return messagesFor({ rule: `breakglass-${rule}`, event: c.event }, env)[0]!;
};
const envelope = (m: { subject?: string; message: string; attrs?: Record<string, string> }) => JSON.stringify({
  Type: 'Notification', MessageId: 'b1e2', TopicArn: env.alertTopicArn, Subject: m.subject, Message: m.message,
  Timestamp: '2026-11-23T04:12:20.000Z',
  MessageAttributes: Object.fromEntries(Object.entries(m.attrs ?? {}).map(([k, v]) => [k, { Type: 'String', Value: v }])),
});

describe('drill: which alerts, and matching them', () => {
  it('the expected alerts are the four rules a console sign-in plus switch-role raises', () => {
    assert.deepEqual(EXPECTED_ALERTS.map((e) => e.rule), ['console-login', 'assume-role', 'switch-role', 'role-assumed']);
    for (const e of EXPECTED_ALERTS) assert.equal(e.title, CATALOGUE.find((r) => r.id === e.rule)!.title);
  });

  it('the rule attribute wins; without it the real subjects still identify every expected rule', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['console-login', f.consoleLogin()], ['assume-role', f.assumeRoleCaller({ console: true })],
      ['switch-role', f.switchRole()], ['role-assumed', f.assumeRoleOwner()], ['console-login-failure', f.consoleLogin({ result: 'Failure' })],
    ];
    for (const [rule, rec] of cases) {
      const m = rendered(rule, rec);
      assert.equal(identifyRule(m.rule, m.subject), rule);
      assert.equal(identifyRule(undefined, m.subject), rule, `by subject: ${m.subject}`);
    }
    assert.equal(identifyRule(undefined, '[INFO] Something else entirely'), undefined);
    assert.equal(identifyRule(undefined, undefined), undefined);
  });
});

describe('drill: reading the queue', () => {
  it('a notification: rule, severity, SentTimestamp as arrival, and the event time from the alert text', () => {
    const m = rendered('switch-role', f.switchRole());
    const item = parseQueueMessage(envelope({ subject: m.subject, message: m.message, attrs: { rule: m.rule, severity: m.severity } }), String(Date.parse('2026-11-23T04:12:21.500Z')));
    assert.equal(item.kind, 'alert');
    if (item.kind !== 'alert') return;
    assert.deepEqual(item.alert, {
      rule: 'switch-role', subject: m.subject, severity: 'critical', snsMessageId: 'b1e2',
      receivedAt: '2026-11-23T04:12:21.500Z', publishedAt: '2026-11-23T04:12:20.000Z', eventTime: '2026-11-23T04:12:09Z', userArn: 'arn:aws:iam::222222222222:user/BreakGlassUser1',
    });
  });

  it('a subscription confirmation carries its token; anything else is reported, not counted', () => {
    assert.deepEqual(parseQueueMessage(JSON.stringify({ Type: 'SubscriptionConfirmation', Token: 'tok', TopicArn: 'arn:t' }), undefined),
      { kind: 'subscription-confirmation', token: 'tok', topicArn: 'arn:t' });
    assert.equal(parseQueueMessage('plain text (raw delivery)', '1').kind, 'other');
    assert.equal(parseQueueMessage(JSON.stringify({ Type: 'UnsubscribeConfirmation' }), '1').kind, 'other');
  });

  it('no SentTimestamp: arrival is the local clock; no Time line: no event time', () => {
    const item = parseQueueMessage(envelope({ subject: '[CRITICAL] Break-glass role assumed', message: 'no time here' }), undefined, () => 0);
    assert.ok(item.kind === 'alert');
    assert.equal(item.kind === 'alert' && item.alert.receivedAt, '1970-01-01T00:00:00.000Z');
    assert.equal(item.kind === 'alert' && item.alert.eventTime, undefined);
  });
});

describe('drill: names and the record', () => {
  it('record id and queue name from the UTC start; the queue name fits SQS (80 chars of [A-Za-z0-9_-])', () => {
    const id = recordId(new Date('2026-12-01T23:53:07.123Z'));
    assert.equal(id, '20261201T235307Z');
    assert.match(drillQueueName(id), /^[A-Za-z0-9_-]{1,80}$/);
    assert.ok(!drillQueueName(id).endsWith('-dead-letters'), 'outside the guardrail SCP\'s dead-letter pattern');
  });

  it('Markdown: a failed drill names what is missing; table cells cannot be broken by pipes or newlines', () => {
    const r: DrillRecord = {
      schemaVersion: 1, kind: 'breakglass-drill', id: '20261201T235307Z', operatorArn: 'arn:aws:sts::1:assumed-role/A|B/x',
      configFile: 'c.yaml', securityAccountId: '222222222222', region: 'us-east-1', topicArn: env.alertTopicArn,
      startedAt: 's', endedAt: 'e', timeoutMinutes: 15, outcome: 'missing-alerts',
      steps: [{ id: 'sign-in', instruction: 'Sign in', confirmedAt: 't' }, { id: 'switch-role', instruction: 'Switch' }],
      expected: EXPECTED_ALERTS.map((e, i) => ({ rule: e.rule, title: e.title, step: e.step, received: i === 0, duplicates: 0, ...(i === 0 ? { latencySeconds: 12.5, latencyFrom: 'event-time' as const } : {}) })),
      missing: ['assume-role', 'switch-role', 'role-assumed'],
      unexpected: [{ rule: undefined, subject: 'odd | subject\nsecond line', receivedAt: 'r' }],
      resources: {}, teardown: { unsubscribed: true, queueDeleted: false, errors: ['sqs:DeleteQueue was refused'] },
    };
    const md = recordMarkdown(r);
    assert.match(md, /\*\*Result: FAILED: expected alerts did not arrive before the timeout\*\*/);
    assert.match(md, /\| Run by \| arn:aws:sts::1:assumed-role\/A\\\|B\/x \|/);
    assert.match(md, /\| console-login \| Break-glass console sign-in \| yes \| - \| 12\.5 s \| CloudTrail event time \|/);
    assert.match(md, /\| role-assumed \| .* \| \*\*no\*\* \| - \| - \| - \|/);
    assert.match(md, /- r unidentified: odd \\\| subject second line/);
    assert.match(md, /- Queue deleted: no/);
    assert.match(md, /- Problem: sqs:DeleteQueue was refused/);
    assert.match(md, /Switch \(not confirmed\)/);
  });
});
