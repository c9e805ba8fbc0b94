#!/usr/bin/env node
// Runs the test files of one layer, or all of them, with node's test runner (summary lines "# pass N", "# fail N").
//
//   node scripts/run-tests.mjs unit          no synthesis, no moto, no subprocess: the pure logic, in seconds
//   node scripts/run-tests.mjs integration   synthesized templates, cdk-nag, cfn-lint, iam-simulate, moto, the packaged CLI
//   node scripts/run-tests.mjs journey       a new user's path on a fresh copy: npm ci, quickstart, cdk ls, npm pack + install
//   node scripts/run-tests.mjs all           all three (npm test)
//   node scripts/run-tests.mjs --list [layer]  which file is in which layer, and why
//
// A file's layer follows from what it imports, so it cannot drift from what the file does: test/journey/ is the
// journey; a file importing the synthesis, nag, cfn-lint or moto helpers, aws-cdk-lib, the app composition or
// node:child_process is integration; everything else is unit.
// Integration files share one synthesis per config variant through BREAKGLASS_TEST_SYNTH_CACHE (test/helpers/synth.ts),
// a directory this script creates for the run and removes afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const LAYERS = ['unit', 'integration', 'journey'];

const INTEGRATION_IMPORTS = [
  [/from '(\.\.\/)+helpers\/(synth|nag)'/, 'synthesizes the app (test helper)'],
  [/from '(\.\.\/)+helpers\/cfn-lint'/, 'runs cfn-lint'],
  [/from '(\.\.\/)+helpers\/moto'/, 'starts moto_server'],
  [/from '(\.\.\/)+(doctor|drill|links)\/moto-[\w-]+'/, 'starts moto (test helper)'],
  [/from 'aws-cdk-lib[/']/, 'builds CDK constructs'],
  [/from '(\.\.\/)+lib\/app'/, 'synthesizes the app'],
  [/from 'node:child_process'/, 'runs subprocesses'],
];

function testFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

function classify(file) {
  const rel = relative(root, file);
  if (rel.startsWith(join('test', 'journey'))) return { layer: 'journey', why: 'test/journey/' };
  const text = readFileSync(file, 'utf8');
  for (const [re, why] of INTEGRATION_IMPORTS) if (re.test(text)) return { layer: 'integration', why };
  return { layer: 'unit', why: 'pure logic' };
}

const args = process.argv.slice(2);
const list = args[0] === '--list';
const wanted = (list ? args[1] : args[0]) ?? 'all';
if (wanted !== 'all' && !LAYERS.includes(wanted)) {
  process.stderr.write(`usage: node scripts/run-tests.mjs [--list] [${LAYERS.join('|')}|all]\n`);
  process.exit(2);
}
const files = testFiles(join(root, 'test')).map((f) => ({ file: f, ...classify(f) }))
  .filter((f) => wanted === 'all' || f.layer === wanted);

if (list) {
  for (const f of files) process.stdout.write(`${f.layer.padEnd(12)} ${relative(root, f.file).padEnd(48)} ${f.why}\n`);
  process.exit(0);
}

const cache = mkdtempSync(join(tmpdir(), 'breakglass-synth-cache-'));
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files.map((f) => relative(root, f.file))], {
  cwd: root, stdio: 'inherit', env: { ...process.env, BREAKGLASS_TEST_SYNTH_CACHE: cache },
});
const cleanup = () => { try { if (statSync(cache)) rmSync(cache, { recursive: true, force: true }); } catch { /* already gone */ } };
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { child.kill(sig); });
child.on('exit', (code, signal) => {
  cleanup();
  process.exitCode = code ?? (signal ? 1 : 0);
});
