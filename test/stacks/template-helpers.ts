/**
 * Reading synthesized templates in the stack tests: rendering the intrinsics CDK emits, picking resources, and the
 * delivery checks (retry policy, dead-letter queue) every EventBridge rule target must pass in every template.
 * Expected values are written out here, not imported from lib/, so a change in lib/ cannot move both sides at once.
 */
import assert from 'node:assert/strict';
import { NAMES } from '../../lib/naming';
import { type CfnTemplate, resourcesOfType, type Synthesized } from '../helpers/synth';

export const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': '<account>', 'AWS::Region': '<region>' };

/** Renders Fn::Join / pseudo-parameter Refs / Fn::Sub of pseudo parameters to plain strings for readable comparisons. */
export function render(v: any): any {
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

export const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Every key name anywhere below `v`. */
export function allKeys(v: any, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allKeys(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); allKeys(x, out); }
  return out;
}

export function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

export function allTemplates(s: Synthesized): Array<[string, CfnTemplate]> {
  return [...s.templates.entries(), ['member-template', s.member]];
}

/** The one resource of `type` whose `prop` equals `value`, as [logicalId, resource]. */
export function byProp(t: CfnTemplate, type: string, prop: string, value: unknown): [string, any] {
  return only(resourcesOfType(t, type).filter(([, r]) => JSON.stringify(r.Properties?.[prop]) === JSON.stringify(value)), `${type} with ${prop} ${JSON.stringify(value)}`);
}

/** Whether a glob with `*` (IAM ArnLike) matches a string. */
export function arnLike(pattern: string, arn: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(arn);
}

/** EventBridge's documented maximum: 185 attempts over 24 hours (the retry policy every breakglass target uses). */
export const RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 };

export const CENTRAL_DLQ = 'breakglass-central-dead-letters';
export const FORWARDER_DLQ = 'breakglass-forwarder-dead-letters';
export const HEARTBEAT_SCHEDULE_RULE = 'breakglass-heartbeat-schedule';
export const HEARTBEAT_CENTRAL_RULE = 'breakglass-heartbeat';
export const NOTIFIER_INPUT_TEMPLATE = '{"rule":"<aws.events.rule-name>","event":<aws.events.event.json>}';

/** Severities a channel with this minimum receives (most severe first). */
export function severitiesFrom(min: string): string[] {
  const order = ['critical', 'high', 'medium', 'info'];
  assert.ok(order.includes(min), `unknown severity ${min}`);
  return order.slice(0, order.indexOf(min) + 1);
}

/** The TLS-only deny CDK writes for enforceSSL (SNS: sns:Publish; SQS: sqs:*). */
export function isTlsDeny(st: any): boolean {
  return st.Effect === 'Deny' && JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } })
    && (st.Principal === '*' || JSON.stringify(st.Principal) === JSON.stringify({ AWS: '*' }));
}

/**
 * Every EventBridge rule target in the template retries like RETRY_POLICY and dead-letters into a queue of this
 * template whose policy admits that very rule (aws:SourceArn) and whose name fits the rule's bus: central-bus rules
 * use the central queue, default-bus rules the forwarder queue. Returns how many targets were checked.
 * `region`/`account` render the rule ARN (`<region>`/`<account>` in a region-agnostic template).
 */
export function checkEveryTargetRetriesAndDeadLetters(t: CfnTemplate, name: string, opts: { region: string; account: string; except?: readonly string[] }): number {
  let checked = 0;
  for (const [id, rule] of resourcesOfType(t, 'AWS::Events::Rule')) {
    const p = rule.Properties;
    if (opts.except?.includes(p.Name)) continue;
    const onCentralBus = p.EventBusName !== undefined;
    const ruleArn = `arn:aws:events:${opts.region}:${opts.account}:rule/${onCentralBus ? `${NAMES.centralBus}/` : ''}${p.Name}`;
    const targets = p.Targets as any[];
    assert.ok(targets.length > 0, `${name}/${id}: no targets`);
    for (const target of targets) {
      const where = `${name}/${p.Name} target ${target.Id}`;
      assert.deepEqual(target.RetryPolicy, RETRY_POLICY, `${where}: retry policy`);
      const queueId = target.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0];
      assert.ok(queueId && target.DeadLetterConfig.Arn['Fn::GetAtt'][1] === 'Arn', `${where}: DeadLetterConfig must reference a queue of this template: ${JSON.stringify(target.DeadLetterConfig)}`);
      const queue = t.Resources[queueId]!;
      assert.equal(queue.Type, 'AWS::SQS::Queue', where);
      assert.equal(queue.Properties.QueueName, onCentralBus ? CENTRAL_DLQ : FORWARDER_DLQ, `${where}: dead-letter queue`);
      const sends = queuePolicyStatements(t, queueId).filter((st) => st.Effect === 'Allow' && asArray(st.Principal?.Service).includes('events.amazonaws.com'));
      assert.ok(sends.some((st) => asArray(st.Action).includes('sqs:SendMessage')
        && asArray<string>(render(st.Condition?.ArnLike?.['aws:SourceArn'])).some((pat) => arnLike(pat, ruleArn))),
      `${where}: the queue policy must let ${ruleArn} send: ${JSON.stringify(render(sends))}`);
      checked++;
    }
  }
  return checked;
}

/** Statements of every queue policy that covers this queue. */
export function queuePolicyStatements(t: CfnTemplate, queueId: string): any[] {
  return resourcesOfType(t, 'AWS::SQS::QueuePolicy')
    .filter(([, qp]) => (qp.Properties.Queues as any[]).some((q) => q.Ref === queueId))
    .flatMap(([, qp]) => qp.Properties.PolicyDocument.Statement as any[]);
}

/**
 * A dead-letter queue: 14 days retention, TLS-only, and exactly one Allow: events.amazonaws.com may SendMessage from
 * rules matching `sourceArnPattern` in this account. `key` is the logical ID of the KMS key, or 'SSE-SQS'.
 */
export function checkDeadLetterQueue(t: CfnTemplate, where: string, queueName: string, key: string, sourceArnPattern: string): string {
  const [queueId, queue] = byProp(t, 'AWS::SQS::Queue', 'QueueName', queueName);
  const p = queue.Properties;
  assert.equal(p.MessageRetentionPeriod, 1209600, `${where}: 14 days`);
  assert.equal(p.RedrivePolicy, undefined, `${where}: a dead-letter queue has no redrive policy of its own`);
  if (key === 'SSE-SQS') {
    assert.equal(p.SqsManagedSseEnabled, true, `${where}: SSE-SQS`);
    assert.equal(p.KmsMasterKeyId, undefined, `${where}: no KMS key`);
  } else {
    assert.deepEqual(p.KmsMasterKeyId, { 'Fn::GetAtt': [key, 'Arn'] }, `${where}: KMS key`);
    assert.equal(t.Resources[key]!.Type, 'AWS::KMS::Key');
  }
  const statements = render(queuePolicyStatements(t, queueId)) as any[];
  const tls = statements.filter(isTlsDeny);
  assert.equal(tls.length, 1, `${where}: TLS-only deny`);
  assert.ok(asArray(tls[0].Action).some((a) => a === 'sqs:*' || a === 'sqs:SendMessage'), `${where}: TLS deny covers SendMessage`);
  const allows = statements.filter((st) => st.Effect === 'Allow');
  const send = only(allows, `${where}: Allow statement`);
  assert.deepEqual(send.Principal, { Service: 'events.amazonaws.com' });
  assert.deepEqual(asArray(send.Action), ['sqs:SendMessage']);
  assert.deepEqual(send.Resource, { 'Fn::GetAtt': [queueId, 'Arn'] });
  assert.deepEqual(send.Condition, { ArnLike: { 'aws:SourceArn': sourceArnPattern }, StringEquals: { 'aws:SourceAccount': '<account>' } }, `${where}: queue policy conditions`);
  return queueId;
}
