/**
 * The one offline list of AWS regions breakglass knows, and the check that refuses any other name in the config.
 *
 * Taken 2026-12-02. Region codes: AWS Regions and Availability Zones, "AWS Regions", and the region metadata that AWS
 * ships in the AWS SDK for JavaScript v3 (@aws-sdk/core 3.981, partition "aws"); which are enabled by default: AWS
 * Account Management reference, "Specify which AWS Regions your account can use". test/config/regions.test.ts
 * cross-checks the list with that SDK metadata and with aws-cdk-lib's `RegionInfo.regions` and fails when either knows
 * a commercial region missing here. A region AWS launches later is refused until it is added here: a typo
 * ("eu-west-9") would otherwise pass validation and fail only at deployment, in every account of the StackSet.
 */
import { closest } from './suggest';

/**
 * The regions breakglass watches by default.
 *
 * These are the commercial regions that AWS enables by default in every account ("Regions introduced before
 * March 20, 2019 are enabled by default"; later ones are opt-in). Source: AWS Account Management reference,
 * "Specify which AWS Regions your account can use" (docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
 * Sign-in and STS events are recorded in whichever region's endpoint was used (CloudTrail user guide, "AWS console
 * sign-in events"; IAM user guide, "Logging IAM and AWS STS API calls with AWS CloudTrail"), so every region a user
 * *can* reach must be covered. Opt-in regions an organization enabled are added in the config (`regions.optIn`).
 */
export const DEFAULT_ENABLED_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ca-central-1', 'sa-east-1',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
] as const;

/** Commercial regions launched after March 20, 2019: disabled until an account opts in (same sources as above). */
export const OPT_IN_REGIONS = [
  'af-south-1', // Africa (Cape Town)
  'ap-east-1', // Asia Pacific (Hong Kong)
  'ap-east-2', // Asia Pacific (Taipei)
  'ap-south-2', // Asia Pacific (Hyderabad)
  'ap-southeast-3', // Asia Pacific (Jakarta)
  'ap-southeast-4', // Asia Pacific (Melbourne)
  'ap-southeast-5', // Asia Pacific (Malaysia)
  'ap-southeast-6', // Asia Pacific (New Zealand)
  'ap-southeast-7', // Asia Pacific (Thailand)
  'ca-west-1', // Canada West (Calgary)
  'eu-central-2', // Europe (Zurich)
  'eu-south-1', // Europe (Milan)
  'eu-south-2', // Europe (Spain)
  'il-central-1', // Israel (Tel Aviv)
  'me-central-1', // Middle East (UAE)
  'me-south-1', // Middle East (Bahrain)
  'me-west-1', // Middle East (Saudi Arabia)
  'mx-central-1', // Mexico (Central)
  'sa-west-1', // South America (Chile)
] as const;

/** Every region name the config accepts: the commercial `aws` partition only (see OTHER_PARTITIONS). */
export const KNOWN_REGIONS: readonly string[] = [...DEFAULT_ENABLED_REGIONS, ...OPT_IN_REGIONS].sort();

/**
 * Regions of other partitions, by name prefix. breakglass writes `arn:aws:` ARNs (trust policies, the SCP, the event
 * bus policy), which do not exist there, so they are refused with their partition named rather than as typos.
 * An account of one partition cannot reach another's regions (AWS Regions and Availability Zones, "AWS Regions",
 * account types).
 */
export const OTHER_PARTITIONS: ReadonlyArray<{ readonly prefix: string; readonly partition: string; readonly what: string }> = [
  { prefix: 'us-gov-', partition: 'aws-us-gov', what: 'AWS GovCloud (US)' },
  { prefix: 'cn-', partition: 'aws-cn', what: 'AWS China' },
  { prefix: 'eusc-', partition: 'aws-eusc', what: 'AWS European Sovereign Cloud' },
  { prefix: 'us-isob-', partition: 'aws-iso-b', what: 'an AWS isolated region' },
  { prefix: 'us-isof-', partition: 'aws-iso-f', what: 'an AWS isolated region' },
  { prefix: 'us-iso-', partition: 'aws-iso', what: 'an AWS isolated region' },
  { prefix: 'eu-isoe-', partition: 'aws-iso-e', what: 'an AWS isolated region' },
];

/**
 * IAM is a global service whose API calls CloudTrail records in us-east-1 only (CloudTrail user guide,
 * "Global service events": since 2021-11-22 IAM, STS global endpoint and CloudFront events are recorded in us-east-1).
 */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

const known = new Set(KNOWN_REGIONS);

/** Why a region name is refused, one line; undefined when it is a known commercial region. */
export function regionProblem(input: unknown): string | undefined {
  if (typeof input !== 'string') return `expected an AWS region name such as "us-east-1" (a string), got ${typeof input === 'number' ? `the number ${input}` : JSON.stringify(input) ?? 'nothing'}`;
  if (known.has(input)) return undefined;
  const other = OTHER_PARTITIONS.find((p) => input.startsWith(p.prefix));
  if (other) {
    return `region "${input}" is in the ${other.partition} partition (${other.what}), which breakglass does not support yet: it builds arn:aws: ARNs for the commercial aws partition only`;
  }
  const hint = closest(input, KNOWN_REGIONS);
  if (hint) return `unknown region "${input}" (did you mean "${hint}"?)`;
  return /^[a-z]{2,4}-[a-z]+-\d{1,2}$/.test(input)
    ? `unknown region "${input}": not in breakglass's list of AWS regions (lib/config/regions.ts, taken 2026-12-02); see docs/config-reference.md`
    : `expected an AWS region name such as "us-east-1", got "${input}"`;
}
