/** The deployment plan as a numbered checklist for people (plain text: it gets pasted into tickets and runbooks). */
import type { DeployPlan } from './plan';
import { wrapCommand } from './shell-words';

const WIDTH = 110;
const INDENT = '    ';

export function renderPlanText(plan: DeployPlan, configFile: string): string {
  const lines = [
    `Deployment plan for ${configFile}: ${plan.steps.length} steps, in this order.`,
    ...wrap('Each step runs with the credentials of the one account it names. Run the npx commands in the breakglass directory (where cdk.json is).', WIDTH),
  ];
  plan.steps.forEach((s, i) => {
    lines.push('', ...wrap(s.title, WIDTH - INDENT.length).map((l, j) => (j ? `${INDENT}${l}` : `${String(i + 1).padStart(2)}. ${l}`)));
    lines.push(`${INDENT}account      ${s.account} (${s.accountRole})`);
    lines.push(...wrap(s.credentials, WIDTH - INDENT.length - 13).map((l, j) => `${INDENT}${j ? ' '.repeat(13) : 'credentials  '}${l}`));
    for (const c of s.commands) lines.push(...wrapCommand(`$ ${c}`, WIDTH - INDENT.length, 6).map((l) => `${INDENT}${l}`));
    for (const n of s.notes ?? []) lines.push(...wrap(n, WIDTH - INDENT.length - 2).map((l, j) => `${INDENT}${j ? '  ' : '- '}${l}`));
  });
  for (const p of ABOUT) lines.push(...(typeof p === 'string' ? ['', ...wrap(p, WIDTH)] : [`${INDENT}${p.code}`]));
  return `${lines.join('\n')}\n`;
}

/** After the steps: why no --trust, the one-CI-account variant, and the deploy flags. A `code` line is never wrapped. */
const ABOUT: ReadonlyArray<string | { code: string }> = [
  'No --trust on the bootstrap commands: every step runs with the credentials of its own account, so the bootstrap roles need to trust no other account.',
  'Deploying everything from one CI account instead: add these flags to each bootstrap command, then run the deploy steps with the CI account\'s credentials (the CDK assumes the bootstrap roles of each account):',
  { code: '--trust CI_ACCOUNT_ID --trust-for-lookup CI_ACCOUNT_ID --cloudformation-execution-policies POLICY_ARN' },
  'POLICY_ARN is what every CloudFormation deployment through that bootstrap may do. arn:aws:iam::aws:policy/AdministratorAccess works but makes the CI account an administrator of the security and management accounts; prefer a customer managed policy limited to the services these stacks use (docs/deployment.md lists them). The stacks create IAM users and roles, so even that policy is powerful: guard the CI account like the management account.',
  'Every deploy uses --exclusively (the stacks depend on stacks in other accounts, which cdk deploy would otherwise add to the selection and deploy with the wrong credentials) and --require-approval broadening (stops for a yes/no before any IAM or security group widening; in CI, review `cdk diff` and use --require-approval never).',
  'Checklist and background (opt-in regions, region-deny SCPs, bootstrap qualifier, rollout time, cost, upgrade, uninstall): docs/deployment.md',
];

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
