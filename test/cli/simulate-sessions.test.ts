/**
 * `breakglass simulate` runs the notifier's session logic (lib/notify/session-key.ts) over the input in order: every
 * match's notification carries `sessionKey` (string or null), and session alerts gain the Session line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCliWithInput } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';
import * as f from '../fixtures/cloudtrail';

const jsonl = (...recs: unknown[]) => recs.map((r) => JSON.stringify(r)).join('\n') + '\n';
const at = (t: string, r: Record<string, any>) => ({ ...r, eventTime: `2026-11-23T${t}Z` });
const withCreds = (r: Record<string, any>, created: string) => ({ ...r, userIdentity: { ...r.userIdentity, sessionContext: { attributes: { creationDate: `2026-11-23T${created}Z`, mfaAuthenticated: 'true' } } } });

/** A console session of BreakGlassUser1 (sign-in, switch into 333333333333: four records), a root sign-in, a sign-in of BreakGlassUser2. */
const STREAM = [
  at('10:00:00', f.consoleLogin({ region: 'eu-west-1' })),
  at('10:01:00', withCreds(f.assumeRoleCaller({ console: true, region: 'us-east-1' }), '10:00:00')),
  at('10:01:00', f.assumeRoleOwner({ region: 'us-east-1' })),
  at('10:01:00', f.switchRole({ region: 'us-east-1' })),
  at('10:02:00', f.iamCall('ListUsers', {})),
  at('10:03:00', f.consoleLogin({ root: true, account: f.M })),
  at('10:04:00', f.consoleLogin({ user: 'BreakGlassUser2' })),
];
const K1 = 'bg-BreakGlassUser1-20261123T100000Z';
const K2 = 'bg-BreakGlassUser2-20261123T100400Z';

describe('breakglass simulate: one page per session', () => {
  it('--json: every match\'s notification has sessionKey, and the session\'s alerts say first or follow-up N', async () => {
    const r = await runCliWithInput(jsonl(...STREAM), 'simulate', '-c', EXAMPLE_CONFIG, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const got = doc.events.flatMap((e: any) => e.matches.map((m: any) => [e.index, m.rule, m.notification.sessionKey, /^Session: .*$/m.exec(m.notification.message)?.[0] ?? null]));
    assert.deepEqual(got, [
      [0, 'console-login', K1, `Session: ${K1} (first alert of this session)`],
      [1, 'assume-role', K1, `Session: ${K1} (follow-up 1)`],
      [2, 'role-assumed', K1, `Session: ${K1} (follow-up 2)`],
      [3, 'switch-role', K1, `Session: ${K1} (follow-up 3)`],
      [5, 'root-console-login', null, null],
      [6, 'console-login', K2, `Session: ${K2} (first alert of this session)`],
    ]);
    // The session is reported in the notification, not beside the rule.
    for (const e of doc.events) for (const m of e.matches) assert.deepEqual(Object.keys(m).sort(), ['notification', 'rule', 'severity', 'title']);
  });

  it('the order of the input decides which alert is first, as arrival order does for the notifier', async () => {
    const r = await runCliWithInput(jsonl(...STREAM.slice(0, 4).reverse()), 'simulate', '-c', EXAMPLE_CONFIG, '--json');
    const lines = JSON.parse(r.stdout).events.map((e: any) => /^Session: .*$/m.exec(e.matches[0].notification.message)![0]);
    const key = 'bg-BreakGlassUser1-20261123T100100Z';
    assert.deepEqual(lines, [`Session: ${key} (first alert of this session)`, ...[1, 2, 3].map((n) => `Session: ${key} (follow-up ${n})`)]);
  });

  it('text output shows the Session line in the message', async () => {
    const r = await runCliWithInput(jsonl(...STREAM.slice(0, 2)), 'simulate', '-c', EXAMPLE_CONFIG);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^ {8}Session: ${K1} \\(first alert of this session\\)$`, 'm'));
    assert.match(r.stdout, new RegExp(`^ {8}Session: ${K1} \\(follow-up 1\\)$`, 'm'));
  });
});
