/**
 * Whether each break-glass user used since its last seal may be sealed again. Pure: what IAM said (users.ts facts),
 * the attached audit, the revocation places and the previous seal records in, one verdict per user and check out.
 *
 * "Used since the last seal": its last use (the latest of GetUser PasswordLastUsed, its access keys' LastUsedDate, and
 * the end of its sessions in the audit) is later than the time in its SEAL_TAG, or it was never sealed. Users not used
 * since are left as they are (their seal stands).
 *
 * The checks, for each used user:
 * - password-changed: the password was changed after its last use with the password. "Changed" is the later of
 *   (1) the login profile's CreateDate (GetLoginProfile; IAM API Reference, LoginProfile: "The date when the password
 *   for the user was created"), which moves only when the profile is deleted and created again, not on
 *   UpdateLoginProfile or ChangePassword (see lib/doctor/checks/users.ts; and the guardrail SCP refuses
 *   DeleteLoginProfile on these users), and (2) the user's own successful ChangePassword in the attached audit
 *   (CloudTrail records it with requestParameters null and the user as userIdentity). The documented rotation (an
 *   administrator resets with UpdateLoginProfile, the holder signs in with MFA and changes it) is proven by (2): the
 *   holder's sign-in is a use, and the ChangePassword after it is the change. An administrator's reset alone is seen by
 *   neither: it needs an accepted exception. "Last use with the password" is the later of PasswordLastUsed and the
 *   user's console sign-ins in the audit (IAM keeps only the first sign-in in any five minutes; CloudTrail has each).
 * - mfa-unchanged: every MFA device (ListMFADevices) was enabled (EnableDate) before the previous seal, or, for a user
 *   never sealed, before its first use known here; and the serial numbers are those listed in the previous seal record
 *   when that record is at hand (--out). A device enabled later, or a serial that changed, is an exception the
 *   operator accepts only after checking the device in the vault is that serial (docs/runbook.md).
 * - no-access-keys: ListAccessKeys is empty (an inactive key can be re-activated: still a key).
 * - sessions-revoked: every place the role lives has RevokeSessionsBefore later than the last role session the audit
 *   shows for this user since the seal (role sessions are what the parameter revokes: lib/revoke/parameter.ts), or,
 *   without an audit covering the user, later than its last use. Places that cannot be read make it "unknown".
 * - audit-attached: an audit (schema 1) of this security account, covering this user, generated after the last use,
 *   whose range includes it, and with a console sign-in at PasswordLastUsed (± AUDIT_SLACK_MS) and a session at the
 *   access keys' last use: otherwise the logs given to `breakglass audit` missed the use.
 */
import type { BreakglassConfig } from '../config/schema';
import type { MfaDevice, UserFacts } from '../doctor/checks/users';
import { maskKeyId } from '../doctor/checks/users';
import type { AuditEvidence, AuditSessionView } from './audit-file';
import type { RevocationPlace } from './revocation';
import { earliest, iamUse, latest, tagDates, utc, type UseSource } from './usage';

export const CHECK_IDS = ['password-changed', 'mfa-unchanged', 'no-access-keys', 'sessions-revoked', 'audit-attached'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_TITLES: Record<CheckId, string> = {
  'password-changed': 'Password changed after the last use',
  'mfa-unchanged': 'MFA devices unchanged',
  'no-access-keys': 'No access keys',
  'sessions-revoked': 'Role sessions revoked after the last use',
  'audit-attached': 'Audit of the use attached',
};

/** Times from two sources (IAM, CloudTrail) are compared with this much slack: the audit links records within 120 s too. */
export const AUDIT_SLACK_MS = 120_000;

export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface CheckOutcome {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly detail: string;
}

/** What the previous seal record says about a user (found in --out by the time in its SEAL_TAG). */
export interface PreviousSeal {
  readonly recordId: string;
  readonly mfaSerials: readonly string[];
}

export interface UserVerdict {
  readonly name: string;
  readonly used: boolean;
  /** Why it is not resealed now (not used since its seal, never used, does not exist). */
  readonly note?: string;
  readonly lastUse?: Date;
  readonly lastUseFrom: UseSource[];
  readonly previousSeal?: Date;
  readonly checks: CheckOutcome[];
  readonly mfaDevices: readonly MfaDevice[];
}

export interface EvaluateInput {
  readonly config: BreakglassConfig;
  readonly facts: readonly UserFacts[];
  readonly audit?: AuditEvidence;
  readonly revocations: readonly RevocationPlace[];
  readonly previous: ReadonlyMap<string, PreviousSeal | undefined>;
}

export function evaluate(input: EvaluateInput): UserVerdict[] {
  return input.facts.map((f) => evaluateUser(f, input));
}

function evaluateUser(f: UserFacts, input: EvaluateInput): UserVerdict {
  const base = { name: f.name, lastUseFrom: [] as UseSource[], checks: [] as CheckOutcome[], mfaDevices: [] as MfaDevice[] };
  if (f.exists.ok && !f.exists.value) return { ...base, used: false, note: 'does not exist' };
  const tags = tagDates(f);
  const sealedAt = tags.sealedAt;
  const after = (d: Date | undefined) => (d && (!sealedAt || d > sealedAt) ? d : undefined);
  const use = iamUse(f);
  const sessions = (input.audit?.sessionsByUser.get(f.name) ?? []).filter((s) => !sealedAt || s.end > sealedAt);
  const sources: Array<[UseSource, Date | undefined]> = [['password sign-in', after(use.password)], ['access key', after(use.accessKey)], ['audit', latest(sessions.map((s) => s.end))]];
  const lastUse = latest(sources.map(([, d]) => d));
  const lastUseFrom = sources.filter(([, d]) => d).map(([s]) => s);
  const mfaDevices = f.mfa.ok ? f.mfa.value : [];
  const common = { ...base, lastUseFrom, mfaDevices, ...(sealedAt ? { previousSeal: sealedAt } : {}) };
  if (!lastUse) {
    // A tag that holds no time counts as no seal (tagDates), so every earlier use counts: only a readable seal stands.
    return { ...common, used: false, note: sealedAt ? `not used since its seal at ${utc(sealedAt)}` : 'never used' };
  }
  const last = lastUse;
  const ctx: UserCtx = { f, sealedAt, sessions, use: { password: after(use.password), accessKey: after(use.accessKey) }, lastUse: last, audit: input.audit, config: input.config };
  const checks: CheckOutcome[] = [
    passwordChanged(ctx),
    mfaUnchanged(ctx, input.previous.get(f.name)),
    noAccessKeys(ctx),
    sessionsRevoked(ctx, input.revocations),
    auditAttached(ctx),
  ];
  return { ...common, used: true, lastUse: last, checks };
}

interface UserCtx {
  readonly f: UserFacts;
  readonly sealedAt?: Date;
  readonly sessions: readonly AuditSessionView[];
  /** IAM's last uses, only when after the seal. */
  readonly use: { readonly password?: Date; readonly accessKey?: Date };
  readonly lastUse: Date;
  readonly audit?: AuditEvidence;
  readonly config: BreakglassConfig;
}

const pass = (id: CheckId, detail: string): CheckOutcome => ({ id, status: 'pass', detail });
const fail = (id: CheckId, detail: string): CheckOutcome => ({ id, status: 'fail', detail });

function passwordChanged(c: UserCtx): CheckOutcome {
  const id = 'password-changed';
  const profile = c.f.password.ok ? c.f.password.value : undefined;
  if (profile === null) return fail(id, 'the user has no console password: set one (README, "After deployment", step 2) before sealing');
  const allSessions = c.audit?.sessionsByUser.get(c.f.name) ?? [];
  const signIns = allSessions.filter((s) => s.signIn).map((s) => s.signIn!);
  const used = latest([c.f.info?.passwordLastUsed, ...signIns]);
  if (!used || (c.sealedAt && used <= c.sealedAt)) return pass(id, `the password was not used since ${c.sealedAt ? `the seal at ${utc(c.sealedAt)}` : 'it was set'}`);
  const changes: Array<{ at: Date; how: string }> = [];
  if (profile) changes.push({ at: profile.created, how: 'login profile created (GetLoginProfile CreateDate)' });
  for (const at of allSessions.flatMap((s) => s.passwordChanges)) changes.push({ at, how: 'ChangePassword by the user, in the audit' });
  const best = changes.reduce<{ at: Date; how: string } | undefined>((a, b) => (!a || b.at > a.at ? b : a), undefined);
  if (best && best.at > used) return pass(id, `changed ${utc(best.at)} (${best.how}), after its last use ${utc(used)}`);
  return fail(id, `last used ${utc(used)}; the last change seen${best ? ` is ${utc(best.at)} (${best.how}), not after it` : ': none'}. Rotate it (an administrator resets it, the holder signs in with MFA and changes it) and attach an audit that includes that ChangePassword`);
}

function mfaUnchanged(c: UserCtx, previous: PreviousSeal | undefined): CheckOutcome {
  const id = 'mfa-unchanged';
  const devices = c.f.mfa.ok ? c.f.mfa.value : [];
  if (devices.length === 0) return fail(id, 'the user has no MFA device: an administrator enrols one (README, "After deployment", step 1)');
  const firstUse = earliest([...c.sessions.map((s) => s.start), c.use.password, c.use.accessKey, c.lastUse]);
  const ref = c.sealedAt ?? firstUse!;
  const refLabel = c.sealedAt ? `the previous seal (${utc(c.sealedAt)})` : `its first use known here (${utc(ref)})`;
  const problems: string[] = [];
  for (const d of devices) {
    if (!d.enabled) problems.push(`${d.serial}: enable date unknown`);
    else if (d.enabled > ref) problems.push(`${d.serial} enabled ${utc(d.enabled)}, after ${refLabel}`);
  }
  let compared = '';
  if (previous) {
    const now = new Set(devices.map((d) => d.serial));
    const before = new Set(previous.mfaSerials);
    const added = [...now].filter((s) => !before.has(s));
    const removed = [...before].filter((s) => !now.has(s));
    if (added.length) problems.push(`not in seal record ${previous.recordId}: ${added.join(', ')}`);
    if (removed.length) problems.push(`in seal record ${previous.recordId} but gone: ${removed.join(', ')}`);
    compared = `; the same serial numbers as seal record ${previous.recordId}`;
  } else if (c.sealedAt) {
    compared = '; serial numbers not compared (the previous seal record is not in --out)';
  }
  if (problems.length) return fail(id, `${problems.join('; ')}. Accept only after checking the device in the vault carries this serial number`);
  return pass(id, `${devices.length} device${devices.length === 1 ? '' : 's'} (${devices.map((d) => d.serial).join(', ')}), enabled before ${refLabel}${compared}`);
}

function noAccessKeys(c: UserCtx): CheckOutcome {
  const id = 'no-access-keys';
  const keys = c.f.accessKeys.ok ? c.f.accessKeys.value : [];
  if (keys.length === 0) return pass(id, 'none');
  return fail(id, `${keys.map((k) => `${maskKeyId(k.id)} ${k.status}${k.lastUsed ? `, last used ${utc(k.lastUsed)}` : ''}`).join('; ')}: delete ${keys.length === 1 ? 'it' : 'them'} (aws iam delete-access-key); break-glass users sign in with password and MFA only`);
}

/** True when the audit is about this account and user (the time coverage is audit-attached's business). */
function auditAbout(c: UserCtx): boolean {
  const a = c.audit;
  return !!a && a.securityAccountId === c.config.securityAccount.accountId && a.users.includes(c.f.name) && (a.user === null || a.user === c.f.name);
}

function sessionsRevoked(c: UserCtx, places: readonly RevocationPlace[]): CheckOutcome {
  const id = 'sessions-revoked';
  let ref = c.lastUse;
  let refLabel = `its last use (${utc(ref)})`;
  if (auditAbout(c)) {
    const lastRole = latest(c.sessions.flatMap((s) => s.roleSessionStarts));
    if (!lastRole) return pass(id, 'the audit shows no role session of this user since the last seal: nothing to revoke');
    ref = lastRole;
    refLabel = `its last role session in the audit (${utc(ref)})`;
  }
  if (places.length === 0) return { id, status: 'unknown', detail: 'no place to read RevokeSessionsBefore from' };
  const unknown = places.filter((p) => p.problem);
  const early = places.filter((p) => !p.problem && p.at && p.at <= ref);
  const lines = places.map((p) => `${p.where}: ${p.problem ?? p.value}`);
  if (early.length) return fail(id, `RevokeSessionsBefore must be later than ${refLabel}: ${early.map((p) => `${p.where}: ${p.value}`).join('; ')}. Run breakglass revoke`);
  if (unknown.length) return { id, status: 'unknown', detail: `${lines.join('; ')}` };
  return pass(id, `RevokeSessionsBefore later than ${refLabel}: ${lines.join('; ')}`);
}

function auditAttached(c: UserCtx): CheckOutcome {
  const id = 'audit-attached';
  const a = c.audit;
  if (!a) return fail(id, 'no audit attached: run breakglass audit --format json over the organization trail\'s logs from the last seal until now, and pass it with --audit');
  if (a.securityAccountId !== c.config.securityAccount.accountId) return fail(id, `${a.file} audits security account ${a.securityAccountId}, not ${c.config.securityAccount.accountId}`);
  if (!a.users.includes(c.f.name) || (a.user !== null && a.user !== c.f.name)) return fail(id, `${a.file} does not cover ${c.f.name} (${a.user !== null ? `--user ${a.user}` : `users ${a.users.join(', ')}`})`);
  const iamLast = latest([c.use.password, c.use.accessKey]);
  const problems: string[] = [];
  if (iamLast) {
    if (a.generatedAt < iamLast) problems.push(`generated ${utc(a.generatedAt)}, before the last use ${utc(iamLast)}`);
    if ((a.from && a.from > iamLast) || (a.to && a.to < iamLast)) problems.push(`its range (${a.from ? utc(a.from) : 'open'} to ${a.to ? utc(a.to) : 'open'}) leaves out the last use ${utc(iamLast)}`);
  }
  const near = (x: Date, y: Date) => Math.abs(x.getTime() - y.getTime()) <= AUDIT_SLACK_MS;
  if (c.use.password && !c.sessions.some((s) => s.signIn && near(s.signIn, c.use.password!))) {
    problems.push(`no console sign-in at ${utc(c.use.password)} (PasswordLastUsed) in it`);
  }
  if (c.use.accessKey) {
    const t = c.use.accessKey.getTime();
    if (!c.sessions.some((s) => s.start.getTime() - AUDIT_SLACK_MS <= t && t <= s.end.getTime() + AUDIT_SLACK_MS)) problems.push(`no session at ${utc(c.use.accessKey)} (access key last used) in it`);
  }
  if (problems.length) return fail(id, `${a.file}: ${problems.join('; ')}: audit the organization trail's logs of every account and region up to now`);
  return pass(id, `${a.file} (sha256 ${a.sha256.slice(0, 12)}…, generated ${utc(a.generatedAt)}): ${c.sessions.length} session${c.sessions.length === 1 ? '' : 's'} of ${c.f.name} since ${c.sealedAt ? 'the last seal' : 'the start'}, the last use included`);
}
