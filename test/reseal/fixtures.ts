/**
 * Facts and audit documents for the reseal tests, written by us: UserFacts as lib/doctor/checks/users.ts builds them
 * from IAM answers, and audit documents of the shape `breakglass audit --format json` prints (schema 1, docs/audit.md).
 * Accounts and names are those of examples/breakglass.config.yaml (security account 222222222222).
 */
import type { AccessKey, MfaDevice, UserFacts } from '../../lib/doctor/checks/users';
import { mfaKind } from '../../lib/doctor/checks/users';
import { SEAL_TAG } from '../../lib/drill/cadence';
import { parseAudit, type AuditEvidence } from '../../lib/reseal/audit-file';

export const S = '222222222222';
export const U1 = 'BreakGlassUser1';
export const U2 = 'BreakGlassUser2';
export const at = (iso: string) => new Date(iso);
const ok = <T>(value: T) => ({ ok: true as const, value });

export interface FactsSpec {
  readonly name?: string;
  readonly passwordLastUsed?: string;
  readonly tags?: Record<string, string>;
  readonly sealedAt?: string;
  /** null: no login profile. */
  readonly profileCreated?: string | null;
  readonly mfa?: Array<{ serial: string; enabled?: string }>;
  readonly keys?: AccessKey[];
  readonly missing?: boolean;
}

export function facts(o: FactsSpec = {}): UserFacts {
  const name = o.name ?? U1;
  if (o.missing) {
    const gone = { ok: false as const, error: `user ${name} does not exist`, refused: false };
    return { name, exists: ok(false), mfa: gone, password: gone, accessKeys: gone };
  }
  const mfa: MfaDevice[] = (o.mfa ?? [{ serial: 'GAHT12345678', enabled: '2026-01-10T09:00:00Z' }])
    .map((d) => ({ serial: d.serial, kind: mfaKind(d.serial), ...(d.enabled ? { enabled: at(d.enabled) } : {}) }));
  return {
    name,
    exists: ok(true),
    info: {
      created: at('2026-01-10T08:00:00Z'),
      ...(o.passwordLastUsed ? { passwordLastUsed: at(o.passwordLastUsed) } : {}),
      tags: { 'breakglass:managed-by': 'breakglass', ...(o.sealedAt ? { [SEAL_TAG]: o.sealedAt } : {}), ...o.tags },
    },
    mfa: ok(mfa),
    password: ok(o.profileCreated === null ? null : { created: at(o.profileCreated ?? '2026-01-10T09:30:00Z') }),
    accessKeys: ok(o.keys ?? []),
  };
}

export interface SessionSpec {
  readonly user?: string;
  readonly kind?: 'console' | 'cli';
  readonly start: string;
  readonly end: string;
  readonly signIn?: string | null;
  readonly roleSessions?: string[];
  readonly changePassword?: string[];
  readonly deniedChangePassword?: string[];
}

/** An audit document (the JSON text `breakglass audit --format json` writes), parsed as reseal reads it. */
export function auditDoc(o: { sessions: SessionSpec[]; generatedAt?: string; from?: string | null; to?: string | null; user?: string | null; account?: string; users?: string[] }): object {
  return {
    schemaVersion: 1,
    generatedAt: o.generatedAt ?? '2026-11-24T12:00:00Z',
    config: 'breakglass.config.yaml',
    source: 'files',
    input: '12 files in 1 directory',
    range: { from: o.from ?? null, to: o.to ?? null },
    user: o.user ?? null,
    scope: { securityAccountId: o.account ?? S, users: o.users ?? [U1, U2], roleName: 'BreakGlassRole', accountNames: {} },
    summary: { sessions: o.sessions.length, attempts: 0, unlinked: 0, events: 0, accounts: 1, writes: 0, denied: 0 },
    sessions: o.sessions.map((s, i) => ({
      id: `${s.user ?? U1}-${i}`,
      user: s.user ?? U1,
      kind: s.kind ?? 'console',
      start: s.start,
      end: s.end,
      durationSeconds: (Date.parse(s.end) - Date.parse(s.start)) / 1000,
      accounts: [S],
      ...(s.signIn === null || (s.kind ?? 'console') === 'cli' ? {} : { signIn: { eventID: `e-signin-${i}`, time: s.signIn ?? s.start, region: 'eu-west-1', mfaUsed: 'Yes' } }),
      sourceIPs: ['198.51.100.7'],
      roleSessions: (s.roleSessions ?? []).map((t, j) => ({ id: `r${j + 1}`, account: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/BreakGlassRole', via: 'AssumeRole', start: t })),
      accountSummaries: [],
      changes: [],
      writes: 0,
      denied: 0,
      events: [
        ...(s.changePassword ?? []).map((t, j) => ({ eventID: `e-cp-${i}-${j}`, time: t, account: S, region: 'us-east-1', eventSource: 'iam.amazonaws.com', eventName: 'ChangePassword', readOnly: false, errorCode: null, write: true, denied: false, principal: `arn:aws:iam::${S}:user/${s.user ?? U1}`, link: 'user session (creationDate)' })),
        ...(s.deniedChangePassword ?? []).map((t, j) => ({ eventID: `e-cpd-${i}-${j}`, time: t, account: S, region: 'us-east-1', eventSource: 'iam.amazonaws.com', eventName: 'ChangePassword', readOnly: false, errorCode: 'AccessDenied', write: false, denied: true, principal: `arn:aws:iam::${S}:user/${s.user ?? U1}`, link: 'user session (creationDate)' })),
      ],
      notes: [],
    })),
    attempts: [],
    unlinked: [],
  };
}

export function audit(o: Parameters<typeof auditDoc>[0], file = 'audit.json'): AuditEvidence {
  return parseAudit(JSON.stringify(auditDoc(o), null, 2), file);
}
