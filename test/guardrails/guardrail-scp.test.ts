/**
 * The optional guardrail SCP: where it is synthesized, what it denies, to whom, and that it fits AWS's size limit.
 * Assertions on the synthesized templates (what deploys); IAM behaviour is in guardrail-iam.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConfigText } from '../../lib/config/load';
import {
  BUS_TAMPER_ACTIONS, DEPLOYMENT_ROLE_PATTERNS, DEPLOYMENT_ROLE_TAMPER_ACTIONS, GuardrailScp, guardrailDocument, KEY_TAMPER_ACTIONS, policySize,
  ROLE_TAMPER_ACTIONS, RULE_TAMPER_ACTIONS, SCP_MAX_CHARACTERS, splitDocument, STACKSETS_MEMBER_SERVICE_LINKED_ROLE, USER_TAMPER_ACTIONS, GROUP_TAMPER_ACTIONS } from '../../lib/constructs/guardrail-scp';
import { NAMES } from '../../lib/naming';
import { stackIds } from '../../lib/stacks/names';
import { exampleWith, resourcesOfType, type Synthesized, synthConfig } from '../helpers/synth';

// Template properties only; guardrail-validation.test.ts runs the validators.
process.env.CDK_VALIDATION = 'false';

const TARGETS = ['r-ab12', 'ou-ab12-abcd1234', '444444444444'];
const enabled = (mutate: (c: any) => void = () => {}) => exampleWith((c) => {
  c.guardrails = { serviceControlPolicy: { enabled: true, targets: TARGETS } };
  mutate(c);
});

const policies = (s: Synthesized) => [...s.templates.values()].flatMap((t) => resourcesOfType(t, 'AWS::Organizations::Policy'));

let off: Synthesized;
let on: Synthesized;
before(() => {
  off = synthConfig(exampleWith(() => {}));
  on = synthConfig(enabled());
});
after(() => { off?.cleanup(); on?.cleanup(); });

describe('guardrail SCP: where', () => {
  test('absent by default: no guardrails stack, no Organizations policy anywhere', () => {
    assert.equal(off.config.guardrails.serviceControlPolicy.enabled, false);
    assert.ok(!off.templates.has(stackIds.guardrails));
    assert.deepEqual(policies(off), []);
    assert.ok(!JSON.stringify(off.member).includes('AWS::Organizations::Policy'), 'never in the StackSet member template');
  });

  test('enabled: exactly one SCP, in its own stack in the management account and home region', () => {
    assert.equal(policies(on).length, 1);
    const t = on.templates.get(stackIds.guardrails);
    assert.ok(t, 'Breakglass-Guardrails synthesized');
    const env = on.app.synth().getStackByName(stackIds.guardrails).environment;
    assert.equal(env.account, on.config.organization.managementAccountId);
    assert.equal(env.region, on.config.securityAccount.region);
    Template.fromJSON(t).hasResourceProperties('AWS::Organizations::Policy', {
      Type: 'SERVICE_CONTROL_POLICY',
      TargetIds: TARGETS,
      Name: 'breakglass-guardrail',
    });
  });

  test('also without management baseline stacks and with a delegated StackSets administrator', () => {
    const s = synthConfig(enabled((c) => {
      c.organization.includeManagementAccount = false;
      c.organization.deployFrom = 'delegated-admin';
      c.organization.delegatedAdminAccountId = '333333333333';
    }));
    try {
      assert.equal(s.app.synth().getStackByName(stackIds.guardrails).environment.account, '111111111111');
      assert.equal(policies(s).length, 1);
    } finally { s.cleanup(); }
  });
});

describe('guardrail SCP: what it denies', () => {
  const content = () => only(policies(on))[1].Properties.Content as { Version: string; Statement: any[] };
  const bySid = (sid: string) => content().Statement.find((s) => s.Sid === sid);
  const SECURITY = '222222222222';
  const EXEMPT = [
    'arn:aws:iam::*:role/stacksets-exec-*',
    'arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole',
    `arn:aws:iam::${SECURITY}:role/cdk-*-cfn-exec-role-*`,
  ];

  test('content is a literal JSON object (drift-detectable), every statement a Deny with the deployment-role exemption', () => {
    const c = content();
    assert.equal(typeof c, 'object');
    assert.equal(c.Version, '2012-10-17');
    assert.ok(!JSON.stringify(c).includes('Fn::') && !JSON.stringify(c).includes('"Ref"'), 'no intrinsics inside the policy');
    assert.deepEqual(c.Statement.map((s) => s.Sid), [
      'ProtectBreakglassIam', 'ProtectBreakglassEvents', 'ProtectBreakglassDelivery', 'ProtectBreakglassKeys', 'ProtectDeploymentRoles',
    ]);
    for (const s of c.Statement) {
      assert.equal(s.Effect, 'Deny', s.Sid);
      assert.equal(s.Principal, undefined, 'SCPs take no Principal');
      assert.equal(s.NotPrincipal, undefined, 'SCPs do not support NotPrincipal');
      // The CDK execution role is exempt only in the security account, the one CDK-deployed account under the SCP.
      const exempt = s.Sid === 'ProtectDeploymentRoles' ? [...EXEMPT, STACKSETS_MEMBER_SERVICE_LINKED_ROLE] : EXEMPT;
      assert.deepEqual(s.Condition.ArnNotLike, { 'aws:PrincipalArn': exempt }, s.Sid);
      assert.ok(!s.Action.some((a: string) => a.includes('*')), `${s.Sid}: named actions only, no wildcards`);
    }
  });

  test("IAM: the break-glass role, the forwarder roles, the break-glass users of the security account, their group and its policy", () => {
    const s = bySid('ProtectBreakglassIam');
    assert.deepEqual(s.Action, [...ROLE_TAMPER_ACTIONS, ...USER_TAMPER_ACTIONS, ...GROUP_TAMPER_ACTIONS]);
    assert.deepEqual(s.Resource, [
      `arn:aws:iam::*:role/${on.config.role.name}`, `arn:aws:iam::*:role/${NAMES.forwarderRolePrefix}*`,
      ...on.config.users.map((u) => `arn:aws:iam::${SECURITY}:user/${u.name}`),
      `arn:aws:iam::${SECURITY}:group/${NAMES.usersGroup}`, `arn:aws:iam::${SECURITY}:policy/${NAMES.usersPolicy}`,
    ]);
    // The documented procedures stay open: enrolment, password reset after use, the user's own password change.
    for (const open of ['iam:CreateLoginProfile', 'iam:UpdateLoginProfile', 'iam:EnableMFADevice', 'iam:ResyncMFADevice', 'iam:ChangePassword', 'iam:DeleteAccessKey']) {
      assert.ok(!JSON.stringify(content()).includes(`"${open}"`), open);
    }
  });

  test('EventBridge, queues, topics, key aliases, the notifier and the alarms; the keys by their aliases', () => {
    assert.deepEqual(bySid('ProtectBreakglassEvents').Action, [...RULE_TAMPER_ACTIONS, ...BUS_TAMPER_ACTIONS]);
    assert.deepEqual(bySid('ProtectBreakglassEvents').Resource, [`arn:aws:events:*:*:rule/${NAMES.rulePrefix}*`, `arn:aws:events:*:*:event-bus/${NAMES.centralBus}`]);
    const d = bySid('ProtectBreakglassDelivery');
    assert.deepEqual(d.Resource, [
      'arn:aws:sqs:*:*:breakglass-*-dead-letters', 'arn:aws:sns:*:*:breakglass-alerts*', 'arn:aws:sns:*:*:breakglass-operations',
      'arn:aws:kms:*:*:alias/breakglass-alerts', 'arn:aws:kms:*:*:alias/breakglass-operations',
      'arn:aws:lambda:*:*:function:breakglass-*', 'arn:aws:cloudwatch:*:*:alarm:breakglass-*',
    ]);
    assert.ok(d.Action.includes('sqs:PurgeQueue'), 'emptying a dead-letter queue destroys evidence');
    assert.ok(d.Action.includes('lambda:PutFunctionConcurrency'), 'reserved concurrency 0 silences the notifier');
    const k = bySid('ProtectBreakglassKeys');
    assert.deepEqual(k.Action, [...KEY_TAMPER_ACTIONS]);
    assert.deepEqual(k.Resource, ['*']);
    assert.deepEqual(k.Condition['ForAnyValue:StringLike'], { 'kms:ResourceAliases': [NAMES.alertKeyAlias, NAMES.operationsKeyAlias] });
    assert.ok(!JSON.stringify(content()).includes('cloudtrail:'), 'no trail statement: the organization trail is in the management account');
  });

  test('the deployment roles themselves: nobody else may create, re-trust, re-permission, tag or delete one', () => {
    const s = bySid('ProtectDeploymentRoles');
    assert.deepEqual(s.Action, [...DEPLOYMENT_ROLE_TAMPER_ACTIONS]);
    assert.ok(s.Action.includes('iam:CreateRole') && s.Action.includes('iam:UpdateAssumeRolePolicy'));
    assert.deepEqual(s.Resource, [...DEPLOYMENT_ROLE_PATTERNS]);
  });

  test('the resource patterns match the names the stacks really deploy', () => {
    const deployed = [...on.templates.values(), on.member].flatMap((t) => Object.values<any>(t.Resources));
    const names = (type: string, prop: string) => deployed.filter((r) => r.Type === type).map((r) => r.Properties?.[prop]).filter((n) => typeof n === 'string');
    const glob = (p: string) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const resources = [...bySid('ProtectBreakglassEvents').Resource, ...bySid('ProtectBreakglassDelivery').Resource] as string[];
    const covered = (service: string, name: string) => resources.some((p) => p.startsWith(`arn:aws:${service}:`) && glob(p.replace(/^arn:aws:[a-z]+:\*:\*:/, '')).test(name));
    const rules = names('AWS::Events::Rule', 'Name');
    assert.ok(rules.length > 5);
    for (const r of rules) assert.ok(covered('events', `rule/${r}`), r);
    const queues = names('AWS::SQS::Queue', 'QueueName');
    assert.ok(queues.length >= 2);
    for (const q of queues) assert.ok(covered('sqs', q), q);
    for (const t of names('AWS::SNS::Topic', 'TopicName')) assert.ok(covered('sns', t), t);
    for (const a of names('AWS::KMS::Alias', 'AliasName')) assert.ok(covered('kms', a), a);
    const functions = names('AWS::Lambda::Function', 'FunctionName');
    assert.ok(functions.includes(NAMES.notifierFunction));
    for (const f of functions) assert.ok(covered('lambda', `function:${f}`), f);
    const alarms = names('AWS::CloudWatch::Alarm', 'AlarmName');
    assert.ok(alarms.length > 5);
    for (const a of alarms) assert.ok(covered('cloudwatch', `alarm:${a}`), a);
    // The member template names its forwarder role with Fn::Sub over the region; the regional stacks literally.
    const roles = names('AWS::IAM::Role', 'RoleName').filter((n) => n.startsWith(NAMES.forwarderRolePrefix));
    assert.ok(roles.length >= 1);
    for (const r of roles) assert.match(`role/${r}`, glob(bySid('ProtectBreakglassIam').Resource[1].replace('arn:aws:iam::*:', '')));
    for (const u of names('AWS::IAM::User', 'UserName')) assert.ok(bySid('ProtectBreakglassIam').Resource.includes(`arn:aws:iam::${SECURITY}:user/${u}`), u);
  });

  test('a trail statement only when a trail name is given (breakglass deploys none under the SCP)', () => {
    const doc = guardrailDocument({ roleName: 'R', rulePrefix: 'breakglass-', forwarderRolePrefix: 'breakglass-forwarder-', centralBusName: 'breakglass-central', topicNames: ['t'] });
    assert.ok(!doc.Statement.some((s) => s.Sid === 'ProtectBreakglassTrail'));
    const withTrail = guardrailDocument({ roleName: 'R', rulePrefix: 'p-', forwarderRolePrefix: 'f-', centralBusName: 'b', topicNames: ['t'], trailName: NAMES.trail });
    assert.deepEqual(withTrail.Statement.at(-1)!.Resource, [`arn:aws:cloudtrail:*:*:trail/${NAMES.trail}`]);
  });
});

describe('guardrail SCP: size and limits', () => {
  const full = (roleName: string, users: string[]) => guardrailDocument({
    roleName, rulePrefix: NAMES.rulePrefix, forwarderRolePrefix: NAMES.forwarderRolePrefix, centralBusName: NAMES.centralBus,
    topicNames: [`${NAMES.alertTopic}*`, NAMES.operationsTopic], cdkDeploymentAccounts: ['222222222222'],
    users: { accountId: '222222222222', names: users }, keyAliases: [NAMES.alertKeyAlias, NAMES.operationsKeyAlias],
    functionName: NAMES.notifierFunction, alarmPrefix: NAMES.rulePrefix,
  });
  const longUsers = (n: number) => Array.from({ length: n }, (_, i) => `${'U'.repeat(62)}${String(i).padStart(2, '0')}`);

  test(`one policy under the SCP limit of ${SCP_MAX_CHARACTERS} characters, even with a 64-character role name and ten 64-character users`, (t) => {
    const deployed = JSON.stringify(only(policies(on))[1].Properties.Content).length;
    const worst = policySize(full('R'.repeat(64), longUsers(10)));
    t.diagnostic(`deployed policy: ${deployed} characters; 64-character role name and ten 64-character users: ${worst}; limit ${SCP_MAX_CHARACTERS}`);
    assert.ok(deployed > 3000, 'measured the real document');
    assert.ok(worst <= SCP_MAX_CHARACTERS, `${worst} > ${SCP_MAX_CHARACTERS}`);
    assert.equal(splitDocument(full('R'.repeat(64), longUsers(10))).length, 1);
  });

  test('more than fits is split over several policies with the same targets, and a warning says so', () => {
    const doc = full('R'.repeat(64), longUsers(25));
    assert.ok(policySize(doc) > SCP_MAX_CHARACTERS);
    const parts = splitDocument(doc);
    assert.equal(parts.length, 2);
    for (const p of parts) assert.ok(policySize(p) <= SCP_MAX_CHARACTERS);
    assert.deepEqual(parts.flatMap((p) => p.Statement), doc.Statement, 'every statement once, in order');

    const s = synthConfig(enabled((c) => { c.users = longUsers(25).map((name) => ({ name })); }));
    try {
      const ps = policies(s);
      assert.deepEqual(ps.map(([, r]) => r.Properties.Name), ['breakglass-guardrail', 'breakglass-guardrail-2']);
      for (const [, r] of ps) assert.deepEqual(r.Properties.TargetIds, TARGETS);
      const warnings = s.app.synth().getStackByName(stackIds.guardrails).messages.map((m) => String(m.entry.data));
      assert.ok(warnings.some((w) => /needs 2 service control policies per target/.test(w)), warnings.join('\n'));
    } finally { s.cleanup(); }
  });

  test('fails when a single statement cannot fit any policy (checked at synthesis, not at deploy)', () => {
    const stack = new Stack(new App(), 'S');
    assert.throws(() => new GuardrailScp(stack, 'Scp', {
      targetIds: ['r-ab12'], roleName: 'R', rulePrefix: 'p-', forwarderRolePrefix: 'f-', centralBusName: 'b',
      topicNames: Array.from({ length: 200 }, (_, i) => `topic-${i}`),
    }), /statement ProtectBreakglassDelivery alone is \d+ characters; service control policies allow 5120/);
  });

  test('fails when no target is given', () => {
    const stack = new Stack(new App(), 'S');
    assert.throws(() => new GuardrailScp(stack, 'Scp', {
      targetIds: [], roleName: 'R', rulePrefix: 'p-', forwarderRolePrefix: 'f-', centralBusName: 'b', topicNames: ['t'],
    }), /expected at least one target/);
  });

  test('warns that SCPs never restrict the management account, and again when it is named as a target', () => {
    const warningsOf = (x: Synthesized) => x.app.synth().getStackByName(stackIds.guardrails).messages
      .filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    const warnings = warningsOf(on);
    assert.ok(warnings.some((w) => /never restrict the management account/.test(w)), warnings.join('\n'));
    assert.ok(!warnings.some((w) => /is the management account/.test(w)));

    const s = synthConfig(enabled((c) => { c.guardrails.serviceControlPolicy.targets = ['111111111111']; }));
    try {
      const w2 = warningsOf(s);
      assert.ok(w2.some((w) => /Target 111111111111 is the management account; the SCP has no effect there/.test(w)), w2.join('\n'));
    } finally { s.cleanup(); }
  });
});

describe('guardrail SCP: config', () => {
  const base = (scp: unknown) => JSON.stringify({
    securityAccount: { accountId: '222222222222' },
    organization: { managementAccountId: '111111111111', targets: { organizationalUnits: ['r-ab12'] } },
    users: [{ name: 'BreakGlassUser1' }],
    alerts: { emails: ['a@example.com'] },
    guardrails: { serviceControlPolicy: scp },
  });
  const problems = (text: string) => {
    try { parseConfigText(text, 'g.json'); } catch (e) { assert.ok(e instanceof ConfigError, String(e)); return [...e.problems]; }
    return assert.fail('expected a ConfigError');
  };

  test('fails when enabled with no targets: one problem naming the field', () => {
    assert.deepEqual(problems(base({ enabled: true })), [
      'g.json:1: guardrails.serviceControlPolicy.targets: expected at least one root, OU or account to attach the service control policy to',
    ]);
  });

  test('fails on a malformed target and on a duplicate', () => {
    const p = problems(base({ enabled: true, targets: ['ou-ab12-abcd1234', 'ou-ab12-abcd1234', 'prod'] }));
    assert.equal(p.length, 1, p.join('\n'));
    assert.equal(p[0], 'g.json:1: guardrails.serviceControlPolicy.targets[2]: expected a root ID ("r-ab12"), OU ID ("ou-ab12-abcd1234") or quoted 12-digit account ID');
    const d = problems(base({ enabled: true, targets: ['ou-ab12-abcd1234', 'ou-ab12-abcd1234'] }));
    assert.deepEqual(d, ['g.json:1: guardrails.serviceControlPolicy.targets[1]: duplicate target "ou-ab12-abcd1234"']);
  });

  test('disabled with no targets is fine (the default)', () => {
    const c = parseConfigText(base({ enabled: false }), 'g.json');
    assert.equal(c.guardrails.serviceControlPolicy.enabled, false);
  });
});

test('the synth summary names the targets and says the management account is not restricted; silent when disabled', () => {
  const { summarize } = require('../../lib/cli/summary') as typeof import('../../lib/cli/summary');
  assert.match(summarize(on.config), /^Guardrail SCP {6}attached to r-ab12, ou-ab12-abcd1234, 444444444444; .*never applies in the management account 111111111111\)$/m);
  assert.doesNotMatch(summarize(off.config), /Guardrail SCP/);
});

test('the exported action lists are what the statements use (no drift between docs, tests and policy)', () => {
  const doc = guardrailDocument({ roleName: 'R', rulePrefix: 'breakglass-', forwarderRolePrefix: 'f-', centralBusName: 'b', topicNames: ['t'] });
  assert.deepEqual(doc.Statement[0]!.Action, [...ROLE_TAMPER_ACTIONS], 'no users given: no user actions');
  assert.deepEqual(doc.Statement[1]!.Action, [...RULE_TAMPER_ACTIONS, ...BUS_TAMPER_ACTIONS]);
  assert.deepEqual((doc.Statement[0]!.Condition as any).ArnNotLike['aws:PrincipalArn'], [...DEPLOYMENT_ROLE_PATTERNS], 'no CDK account given: the CDK role is exempt nowhere');
});

function only<T>(xs: T[]): T {
  assert.equal(xs.length, 1, `expected exactly one, got ${xs.length}`);
  return xs[0]!;
}
