/** Shared pieces of the `breakglass links` tests: a config writer and the documented JSON shape. */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';

export interface ConfigParams {
  readonly security: string;
  readonly management: string;
  readonly ous?: readonly string[];
  readonly accounts?: readonly string[];
  readonly includeManagementAccount?: boolean;
  readonly roleName?: string;
  readonly accountNames?: Readonly<Record<string, string>>;
  readonly organizationId?: string;
}

export function writeConfig(file: string, p: ConfigParams): string {
  const names = Object.entries(p.accountNames ?? {});
  writeFileSync(file, [
    'securityAccount:',
    `  accountId: "${p.security}"`,
    'organization:',
    `  managementAccountId: "${p.management}"`,
    ...(p.organizationId ? [`  id: ${p.organizationId}`] : []),
    `  includeManagementAccount: ${p.includeManagementAccount ?? true}`,
    '  targets:',
    `    organizationalUnits: ${JSON.stringify(p.ous ?? [])}`,
    `    accounts: ${JSON.stringify(p.accounts ?? [])}`,
    'users:',
    '  - name: BreakGlassUser1',
    '  - name: BreakGlassUser2',
    'role:',
    `  name: ${p.roleName ?? 'BreakGlassRole'}`,
    'alerts:',
    '  emails: ["security-alerts@example.com"]',
    ...(names.length ? ['  accountNames:', ...names.map(([id, n]) => `    "${id}": ${JSON.stringify(n)}`)] : []),
    '',
  ].join('\n'));
  return file;
}

const accountId = z.string().regex(/^\d{12}$/);

/** The documented JSON document of `breakglass links --format json` (schemaVersion 1), strict: no unknown keys. */
export const linksJsonSchema = z.strictObject({
  schemaVersion: z.literal(1),
  signInUrl: z.string().regex(/^https:\/\/\d{12}\.signin\.aws\.amazon\.com\/console$/),
  securityAccountId: accountId,
  roleName: z.string().min(1),
  offline: z.boolean(),
  generatedAt: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
  config: z.string(),
  notes: z.array(z.string()),
  accounts: z.array(z.strictObject({
    id: accountId,
    name: z.string(),
    email: z.string().optional(),
    roleArn: z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/),
    switchRoleUrl: z.string().startsWith('https://signin.aws.amazon.com/switchrole?'),
    kind: z.enum(['management', 'security']).optional(),
  })),
});

/** The query parameters of a switch-role URL, decoded. */
export function switchParams(url: string): Record<string, string> {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname, ...Object.fromEntries(u.searchParams) };
}
