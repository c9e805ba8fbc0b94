/**
 * Constructs refuse props that would deploy something broken or unsafe, reporting every problem at once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { BreakGlassRole, type BreakGlassRoleProps } from '../../lib/constructs/break-glass-role';
import { BreakGlassUsers } from '../../lib/constructs/break-glass-users';
import { MemberStackSets, type MemberStackSetProps, TEMPLATE_BODY_LIMIT } from '../../lib/constructs/member-stackset';

const dir = mkdtempSync(join(tmpdir(), 'breakglass-constructs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A fresh stack per case (an App without outdir would leave a directory in /tmp). */
const newStack = () => new Stack(new App({ outdir: join(dir, String(n++)) }), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });

const ROLE: BreakGlassRoleProps = { roleName: 'BreakGlassRole', securityAccountId: '222222222222', userNames: ['bg1'], managedPolicies: ['ReadOnlyAccess'] };
const STACKSETS: MemberStackSetProps = { stackSetName: 'bg', templateBody: '{"Resources":{}}', regions: ['us-east-1'], organizationalUnits: ['r-ab12'] };

describe('BreakGlassRole fails when', () => {
  test('no users may assume it', () => {
    assert.throws(() => new BreakGlassRole(newStack(), 'R', { ...ROLE, userNames: [] }), /BreakGlassRole: expected at least one user name/);
  });
  test('it would carry no permissions', () => {
    assert.throws(() => new BreakGlassRole(newStack(), 'R', { ...ROLE, managedPolicies: [] }), /expected at least one managed policy/);
  });
  for (const bad of ['22222222222', '2222222222222', 'abcdefghijkl', '']) {
    test(`the security account ID is not 12 digits ("${bad}")`, () => {
      assert.throws(() => new BreakGlassRole(newStack(), 'R', { ...ROLE, securityAccountId: bad }), /securityAccountId must be 12 digits/);
    });
  }
  for (const bad of [0, 3599, 43201, 86400]) {
    test(`maxSessionDurationSeconds is outside IAM's 3600..43200 (${bad})`, () => {
      assert.throws(() => new BreakGlassRole(newStack(), 'R', { ...ROLE, maxSessionDurationSeconds: bad }), /maxSessionDurationSeconds must be 3600\.\.43200, got/);
    });
  }
  test('several things are wrong: every problem is reported in one error', () => {
    assert.throws(
      () => new BreakGlassRole(newStack(), 'R', { ...ROLE, userNames: [], securityAccountId: '1', maxSessionDurationSeconds: 60 }),
      (e: Error) => /at least one user name/.test(e.message) && /12 digits/.test(e.message) && /3600\.\.43200/.test(e.message),
    );
  });
});

describe('BreakGlassRole accepts', () => {
  test('the IAM limits 3600 and 43200, and a deploy-time account ID token', () => {
    new BreakGlassRole(newStack(), 'R', { ...ROLE, maxSessionDurationSeconds: 3600 });
    new BreakGlassRole(newStack(), 'R', { ...ROLE, maxSessionDurationSeconds: 43200 });
    const stack = newStack();
    new BreakGlassRole(stack, 'R', { ...ROLE, securityAccountId: new CfnParameter(stack, 'Account').valueAsString });
  });
});

describe('MemberStackSets fails when', () => {
  test('there are no targets (no OUs and no accounts)', () => {
    assert.throws(() => new MemberStackSets(newStack(), 'S', { ...STACKSETS, organizationalUnits: [], accounts: [] }), /MemberStackSets: expected organizational units or accounts/);
    assert.throws(() => new MemberStackSets(newStack(), 'S', { ...STACKSETS, organizationalUnits: undefined }), /expected organizational units or accounts/);
  });
  test('the member template is larger than a StackSet TemplateBody may be', () => {
    const body = JSON.stringify({ Description: 'x'.repeat(TEMPLATE_BODY_LIMIT) });
    assert.throws(() => new MemberStackSets(newStack(), 'S', { ...STACKSETS, templateBody: body }),
      new RegExp(`member template is ${Buffer.byteLength(body)} bytes; StackSet TemplateBody allows ${TEMPLATE_BODY_LIMIT}`));
  });
  test('the size counts UTF-8 bytes, not characters', () => {
    const body = 'é'.repeat(TEMPLATE_BODY_LIMIT / 2 + 1); // 2 bytes each: just over the limit in bytes, under it in characters
    assert.throws(() => new MemberStackSets(newStack(), 'S', { ...STACKSETS, templateBody: body }), /StackSet TemplateBody allows/);
  });
  test('an explicit target account is also excluded (e.g. the security account)', () => {
    assert.throws(() => new MemberStackSets(newStack(), 'S', { ...STACKSETS, accounts: ['222222222222', '444444444444'], excludeAccounts: ['222222222222'] }),
      /account 222222222222 is excluded from the member baseline and cannot be a target/);
  });
  test('there are no regions', () => {
    assert.throws(() => new MemberStackSets(newStack(), 'S', { ...STACKSETS, regions: [] }), /expected at least one region/);
  });
  test('several things are wrong: every problem is reported in one error', () => {
    assert.throws(
      () => new MemberStackSets(newStack(), 'S', { ...STACKSETS, regions: [], organizationalUnits: [], templateBody: 'x'.repeat(TEMPLATE_BODY_LIMIT + 1) }),
      (e: Error) => /at least one region/.test(e.message) && /organizational units or accounts/.test(e.message) && /TemplateBody allows/.test(e.message),
    );
  });
});

describe('MemberStackSets accepts', () => {
  test('a template of exactly the limit', () => {
    new MemberStackSets(newStack(), 'S', { ...STACKSETS, templateBody: 'x'.repeat(TEMPLATE_BODY_LIMIT) });
  });
});

describe('BreakGlassUsers fails when', () => {
  test('there are no users', () => {
    assert.throws(() => new BreakGlassUsers(newStack(), 'U', { userNames: [], roleName: 'BreakGlassRole' }), /BreakGlassUsers: expected at least one user name/);
  });
});
