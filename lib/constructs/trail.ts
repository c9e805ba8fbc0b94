import { Annotations, Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface BreakglassTrailProps {
  readonly trailName: string;
  /**
   * An organization trail: created in the management account, it logs every account of the organization (CloudTrail
   * user guide, "Creating a trail for an organization": organization trails "are automatically applied to all member
   * accounts"; "Member accounts can see the organization trail, but can't modify or delete it"). Needs CloudTrail
   * trusted access in Organizations first (CloudTrail API reference, CreateTrail: CloudTrailAccessNotEnabledException).
   * @default false - a trail of this account only
   */
  readonly organization?: boolean;
}

/**
 * A multi-region trail (of the organization, or of this account). EventBridge receives CloudTrail events ("AWS API
 * Call via CloudTrail", sign-in events) only while a trail is logging (EventBridge user guide, "AWS service events
 * delivered via AWS CloudTrail": "you must enable a CloudTrail trail with logging"), in each account: the break-glass
 * role's accounts need it as much as the security account. It logs read AND write management events: AssumeRole is a
 * read-only event and would otherwise never be recorded, and a rule sees read-only events only in the state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (lib/constructs/rule-state.ts).
 */
export class BreakglassTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: BreakglassTrailProps) {
    super(scope, id);
    const trailArn = `arn:${Aws.PARTITION}:cloudtrail:${Aws.REGION}:${Aws.ACCOUNT_ID}:trail/${props.trailName}`;
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts breakglass CloudTrail log files.',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // Key policy for CloudTrail log encryption (CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail").
    // For an organization trail the trail owner, and so the account in the encryption context and in aws:SourceArn,
    // is the management account, where this construct is deployed then (same page: "the management account ID for
    // organization trails").
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudTrailEncryptLogs',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*` },
      },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudTrailDescribeKey',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }));

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // S3 server access logging cannot write to SSE-KMS buckets.
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket of the trail bucket; logging it to itself would loop.' });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'trail-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    if (props.organization) {
      // An organization trail writes under AWSLogs/<organization ID>/<account ID>/ (CloudTrail user guide, "Amazon S3
      // bucket policy for CloudTrail", organization trails). The prefix is pinned to this one trail by aws:SourceArn
      // instead of the organization ID, which the config may leave to a deploy-time lookup. The trail construct
      // adds the GetBucketAcl statement and this account's own AWSLogs/<account ID>/ prefix.
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'CloudTrailOrganizationWrite',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('AWSLogs/*')],
        conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
      }));
    }

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: props.trailName,
      bucket: this.bucket,
      encryptionKey: key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: false,
      isOrganizationTrail: props.organization ? true : undefined,
    });
    if (props.organization) {
      Annotations.of(this.trail).acknowledgeWarning('@aws-cdk/aws-cloudtrail:missingOrgIdForOrganizationTrail',
        'The bucket policy statement CloudTrailOrganizationWrite lets this trail (aws:SourceArn) write under AWSLogs/*, organization prefix included.');
    }
  }
}
