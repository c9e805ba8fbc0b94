/**
 * The StackSet member template (region-agnostic, no bootstrap) and the management account's own copies of it:
 * break-glass role trust, home-region-only role, forwarders with global-only rules guarded to us-east-1, each
 * target with retries and a dead-letter queue (SSE-SQS) in the same account and region.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { rulesForAccountKind } from '../../lib/detection/catalogue';
import { detectionContext } from '../../lib/detection/context';
import { withHeartbeat } from '../../lib/liveness/constants';
import { forwarderRuleName, NAMES } from '../../lib/naming';
import { REVOKE_NOTHING, REVOKE_PARAMETER } from '../../lib/revoke/parameter';
import { stackIds } from '../../lib/stacks/names';
import { type CfnTemplate, exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';
import { checkDeadLetterQueue, checkEveryTargetRetriesAndDeadLetters, FORWARDER_DLQ, only, render, RETRY_POLICY } from './template-helpers';

// aws-cdk-lib's bundled CloudFormation validator costs ~6 s of CPU at its first use in each test process. These tests
// check template properties only (validation never changes a template); validation.test.ts runs the validator, with
// cdk-nag and cfn-lint, over the same configs.
process.env.CDK_VALIDATION = 'false';

const regionEquals = (region: string) => ({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, region] });

function breakGlassRoles(t: CfnTemplate, roleName: string) {
  return resourcesOfType(t, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === roleName);
}

/**
 * The trust policy every break-glass role must have, rendered: AssumeRole by the users with MFA and (default) the user
 * name as session name; and, in a statement of its own, an optional source identity equal to the user name.
 */
function expectedTrust(s: Synthesized, extra: Record<string, unknown> = {}) {
  const c = s.config;
  const principalArns = { 'aws:PrincipalArn': c.users.map((u) => `arn:aws:iam::${c.securityAccount.accountId}:user/${u.name}`) };
  return [{
    Action: 'sts:AssumeRole',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${c.securityAccount.accountId}:root` },
    Condition: {
      ArnEquals: principalArns,
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      ...(c.role.requireSessionNameIsUserName ? { StringEquals: { 'sts:RoleSessionName': '${aws:username}' } } : {}),
      ...extra,
    },
  }, {
    Action: 'sts:SetSourceIdentity',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${c.securityAccount.accountId}:root` },
    Condition: { ArnEquals: principalArns, Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringEquals: { 'sts:SourceIdentity': '${aws:username}' } },
  }];
}

function checkRoleProperties(s: Synthesized, role: any, extraTrust: Record<string, unknown> = {}) {
  const c = s.config;
  assert.deepEqual(render(role.Properties.AssumeRolePolicyDocument), { Version: '2012-10-17', Statement: expectedTrust(s, extraTrust) });
  assert.equal(role.Properties.MaxSessionDuration, c.role.maxSessionDuration);
  assert.deepEqual(render(role.Properties.ManagedPolicyArns).sort(),
    c.role.managedPolicies.map((p) => (p.startsWith('arn:') ? p : `arn:aws:iam::aws:policy/${p}`)).sort());
  // Two inline policies: `aws login` denied whatever role.managedPolicies grant (issue 11, item 4), and the revocation
  // switch (issue 13): everything denied to sessions issued before the stack parameter's time (test/revoke/ proves it).
  assert.deepEqual(render(role.Properties.Policies), [{
    PolicyName: 'DenyConsoleCredentialsForLocalDevelopment',
    PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['signin:AuthorizeOAuth2Access', 'signin:CreateOAuth2Token'], Resource: '*' }] },
  }, {
    PolicyName: 'RevokeOlderSessions',
    PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'DenySessionsIssuedBeforeRevocation', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': { Ref: 'RevokeSessionsBefore' } } } }] },
  }]);
  assert.equal(role.Properties.PermissionsBoundary, undefined);
}

function checkMemberForwarders(s: Synthesized, t: CfnTemplate, region: string | undefined) {
  const c = s.config;
  const ctx = detectionContext(c);
  const centralArn = `arn:aws:events:${c.securityAccount.region}:${c.securityAccount.accountId}:event-bus/${NAMES.centralBus}`;
  const memberRules = rulesForAccountKind('member');
  const expected = region === undefined ? memberRules : memberRules.filter((r) => r.regions === 'all' || region === 'us-east-1');
  const rules = new Map(resourcesOfType(t, 'AWS::Events::Rule').map(([id, r]) => [r.Properties.Name, [id, r] as const]));
  assert.deepEqual([...rules.keys()].sort(), expected.map((r) => forwarderRuleName(r.id)).sort());
  // The other role of the template is the liveness Scheduler role (test/liveness/templates.test.ts).
  const [roleId, role] = only(resourcesOfType(t, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName !== c.role.name && !JSON.stringify(r.Properties.RoleName).includes('-heartbeat-')), 'forwarder role');
  assert.equal(render(role.Properties.RoleName), `${NAMES.forwarderRolePrefix}${region ?? '<region>'}`);
  assert.deepEqual(render(role.Properties.Policies), [{
    PolicyName: 'PutToCentralBus',
    PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: centralArn }] },
  }]);
  // Dead letters stay in the account and region of the rule (EventBridge requires that), encrypted with SSE-SQS by
  // default, or with a key of their own (rotation on, usable by EventBridge) when deadLetterEncryption is "kms".
  const keys = resourcesOfType(t, 'AWS::KMS::Key');
  let keyId = 'SSE-SQS';
  if (c.alerts.deadLetterEncryption === 'kms') {
    const [id, key] = only(keys, 'dead-letter key');
    keyId = id;
    assert.equal(key.Properties.EnableKeyRotation, true);
    const st = render(key.Properties.KeyPolicy.Statement).find((x: any) => x.Sid === 'EventBridgeDeadLetters');
    assert.deepEqual(st, { Sid: 'EventBridgeDeadLetters', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' });
  } else {
    assert.deepEqual(keys, [], 'no KMS key with SSE-SQS dead letters');
  }
  const dlqId = checkDeadLetterQueue(t, `forwarder DLQ ${region ?? '<region>'}`, FORWARDER_DLQ, keyId, `arn:aws:events:${region ?? '<region>'}:<account>:rule/breakglass-fwd-*`);
  assert.equal(resourcesOfType(t, 'AWS::SQS::Queue').length, 1, 'one queue');
  for (const rule of expected) {
    const [, r] = rules.get(forwarderRuleName(rule.id))!;
    assert.equal(r.Properties.EventBusName, undefined, 'forwarders watch the default bus');
    assert.equal(r.Properties.State, rule.readOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED', rule.id);
    // Forwarders that cannot schedule their own heartbeat also let a Scheduler heartbeat through (test/liveness/).
    assert.deepEqual(r.Properties.EventPattern, rule.readOnlyEvents ? withHeartbeat(rule.pattern(ctx), forwarderRuleName(rule.id)) : rule.pattern(ctx), rule.id);
    assert.deepEqual(render(r.Properties.Targets), [{
      Id: 'CentralBus', Arn: centralArn, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      RetryPolicy: RETRY_POLICY, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    }], `${rule.id}: target`);
    if (region === undefined && rule.regions === 'global') {
      assert.ok(r.Condition, `${rule.id}: global-only rule needs a region condition in the member template`);
      assert.deepEqual(t.Conditions[r.Condition], regionEquals('us-east-1'), `${rule.id}: only in us-east-1`);
    } else {
      assert.equal(r.Condition, undefined, rule.id);
    }
  }
  assert.equal(checkEveryTargetRetriesAndDeadLetters(t, 'forwarders', { region: region ?? '<region>', account: '<account>' }), expected.length);
  // No alarms outside the security account's home region (keys: checked above).
  assert.deepEqual(resourcesOfType(t, 'AWS::CloudWatch::Alarm'), []);
  // AssumeRole copies in member accounts are read-only events.
  const roleAssumed = rules.get(forwarderRuleName('role-assumed'));
  if (roleAssumed) assert.equal(roleAssumed[1].Properties.State, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
}

function checkRegionAgnosticAndStandalone(s: Synthesized) {
  const t = s.member;
  assert.equal(t.Parameters?.BootstrapVersion, undefined, 'no BootstrapVersion parameter');
  assert.equal(t.Rules?.CheckBootstrapVersion, undefined, 'no CheckBootstrapVersion rule');
  // One parameter, with a default that revokes nothing: StackSet instances get the StackSet's value (set by
  // `breakglass revoke`), never one per instance.
  assert.deepEqual(Object.keys(t.Parameters ?? {}), [REVOKE_PARAMETER], 'only the revocation time');
  assert.equal(t.Parameters[REVOKE_PARAMETER].Default, REVOKE_NOTHING);
  const text = JSON.stringify(t);
  assert.ok(!/cdk-hnb659fds|AssetParameters|\/cdk-bootstrap\//.test(text), 'no reference to CDK bootstrap resources or asset parameters');
  const types = new Set(Object.values(t.Resources).map((r) => r.Type));
  const kms = s.config.alerts.deadLetterEncryption === 'kms' ? ['AWS::KMS::Key'] : [];
  assert.deepEqual([...types].sort(), ['AWS::Events::Rule', 'AWS::IAM::Role', ...kms, 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::Scheduler::Schedule'],
    'only roles, rules, heartbeat schedules and the dead-letter queue (and its key when asked for): no Lambda, no custom resource, no asset');
  assert.ok(Buffer.byteLength(JSON.stringify(t)) <= 51_200, 'fits a StackSet TemplateBody');

  // The member-template assembly publishes nothing but the template itself.
  const memberArtifact = s.memberApp.synth().getStackArtifact(stackIds.memberTemplate);
  assert.deepEqual(memberArtifact.environment.account, 'unknown-account');
  assert.deepEqual(memberArtifact.environment.region, 'unknown-region');
  const outdir = s.memberApp.outdir;
  const manifest = JSON.parse(readFileSync(join(outdir, `${stackIds.memberTemplate}.assets.json`), 'utf8'));
  assert.deepEqual(Object.keys(manifest.dockerImages ?? {}), []);
  for (const f of Object.values<any>(manifest.files ?? {})) assert.equal(f.source.path, `${stackIds.memberTemplate}.template.json`, 'only the template file is an asset');
  assert.deepEqual(readdirSync(outdir).filter((f) => f.startsWith('asset.')), [], 'no asset directories');
}

describe('member template and management stacks: example config', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(); });
  after(() => s?.cleanup());

  test('region-agnostic, no bootstrap version parameter or rule, no assets', () => checkRegionAgnosticAndStandalone(s));

  test('break-glass role: security account principal, user ARNs pinned, MFA required, 1 h sessions', () => {
    const [, role] = only(breakGlassRoles(s.member, s.config.role.name), 'break-glass role');
    checkRoleProperties(s, role);
    assert.equal(role.Properties.MaxSessionDuration, 3600);
    Template.fromJSON(s.member).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'BreakGlassRole',
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: Match.arrayWith([Match.objectLike({
        Action: 'sts:AssumeRole',
        Condition: { ArnEquals: { 'aws:PrincipalArn': Match.anyValue() }, Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringEquals: { 'sts:RoleSessionName': '${aws:username}' } },
      })]) },
    });
  });

  test('break-glass role only in the home region (CloudFormation condition)', () => {
    const [, role] = only(breakGlassRoles(s.member, s.config.role.name), 'break-glass role');
    assert.ok(role.Condition, 'role must carry a condition');
    assert.deepEqual(s.member.Conditions[role.Condition], regionEquals(s.config.securityAccount.region));
  });

  test('forwarders for member events with retries and an SSE-SQS dead-letter queue; global-only rules conditioned on us-east-1', () => checkMemberForwarders(s, s.member, undefined));

  test('no IAM users, access keys or secrets in the member template', () => {
    for (const type of ['AWS::IAM::User', 'AWS::IAM::AccessKey', 'AWS::SecretsManager::Secret']) assert.deepEqual(resourcesOfType(s.member, type), []);
  });

  test('management account: one stack per watched region in the management account; role only in the home region', () => {
    const c = s.config;
    const ctx = detectionContext(c);
    const names = ctx.regions.map((r) => (r === c.securityAccount.region ? stackIds.management : stackIds.managementRegion(r)));
    assert.deepEqual([...s.templates.keys()].filter((n) => n.startsWith(stackIds.management)).sort(), [...names].sort());
    const assembly = s.app.synth();
    for (const region of ctx.regions) {
      const name = region === c.securityAccount.region ? stackIds.management : stackIds.managementRegion(region);
      const env = assembly.getStackByName(name).environment;
      assert.equal(env.account, c.organization.managementAccountId, name);
      assert.equal(env.region, region, name);
      const t = s.templates.get(name)!;
      const roles = breakGlassRoles(t, c.role.name);
      if (region === c.securityAccount.region) {
        const [, role] = only(roles, `${name} break-glass role`);
        assert.equal(role.Condition, undefined, 'region is known: no condition');
        checkRoleProperties(s, role);
      } else {
        assert.deepEqual(roles, [], `${name}: the role is global, created once in the home region`);
      }
      checkMemberForwarders(s, t, region);
    }
  });
});

describe('member template: home region eu-west-1, stricter trust, 2 h sessions, KMS dead letters, no management account stacks', () => {
  let s: Synthesized;
  before(() => {
    s = synthConfig(exampleWith((c) => {
      c.securityAccount.region = 'eu-west-1';
      c.alerts.deadLetterEncryption = 'kms';
      c.organization.includeManagementAccount = false;
      c.users.push({ name: 'BreakGlassUser3' });
      c.role = { name: 'EmergencyRole', managedPolicies: ['ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/custom'], maxSessionDuration: 7200, maxMfaAgeSeconds: 900, requireSessionNameIsUserName: true };
    }));
  });
  after(() => s?.cleanup());

  test('role condition follows the home region; forwarders still guarded to us-east-1', () => {
    const [, role] = only(breakGlassRoles(s.member, 'EmergencyRole'), 'break-glass role');
    assert.deepEqual(s.member.Conditions[role.Condition], regionEquals('eu-west-1'));
    checkMemberForwarders(s, s.member, undefined);
    checkRegionAgnosticAndStandalone(s);
  });

  test('trust adds MFA age and session-name conditions; MaxSessionDuration from config', () => {
    const [, role] = only(breakGlassRoles(s.member, 'EmergencyRole'), 'break-glass role');
    checkRoleProperties(s, role, { NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '900' } });
    assert.deepEqual(render(role.Properties.AssumeRolePolicyDocument).Statement[0].Condition.StringEquals, { 'sts:RoleSessionName': '${aws:username}' });
    assert.equal(role.Properties.MaxSessionDuration, 7200);
  });

  test('no management account stacks when includeManagementAccount is false', () => {
    assert.deepEqual([...s.templates.keys()].filter((n) => n.startsWith(stackIds.management)), []);
  });
});
