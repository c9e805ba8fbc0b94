import { Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * Looks up the organization ID at deploy time when the config does not give one. Any account of an organization may
 * call organizations:DescribeOrganization (Organizations API reference, DescribeOrganization: "This operation can be
 * called from any account in the organization").
 */
export class OrganizationIdLookup extends Construct {
  readonly organizationId: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const lookup = new cr.AwsCustomResource(this, 'Describe', {
      onUpdate: {
        service: 'Organizations',
        action: 'describeOrganization',
        physicalResourceId: cr.PhysicalResourceId.of('breakglass-organization-id'),
        outputPaths: ['Organization.Id'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    this.organizationId = lookup.getResponseField('Organization.Id');
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'organizations:DescribeOrganization has no resource-level permissions.' },
    );
  }
}
