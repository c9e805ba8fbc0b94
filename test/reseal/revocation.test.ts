/**
 * Reading RevokeSessionsBefore (lib/reseal/revocation.ts) with stub CloudFormation answers for the cases moto cannot
 * produce: a StackSet whose value has not reached every instance in the home region (moto marks every instance CURRENT
 * at once), a stack that does not exist, an unexpected error. reseal-moto.test.ts reads real (moto) stacks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../lib/config/load';
import type { DoctorContext } from '../../lib/doctor/types';
import { readRevocations } from '../../lib/reseal/revocation';
import { EXAMPLE_CONFIG } from '../helpers/config';

const config = loadConfigFile(EXAMPLE_CONFIG).config; // security 222222222222, management 111111111111, OUs and the management account
const VALUE = '2026-11-23T11:00:00Z';

type Answer = (name: string, input: any) => unknown;

function ctx(account: string, answer: Answer): DoctorContext {
  const client = { send: async (cmd: { constructor: { name: string }; input: unknown }) => answer(cmd.constructor.name, cmd.input) };
  return { profile: undefined, caller: async () => ({ account, arn: `arn:aws:iam::${account}:user/x` }), cloudFormation: () => client } as unknown as DoctorContext;
}

const stack = (value?: string) => ({ Stacks: [{ StackStatus: 'UPDATE_COMPLETE', Parameters: value === undefined ? [] : [{ ParameterKey: 'RevokeSessionsBefore', ParameterValue: value }] }] });
const stackSet = (instances: Array<[string, string, string]>) => (name: string) => (name === 'DescribeStackSetCommand'
  ? { StackSet: { Status: 'ACTIVE', Parameters: [{ ParameterKey: 'RevokeSessionsBefore', ParameterValue: VALUE }] } }
  : { Summaries: instances.map(([Account, Region, Status]) => ({ Account, Region, Status })) });

describe('reading RevokeSessionsBefore', () => {
  it('a StackSet value counts only where it reached the role: home-region instances not CURRENT are named', async () => {
    const mgmt = ctx('111111111111', (name) => (name === 'DescribeStacksCommand' ? stack(VALUE) : stackSet([['333333333333', 'us-east-1', 'OUTDATED'], ['444444444444', 'us-east-1', 'CURRENT'], ['444444444444', 'eu-west-1', 'OUTDATED']])(name)));
    const sec = ctx('222222222222', () => ({ Stacks: [] }));
    const places = await readRevocations(config, { security: sec, management: mgmt, stacksets: mgmt, options: { security: '--profile', management: '--management-profile', stacksets: '--stacksets-profile' } });
    assert.deepEqual(places.map((p) => [p.where, p.value, p.problem]), [
      ['stack set breakglass-member-baseline (111111111111, us-east-1)', VALUE, `RevokeSessionsBefore ${VALUE} has not reached 1 instance in us-east-1, where the role is (333333333333 OUTDATED): breakglass revoke again, or see breakglass doctor (stackset-instances)`],
      ['stack Breakglass-Management (111111111111, us-east-1)', VALUE, undefined],
      // DescribeStacks of a missing stack answers an empty list here; AWS answers ValidationError (next test).
      ['stack Breakglass-Security (222222222222, us-east-1)', undefined, 'no RevokeSessionsBefore parameter (deployed by a breakglass version without `revoke`)'],
    ]);
  });

  it('not deployed, refused, and a value that is not a time: each a problem with its reason, never a revocation', async () => {
    const missing = Object.assign(new Error('Stack with id Breakglass-Security does not exist'), { name: 'ValidationError' });
    const refused = Object.assign(new Error('not authorized to perform: cloudformation:DescribeStackSet'), { name: 'AccessDenied' });
    const mgmt = ctx('111111111111', (name) => { if (name === 'DescribeStackSetCommand') throw refused; return stack('soon'); });
    const sec = ctx('222222222222', () => { throw missing; });
    const places = await readRevocations(config, { security: sec, management: mgmt, stacksets: mgmt, options: { security: '--profile', management: '--management-profile', stacksets: '--stacksets-profile' } });
    assert.deepEqual(places.map((p) => p.problem), [
      'not read: cloudformation:DescribeStackSet was refused (AccessDenied: not authorized to perform: cloudformation:DescribeStackSet); the credentials need cloudformation:DescribeStackSet',
      'RevokeSessionsBefore is not a time',
      'not deployed (not found)',
    ]);
    assert.ok(places.every((p) => p.at === undefined));
  });
});
