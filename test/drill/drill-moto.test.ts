/**
 * `breakglass drill` against moto_server: a KMS-encrypted alert topic created through the APIs, the drill run
 * in-process with a scripted prompt, and the alerts published while it polls by the real notifier handler
 * (lib/notify/handler.ts, which renders with messagesFor) from CloudTrail fixtures. moto delivers SNS to SQS, so the
 * whole path topic -> subscription -> SSE queue -> drill is exercised. Skipped, visibly, without moto.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DrillPrompt } from '../../lib/drill/run';
import type { DrillRecord } from '../../lib/drill/record';
import { toEventBridgeEvent } from '../../lib/detection/envelope';
import { runDrillCommand } from '../../lib/cli/commands/drill';
import { runCliWithInput } from '../helpers/cli';
import { motoForThisFile, withEnv, type MotoServer } from '../helpers/moto';
import * as f from '../fixtures/cloudtrail';

const moto = motoForThisFile();
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-drill-moto-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** moto's default account: the caller, hence the security account of the test config. */
const SECURITY = '123456789012';
const TOPIC = `arn:aws:sns:us-east-1:${SECURITY}:breakglass-alerts`;

function writeConfig(file: string, security = SECURITY): string {
  writeFileSync(file, [
    'securityAccount:', `  accountId: "${security}"`, '  region: us-east-1',
    'organization:', '  managementAccountId: "111111111111"', '  targets:', '    organizationalUnits: ["r-ab12"]',
    'users:', '  - name: BreakGlassUser1', '  - name: BreakGlassUser2',
    'alerts:', '  emails: ["security-alerts@example.com"]', '',
  ].join('\n'));
  return file;
}

interface Captured { prompt: DrillPrompt; said: string[]; questions: string[] }

/** A prompt that answers from a script; each entry may act (publish alerts, inspect AWS) before answering. */
function scripted(answers: Array<string | undefined | (() => Promise<string | undefined>)>): Captured {
  const said: string[] = [];
  const questions: string[] = [];
  return {
    said, questions,
    prompt: {
      say: (t) => { said.push(t); },
      async ask(q) {
        questions.push(q);
        const next = answers.shift();
        return typeof next === 'function' ? next() : next;
      },
    },
  };
}

// ------------------------------------------------------------------------------------------------ AWS in moto

async function sdk() {
  const [sns, sqs] = await Promise.all([import('@aws-sdk/client-sns'), import('@aws-sdk/client-sqs')]);
  return { sns, sqs, snsClient: new sns.SNSClient({}), sqsClient: new sqs.SQSClient({}) };
}

/** The break-glass user the fixtures' alerts name, created (or deleted) in the security account; its tags. */
async function iamUser(action: 'create' | 'delete' | 'tags', name = 'BreakGlassUser1'): Promise<Record<string, string>> {
  const iam = await import('@aws-sdk/client-iam');
  const c = new iam.IAMClient({});
  try {
    if (action === 'create') await c.send(new iam.CreateUserCommand({ UserName: name }));
    if (action === 'delete') await c.send(new iam.DeleteUserCommand({ UserName: name }));
    if (action !== 'tags') return {};
    const t = await c.send(new iam.ListUserTagsCommand({ UserName: name }));
    return Object.fromEntries((t.Tags ?? []).map((x) => [x.Key!, x.Value!]));
  } finally { c.destroy(); }
}

/** A fresh account with the alert topic encrypted by a customer-managed KMS key (KMS over its JSON API: no KMS SDK here). */
async function deployTopic(m: MotoServer): Promise<string> {
  await m.reset();
  const r = await fetch(m.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ Description: 'breakglass alert key (test)' }),
  });
  const keyId = ((await r.json()) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
  const { sns, snsClient } = await sdk();
  try {
    const t = await snsClient.send(new sns.CreateTopicCommand({ Name: 'breakglass-alerts', Attributes: { KmsMasterKeyId: keyId } }));
    assert.equal(t.TopicArn, TOPIC);
    const attrs = await snsClient.send(new sns.GetTopicAttributesCommand({ TopicArn: TOPIC }));
    assert.equal(attrs.Attributes?.KmsMasterKeyId, keyId, 'the topic is KMS-encrypted');
  } finally { snsClient.destroy(); }
  return keyId;
}

/** What the notifier publishes for one CloudTrail record, through the real handler (Subject + severity/rule attributes). */
async function notify(rule: string, record: Record<string, unknown>): Promise<void> {
  const { handler } = await import('../../lib/notify/handler');
  const c = toEventBridgeEvent({ ...record, eventTime: new Date().toISOString() });
  assert.ok(!('error' in c));
  await withEnv({ ALERT_TOPIC_ARN: TOPIC, CHAT_TOPICS: '[]' }, () => handler({ rule: `breakglass-${rule}`, event: c.event }));
}

const publishSignIn = () => notify('console-login', f.consoleLogin({ account: SECURITY, region: 'eu-west-1' }));
const publishSwitch = async () => {
  await notify('assume-role', f.assumeRoleCaller({ console: true }));
  await notify('switch-role', f.switchRole({ userAccount: SECURITY }));
  await notify('role-assumed', f.assumeRoleOwner({ callerAccount: SECURITY }));
};

/** Queues and subscriptions left after a drill: must be none. */
async function leftovers(): Promise<{ queues: string[]; subscriptions: string[] }> {
  const { sns, sqs, snsClient, sqsClient } = await sdk();
  try {
    const q = await sqsClient.send(new sqs.ListQueuesCommand({ QueueNamePrefix: 'breakglass-drill-' }));
    const s = await snsClient.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }));
    return { queues: q.QueueUrls ?? [], subscriptions: (s.Subscriptions ?? []).map((x) => x.SubscriptionArn!) };
  } finally { snsClient.destroy(); sqsClient.destroy(); }
}

function records(dir: string): { record: DrillRecord; markdown: string; files: string[] } {
  const files = readdirSync(dir).sort();
  const json = files.filter((x) => x.endsWith('.json'));
  assert.equal(json.length, 1, `one record in ${dir}: ${files.join(', ')}`);
  assert.match(json[0]!, /^\d{8}T\d{6}Z\.json$/, 'named by UTC timestamp');
  const md = json[0]!.replace(/\.json$/, '.md');
  assert.ok(files.includes(md), 'Markdown next to the JSON');
  return { record: JSON.parse(readFileSync(join(dir, json[0]!), 'utf8')), markdown: readFileSync(join(dir, md), 'utf8'), files };
}

async function drill(args: { out: string; answers: Captured; timeout?: string; yes?: boolean; config?: string; signal?: AbortSignal }) {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => { stdout += `${t}\n`; }, err: (t: string) => { stderr += `${t}\n`; } };
  const code = await runDrillCommand(
    { config: args.config ?? writeConfig(join(tmp, 'config.yaml')), out: args.out, timeout: args.timeout ?? '0.5', yes: args.yes ?? true },
    io, { prompt: args.answers.prompt, waitTimeSeconds: 1, signal: args.signal },
  );
  return { code, stdout, stderr };
}

describe('breakglass drill against moto', () => {
  before(async () => {
    if (!moto.current) return;
    await withEnv(moto.current.env, async () => { await deployTopic(moto.current!); await iamUser('create'); });
  });

  it('every expected alert arrives: exit 0, record with latencies, Markdown for auditors, nothing left behind', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const out = join(tmp, 'passed');
    let queueSeen: Record<string, string> | undefined;
    const script = scripted([
      // Step 1: while the drill polls, the sign-in alert (and an unrelated one) are published; then "done".
      async () => {
        const { sqs, sqsClient } = await sdk();
        try {
          const url = (await sqsClient.send(new sqs.ListQueuesCommand({ QueueNamePrefix: 'breakglass-drill-' }))).QueueUrls![0]!;
          queueSeen = (await sqsClient.send(new sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes;
        } finally { sqsClient.destroy(); }
        await publishSignIn();
        await notify('console-login-failure', f.consoleLogin({ account: SECURITY, result: 'Failure' }));
        return '';
      },
      async () => { await publishSwitch(); return ''; },
    ]);
    const r = await withEnv(m.env, () => drill({ out, answers: script, timeout: '1' }));
    assert.equal(r.code, 0, r.stderr + r.stdout + script.said.join('\n'));
    for (const line of script.said) t.diagnostic(line);
    assert.match(r.stdout, /^drill passed: 4\/4 alerts arrived\n/);

    // The listener was what the drill promises: SSE-SQS, and a policy that admits only the alert topic.
    assert.equal(queueSeen?.SqsManagedSseEnabled, 'true');
    const policy = JSON.parse(queueSeen!.Policy!);
    assert.deepEqual(policy.Statement.map((s: any) => [s.Effect, s.Principal, s.Action, s.Condition]), [
      ['Allow', { Service: 'sns.amazonaws.com' }, 'sqs:SendMessage', { ArnEquals: { 'aws:SourceArn': TOPIC } }],
    ]);

    const { record, markdown } = records(out);
    assert.equal(record.schemaVersion, 1);
    assert.equal(record.outcome, 'passed');
    assert.equal(record.operatorArn, `arn:aws:sts::${SECURITY}:user/moto`);
    assert.equal(record.topicArn, TOPIC);
    assert.deepEqual(record.expected.map((e) => [e.rule, e.received]), [['console-login', true], ['assume-role', true], ['switch-role', true], ['role-assumed', true]]);
    for (const e of record.expected) {
      assert.equal(typeof e.latencySeconds, 'number', e.rule);
      assert.ok(e.latencySeconds! >= 0 && e.latencySeconds! < 60, `${e.rule}: ${e.latencySeconds}`);
      assert.equal(e.latencyFrom, 'event-time', 'the event time was read from the alert text');
      assert.match(e.subject!, /^\[CRITICAL\] /);
    }
    assert.deepEqual(record.missing, []);
    assert.deepEqual(record.unexpected.map((u) => u.rule), ['console-login-failure']);
    assert.deepEqual(record.teardown, { unsubscribed: true, queueDeleted: true, errors: [] });
    assert.ok(Date.parse(record.endedAt) >= Date.parse(record.startedAt));
    assert.ok(record.steps.every((s) => s.confirmedAt), 'both steps confirmed');

    assert.match(markdown, /^# Break-glass drill \d{8}T\d{6}Z$/m);
    assert.match(markdown, /\*\*Result: PASSED: every expected alert arrived\*\*/);
    assert.match(markdown, /^\| console-login \| Break-glass console sign-in \| yes \| .* \| [\d.]+ s \| CloudTrail event time \|$/m);
    assert.match(markdown, /IAM\.8 "Unused IAM user credentials should be removed"/);
    assert.match(markdown, /console-login-failure/);
    assert.deepEqual(await withEnv(m.env, leftovers), { queues: [], subscriptions: [] });
    assert.ok(!/secret|password=/i.test(JSON.stringify(record)), 'no secrets in the record');

    // The drill date, where doctor reads it: a tag on the user the alerts named, valued the record's start time.
    const started = record.startedAt.replace(/\.\d{3}Z$/, 'Z');
    assert.deepEqual(record.drillTag, { key: 'breakglass:last-drill', value: started, users: ['BreakGlassUser1'], written: true });
    assert.equal((await withEnv(m.env, () => iamUser('tags')))['breakglass:last-drill'], started);
    assert.equal(record.id, started.replace(/[-:]/g, ''), 'the tag value names the record');
    assert.doesNotMatch(r.stderr, /drill date not written/);
    assert.match(markdown, /^Tag `breakglass:last-drill` = `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ` written on BreakGlassUser1/m);
  });

  it('a passed drill whose tag cannot be written (the user is gone): record written anyway, one line says why, exit 0', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await withEnv(m.env, () => iamUser('delete'));
    try {
      const out = join(tmp, 'passed-untagged');
      const script = scripted([async () => { await publishSignIn(); return ''; }, async () => { await publishSwitch(); return ''; }]);
      const r = await withEnv(m.env, () => drill({ out, answers: script, timeout: '1' }));
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => /drill date/.test(l));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^warning: drill date not written \(tag breakglass:last-drill\): BreakGlassUser1: iam:TagUser failed \(NoSuchEntity/);
      const { record } = records(out);
      assert.equal(record.outcome, 'passed');
      assert.equal(record.drillTag?.written, false);
    } finally {
      await withEnv(m.env, () => iamUser('create'));
    }
  });

  it('--timeout elapses with alerts missing: exit 1, the record names the missing ones, teardown still done', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const out = join(tmp, 'missing');
    const script = scripted([async () => { await publishSignIn(); return ''; }, '']);
    const started = Date.now();
    const r = await withEnv(m.env, () => drill({ out, answers: script, timeout: '0.05' })); // 3 s
    assert.equal(r.code, 1, r.stderr);
    assert.ok(Date.now() - started < 30_000, 'gave up after the timeout');
    assert.match(r.stdout, /^drill failed: missing assume-role, switch-role, role-assumed\n/);
    const { record, markdown } = records(out);
    assert.equal(record.outcome, 'missing-alerts');
    assert.deepEqual(record.missing, ['assume-role', 'switch-role', 'role-assumed']);
    assert.deepEqual(record.expected.filter((e) => e.received).map((e) => e.rule), ['console-login']);
    assert.match(markdown, /\| switch-role \| .* \| \*\*no\*\* \|/);
    assert.match(markdown, /Missing: assume-role, switch-role, role-assumed/);
    assert.deepEqual(record.teardown.errors, []);
    assert.deepEqual(await withEnv(m.env, leftovers), { queues: [], subscriptions: [] });
  });

  it('the operator aborts midway: exit 1, record says aborted, nothing left behind', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const out = join(tmp, 'aborted');
    const script = scripted([async () => { await publishSignIn(); return ''; }, 'abort']);
    const r = await withEnv(m.env, () => drill({ out, answers: script }));
    assert.equal(r.code, 1);
    const { record } = records(out);
    assert.equal(record.outcome, 'aborted');
    assert.equal(record.problem, 'aborted by the operator at step "switch-role"');
    assert.equal(record.steps[1]!.confirmedAt, undefined);
    assert.deepEqual(await withEnv(m.env, leftovers), { queues: [], subscriptions: [] });
  });

  it('end of input (no TTY, nothing more piped in) counts as abort; so does an interrupt (the CLI\'s SIGINT)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const eof = await withEnv(m.env, () => drill({ out: join(tmp, 'eof'), answers: scripted([undefined]) }));
    assert.equal(eof.code, 1);
    assert.equal(records(join(tmp, 'eof')).record.problem, 'input ended before the drill finished');

    const ctrlC = new AbortController();
    const script = scripted([async () => { setTimeout(() => ctrlC.abort(), 200); return new Promise<string | undefined>(() => {}); }]);
    // The scripted answer never comes (an operator who walked away); the interrupt must still end and clean up.
    const hung: DrillPrompt = { say: script.prompt.say, ask: (q, signal) => new Promise((resolve) => { void script.prompt.ask(q, signal); signal.addEventListener('abort', () => resolve(undefined)); }) };
    const r = await withEnv(m.env, () => drill({ out: join(tmp, 'sigint'), answers: { ...script, prompt: hung }, signal: ctrlC.signal }));
    assert.equal(r.code, 1);
    assert.equal(records(join(tmp, 'sigint')).record.outcome, 'aborted');
    assert.deepEqual(await withEnv(m.env, leftovers), { queues: [], subscriptions: [] });
  });

  it('a real SIGINT during the drill tears down (the CLI listens on the process)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const out = join(tmp, 'process-sigint');
    const hung: DrillPrompt = {
      say: () => {},
      ask: (_q, signal) => new Promise((resolve) => {
        setTimeout(() => process.emit('SIGINT'), 100);
        signal.addEventListener('abort', () => resolve(undefined), { once: true });
      }),
    };
    const r = await withEnv(m.env, () => drill({ out, answers: { prompt: hung, said: [], questions: [] } }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /interrupted: removing the drill queue and subscription/);
    assert.equal(records(out).record.problem, 'interrupted (Ctrl-C)');
    assert.equal(process.listenerCount('SIGINT'), 0, 'the handler is removed afterwards');
    assert.deepEqual(await withEnv(m.env, leftovers), { queues: [], subscriptions: [] });
  });

  it('without --yes it asks first; "no" creates nothing and writes no record (exit 1)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const out = join(tmp, 'declined');
    const r = await withEnv(m.env, () => runCliWithInput('n\n', 'drill', '-c', writeConfig(join(tmp, 'c2.yaml')), '--out', out));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Create them and start the drill\? \[y\/N\]/);
    assert.match(r.stderr, /drill cancelled; nothing was created/);
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(out));
    assert.deepEqual(await withEnv(m.env, leftovers), { queues: [], subscriptions: [] });
  });

  it('credentials of another account: exit 3, one line, nothing created', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const r = await withEnv(m.env, () => runCliWithInput('', 'drill', '-c', writeConfig(join(tmp, 'other.yaml'), '222222222222'), '--yes', '--out', join(tmp, 'other')));
    assert.equal(r.code, 3);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^error: these credentials are for account 123456789012, but the drill runs in the security account 222222222222/);
    assert.deepEqual(await withEnv(m.env, leftovers), { queues: [], subscriptions: [] });
  });

  // Last: deletes the topic.
  it('an AWS error halfway (no alert topic): exit 3, record says failed, the queue already created is deleted', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const { sns, snsClient } = await withEnv(m.env, sdk);
    await withEnv(m.env, () => snsClient.send(new sns.DeleteTopicCommand({ TopicArn: TOPIC })));
    snsClient.destroy();
    const out = join(tmp, 'no-topic');
    const r = await withEnv(m.env, () => drill({ out, answers: scripted([]) }));
    assert.equal(r.code, 3, r.stderr);
    const { record } = records(out);
    assert.equal(record.outcome, 'failed');
    assert.match(record.problem!, /^sns:Subscribe failed \(NotFound/);
    assert.ok(record.resources.queueUrl, 'the queue had been created');
    assert.equal(record.resources.subscriptionArn, undefined);
    assert.deepEqual(record.teardown, { unsubscribed: true, queueDeleted: true, errors: [] });
    assert.match(r.stdout, /^drill failed: sns:Subscribe failed/);
    const { sqs, sqsClient } = await withEnv(m.env, sdk);
    try {
      assert.deepEqual((await withEnv(m.env, () => sqsClient.send(new sqs.ListQueuesCommand({ QueueNamePrefix: 'breakglass-drill-' })))).QueueUrls ?? [], []);
    } finally { sqsClient.destroy(); }
  });
});

describe('breakglass drill: usage errors (no AWS needed)', () => {
  it('--timeout must be a positive number of minutes; --region must be the home region', async () => {
    const cfg = writeConfig(join(tmp, 'usage.yaml'));
    const bad = await runCliWithInput('', 'drill', '-c', cfg, '--timeout', 'soon');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: --timeout: expected minutes between 0 and 120/);
    const region = await runCliWithInput('', 'drill', '-c', cfg, '--region', 'eu-west-1');
    assert.equal(region.code, 2);
    assert.match(region.stderr, /^error: --region eu-west-1: the alert topic is in the home region us-east-1/);
  });
});
