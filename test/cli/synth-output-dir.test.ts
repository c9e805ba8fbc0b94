/** `synth --out` never destroys what it did not write: refusals before any synthesis, and a previous output cleared by name. */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { prepareSynthOutput } from '../../lib/cli/synth-output-dir';
import { runCli } from '../helpers/cli';
import { EXAMPLE_CONFIG } from '../helpers/config';

const tmp = mkdtempSync(join(tmpdir(), 'breakglass-out-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function userFolder(): string {
  const dir = mkdtempSync(join(tmp, 'user-'));
  copyFileSync(EXAMPLE_CONFIG, join(dir, 'config.yaml'));
  writeFileSync(join(dir, 'notes.txt'), 'keep me');
  return dir;
}

describe('synth --out refuses paths it would destroy (exit 2, files untouched)', () => {
  const cases: Array<[string, (dir: string) => string, RegExp]> = [
    ['the working directory', () => '.', /is the working directory or one of its parents/],
    ['a parent of the working directory', () => '..', /is the working directory or one of its parents/],
    ['the config file itself', () => 'config.yaml', /holds the config file|not a directory/],
    ['a plain file', () => 'notes.txt', /exists and is not a directory/],
    ['a folder of the user\'s files', (dir) => { mkdirSync(join(dir, 'docs')); writeFileSync(join(dir, 'docs', 'a.md'), 'x'); return 'docs'; }, /is not a breakglass synthesis output/],
    ['a symbolic link', (dir) => { mkdirSync(join(dir, 'real')); symlinkSync(join(dir, 'real'), join(dir, 'link')); return 'link'; }, /symbolic link/],
  ];
  for (const [name, out, message] of cases) {
    it(name, async () => {
      const dir = userFolder();
      const target = out(dir);
      const before = readdirSync(dir).sort();
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        const r = await runCli('synth', '-c', 'config.yaml', '--out', target);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      } finally {
        process.chdir(cwd);
      }
      assert.deepEqual(readdirSync(dir).sort(), before, 'nothing removed');
      assert.ok(existsSync(join(dir, 'config.yaml')));
    });
  }
});

describe('a previous breakglass output is cleared by name only', () => {
  it('removes what synthesis writes and keeps a file the user put there', () => {
    const out = join(tmp, 'assembly');
    mkdirSync(join(out, 'asset.0123abcd'), { recursive: true });
    mkdirSync(join(out, 'member-template.out'));
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts: { 'Breakglass-Security': { type: 'aws:cloudformation:stack' } } }));
    for (const f of ['tree.json', 'cdk.out', 'Breakglass-Security.template.json', 'Breakglass-Security.assets.json', 'README-mine.txt']) writeFileSync(join(out, f), '{}');
    prepareSynthOutput(out, EXAMPLE_CONFIG);
    assert.deepEqual(readdirSync(out), ['README-mine.txt']);
  });

  it('a CDK assembly of another app is not ours', () => {
    const out = join(tmp, 'other');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts: { 'MyApp-Stack': { type: 'aws:cloudformation:stack' } } }));
    assert.throws(() => prepareSynthOutput(out, EXAMPLE_CONFIG), /not a breakglass synthesis output/);
    assert.ok(existsSync(join(out, 'manifest.json')));
  });

  it('a new path and an empty directory are fine', () => {
    prepareSynthOutput(join(tmp, 'new', 'deeper'), EXAMPLE_CONFIG);
    mkdirSync(join(tmp, 'empty'));
    prepareSynthOutput(join(tmp, 'empty'), EXAMPLE_CONFIG);
  });
});
