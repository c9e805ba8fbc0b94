/**
 * `breakglass links` without AWS: URL building, escaping in every format, --offline, account selection, and speed.
 * The moto-backed tests are in links-moto.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfigText } from '../../lib/config/load';
import { render, renderHtml, renderMarkdown } from '../../lib/links/render';
import { buildSheet, selectAccounts, switchRoleUrl, type OrgAccount } from '../../lib/links/sheet';
import { runCli } from '../helpers/cli';
import { withEnv } from '../helpers/moto';
import { linksJsonSchema, switchParams, writeConfig } from './fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'breakglass-links-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SEC = '222222222222';
const MGMT = '111111111111';
const config = (p: Partial<Parameters<typeof writeConfig>[1]> = {}) => {
  const file = writeConfig(join(tmp, `c${Math.random().toString(36).slice(2)}.yaml`), { security: SEC, management: MGMT, ous: ['r-ab12'], ...p });
  return { file, config: parseConfigText(readFileSync(file, 'utf8'), file) };
};
const EVIL = `<script>alert(1)</script>&"' | *x* [y](z)`;

describe('switch-role URL', () => {
  it('percent-encodes every value and decodes back to roleName, account and displayName', () => {
    const url = switchRoleUrl('012345678901', 'Break+Glass=Role,.@_-', `Zürich prod (EU) & ${EVIL}`);
    assert.match(url, /^https:\/\/signin\.aws\.amazon\.com\/switchrole\?roleName=[^&]+&account=012345678901&displayName=[^&]+$/);
    assert.doesNotMatch(url, /[ <>"'()*!|[\]]/, 'no character that Markdown or HTML could act on');
    assert.deepEqual(switchParams(url), {
      origin: 'https://signin.aws.amazon.com', path: '/switchrole',
      roleName: 'Break+Glass=Role,.@_-', account: '012345678901', displayName: `Zürich prod (EU) & ${EVIL}`,
    });
  });
});

describe('rendering', () => {
  const { config: c } = config();
  const accounts: OrgAccount[] = [
    { id: '333333333333', name: EVIL, email: `a&b<"'>@example.com` },
    { id: SEC, name: 'Security' },
    { id: MGMT, name: 'Management' },
  ];
  const sheet = buildSheet(c, accounts, { configFile: 'my <org>.yaml', offline: false, generatedAt: new Date('2026-11-23T04:05:06.789Z') });

  it('HTML escapes every value, is self-contained, printable, and has no script', () => {
    const h = renderHtml(sheet);
    assert.ok(h.includes('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39; | *x* [y](z)'), 'name escaped');
    assert.ok(h.includes('a&amp;b&lt;&quot;&#39;&gt;@example.com'), 'email escaped');
    assert.ok(h.includes('my &lt;org&gt;.yaml'), 'config file name escaped');
    assert.doesNotMatch(h, /<script/i);
    assert.doesNotMatch(h, /\son\w+\s*=/i, 'no event handler attributes');
    assert.doesNotMatch(h, /<(link|img|iframe|object|embed)\b|\ssrc=|@import|url\(/i, 'no external assets');
    assert.match(h, /@media print/);
    assert.match(h, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
    assert.match(h, /Generated <time datetime="2026-11-23T04:05:06Z">2026-11-23 04:05:06 UTC<\/time>/);
    assert.match(h, /How to use this sheet/);
    assert.match(h, /contains no secrets/);
    assert.match(h, /aws sts assume-role --role-arn arn:aws:iam::&lt;account ID&gt;:role\/BreakGlassRole/);
    assert.match(h, /--serial-number arn:aws:iam::222222222222:mfa\/&lt;your MFA device name&gt;/);
    assert.match(h, /--role-session-name &lt;your user name&gt;/);
    // Issue 11: the one CLI path is CloudShell in the security account; session name and source identity = user name.
    assert.match(h, /--source-identity &lt;your user name&gt;/);
    assert.match(h, /open AWS CloudShell .* in the security account while signed in as your break-glass user/);
    assert.match(h, /aws login command is refused/);
    assert.match(h, /accepts only your own user name as session name/);
    assert.match(h, /href="https:\/\/222222222222\.signin\.aws\.amazon\.com\/console"/);
    // Every href is an https AWS sign-in URL, whatever the names contained.
    for (const [, href] of h.matchAll(/href="([^"]*)"/g)) assert.match(href!, /^https:\/\/([0-9]{12}\.)?signin\.aws\.amazon\.com\//);
  });

  it('Markdown: one table row per account, cells cannot break the table or inject HTML', () => {
    const m = renderMarkdown(sheet);
    const rows = m.split('\n').filter((l) => /^\| .* \| \d{12} \|/.test(l));
    assert.equal(rows.length, 3);
    const evil = rows.find((r) => r.includes('333333333333'))!;
    assert.equal(evil.split(/(?<!\\)\|/).length, 7, `5 cells: ${evil}`);
    assert.ok(evil.includes('\\<script\\>alert(1)\\</script\\>\\&"\' \\| \\*x\\* \\[y\\](z)'), evil);
    assert.match(m, /^# Break-glass emergency sheet/);
    assert.match(m, /Generated 2026-11-23 04:05:06 UTC from `my <org>\.yaml`/);
    assert.match(m, /\*\*no secrets\*\*/);
    // The Markdown sheet gives the same CLI path and command as the HTML one.
    assert.match(m, /3\. Command line: open AWS CloudShell /);
    assert.match(m, /--role-session-name <your user name> --source-identity <your user name>/);
    assert.match(m, /--serial-number arn:aws:iam::222222222222:mfa\/<your MFA device name> --token-code <code from the device>/);
  });

  it('sorts by name (case-insensitive, numbers numerically), marks the security and management accounts', () => {
    const s = buildSheet(c, [
      { id: '000000000010', name: 'acct 10' }, { id: '000000000002', name: 'acct 2' }, { id: '000000000003', name: 'Beta' },
      { id: '000000000004', name: 'alpha' }, { id: '000000000005', name: '' }, { id: SEC, name: 'Security' },
    ], { configFile: 'x', offline: false });
    assert.deepEqual(s.accounts.map((a) => a.name), ['acct 2', 'acct 10', 'alpha', 'Beta', 'Security', '']);
    assert.equal(s.accounts.find((a) => a.id === SEC)!.kind, 'security');
    assert.equal(switchParams(s.accounts.at(-1)!.switchRoleUrl).displayName, '000000000005', 'an unnamed account is displayed by its ID');
  });

  it('JSON matches the documented shape', () => {
    const doc = linksJsonSchema.parse(JSON.parse(render(sheet, 'json')));
    assert.equal(doc.signInUrl, 'https://222222222222.signin.aws.amazon.com/console');
    assert.deepEqual(doc.accounts.map((a) => a.id), sheet.accounts.map((a) => a.id));
    assert.deepEqual(doc.accounts.map((a) => a.name), [EVIL, 'Management', 'Security'], 'by name; punctuation sorts before letters');
    assert.equal(doc.accounts.find((a) => a.id === '333333333333')!.email, `a&b<"'>@example.com`);
  });

  it('renders 5000 accounts in every format well under a second', () => {
    const many: OrgAccount[] = Array.from({ length: 5000 }, (_, i) => ({ id: String(100000000000 + i * 7919), name: `account ${(i * 7919) % 5000} <${i}>`, email: `a${i}@example.com` }));
    // CPU time, not wall time: other test files share the machine's cores while this runs.
    const t0 = process.cpuUsage();
    const s = buildSheet(c, many, { configFile: 'big.yaml', offline: false });
    const sizes = (['markdown', 'html', 'json'] as const).map((f) => render(s, f).length);
    const cpu = process.cpuUsage(t0);
    const ms = (cpu.user + cpu.system) / 1000;
    assert.ok(sizes.every((n) => n > 5000 * 100));
    // Typically ~0.2 s for all three together; the bound leaves room for a slow CI machine.
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });
});

describe('account selection', () => {
  const active: OrgAccount[] = [
    { id: MGMT, name: 'Management' }, { id: SEC, name: 'Security' },
    { id: '333333333333', name: 'Targeted' }, { id: '444444444444', name: 'Untargeted' },
  ];
  it('OU targets: every active account; a note when the OUs are not the root', () => {
    const root = selectAccounts(config({ ous: ['r-ab12'] }).config, active);
    assert.deepEqual(root.accounts.map((a) => a.id), active.map((a) => a.id));
    assert.deepEqual(root.notes, []);
    const ou = selectAccounts(config({ ous: ['ou-ab12-abcd1234'] }).config, active);
    assert.equal(ou.accounts.length, 4);
    assert.match(ou.notes[0]!, /organizational units ou-ab12-abcd1234; active accounts outside them are listed but may lack the role/);
  });
  it('explicit targets only: untargeted accounts are left off with a note; unknown targets warned about', () => {
    const s = selectAccounts(config({ ous: [], accounts: ['333333333333', '555555555555'] }).config, active);
    assert.deepEqual(s.accounts.map((a) => a.id), [MGMT, SEC, '333333333333']);
    assert.deepEqual(s.notes, ['1 active account is not in organization.targets.accounts and has no break-glass role; not listed.']);
    assert.deepEqual(s.warnings, ['organization.targets.accounts lists 555555555555, which is not an active account of the organization; left off the sheet']);
  });
  it('includeManagementAccount: false leaves the management account off and says why', () => {
    const { config: c } = config({ includeManagementAccount: false });
    const s = selectAccounts(c, active);
    assert.ok(!s.accounts.some((a) => a.id === MGMT));
    const sheet = buildSheet(c, s.accounts, { configFile: 'x', offline: false, notes: s.notes });
    assert.match(sheet.notes.join('\n'), /management account 111111111111 is not listed: organization.includeManagementAccount is false/);
  });
});

describe('breakglass links --offline', () => {
  // An endpoint nobody listens on: any AWS call would fail the command, so success proves none is made.
  const noAws = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: undefined, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };

  it('lists the config\'s accounts (explicit targets, security, management) and says it is offline', async () => {
    const { file } = config({ ous: ['r-ab12'], accounts: ['333333333333'], accountNames: { [SEC]: 'Security', '333333333333': 'Prod <EU>' } });
    const r = await withEnv(noAws, () => runCli('links', '-c', file, '--offline', '--format', 'json'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const doc = linksJsonSchema.parse(JSON.parse(r.stdout));
    assert.equal(doc.offline, true);
    assert.match(doc.notes[0]!, /^OFFLINE: the organization was not asked/);
    assert.deepEqual(doc.accounts.map((a) => [a.name, a.id, a.kind]), [['Prod <EU>', '333333333333', undefined], ['Security', SEC, 'security'], ['', MGMT, 'management']]);
    for (const a of doc.accounts) {
      assert.equal(a.roleArn, `arn:aws:iam::${a.id}:role/BreakGlassRole`);
      assert.deepEqual(switchParams(a.switchRoleUrl), { origin: 'https://signin.aws.amazon.com', path: '/switchrole', roleName: 'BreakGlassRole', account: a.id, displayName: a.name || a.id });
    }
  });

  it('--out writes the file (format from the extension) and reports on stderr; the HTML sheet says OFFLINE', async () => {
    const { file } = config();
    const out = join(tmp, 'sheet.html');
    const r = await withEnv(noAws, () => runCli('links', '-c', file, '--offline', '--out', out));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `wrote 2 accounts (html, offline) to ${out}\n`);
    const h = readFileSync(out, 'utf8');
    assert.match(h, /^<!DOCTYPE html>/);
    assert.match(h, /<p class="note"><strong>Note:<\/strong> OFFLINE:/);
  });

  it('never loads the AWS SDK', () => {
    assert.deepEqual(Object.keys(require.cache).filter((k) => k.includes('@aws-sdk')), []);
  });

  it('a bad --format is a usage error (exit 2)', async () => {
    const { file } = config();
    const r = await runCli('links', '-c', file, '--offline', '--format', 'pdf');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pdf/);
  });
});
