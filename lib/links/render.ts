/**
 * Renders the emergency sheet as Markdown (a table), self-contained printable HTML, or JSON.
 * Every value that comes from AWS or the config is escaped for its format; nothing here fetches or runs anything.
 */
import { basename } from 'node:path';
import type { Sheet, SheetAccount } from './sheet';

export const FORMATS = ['markdown', 'html', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function render(sheet: Sheet, format: Format): string {
  switch (format) {
    case 'markdown': return renderMarkdown(sheet);
    case 'html': return renderHtml(sheet);
    case 'json': return renderJson(sheet);
  }
}

/**
 * JSON, schemaVersion 1:
 * {"schemaVersion":1, "signInUrl", "securityAccountId", "roleName", "offline", "generatedAt", "config", "notes": [..],
 *  "accounts": [{"id", "name" ("" when not known offline), "email"?, "roleArn", "switchRoleUrl", "kind"?: "management"|"security"}]}
 * sorted by account name. Fields may be added in later versions of schema 1; none is removed or renamed.
 */
export function renderJson(s: Sheet): string {
  return `${JSON.stringify({
    schemaVersion: 1,
    signInUrl: s.signInUrl,
    securityAccountId: s.securityAccountId,
    roleName: s.roleName,
    offline: s.offline,
    generatedAt: s.generatedAt,
    config: s.configFile,
    notes: s.notes,
    accounts: s.accounts.map((a) => ({
      id: a.id,
      name: a.name,
      ...(a.email !== undefined ? { email: a.email } : {}),
      roleArn: a.roleArn,
      switchRoleUrl: a.switchRoleUrl,
      ...(a.kind ? { kind: a.kind } : {}),
    })),
  }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------- Markdown

/** Escapes text for a Markdown table cell: backslash-escapes punctuation Markdown could act on, folds newlines. */
function md(s: string): string {
  return s.replace(/[\\`*_[\]<>|~&]/g, '\\$&').replace(/\r?\n|\r/g, ' ');
}

function kindLabel(a: SheetAccount): string {
  return a.kind === 'security' ? ' (security account)' : a.kind === 'management' ? ' (management account)' : '';
}

export function renderMarkdown(s: Sheet): string {
  const out: string[] = [];
  out.push('# Break-glass emergency sheet', '');
  out.push(`Generated ${s.generatedAt.replace('T', ' ').replace('Z', ' UTC')} from \`${basename(s.configFile).replace(/`/g, "'")}\`. `
    + 'This sheet contains **no secrets** (no password, key or MFA code); keep it with the vaulted credentials.', '');
  for (const n of s.notes) out.push(`> **Note:** ${md(n)}`, '');
  out.push('## How to use this sheet', '');
  out.push(`1. Sign in to the security account ${s.securityAccountId} as your break-glass user (${s.users.map(md).join(', ')}) `
    + `with its password and MFA device: <${s.signInUrl}>`);
  out.push(`2. Open the account's switch-role link below and choose **Switch Role**. On paper: open <https://signin.aws.amazon.com/switchrole> `
    + `and type the account ID and the role name \`${s.roleName}\`.`);
  // The CLI needs a code-generating MFA device: FIDO security keys and passkeys work only in the console (IAM user guide,
  // "Supported configurations for using passkeys and security keys").
  out.push(`3. Command line: ${CLI_PATH}`, '');
  out.push('   ```sh');
  for (const line of cliCommand(s)) out.push(`   ${line}`);
  out.push('   ```', '');
  out.push(`   ${CLI_NOTES}`, '');
  out.push(`## Accounts (${s.accounts.length})`, '');
  out.push('| Account | ID | Email | Role ARN | Switch role |');
  out.push('|---|---|---|---|---|');
  for (const a of s.accounts) {
    out.push(`| ${a.name ? md(a.name) : '*name unknown*'}${kindLabel(a)} | ${a.id} | ${a.email !== undefined ? md(a.email) : ''} | \`${a.roleArn}\` | <${a.switchRoleUrl}> |`);
  }
  return `${out.join('\n')}\n`;
}

function exampleArn(s: Sheet): string {
  return `arn:aws:iam::<account ID>:role/${s.roleName}`;
}

/**
 * The one supported command-line path (docs/detection.md, "Decisions"): AWS CloudShell in the security account,
 * opened from the console session of the break-glass user (the users may use CloudShell there, with MFA).
 * `aws login` on a laptop is refused to these users and to the role.
 */
const CLI_PATH = 'open AWS CloudShell (the terminal icon in the console\'s top bar) in the security account while signed in as your break-glass user, and assume the role there. Needs a TOTP device, virtual or hardware: FIDO security keys work only in the console.';

/**
 * The trust requires the session name to be your IAM user name; a source identity, if given, must be your user name
 * too and follows the session into any role it assumes next.
 */
const CLI_NOTES = 'The role accepts only your own user name as session name (and as source identity): every action then names you in CloudTrail. Export the three values the command prints as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. The aws login command is refused for break-glass users.';

/** The assume-role command, one shell line per element (joined with " \\"). */
function cliCommand(s: Sheet): string[] {
  return [
    `aws sts assume-role --role-arn ${exampleArn(s)} \\`,
    '  --role-session-name <your user name> --source-identity <your user name> \\',
    `  --serial-number arn:aws:iam::${s.securityAccountId}:mfa/<your MFA device name> --token-code <code from the device> \\`,
    "  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text",
  ];
}

// ---------------------------------------------------------------------------------------------------- HTML

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text and attribute values (always double-quoted here). */
export function html(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const CSS = `
*{box-sizing:border-box}
body{font:11pt/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#111;margin:2em auto;max-width:72em;padding:0 1em}
h1{font-size:1.6em;margin:0 0 .2em}
h2{font-size:1.2em;margin:1.4em 0 .4em}
.meta{color:#444;margin:0 0 1em}
.box{border:2px solid #111;padding:.6em 1em;margin:1em 0;break-inside:avoid}
.box ol{margin:.4em 0;padding-left:1.4em}
.note{border-left:6px solid #b00;background:#fff4f4;padding:.5em .8em;margin:.6em 0;break-inside:avoid}
.nosecret{font-weight:600}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em;margin:.4em 0}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #999;padding:.25em .4em;text-align:left;vertical-align:top}
th{background:#eee}
thead{display:table-header-group}
tr{break-inside:avoid}
td.arn{word-break:break-all}
.tag{font-size:.85em;color:#444}
a{color:#0645ad}
@page{size:A4 landscape;margin:12mm}
@media print{
  body{margin:0;max-width:none;font-size:9.5pt}
  a{color:#111;text-decoration:none}
  th{background:#eee!important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .note{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}`;

export function renderHtml(s: Sheet): string {
  const generated = s.generatedAt.replace('T', ' ').replace('Z', ' UTC');
  const rows = s.accounts.map((a) => `<tr><td>${a.name ? html(a.name) : '<em>name unknown</em>'}${a.kind ? ` <span class="tag">(${a.kind} account)</span>` : ''}</td>`
    + `<td class="mono">${html(a.id)}</td><td>${a.email !== undefined ? html(a.email) : ''}</td>`
    + `<td class="mono arn">${html(a.roleArn)}</td><td><a href="${html(a.switchRoleUrl)}">Switch role</a></td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Break-glass emergency sheet (${html(s.securityAccountId)})</title>
<style>${CSS}
</style>
</head>
<body>
<h1>Break-glass emergency sheet</h1>
<p class="meta">Generated <time datetime="${html(s.generatedAt)}">${html(generated)}</time> from <code>${html(basename(s.configFile))}</code> &middot; ${s.accounts.length} account${s.accounts.length === 1 ? '' : 's'} &middot; role <code>${html(s.roleName)}</code></p>
<p class="nosecret">This sheet contains no secrets: no password, access key or MFA code. Keep it with the vaulted credentials; it still maps your organization.</p>
${s.notes.map((n) => `<p class="note"><strong>Note:</strong> ${html(n)}</p>`).join('\n')}
<div class="box">
<h2>How to use this sheet</h2>
<ol>
<li>Sign in to the security account <span class="mono">${html(s.securityAccountId)}</span> as your break-glass user (${s.users.map((u) => `<code>${html(u)}</code>`).join(', ')}) with its password and MFA device:<br><a href="${html(s.signInUrl)}" class="mono">${html(s.signInUrl)}</a></li>
<li>Click the account's <em>Switch role</em> link below, then choose <strong>Switch Role</strong>. On paper: open <span class="mono">https://signin.aws.amazon.com/switchrole</span> and type the account ID and the role name <code>${html(s.roleName)}</code>.</li>
<li>Command line: ${html(CLI_PATH)}
<pre>${cliCommand(s).map(html).join('\n')}</pre>
${html(CLI_NOTES)}</li>
</ol>
<p>Every sign-in and switch to the role raises an alert to the security team.</p>
</div>
<h2>Accounts</h2>
<table>
<thead><tr><th>Account</th><th>ID</th><th>Email</th><th>Role ARN</th><th>Console</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
