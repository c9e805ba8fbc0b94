/**
 * The doctor's seal and drill warnings (lib/doctor/checks/seal.ts) on hand-made user facts, rendered as the doctor
 * table prints them: golden file test/golden/doctor-seal-warnings.txt. No AWS (doctor-moto.test.ts runs the checks
 * against moto).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drillFinding, resealFinding, usersDrillCadenceCheck, usersResealedCheck } from '../../lib/doctor/checks/seal';
import { renderTable } from '../../lib/doctor/render';
import { golden } from '../helpers/golden';
import { at, facts, U1, U2 } from '../reseal/fixtures';

const NOW = at('2026-12-02T10:00:00Z');
const CFG = 'my-org.yaml';

describe('doctor: users-resealed', () => {
  it('warns "<user>: used since <date>, not resealed" until the seal is later than the last use', () => {
    const used = resealFinding([facts({ passwordLastUsed: '2026-11-23T10:00:00Z', sealedAt: '2026-02-01T00:00:00Z' }), facts({ name: U2 })], CFG);
    assert.equal(used.status, 'warn');
    assert.equal(used.detail, 'BreakGlassUser1: used since 2026-11-23 10:00:00 UTC, not resealed (password sign-in; last seal 2026-02-01 00:00:00 UTC); BreakGlassUser2: never used');
    const sealed = resealFinding([facts({ passwordLastUsed: '2026-11-23T10:00:00Z', sealedAt: '2026-11-24T13:15:42Z' })], CFG);
    assert.equal(sealed.status, 'pass');
    assert.equal(sealed.detail, 'BreakGlassUser1: sealed 2026-11-24 13:15:42 UTC, after its last use 2026-11-23 10:00:00 UTC');
    // An access key's use counts; a tag that is no time is no seal.
    const key = { id: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', lastUsed: at('2026-11-25T00:00:00Z') };
    assert.match(resealFinding([facts({ passwordLastUsed: '2026-11-23T10:00:00Z', sealedAt: '2026-11-24T13:15:42Z', keys: [key] })]).detail, /^BreakGlassUser1: used since 2026-11-25 00:00:00 UTC, not resealed \(access key; /);
    assert.match(resealFinding([facts({ passwordLastUsed: '2026-11-23T10:00:00Z', tags: { 'breakglass:sealed-at': 'soon' } })]).detail, /seal tag "soon" is not a time/);
  });
});

describe('doctor: users-drill-cadence', () => {
  it('warns with the date and when the drill was due; counts the drill tag; starts the clock at the password for a new user', () => {
    const late = drillFinding([facts({ passwordLastUsed: '2026-09-01T08:00:00Z' })], NOW, CFG);
    assert.equal(late.status, 'warn');
    assert.equal(late.detail, 'BreakGlassUser1: password last used 2026-09-01 08:00:00 UTC, 92 days ago; a drill was due 2026-10-16 08:00:00 UTC');
    const drilled = drillFinding([facts({ passwordLastUsed: '2026-09-01T08:00:00Z', tags: { 'breakglass:last-drill': '2026-11-30T09:00:00Z' } })], NOW, CFG);
    assert.equal(drilled.status, 'pass');
    assert.equal(drilled.detail, 'BreakGlassUser1: last drilled 2026-11-30 09:00:00 UTC; next drill due 2027-01-14 09:00:00 UTC');
    const fresh = drillFinding([facts({ profileCreated: '2026-11-20T00:00:00Z' })], NOW, CFG);
    assert.equal(fresh.detail, 'BreakGlassUser1: never used or drilled since its password was set 2026-11-20 00:00:00 UTC; next drill due 2027-01-04 00:00:00 UTC');
    const noPassword = drillFinding([facts({ profileCreated: null })], NOW, CFG);
    assert.equal(noPassword.status, 'pass');
    // Exactly 45 days is due (IAM.22: unused "for 45 days or more").
    assert.equal(drillFinding([facts({ passwordLastUsed: '2026-10-18T10:00:00Z' })], NOW).status, 'warn');
    assert.equal(drillFinding([facts({ passwordLastUsed: '2026-10-18T10:00:01Z' })], NOW).status, 'pass');
  });

  it('golden: both warnings as the doctor table prints them', () => {
    const users = [
      facts({ passwordLastUsed: '2026-11-23T10:00:00Z', sealedAt: '2026-02-01T00:00:00Z' }),
      facts({ name: U2, passwordLastUsed: '2026-08-14T07:30:00Z', sealedAt: '2026-08-15T12:00:00Z' }),
    ];
    const rows = [
      { id: usersResealedCheck.id, title: usersResealedCheck.title, ...resealFinding(users, CFG) },
      { id: usersDrillCadenceCheck.id, title: usersDrillCadenceCheck.title, ...drillFinding(users, NOW, CFG) },
    ];
    assert.deepEqual(rows.map((r) => r.status), ['warn', 'warn']);
    assert.ok(rows.every((r) => r.detail.includes(U1)));
    golden('doctor-seal-warnings.txt', renderTable(rows), 'test/doctor/seal-checks.test.ts');
  });
});
