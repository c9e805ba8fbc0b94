/**
 * Which users a passed drill exercised (read from the alerts the real notifier renders) and how their drill date is
 * written (tag DRILL_TAG), with a stub IAM client for TagUser only; drill-moto.test.ts writes the tag in moto.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IAMClient } from '@aws-sdk/client-iam';
import { loadConfigFile } from '../../lib/config/load';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { parseQueueMessage } from '../../lib/drill/messages';
import { type DrillRecord, recordMarkdown } from '../../lib/drill/record';
import { drilledUsers, tagDrilledUsers } from '../../lib/drill/tag';
import { messagesFor } from '../../lib/notify/handler';
import { EXAMPLE_CONFIG } from '../helpers/config';
import * as f from '../fixtures/cloudtrail';

const config = loadConfigFile(EXAMPLE_CONFIG).config;
const env = { alertTopicArn: 'arn:aws:sns:us-east-1:222222222222:breakglass-alerts', chatTopics: [], accountNames: {}, heartbeatPeriod: 'weekly' as const };

/** The alert as the drill queue receives it: the notifier's message in an SNS envelope. */
function received(rule: string, rec: Record<string, unknown>) {
  const c = toEventBridgeEvent(rec);
  assert.ok(!('error' in c));
  const m = messagesFor({ rule: `breakglass-${rule}`, event: c.event }, env)[0]!;
  const body = JSON.stringify({ Type: 'Notification', MessageId: 'm1', TopicArn: env.alertTopicArn, Subject: m.subject, Message: m.message, Timestamp: '2026-11-23T04:12:20.000Z', MessageAttributes: {} });
  const item = parseQueueMessage(body, '1795407140000');
  assert.equal(item.kind, 'alert');
  return (item as { alert: ReturnType<typeof Object> }).alert as { userArn?: string; subject?: string };
}

function record(userArns: Array<string | undefined>): DrillRecord {
  return {
    schemaVersion: 1, kind: 'breakglass-drill', id: '20261123T041200Z', configFile: 'c.yaml', securityAccountId: f.S, region: 'us-east-1',
    topicArn: env.alertTopicArn, startedAt: '2026-11-23T04:12:00.412Z', endedAt: '2026-11-23T04:20:00.000Z', timeoutMinutes: 15, outcome: 'passed',
    steps: [], missing: [], unexpected: [], resources: {}, teardown: { unsubscribed: true, queueDeleted: true, errors: [] },
    expected: userArns.map((userArn, i) => ({ rule: 'console-login', title: 't', step: 'sign-in' as const, received: true, duplicates: 0, ...(userArn ? { userArn } : {}), receivedAt: `2026-11-23T04:1${i}:00Z` })),
  };
}

const stubIam = (fn: (input: any) => Promise<unknown>) => ({ send: (cmd: { input: unknown }) => fn(cmd.input) }) as unknown as IAMClient;

describe('drill: the users it exercised', () => {
  it('the sign-in and switch alerts name the user by ARN; an alert without it names nobody', () => {
    assert.equal(received('console-login', f.consoleLogin()).userArn, 'arn:aws:iam::222222222222:user/BreakGlassUser1');
    assert.equal(received('switch-role', f.switchRole({ user: 'BreakGlassUser2' })).userArn, 'arn:aws:iam::222222222222:user/BreakGlassUser2');
    // A failed sign-in record carries no userIdentity.arn (CloudTrail user guide): the alert then names no ARN.
    assert.equal(received('console-login-failure', f.consoleLogin({ result: 'Failure' })).userArn, undefined);
  });

  it('only configured users of the security account count, compared exactly', () => {
    assert.deepEqual(drilledUsers(record(['arn:aws:iam::222222222222:user/BreakGlassUser2', 'arn:aws:iam::222222222222:user/BreakGlassUser2']), config), ['BreakGlassUser2']);
    assert.deepEqual(drilledUsers(record(['arn:aws:iam::333333333333:user/BreakGlassUser1', 'arn:aws:iam::222222222222:user/BreakGlassUser10', undefined]), config), []);
  });
});

describe('drill: writing the drill date', () => {
  it('tags each exercised user with the drill\'s start time (the record\'s name), and the record says so', async () => {
    const calls: any[] = [];
    const t = await tagDrilledUsers(stubIam(async (i) => { calls.push(i); }), record(['arn:aws:iam::222222222222:user/BreakGlassUser1']), config);
    assert.deepEqual(calls, [{ UserName: 'BreakGlassUser1', Tags: [{ Key: 'breakglass:last-drill', Value: '2026-11-23T04:12:00Z' }] }]);
    assert.deepEqual(t, { key: 'breakglass:last-drill', value: '2026-11-23T04:12:00Z', users: ['BreakGlassUser1'], written: true });
    assert.match(recordMarkdown({ ...record([]), drillTag: t }), /^Tag `breakglass:last-drill` = `2026-11-23T04:12:00Z` written on BreakGlassUser1 \(`breakglass doctor` reads it; this record is the evidence, the tag points to it\)\.$/m);
  });

  it('a refused TagUser, or no user named: not written, with the reason; never throws', async () => {
    const denied = Object.assign(new Error('not authorized to perform: iam:TagUser'), { name: 'AccessDenied' });
    const t = await tagDrilledUsers(stubIam(async () => { throw denied; }), record(['arn:aws:iam::222222222222:user/BreakGlassUser1']), config, 'security');
    assert.equal(t.written, false);
    assert.equal(t.error, 'BreakGlassUser1: iam:TagUser was refused (AccessDenied: not authorized to perform: iam:TagUser); the credentials need iam:TagUser');
    assert.match(recordMarkdown({ ...record([]), drillTag: t }), /^Tag `breakglass:last-drill` NOT written on BreakGlassUser1: BreakGlassUser1: iam:TagUser was refused/m);
    const none = await tagDrilledUsers(stubIam(async () => { throw new Error('not called'); }), record([undefined]), config);
    assert.deepEqual([none.written, none.users, none.error], [false, [], 'no received alert named a configured break-glass user, so the drill cannot tell whose date to record']);
  });
});
