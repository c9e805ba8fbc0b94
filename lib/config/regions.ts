/**
 * The one list of regions breakglass watches by default.
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

/** Opt-in commercial regions known at the time of writing; used only to recognise valid names in the config. */
export const KNOWN_OPT_IN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1',
  'me-central-1', 'me-south-1', 'mx-central-1',
] as const;

/**
 * IAM is a global service whose API calls CloudTrail records in us-east-1 only (CloudTrail user guide,
 * "Global service events": since 2021-11-22 IAM, STS global endpoint and CloudFront events are recorded in us-east-1).
 */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/** Shape of a region name; unknown-but-well-formed names are accepted so new AWS regions need no release. */
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
