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
  DEPLOYMENT_ROLE_PATTERNS, GuardrailScp, guardrailDocument, ROLE_TAMPER_ACTIONS, RULE_TAMPER_ACTIONS, SCP_MAX_CHARACTERS,
} from '../../lib/constructs/guardrail-scp';
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

  test('content is a literal JSON object (drift-detectable), every statement a Deny with the deployment-role exemption', () => {
    const c = content();
    assert.equal(typeof c, 'object');
    assert.equal(c.Version, '2012-10-17');
    assert.ok(!JSON.stringify(c).includes('Fn::') && !JSON.stringify(c).includes('"Ref"'), 'no intrinsics inside the policy');
    assert.ok(c.Statement.length >= 5);
    for (const s of c.Statement) {
      assert.equal(s.Effect, 'Deny', s.Sid);
      assert.equal(s.Principal, undefined, 'SCPs take no Principal');
      assert.equal(s.NotPrincipal, undefined, 'SCPs do not support NotPrincipal');
      assert.deepEqual(s.Condition, {
        ArnNotLike: {
          'aws:PrincipalArn': [
            'arn:aws:iam::*:role/stacksets-exec-*',
            'arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole',
            'arn:aws:iam::*:role/cdk-*-cfn-exec-role-*',
          ],
        },
      }, s.Sid);
      assert.ok(!s.Action.some((a: string) => a.includes('*')), `${s.Sid}: named actions only, no wildcards`);
    }
  });

  test('the break-glass role and the forwarder roles: trust, permissions, boundary, settings, tags, deletion', () => {
    const s = bySid('ProtectBreakglassRoles');
    assert.deepEqual(new Set(s.Action), new Set([
      'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy',
      'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:UpdateRole',
      'iam:UpdateRoleDescription', 'iam:TagRole', 'iam:UntagRole',
    ]));
    assert.deepEqual(s.Resource, [`arn:aws:iam::*:role/${on.config.role.name}`, `arn:aws:iam::*:role/${NAMES.forwarderRolePrefix}*`]);
  });

  test('forwarder and central rules, the central bus, dead-letter queues, topics and the trail', () => {
    assert.deepEqual(bySid('ProtectBreakglassRules').Action, ['events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets']);
    assert.deepEqual(bySid('ProtectBreakglassRules').Resource, [`arn:aws:events:*:*:rule/${NAMES.rulePrefix}*`]);
    assert.deepEqual(bySid('ProtectBreakglassBus').Resource, [`arn:aws:events:*:*:event-bus/${NAMES.centralBus}`]);
    assert.deepEqual(bySid('ProtectBreakglassDeadLetters').Resource, ['arn:aws:sqs:*:*:breakglass-*-dead-letters']);
    assert.ok(bySid('ProtectBreakglassDeadLetters').Action.includes('sqs:PurgeQueue'), 'emptying a dead-letter queue destroys evidence');
    assert.deepEqual(bySid('ProtectBreakglassTopics').Resource, ['arn:aws:sns:*:*:breakglass-alerts*', 'arn:aws:sns:*:*:breakglass-operations']);
    assert.deepEqual(bySid('ProtectBreakglassTrail').Action, ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors']);
    assert.deepEqual(bySid('ProtectBreakglassTrail').Resource, [`arn:aws:cloudtrail:*:*:trail/${NAMES.trail}`]);
  });

  test('the resource patterns match the names the stacks really deploy', () => {
    const deployed = [...on.templates.values(), on.member].flatMap((t) => Object.values<any>(t.Resources));
    const names = (type: string, prop: string) => deployed.filter((r) => r.Type === type).map((r) => r.Properties?.[prop]).filter((n) => typeof n === 'string');
    const glob = (p: string) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const tail = (sid: string, i = 0) => bySid(sid).Resource[i].replace(/^arn:aws:[a-z]+:\*:\*:/, '');
    const rules = names('AWS::Events::Rule', 'Name');
    assert.ok(rules.length > 5);
    for (const r of rules) assert.match(`rule/${r}`, glob(tail('ProtectBreakglassRules')), r);
    const queues = names('AWS::SQS::Queue', 'QueueName');
    assert.ok(queues.length >= 2);
    for (const q of queues) assert.match(q, glob(tail('ProtectBreakglassDeadLetters')), q);
    const topics = names('AWS::SNS::Topic', 'TopicName');
    for (const t of topics) assert.ok(bySid('ProtectBreakglassTopics').Resource.some((p: string) => glob(p.replace(/^arn:aws:sns:\*:\*:/, '')).test(t)), t);
    // The member template names its forwarder role with Fn::Sub over the region; the regional stacks literally.
    const roles = names('AWS::IAM::Role', 'RoleName').filter((n) => n.startsWith(NAMES.forwarderRolePrefix));
    assert.ok(roles.length >= 1);
    for (const r of roles) assert.match(`role/${r}`, glob(bySid('ProtectBreakglassRoles').Resource[1].replace('arn:aws:iam::*:', '')));
  });

  test('with an existing organization trail there is no trail statement (breakglass owns no trail then)', () => {
    const doc = guardrailDocument({ roleName: 'R', rulePrefix: 'breakglass-', forwarderRolePrefix: 'breakglass-forwarder-', centralBusName: 'breakglass-central', topicNames: ['t'] });
    assert.ok(!doc.Statement.some((s) => s.Sid === 'ProtectBreakglassTrail'));
    assert.ok(!JSON.stringify(doc).includes('cloudtrail:'));
  });
});

describe('guardrail SCP: size and limits', () => {
  test(`minified content is under the SCP limit of ${SCP_MAX_CHARACTERS} characters, even with a 64-character role name`, (t) => {
    const deployed = JSON.stringify(only(policies(on))[1].Properties.Content).length;
    const worst = JSON.stringify(guardrailDocument({
      roleName: 'R'.repeat(64), rulePrefix: NAMES.rulePrefix, forwarderRolePrefix: NAMES.forwarderRolePrefix,
      centralBusName: NAMES.centralBus, topicNames: [`${NAMES.alertTopic}*`, NAMES.operationsTopic], trailName: NAMES.trail,
    })).length;
    t.diagnostic(`deployed policy: ${deployed} characters; with a 64-character role name: ${worst}; limit ${SCP_MAX_CHARACTERS}`);
    assert.ok(deployed > 1000, 'measured the real document');
    assert.ok(worst <= SCP_MAX_CHARACTERS, `${worst} > ${SCP_MAX_CHARACTERS}`);
  });

  test('fails when the document would exceed the limit (checked at synthesis, not at deploy)', () => {
    const stack = new Stack(new App(), 'S');
    assert.throws(() => new GuardrailScp(stack, 'Scp', {
      targetIds: ['r-ab12'], roleName: 'R', rulePrefix: 'p-', forwarderRolePrefix: 'f-', centralBusName: 'b',
      topicNames: Array.from({ length: 200 }, (_, i) => `topic-${i}`),
    }), /the policy is \d+ characters; service control policies allow 5120/);
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
  assert.deepEqual(doc.Statement[0]!.Action, [...ROLE_TAMPER_ACTIONS]);
  assert.deepEqual(doc.Statement[1]!.Action, [...RULE_TAMPER_ACTIONS]);
  assert.deepEqual((doc.Statement[0]!.Condition as any).ArnNotLike['aws:PrincipalArn'], [...DEPLOYMENT_ROLE_PATTERNS]);
});

function only<T>(xs: T[]): T {
  assert.equal(xs.length, 1, `expected exactly one, got ${xs.length}`);
  return xs[0]!;
}
