/**
 * Renders an audit report as Markdown (for incident tickets), self-contained printable HTML, or JSON (for tools).
 * Every value from a log record is untrusted text: escaped for its format, control characters made visible, and
 * capped in length, so a crafted record cannot forge lines, tables or markup.
 */
import { basename } from 'node:path';
import { escapeControls } from '../detection/escape';
import type { AuditReport, ReportEvent, ReportSession } from './report';

export const FORMATS = ['markdown', 'html', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function render(report: AuditReport, format: Format): string {
  switch (format) {
    case 'markdown': return renderMarkdown(report);
    case 'html': return renderHtml(report);
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
  }
}

/** Untrusted text on one line, at most `max` characters. */
function clip(s: string | undefined, max = 160): string {
  if (s === undefined) return '';
  const t = escapeControls(s.length > max * 2 ? s.slice(0, max * 2) : s);
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

const when = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
const clock = (iso: string) => iso.replace(/^.*T/, '').replace(/(\.\d+)?Z$/, '');
const day = (iso: string) => iso.slice(0, 10);

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function accountLabel(r: AuditReport, id: string): string {
  const name = r.scope.accountNames[id];
  const kind = id === r.scope.securityAccountId ? 'security account' : undefined;
  const extra = [name, kind].filter(Boolean).join(', ');
  return extra ? `${id} (${extra})` : id;
}

function result(e: ReportEvent): { text: string; cls: '' | 'write' | 'denied' | 'error' } {
  if (e.denied) return { text: `DENIED ${e.errorCode}`, cls: 'denied' };
  if (e.errorCode) return { text: `error ${e.errorCode}`, cls: 'error' };
  if (e.write) return { text: 'WRITE', cls: 'write' };
  return { text: e.readOnly === null ? 'ok' : 'read', cls: '' };
}

function headline(r: AuditReport): string {
  const s = r.summary;
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  return `${n(s.sessions, 'session')}, ${n(s.attempts, 'failed sign-in attempt')}, ${n(s.unlinked, 'unlinked break-glass record')}`
    + ` · ${n(s.events, 'event')} in ${n(s.accounts, 'account')}, ${n(s.writes, 'write')}, ${n(s.denied, 'denied call')}`;
}

function inputLine(r: AuditReport): string {
  const parts = [r.input];
  if (r.summary.recordsRead !== undefined) parts.push(`${r.summary.recordsRead} records read`);
  if (r.summary.unreadable) parts.push(`${r.summary.unreadable} unreadable (see stderr)`);
  if (r.summary.passes !== undefined && r.summary.passes > 1) parts.push(`${r.summary.passes} passes`);
  if (r.summary.bytesScanned !== undefined) parts.push(`${r.summary.bytesScanned} bytes scanned`);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------------- Markdown

/** Escapes untrusted text for a Markdown table cell or line. */
function md(s: string | undefined, max?: number): string {
  return clip(s, max).replace(/[\\`*_[\]<>|~&#]/g, '\\$&');
}

export function renderMarkdown(r: AuditReport): string {
  const out: string[] = [];
  out.push('# Break-glass audit', '');
  out.push(`Generated ${when(r.generatedAt)} from \`${basename(r.config).replace(/`/g, "'")}\`: security account ${r.scope.securityAccountId}, `
    + `users ${r.scope.users.map((u) => md(u)).join(', ')}, role ${md(r.scope.roleName)}.`);
  out.push(`Input: ${md(inputLine(r), 400)}.`);
  if (r.range.from || r.range.to || r.user) {
    out.push(`Filter: ${[r.range.from ? `from ${when(r.range.from)}` : '', r.range.to ? `to ${when(r.range.to)}` : '', r.user ? `user ${md(r.user)}` : ''].filter(Boolean).join(', ')} (sessions overlapping the range are shown whole).`);
  }
  out.push('', `**${headline(r)}**`, '');
  if (r.sessions.length) {
    out.push('| Session | User | Kind | Start | End | Accounts | Writes | Denied |', '|---|---|---|---|---|---|---:|---:|');
    for (const s of r.sessions) {
      out.push(`| [${s.id}](#${anchor(s.id)}) | ${md(s.user)} | ${s.kind} | ${when(s.start)} | ${when(s.end)} | ${s.accounts.join(', ')} | ${s.writes} | ${s.denied} |`);
    }
    out.push('');
  }
  for (const s of r.sessions) out.push(...markdownSession(r, s));
  out.push('## Failed sign-in attempts', '');
  if (!r.attempts.length) out.push('None.', '');
  else {
    out.push('| Time | User | Account | Region | Source IP | MFA | What happened |', '|---|---|---|---|---|---|---|');
    for (const a of r.attempts) {
      out.push(`| ${when(a.time)} | ${a.user ? md(a.user) : '*unknown user name*'} | ${a.account} | ${md(a.region)} | ${md(a.sourceIPAddress)} | ${md(a.mfaUsed)} | ${md(a.reason, 200)} |`);
    }
    out.push('');
  }
  if (r.unlinked.length) {
    out.push('## Break-glass records not linked to a session', '');
    out.push('| Time | Account | Region | Event | By | Error | Why not linked |', '|---|---|---|---|---|---|---|');
    for (const u of r.unlinked) {
      out.push(`| ${when(u.time)} | ${u.account} | ${md(u.region)} | ${md(u.eventSource.replace(/\.amazonaws\.com$/, ''))} ${md(u.eventName)} | ${md(u.principal)} | ${md(u.errorCode ?? '')} | ${md(u.reason, 200)} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function anchor(id: string): string {
  return `session-${id.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;
}

function markdownSession(r: AuditReport, s: ReportSession): string[] {
  const out: string[] = [];
  // GitHub and most Markdown viewers derive the same anchor from this heading as anchor() does.
  out.push(`## Session ${s.id}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| User | ${md(s.user)} (${s.kind === 'console' ? 'console sign-in' : 'command line / API, no console sign-in'}) |`);
  out.push(`| Start | ${when(s.start)} |`, `| End | ${when(s.end)} (last event; ${duration(s.durationSeconds)}) |`);
  if (s.signIn) {
    out.push(`| Sign-in | ${md(s.signIn.region)}, MFA used: **${md(s.signIn.mfaUsed ?? 'not recorded')}**, from ${md(s.signIn.sourceIPAddress)}, ${md(s.signIn.userAgent, 120)} |`);
  }
  out.push(`| Source IPs | ${s.sourceIPs.map((x) => md(x)).join(', ') || '-'} |`);
  out.push(`| Accounts | ${s.accounts.map((a) => md(accountLabel(r, a))).join('; ')} |`);
  for (const rs of s.roleSessions) {
    out.push(`| Role session ${rs.id.replace(/^.*\//, '')} | ${md(rs.roleArn)} via ${rs.via} at ${clock(rs.start)}${rs.sourceIdentity ? `, source identity ${md(rs.sourceIdentity)}` : ''}${rs.chainedFrom ? `, chained from ${md(rs.chainedFrom.replace(/^.*\//, ''))}` : ''} |`);
  }
  for (const n of s.notes) out.push(`| Note | ${md(n, 300)} |`);
  out.push('');
  out.push('### Per account', '', '| Account | Events | Writes | Denied | Errors | Regions | First | Last |', '|---|---:|---:|---:|---:|---|---|---|');
  for (const a of s.accountSummaries) {
    out.push(`| ${md(accountLabel(r, a.account))} | ${a.events} | ${a.writes} | ${a.denied} | ${a.errors} | ${a.regions.map((x) => md(x)).join(', ')} | ${clock(a.first)} | ${clock(a.last)} |`);
  }
  out.push('', '### What changed (successful write calls by service)', '');
  if (!s.changes.length) out.push('Nothing: no successful write call.');
  for (const c of s.changes) {
    out.push(`- **${md(c.service)}** (${c.count}): ${c.calls.map((x) => `${md(x.eventName)} ×${x.count} in ${x.accounts.join(', ')}`).join('; ')}`);
  }
  out.push('', '### Timeline', '', '| Time (UTC) | Account | Region | Event | By | Result |', '|---|---|---|---|---|---|');
  let lastDay = '';
  for (const e of s.events) {
    const d = day(e.time);
    const t = d !== lastDay ? `${d} ${clock(e.time)}` : clock(e.time);
    lastDay = d;
    const res = result(e);
    const shown = res.cls === 'write' || res.cls === 'denied' ? `**${md(res.text)}**` : md(res.text);
    out.push(`| ${t} | ${e.account} | ${md(e.region)} | ${md(e.eventSource.replace(/\.amazonaws\.com$/, ''))} ${md(e.eventName)} | ${md(e.principal, 100)} | ${shown} |`);
  }
  out.push('');
  return out;
}

// ---------------------------------------------------------------------------------------------------- HTML

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function h(s: string | undefined, max?: number): string {
  return clip(s, max).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const CSS = `
*{box-sizing:border-box}
body{font:10.5pt/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#111;margin:2em auto;max-width:80em;padding:0 1em}
h1{font-size:1.6em;margin:0 0 .2em} h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:2px solid #111} h3{font-size:1.05em;margin:1em 0 .3em}
.meta{color:#444;margin:.2em 0}
.headline{font-weight:600;margin:.8em 0}
table{border-collapse:collapse;width:100%;margin:.3em 0}
th,td{border:1px solid #999;padding:.2em .4em;text-align:left;vertical-align:top}
th{background:#eee} td.n{text-align:right}
thead{display:table-header-group} tr{break-inside:avoid}
tr.write td{background:#fff6d6} tr.denied td{background:#ffe0e0} tr.error td{background:#f3f3f3}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;word-break:break-all}
.session{break-before:page} .session:first-of-type{break-before:auto}
.note{border-left:6px solid #b00;background:#fff4f4;padding:.4em .8em;margin:.5em 0}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;max-width:none;font-size:8.5pt} th,tr.write td,tr.denied td,tr.error td{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;

export function renderHtml(r: AuditReport): string {
  const sessionRows = r.sessions.map((s) => `<tr><td><a href="#${anchor(s.id)}">${h(s.id)}</a></td><td>${h(s.user)}</td><td>${s.kind}</td><td>${h(when(s.start))}</td><td>${h(when(s.end))}</td><td class="mono">${s.accounts.map((a) => h(a)).join(', ')}</td><td class="n">${s.writes}</td><td class="n">${s.denied}</td></tr>`).join('\n');
  const attempts = r.attempts.length
    ? `<table><thead><tr><th>Time</th><th>User</th><th>Account</th><th>Region</th><th>Source IP</th><th>MFA</th><th>What happened</th></tr></thead><tbody>\n${r.attempts.map((a) => `<tr class="denied"><td>${h(when(a.time))}</td><td>${a.user ? h(a.user) : '<em>unknown user name</em>'}</td><td class="mono">${h(a.account)}</td><td>${h(a.region)}</td><td class="mono">${h(a.sourceIPAddress)}</td><td>${h(a.mfaUsed)}</td><td>${h(a.reason, 200)}</td></tr>`).join('\n')}\n</tbody></table>`
    : '<p>None.</p>';
  const unlinked = r.unlinked.length
    ? `<h2>Break-glass records not linked to a session</h2>\n<table><thead><tr><th>Time</th><th>Account</th><th>Region</th><th>Event</th><th>By</th><th>Error</th><th>Why not linked</th></tr></thead><tbody>\n${r.unlinked.map((u) => `<tr><td>${h(when(u.time))}</td><td class="mono">${h(u.account)}</td><td>${h(u.region)}</td><td>${h(u.eventSource.replace(/\.amazonaws\.com$/, ''))} ${h(u.eventName)}</td><td class="mono">${h(u.principal)}</td><td>${h(u.errorCode ?? '')}</td><td>${h(u.reason, 200)}</td></tr>`).join('\n')}\n</tbody></table>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Break-glass audit (${h(r.scope.securityAccountId)})</title>
<style>${CSS}
</style>
</head>
<body>
<h1>Break-glass audit</h1>
<p class="meta">Generated <time datetime="${h(r.generatedAt)}">${h(when(r.generatedAt))}</time> from <code>${h(basename(r.config))}</code> &middot; security account <span class="mono">${h(r.scope.securityAccountId)}</span> &middot; users ${r.scope.users.map((u) => `<code>${h(u)}</code>`).join(', ')} &middot; role <code>${h(r.scope.roleName)}</code></p>
<p class="meta">Input: ${h(inputLine(r), 400)}${r.range.from || r.range.to || r.user ? ` &middot; filter: ${[r.range.from ? `from ${h(when(r.range.from))}` : '', r.range.to ? `to ${h(when(r.range.to))}` : '', r.user ? `user ${h(r.user)}` : ''].filter(Boolean).join(', ')}` : ''}</p>
<p class="headline">${h(headline(r))}</p>
${r.sessions.length ? `<table><thead><tr><th>Session</th><th>User</th><th>Kind</th><th>Start</th><th>End</th><th>Accounts</th><th>Writes</th><th>Denied</th></tr></thead><tbody>\n${sessionRows}\n</tbody></table>` : ''}
${r.sessions.map((s) => htmlSession(r, s)).join('\n')}
<h2>Failed sign-in attempts</h2>
${attempts}
${unlinked}
</body>
</html>
`;
}

function htmlSession(r: AuditReport, s: ReportSession): string {
  const facts: [string, string][] = [
    ['User', `${h(s.user)} (${s.kind === 'console' ? 'console sign-in' : 'command line / API, no console sign-in'})`],
    ['Start', h(when(s.start))],
    ['End', `${h(when(s.end))} (last event; ${duration(s.durationSeconds)})`],
  ];
  if (s.signIn) facts.push(['Sign-in', `${h(s.signIn.region)}, MFA used: <strong>${h(s.signIn.mfaUsed ?? 'not recorded')}</strong>, from <span class="mono">${h(s.signIn.sourceIPAddress)}</span>, ${h(s.signIn.userAgent, 120)}`]);
  facts.push(['Source IPs', s.sourceIPs.map((x) => `<span class="mono">${h(x)}</span>`).join(', ') || '-']);
  facts.push(['Accounts', s.accounts.map((a) => h(accountLabel(r, a))).join('; ')]);
  for (const rs of s.roleSessions) {
    facts.push([`Role session ${h(rs.id.replace(/^.*\//, ''))}`, `<span class="mono">${h(rs.roleArn)}</span> via ${rs.via} at ${h(clock(rs.start))}${rs.sourceIdentity ? `, source identity ${h(rs.sourceIdentity)}` : ''}${rs.chainedFrom ? `, chained from ${h(rs.chainedFrom.replace(/^.*\//, ''))}` : ''}`]);
  }
  const accounts = s.accountSummaries.map((a) => `<tr><td class="mono">${h(accountLabel(r, a.account))}</td><td class="n">${a.events}</td><td class="n">${a.writes}</td><td class="n">${a.denied}</td><td class="n">${a.errors}</td><td>${a.regions.map((x) => h(x)).join(', ')}</td><td>${h(clock(a.first))}</td><td>${h(clock(a.last))}</td></tr>`).join('\n');
  const changes = s.changes.length
    ? `<ul>${s.changes.map((c) => `<li><strong>${h(c.service)}</strong> (${c.count}): ${c.calls.map((x) => `${h(x.eventName)} &times;${x.count} in ${x.accounts.map((a) => h(a)).join(', ')}`).join('; ')}</li>`).join('')}</ul>`
    : '<p>Nothing: no successful write call.</p>';
  let lastDay = '';
  const timeline = s.events.map((e) => {
    const d = day(e.time);
    const t = d !== lastDay ? `${d} ${clock(e.time)}` : clock(e.time);
    lastDay = d;
    const res = result(e);
    return `<tr${res.cls ? ` class="${res.cls}"` : ''}><td>${h(t)}</td><td class="mono">${h(e.account)}</td><td>${h(e.region)}</td><td>${h(e.eventSource.replace(/\.amazonaws\.com$/, ''))} ${h(e.eventName)}</td><td class="mono">${h(e.principal, 100)}</td><td>${res.cls === 'write' || res.cls === 'denied' ? `<strong>${h(res.text)}</strong>` : h(res.text)}</td></tr>`;
  }).join('\n');
  return `<section class="session" id="${anchor(s.id)}">
<h2>Session ${h(s.id)}</h2>
<table><tbody>
${facts.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('\n')}
</tbody></table>
${s.notes.map((n) => `<p class="note">${h(n, 300)}</p>`).join('\n')}
<h3>Per account</h3>
<table><thead><tr><th>Account</th><th>Events</th><th>Writes</th><th>Denied</th><th>Errors</th><th>Regions</th><th>First</th><th>Last</th></tr></thead><tbody>
${accounts}
</tbody></table>
<h3>What changed (successful write calls by service)</h3>
${changes}
<h3>Timeline</h3>
<table><thead><tr><th>Time (UTC)</th><th>Account</th><th>Region</th><th>Event</th><th>By</th><th>Result</th></tr></thead><tbody>
${timeline}
</tbody></table>
</section>`;
}
