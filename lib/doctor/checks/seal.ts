/**
 * Two warnings about the break-glass users' life between emergencies, from the facts users.ts already reads (GetUser
 * PasswordLastUsed and tags, GetLoginProfile, GetAccessKeyLastUsed): no extra AWS call.
 *
 * - users-resealed: a user used after its last seal (tag SEAL_TAG, written by `breakglass reseal`) is not resealed:
 *   its password was known to whoever used it, and the use has not been reviewed. Warns "<user>: used since <date>,
 *   not resealed" until the seal tag is later than the last use.
 * - users-drill-cadence: a password nobody has used (or drilled, tag DRILL_TAG, written by a passed `breakglass drill`)
 *   for DRILL_INTERVAL_DAYS is one nobody knows still works, and Security Hub IAM.22 flags it (lib/drill/cadence.ts).
 *
 * Both only warn: the door still opens. The tags are pointers to the seal and drill records, which are the evidence:
 * anyone allowed iam:TagUser in the security account could write them (the guardrail SCP does not refuse TagUser).
 */
import { DRILL_INTERVAL_DAYS, daysBetween, nextDrillDue } from '../../drill/cadence';
import { iamUse, latest, tagDates, utc } from '../../reseal/usage';
import type { Check, Finding } from '../types';
import { pass, warn, wrongAccount } from './common';
import { userFacts, type UserFacts } from './users';

type Verdict = { warn?: string; ok?: string; note?: string };

function fold(facts: readonly UserFacts[], per: (u: UserFacts) => Verdict, fix: string): Finding {
  const warns: string[] = []; const ok: string[] = []; const notes: string[] = [];
  for (const u of facts) {
    const v = per(u);
    if (v.warn) warns.push(v.warn);
    else if (v.note) notes.push(v.note);
    else if (v.ok) ok.push(v.ok);
  }
  const detail = [...warns, ...notes, ...ok].join('; ');
  return warns.length || notes.length ? warn(detail, fix) : pass(detail);
}

/** Why a user's facts cannot be judged here (missing user, unreadable GetUser); those are other checks' failures. */
function unreadable(u: UserFacts): string | undefined {
  if (!u.exists.ok) return `${u.name}: not checked (${u.exists.error})`;
  if (!u.exists.value) return `${u.name}: does not exist`;
  return undefined;
}

/** Pure: the users-resealed finding (exported for the golden test). */
export function resealFinding(facts: readonly UserFacts[], configFile = '<config>'): Finding {
  return fold(facts, (u) => {
    const bad = unreadable(u);
    if (bad) return u.exists.ok && !u.exists.value ? { ok: bad } : { note: bad };
    const use = iamUse(u);
    const tags = tagDates(u);
    const keyNote = u.accessKeys.ok && u.accessKeys.value.some((k) => k.lastUsedError) ? ' (an access key\'s last use could not be read)' : '';
    const sealed = tags.sealedAt ? `last seal ${utc(tags.sealedAt)}` : tags.sealUnreadable !== undefined ? `seal tag ${JSON.stringify(tags.sealUnreadable.slice(0, 40))} is not a time` : 'never sealed';
    if (!use.last) return { ok: `${u.name}: never used${keyNote}` };
    if (tags.sealedAt && tags.sealedAt > use.last) return { ok: `${u.name}: sealed ${utc(tags.sealedAt)}, after its last use ${utc(use.last)}${keyNote}` };
    return { warn: `${u.name}: used since ${utc(use.last)}, not resealed (${use.lastFrom}; ${sealed})${keyNote}` };
  }, `rotate the password, revoke the sessions and audit the use, then record the seal: breakglass reseal --config ${configFile} --audit AUDIT.json (docs/runbook.md, "After use (re-sealing)")`);
}

/** Pure: the users-drill-cadence finding at `now` (exported for the golden test). */
export function drillFinding(facts: readonly UserFacts[], now: Date, configFile = '<config>'): Finding {
  return fold(facts, (u) => {
    const bad = unreadable(u);
    if (bad) return u.exists.ok && !u.exists.value ? { ok: bad } : { note: bad };
    if (u.password.ok && u.password.value === null) return { ok: `${u.name}: no console password (see users-password)` };
    const used = u.info?.passwordLastUsed;
    const tags = tagDates(u);
    const last = latest([used, tags.drilledAt]);
    let what: string;
    let since: Date | undefined;
    if (last) {
      since = last;
      what = tags.drilledAt && last.getTime() === tags.drilledAt.getTime() ? `last drilled ${utc(last)}` : `password last used ${utc(last)}`;
    } else {
      // Never used nor drilled: the clock starts when the password was set (else when the user was created).
      since = u.password.ok && u.password.value ? u.password.value.created : u.info?.created;
      what = since ? `never used or drilled since its password was set ${utc(since)}` : 'never used or drilled';
    }
    const due = nextDrillDue(since, now);
    if (due <= now) {
      const age = since ? `, ${daysBetween(since, now)} days ago` : '';
      return { warn: `${u.name}: ${what}${age}; a drill was due ${utc(due)}` };
    }
    return { ok: `${u.name}: ${what}; next drill due ${utc(due)}` };
  }, `run a drill (breakglass drill --config ${configFile}): a passed drill records its date on the user (tag breakglass:last-drill), keeps the credentials in use for Security Hub IAM.22 (${DRILL_INTERVAL_DAYS} days) and proves they still work; docs/runbook.md, "Drills"`);
}

const SECURITY = 'the security account';

export const usersResealedCheck: Check = {
  id: 'users-resealed', title: 'Break-glass users used since their last seal are resealed', action: 'iam:GetUser',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, SECURITY);
    if (guard) return guard;
    return resealFinding(await userFacts(ctx), ctx.configFile);
  },
};

export const usersDrillCadenceCheck: Check = {
  id: 'users-drill-cadence', title: `Break-glass passwords were used or drilled in the last ${DRILL_INTERVAL_DAYS} days`, action: 'iam:GetUser',
  async run(ctx) {
    const guard = await wrongAccount(ctx, ctx.config.securityAccount.accountId, SECURITY);
    if (guard) return guard;
    return drillFinding(await userFacts(ctx), ctx.now(), ctx.configFile);
  },
};

export const SEAL_CHECKS: readonly Check[] = [usersResealedCheck, usersDrillCadenceCheck];
