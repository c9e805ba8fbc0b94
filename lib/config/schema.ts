/**
 * The configuration contract: one zod schema from which the TypeScript types (`BreakglassConfig`) and the
 * editor JSON Schema (schema/breakglass.config.schema.json, `npm run schema`) are generated.
 * Every object is strict: an unknown key is almost always a typo in a security setting, so it is refused.
 * Each `.describe()` is one line: it is shown by editors and becomes the comment of examples/breakglass.reference.yaml.
 */
import { z } from 'zod';
import { managedPolicyProblem } from './managed-policies';
import { DEFAULT_ENABLED_REGIONS, KNOWN_REGIONS, regionProblem } from './regions';
import {
  alertsProblems, crossSectionProblems, organizationProblems, regionsProblems, roleProblems, serviceControlPolicyProblems,
  type ConfigProblem,
} from './semantic';

const accountId = z
  .string({ error: (iss) => (typeof iss.input === 'number'
    ? 'expected a quoted 12-digit account ID string; YAML read a number, which loses leading zeros (write it in quotes, e.g. "012345678901")'
    : 'expected a 12-digit account ID string') })
  .regex(/^\d{12}$/, { error: 'expected exactly 12 digits, e.g. "222222222222"' });

// An enum, so editors complete region names from the JSON Schema; anything else gets one line saying why (regions.ts).
const region = z.enum(KNOWN_REGIONS as [string, ...string[]], { error: (iss) => regionProblem(iss.input) });

// IAM user and role names: 1-64 characters of [\w+=,.@-] (IAM API reference, CreateUser/CreateRole UserName/RoleName).
const iamName = (max: number) => z.string()
  .regex(/^[\w+=,.@-]+$/, { error: 'expected only letters, digits and + = , . @ _ -' })
  .min(1).max(max, { error: `expected at most ${max} characters` });

const ouId = z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, {
  error: 'expected an organization root ID ("r-ab12") or OU ID ("ou-ab12-abcd1234")',
});

const email = z.email({ error: 'expected an email address' });

const httpsUrl = z.url({ protocol: /^https$/, error: 'expected an https:// URL' });

/** An AWS managed policy by name ("ReadOnlyAccess", "job-function/ViewOnlyAccess") or ARN, or a customer managed policy ARN. */
const managedPolicy = z.string().superRefine((value, ctx) => {
  const message = managedPolicyProblem(value);
  if (message) ctx.addIssue({ code: 'custom', message, input: value });
}).meta({ examples: ['IAMFullAccess', 'job-function/ViewOnlyAccess', 'arn:aws:iam::111122223333:policy/BreakGlassPermissions'] });

export const SEVERITIES = ['critical', 'high', 'medium', 'info'] as const;
const severity = z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` });

/** A paging endpoint (PagerDuty, Opsgenie, …) subscribed to the alert topic over HTTPS. */
const httpsChannel = z.union([
  httpsUrl.transform((url) => ({ url, minSeverity: 'critical' as const })),
  z.strictObject({
    url: httpsUrl.describe('HTTPS endpoint that receives the alert messages (the paging service\'s integration URL).'),
    minSeverity: severity.default('critical').describe('Lowest severity delivered (default critical: paging is for pages).'),
  }),
]);

// AWS Chatbot / Amazon Q Developer in chat applications identifiers (AWS::Chatbot::SlackChannelConfiguration,
// AWS::Chatbot::MicrosoftTeamsChannelConfiguration property patterns).
const slackChannel = z.strictObject({
  workspaceId: z.string().regex(/^[0-9A-Z]{1,255}$/, { error: 'expected the Slack workspace (team) ID, e.g. "T0123ABCD"' })
    .describe('Slack workspace (team) ID, as authorized in the AWS Chatbot console.'),
  channelId: z.string().regex(/^[A-Za-z0-9]+$/, { error: 'expected the Slack channel ID, e.g. "C0123ABCD"' })
    .describe('Slack channel ID (channel details, at the bottom).'),
  minSeverity: severity.default('info').describe('Lowest severity posted to this channel.'),
});
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'expected a GUID' });
const teamsChannel = z.strictObject({
  teamId: uuid.describe('Microsoft Teams team ID.'),
  tenantId: uuid.describe('Microsoft Entra tenant ID.'),
  channelId: z.string().min(1).max(256).describe('Teams channel ID (from the channel link).'),
  minSeverity: severity.default('info').describe('Lowest severity posted to this channel.'),
});

/**
 * Checks run once the data has the right types: no issue yet, or only issues from other checks (code "custom"),
 * which refuse a value but leave its type intact. So a section's checks, and the checks across sections, are
 * reported together with the schema problems elsewhere in the file.
 */
const typesValid = { when: (payload: { issues: ReadonlyArray<{ code?: string }> }) => payload.issues.every((i) => i.code === 'custom') };
/** Runs section checks (semantic.ts) inside the schema, so they are reported with every other problem. */
function report<T>(check: (value: T) => ConfigProblem[]) {
  return (value: T, ctx: z.RefinementCtx<T>) => {
    for (const p of check(value)) ctx.addIssue({ code: 'custom', path: [...p.path], message: p.message, input: undefined });
  };
}

export const alertsSchema = z.strictObject({
  emails: z.array(email).default([]).describe('Email subscribers of every alert and the heartbeat (each must confirm).'),
  https: z.array(httpsChannel).default([]).describe('HTTPS endpoints (paging services): a URL, or {url, minSeverity}.'),
  slack: z.array(slackChannel).default([]).describe('Slack channels through AWS Chatbot (the workspace must be authorized in the Chatbot console first).'),
  teams: z.array(teamsChannel).default([]).describe('Microsoft Teams channels through AWS Chatbot.'),
  operations: z.strictObject({
    emails: z.array(email).min(1).describe('Who is told when the alert path itself fails (alarms). Use people other than, or in addition to, the alert recipients.'),
  }).optional().describe('Second, independent delivery path for alarms on the alert path. Default: the alert emails.'),
  heartbeat: z.strictObject({
    enabled: z.boolean().default(true).describe('Send the scheduled heartbeat, so a broken alert path is noticed.'),
    schedule: z.string().regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, { error: 'expected an EventBridge schedule expression, e.g. "rate(7 days)" or "cron(0 9 ? * MON *)"' })
      .default('cron(0 9 ? * MON *)').describe('When the heartbeat travels the alert path (default: Mondays 09:00 UTC).'),
  }).default({ enabled: true, schedule: 'cron(0 9 ? * MON *)' }).describe('Periodic heartbeat through the whole alert path (event bus, topic, subscribers).'),
  deadLetterEncryption: z.enum(['kms', 'sqs-managed']).default('sqs-managed')
    .describe('Encryption of the forwarder dead-letter queues outside the home region of the security account (that one always uses the alert key): kms = a customer-managed key per account and region (about 1 USD per key per month), sqs-managed = SSE-SQS.'),
  accountNames: z.record(z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit account ID as key' }), z.string().min(1).max(128)).default({})
    .describe('Names shown next to account IDs in alert messages.'),
  runbookUrl: httpsUrl.optional().describe('Link to your break-glass runbook, printed in every alert.'),
});

export const userSchema = z.strictObject({
  name: iamName(64).describe('IAM user name. One user per person who may break the glass; AWS asks for at least two.'),
  description: z.string().max(256).optional().describe('Who holds this identity (tag only, never a secret).'),
});

export const organizationSchema = z.strictObject({
  managementAccountId: accountId.describe('Management account of the AWS Organization (its ID is quoted: a string).'),
  id: z.string().regex(/^o-[a-z0-9]{10,32}$/, { error: 'expected an organization ID such as "o-a1b2c3d4e5"' })
    .optional()
    .describe('Organization ID. Restricts the central bus to the organization (aws:PrincipalOrgID). If absent it is looked up at deploy time.'),
  deployFrom: z.enum(['management', 'delegated-admin']).default('management')
    .describe('Where the member StackSet is created: the management account, or a StackSets delegated administrator.'),
  delegatedAdminAccountId: accountId.optional().describe('Required when deployFrom is delegated-admin.'),
  includeManagementAccount: z.boolean().default(true)
    .describe('Service-managed StackSets never deploy to the management account; this adds a separate stack there.'),
  targets: z.strictObject({
    organizationalUnits: z.array(ouId).default([]).describe('Service-managed StackSet with auto-deployment to these OUs.'),
    accounts: z.array(accountId).default([]).describe('Self-managed StackSet to exactly these accounts (no trusted access needed).'),
  }).describe('Accounts that receive the break-glass role: OUs, accounts, or both (at least one).'),
});

export const regionsSchema = z.strictObject({
  enabled: z.array(region).min(1).default([...DEFAULT_ENABLED_REGIONS])
    .describe('Regions enabled in every account; the default is every region AWS enables by default.'),
  optIn: z.array(region).default([]).describe('Opt-in regions your organization enabled; they are watched as well.'),
});

export const roleSchema = z.strictObject({
  name: iamName(64).default('BreakGlassRole').describe('Name of the break-glass role created in every target account.'),
  managedPolicies: z.array(managedPolicy).min(1).default(['IAMFullAccess'])
    .describe('Permissions of the role. Presets: IAMFullAccess (reference default), AdministratorAccess, ReadOnlyAccess.'),
  maxSessionDuration: z.number().int().min(3600, { error: 'expected at least 3600 seconds (the IAM minimum)' })
    .max(43200, { error: 'expected at most 43200 seconds (12 hours, the IAM maximum)' }).default(3600)
    .describe('Longest role session in seconds (IAM allows 3600 to 43200).'),
  maxMfaAgeSeconds: z.number().int().min(60).max(129600).optional()
    .describe('If set, the trust policy also requires the MFA sign-in to be at most this old (aws:MultiFactorAuthAge).'),
  requireSessionNameIsUserName: z.boolean().default(true)
    .describe('Trust requires sts:RoleSessionName = the IAM user name, so every action in members names a person (the console sets it; the CLI passes --role-session-name).'),
});

export const serviceControlPolicySchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Create and attach the guardrail SCP (needs SCPs enabled in the organization).'),
  // One pattern, not a union of ouId and accountId, so a bad value gets one message naming all three forms.
  targets: z.array(z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/, { error: 'expected a root ID ("r-ab12"), OU ID ("ou-ab12-abcd1234") or quoted 12-digit account ID' }))
    .default([]).describe('Where the SCP is attached: the root, OUs or accounts. SCPs never restrict the management account.'),
});

const configShape = z.strictObject({
  securityAccount: z.strictObject({
    accountId: accountId.describe('Account that hosts the break-glass users, the central event bus and the alert topic.'),
    region: region.default('us-east-1').describe('Home region: central bus, topic and key live here.'),
  }).describe('The security (or audit) account that holds the break-glass users and receives every alert.'),
  organization: organizationSchema.superRefine(report(organizationProblems), typesValid)
    .describe('The AWS Organization and where the break-glass role is deployed.'),
  regions: regionsSchema.superRefine(report(regionsProblems), typesValid).default({ enabled: [...DEFAULT_ENABLED_REGIONS], optIn: [] })
    .describe('Regions watched for break-glass use in every account (sign-in and STS events are recorded per region).'),
  users: z.array(userSchema).min(1, { error: 'expected at least one break-glass user (AWS recommends two)' })
    .superRefine((users, ctx) => {
      // IAM user names are case-insensitive: "Bob" and "bob" cannot coexist (IAM user guide, "IAM identifiers").
      // Checked here, not in semantic.ts, so it is reported together with any other shape problem.
      const seen = new Map<string, number>();
      users.forEach((u, i) => {
        const first = seen.get(u.name.toLowerCase());
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate user "${u.name}" (same as users[${first}]; IAM names are case-insensitive)` });
        else seen.set(u.name.toLowerCase(), i);
      });
    })
    .describe('Break-glass IAM users in the security account (console password and MFA, no access keys).'),
  role: roleSchema.superRefine(report(roleProblems), typesValid)
    .default({ name: 'BreakGlassRole', managedPolicies: ['IAMFullAccess'], maxSessionDuration: 3600, requireSessionNameIsUserName: true })
    .describe('The role the break-glass users assume in every target account.'),
  alerts: alertsSchema.superRefine(report(alertsProblems), typesValid)
    .describe('Who is alerted when the glass is broken, and how.'),
  cloudTrail: z.strictObject({
    mode: z.enum(['create', 'existing-organization-trail']).default('create')
      .describe('create: an organization trail (read and write management events) from the management account, logging every account. existing-organization-trail: one already does.'),
  }).default({ mode: 'create' }).describe('CloudTrail must record management events for the alert rules to see them.'),
  guardrails: z.strictObject({
    serviceControlPolicy: serviceControlPolicySchema.superRefine(report(serviceControlPolicyProblems), typesValid).default({ enabled: false, targets: [] })
      .describe('A service control policy that denies changes to the break-glass role and the alerting resources except by the deployment\'s own roles.'),
  }).default({ serviceControlPolicy: { enabled: false, targets: [] } }).describe('Optional organization guardrails that protect the break-glass setup.'),
  doctor: z.strictObject({
    passwordMaxAgeDays: z.number().int().min(1).max(3650).default(90)
      .describe('breakglass doctor warns when a break-glass password is older than this (rotate after every use and at least this often).'),
    concurrency: z.number().int().min(1).max(64).default(16).describe('Parallel AWS calls made by breakglass doctor.'),
  }).default({ passwordMaxAgeDays: 90, concurrency: 16 }).describe('Settings of breakglass doctor, the read-only check of a deployment.'),
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}).describe('Tags added to the breakglass stacks and so to the resources in them.'),
});

/** The whole config; checks across sections run once every section is valid. */
export const configSchema = configShape.superRefine(report(crossSectionProblems), typesValid);

export type BreakglassConfig = z.output<typeof configShape>;
export type BreakglassConfigInput = z.input<typeof configShape>;
