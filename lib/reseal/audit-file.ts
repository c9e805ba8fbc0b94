/**
 * The audit attached to a seal (`--audit FILE`): the JSON document of `breakglass audit --format json`, schema 1
 * (lib/audit/report.ts AuditReport; docs/audit.md, "Output"). Read defensively (the file is the operator's, maybe
 * edited by hand): only the fields the seal needs, each checked, and one line naming the file when something is off.
 *
 * What the seal takes from it, per user: each session's start, end and kind, the console sign-in time (CloudTrail
 * ConsoleLogin eventTime: every sign-in, where IAM's PasswordLastUsed keeps only the first in five minutes), the start
 * of each role session (when STS issued its credentials: what a revocation by aws:TokenIssueTime must be later than),
 * and the successful ChangePassword calls the user made (the holder's own password change, which the login profile's
 * CreateDate does not show: lib/reseal/evaluate.ts).
 */
import { createHash } from 'node:crypto';
import { readTextFileLimited } from '../read-text-file';
import { MiB } from '../detection/limits';

/**
 * At most 256 MiB: the report holds only break-glass records (a few hundred bytes of JSON per call), so this is
 * hundreds of thousands of calls; the whole text is held once as a string to parse it, and V8 strings stop at about
 * 512 MiB (2^29 - 24 characters).
 */
export const MAX_AUDIT_BYTES = 256 * MiB;

export interface AuditSessionView {
  readonly id: string;
  readonly kind: 'console' | 'cli';
  readonly start: Date;
  readonly end: Date;
  readonly signIn?: Date;
  readonly roleSessionStarts: readonly Date[];
  /** Successful ChangePassword calls by the user in this session (iam.amazonaws.com, no errorCode). */
  readonly passwordChanges: readonly Date[];
}

export interface AuditEvidence {
  readonly file: string;
  /** SHA-256 of the document's UTF-8 text, so an auditor can tell the attached file from any other. */
  readonly sha256: string;
  readonly generatedAt: Date;
  readonly from?: Date;
  readonly to?: Date;
  /** --user of the audit, when it was limited to one user. */
  readonly user: string | null;
  readonly securityAccountId: string;
  readonly users: readonly string[];
  readonly sessionCount: number;
  readonly sessionsByUser: ReadonlyMap<string, readonly AuditSessionView[]>;
}

export class AuditFileError extends Error {
  constructor(message: string) { super(message); this.name = 'AuditFileError'; }
}

export function readAuditFile(file: string): AuditEvidence {
  let text: string;
  try {
    text = readTextFileLimited(file, MAX_AUDIT_BYTES);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuditFileError(code === 'ETOOBIG' ? `larger than ${MAX_AUDIT_BYTES / MiB} MiB` : `cannot be read (${code ?? (e as Error).message})`);
  }
  return parseAudit(text, file);
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function time(v: unknown, what: string): Date {
  const d = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new AuditFileError(`${what} is not an ISO 8601 time`);
  return d;
}

const optionalTime = (v: unknown, what: string): Date | undefined => (v === null || v === undefined ? undefined : time(v, what));

export function parseAudit(text: string, file: string): AuditEvidence {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AuditFileError(`is not JSON (${(e as Error).message.slice(0, 80)}); pass the output of breakglass audit --format json`);
  }
  if (!isObject(doc) || doc.schemaVersion !== 1) {
    throw new AuditFileError(`is not a breakglass audit document of schemaVersion 1${isObject(doc) && 'schemaVersion' in doc ? ` (schemaVersion ${JSON.stringify(doc.schemaVersion)})` : ''}; pass the output of breakglass audit --format json`);
  }
  const scope = doc.scope;
  if (!isObject(scope) || typeof scope.securityAccountId !== 'string' || !Array.isArray(scope.users) || !scope.users.every((u: unknown) => typeof u === 'string')) {
    throw new AuditFileError('has no scope (securityAccountId, users)');
  }
  if (!Array.isArray(doc.sessions)) throw new AuditFileError('has no sessions list');
  const range = isObject(doc.range) ? doc.range : {};
  const byUser = new Map<string, AuditSessionView[]>();
  doc.sessions.forEach((s: unknown, i: number) => {
    const at = `sessions[${i}]`;
    if (!isObject(s) || typeof s.user !== 'string' || typeof s.id !== 'string') throw new AuditFileError(`${at} has no user or id`);
    const view: AuditSessionView = {
      id: s.id,
      kind: s.kind === 'cli' ? 'cli' : 'console',
      start: time(s.start, `${at}.start`),
      end: time(s.end, `${at}.end`),
      ...(isObject(s.signIn) && s.signIn.time !== undefined ? { signIn: time(s.signIn.time, `${at}.signIn.time`) } : {}),
      roleSessionStarts: (Array.isArray(s.roleSessions) ? s.roleSessions : []).map((r: any, j: number) => time(r?.start, `${at}.roleSessions[${j}].start`)),
      passwordChanges: (Array.isArray(s.events) ? s.events : [])
        .filter((e: any) => isObject(e) && e.eventSource === 'iam.amazonaws.com' && e.eventName === 'ChangePassword' && (e.errorCode === null || e.errorCode === undefined))
        .map((e: any, j: number) => time(e.time, `${at}.events[${j}].time`)),
    };
    const list = byUser.get(s.user) ?? [];
    list.push(view);
    byUser.set(s.user, list);
  });
  return {
    file,
    sha256: createHash('sha256').update(text).digest('hex'),
    generatedAt: time(doc.generatedAt, 'generatedAt'),
    from: optionalTime(range.from, 'range.from'),
    to: optionalTime(range.to, 'range.to'),
    user: typeof doc.user === 'string' ? doc.user : null,
    securityAccountId: scope.securityAccountId,
    users: scope.users,
    sessionCount: doc.sessions.length,
    sessionsByUser: byUser,
  };
}
