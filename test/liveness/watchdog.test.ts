/**
 * Forwarder liveness, the pure part (lib/liveness/watchdog.ts): which events are heartbeats, which forwarders are
 * silent given the rows and a fixed clock, what the operations message says, and which rows change.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FORGET_AFTER_MS, HEARTBEAT_DETAIL_TYPE, HEARTBEAT_SOURCE, SILENT_AFTER_MS } from '../../lib/liveness/constants';
import { evaluate, heartbeatFromEvent, itemId, renderReport, type Update, type WatchedItem } from '../../lib/liveness/watchdog';

const H = 3600_000;
const NOW = new Date('2026-11-30T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const M1 = '333333333333';
const M2 = '444444444444';

function item(account: string, region: string, rule: string, lastSeenAgo: number, alertedAgo?: number): WatchedItem {
  const forwarder = `breakglass-fwd-${rule}`;
  return {
    id: itemId(account, region, forwarder), account, region, forwarder, lastSeen: ago(lastSeenAgo), firstSeen: ago(30 * 24 * H),
    ...(alertedAgo === undefined ? {} : { alertedAt: ago(alertedAgo) }),
  };
}

const scheduled = (account: string, region: string, rule: string, extra: Record<string, unknown> = {}) => ({
  version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', account, time: '2026-11-30T06:00:00Z', region,
  resources: [`arn:aws:events:${region}:${account}:rule/${rule}`], detail: {}, ...extra,
});
const fromScheduler = (account: string, region: string, forwarder: unknown) => ({
  version: '0', id: 'e2', 'detail-type': HEARTBEAT_DETAIL_TYPE, source: HEARTBEAT_SOURCE, account, time: '2026-11-30T06:00:01Z', region,
  resources: [], detail: { forwarder },
});

describe('heartbeatFromEvent', () => {
  test('a forwarder\'s own Scheduled Event names account, region and forwarder through the rule ARN', () => {
    assert.deepEqual(heartbeatFromEvent(scheduled(M1, 'eu-west-1', 'breakglass-fwd-switch-role')),
      { account: M1, region: 'eu-west-1', forwarder: 'breakglass-fwd-switch-role', at: '2026-11-30T06:00:00.000Z', via: 'rule' });
    const cn = heartbeatFromEvent({ ...scheduled(M1, 'cn-north-1', 'x'), resources: [`arn:aws-cn:events:cn-north-1:${M1}:rule/breakglass-fwd-role-changed`] });
    assert.equal('error' in cn ? cn.error : cn.forwarder, 'breakglass-fwd-role-changed');
  });
  test('a Scheduler heartbeat names the forwarder in its detail; account and region come from the envelope', () => {
    assert.deepEqual(heartbeatFromEvent(fromScheduler(M2, 'us-gov-west-1', 'breakglass-fwd-role-assumed')),
      { account: M2, region: 'us-gov-west-1', forwarder: 'breakglass-fwd-role-assumed', at: '2026-11-30T06:00:01.000Z', via: 'scheduler' });
  });
  test('anything else is refused with a reason', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [{ ...scheduled(M1, 'eu-west-1', 'breakglass-fwd-a'), account: '12' }, /account/],
      [{ ...scheduled(M1, 'eu-west-1', 'breakglass-fwd-a'), region: 'nowhere' }, /region/],
      [{ ...scheduled(M1, 'eu-west-1', 'breakglass-fwd-a'), time: 'yesterday' }, /time/],
      [scheduled(M1, 'eu-west-1', 'breakglass-heartbeat-schedule'), /not a forwarder rule name/],
      [{ ...scheduled(M1, 'eu-west-1', 'breakglass-fwd-a'), resources: [] }, /exactly one rule/],
      [{ ...scheduled(M1, 'eu-west-1', 'breakglass-fwd-a'), resources: [`arn:aws:events:eu-west-1:${M2}:rule/breakglass-fwd-a`] }, /does not belong/],
      [{ ...scheduled(M1, 'eu-west-1', 'breakglass-fwd-a'), resources: [`arn:aws:events:eu-west-1:${M1}:rule/breakglass-central/breakglass-fwd-a`] }, /not a default-bus rule ARN/],
      [fromScheduler(M1, 'eu-west-1', 'breakglass-notifier'), /not a forwarder rule name/],
      [fromScheduler(M1, 'eu-west-1', { nested: true }), /not a forwarder rule name/],
      [fromScheduler(M1, 'eu-west-1', `breakglass-fwd-${'x'.repeat(60)}`), /not a forwarder rule name/],
      [{ source: 'aws.signin', 'detail-type': 'AWS Console Sign In via CloudTrail', account: M1, region: 'us-east-1', time: '2026-11-30T06:00:00Z' }, /not a heartbeat/],
    ];
    for (const [event, why] of cases) {
      const r = heartbeatFromEvent(event);
      assert.ok('error' in r, `${JSON.stringify(event)} accepted`);
      assert.match(r.error, why);
    }
  });
});

describe('evaluate: who is silent, what changes', () => {
  test('healthy forwarders: nothing to report, nothing to write', () => {
    const v = evaluate([item(M1, 'eu-west-1', 'switch-role', 5 * H), item(M1, 'eu-west-1', 'role-assumed', SILENT_AFTER_MS)], NOW);
    assert.deepEqual([v.newlySilent, v.reminders, v.recovered, v.forgotten, v.silent, v.updates], [[], [], [], [], [], []]);
    assert.equal(v.watched, 2);
  });
  test('silent for more than a day and not reported: new, then marked alerted (only if no heartbeat came meanwhile)', () => {
    const i = item(M1, 'eu-west-1', 'alerting-tampered', SILENT_AFTER_MS + 1);
    const v = evaluate([i], NOW);
    assert.deepEqual(v.newlySilent, [i]);
    assert.deepEqual(v.updates, [{ kind: 'mark-alerted', id: i.id, lastSeen: i.lastSeen, at: NOW.toISOString() }]);
  });
  test('already reported: quiet until a day has passed, then a reminder', () => {
    const quiet = evaluate([item(M1, 'eu-west-1', 'switch-role', 30 * H, 2 * H)], NOW);
    assert.deepEqual([quiet.newlySilent, quiet.reminders, quiet.updates], [[], [], []]);
    assert.equal(quiet.silent.length, 1);
    const i = item(M1, 'eu-west-1', 'switch-role', 50 * H, 24 * H);
    const due = evaluate([i], NOW);
    assert.deepEqual(due.reminders, [i]);
    assert.deepEqual(due.updates, [{ kind: 'mark-alerted', id: i.id, lastSeen: i.lastSeen, at: NOW.toISOString() }]);
  });
  test('silent for more than 14 days and reported: forgotten (deleted) so a removed account stops alerting', () => {
    const i = item(M2, 'ap-south-1', 'root-console-login', FORGET_AFTER_MS + H, 3 * H);
    const v = evaluate([i], NOW);
    assert.deepEqual(v.forgotten, [i]);
    assert.deepEqual(v.updates, [{ kind: 'forget', id: i.id, lastSeen: i.lastSeen }]);
    assert.equal(v.watched, 0);
    // Never reported (the watchdog itself was down for two weeks): reported first, forgotten on a later run.
    const never = evaluate([item(M2, 'ap-south-1', 'root-console-login', FORGET_AFTER_MS + H)], NOW);
    assert.equal(never.newlySilent.length, 1);
    assert.equal(never.forgotten.length, 0);
  });
  test('reported, then heard again: recovered once and the alert cleared; silent again later: new again', () => {
    const back = item(M1, 'us-east-1', 'role-changed', 1 * H, 3 * H);
    const v = evaluate([back], NOW);
    assert.deepEqual(v.recovered, [back]);
    assert.deepEqual(v.updates, [{ kind: 'clear-alerted', id: back.id, alertedAt: back.alertedAt! }]);
    // Heard after the alert, but that heartbeat is itself more than a day old: this is a new silence.
    const again = item(M1, 'us-east-1', 'role-changed', 26 * H, 40 * H);
    assert.deepEqual(evaluate([again], NOW).newlySilent, [again]);
  });
  test('an unreadable lastSeen counts as silent, not as healthy', () => {
    const broken = { ...item(M1, 'eu-west-1', 'switch-role', 0), lastSeen: 'garbage' };
    assert.equal(evaluate([broken], NOW).newlySilent.length, 1);
  });
});

/** Applies updates to an in-memory table the way the handler's conditional writes do. */
function applyAll(rows: Map<string, WatchedItem>, updates: readonly Update[]) {
  for (const u of updates) {
    const r = rows.get(u.id);
    if (!r) continue;
    if (u.kind === 'mark-alerted' && r.lastSeen === u.lastSeen) rows.set(u.id, { ...r, alertedAt: u.at });
    if (u.kind === 'clear-alerted' && r.alertedAt === u.alertedAt) { const { alertedAt: _a, ...rest } = r; rows.set(u.id, rest); }
    if (u.kind === 'forget' && r.lastSeen === u.lastSeen) rows.delete(u.id);
  }
}

describe('a forwarder disabled for three weeks, checked hourly', () => {
  test('one new report, one reminder a day, one "no longer watched", then silence; the healthy one never appears', () => {
    const start = new Date('2026-11-01T00:00:00.000Z');
    const rows = new Map<string, WatchedItem>();
    const dead: WatchedItem = { id: itemId(M1, 'eu-west-1', 'breakglass-fwd-alerting-tampered'), account: M1, region: 'eu-west-1', forwarder: 'breakglass-fwd-alerting-tampered', lastSeen: start.toISOString() };
    rows.set(dead.id, dead);
    const live = { id: itemId(M1, 'eu-west-1', 'breakglass-fwd-switch-role'), account: M1, region: 'eu-west-1', forwarder: 'breakglass-fwd-switch-role', lastSeen: start.toISOString() };
    rows.set(live.id, live);
    const kinds: string[] = [];
    for (let h = 1; h <= 21 * 24; h++) {
      const now = new Date(start.getTime() + h * H);
      if (h % 6 === 0) rows.set(live.id, { ...rows.get(live.id)!, lastSeen: now.toISOString() });
      const v = evaluate([...rows.values()], now);
      const report = renderReport(v, now);
      if (report) {
        kinds.push(`${h}:${v.newlySilent.length ? 'new' : ''}${v.reminders.length ? 'remind' : ''}${v.forgotten.length ? 'forget' : ''}`);
        assert.doesNotMatch(report.message, /switch-role/, 'the healthy forwarder is never listed');
      }
      applyAll(rows, v.updates);
    }
    // New at 25 h (first hourly check after 24 h), reminders daily, forgotten at the first check after 14 days.
    assert.equal(kinds[0], '25:new');
    assert.deepEqual(kinds.filter((k) => k.endsWith('remind')).length, 12, 'at 49 h, 73 h, ... 313 h');
    assert.equal(kinds.at(-1), `${14 * 24 + 1}:forget`);
    assert.equal(kinds.length, 14);
    assert.deepEqual([...rows.keys()], [live.id]);
  });
});

describe('renderReport', () => {
  test('nothing to say: no message', () => {
    assert.equal(renderReport(evaluate([item(M1, 'eu-west-1', 'switch-role', H)], NOW), NOW), undefined);
  });
  test('names account (with its name), region and forwarder, grouped by account and region; subject fits SNS', () => {
    const v = evaluate([
      item(M1, 'eu-west-1', 'switch-role', 30 * H), item(M1, 'eu-west-1', 'role-assumed', 31 * H), item(M1, 'us-east-1', 'root-console-login', 26 * H),
      item(M2, 'ap-southeast-2', 'alerting-tampered', 50 * H, 25 * H), item(M2, 'eu-west-1', 'switch-role', H, 5 * H),
    ], NOW);
    const r = renderReport(v, NOW, { accountNames: { [M1]: 'Prod' } })!;
    assert.equal(r.subject, '[breakglass] Forwarder liveness: 4 forwarders silent in 2 accounts, 1 heard again');
    assert.ok(r.subject.length < 100 && !/[\r\n]/.test(r.subject));
    assert.match(r.message, /SILENT for more than 24 h \(new\) \(3 forwarders in 1 account\):\n {2}Prod 333333333333 eu-west-1: role-assumed, switch-role \(last heard 30 h ago, 2026-11-29 06:00 UTC\)\n {2}Prod 333333333333 us-east-1: root-console-login/);
    assert.match(r.message, /STILL SILENT \(daily reminder\) \(1 forwarder in 1 account\):\n {2}444444444444 ap-southeast-2: alerting-tampered \(last heard 50 h ago/);
    assert.match(r.message, /HEARD AGAIN \(1 forwarder in 1 account\):\n {2}444444444444 eu-west-1: switch-role/);
    assert.match(r.message, /aws events describe-rule --name breakglass-fwd-<name>/);
    assert.match(r.message, /breakglass-forwarder-dead-letters/);
    assert.match(r.message, /role-assumed: Break-glass role assumed/, 'legend with catalogue titles');
    assert.doesNotMatch(r.message, /central side first/, 'two accounts: no central hint');
    assert.match(r.message, /aws scheduler get-schedule/, 'role-assumed is silent: the Scheduler schedule is a suspect');
    assert.match(r.message, /alerting-tampered is the tamper forwarder/, 'a silent tamper forwarder is called out');
  });
  test('hints only for what is silent: no tamper or Scheduler hint for a silent switch-role', () => {
    const r = renderReport(evaluate([item(M1, 'eu-west-1', 'switch-role', 30 * H)], NOW), NOW)!;
    assert.doesNotMatch(r.message, /tamper forwarder|aws scheduler/);
  });
  test('most accounts silent at once: points at the central side first', () => {
    const items = ['1', '2', '3', '4'].map((d) => item(d.repeat(12), 'eu-west-1', 'switch-role', 30 * H));
    const r = renderReport(evaluate([...items, item('555555555555', 'eu-west-1', 'switch-role', H)], NOW), NOW)!;
    assert.match(r.message, /central side first/);
  });
  test('an organization-wide outage stays within an SNS message: long sections are cut and counted', () => {
    const items: WatchedItem[] = [];
    for (let a = 0; a < 300; a++) {
      for (const region of ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1']) {
        for (const rule of ['switch-role', 'role-assumed', 'alerting-tampered']) items.push(item(String(100000000000 + a), region, rule, 30 * H));
      }
    }
    const r = renderReport(evaluate(items, NOW), NOW)!;
    assert.equal(r.subject, '[breakglass] Forwarder liveness: 4500 forwarders silent in 300 accounts');
    assert.match(r.message, /\.\.\. and 1350 more account\/regions \(4050 forwarders\); the full list is in the watchdog's log\./);
    // SNS message limit: 256 KB (SNS API reference, Publish: Message).
    assert.ok(Buffer.byteLength(r.message) < 256 * 1024, `${Buffer.byteLength(r.message)} bytes`);
    assert.match(r.message, /central side first/);
  });
});
