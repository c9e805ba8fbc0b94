/**
 * `breakglass reseal` as a function over injected contexts and an injected prompt (so it runs without a TTY in tests):
 *
 *   who (security account?) -> read (users, revocation places, previous seal records) -> evaluate
 *     -> every check passed, or each exception accepted at the terminal (--yes) -> tag each user -> the record
 *
 * Nothing is written to AWS unless every check of every used user passed or was accepted. The record is written by
 * the caller (the CLI), after the tags, so it says which tags were written.
 */
import type { BreakglassConfig } from '../config/schema';
import { tagTime, SEAL_TAG } from '../drill/cadence';
import { recordId } from '../drill/record';
import type { DrillPrompt } from '../drill/run';
import { describeAwsError } from '../aws/errors';
import { escapeControls } from '../detection/escape';
import { userFacts } from '../doctor/checks/users';
import type { DoctorContext } from '../doctor/types';
import type { AuditEvidence } from './audit-file';
import { CHECK_TITLES, evaluate, type PreviousSeal, type UserVerdict } from './evaluate';
import { type SealedCheck, type SealRecord, findPreviousSeal } from './record';
import { readRevocations, type RevocationContexts, type RevocationPlace } from './revocation';
import { tagDates, utc } from './usage';

export interface ResealInput {
  readonly config: BreakglassConfig;
  readonly configFile: string;
  readonly audit?: AuditEvidence;
  /** Where seal records are (previous ones are looked up here) and go. */
  readonly outDir: string;
  /** Accept exceptions one by one at the prompt. */
  readonly yes: boolean;
}

export interface ResealDeps {
  readonly contexts: RevocationContexts;
  /** The operator's terminal; undefined when there is none (exceptions cannot be accepted then). */
  readonly prompt?: DrillPrompt;
  readonly now: () => Date;
}

/** An AWS problem, already one line (exit 3). */
export class ResealAwsError extends Error {
  constructor(message: string) { super(message); this.name = 'ResealAwsError'; }
}

export type ResealResult =
  | { readonly kind: 'nothing'; readonly verdicts: UserVerdict[] }
  /** Checks failed and were not (all) accepted: one line per failing check. Nothing was written. */
  | { readonly kind: 'refused'; readonly lines: string[]; readonly why: string; readonly verdicts: UserVerdict[] }
  | { readonly kind: 'sealed'; readonly record: SealRecord; readonly tagErrors: string[] };

/** "BreakGlassUser1: mfa-unchanged: <detail>" */
export const failureLine = (user: string, id: string, detail: string) => `${user}: ${id}: ${escapeControls(detail)}`;

/** Reads everything the verdicts need (bounded by the caller's deadline). */
export async function readState(input: ResealInput, deps: ResealDeps): Promise<{ verdicts: UserVerdict[]; revocations: RevocationPlace[]; operatorArn: string }> {
  const sec = deps.contexts.security;
  const c = input.config;
  let who;
  try {
    who = await sec.caller();
  } catch (e) {
    throw new ResealAwsError(describeAwsError(e, { action: 'sts:GetCallerIdentity', profile: sec.profile }));
  }
  if (who.account !== c.securityAccount.accountId) {
    throw new ResealAwsError(`these credentials are for account ${who.account}, but the break-glass users are in the security account ${c.securityAccount.accountId}; use ${deps.contexts.options.security} with credentials of that account`);
  }
  const facts = await userFacts(sec);
  const errors = facts.flatMap((f) => [f.exists, f.mfa, f.password, f.accessKeys].filter((o) => !o.ok && !(f.exists.ok && !f.exists.value)).map((o) => `${f.name}: ${(o as { error: string }).error}`));
  const keyErrors = facts.flatMap((f) => (f.accessKeys.ok ? f.accessKeys.value.filter((k) => k.lastUsedError).map((k) => `${f.name}: ${k.lastUsedError}`) : []));
  if (errors.length || keyErrors.length) throw new ResealAwsError([...new Set([...errors, ...keyErrors])].join('; '));

  const previous = new Map<string, PreviousSeal | undefined>();
  for (const f of facts) {
    const at = tagDates(f).sealedAt;
    if (at) previous.set(f.name, findPreviousSeal(input.outDir, at, f.name));
  }
  // The revocation places are read only when someone was used (they may need other accounts' credentials).
  const first = evaluate({ config: c, facts, audit: input.audit, revocations: [], previous });
  const revocations = first.some((v) => v.used) ? await readRevocations(c, deps.contexts) : [];
  const verdicts = revocations.length ? evaluate({ config: c, facts, audit: input.audit, revocations, previous }) : first;
  return { verdicts, revocations, operatorArn: who.arn };
}

/** Decides and acts: asks about exceptions, tags, and builds the record. */
export async function reseal(input: ResealInput, deps: ResealDeps, state: Awaited<ReturnType<typeof readState>>): Promise<ResealResult> {
  const { verdicts, revocations, operatorArn } = state;
  const used = verdicts.filter((v) => v.used);
  if (used.length === 0) return { kind: 'nothing', verdicts };

  const failing = used.flatMap((v) => v.checks.filter((ch) => ch.status !== 'pass').map((ch) => ({ v, ch })));
  const lines = failing.map(({ v, ch }) => failureLine(v.name, ch.id, ch.status === 'unknown' ? `unknown: ${ch.detail}` : ch.detail));
  const accepted = new Map<string, { reason: string; at: string }>();
  if (failing.length) {
    if (!input.yes) return { kind: 'refused', lines, verdicts, why: `not sealed: ${failing.length} check${failing.length === 1 ? '' : 's'} did not pass; fix them, or run again with --yes at a terminal to accept each exception with a reason` };
    if (!deps.prompt) return { kind: 'refused', lines, verdicts, why: 'not sealed: exceptions can only be accepted at a terminal (--yes needs an interactive stdin)' };
    const never = new AbortController().signal;
    for (const [i, { v, ch }] of failing.entries()) {
      deps.prompt.say(`Exception ${i + 1}/${failing.length}: ${lines[i]}`);
      const answer = await deps.prompt.ask('Accept it? Type "accept" and the reason (recorded in the seal record), or just Enter to refuse: ', never);
      const m = /^\s*accept\s+(\S.*?)\s*$/i.exec(answer ?? '');
      if (!m) {
        return { kind: 'refused', lines, verdicts, why: `not sealed: ${v.name}: ${ch.id} was not accepted${answer === undefined ? ' (input ended)' : ''}` };
      }
      accepted.set(`${v.name}\u0000${ch.id}`, { reason: escapeControls(m[1]!).slice(0, 500), at: deps.now().toISOString() });
    }
  }

  const sealedAt = deps.now();
  const value = tagTime(sealedAt);
  const tagErrors: string[] = [];
  const iam = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  const tags = new Map<string, { written: boolean; error?: string }>();
  for (const v of used) {
    try {
      // TagUser replaces the value of a key the user already has (IAM API Reference, TagUser).
      await deps.contexts.security.iam().send(new iam.TagUserCommand({ UserName: v.name, Tags: [{ Key: SEAL_TAG, Value: value }] }));
      tags.set(v.name, { written: true });
    } catch (e) {
      const error = describeAwsError(e, { action: 'iam:TagUser', profile: deps.contexts.security.profile });
      tags.set(v.name, { written: false, error });
      tagErrors.push(`${v.name}: seal tag not written (${error}); the record is the evidence; add the tag by hand: aws iam tag-user --user-name ${v.name} --tags Key=${SEAL_TAG},Value=${value}`);
    }
  }

  const a = input.audit;
  const record: SealRecord = {
    schemaVersion: 1,
    kind: 'breakglass-seal',
    id: recordId(sealedAt),
    sealedAt: value,
    operatorArn,
    configFile: input.configFile,
    securityAccountId: input.config.securityAccount.accountId,
    audit: a ? { file: a.file, sha256: a.sha256, generatedAt: a.generatedAt.toISOString(), from: a.from?.toISOString() ?? null, to: a.to?.toISOString() ?? null, sessions: a.sessionCount } : null,
    revocation: revocations.map((p) => ({ where: p.where, ...(p.value !== undefined ? { value: p.value } : {}), ...(p.problem ? { problem: p.problem } : {}) })),
    users: used.map((v) => ({
      name: v.name,
      lastUse: v.lastUse!.toISOString(),
      lastUseFrom: v.lastUseFrom,
      previousSeal: v.previousSeal ? tagTime(v.previousSeal) : null,
      checks: v.checks.map((ch): SealedCheck => {
        const acc = accepted.get(`${v.name}\u0000${ch.id}`);
        return { id: ch.id, title: CHECK_TITLES[ch.id], status: ch.status, detail: ch.detail, ...(acc ? { accepted: acc } : {}) };
      }),
      mfaDevices: v.mfaDevices.map((d) => ({ serial: d.serial, kind: d.kind, enabledAt: d.enabled ? d.enabled.toISOString() : null })),
      tag: { key: SEAL_TAG, value, ...tags.get(v.name)! },
    })),
    notResealed: verdicts.filter((v) => !v.used).map((v) => ({ name: v.name, note: v.note ?? 'not used' })),
  };
  return { kind: 'sealed', record, tagErrors };
}

/** One line per user for stderr: why a user is or is not part of this seal. */
export function verdictNote(v: UserVerdict): string {
  return v.used ? `${v.name}: used ${utc(v.lastUse!)} (${v.lastUseFrom.join(', ')})` : `${v.name}: ${v.note}`;
}
