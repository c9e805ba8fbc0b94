import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/synth';

const ROOT = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'breakglass-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('breakglass validate', () => {
  it('accepts the example and summarizes it on stdout', async () => {
    const r = await runCli('validate', '--config', EXAMPLE_CONFIG);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: valid\n/);
    assert.match(r.stdout, /Break-glass users  BreakGlassUser1, BreakGlassUser2/);
    assert.match(r.stdout, /Alerts go to       email security-alerts@example\.com/);
    assert.equal(r.stderr, '');
  });

  it('refuses a bad config with exit 2, one line per problem on stderr, nothing on stdout', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'securityAccount:\n  accountId: 22\norganization:\n  managementAccountId: "111111111111"\n  targets: {accounts: ["333333333333"]}\nusers: [{name: a}, {nmae: b}]\nalerts: {emails: [x]}\n');
    const r = await runCli('validate', '-c', file);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.some((l) => l.startsWith(`${file}:2: securityAccount.accountId: expected a quoted 12-digit`)), r.stderr);
    assert.ok(lines.some((l) => l.startsWith(`${file}:6: users[1].nmae: unknown key`)), r.stderr);
    assert.ok(lines.some((l) => l.startsWith(`${file}:6: users[1].name: missing`)), r.stderr);
    assert.ok(lines.some((l) => l.startsWith(`${file}:7: alerts.emails[0]: expected an email address`)), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('usage errors exit 2', async () => {
    assert.equal((await runCli('validate')).code, 2);
    assert.equal((await runCli('frobnicate')).code, 2);
  });
});

describe('breakglass synth', () => {
  it('writes every stack and the member template, offline', async () => {
    const out = join(tmp, 'cdk.out');
    const r = await runCli('synth', '-c', EXAMPLE_CONFIG, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Synthesized 35 stacks/);
    const files = readdirSync(out);
    assert.ok(files.includes('Breakglass-Security.template.json'));
    assert.ok(files.includes('Breakglass-MemberStackSets.template.json'));
    assert.ok(existsSync(join(out, 'member-template.out', 'Breakglass-MemberTemplate.template.json')));
  });
});

describe('the installed bin', () => {
  it('bin/breakglass.js runs and prints help with exit codes', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'breakglass.js'), '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: breakglass/);
    assert.match(r.stdout, /Exit codes:/);
  });
  it('a bad config through the real process: exit 2 and no stack trace', () => {
    const file = join(tmp, 'n.yaml');
    writeFileSync(file, 'securityAccount: 1\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'breakglass.js'), 'validate', '-c', file], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.match(r.stderr, /securityAccount: expected object/);
  });
  it('the CDK app entry synthesizes through cdk.json (npx cdk synth equivalent)', () => {
    const out = join(tmp, 'cdkapp.out');
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bin', 'app.ts')], { cwd: ROOT, env: { ...process.env, CDK_OUTDIR: out }, encoding: 'utf8' });
    assert.ok(existsSync(join(out, 'Breakglass-Security.template.json')));
  });
});

describe('the esbuild bundle (what bin/breakglass.js runs after npm ci)', () => {
  it('builds and runs test-pattern and validate without tsx', () => {
    const out = join(tmp, 'bundle', 'breakglass.js');
    execFileSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [join(ROOT, 'bin', 'breakglass.ts'), '--bundle', '--platform=node', '--target=node20', `--outfile=${out}`, '--external:aws-cdk-lib', '--external:constructs', '--log-level=warning'], { cwd: ROOT });
    const tp = spawnSync(process.execPath, [out, 'test-pattern', '-p', '{"source":["aws.signin"]}'], { input: '{"source":"aws.signin"}\n{"source":"aws.sts"}\n', encoding: 'utf8' });
    assert.equal(tp.status, 0, tp.stderr);
    assert.equal(tp.stdout, 'true\nfalse\n');
    const v = spawnSync(process.execPath, [out, 'validate', '-q', '-c', EXAMPLE_CONFIG], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
  });
});
