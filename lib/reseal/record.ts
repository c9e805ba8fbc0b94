/**
 * The seal record: the evidence, for auditors, that the break-glass credentials used since the last seal were rotated,
 * their MFA devices and keys checked, the role's sessions revoked and the use reviewed, before the door was sealed
 * again; with every exception the operator accepted, and why. JSON (for tooling) and Markdown (for people), both named
 * by the UTC seal time, like the drill records (lib/drill/record.ts).
 *
 * The SEAL_TAG on each user holds the same time: it points here. Anyone allowed iam:TagUser could write a tag, so the
 * tag is a pointer and this record is the evidence. Records are created, never replaced (createAtomically): a second
 * seal in the same second gets a suffix, and nothing already in the directory is overwritten or deleted.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SEAL_TAG, tagTime } from '../drill/cadence';
import { recordId } from '../drill/record';
import { readTextFileLimited } from '../read-text-file';
import { createAtomically } from '../write-atomically';
import { CHECK_TITLES, type CheckId, type CheckStatus, type PreviousSeal } from './evaluate';
import type { UseSource } from './usage';

export const SEAL_SCHEMA_VERSION = 1;

export interface SealedCheck {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** Present when the check did not pass and the operator accepted it at the prompt. */
  readonly accepted?: { readonly reason: string; readonly at: string };
}

export interface SealedUser {
  readonly name: string;
  readonly lastUse: string;
  readonly lastUseFrom: readonly UseSource[];
  readonly previousSeal: string | null;
  readonly checks: readonly SealedCheck[];
  readonly mfaDevices: ReadonlyArray<{ readonly serial: string; readonly kind: string; readonly enabledAt: string | null }>;
  readonly tag: { readonly key: string; readonly value: string; readonly written: boolean; readonly error?: string };
}

export interface SealRecord {
  readonly schemaVersion: typeof SEAL_SCHEMA_VERSION;
  readonly kind: 'breakglass-seal';
  /** UTC seal time, compact: 20261202T101500Z. Also the file name (with -2, -3 … when taken). */
  readonly id: string;
  readonly sealedAt: string;
  readonly operatorArn: string;
  readonly configFile: string;
  readonly securityAccountId: string;
  readonly audit: { readonly file: string; readonly sha256: string; readonly generatedAt: string; readonly from: string | null; readonly to: string | null; readonly sessions: number } | null;
  readonly revocation: ReadonlyArray<{ readonly where: string; readonly value?: string; readonly problem?: string }>;
  readonly users: readonly SealedUser[];
  /** Users not resealed now, and why (not used since their seal, never used, missing). */
  readonly notResealed: ReadonlyArray<{ readonly name: string; readonly note: string }>;
}

/** Writes <dir>/<id>.json and .md, created only if absent (the directory too); returns both paths. */
export function writeSealRecord(dir: string, record: SealRecord): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  for (let n = 1; n <= 99; n++) {
    const base = n === 1 ? record.id : `${record.id}-${n}`;
    const json = join(dir, `${base}.json`);
    const markdown = join(dir, `${base}.md`);
    try {
      createAtomically(json, `${JSON.stringify(record, null, 2)}\n`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    try {
      createAtomically(markdown, sealMarkdown(record));
    } catch (e) {
      // The Markdown name is someone else's file: left as it is; ours (the JSON just created) is removed, next name.
      rmSync(json, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    return { json, markdown };
  }
  throw Object.assign(new Error(`99 seal records named ${record.id}* already exist in ${dir}`), { code: 'EEXIST' });
}

/**
 * The previous seal of a user, from its SEAL_TAG time: the record <recordId(time)>[-N].json in `dir` whose sealedAt is
 * that time and which lists the user. Undefined when not there (another directory, another machine): the caller says so.
 */
export function findPreviousSeal(dir: string, sealedAt: Date, user: string): PreviousSeal | undefined {
  const id = recordId(sealedAt);
  let names: string[];
  try { names = readdirSync(dir); } catch { return undefined; }
  const candidates = names.filter((n) => n === `${id}.json` || new RegExp(`^${id}-\\d{1,2}\\.json$`).test(n)).sort();
  for (const n of candidates) {
    try {
      const r = JSON.parse(readTextFileLimited(join(dir, n), 16 * 1024 * 1024)) as Partial<SealRecord>;
      if (r.kind !== 'breakglass-seal' || r.sealedAt !== tagTime(sealedAt) || !Array.isArray(r.users)) continue;
      const u = r.users.find((x) => x?.name === user);
      if (u && Array.isArray(u.mfaDevices)) return { recordId: n.replace(/\.json$/, ''), mfaSerials: u.mfaDevices.map((d: { serial?: unknown }) => String(d?.serial)) };
    } catch { /* not a record of ours: skipped */ }
  }
  return undefined;
}

/** Markdown cells: one line, no unescaped pipes, no control characters. */
const cell = (s: string | number | null | undefined) => (s === undefined || s === null || s === '' ? '-'
  : String(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\|/g, '\\|'));

const STATUS_TEXT: Record<CheckStatus, string> = { pass: 'pass', fail: '**FAIL**', unknown: '**unknown**' };

export function sealMarkdown(r: SealRecord): string {
  const lines: string[] = [];
  const exceptions = r.users.flatMap((u) => u.checks.filter((c) => c.accepted).map((c) => ({ u, c })));
  lines.push(`# Break-glass seal ${r.id}`, '');
  lines.push(`**Sealed: ${r.users.map((u) => u.name).join(', ')}**${exceptions.length ? ` (with ${exceptions.length} accepted exception${exceptions.length === 1 ? '' : 's'})` : ''}`, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Sealed at | ${r.sealedAt} |`);
  lines.push(`| Sealed by | ${cell(r.operatorArn)} |`);
  lines.push(`| Config | ${cell(r.configFile)} |`);
  lines.push(`| Security account | ${r.securityAccountId} |`);
  lines.push(`| Audit | ${r.audit ? `${cell(r.audit.file)}, sha256 \`${r.audit.sha256}\`, generated ${r.audit.generatedAt}, range ${r.audit.from ?? 'open'} to ${r.audit.to ?? 'open'}, ${r.audit.sessions} session${r.audit.sessions === 1 ? '' : 's'}` : 'none attached'} |`, '');

  for (const u of r.users) {
    lines.push(`## ${u.name}`, '');
    lines.push(`Last use ${u.lastUse} (${u.lastUseFrom.join(', ')}); previous seal ${u.previousSeal ?? 'none'}.`, '');
    lines.push('| Check | Result | Detail |', '|---|---|---|');
    for (const c of u.checks) {
      lines.push(`| ${cell(CHECK_TITLES[c.id] ?? c.title)} | ${c.accepted ? `${STATUS_TEXT[c.status]}, accepted` : STATUS_TEXT[c.status]} | ${cell(c.detail)}${c.accepted ? `<br>Accepted ${c.accepted.at}: ${cell(c.accepted.reason)}` : ''} |`);
    }
    lines.push('');
    lines.push(`MFA devices: ${u.mfaDevices.length ? u.mfaDevices.map((d) => `\`${cell(d.serial)}\` (${d.kind}, enabled ${d.enabledAt ?? 'unknown'})`).join(', ') : 'none'}.`, '');
    lines.push(u.tag.written ? `Tag \`${u.tag.key}\` = \`${u.tag.value}\` written on the user.` : `Tag \`${u.tag.key}\` NOT written (${cell(u.tag.error)}): add it by hand, \`aws iam tag-user --user-name ${u.name} --tags Key=${u.tag.key},Value=${u.tag.value}\`.`, '');
  }

  if (r.notResealed.length) {
    lines.push('## Not resealed now', '');
    for (const n of r.notResealed) lines.push(`- ${n.name}: ${cell(n.note)}`);
    lines.push('');
  }

  lines.push('## Where the role\'s sessions were revoked', '');
  lines.push('| Where | RevokeSessionsBefore |', '|---|---|');
  for (const p of r.revocation) lines.push(`| ${cell(p.where)} | ${cell(p.value)}${p.problem ? ` (${cell(p.problem)})` : ''} |`);
  lines.push('');

  lines.push('## For auditors', '');
  lines.push(
    'After every use of the break-glass door its credentials are rotated and the use reviewed before the door is sealed',
    'again. This record is the evidence of that step for the users above: each check was run against the live account',
    '(AWS IAM and CloudFormation) and the attached audit (reconstructed from the organization\'s CloudTrail logs, its',
    'SHA-256 above), and a check that did not pass was accepted only by the named operator, at a terminal, with the',
    `reason shown. The tag \`${SEAL_TAG}\` on each user repeats the seal time so that \`breakglass doctor\` can tell a`,
    'use after it; a tag can be written by any administrator of the security account, so the tag is a pointer to this',
    'record, not evidence by itself.',
    '',
  );
  return `${lines.join('\n')}\n`;
}
