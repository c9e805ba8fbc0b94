/**
 * `breakglass links` against moto_server: a real organization (CreateOrganization, 56 × CreateAccount, one
 * CloseAccount), the command run in-process with AWS_ENDPOINT_URL pointing at moto. Skipped, visibly, without moto.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { runCli } from '../helpers/cli';
import { awsEnv, motoForThisFile, withEnv, type MotoServer } from '../helpers/moto';
import { linksJsonSchema, switchParams, writeConfig } from './fixtures';

const moto = motoForThisFile();
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-links-moto-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** moto's default account: the caller of CreateOrganization, hence the management account. */
const MGMT = '123456789012';
const EVIL = `<script>alert("x")</script>&"'`;
const NAMES = [
  'Security', 'Log Archive', EVIL, 'Zürich – prod', 'payments | eu', 'a_b*c*', 'To Be Closed',
  ...Array.from({ length: 49 }, (_, i) => `workload-${String(i + 1)}`),
];

interface Org { rootId: string; ids: Map<string, string>; closed: string; security: string }

async function orgClient(): Promise<{ sdk: typeof import('@aws-sdk/client-organizations'); client: OrganizationsClient }> {
  const sdk = await import('@aws-sdk/client-organizations');
  return { sdk, client: new sdk.OrganizationsClient({}) };
}

/** A fresh organization with NAMES as member accounts, one of them closed. Caller sets the moto environment. */
async function createOrganization(m: MotoServer): Promise<Org> {
  await m.reset();
  const { sdk, client } = await orgClient();
  try {
    await client.send(new sdk.CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const ids = new Map<string, string>();
    for (const [i, name] of NAMES.entries()) {
      const r = await client.send(new sdk.CreateAccountCommand({ AccountName: name, Email: `acct${i}+${i}@example.com` }));
      assert.equal(r.CreateAccountStatus?.State, 'SUCCEEDED', 'moto creates accounts synchronously');
      ids.set(name, r.CreateAccountStatus!.AccountId!);
    }
    const closed = ids.get('To Be Closed')!;
    await client.send(new sdk.CloseAccountCommand({ AccountId: closed }));
    const rootId = (await client.send(new sdk.ListRootsCommand({}))).Roots![0]!.Id!;
    return { rootId, ids, closed, security: ids.get('Security')! };
  } finally {
    client.destroy();
  }
}

describe('breakglass links against moto', () => {
  let org: Org;
  let cfg: string;
  before(async () => {
    const m = moto.current;
    if (!m) return;
    org = await withEnv(m.env, () => createOrganization(m));
    cfg = writeConfig(join(tmp, 'org.yaml'), { security: org.security, management: MGMT, ous: [org.rootId] });
  });

  it('JSON: every active account once, with its role ARN and a switch-role URL that decodes to the right values', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const r = await withEnv(m.env, () => runCli('links', '-c', cfg, '--format', 'json'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = linksJsonSchema.parse(JSON.parse(r.stdout));
    assert.equal(doc.offline, false);
    assert.equal(doc.signInUrl, `https://${org.security}.signin.aws.amazon.com/console`);

    const expected = new Map([...org.ids].filter(([, id]) => id !== org.closed).map(([name, id]) => [id, name]));
    expected.set(MGMT, 'master'); // moto names the management account "master"
    assert.equal(doc.accounts.length, expected.size, 'all active accounts, 3 pages of ListAccounts');
    assert.equal(new Set(doc.accounts.map((a) => a.id)).size, doc.accounts.length, 'each account once');
    assert.ok(!doc.accounts.some((a) => a.id === org.closed), 'the closed (SUSPENDED) account is left off');
    assert.deepEqual(doc.notes, ['1 account is not ACTIVE (suspended, closing or closed) and not listed.']);
    for (const a of doc.accounts) {
      assert.equal(a.name, expected.get(a.id), a.id);
      assert.equal(a.roleArn, `arn:aws:iam::${a.id}:role/BreakGlassRole`);
      assert.deepEqual(switchParams(a.switchRoleUrl), { origin: 'https://signin.aws.amazon.com', path: '/switchrole', roleName: 'BreakGlassRole', account: a.id, displayName: a.name });
      assert.match(a.email ?? '', /@example\.com$/);
    }
    assert.equal(doc.accounts.find((a) => a.id === MGMT)!.kind, 'management');
    assert.equal(doc.accounts.find((a) => a.id === org.security)!.kind, 'security');
    const names = doc.accounts.map((a) => a.name);
    assert.deepEqual(names, [...names].sort(new Intl.Collator('en', { sensitivity: 'base', numeric: true }).compare), 'sorted by name');
    assert.ok(names.indexOf('workload-2') < names.indexOf('workload-10'), 'numbers in numeric order');
  });

  it('Markdown: one table row per account; HTML: the hostile name is escaped', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const md = await withEnv(m.env, () => runCli('links', '-c', cfg));
    assert.equal(md.code, 0, md.stderr);
    const rows = md.stdout.split('\n').filter((l) => /^\| .* \| \d{12} \|/.test(l));
    assert.equal(rows.length, NAMES.length); // 56 members - 1 closed + management
    for (const id of org.ids.values()) assert.equal(rows.filter((r) => r.includes(` ${id} `)).length, id === org.closed ? 0 : 1, id);

    const out = join(tmp, 'sheet.html');
    const h = await withEnv(m.env, () => runCli('links', '-c', cfg, '--format', 'html', '--out', out));
    assert.equal(h.code, 0, h.stderr);
    assert.equal(h.stderr, `wrote ${NAMES.length} accounts (html) to ${out}\n`);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&quot;&#39;'));
    assert.doesNotMatch(html, /<script/i);
    assert.ok(html.includes('Zürich – prod'));
    assert.equal([...html.matchAll(/<tr><td>/g)].length, NAMES.length);
  });

  it('explicit targets and includeManagementAccount: false narrow the list', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const prod = org.ids.get('Zürich – prod')!;
    const file = writeConfig(join(tmp, 'explicit.yaml'), { security: org.security, management: MGMT, accounts: [prod, org.closed], includeManagementAccount: false });
    const r = await withEnv(m.env, () => runCli('links', '-c', file, '--format', 'json'));
    assert.equal(r.code, 0, r.stderr);
    const doc = linksJsonSchema.parse(JSON.parse(r.stdout));
    assert.deepEqual(doc.accounts.map((a) => a.id), [org.security, prod]);
    assert.equal(r.stderr, `warning: organization.targets.accounts lists ${org.closed}, which is not an active account of the organization; left off the sheet\n`);
    assert.match(doc.notes.join('\n'), /53 active accounts are not in organization.targets.accounts/);
    assert.match(doc.notes.join('\n'), /management account 123456789012 is not listed/);
  });

  it('--profile selects credentials from the shared config files', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const creds = join(tmp, 'credentials');
    writeFileSync(creds, '[ops]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const env = { ...m.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_SHARED_CREDENTIALS_FILE: creds };
    const ok = await withEnv(env, () => runCli('links', '-c', cfg, '--profile', 'ops', '--format', 'json'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).accounts.length, NAMES.length);
    const missing = await withEnv(env, () => runCli('links', '-c', cfg, '--profile', 'nope'));
    assert.equal(missing.code, 3);
    assert.equal(missing.stdout, '');
    assertOneErrorLine(missing.stderr, /no usable AWS credentials for profile "nope"/);
  });

  it('lib/aws client factories reach moto through AWS_ENDPOINT_URL alone', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const { stsClient } = await import('../../lib/aws/clients');
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const who = await withEnv(m.env, async () => {
      const c = stsClient({}, 'eu-west-1');
      try { return await c.send(new GetCallerIdentityCommand({})); } finally { c.destroy(); }
    });
    assert.equal(who.Account, MGMT);
  });

  it('a config for another organization is refused (exit 3)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const file = writeConfig(join(tmp, 'other.yaml'), { security: org.security, management: '999999999999', ous: [org.rootId] });
    const r = await withEnv(m.env, () => runCli('links', '-c', file));
    assert.equal(r.code, 3);
    assertOneErrorLine(r.stderr, /these credentials see organization o-\w+ managed by 123456789012, but the config says organization.managementAccountId 999999999999/);
  });

  it('AccessDenied names the missing permission (moto IAM enforcement on)', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    const key = await createUserKey(m, 'auditor', ['organizations:DescribeOrganization']);
    await setMotoAuth(m, '0');
    try {
      const env = { ...m.env, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret, AWS_SESSION_TOKEN: undefined };
      const r = await withEnv(env, () => runCli('links', '-c', cfg));
      assert.equal(r.code, 3);
      assert.equal(r.stdout, '');
      // AWS answers AccessDeniedException in JSON; moto answers in XML, which the SDK reports as HTTP 403 it cannot parse.
      assertOneErrorLine(r.stderr, /organizations:ListAccounts was refused \((AccessDeniedException: .*|HTTP 403, unreadable error body)\); the credentials need organizations:ListAccounts\. Run with credentials of the management account 123456789012 or a delegated administrator, or pass --offline/);
    } finally {
      await setMotoAuth(m, 'inf');
    }
  });

  // Last: these reset moto.
  it('an account outside any organization: exit 3, one line', async (t) => {
    const m = moto.orSkip(t); if (!m) return;
    await m.reset();
    const r = await withEnv(m.env, () => runCli('links', '-c', cfg));
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assertOneErrorLine(r.stderr, /is not in an organization \(AWSOrganizationsNotInUseException\).*--offline/);
  });
});

describe('breakglass links without a reachable endpoint (no moto needed)', () => {
  it('a closed port: exit 3, one clear line, no stack trace', async () => {
    const cfg = writeConfig(join(tmp, 'closed.yaml'), { security: '222222222222', management: MGMT, ous: ['r-ab12'] });
    const r = await withEnv({ ...awsEnv('http://127.0.0.1:9'), AWS_MAX_ATTEMPTS: '2' }, () => runCli('links', '-c', cfg));
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assertOneErrorLine(r.stderr, /^error: cannot list the organization's accounts: cannot reach AWS for organizations:DescribeOrganization \(ECONNREFUSED at http:\/\/127\.0\.0\.1:9\)/);
  });
});

function assertOneErrorLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `exactly one line on stderr:\n${stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at |--debug/, 'no stack trace');
}

// ------------------------------------------------------------------ moto IAM, over the Query API (no IAM SDK here)

async function iam(m: MotoServer, params: Record<string, string>): Promise<string> {
  // moto routes by the credential scope of the Authorization header; it checks signatures only while auth is on.
  const r = await fetch(m.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`IAM ${params.Action}: HTTP ${r.status} ${text}`);
  return text;
}

async function createUserKey(m: MotoServer, user: string, actions: string[]): Promise<{ id: string; secret: string }> {
  await iam(m, { Action: 'CreateUser', UserName: user });
  await iam(m, {
    Action: 'PutUserPolicy', UserName: user, PolicyName: 'only',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
  });
  const xml = await iam(m, { Action: 'CreateAccessKey', UserName: user });
  return { id: /<AccessKeyId>([^<]+)</.exec(xml)![1]!, secret: /<SecretAccessKey>([^<]+)</.exec(xml)![1]! };
}

/** POST /moto-api/reset-auth: enforce IAM after this many more requests ("0": now, "inf": never). */
async function setMotoAuth(m: MotoServer, count: string): Promise<void> {
  const r = await fetch(`${m.endpoint}/moto-api/reset-auth`, { method: 'POST', body: count });
  await r.arrayBuffer();
  assert.ok(r.ok, `reset-auth ${count}: HTTP ${r.status}`);
}
