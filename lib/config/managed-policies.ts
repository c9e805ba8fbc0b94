/**
 * Checks role.managedPolicies offline: an AWS managed policy that does not exist (a typo such as "AdminAccess") would
 * pass synth and fail the role in every account of the StackSet. The names come from the generated list in
 * aws-managed-policies.ts (date and source in its header; refresh with scripts/refresh-managed-policies.ts).
 */
import { AWS_MANAGED_POLICIES, AWS_MANAGED_POLICIES_TAKEN } from './aws-managed-policies';
import { closest } from './suggest';

const AWS_POLICY_ARN_PREFIX = 'arn:aws:iam::aws:policy/';
// IAM identifiers: paths and names are [\w+=,.@-], a name at most 128 characters (IAM User Guide, "IAM identifiers";
// IAM API reference, CreatePolicy PolicyName and Path).
const CUSTOMER_POLICY_ARN = /^arn:aws:iam::\d{12}:policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;
// Service-linked role policies: AttachRolePolicy answers PolicyNotAttachableException ("AWS service role policies can
// only be attached to the service-linked role for that service", IAM API reference, AttachRolePolicy errors).
const SERVICE_LINKED = 'aws-service-role/';

const known = new Set(AWS_MANAGED_POLICIES);
/** "ViewOnlyAccess" → "job-function/ViewOnlyAccess": names are unique across paths. */
const byName = new Map(AWS_MANAGED_POLICIES.map((p) => [p.slice(p.lastIndexOf('/') + 1), p]));
const attachable = AWS_MANAGED_POLICIES.filter((p) => !p.startsWith(SERVICE_LINKED));

/** Why a role.managedPolicies entry is refused, one line; undefined when it can be attached. */
export function managedPolicyProblem(value: string): string | undefined {
  return value.startsWith('arn:') ? arnProblem(value) : nameProblem(value, (p) => p);
}

/** Both spellings of one policy ("IAMFullAccess" and its ARN) reduce to the same key, for duplicate checks. */
export function managedPolicyKey(value: string): string {
  return value.startsWith(AWS_POLICY_ARN_PREFIX) ? value.slice(AWS_POLICY_ARN_PREFIX.length) : value;
}

function arnProblem(arn: string): string | undefined {
  const partition = /^arn:(aws-[a-z-]+):/.exec(arn)?.[1];
  if (partition) return `policy ARN in the ${partition} partition, which breakglass does not support yet: it builds arn:aws: ARNs for the commercial aws partition only`;
  if (arn.startsWith(AWS_POLICY_ARN_PREFIX)) return nameProblem(arn.slice(AWS_POLICY_ARN_PREFIX.length), (p) => `${AWS_POLICY_ARN_PREFIX}${p}`);
  if (CUSTOMER_POLICY_ARN.test(arn)) return undefined; // customer managed: its existence is the deployer's business
  return `expected an IAM policy ARN such as "arn:aws:iam::aws:policy/ReadOnlyAccess" or "arn:aws:iam::111122223333:policy/MyPolicy", got "${arn}"`;
}

/** `name` is `path/name` as in the list; `spell` writes a list entry the way the user wrote theirs (name or ARN). */
function nameProblem(name: string, spell: (listed: string) => string): string | undefined {
  const value = spell(name);
  if (known.has(name)) return name.startsWith(SERVICE_LINKED) ? serviceLinked(value) : undefined;
  const elsewhere = byName.get(name);
  if (elsewhere) {
    return elsewhere.startsWith(SERVICE_LINKED)
      ? serviceLinked(value)
      : `AWS managed policy "${value}" has the path ${elsewhere.slice(0, elsewhere.lastIndexOf('/') + 1)}: write "${spell(elsewhere)}"`;
  }
  const hint = closest(name, attachable);
  return hint
    ? `unknown AWS managed policy "${value}" (did you mean "${spell(hint)}"?)`
    : `unknown AWS managed policy "${value}": not in breakglass's list of AWS managed policies (taken ${AWS_MANAGED_POLICIES_TAKEN}; see docs/config-reference.md); a customer managed policy needs its full ARN`;
}

function serviceLinked(value: string): string {
  return `"${value}" is a service-linked role policy: AWS attaches it only to that service's own role, never to the break-glass role`;
}
