/** One-line messages for AWS failures (lib/aws/errors.ts), for the error shapes moto cannot produce. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAwsError } from '../../lib/aws/errors';

const ctx = { action: 'organizations:ListAccounts' };
const sdkError = (name: string, message: string, status?: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('describeAwsError', () => {
  it('AccessDeniedException (as AWS sends it) names the missing permission', () => {
    const e = sdkError('AccessDeniedException', 'You don\'t have permissions to access this resource.', 400);
    assert.equal(describeAwsError(e, ctx), 'organizations:ListAccounts was refused (AccessDeniedException: You don\'t have permissions to access this resource); the credentials need organizations:ListAccounts');
  });
  it('missing credentials, with and without --profile', () => {
    const e = sdkError('CredentialsProviderError', 'Could not load credentials from any providers');
    assert.match(describeAwsError(e, ctx), /^no AWS credentials found \(Could not load credentials from any providers\); set AWS_PROFILE or pass --profile/);
    assert.match(describeAwsError(e, { ...ctx, profile: 'org' }), /^no usable AWS credentials for profile "org" .*aws sso login --profile org/);
  });
  it('expired tokens are refusals too', () => {
    assert.match(describeAwsError(sdkError('ExpiredTokenException', 'The security token included in the request is expired', 400), ctx), /was refused \(ExpiredTokenException: /);
  });
  it('network errors name the code; anything else keeps name, status and message on one line', () => {
    assert.match(describeAwsError(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), ctx), /^cannot reach AWS for organizations:ListAccounts \(ENOTFOUND/);
    const msg = describeAwsError(sdkError('TooManyRequestsException', 'Rate exceeded\nslow down.', 400), ctx);
    assert.equal(msg, 'organizations:ListAccounts failed (TooManyRequestsException, HTTP 400: Rate exceeded slow down)');
  });
});
