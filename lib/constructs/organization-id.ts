import { Stack, Validations } from 'aws-cdk-lib';
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
    // The provider function is a stack-level singleton that aws-cdk-lib creates for every AwsCustomResource
    // (construct id "AWS" + PROVIDER_FUNCTION_UUID without dashes); its role is not reachable through `lookup`.
    const providerId = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;
    const provider = Stack.of(this).node.tryFindChild(providerId);
    if (!provider) throw new Error(`OrganizationIdLookup: AwsCustomResource provider "${providerId}" not found; aws-cdk-lib changed how it names it`);
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'Role of aws-cdk-lib\'s AwsCustomResource provider function, which runs only during deployment to read the organization ID. AWSLambdaBasicExecutionRole grants nothing but CloudWatch Logs writes; a hand-written replacement would still need a log-stream wildcard.',
    });
  }
}
