/**
 * Session stitching on generated multi-account logs (test/audit/org-logs.ts): every record lands exactly where the
 * generator says, whatever the order of the input; look-alikes appear nowhere; the fallbacks for missing records.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stitcher, type StitchResult } from '../../lib/audit/stitch';
import { breakGlassUser, isBreakGlassRoleSession, toAuditEvent } from '../../lib/audit/events';
import { generateOrgLogs, M1, M2, N, ROLE, S, U1, U2 } from './org-logs';

const SCOPE = { securityAccountId: S, userNames: [U1, U2], roleName: ROLE };

/** Runs the stitcher the way the local reader does: passes until it asks for no more. */
function stitch(records: unknown[]): { result: StitchResult; passes: number; kept: number } {
  const st = new Stitcher(SCOPE);
  for (let pass = 1; ; pass++) {
    for (const r of records) st.offer(r);
    const { result, morePasses } = st.resolve();
    if (!morePasses) return { result, passes: pass, kept: st.size };
  }
}

function assertExact(result: StitchResult, g = generateOrgLogs()): void {
  assert.deepEqual(result.sessions.map((s) => s.id).sort(), [...g.sessions.keys()].sort());
  for (const s of result.sessions) {
    const want = g.sessions.get(s.id)!;
    assert.equal(s.user, want.user, s.id);
    assert.equal(s.kind, want.kind, s.id);
    assert.deepEqual(new Set(s.events.map((e) => e.event.eventID)), want.eventIDs, `events of ${s.id}`);
    assert.equal(s.events.length, want.eventIDs.size, `no duplicates in ${s.id}`);
  }
  assert.deepEqual(new Set(result.attempts.map((a) => a.event.eventID)), g.attempts);
  assert.deepEqual(new Set(result.unlinked.map((a) => a.event.eventID)), g.unlinked);
}

function shuffle<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 48271) % 2147483647;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('audit: session stitching on generated organization logs', () => {
  const g = generateOrgLogs();

  it('reconstructs every session exactly: console and CLI paths, two sessions a day, the next day, chaining', () => {
    const { result, passes } = stitch(g.records);
    assertExact(result, g);
    // Role chaining two levels deep from the CLI session: one pass, plus one per level.
    assert.equal(passes, 3);
  });

  it('gives the same answer whatever the order of the records', () => {
    for (const order of [[...g.records].reverse(), shuffle(g.records, 1), shuffle(g.records, 99), shuffle(g.records, 12345)]) {
      assertExact(stitch(order).result, g);
    }
  });

  it('keeps only records that can matter (memory follows break-glass activity, not the input)', () => {
    const { kept } = stitch(g.records);
    const relevant = [...g.expect.values()].filter((e) => e !== 'nothing').length;
    assert.ok(kept <= relevant + 8, `kept ${kept} of ${g.records.length} records for ${relevant} relevant ones`);
  });

  it('names no look-alike: a same-named user in a member account, BreakGlassUser10, BreakGlassRoleReadOnly, XBreakGlassRole', () => {
    const { result } = stitch(g.records);
    const placed = new Set([
      ...result.sessions.flatMap((s) => s.events.map((e) => e.event.eventID)),
      ...result.attempts.map((a) => a.event.eventID), ...result.unlinked.map((u) => u.event.eventID),
    ]);
    for (const [id, e] of g.expect) if (e === 'nothing') assert.ok(!placed.has(id), `look-alike or unrelated record ${id} was reported`);
    const lookalikes = g.records.filter((r) => JSON.stringify(r).includes('BreakGlassUser10') || JSON.stringify(r).includes('BreakGlassRoleReadOnly'));
    assert.ok(lookalikes.length >= 5);
    for (const r of lookalikes) {
      const e = toAuditEvent(r)!;
      assert.equal(breakGlassUser(e.identity, SCOPE), undefined);
      assert.equal(isBreakGlassRoleSession(e.identity, SCOPE), false);
    }
  });

  it('links the second session of the day apart from the first although the role session ARN is the same', () => {
    const { result } = stitch(g.records);
    const [a, b] = result.sessions.filter((s) => s.user === U1 && s.start < Date.parse('2026-11-24T00:00:00Z'));
    assert.ok(a && b);
    const arnA = a.roleSessions.find((r) => r.account === M1)!.arn;
    const arnB = b.roleSessions.find((r) => r.account === M1)!.arn;
    assert.equal(arnA, arnB);
    // The keyless console call of 15:06 (GetRole) joins B by creationDate; the old tab's call of 15:08 joins A.
    assert.ok(b.events.some((e) => e.event.eventName === 'GetRole' && e.link === 'role session ARN and creationDate'));
    assert.ok(a.events.some((e) => e.event.eventName === 'ListAccessKeys' && e.link === 'user session (creationDate)'));
  });

  it('records how each role session was opened and chained, with the source identity', () => {
    const { result } = stitch(g.records);
    const cli = result.sessions.find((s) => s.kind === 'cli' && s.roleSessions.length)!;
    assert.deepEqual(cli.roleSessions.map((r) => [r.account, r.roleArn.split('/').pop(), r.via, r.chained, r.sourceIdentity]), [
      [M1, ROLE, 'AssumeRole', false, U2],
      [N, 'OrganizationAccountAccessRole', 'AssumeRole', true, U2],
      [N, 'ReadOnlyAudit', 'AssumeRole', true, U2],
    ]);
    assert.equal(cli.roleSessions[1]!.parent, cli.roleSessions[0]!.id);
    assert.equal(cli.roleSessions[2]!.parent, cli.roleSessions[1]!.id);
    const console1 = result.sessions[0]!;
    assert.deepEqual(console1.roleSessions.map((r) => [r.account, r.via]), [[M1, 'SwitchRole'], [M2, 'SwitchRole']]);
    assert.equal(console1.signIn?.mfaUsed, 'Yes');
    assert.equal(console1.signIn?.sourceIPAddress, '203.0.113.10');
  });

  it('links a console switch whose AssumeRole copies are missing: SwitchFrom, then the session ARN and creationDate', () => {
    const records = g.records.filter((r) => !(r.eventName === 'AssumeRole' && r.eventTime === '2026-11-23T10:03:00Z'));
    const { result } = stitch(records);
    const a = result.sessions.find((s) => s.id === `${U1}-20261123T100000Z`)!;
    const inM1 = a.events.filter((e) => e.event.account === M1).map((e) => e.event.eventName);
    assert.deepEqual(inM1, ['SwitchRole', 'ListRoles', 'UpdateAssumeRolePolicy', 'AttachRolePolicy', 'DescribeInstances', 'LookupEvents']);
    assert.equal(result.unlinked.length, 1);
  });

  it('links the role owner\'s copy by the caller\'s principal ID when the caller\'s copy is missing', () => {
    const records = g.records.filter((r) => !(r.eventName === 'AssumeRole' && r.recipientAccountId === S && r.eventTime === '2026-11-23T11:00:20Z'));
    const { result } = stitch(records);
    const c = result.sessions.find((s) => s.id === `${U2}-20261123T110000Z`)!;
    const owner = c.events.find((e) => e.event.eventName === 'AssumeRole' && e.event.account === M1)!;
    assert.match(owner.link, /principalId/);
    // The calls made with the credentials it issued still join, and the chain below them too.
    assert.ok(c.events.some((e) => e.event.eventName === 'DescribeVpcs'));
  });

  it('reports break-glass role calls whose session start is not in the input as unlinked, not as a session', () => {
    const records = g.records.filter((r) => !(r.eventTime >= '2026-11-23T10:00:00Z' && r.eventTime <= '2026-11-23T10:03:01Z' && r.eventName !== 'ListUsers' && r.eventName !== 'GetAccountSummary'));
    const { result } = stitch(records);
    assert.ok(result.unlinked.some((u) => u.event.eventName === 'ListRoles' && u.event.account === M1));
    assert.ok(!result.sessions.some((s) => s.id === `${U1}-20261123T100000Z`));
  });

  it('lists failed sign-ins as attempts, never as sessions, with the hidden user name as unknown', () => {
    const { result } = stitch(g.records);
    assert.deepEqual(result.attempts.map((a) => [a.user ?? null, a.event.eventTime]), [
      [U1, '2026-11-23T09:58:10Z'], [null, '2026-11-24T07:55:00Z'], [U2, '2026-11-24T12:00:00Z'],
    ]);
  });

  it('reads EventBridge-shaped records and Athena-shaped rows (strings for readOnly and JSON columns) alike', () => {
    const asAthena = g.records.map((r) => ({
      ...r,
      readOnly: String(r.readOnly),
      requestParameters: r.requestParameters === null ? null : JSON.stringify(r.requestParameters),
      responseElements: r.responseElements === null ? null : JSON.stringify(r.responseElements),
      ...(r.additionalEventData ? { additionalEventData: JSON.stringify(r.additionalEventData) } : {}),
    }));
    assertExact(stitch(asAthena).result, g);
  });
});
