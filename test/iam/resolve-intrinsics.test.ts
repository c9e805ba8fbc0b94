/** The intrinsic resolver used to turn synthesized IAM policies into concrete documents for the simulator. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveIntrinsics } from '../helpers/iam';

const P = { partition: 'aws', accountId: '333333333333', region: 'us-east-1' };

test('resolves Ref of pseudo parameters and Fn::Join, leaving IAM policy variables alone', () => {
  const doc = {
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':user/${aws:username}']] },
    Nested: [{ Region: { Ref: 'AWS::Region' } }, 'plain', 3, true, null],
  };
  assert.deepEqual(resolveIntrinsics(doc, P), {
    Resource: 'arn:aws:iam::333333333333:user/${aws:username}',
    Nested: [{ Region: 'us-east-1' }, 'plain', 3, true, null],
  });
  // A statement's Condition map is policy data, not the {"Condition": "Name"} intrinsic.
  const st = { Effect: 'Allow', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } };
  assert.deepEqual(resolveIntrinsics(st, P), st);
});

test('resolves the one-argument Fn::Sub over pseudo parameters, honouring the ${!literal} escape', () => {
  assert.equal(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/${!aws:username}' }, P),
    'arn:aws:iam::333333333333:user/${aws:username}');
});

test('fails loudly on every intrinsic it does not understand', () => {
  const cases: unknown[] = [
    { Ref: 'SomeResource' },
    { Ref: 'AWS::StackName' },
    { 'Fn::GetAtt': ['Role', 'Arn'] },
    { 'Fn::If': ['C', 'a', 'b'] },
    { 'Fn::ImportValue': 'x' },
    { 'Fn::Select': [0, ['a']] },
    { 'Fn::Sub': ['${X}', { X: 'a' }] },
    { 'Fn::Sub': 'arn:${SomeParam}' },
    { 'Fn::Join': ['', ['a', { 'Fn::GetAtt': ['R', 'Arn'] }]] },
    { 'Fn::Join': ['', 'not-a-list'] },
    { Ref: 'AWS::Partition', Extra: 1 },
    { Condition: 'IsHomeRegion' },
    'arn:${Token[AWS.Partition.8]}:iam::x',
  ];
  for (const c of cases) {
    assert.throws(() => resolveIntrinsics({ Statement: [{ Resource: c }] }, P), /\$\.Statement\[0\]\.Resource/, JSON.stringify(c));
  }
});
