import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';

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
    assert.match(r.stdout, /Synthesized \d+ stacks/);
    const files = readdirSync(out);
    assert.ok(files.includes('Breakglass-Security.template.json'));
    assert.ok(files.includes('Breakglass-MemberStackSets.template.json'));
    assert.ok(existsSync(join(out, 'member-template.out', 'Breakglass-MemberTemplate.template.json')));
  });
  it('synthesizes again into its own previous output (npm start twice)', async () => {
    const out = join(tmp, 'cdk.out');
    writeFileSync(join(out, 'kept.txt'), 'a file synthesis did not write');
    const r = await runCli('synth', '-c', EXAMPLE_CONFIG, '--out', out, '--no-summary');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(out, 'kept.txt')), 'files synthesis did not write are kept');
    assert.ok(existsSync(join(out, 'Breakglass-Security.template.json')));
  });
});

describe('the packaged command (bin/breakglass.js runs the build in dist/)', () => {
  const bin = join(ROOT, 'bin', 'breakglass.js');
  it('prints help with exit codes', () => {
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: breakglass/);
    assert.match(r.stdout, /Exit codes:/);
  });
  it('--version prints the version from package.json', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });
  it('a bad config through the real process: exit 2 and no stack trace', () => {
    const file = join(tmp, 'n.yaml');
    writeFileSync(file, 'securityAccount: 1\n');
    const r = spawnSync(process.execPath, [bin, 'validate', '-c', file], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.match(r.stderr, /securityAccount: expected object/);
  });
  it('test-pattern and validate run without tsx', () => {
    const tp = spawnSync(process.execPath, [bin, 'test-pattern', '-p', '{"source":["aws.signin"]}'], { input: '{"source":"aws.signin"}\n{"source":"aws.sts"}\n', encoding: 'utf8' });
    assert.equal(tp.status, 0, tp.stderr);
    assert.equal(tp.stdout, 'true\nfalse\n');
    const v = spawnSync(process.execPath, [bin, 'validate', '-q', '-c', EXAMPLE_CONFIG], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
  });
  it('synth from another working directory ships the prebuilt notifier and liveness bundles', () => {
    const cwd = mkdtempSync(join(tmp, 'elsewhere-'));
    const out = join(cwd, 'assembly');
    const r = spawnSync(process.execPath, [bin, 'synth', '--config', EXAMPLE_CONFIG, '--out', out, '--no-summary'], { cwd, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Synthesized \d+ stacks/);
    const manifest = JSON.parse(readFileSync(join(out, 'Breakglass-Security.assets.json'), 'utf8'));
    const lambdaAssets = Object.values(manifest.files as Record<string, { source: { path: string; packaging?: string } }>)
      .filter((f) => f.source.packaging === 'zip');
    // Two zipped assets: the notifier and the forwarder-liveness functions (one bundle for both).
    assert.equal(lambdaAssets.length, 2, 'two zipped assets: the notifier and the liveness bundle');
    const shipped = lambdaAssets.map((a) => readFileSync(join(out, a.source.path, 'index.js')));
    for (const bundle of ['notifier', 'liveness']) {
      const built = readFileSync(join(ROOT, 'dist', bundle, 'index.js'));
      assert.ok(shipped.some((x) => x.equals(built)), `the ${bundle} asset is the bundle built with the package`);
    }
  });
});
