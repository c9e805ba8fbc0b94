/**
 * A deployed breakglass in moto_server, for the doctor tests and the benchmark:
 * - an organization (management account = moto's default 123456789012) with a security account and member
 *   accounts in an OU tree (Workloads > Prod);
 * - the synthesized Breakglass-Security and Breakglass-Management stacks (home region and one more region) and
 *   Breakglass-Trail created with CloudFormation CreateStack in the right accounts, after `motoReady` (below);
 * - what moto's CloudFormation skips, created through the APIs: the organization trail (CreateTrail + StartLogging,
 *   `createOrganizationTrail`) and the email subscriptions; the StackSet and its instances (CreateStackSet +
 *   CreateStackInstances, tiny template);
 * - the users' passwords and MFA devices, and an IAM user with an access key for running doctor *as* the
 *   security account.
 * moto picks the account of a request from the `x-moto-account-id` header (else from the access key), which is how
 * resources are created in accounts other than the default one.
 */
import { writeFileSync } from 'node:fs';
import type { CfnTemplate } from '../helpers/synth';

export const MGMT = '123456789012';
export const HOME = 'us-east-1';
export const OTHER_REGION = 'eu-west-1';
export const REGIONS = [HOME, OTHER_REGION];
export const USERS = ['BreakGlassUser1', 'BreakGlassUser2'];
export const EMAIL = 'security-alerts@example.com';

type Sdk = {
  org: typeof import('@aws-sdk/client-organizations');
  cfn: typeof import('@aws-sdk/client-cloudformation');
  iam: typeof import('@aws-sdk/client-iam');
  sns: typeof import('@aws-sdk/client-sns');
  ct: typeof import('@aws-sdk/client-cloudtrail');
};

export async function sdk(): Promise<Sdk> {
  return {
    org: await import('@aws-sdk/client-organizations'),
    cfn: await import('@aws-sdk/client-cloudformation'),
    iam: await import('@aws-sdk/client-iam'),
    sns: await import('@aws-sdk/client-sns'),
    ct: await import('@aws-sdk/client-cloudtrail'),
  };
}

/** A client whose requests moto files under `account`. Retries off: a moto error should surface at once. */
export function inAccount<C extends { middlewareStack: any }>(client: C, account: string): C {
  client.middlewareStack.add((next: any) => async (args: any) => {
    args.request.headers['x-moto-account-id'] = account;
    return next(args);
  }, { step: 'build', name: 'motoAccountId' });
  return client;
}

/**
 * What moto's CloudFormation cannot take, removed or rewritten (listed in test/README.md):
 * - the CDK bootstrap-version parameter and rule (an SSM parameter lookup of a bootstrap that does not exist);
 * - Lambda code from the CDK asset bucket, replaced by inline code (the doctor never invokes the notifier);
 * - `EventBusName: {Ref: <bus>}` on rules and the bus policy: moto's Ref of an EventBus yields an object and PutRule
 *   crashes (AttributeError in _normalize_event_bus_arn), so the literal bus name is used, with a DependsOn.
 * Types moto skips with a warning (the stack still completes): CloudWatch::Alarm, CloudTrail::Trail, SNS::Subscription,
 * SNS::TopicPolicy, SQS::QueuePolicy, S3::BucketPolicy, Events::EventBusPolicy, Lambda::EventInvokeConfig.
 */
export function motoReady(template: CfnTemplate): CfnTemplate {
  const t = structuredClone(template);
  delete t.Parameters?.BootstrapVersion;
  delete t.Rules?.CheckBootstrapVersion;
  const bus = Object.entries(t.Resources).find(([, r]) => r.Type === 'AWS::Events::EventBus');
  for (const r of Object.values(t.Resources)) {
    if (r.Type === 'AWS::Lambda::Function') r.Properties.Code = { ZipFile: 'exports.handler = async () => {};' };
    if (bus && JSON.stringify(r.Properties?.EventBusName) === JSON.stringify({ Ref: bus[0] })) {
      r.Properties.EventBusName = bus[1].Properties.Name;
      r.DependsOn = [...[r.DependsOn ?? []].flat(), bus[0]];
    }
  }
  return t;
}

export interface OrgLayout {
  readonly orgId: string;
  readonly rootId: string;
  readonly security: string;
  readonly workloadsOu: string;
  readonly prodOu: string;
  /** Member accounts in Workloads and Prod (StackSet targets). */
  readonly members: string[];
}

/** Organization, OU tree and accounts. `members` accounts are spread over Workloads and Prod. */
export async function createOrganization(s: Sdk, members: number): Promise<OrgLayout> {
  const org = new s.org.OrganizationsClient({ maxAttempts: 1 });
  try {
    const o = await org.send(new s.org.CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const rootId = (await org.send(new s.org.ListRootsCommand({}))).Roots![0]!.Id!;
    const workloadsOu = (await org.send(new s.org.CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }))).OrganizationalUnit!.Id!;
    const prodOu = (await org.send(new s.org.CreateOrganizationalUnitCommand({ ParentId: workloadsOu, Name: 'Prod' }))).OrganizationalUnit!.Id!;
    const create = async (name: string, i: number) => (await org.send(new s.org.CreateAccountCommand({ AccountName: name, Email: `acct${i}@example.com` }))).CreateAccountStatus!.AccountId!;
    const security = await create('Security', 0);
    const ids: string[] = [];
    for (let i = 1; i <= members; i++) {
      const id = await create(`workload-${i}`, i);
      await org.send(new s.org.MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: i % 2 ? workloadsOu : prodOu }));
      ids.push(id);
    }
    return { orgId: o.Organization!.Id!, rootId, security, workloadsOu, prodOu, members: ids };
  } finally {
    org.destroy();
  }
}

export function writeDoctorConfig(file: string, o: OrgLayout, extra: string[] = []): string {
  writeFileSync(file, [
    'securityAccount:', `  accountId: "${o.security}"`, `  region: ${HOME}`,
    'organization:', `  managementAccountId: "${MGMT}"`, `  id: ${o.orgId}`,
    '  targets:', `    organizationalUnits: ["${o.workloadsOu}"]`,
    'regions:', `  enabled: ${JSON.stringify(REGIONS)}`,
    'users:', ...USERS.map((u) => `  - name: ${u}`),
    'alerts:', `  emails: ["${EMAIL}"]`,
    ...extra, '',
  ].join('\n'));
  return file;
}

export async function createStack(s: Sdk, account: string, region: string, name: string, template: CfnTemplate): Promise<void> {
  const cf = inAccount(new s.cfn.CloudFormationClient({ region, maxAttempts: 1 }), account);
  try {
    await cf.send(new s.cfn.CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(motoReady(template)), Capabilities: ['CAPABILITY_NAMED_IAM'] }));
    const st = (await cf.send(new s.cfn.DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    if (st?.StackStatus !== 'CREATE_COMPLETE') throw new Error(`${name} in ${account}/${region}: ${st?.StackStatus} ${st?.StackStatusReason ?? ''}`);
  } finally {
    cf.destroy();
  }
}

/** The member StackSet in the management account, with instances in every member of the targeted OUs. */
export async function createStackSet(s: Sdk, o: OrgLayout, regions: readonly string[] = REGIONS): Promise<void> {
  const cf = new s.cfn.CloudFormationClient({ region: HOME, maxAttempts: 1 });
  try {
    // Stand-in template: doctor reads instance statuses only, and moto creates each instance's resources for real.
    const body = JSON.stringify({ Resources: { Marker: { Type: 'AWS::SNS::Topic' } } });
    await cf.send(new s.cfn.CreateStackSetCommand({ StackSetName: 'breakglass-member-baseline', TemplateBody: body, PermissionModel: 'SERVICE_MANAGED', AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false } }));
    await cf.send(new s.cfn.CreateStackInstancesCommand({ StackSetName: 'breakglass-member-baseline', Regions: [...regions], DeploymentTargets: { OrganizationalUnitIds: [o.workloadsOu] } }));
  } finally {
    cf.destroy();
  }
}

/**
 * The organization trail of Breakglass-Trail (moto skips the trail resource), logging read and write management
 * events, in the management account; and, for each of `memberViews`, the same trail in that account. AWS shows an
 * organization trail to every member account (CloudTrail user guide, "Creating a trail for an organization"); moto
 * keeps trails per account, so the view is created by hand. moto lets a trail write to another account's bucket.
 */
export async function createOrganizationTrail(s: Sdk, memberViews: readonly string[]): Promise<void> {
  const cf = inAccount(new s.cfn.CloudFormationClient({ region: HOME, maxAttempts: 1 }), MGMT);
  try {
    const resources = (await cf.send(new s.cfn.DescribeStackResourcesCommand({ StackName: 'Breakglass-Trail' }))).StackResources ?? [];
    const bucket = resources.find((r) => r.ResourceType === 'AWS::S3::Bucket' && /TrailBucket/.test(r.LogicalResourceId ?? ''))?.PhysicalResourceId;
    if (!bucket) throw new Error('trail bucket not found in Breakglass-Trail');
    for (const account of [MGMT, ...memberViews]) {
      const ct = inAccount(new s.ct.CloudTrailClient({ region: HOME, maxAttempts: 1 }), account);
      try {
        await ct.send(new s.ct.CreateTrailCommand({ Name: 'breakglass-trail', S3BucketName: bucket, IsMultiRegionTrail: true, IsOrganizationTrail: true }));
        // The template's trail logs read and write management events (lib/constructs/trail.ts).
        await ct.send(new s.ct.PutEventSelectorsCommand({ TrailName: 'breakglass-trail', EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] }));
        await ct.send(new s.ct.StartLoggingCommand({ Name: 'breakglass-trail' }));
      } finally {
        ct.destroy();
      }
    }
  } finally {
    cf.destroy();
  }
}

/** Subscriptions, passwords, MFA devices; returns the access key of an IAM user for running doctor as the security account. */
export async function finishSecurityAccount(s: Sdk, security: string): Promise<{ id: string; secret: string }> {
  const iam = inAccount(new s.iam.IAMClient({ region: HOME, maxAttempts: 1 }), security);
  const sns = inAccount(new s.sns.SNSClient({ region: HOME, maxAttempts: 1 }), security);
  try {
    for (const topic of ['breakglass-alerts', 'breakglass-operations']) {
      await sns.send(new s.sns.SubscribeCommand({ TopicArn: `arn:aws:sns:${HOME}:${security}:${topic}`, Protocol: 'email', Endpoint: EMAIL }));
    }
    for (const [i, user] of USERS.entries()) {
      // Not a real secret: moto stores it, doctor never reads it.
      await iam.send(new s.iam.CreateLoginProfileCommand({ UserName: user, Password: 'moto-only-Passw0rd!' }));
      const serial = i === 0
        ? (await iam.send(new s.iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: user }))).VirtualMFADevice!.SerialNumber!
        : 'GAHT12345678'; // a hardware TOTP token's serial number
      await iam.send(new s.iam.EnableMFADeviceCommand({ UserName: user, SerialNumber: serial, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
    }
    await iam.send(new s.iam.CreateUserCommand({ UserName: 'doctor' }));
    const key = (await iam.send(new s.iam.CreateAccessKeyCommand({ UserName: 'doctor' }))).AccessKey!;
    return { id: key.AccessKeyId!, secret: key.SecretAccessKey! };
  } finally {
    for (const c of [iam, sns]) c.destroy();
  }
}
