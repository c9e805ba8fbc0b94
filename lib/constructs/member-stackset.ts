import { CfnStackSet } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface MemberStackSetProps {
  readonly stackSetName: string;
  /** The member template, already synthesized. Inline body: member accounts need no CDK bootstrap. */
  readonly templateBody: string;
  readonly regions: readonly string[];
  /** Service-managed, auto-deployed to these OUs. */
  readonly organizationalUnits?: readonly string[];
  /** Self-managed, to exactly these accounts. */
  readonly accounts?: readonly string[];
  /** Deploy as the management account (SELF) or a StackSets delegated administrator. @default 'SELF' */
  readonly callAs?: 'SELF' | 'DELEGATED_ADMIN';
  /**
   * Accounts inside the targeted OUs that must not get the member baseline (AccountFilterType DIFFERENCE), and that
   * may not be listed in `accounts` either. The security account belongs here: its own stacks already create the
   * forwarder roles and rules under the same names, so a stack instance there would fail on "already exists".
   * @default - none
   */
  readonly excludeAccounts?: readonly string[];
  /**
   * Values of the member template's parameters, by name (ParameterKey). A parameter left out takes the template's
   * default whenever CloudFormation updates the StackSet from this resource.
   * @default - none
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** TemplateBody limit of CloudFormation (AWS::CloudFormation::StackSet TemplateBody: 51,200 bytes). */
export const TEMPLATE_BODY_LIMIT = 51_200;

/**
 * Carries the member baseline to every target account and region.
 *
 * Service-managed with auto-deployment for OUs: new accounts get the role without anyone acting, removed accounts
 * lose it (CloudFormation user guide, "Enable or disable automatic deployments for StackSets in AWS Organizations").
 * Service-managed StackSets never deploy to the management account, even when it sits in a targeted OU ("StackSets
 * doesn't deploy stack instances to the organization's management account"); the app handles that account with its
 * own stacks. Self-managed for explicit accounts needs AWSCloudFormationStackSetAdministrationRole in the deploying
 * account and AWSCloudFormationStackSetExecutionRole in each target (CloudFormation user guide, "Grant self-managed
 * permissions").
 */
export class MemberStackSets extends Construct {
  readonly stackSets: CfnStackSet[] = [];

  constructor(scope: Construct, id: string, props: MemberStackSetProps) {
    super(scope, id);
    const problems: string[] = [];
    const size = Buffer.byteLength(props.templateBody, 'utf8');
    if (size > TEMPLATE_BODY_LIMIT) problems.push(`member template is ${size} bytes; StackSet TemplateBody allows ${TEMPLATE_BODY_LIMIT}`);
    if (props.regions.length === 0) problems.push('expected at least one region');
    const ous = props.organizationalUnits ?? [];
    const accounts = props.accounts ?? [];
    if (ous.length === 0 && accounts.length === 0) problems.push('expected organizational units or accounts');
    const exclude = props.excludeAccounts ?? [];
    for (const a of accounts.filter((x) => exclude.includes(x))) problems.push(`account ${a} is excluded from the member baseline and cannot be a target`);
    if (problems.length) throw new Error(`MemberStackSets: ${problems.join('; ')}`);

    const common = {
      templateBody: props.templateBody,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      description: 'breakglass member baseline: break-glass role (home region) and event forwarders (every region).',
      managedExecution: { Active: true },
      ...(props.parameters && Object.keys(props.parameters).length > 0
        ? { parameters: Object.entries(props.parameters).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue })) }
        : {}),
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
      },
    };
    if (ous.length > 0) {
      this.stackSets.push(new CfnStackSet(this, 'ServiceManaged', {
        ...common,
        stackSetName: props.stackSetName,
        permissionModel: 'SERVICE_MANAGED',
        callAs: props.callAs ?? 'SELF',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        stackInstancesGroup: [{
          regions: [...props.regions],
          deploymentTargets: exclude.length > 0
            ? { organizationalUnitIds: [...ous], accounts: [...exclude], accountFilterType: 'DIFFERENCE' }
            : { organizationalUnitIds: [...ous] },
        }],
      }));
    }
    if (accounts.length > 0) {
      this.stackSets.push(new CfnStackSet(this, 'SelfManaged', {
        ...common,
        stackSetName: `${props.stackSetName}-accounts`,
        permissionModel: 'SELF_MANAGED',
        stackInstancesGroup: [{ regions: [...props.regions], deploymentTargets: { accounts: [...accounts] } }],
      }));
    }
  }
}
