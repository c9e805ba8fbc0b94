/**
 * The break-glass users in the security account: they exist, have an MFA device, have a console password that is
 * not too old, and have no access keys. IAM calls per user: GetUser, ListMFADevices, GetLoginProfile, ListAccessKeys
 * (and GetAccessKeyLastUsed per key, when a key exists), asked once per run (DoctorContext.once) and shared by the
 * five checks below, the seal and drill checks (./seal.ts) and `breakglass reseal`.
 */
import type { Check, DoctorContext, Finding } from '../types';
import { attempt, errorName, fail, listSome, pass, plural, warn, wrongAccount, type Outcome } from './common';
import { mapLimit } from '../concurrency';

export type MfaKind = 'virtual' | 'fido' | 'hardware';

/** enabled: "The date when the MFA device was enabled for the user" (IAM API Reference, MFADevice EnableDate). */
export interface MfaDevice { readonly serial: string; readonly kind: MfaKind; readonly enabled?: Date }
/**
 * lastUsed: AccessKeyLastUsed.LastUsedDate (IAM API Reference, GetAccessKeyLastUsed), absent when never used;
 * lastUsedError: why it could not be read (the key itself was listed).
 */
export interface AccessKey { readonly id: string; readonly status: string; readonly lastUsed?: Date; readonly lastUsedError?: string }

/**
 * From GetUser. PasswordLastUsed: "the date and time ... when the user's password was last used to sign in to an AWS
 * website ... If a password is used more than once in a five-minute span, only the first use is returned"; absent
 * when never used (IAM API Reference, User). Tags: GetUser returns them (IAM API Reference, ListUsers: listing
 * "does not return ... PermissionsBoundary, Tags ... To view all of the information for a user, see GetUser").
 */
export interface UserInfo {
  readonly created?: Date;
  readonly passwordLastUsed?: Date;
  readonly tags: Readonly<Record<string, string>>;
}

export interface UserFacts {
  readonly name: string;
  /** false: iam:GetUser answered NoSuchEntity. */
  readonly exists: Outcome<boolean>;
  /** What GetUser said, when the user exists. */
  readonly info?: UserInfo;
  readonly mfa: Outcome<MfaDevice[]>;
  /** null: no console password (GetLoginProfile answered NoSuchEntity). */
  readonly password: Outcome<{ readonly created: Date } | null>;
  readonly accessKeys: Outcome<AccessKey[]>;
}

/**
 * Kind of an MFA device from its serial number (iam:ListMFADevices SerialNumber):
 * - virtual: "For virtual MFA devices, the serial number is the device ARN" (IAM API Reference, MFADevice),
 *   arn:aws:iam::ACCOUNT:mfa/NAME;
 * - FIDO security key: also an ARN, of the u2f resource type (GetMFADevice: "we only accept FIDO security key
 *   ARNs"; CloudTrail sign-in records show MFAIdentifier arn:aws:iam::ACCOUNT:u2f/user/NAME/…);
 * - hardware TOTP token: the token's own serial number, not an ARN.
 */
export function mfaKind(serial: string): MfaKind {
  if (/^arn:aws[a-z-]*:iam::\d{12}:u2f\//.test(serial)) return 'fido';
  if (/^arn:aws[a-z-]*:iam::\d{12}:mfa\//.test(serial)) return 'virtual';
  return 'hardware';
}

const KIND_LABEL: Record<MfaKind, string> = { virtual: 'virtual MFA', fido: 'FIDO security key', hardware: 'hardware TOTP token' };

/** An access key ID is not a secret, but the report shows only its last four characters anyway. */
export const maskKeyId = (id: string): string => (id.length > 4 ? `…${id.slice(-4)}` : id);

async function factsOf(ctx: DoctorContext, name: string): Promise<UserFacts> {
  const iam = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  const client = ctx.iam();
  const missing = (e: unknown) => errorName(e) === 'NoSuchEntityException' || errorName(e) === 'NoSuchEntity';
  let info: UserInfo | undefined;
  const exists = await attempt(ctx, 'iam:GetUser', async () => {
    try {
      const u = (await client.send(new iam.GetUserCommand({ UserName: name }))).User;
      info = {
        created: u?.CreateDate ? new Date(u.CreateDate) : undefined,
        passwordLastUsed: u?.PasswordLastUsed ? new Date(u.PasswordLastUsed) : undefined,
        tags: Object.fromEntries((u?.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
      };
      return true;
    } catch (e) {
      if (missing(e)) return false;
      throw e;
    }
  });
  if (exists.ok && !exists.value) {
    const gone = { ok: false, error: `user ${name} does not exist`, refused: false } as const;
    return { name, exists, mfa: gone, password: gone, accessKeys: gone };
  }
  const [mfa, password, accessKeys] = await Promise.all([
    attempt(ctx, 'iam:ListMFADevices', async () => {
      const out: MfaDevice[] = [];
      for await (const page of iam.paginateListMFADevices({ client }, { UserName: name })) {
        for (const d of page.MFADevices ?? []) {
          if (d.SerialNumber) out.push({ serial: d.SerialNumber, kind: mfaKind(d.SerialNumber), ...(d.EnableDate ? { enabled: new Date(d.EnableDate) } : {}) });
        }
      }
      return out;
    }),
    attempt(ctx, 'iam:GetLoginProfile', async () => {
      try {
        const r = await client.send(new iam.GetLoginProfileCommand({ UserName: name }));
        return r.LoginProfile?.CreateDate ? { created: new Date(r.LoginProfile.CreateDate) } : null;
      } catch (e) {
        // "NoSuchEntity: the user has no password" (IAM API Reference, GetLoginProfile errors).
        if (missing(e)) return null;
        throw e;
      }
    }),
    attempt(ctx, 'iam:ListAccessKeys', async () => {
      const out: AccessKey[] = [];
      for await (const page of iam.paginateListAccessKeys({ client }, { UserName: name })) {
        for (const k of page.AccessKeyMetadata ?? []) out.push({ id: k.AccessKeyId ?? '?', status: k.Status ?? '?' });
      }
      // Keys should never exist; when one does, when it was last used counts as a use of the user (reseal, doctor).
      return Promise.all(out.map(async (k): Promise<AccessKey> => {
        const used = await attempt(ctx, 'iam:GetAccessKeyLastUsed', () => client.send(new iam.GetAccessKeyLastUsedCommand({ AccessKeyId: k.id })));
        if (!used.ok) return { ...k, lastUsedError: used.error };
        const at = used.value.AccessKeyLastUsed?.LastUsedDate;
        return at ? { ...k, lastUsed: new Date(at) } : k;
      }));
    }),
  ]);
  return { name, exists, info, mfa, password, accessKeys };
}

/** Facts of every configured user, fetched once per run, users in parallel within the limit. */
export function userFacts(ctx: DoctorContext): Promise<UserFacts[]> {
  return ctx.once('users', () => mapLimit(ctx.config.users.map((u) => u.name), ctx.concurrency, (n) => factsOf(ctx, n)));
}

const SECURITY = 'the security account';

/** Shared shape: per user a verdict; errors make the check fail (we could not confirm the door works). */
function judge(facts: UserFacts[], per: (u: UserFacts) => { bad?: string; warn?: string; ok?: string; error?: string }, fixes: { bad: string; warn?: string }): Finding {
  const bad: string[] = []; const warns: string[] = []; const ok: string[] = []; const errors: string[] = [];
  for (const u of facts) {
    const v = per(u);
    if (v.error) errors.push(v.error);
    else if (v.bad) bad.push(v.bad);
    else if (v.warn) warns.push(v.warn);
    else if (v.ok) ok.push(v.ok);
  }
  const detail = [...bad, ...errors, ...warns, ...ok].join('; ');
  if (bad.length || errors.length) return fail(detail, bad.length ? fixes.bad : 'give the credentials the IAM read permissions named above, then run again');
  if (warns.length) return warn(detail, fixes.warn ?? null);
  return pass(detail);
}

const unknown = (u: UserFacts, o: Outcome<unknown>): string | undefined =>
  (!u.exists.ok ? `${u.name}: ${u.exists.error}` : !o.ok ? `${u.name}: ${o.error}` : undefined);

export const usersExistCheck: Check = {
  id: 'users-exist', title: 'Break-glass users exist', action: 'iam:GetUser',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, SECURITY);
    if (guard) return guard;
    return judge(await userFacts(ctx), (u) => (!u.exists.ok ? { error: `${u.name}: ${u.exists.error}` }
      : u.exists.value ? { ok: `${u.name} exists` } : { bad: `${u.name} does not exist` }),
    { bad: `deploy the security stack (breakglass synth, then cdk deploy) in account ${ctx.config.securityAccount.accountId}` });
  },
};

export const usersMfaCheck: Check = {
  id: 'users-mfa', title: 'Every break-glass user has an MFA device', action: 'iam:ListMFADevices',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, SECURITY);
    if (guard) return guard;
    return judge(await userFacts(ctx), (u) => {
      if (u.exists.ok && !u.exists.value) return { bad: `${u.name} does not exist` };
      const e = unknown(u, u.mfa); if (e) return { error: e };
      const devices = (u.mfa as { value: MfaDevice[] }).value;
      if (devices.length === 0) return { bad: `${u.name} has no MFA device` };
      return { ok: `${u.name}: ${devices.map((d) => KIND_LABEL[d.kind]).join(', ')}` };
    }, { bad: 'an administrator enrols the device, before the user has a password (IAM console, user, Security credentials, Assign MFA device; for the CLI path a TOTP device): the users cannot enrol one themselves, and without MFA they can do nothing; see README "After deployment"' });
  },
};

export const usersPasswordCheck: Check = {
  id: 'users-password', title: 'Every break-glass user has a console password', action: 'iam:GetLoginProfile',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, SECURITY);
    if (guard) return guard;
    return judge(await userFacts(ctx), (u) => {
      if (u.exists.ok && !u.exists.value) return { bad: `${u.name} does not exist` };
      const e = unknown(u, u.password); if (e) return { error: e };
      return (u.password as { value: unknown }).value ? { ok: `${u.name} has a password` } : { bad: `${u.name} has no console password` };
    }, { bad: 'once the MFA device is enrolled, set a password out of band (aws iam create-login-profile --user-name NAME, without --password-reset-required: a forced reset at sign-in would need ChangePassword without MFA, which the users are denied); the holder then signs in with MFA, changes it under Security credentials and seals it in the vault; see README "After deployment"' });
  },
};

export const usersAccessKeysCheck: Check = {
  id: 'users-access-keys', title: 'No break-glass user has access keys', action: 'iam:ListAccessKeys',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, SECURITY);
    if (guard) return guard;
    return judge(await userFacts(ctx), (u) => {
      if (u.exists.ok && !u.exists.value) return { ok: `${u.name} does not exist` };
      const e = unknown(u, u.accessKeys); if (e) return { error: e };
      const keys = (u.accessKeys as { value: AccessKey[] }).value;
      // An inactive key can be re-activated by anyone allowed iam:UpdateAccessKey: still a key to remove.
      return keys.length ? { bad: `${u.name} has ${plural(keys.length, 'access key')} (${keys.map((k) => `${maskKeyId(k.id)} ${k.status}`).join(', ')})` } : { ok: `${u.name}: none` };
    }, { bad: 'delete the keys (aws iam delete-access-key --user-name NAME --access-key-id ID): break-glass users sign in to the console with password and MFA only; long-term keys bypass the MFA sign-in' });
  },
};

/**
 * Password age. The date used is the login profile's CreateDate, "the date when the password for the user was
 * created" (IAM API Reference, LoginProfile), from GetLoginProfile, the call already made for users-password.
 * Not GetUser's PasswordLastUsed: that is the last sign-in, not when the password was set. CreateDate does not
 * move when the password is changed in place (UpdateLoginProfile, ChangePassword), so the age shown is an upper
 * bound: the check may ask for a rotation that already happened, never the reverse. The credential report's
 * password_last_changed would be exact but needs a report generation round trip.
 */
export function passwordAgeDays(created: Date, now: Date): number {
  return Math.floor((now.getTime() - created.getTime()) / 86_400_000);
}

export const usersPasswordAgeCheck: Check = {
  id: 'users-password-age', title: 'Break-glass passwords are not older than doctor.passwordMaxAgeDays', action: 'iam:GetLoginProfile',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, SECURITY);
    if (guard) return guard;
    const max = ctx.config.doctor.passwordMaxAgeDays;
    const now = ctx.now();
    const facts = await userFacts(ctx);
    const f = judge(facts, (u) => {
      if (u.exists.ok && !u.exists.value) return { ok: `${u.name} does not exist` };
      const e = unknown(u, u.password); if (e) return { error: e };
      const p = (u.password as { value: { created: Date } | null }).value;
      if (!p) return { ok: `${u.name} has no password` };
      const days = passwordAgeDays(p.created, now);
      return days > max ? { warn: `${u.name}: password set ${days} days ago (limit ${max})` } : { ok: `${u.name}: ${days} days` };
    }, { bad: '', warn: `rotate the password (delete and re-create the login profile without --password-reset-required, so its CreateDate moves; the holder then signs in with MFA and changes it) and re-seal it; rotate after every use and at least every ${max} days` });
    return f;
  },
};

export const USER_CHECKS: readonly Check[] = [usersExistCheck, usersMfaCheck, usersPasswordCheck, usersAccessKeysCheck, usersPasswordAgeCheck];
