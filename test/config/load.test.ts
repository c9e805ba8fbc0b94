import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFile, parseConfigText } from '../../lib/config/load';
import { configJsonSchema } from '../../lib/config/json-schema';
import { DEFAULT_ENABLED_REGIONS } from '../../lib/config/regions';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml');

/** The contract snippet of the deployment issue, verbatim in meaning: it must validate as is. */
const CONTRACT = `
securityAccount:
  accountId: "222222222222"
  region: us-east-1
organization:
  managementAccountId: "111111111111"
  targets:
    organizationalUnits: ["r-ab12"]
    accounts: []
users:
  - name: BreakGlassUser1
  - name: BreakGlassUser2
role:
  name: BreakGlassRole
  managedPolicies: [IAMFullAccess]
  maxSessionDuration: 3600
alerts:
  emails: ["security-alerts@example.com"]
`;

function problems(text: string, file = 'bad.yaml'): string[] {
  try {
    parseConfigText(text, file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return [...e.problems];
  }
  assert.fail('expected the config to be refused');
}

describe('config: valid files', () => {
  it('the bundled example validates and keeps account IDs as strings', () => {
    const { config } = loadConfigFile(EXAMPLE);
    assert.equal(config.securityAccount.accountId, '222222222222');
    assert.equal(config.organization.managementAccountId, '111111111111');
    assert.deepEqual(config.users.map((u) => u.name), ['BreakGlassUser1', 'BreakGlassUser2']);
  });

  it('the contract snippet validates and gets documented defaults', () => {
    const c = parseConfigText(CONTRACT, 'contract.yaml');
    assert.equal(c.role.maxSessionDuration, 3600);
    assert.deepEqual(c.regions.enabled, [...DEFAULT_ENABLED_REGIONS]);
    assert.equal(c.cloudTrail.mode, 'create');
    assert.equal(c.organization.deployFrom, 'management');
    assert.equal(c.organization.includeManagementAccount, true);
    assert.equal(c.organization.id, undefined);
  });

  it('JSON is accepted as well as YAML', () => {
    const asJson = JSON.stringify(parseConfigText(CONTRACT));
    assert.equal(parseConfigText(asJson, 'c.json').users.length, 2);
  });

  it('defaults the role when omitted', () => {
    const c = parseConfigText(CONTRACT.replace(/role:[\s\S]*?maxSessionDuration: 3600\n/, ''));
    assert.equal(c.role.name, 'BreakGlassRole');
    assert.deepEqual(c.role.managedPolicies, ['IAMFullAccess']);
  });
});

describe('config: every problem at once, one line each with file, line and field', () => {
  const cases: Array<{ name: string; edit: (t: string) => string; expect: RegExp[] }> = [
    {
      name: 'account ID written as a YAML number',
      edit: (t) => t.replace('accountId: "222222222222"', 'accountId: 012345678901'),
      expect: [/^bad\.yaml:3: securityAccount\.accountId: .*quoted.*leading zeros.*\(got 12345678901\)$/],
    },
    {
      name: 'unknown key (typo)',
      edit: (t) => t.replace('  region: us-east-1', '  regoin: us-east-1'),
      expect: [/^bad\.yaml:4: securityAccount\.regoin: unknown key/],
    },
    {
      name: 'bad email, bad region, bad IAM name, duplicate user (case-insensitive)',
      edit: (t) => t.replace('security-alerts@example.com', 'not-an-email')
        .replace('region: us-east-1', 'region: mars-1')
        .replace('- name: BreakGlassUser2', '- name: breakglassuser1\n  - name: "bad name!"'),
      expect: [
        /^bad\.yaml:4: securityAccount\.region: expected an AWS region name/,
        /^bad\.yaml:12: users\[1\]\.name: duplicate user "breakglassuser1" \(same as users\[0\]/,
        /^bad\.yaml:13: users\[2\]\.name: expected only letters/,
        /^bad\.yaml:19: alerts\.emails\[0\]: expected an email address$/,
      ],
    },
    {
      name: 'missing required section',
      edit: (t) => t.replace(/users:\n(  - name: .*\n)+/, ''),
      expect: [/^bad\.yaml: users: missing; expected a list$/],
    },
    {
      name: 'session duration beyond the IAM maximum',
      edit: (t) => t.replace('maxSessionDuration: 3600', 'maxSessionDuration: 86400'),
      expect: [/^bad\.yaml:16: role\.maxSessionDuration: expected at most 43200 seconds/],
    },
    {
      name: 'no targets and no recipients (semantic checks)',
      edit: (t) => t.replace('organizationalUnits: ["r-ab12"]', 'organizationalUnits: []').replace('emails: ["security-alerts@example.com"]', 'emails: []'),
      expect: [/^bad\.yaml:7: organization\.targets: expected at least one organizational unit or account/, /^bad\.yaml:17: alerts: expected at least one alert recipient/, /^bad\.yaml:17: alerts\.operations: expected operations\.emails/],
    },
    {
      name: 'delegated admin without its account',
      edit: (t) => t.replace('  managementAccountId: "111111111111"', '  managementAccountId: "111111111111"\n  deployFrom: delegated-admin'),
      expect: [/organization\.delegatedAdminAccountId: expected the delegated administrator account ID/],
    },
    {
      name: 'home region not watched; us-east-1 missing',
      edit: (t) => t.replace('region: us-east-1', 'region: eu-west-1').replace('securityAccount:', 'regions:\n  enabled: [eu-central-1]\nsecurityAccount:'),
      expect: [/securityAccount\.region: home region "eu-west-1" must be one of the watched regions/, /regions\.enabled: expected "us-east-1"/],
    },
    {
      name: 'channels: paging URL must be https, Slack IDs and severities are checked',
      edit: (t) => t.replace('emails: ["security-alerts@example.com"]', 'emails: ["security-alerts@example.com"]\n  https: ["http://pager.example.com/hook", {url: "https://events.pagerduty.com/x", minSeverity: urgent}]\n  slack: [{workspaceId: "t-lower", channelId: "C0123"}]'),
      expect: [/alerts\.https\[0\]: /, /alerts\.https\[1\]\.minSeverity: expected one of critical, high, medium, info/, /alerts\.slack\[0\]\.workspaceId: expected the Slack workspace/],
    },
    {
      name: 'security account listed as a StackSet target',
      edit: (t) => t.replace('accounts: []', 'accounts: ["222222222222"]'),
      expect: [/^bad\.yaml:9: organization\.targets\.accounts\[0\]: the security account gets the role and forwarders from its own stacks/],
    },
    {
      name: 'security account equal to the management account (issue 11, item 8)',
      edit: (t) => t.replace('accountId: "222222222222"', 'accountId: "111111111111"'),
      expect: [/^bad\.yaml:3: securityAccount\.accountId: the security account must not be the management account: .*names that already exist.*SCPs cannot protect/],
    },
    {
      name: 'YAML syntax error',
      edit: (t) => t.replace('  - name: BreakGlassUser2', '  - name: BreakGlassUser2\n   bad: indentation'),
      expect: [/^bad\.yaml:13:\d+: YAML syntax: /],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = problems(c.edit(CONTRACT));
      assert.equal(got.length, c.expect.length, `problems:\n${got.join('\n')}`);
      for (const re of c.expect) assert.ok(got.some((p) => re.test(p)), `no problem matches ${re}:\n${got.join('\n')}`);
      for (const p of got) assert.ok(!p.includes('\n') && !/\bat .*\.ts:\d+/.test(p), `one line, no stack: ${p}`);
    });
  }

  it('a file that cannot be read is one clear problem', () => {
    assert.throws(() => loadConfigFile('/nonexistent/breakglass.yaml'), (e: unknown) => e instanceof ConfigError && /cannot read the file \(ENOENT\)/.test(e.problems[0]!));
  });
});

describe('config: JSON Schema for editors', () => {
  it('the committed schema file is the one generated from the zod schema (run `npm run schema`)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schema', 'breakglass.config.schema.json'), 'utf8'));
    assert.deepEqual(committed, configJsonSchema());
  });
  it('refuses unknown keys for completion and typo warnings', () => {
    const s = configJsonSchema() as any;
    assert.equal(s.additionalProperties, false);
    assert.deepEqual(s.required.sort(), ['alerts', 'organization', 'securityAccount', 'users']);
  });
});
