/**
 * The heartbeat's drill dates (lib/notify/drill-status.ts): which date decides, when the next drill is due, how a
 * failure or a silent IAM call shows; and the SDK reader against moto_server's IAM (ListUserTags; moto does not
 * return PasswordLastUsed, so the use date is covered by the pure tests only).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateUserCommand, IAMClient, TagUserCommand } from '@aws-sdk/client-iam';
import { DRILL_TAG } from '../../lib/drill/cadence';
import { drillLines, readDrillFacts, type IamReader } from '../../lib/notify/drill-status';
import { iamReaderFor } from '../../lib/notify/handler';
import { motoForThisFile, withEnv } from '../helpers/moto';

const moto = motoForThisFile();
const d = (s: string) => new Date(s);

describe('drill lines', () => {
  test('the later of drill and use decides; due 45 days after it; never is due now; an error is its own line', () => {
    assert.deepEqual(drillLines([
      { user: 'A', lastDrill: d('2026-11-01T10:00:00Z'), passwordLastUsed: d('2026-10-01T00:00:00Z') },
      { user: 'B', lastDrill: d('2026-09-01T00:00:00Z'), passwordLastUsed: d('2026-11-20T08:30:00Z') },
      { user: 'C' },
      { user: 'D', lastDrill: d('not a date') },
      { user: 'E', error: 'AccessDenied: no' },
    ]), [
      { user: 'A', basis: 'drill', last: '2026-11-01T10:00:00.000Z', due: '2026-12-16T10:00:00.000Z' },
      { user: 'B', basis: 'use', last: '2026-11-20T08:30:00.000Z', due: '2027-01-04T08:30:00.000Z' },
      { user: 'C', basis: 'none' },
      { user: 'D', basis: 'none' },
      { user: 'E', error: 'AccessDenied: no' },
    ]);
  });

  test('a call that never answers becomes that user\'s line at the deadline; the others are read', async () => {
    const reader: IamReader = {
      passwordLastUsed: (user, signal) => (user === 'slow'
        ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))))
        : Promise.resolve(d('2026-11-20T00:00:00Z'))),
      tag: async () => undefined,
    };
    const t0 = Date.now();
    const facts = await readDrillFacts(reader, ['fast', 'slow'], 200);
    assert.ok(Date.now() - t0 < 2000);
    assert.deepEqual(facts, [
      { user: 'fast', passwordLastUsed: d('2026-11-20T00:00:00Z'), lastDrill: undefined },
      { user: 'slow', error: 'no answer within 0.2 s' },
    ]);
  });
});

describe('IAM reader on moto_server', () => {
  test('reads the drill tag; a missing user is an error line, not a failed heartbeat', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    await withEnv(m.env, async () => {
      const iam = new IAMClient({});
      await iam.send(new CreateUserCommand({ UserName: 'BreakGlassUser1' }));
      await iam.send(new CreateUserCommand({ UserName: 'BreakGlassUser2' }));
      await iam.send(new TagUserCommand({ UserName: 'BreakGlassUser1', Tags: [{ Key: 'team', Value: 'sec' }, { Key: DRILL_TAG, Value: '2026-11-01T10:00:00Z' }] }));
      const facts = await readDrillFacts(iamReaderFor(iam), ['BreakGlassUser1', 'BreakGlassUser2', 'Nobody']);
      assert.deepEqual(facts[0], { user: 'BreakGlassUser1', passwordLastUsed: undefined, lastDrill: d('2026-11-01T10:00:00Z') });
      assert.deepEqual(facts[1], { user: 'BreakGlassUser2', passwordLastUsed: undefined, lastDrill: undefined });
      assert.match((facts[2] as { error: string }).error, /^NoSuchEntity/);
      const lines = drillLines(facts);
      assert.equal((lines[0] as { due: string }).due, '2026-12-16T10:00:00.000Z');
    });
  });
});
