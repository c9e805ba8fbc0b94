/**
 * The user's journey, as the README documents it, on a fresh copy of this repository in a temporary directory:
 * `npm ci`, the quickstart (`npm start`), `npx cdk ls` with each way of naming the config, the packaged `breakglass`
 * run from another directory, `npm pack` installed into an empty project (CLI and `require('breakglass')`), and
 * `tsc --noEmit`. Nothing here runs the sources in-process: every step is a command a user types.
 *
 * The copy holds exactly the files git would clone (tracked and untracked-but-not-ignored, as they are on disk), so
 * a local run checks the working tree and CI, which starts from a clean clone, checks main.
 * Needs the npm registry (or a warm npm cache) for `npm ci`; without it the file is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const REPO = join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'breakglass-journey-'));
const clone = join(work, 'breakglass');
const elsewhere = join(work, 'elsewhere');
after(() => rmSync(work, { recursive: true, force: true }));

/** Environment of a user's shell: no tsx loader or test-runner variables inherited from this process. */
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env)
  .filter(([k]) => !k.startsWith('NODE_TEST') && k !== 'NODE_OPTIONS' && k !== 'BREAKGLASS_CONFIG' && !k.startsWith('CDK_')));

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  // stdin closed: nothing may wait for input; a step that hangs is killed after 5 minutes and reported.
  const r = spawnSync(cmd, args, { cwd, env: { ...userEnv, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 5 * 60_000, killSignal: 'SIGKILL' });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} exited ${r.status}${r.signal ? ` (killed by ${r.signal}: timed out)` : ''}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** Stack names printed by `synth`'s summary ("Synthesized N stacks … :" then one indented line per stack). */
function synthesizedStacks(stdout: string): string[] {
  const m = /Synthesized (\d+) stacks[^\n]*\n((?: {2}\S+[^\n]*\n?)+)/.exec(stdout);
  assert.ok(m, `no stack list in:\n${stdout.slice(-2000)}`);
  const names = m[2]!.trim().split('\n').map((l) => l.trim().split(/\s+/)[0]!);
  assert.equal(names.length, Number(m[1]));
  return names.sort();
}

let skipReason: string | undefined;

before(() => {
  // The files a clone would have: tracked (unless deleted in the working tree) plus untracked, not ignored.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\0').filter((f) => f && existsSync(join(REPO, f)) && statSync(join(REPO, f)).isFile());
  for (const f of new Set(files)) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    copyFileSync(join(REPO, f), join(clone, f));
  }
  mkdirSync(elsewhere);
  const ping = spawnSync(NPM, ['ping'], { encoding: 'utf8', timeout: 30_000 });
  if (ping.status !== 0) skipReason = `the npm registry is unreachable (npm ping: ${(ping.stderr || ping.error?.message || '').trim().split('\n')[0]})`;
});

describe('a new user on a fresh clone', { concurrency: false }, () => {
  let stacks: string[] = [];

  it('npm ci installs and builds the package (prepare)', (t) => {
    if (skipReason) return t.skip(skipReason);
    ok(run(NPM, ['ci', '--no-audit', '--no-fund'], clone), 'npm ci');
    for (const f of ['dist/bin/breakglass.js', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/notifier/index.js']) {
      assert.ok(existsSync(join(clone, f)), `${f} built by npm ci`);
    }
  });

  it('the README quickstart synthesizes the bundled example offline', (t) => {
    if (skipReason) return t.skip(skipReason);
    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    const quickstart = /^```sh\n(.*)\n(.*)\n```/m.exec(readme);
    assert.ok(quickstart, 'the README opens with a two-line sh block');
    assert.match(quickstart[1]!, /^npm ci && npm start\s/, 'first line: install and run the main job');
    assert.match(quickstart[2]!, /^npm test\s/, 'second line: every test');
    stacks = synthesizedStacks(ok(run(NPM, ['start'], clone), 'npm start'));
    assert.ok(stacks.length > 5, 'several stacks');
  });

  it('npx cdk ls lists every stack npm start summarised', (t) => {
    if (skipReason) return t.skip(skipReason);
    const listed = ok(run('npx', ['cdk', 'ls'], clone), 'npx cdk ls').trim().split('\n').sort();
    assert.deepEqual(listed, stacks);
  });

  it('cdk reads the config from -c breakglass:config=FILE and from BREAKGLASS_CONFIG', (t) => {
    if (skipReason) return t.skip(skipReason);
    // A config with the guardrail SCP on: one stack more than the example, so the right file is seen to be used.
    const example = readFileSync(join(clone, 'examples', 'breakglass.config.yaml'), 'utf8');
    const variant = join(elsewhere, 'with-guardrails.yaml');
    writeFileSync(variant, example.replace(/^guardrails:[\s\S]*?(?=^\S|(?![\s\S]))/m, '')
      + '\nguardrails:\n  serviceControlPolicy:\n    enabled: true\n    targets: ["r-ab12"]\n');
    const viaContext = ok(run('npx', ['cdk', 'ls', '-c', `breakglass:config=${variant}`], clone), 'cdk ls -c').trim().split('\n');
    const viaEnv = ok(run('npx', ['cdk', 'ls'], clone, { BREAKGLASS_CONFIG: variant }), 'cdk ls with BREAKGLASS_CONFIG').trim().split('\n');
    assert.ok(viaContext.includes('Breakglass-Guardrails'), viaContext.join(' '));
    assert.deepEqual(viaEnv.sort(), viaContext.sort());
    assert.equal(viaContext.length, stacks.length + 1);
    const synth = run('npx', ['cdk', 'synth', '-c', `breakglass:config=${variant}`, '--quiet', 'Breakglass-Guardrails'], clone);
    ok(synth, 'cdk synth of one stack');
  });

  it('the packaged command synthesizes from another working directory', (t) => {
    if (skipReason) return t.skip(skipReason);
    const out = join(elsewhere, 'assembly');
    const r = run('node', [join(clone, 'bin', 'breakglass.js'), 'synth', '--config', join(clone, 'examples', 'breakglass.config.yaml'), '--out', out], elsewhere);
    assert.deepEqual(synthesizedStacks(ok(r, 'breakglass synth')), stacks);
    assert.ok(existsSync(join(out, 'manifest.json')));
  });

  it('npm pack, installed into an empty project, gives a working CLI and construct library', (t) => {
    if (skipReason) return t.skip(skipReason);
    const tarball = join(clone, ok(run(NPM, ['pack', '--silent'], clone), 'npm pack').trim().split('\n').pop()!);
    const listing = ok(run('tar', ['-tzf', tarball], clone), 'tar -t').split('\n');
    assert.ok(listing.includes('package/dist/notifier/index.js'), 'the notifier bundle ships');
    assert.ok(listing.includes('package/dist/lib/index.d.ts'), 'type declarations ship');
    assert.ok(!listing.some((f) => f.startsWith('package/test/') || (f.startsWith('package/lib/') && f.endsWith('.ts'))), 'no tests or TypeScript sources');

    const project = join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
    ok(run(NPM, ['install', '--no-audit', '--no-fund', tarball], project), 'npm install <tarball>');
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'breakglass', 'package.json'), 'utf8'));
    for (const dev of ['tsx', 'esbuild', 'typescript']) assert.ok(!(dev in installed.dependencies), `${dev} is not a runtime dependency`);
    assert.ok(!existsSync(join(project, 'node_modules', 'tsx')), 'tsx is not installed for users');

    const version = ok(run('npx', ['breakglass', '--version'], project), 'npx breakglass --version').trim();
    assert.equal(version, installed.version);
    const config = join(project, 'node_modules', 'breakglass', 'examples', 'breakglass.config.yaml');
    const synth = run('npx', ['breakglass', 'synth', '--config', config, '--out', join(project, 'cdk.out')], project);
    assert.deepEqual(synthesizedStacks(ok(synth, 'npx breakglass synth')), stacks);

    const probe = [
      "const b = require('breakglass');",
      "for (const k of ['BreakGlassRole', 'BreakGlassUsers', 'buildApp', 'loadConfigFile', 'SecurityStack']) if (typeof b[k] !== 'function') throw new Error(k + ' missing');",
      "const os = require('node:os'), fs = require('node:fs'), path = require('node:path');",
      "const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-lib-'));",
      `const { config } = b.loadConfigFile(${JSON.stringify(config)});`,
      'const n = b.buildApp(config, { outdir: out }).app.synth().stacks.length;',
      'fs.rmSync(out, { recursive: true, force: true });',
      'console.log(n);',
    ].join('\n');
    assert.equal(Number(ok(run('node', ['-e', probe], project), 'require(breakglass)').trim()), stacks.length);
    assert.ok(readdirSync(join(project, 'node_modules', 'breakglass', 'dist', 'lib')).includes('index.d.ts'));
  });

  it('the clone type-checks (tsc --noEmit)', (t) => {
    if (skipReason) return t.skip(skipReason);
    ok(run('npx', ['tsc', '--noEmit'], clone), 'tsc --noEmit');
  });
});
