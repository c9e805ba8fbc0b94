/**
 * Security-critical properties of the security account's stacks (users, alert key and topic, central bus and rules,
 * forwarders, trail, organization-ID lookup), asserted on the synthesized templates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SELF_SERVICE_WITHOUT_MFA } from '../../lib/constructs/break-glass-users';
import { CATALOGUE, rulesForAccountKind } from '../../lib/detection/catalogue';
import { detectionContext } from '../../lib/detection/context';
import { centralRuleName, forwarderRuleName, NAMES } from '../../lib/naming';
import { type CfnTemplate, exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';

// aws-cdk-lib's bundled CloudFormation validator costs ~6 s of CPU at its first use in each test process. These tests
// check template properties only (validation never changes a template); validation.test.ts runs the validator, with
// cdk-nag and cfn-lint, over the same configs.
process.env.CDK_VALIDATION = 'false';

const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': '<account>', 'AWS::Region': '<region>' };

/** Renders Fn::Join / pseudo-parameter Refs / Fn::Sub of pseudo parameters to plain strings for readable comparisons. */
function render(v: any): any {
  if (Array.isArray(v)) return v.map(render);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = v['Fn::Join'];
      return (parts as any[]).map((p) => { const r = render(p); return typeof r === 'string' ? r : JSON.stringify(r); }).join(sep);
    }
    if (keys.length === 1 && keys[0] === 'Ref' && PSEUDO[v.Ref]) return PSEUDO[v.Ref];
    if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof v['Fn::Sub'] === 'string') {
      return (v['Fn::Sub'] as string).replace(/\$\{(AWS::\w+)\}/g, (m, n) => PSEUDO[n] ?? m);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)]));
  }
  return v;
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Every key name anywhere below `v` (to look for password-like properties). */
function allKeys(v: any, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allKeys(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); allKeys(x, out); }
  return out;
}

function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

function allTemplates(s: Synthesized): Array<[string, CfnTemplate]> {
  return [...s.templates.entries(), ['member-template', s.member]];
}

const securityStackName = (s: Synthesized, region: string) => (region === s.config.securityAccount.region ? 'Breakglass-Security' : `Breakglass-Security-${region}`);

function stackEnv(s: Synthesized, stackName: string) {
  return s.app.synth().getStackByName(stackName).environment;
}

/** Central-bus rules: rules attached to the custom bus of this template. */
function centralRules(t: CfnTemplate): Map<string, any> {
  const bus = only(resourcesOfType(t, 'AWS::Events::EventBus'), 'event bus')[0];
  return new Map(resourcesOfType(t, 'AWS::Events::Rule')
    .filter(([, r]) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: bus }))
    .map(([, r]) => [r.Properties.Name, r]));
}

/** Forwarder rules: rules on the default bus (no EventBusName). */
function forwarderRules(t: CfnTemplate): Map<string, [string, any]> {
  return new Map(resourcesOfType(t, 'AWS::Events::Rule')
    .filter(([, r]) => r.Properties.EventBusName === undefined)
    .map(([id, r]) => [r.Properties.Name, [id, r]]));
}

function checkNoUserCredentials(s: Synthesized) {
  for (const [name, t] of allTemplates(s)) {
    for (const [id, r] of Object.entries(t.Resources)) {
      assert.notEqual(r.Type, 'AWS::IAM::AccessKey', `${name}/${id}: access key resource`);
      assert.notEqual(r.Type, 'AWS::SecretsManager::Secret', `${name}/${id}: secret resource`);
      if (r.Type === 'AWS::IAM::User') {
        assert.equal(r.Properties?.LoginProfile, undefined, `${name}/${id}: user has a LoginProfile`);
        assert.equal(r.Properties?.Policies, undefined, `${name}/${id}: user has inline policies`);
        assert.equal(r.Properties?.Groups, undefined, `${name}/${id}: user is in groups`);
      }
      const pw = allKeys(r.Properties).filter((k) => /password|secretaccesskey/i.test(k));
      assert.deepEqual(pw, [], `${name}/${id}: password-like property`);
    }
  }
}

function checkUsersAndPolicy(s: Synthesized, expectedOrgId: unknown) {
  const c = s.config;
  const t = s.templates.get('Breakglass-Security')!;
  const users = resourcesOfType(t, 'AWS::IAM::User');
  assert.deepEqual(users.map(([, u]) => u.Properties.UserName).sort(), c.users.map((u) => u.name).sort());
  const [policyId, policy] = only(resourcesOfType(t, 'AWS::IAM::ManagedPolicy'), 'managed policy');
  for (const [, u] of users) assert.deepEqual(u.Properties.ManagedPolicyArns, [{ Ref: policyId }]);
  // Users only in the security stack.
  for (const [name, other] of allTemplates(s)) {
    if (name !== 'Breakglass-Security') assert.deepEqual(resourcesOfType(other, 'AWS::IAM::User'), [], `${name} has IAM users`);
  }

  const statements = render(policy.Properties.PolicyDocument.Statement) as any[];
  const allows = statements.filter((st) => st.Effect === 'Allow');
  const denies = statements.filter((st) => st.Effect === 'Deny');
  assert.equal(allows.length + denies.length, statements.length);

  const assume = only(allows.filter((st) => asArray(st.Action).includes('sts:AssumeRole')), 'sts:AssumeRole statement');
  assert.deepEqual(asArray(assume.Action), ['sts:AssumeRole'], 'the AssumeRole statement allows nothing else');
  assert.deepEqual(asArray(assume.Resource), [`arn:aws:iam::*:role/${c.role.name}`]);
  assert.deepEqual(assume.Condition, {
    StringEquals: { 'aws:ResourceOrgID': expectedOrgId },
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
  });

  // Everything else allowed is self-service, usable without MFA by design, on the user itself where IAM allows it.
  const selfService = new Set<string>(SELF_SERVICE_WITHOUT_MFA);
  for (const st of allows.filter((x) => x !== assume)) {
    assert.equal(st.NotAction, undefined, 'no Allow with NotAction');
    assert.equal(st.NotResource, undefined, 'no Allow with NotResource');
    for (const a of asArray<string>(st.Action)) assert.ok(selfService.has(a), `unexpected allowed action ${a} in ${st.Sid}`);
  }
  const own = only(allows.filter((st) => st.Sid === 'ManageOwnPasswordAndMfa'), 'own-user statement');
  assert.deepEqual(asArray(own.Resource), ['arn:aws:iam::<account>:user/${aws:username}']);
  assert.ok(asArray(own.Action).includes('iam:ChangePassword') && asArray(own.Action).includes('iam:EnableMFADevice'));

  const deny = only(denies, 'Deny statement');
  assert.deepEqual([...asArray<string>(deny.NotAction)].sort(), [...SELF_SERVICE_WITHOUT_MFA].sort());
  assert.equal(deny.Action, undefined);
  assert.deepEqual(asArray(deny.Resource), ['*']);
  assert.deepEqual(deny.Condition, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } });
}

function checkAlertKeyAndTopic(s: Synthesized) {
  const c = s.config;
  const t = s.templates.get('Breakglass-Security')!;
  const [topicId, topic] = only(resourcesOfType(t, 'AWS::SNS::Topic'), 'SNS topic');
  assert.equal(topic.Properties.TopicName, NAMES.alertTopic);

  // KmsMasterKeyId is a reference to the key resource in this template, never an alias or key-id string.
  const kmsRef = topic.Properties.KmsMasterKeyId;
  assert.equal(typeof kmsRef, 'object', `KmsMasterKeyId must reference the key, got ${JSON.stringify(kmsRef)}`);
  const keyId: string = kmsRef.Ref ?? kmsRef['Fn::GetAtt']?.[0];
  assert.ok(keyId, `KmsMasterKeyId must be Ref/GetAtt, got ${JSON.stringify(kmsRef)}`);
  if (kmsRef['Fn::GetAtt']) assert.equal(kmsRef['Fn::GetAtt'][1], 'Arn');
  const key = t.Resources[keyId]!;
  assert.equal(key.Type, 'AWS::KMS::Key');
  assert.equal(key.Properties.EnableKeyRotation, true);

  // EventBridge must be able to use the key, without aws:SourceAccount/aws:SourceArn (unsupported for this path).
  const keyStatements = key.Properties.KeyPolicy.Statement as any[];
  const forEvents = keyStatements.filter((st) => asArray(st.Principal?.Service).includes('events.amazonaws.com'));
  assert.ok(forEvents.length > 0, 'no key-policy statement for events.amazonaws.com');
  const eventsActions = new Set(forEvents.filter((st) => st.Effect === 'Allow').flatMap((st) => asArray<string>(st.Action)));
  for (const a of ['kms:GenerateDataKey*', 'kms:Decrypt']) assert.ok(eventsActions.has(a), `events.amazonaws.com lacks ${a}`);
  for (const st of forEvents) {
    const condKeys = allKeys(st.Condition ?? {});
    assert.ok(!condKeys.includes('aws:SourceAccount') && !condKeys.includes('aws:SourceArn'),
      `events.amazonaws.com key statement must not carry aws:SourceAccount/aws:SourceArn: ${JSON.stringify(st.Condition)}`);
  }
  assert.equal(keyStatements.filter((st) => st.Effect === 'Deny').length, 0);

  // Topic policy: TLS only, EventBridge may publish (from this bus's rules).
  const [, tp] = only(resourcesOfType(t, 'AWS::SNS::TopicPolicy'), 'topic policy');
  assert.deepEqual(tp.Properties.Topics, [{ Ref: topicId }]);
  const tps = tp.Properties.PolicyDocument.Statement as any[];
  const tls = tps.filter((st) => st.Effect === 'Deny' && JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
  assert.equal(tls.length, 1, 'expected one Deny on aws:SecureTransport false');
  assert.ok(tls[0].Principal === '*' || JSON.stringify(tls[0].Principal) === JSON.stringify({ AWS: '*' }));
  assert.ok(asArray(tls[0].Action).includes('sns:Publish'));
  const publish = only(tps.filter((st) => st.Effect === 'Allow' && asArray(st.Principal?.Service).includes('events.amazonaws.com')), 'EventBridge publish statement');
  assert.deepEqual(asArray(publish.Action), ['sns:Publish']);
  assert.deepEqual(publish.Resource, { Ref: topicId });
  assert.deepEqual(render(publish.Condition), {
    StringEquals: { 'aws:SourceAccount': '<account>' },
    ArnLike: { 'aws:SourceArn': `arn:aws:events:${c.securityAccount.region}:<account>:rule/${NAMES.centralBus}/*` },
  });
  // Nobody else gets an Allow on the topic.
  assert.equal(tps.filter((st) => st.Effect === 'Allow').length, 1);

  // Subscriptions are exactly the configured recipients, on this topic.
  const subs = resourcesOfType(t, 'AWS::SNS::Subscription').map(([, r]) => r.Properties);
  for (const sub of subs) assert.deepEqual(sub.TopicArn, { Ref: topicId });
  const got = subs.map((p) => `${p.Protocol} ${p.Endpoint}`).sort();
  const want = [...c.alerts.emails.map((e) => `email ${e}`), ...c.alerts.https.map((h) => `https ${h.url}`)].sort();
  assert.deepEqual(got, want);
}

function checkCentralBus(s: Synthesized, expectedOrgId: unknown) {
  const c = s.config;
  const t = s.templates.get('Breakglass-Security')!;
  const [busId, bus] = only(resourcesOfType(t, 'AWS::Events::EventBus'), 'event bus');
  assert.equal(bus.Properties.Name, NAMES.centralBus);
  assert.deepEqual(stackEnv(s, 'Breakglass-Security'), { account: c.securityAccount.accountId, region: c.securityAccount.region, name: `aws://${c.securityAccount.accountId}/${c.securityAccount.region}` });
  const [, policy] = only(resourcesOfType(t, 'AWS::Events::EventBusPolicy'), 'event bus policy');
  assert.deepEqual(policy.Properties.EventBusName, { Ref: busId });
  assert.deepEqual(policy.Properties.Statement, {
    Sid: 'OrganizationForwarders',
    Effect: 'Allow',
    Principal: '*',
    Action: 'events:PutEvents',
    Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
    Condition: { StringEquals: { 'aws:PrincipalOrgID': expectedOrgId } },
  });

  const [topicId] = only(resourcesOfType(t, 'AWS::SNS::Topic'), 'SNS topic');
  const rules = centralRules(t);
  assert.deepEqual([...rules.keys()].sort(), CATALOGUE.map((r) => centralRuleName(r.id)).sort(), 'one central rule per catalogue rule');
  const ctx = detectionContext(c);
  for (const rule of CATALOGUE) {
    const r = rules.get(centralRuleName(rule.id))!;
    assert.equal(r.Properties.State, rule.readOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED', rule.id);
    assert.deepEqual(r.Properties.EventPattern, rule.pattern(ctx), `${rule.id}: pattern`);
    assert.deepEqual(r.Properties.Targets, [{ Id: 'AlertTopic', Arn: { Ref: topicId } }], `${rule.id}: target`);
    assert.equal(r.Condition, undefined);
  }
  // AssumeRole is a read-only management event: both AssumeRole rules must receive read-only events.
  for (const id of ['assume-role', 'role-assumed']) {
    assert.equal(rules.get(centralRuleName(id))!.Properties.State, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', id);
  }
}

function checkSecurityForwarders(s: Synthesized) {
  const c = s.config;
  const ctx = detectionContext(c);
  const centralArn = `arn:aws:events:${c.securityAccount.region}:${c.securityAccount.accountId}:event-bus/${NAMES.centralBus}`;
  const expectedStacks = ctx.regions.map((r) => securityStackName(s, r)).sort();
  assert.deepEqual([...s.templates.keys()].filter((n) => n.startsWith('Breakglass-Security')).sort(), expectedStacks,
    'one security stack per watched region');
  for (const region of ctx.regions) {
    const name = securityStackName(s, region);
    const t = s.templates.get(name)!;
    assert.equal(stackEnv(s, name).region, region);
    assert.equal(stackEnv(s, name).account, c.securityAccount.accountId);
    const expected = rulesForAccountKind('security').filter((r) => r.regions === 'all' || region === 'us-east-1');
    const rules = forwarderRules(t);
    assert.deepEqual([...rules.keys()].sort(), expected.map((r) => forwarderRuleName(r.id)).sort(), `${name}: forwarder rules`);
    const [roleId, role] = only(resourcesOfType(t, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === `${NAMES.forwarderRolePrefix}${region}`), `${name} forwarder role`);
    assert.deepEqual(render(role.Properties.AssumeRolePolicyDocument.Statement), [{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '<account>' } },
    }]);
    assert.deepEqual(render(role.Properties.Policies), [{
      PolicyName: 'PutToCentralBus',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: centralArn }] },
    }]);
    assert.equal(role.Properties.ManagedPolicyArns, undefined);
    for (const rule of expected) {
      const [, r] = rules.get(forwarderRuleName(rule.id))!;
      assert.equal(r.Condition, undefined, `${name}: region is known, no condition needed`);
      assert.equal(r.Properties.State, rule.readOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED', `${name}: ${rule.id}`);
      assert.deepEqual(r.Properties.EventPattern, rule.pattern(ctx), `${name}: ${rule.id} pattern`);
      assert.deepEqual(render(r.Properties.Targets), [{ Id: 'CentralBus', Arn: centralArn, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } }]);
    }
  }
}

function checkTrail(s: Synthesized) {
  const t = s.templates.get('Breakglass-Security')!;
  const [, trail] = only(resourcesOfType(t, 'AWS::CloudTrail::Trail'), 'trail');
  const p = trail.Properties;
  assert.equal(p.IsMultiRegionTrail, true);
  assert.equal(p.IncludeGlobalServiceEvents, true);
  assert.equal(p.EnableLogFileValidation, true);
  assert.equal(p.IsLogging, true);
  assert.equal(p.TrailName, NAMES.trail);
  // Read AND write management events: AssumeRole is read-only.
  const selectors = p.EventSelectors as any[] | undefined;
  assert.equal(p.AdvancedEventSelectors, undefined);
  if (selectors !== undefined) {
    assert.ok(selectors.some((sel) => sel.IncludeManagementEvents !== false && (sel.ReadWriteType ?? 'All') === 'All'), 'management events must be read+write');
    assert.ok(selectors.every((sel) => !(sel.ExcludeManagementEventSources ?? []).length), 'no management event source excluded');
  }
  const keyId = p.KMSKeyId?.['Fn::GetAtt']?.[0] ?? p.KMSKeyId?.Ref;
  assert.ok(keyId, `trail KMSKeyId must reference a key: ${JSON.stringify(p.KMSKeyId)}`);
  assert.equal(t.Resources[keyId]!.Type, 'AWS::KMS::Key');
  assert.equal(t.Resources[keyId]!.Properties.EnableKeyRotation, true);
  const keyPolicy = t.Resources[keyId]!.Properties.KeyPolicy.Statement as any[];
  assert.ok(keyPolicy.some((st) => asArray(st.Principal?.Service).includes('cloudtrail.amazonaws.com') && asArray(st.Action).includes('kms:GenerateDataKey*')),
    'CloudTrail may encrypt with the key');

  const bucketId: string = p.S3BucketName.Ref;
  const bucket = t.Resources[bucketId]!;
  assert.equal(bucket.Type, 'AWS::S3::Bucket');
  const sse = only(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration as any[], 'SSE rule').ServerSideEncryptionByDefault;
  assert.equal(sse.SSEAlgorithm, 'aws:kms');
  assert.deepEqual(sse.KMSMasterKeyID, { 'Fn::GetAtt': [keyId, 'Arn'] });
  assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  assert.equal(bucket.Properties.VersioningConfiguration?.Status, 'Enabled');
  assert.equal(bucket.DeletionPolicy, 'Retain');
  Template.fromJSON(t).hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: bucketId },
    PolicyDocument: Match.objectLike({
      Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    }),
  });
}

describe('security stacks: example config', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(); });
  after(() => s?.cleanup());

  test('no access keys, login profiles, passwords or secrets in any template', () => checkNoUserCredentials(s));
  test('users carry one managed policy: AssumeRole (org + MFA), self-service, deny-all-else without MFA', () => checkUsersAndPolicy(s, 'o-a1b2c3d4e5'));
  test('alert key rotates and admits EventBridge without source conditions; topic encrypted with it, TLS-only, subscribers as configured', () => checkAlertKeyAndTopic(s));
  test('central bus admits the organization only and has one rule per catalogue entry with the right state', () => checkCentralBus(s, 'o-a1b2c3d4e5'));
  test('forwarders in every watched region of the security account; global-only rules only in us-east-1', () => checkSecurityForwarders(s));
  test('trail: multi-region, log file validation, read+write management events, KMS-encrypted private bucket', () => checkTrail(s));
  test('no organization-ID lookup (no custom resource, no Lambda) when organization.id is given', () => {
    for (const [name, t] of allTemplates(s)) {
      assert.deepEqual(resourcesOfType(t, 'Custom::AWS'), [], name);
      assert.deepEqual(resourcesOfType(t, 'AWS::Lambda::Function'), [], name);
    }
  });
  test('the security account has the break-glass role too (the StackSet excludes it), with the MFA trust', () => {
    const tpl = Template.fromJSON(s.templates.get('Breakglass-Security')!);
    tpl.hasResourceProperties('AWS::IAM::Role', {
      RoleName: s.config.role.name,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({
        Action: 'sts:AssumeRole',
        Condition: Match.objectLike({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, ArnEquals: { 'aws:PrincipalArn': Match.anyValue() } }),
      })] }),
    });
  });
  test('Template.fromJSON assertions agree (users policy and topic)', () => {
    const tpl = Template.fromJSON(s.templates.get('Breakglass-Security')!);
    tpl.resourceCountIs('AWS::IAM::User', s.config.users.length);
    tpl.resourceCountIs('AWS::IAM::AccessKey', 0);
    tpl.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, KeyPolicy: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({
      Principal: { Service: Match.arrayWith(['events.amazonaws.com']) }, Action: Match.arrayWith(['kms:GenerateDataKey*', 'kms:Decrypt']), Condition: Match.absent(),
    })]) }) });
    tpl.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] } });
    tpl.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({
      Effect: 'Deny', NotAction: Match.anyValue(), Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    })]) }) });
  });
});

describe('security stacks: organization ID looked up, existing organization trail, https endpoint', () => {
  let s: Synthesized;
  before(() => {
    s = synthConfig(exampleWith((c) => {
      delete c.organization.id;
      c.cloudTrail = { mode: 'existing-organization-trail' };
      c.alerts = { emails: ['one@example.com', 'two@example.com'], https: ['https://pager.example.com/hook'] };
    }));
  });
  after(() => s?.cleanup());

  test('one organization-ID lookup, in the security stack only, feeding the bus policy', () => {
    const t = s.templates.get('Breakglass-Security')!;
    const [crId, cr] = only(resourcesOfType(t, 'Custom::AWS'), 'Custom::AWS');
    assert.match(JSON.stringify(cr.Properties), /describeOrganization/);
    checkCentralBus(s, { 'Fn::GetAtt': [crId, 'Organization.Id'] });
    for (const [name, other] of allTemplates(s)) {
      if (name === 'Breakglass-Security') continue;
      assert.deepEqual(resourcesOfType(other, 'Custom::AWS'), [], name);
      assert.deepEqual(resourcesOfType(other, 'AWS::Lambda::Function'), [], name);
    }
  });
  test('users policy falls back to the caller\'s own organization (${aws:PrincipalOrgID})', () => checkUsersAndPolicy(s, '${aws:PrincipalOrgID}'));
  test('still no credentials anywhere', () => checkNoUserCredentials(s));
  test('subscribers: two emails and one https endpoint', () => checkAlertKeyAndTopic(s));
  test('no trail and no trail bucket when an organization trail exists', () => {
    for (const [name, t] of allTemplates(s)) {
      assert.deepEqual(resourcesOfType(t, 'AWS::CloudTrail::Trail'), [], name);
      assert.deepEqual(resourcesOfType(t, 'AWS::S3::Bucket'), [], name);
    }
  });
});

describe('security stacks: home region eu-west-1', () => {
  let s: Synthesized;
  before(() => { s = synthConfig(exampleWith((c) => { c.securityAccount.region = 'eu-west-1'; })); });
  after(() => s?.cleanup());

  test('central bus, rules and topic policy in eu-west-1', () => { checkCentralBus(s, 'o-a1b2c3d4e5'); checkAlertKeyAndTopic(s); });
  test('global-only forwarders live in the us-east-1 stack, not in the home stack', () => {
    checkSecurityForwarders(s);
    const home = forwarderRules(s.templates.get('Breakglass-Security')!);
    const useast1 = forwarderRules(s.templates.get('Breakglass-Security-us-east-1')!);
    for (const rule of CATALOGUE.filter((r) => r.regions === 'global' && r.accounts !== 'members')) {
      assert.ok(!home.has(forwarderRuleName(rule.id)), `${rule.id} must not be forwarded from eu-west-1`);
      assert.ok(useast1.has(forwarderRuleName(rule.id)), `${rule.id} must be forwarded from us-east-1`);
    }
  });
});
