/**
 * IAM policy evaluation over the SYNTHESIZED templates, with @cloud-copilot/iam-simulate (AGPL-3.0, devDependency,
 * tests only).
 *
 * - resolveIntrinsics(): turns the few CloudFormation intrinsics CDK emits into IAM policies (Ref of pseudo
 *   parameters, Fn::Join, Fn::Sub over pseudo parameters) into concrete values for one account, and throws on
 *   anything else, so a policy that starts depending on a resource attribute cannot be evaluated half-resolved.
 * - userIdentityPolicies() / breakGlassRoleTrust(): pick the policies out of the templates.
 * - simulate(): one request through iam-simulate, with the request context derived from the calling principal so
 *   aws:PrincipalArn, aws:username and the principal can never disagree; throws on simulator input errors and on
 *   context keys the simulator dropped as not applicable (either would make a denial pass vacuously).
 */
import { runSimulation, type RequestAnalysis } from '@cloud-copilot/iam-simulate';
import type { CfnTemplate, Synthesized } from './synth';

export const PARTITION = 'aws';
export const ORG_ID = 'o-a1b2c3d4e5';
export const OTHER_ORG_ID = 'o-zz9zz9zz9z';
export const ACCOUNTS = {
  management: '111111111111',
  security: '222222222222',
  member: '333333333333',
  /** An account outside the organization. */
  outside: '555555555555',
} as const;

export interface PseudoParameters {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /** Values of the template's own parameters ({"Ref": "<name>"}), as deployed. @default - none: such a Ref throws */
  readonly parameters?: Readonly<Record<string, string>>;
}

export type PolicyDocument = { Version: string; Statement: any[] };

const PSEUDO = (p: PseudoParameters): Record<string, string> => ({
  'AWS::Partition': p.partition,
  'AWS::AccountId': p.accountId,
  'AWS::Region': p.region,
  'AWS::URLSuffix': p.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
});

/** Resolves Ref (pseudo parameters), Fn::Join and Fn::Sub (pseudo parameters only); throws on anything else. */
export function resolveIntrinsics(value: unknown, p: PseudoParameters, path = '$'): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && /\$\{Token\[|\$\{AWS::/.test(value)) throw new Error(`${path}: unresolved token in "${value}"`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveIntrinsics(v, p, `${path}[${i}]`));
  const keys = Object.keys(value);
  // "Condition" is an intrinsic only as {"Condition": "Name"} (inside Fn::And/Or/Not); in a statement it is a map.
  const intrinsic = keys.filter((k) => k === 'Ref' || k.startsWith('Fn::')
    || (k === 'Condition' && keys.length === 1 && typeof (value as any)[k] === 'string'));
  if (intrinsic.length === 0) {
    return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics((value as any)[k], p, `${path}.${k}`)]));
  }
  if (keys.length !== 1) throw new Error(`${path}: intrinsic mixed with other keys: ${JSON.stringify(value)}`);
  const [fn] = keys;
  const arg = (value as any)[fn];
  const pseudo = PSEUDO(p);
  switch (fn) {
    case 'Ref':
      if (typeof arg === 'string' && arg in pseudo) return pseudo[arg];
      if (typeof arg === 'string' && p.parameters && Object.hasOwn(p.parameters, arg)) return p.parameters[arg];
      throw new Error(`${path}: cannot resolve {"Ref": ${JSON.stringify(arg)}} (only pseudo parameters ${Object.keys(pseudo).join(', ')}${p.parameters ? ` and parameters ${Object.keys(p.parameters).join(', ')}` : ''})`);
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) {
        throw new Error(`${path}: malformed Fn::Join ${JSON.stringify(arg)}`);
      }
      const parts = arg[1].map((v: unknown, i: number) => resolveIntrinsics(v, p, `${path}.Fn::Join[1][${i}]`));
      if (!parts.every((x: unknown) => typeof x === 'string')) throw new Error(`${path}: Fn::Join of non-strings ${JSON.stringify(parts)}`);
      return parts.join(arg[0]);
    }
    case 'Fn::Sub': {
      if (typeof arg !== 'string') throw new Error(`${path}: only the one-argument Fn::Sub is supported, got ${JSON.stringify(arg)}`);
      return arg.replace(/\$\{(!?)([^}]*)\}/g, (whole, bang: string, name: string) => {
        if (bang) return `\${${name}}`; // ${!Literal} is the escape for a literal ${Literal}
        if (name in pseudo) return pseudo[name];
        throw new Error(`${path}: cannot resolve \${${name}} in Fn::Sub "${arg}"`);
      });
    }
    default:
      throw new Error(`${path}: unsupported intrinsic ${fn}: ${JSON.stringify(value)}`);
  }
}

function asPolicy(doc: unknown, where: string): PolicyDocument {
  const d = doc as PolicyDocument;
  if (!d || d.Version !== '2012-10-17' || !Array.isArray(d.Statement)) throw new Error(`${where}: not a policy document: ${JSON.stringify(doc)}`);
  return d;
}

function refersTo(x: unknown, logicalId: string, name: string): boolean {
  return (typeof x === 'string' && x === name) || (typeof x === 'object' && x !== null && (x as any).Ref === logicalId);
}

/** Managed policies (of this template) and inline policies of one user or group resource, resolved. */
function attachedPolicies(t: CfnTemplate, id: string, props: any, p: PseudoParameters): Array<{ name: string; policy: PolicyDocument }> {
  const out: Array<{ name: string; policy: PolicyDocument }> = [];
  for (const [i, arn] of (props.ManagedPolicyArns ?? []).entries()) {
    const ref = (arn as any)?.Ref;
    const target = typeof ref === 'string' ? t.Resources[ref] : undefined;
    if (!target || target.Type !== 'AWS::IAM::ManagedPolicy') throw new Error(`${id}.ManagedPolicyArns[${i}]: not a managed policy of this template: ${JSON.stringify(arn)}`);
    out.push({ name: ref, policy: asPolicy(resolveIntrinsics(target.Properties.PolicyDocument, p, `${ref}.PolicyDocument`), ref) });
  }
  for (const [i, inline] of (props.Policies ?? []).entries()) {
    out.push({ name: `${id}.Policies[${i}]`, policy: asPolicy(resolveIntrinsics(inline.PolicyDocument, p, `${id}.Policies[${i}]`), id) });
  }
  return out;
}

/**
 * Every identity policy the template gives IAM user `userName`: attached to the user (inline, managed from this
 * template, AWS::IAM::Policy / ManagedPolicy / UserPolicy resources that name the user) and, the same ways, to every
 * group of this template the user belongs to (the user's Groups, AWS::IAM::UserToGroupAddition) — IAM evaluates a
 * user's own and its groups' policies together (IAM user guide, "Policy evaluation logic"). Resolved for `accountId`.
 * Throws on what it cannot evaluate (permissions boundaries, groups or managed policies from outside the template), so
 * the set handed to the simulator is complete.
 */
export function userIdentityPolicies(t: CfnTemplate, userName: string, p: PseudoParameters): Array<{ name: string; policy: PolicyDocument }> {
  const users = Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::IAM::User' && r.Properties?.UserName === userName);
  if (users.length !== 1) throw new Error(`expected one AWS::IAM::User named ${userName}, found ${users.length}`);
  const [userId, user] = users[0];
  const props = user.Properties ?? {};
  if (props.PermissionsBoundary !== undefined) throw new Error(`${userId}: PermissionsBoundary is not evaluated by these tests`);
  const out = attachedPolicies(t, userId, props, p);
  const groupIds = new Set<string>();
  const addGroup = (g: unknown, where: string) => {
    const ref = (g as any)?.Ref;
    if (typeof ref !== 'string' || t.Resources[ref]?.Type !== 'AWS::IAM::Group') throw new Error(`${where}: not a group of this template: ${JSON.stringify(g)}`);
    groupIds.add(ref);
  };
  for (const [i, g] of (props.Groups ?? []).entries()) addGroup(g, `${userId}.Groups[${i}]`);
  for (const [id, r] of Object.entries(t.Resources)) {
    if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::UserPolicy')
      && [...(r.Properties?.Users ?? []), r.Properties?.UserName].some((u) => refersTo(u, userId, userName))) {
      out.push({ name: id, policy: asPolicy(resolveIntrinsics(r.Properties.PolicyDocument, p, `${id}.PolicyDocument`), id) });
    }
    if (r.Type === 'AWS::IAM::UserToGroupAddition' && (r.Properties?.Users ?? []).some((u: unknown) => refersTo(u, userId, userName))) {
      addGroup(r.Properties.GroupName, `${id}.GroupName`);
    }
  }
  for (const groupId of groupIds) {
    const group = t.Resources[groupId]!;
    const groupName = group.Properties?.GroupName;
    out.push(...attachedPolicies(t, groupId, group.Properties ?? {}, p));
    for (const [id, r] of Object.entries(t.Resources)) {
      if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::GroupPolicy')
        && [...(r.Properties?.Groups ?? []), r.Properties?.GroupName].some((g) => refersTo(g, groupId, groupName))) {
        out.push({ name: id, policy: asPolicy(resolveIntrinsics(r.Properties.PolicyDocument, p, `${id}.PolicyDocument`), id) });
      }
    }
  }
  return out;
}

/** Logical IDs of the groups of this template that user `userName` belongs to (its Groups property). */
export function userGroups(t: CfnTemplate, userName: string): string[] {
  const user = Object.values(t.Resources).find((r) => r.Type === 'AWS::IAM::User' && r.Properties?.UserName === userName);
  return (user?.Properties?.Groups ?? []).map((g: any) => g?.Ref).filter((x: unknown): x is string => typeof x === 'string');
}

/** The trust policy of the role named `roleName` in `template`, resolved for the account it is deployed to. */
export function roleTrust(template: CfnTemplate, roleName: string, p: PseudoParameters): PolicyDocument {
  const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === roleName);
  if (roles.length !== 1) throw new Error(`expected one AWS::IAM::Role named ${roleName}, found ${roles.length}`);
  const [id, role] = roles[0];
  return asPolicy(resolveIntrinsics(role.Properties.AssumeRolePolicyDocument, p, `${id}.AssumeRolePolicyDocument`), id);
}

/**
 * The identity policies of the role named `roleName` in `template` that the template defines (inline policies). The
 * template's parameters take their Default unless `p.parameters` names them (a stack deployed without parameter values).
 */
export function roleInlinePolicies(template: CfnTemplate, roleName: string, p: PseudoParameters): Array<{ name: string; policy: PolicyDocument }> {
  const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === roleName);
  if (roles.length !== 1) throw new Error(`expected one AWS::IAM::Role named ${roleName}, found ${roles.length}`);
  const [id, role] = roles[0];
  const defaults = Object.fromEntries(Object.entries((template.Parameters ?? {}) as Record<string, { Default?: unknown }>)
    .filter(([, d]) => typeof d.Default === 'string').map(([k, d]) => [k, d.Default as string]));
  const withParameters: PseudoParameters = { ...p, parameters: { ...defaults, ...p.parameters } };
  return (role.Properties.Policies ?? []).map((x: any) => ({ name: `${id}.${x.PolicyName}`, policy: asPolicy(resolveIntrinsics(x.PolicyDocument, withParameters, `${id}.${x.PolicyName}`), id) }));
}

/** The break-glass users' identity policies and the member role's trust, as deployed for the example accounts. */
export function breakGlassPolicies(s: Synthesized, memberAccount: string = ACCOUNTS.member) {
  const region = s.config.securityAccount.region;
  const security = s.templates.get('Breakglass-Security');
  if (!security) throw new Error('no Breakglass-Security template');
  const securityAccount = s.config.securityAccount.accountId;
  const userPolicies = (userName: string) => userIdentityPolicies(security, userName, { partition: PARTITION, accountId: securityAccount, region });
  const trust = roleTrust(s.member, s.config.role.name, { partition: PARTITION, accountId: memberAccount, region });
  const roleInline = roleInlinePolicies(s.member, s.config.role.name, { partition: PARTITION, accountId: memberAccount, region });
  return { userPolicies, trust, roleInline, roleName: s.config.role.name, userNames: s.config.users.map((u) => u.name) };
}

// ---------------------------------------------------------------------------------------------------------------
// Principals and requests

export interface Caller {
  /** The ARN the request is signed as (a user ARN, or an sts assumed-role ARN for role sessions). */
  readonly arn: string;
  readonly account: string;
  /** Context keys that follow from who the caller is. */
  readonly context: Record<string, string>;
}

export function iamUser(account: string, name: string, orgId: string | undefined = ORG_ID): Caller {
  const arn = `arn:${PARTITION}:iam::${account}:user/${name}`;
  return {
    arn, account, context: {
      'aws:PrincipalArn': arn, 'aws:PrincipalAccount': account, 'aws:PrincipalType': 'User',
      'aws:username': name, 'aws:userid': `AIDA${name.toUpperCase()}`.slice(0, 21),
      ...(orgId ? { 'aws:PrincipalOrgID': orgId } : {}),
    },
  };
}

export function roleSession(account: string, roleName: string, sessionName: string, orgId: string | undefined = ORG_ID): Caller {
  const roleArn = `arn:${PARTITION}:iam::${account}:role/${roleName}`;
  return {
    arn: `arn:${PARTITION}:sts::${account}:assumed-role/${roleName}/${sessionName}`, account, context: {
      // For role sessions aws:PrincipalArn is the role ARN, and aws:username does not exist.
      'aws:PrincipalArn': roleArn, 'aws:PrincipalAccount': account, 'aws:PrincipalType': 'AssumedRole',
      'aws:userid': `AROAEXAMPLE:${sessionName}`, ...(orgId ? { 'aws:PrincipalOrgID': orgId } : {}),
    },
  };
}

/** MFA states of the calling session. */
export const MFA = {
  /** Console sign-in with MFA, or credentials from GetSessionToken/AssumeRole with an MFA code. */
  present: (ageSeconds = 120) => ({ 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': String(ageSeconds) }),
  /** Console sign-in without MFA: the key exists and is false; aws:MultiFactorAuthAge is absent. */
  false: () => ({ 'aws:MultiFactorAuthPresent': 'false' }),
  /** Long-term access keys: neither key exists in the request. */
  absent: () => ({}),
} as const;

export interface SimRequest {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  /** Extra context keys; a value of undefined removes a key the caller would otherwise carry. */
  readonly context?: Record<string, string | string[] | undefined>;
  readonly identityPolicies: ReadonlyArray<{ name: string; policy: PolicyDocument }>;
  /** Resource policy, e.g. the role's trust policy. */
  readonly resourcePolicy?: PolicyDocument;
}

export interface SimOutcome {
  /** Final decision: Allowed, ExplicitlyDenied or ImplicitlyDenied. */
  readonly decision: RequestAnalysis['result'];
  /** What the identity policies alone said. */
  readonly identity: string | undefined;
  /** What the resource (trust) policy said: Allowed / AllowedForAccount mean it lets this principal in. */
  readonly trust: string | undefined;
  readonly trustAllows: boolean;
  readonly analysis: RequestAnalysis;
  /** Sids of identity statements that explicitly denied the request. */
  readonly identityDenySids: string[];
}

export async function simulate(req: SimRequest): Promise<SimOutcome> {
  const contextVariables: Record<string, string | string[]> = { ...req.caller.context };
  for (const [k, v] of Object.entries(req.context ?? {})) {
    if (v === undefined) delete contextVariables[k]; else contextVariables[k] = v;
  }
  const response = await runSimulation({
    request: { principal: req.caller.arn, action: req.action, resource: { resource: req.resource, accountId: req.resourceAccount }, contextVariables },
    identityPolicies: req.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(req.resourcePolicy ? { resourcePolicy: req.resourcePolicy } : {}),
  }, { simulationMode: 'Strict' });
  const what = `${req.caller.arn} ${req.action} ${req.resource}`;
  if (response.resultType === 'error') throw new Error(`iam-simulate rejected the simulation (${what}): ${JSON.stringify(response.errors)}`);
  if (response.resultType !== 'single') throw new Error(`expected a single-resource simulation for ${what}, got ${response.resultType}`);
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length) throw new Error(`iam-simulate ignored context keys ${ignored.join(', ')} for ${what}; the test would not evaluate what it claims`);
  const a = response.result.analysis;
  const trust = a.resourceAnalysis?.result;
  return {
    decision: response.overallResult,
    identity: a.identityAnalysis?.result,
    trust,
    trustAllows: trust === 'Allowed' || trust === 'AllowedForAccount',
    analysis: a,
    identityDenySids: (a.identityAnalysis?.denyStatements ?? []).map((s) => s.statement.sid() ?? `#${s.statement.index()}`),
  };
}

/** Short description for assertion messages. */
export function describe(o: SimOutcome): string {
  return `decision=${o.decision} identity=${o.identity} trust=${o.trust}`;
}
