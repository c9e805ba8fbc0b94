/**
 * `breakglass revoke` without AWS: --before parsing, the parameter's form, what is updated for which config, the plan
 * decisions (a revocation is never weakened), and the CLI's usage errors, which come before any AWS call.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../lib/revoke/plan';
import {
  isRevokeTime, laterOf, parseBefore, REVOKE_ALLOWED_PATTERN, REVOKE_NOTHING, toRevokeTime,
} from '../../lib/revoke/parameter';
import type { StackState } from '../../lib/revoke/stack';
import type { StackSetState } from '../../lib/revoke/stackset';
import { manualCommand, parseTargetGroups, revokeScope } from '../../lib/revoke/targets';
import { runCli } from '../helpers/cli';
import { EXAMPLE_CONFIG, exampleWith } from '../helpers/config';

const NOW = new Date('2026-11-23T03:00:00.250Z');

describe('--before', () => {
  test('defaults to now, rounded up to the next whole second (a session issued 0.25 s ago is revoked too)', () => {
    assert.equal(parseBefore(undefined, NOW), '2026-11-23T03:00:01Z');
    assert.equal(parseBefore(undefined, new Date('2026-11-23T03:00:00.000Z')), '2026-11-23T03:00:00Z');
  });

  test('accepts ISO 8601 date-times with a zone, written as UTC', () => {
    assert.equal(parseBefore('2026-11-23T02:30:00Z', NOW), '2026-11-23T02:30:00Z');
    assert.equal(parseBefore('2026-11-23T03:30:00+01:00', NOW), '2026-11-23T02:30:00Z');
    assert.equal(parseBefore('2026-11-22T21:30:00-05:00', NOW), '2026-11-23T02:30:00Z');
    assert.equal(parseBefore('2026-11-23T02:30Z', NOW), '2026-11-23T02:30:00Z');
    assert.equal(parseBefore('2026-11-23T02:30:00.1Z', NOW), '2026-11-23T02:30:01Z');
    assert.equal(parseBefore('2026-11-23T03:04:00Z', NOW), '2026-11-23T03:04:00Z', 'clock skew allowance: up to 5 minutes ahead');
  });

  test('refuses, in one line, what is not a date-time with a zone, impossible dates, far-future and pre-2011 times', () => {
    const cases: Array<[string, RegExp]> = [
      ['yesterday', /^--before: expected an ISO 8601 date-time with a time zone, e\.g\. 2026-11-23T03:00:00Z or 2026-11-23T04:00:00\+01:00, got "yesterday"$/],
      ['2026-11-23', /expected an ISO 8601 date-time with a time zone/],
      ['2026-11-23T03:00:00', /expected an ISO 8601 date-time with a time zone/],
      ['2026-02-30T03:00:00Z', /expected an ISO 8601 date-time/],
      ['2026-11-23T24:00:00Z', /expected an ISO 8601 date-time/],
      ['1700000000', /expected an ISO 8601 date-time/],
      [`2026-11-23T03:00:00Z${'x'.repeat(100)}`, new RegExp(`got "2026-11-23T03:00:00Z${'x'.repeat(20)}…"$`)],
      ['2026-11-23T03:06:00Z', /^--before: 2026-11-23T03:06:00Z is in the future; it would also refuse every session issued until then/],
      ['2001-01-01T00:00:00Z', /^--before: 2001-01-01T00:00:00Z revokes nothing/],
    ];
    for (const [v, re] of cases) {
      assert.throws(() => parseBefore(v, NOW), (e: Error) => re.test(e.message) && !e.message.includes('\n'), v);
    }
  });
});

describe('the parameter', () => {
  test('its form: UTC, whole seconds; the CloudFormation pattern and the check agree', () => {
    const cfn = new RegExp(`^${REVOKE_ALLOWED_PATTERN}$`);
    for (const v of [REVOKE_NOTHING, '2026-11-23T03:00:00Z', '2028-02-29T23:59:59Z']) {
      assert.ok(isRevokeTime(v) && cfn.test(v), v);
    }
    for (const v of ['2026-11-23T03:00:00', '2026-11-23T03:00:00.000Z', '2026-11-23T03:00:00+00:00', '2026-13-01T00:00:00Z', '2026-11-23 03:00:00Z', '']) {
      assert.ok(!isRevokeTime(v) && !cfn.test(v), v);
    }
    assert.ok(cfn.test('2026-02-30T00:00:00Z') && !isRevokeTime('2026-02-30T00:00:00Z'), 'the CLI also refuses days a month does not have');
    assert.equal(toRevokeTime(new Date('2026-11-23T03:00:00.001Z')), '2026-11-23T03:00:01Z');
  });

  test('laterOf: a revocation is never weakened', () => {
    assert.equal(laterOf(REVOKE_NOTHING, '2026-11-23T03:00:00Z'), '2026-11-23T03:00:00Z');
    assert.equal(laterOf('2026-11-23T03:00:00Z', '2026-11-23T02:00:00Z'), '2026-11-23T03:00:00Z');
  });
});

describe('targets', () => {
  test('example: the service-managed StackSet from the management account, Breakglass-Management, Breakglass-Security', () => {
    const s = revokeScope(exampleWith(() => {}));
    assert.deepEqual(s.targets.map((t) => `${t.kind} ${t.name} ${t.account} ${t.region} ${t.credentials}`), [
      'stackset breakglass-member-baseline 111111111111 us-east-1 deployer',
      'stack Breakglass-Management 111111111111 us-east-1 management',
      'stack Breakglass-Security 222222222222 us-east-1 security',
    ]);
    assert.equal(s.maxSessionSeconds, 3600);
  });

  test('delegated administrator, both StackSets, no management stacks; --targets narrows', () => {
    const c = exampleWith((x) => {
      x.organization.deployFrom = 'delegated-admin';
      x.organization.delegatedAdminAccountId = '333333333333';
      x.organization.targets = { organizationalUnits: ['ou-ab12-abcd1234'], accounts: ['444444444444'] };
      x.organization.includeManagementAccount = false;
      x.securityAccount.region = 'eu-west-1';
    });
    const s = revokeScope(c);
    assert.deepEqual(s.targets.map((t) => [t.name, t.account, t.region, t.kind === 'stackset' ? `${t.permissionModel}/${t.callAs}` : '']), [
      ['breakglass-member-baseline', '333333333333', 'eu-west-1', 'SERVICE_MANAGED/DELEGATED_ADMIN'],
      ['breakglass-member-baseline-accounts', '333333333333', 'eu-west-1', 'SELF_MANAGED/SELF'],
      ['Breakglass-Security', '222222222222', 'eu-west-1', ''],
    ]);
    assert.deepEqual(revokeScope(c, parseTargetGroups('security, stacksets')).targets.map((t) => t.name), ['breakglass-member-baseline', 'breakglass-member-baseline-accounts', 'Breakglass-Security']);
    assert.deepEqual(revokeScope(c, parseTargetGroups('management')).targets, []);
    assert.throws(() => parseTargetGroups('members'), (e: Error) => e.message === '--targets: expected a comma-separated list of stacksets, management, security, got "members"');
    assert.throws(() => parseTargetGroups(','), (e: Error) => e.message.startsWith('--targets: expected'));
  });

  test('the commands to do it by hand: StackSet with the emergency preferences and CallAs, stacks keeping the other parameters', () => {
    const [set, , sec] = revokeScope(exampleWith((x) => { x.organization.deployFrom = 'delegated-admin'; x.organization.delegatedAdminAccountId = '333333333333'; })).targets;
    assert.equal(manualCommand(set!, '2026-11-23T03:00:00Z'),
      'aws cloudformation update-stack-set --region us-east-1 --stack-set-name breakglass-member-baseline --use-previous-template --parameters ParameterKey=RevokeSessionsBefore,ParameterValue=2026-11-23T03:00:00Z --capabilities CAPABILITY_NAMED_IAM --operation-preferences RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=100,FailureTolerancePercentage=100,ConcurrencyMode=SOFT_FAILURE_TOLERANCE --call-as DELEGATED_ADMIN');
    assert.equal(manualCommand(sec!, '2026-11-23T03:00:00Z'),
      'aws cloudformation update-stack --region us-east-1 --stack-name Breakglass-Security --use-previous-template --parameters ParameterKey=RevokeSessionsBefore,ParameterValue=2026-11-23T03:00:00Z ParameterKey=BootstrapVersion,UsePreviousValue=true --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND');
  });
});

describe('plan decisions', () => {
  const [set, , stack] = revokeScope(exampleWith(() => {})).targets;
  const setState = (value: string | undefined, statuses: string[] = ['CURRENT', 'CURRENT'], status = 'ACTIVE'): StackSetState => ({
    status, value, otherParameters: [], instances: statuses.map((st, i) => ({ account: `33333333333${i}`, region: 'us-east-1', status: st })),
  });
  const stackState = (value: string | undefined, status = 'UPDATE_COMPLETE'): StackState => ({ status, value, otherParameters: ['BootstrapVersion'], capabilities: [] });

  test('updates from the default, and from an earlier revocation', () => {
    assert.deepEqual(pick(decide(set!, setState(REVOKE_NOTHING), '2026-11-23T03:00:00Z')), { action: 'update', to: '2026-11-23T03:00:00Z' });
    assert.deepEqual(pick(decide(stack!, stackState('2026-11-22T00:00:00Z'), '2026-11-23T03:00:00Z')), { action: 'update', to: '2026-11-23T03:00:00Z' });
  });

  test('never weakens: an earlier --before keeps the deployed time (in place, or re-pushed to outdated instances)', () => {
    assert.deepEqual(pick(decide(stack!, stackState('2026-11-23T04:00:00Z'), '2026-11-23T03:00:00Z')), { action: 'in-place', value: '2026-11-23T04:00:00Z' });
    const p = decide(set!, setState('2026-11-23T04:00:00Z', ['CURRENT', 'OUTDATED']), '2026-11-23T03:00:00Z');
    assert.deepEqual(pick(p), { action: 'update', to: '2026-11-23T04:00:00Z' });
    assert.match((p as { note?: string }).note ?? '', /1 instance is not CURRENT: updating again/);
    assert.deepEqual(pick(decide(set!, setState('2026-11-23T03:00:00Z'), '2026-11-23T03:00:00Z')), { action: 'in-place', value: '2026-11-23T03:00:00Z' });
  });

  test('not attempted: a template without the parameter, a busy stack, an inactive StackSet', () => {
    assert.match(whyNot(decide(set!, setState(undefined), '2026-11-23T03:00:00Z')), /has no RevokeSessionsBefore parameter .* deploy the current version first/);
    assert.match(whyNot(decide(stack!, stackState(REVOKE_NOTHING, 'UPDATE_IN_PROGRESS'), '2026-11-23T03:00:00Z')), /the stack is UPDATE_IN_PROGRESS: it cannot be updated now/);
    assert.match(whyNot(decide(set!, setState(REVOKE_NOTHING, [], 'DELETED'), '2026-11-23T03:00:00Z')), /the StackSet is DELETED, not ACTIVE/);
  });
});

function pick(p: ReturnType<typeof decide>) {
  return p.action === 'update' ? { action: p.action, to: p.to } : p.action === 'in-place' ? { action: p.action, value: p.value } : { action: p.action };
}
function whyNot(p: ReturnType<typeof decide>): string {
  assert.equal(p.action, 'skip');
  return (p as { why: string }).why;
}

describe('breakglass revoke: usage errors, before any AWS call', () => {
  test('a bad --before: one clear line, exit 2', async () => {
    const r = await runCli('revoke', '-c', EXAMPLE_CONFIG, '--before', 'last tuesday', '--yes');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'error: --before: expected an ISO 8601 date-time with a time zone, e.g. 2026-11-23T03:00:00Z or 2026-11-23T04:00:00+01:00, got "last tuesday"\n');
  });

  test('no terminal and no --yes: refuses (exit 2), naming --yes and --dry-run', async () => {
    const r = await runCli('revoke', '-c', EXAMPLE_CONFIG);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1);
    assert.match(r.stderr, /^error: revoke changes the break-glass role in every account and there is no terminal to ask: pass --yes to go ahead, or --dry-run to see what would change\n$/);
  });

  test('a bad --targets or --deadline: one line, exit 2', async () => {
    const t = await runCli('revoke', '-c', EXAMPLE_CONFIG, '--yes', '--targets', 'everything');
    assert.equal(t.code, 2);
    assert.equal(t.stderr, 'error: --targets: expected a comma-separated list of stacksets, management, security, got "everything"\n');
    const d = await runCli('revoke', '-c', EXAMPLE_CONFIG, '--yes', '--deadline', 'soon');
    assert.equal(d.code, 2);
    assert.match(d.stderr, /^error: --deadline: expected seconds between 0 and 86400 \(e\.g\. 900\), got "soon"\n$/);
  });

  test('listed in --help with its options', async () => {
    const r = await runCli('revoke', '--help');
    assert.equal(r.code, 0);
    for (const o of ['--before <iso>', '--dry-run', '--yes', '--targets <list>', '--profile <name>', '--management-profile <name>', '--security-profile <name>', '--deadline <seconds>']) {
      assert.ok(r.stdout.includes(o), o);
    }
  });
});
