/**
 * Golden files of the commands' documents in test/golden/cli/ (test/golden/ itself holds the alert texts, owned by
 * test/notify/render.test.ts, which checks that none there is stale): the expected text is reviewed by people. UPDATE_GOLDEN=1 rewrites them (refused when
 * CI is set); then read every changed file (git diff test/golden) before keeping it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDEN_DIR = join(__dirname, '..', 'golden', 'cli');

export function golden(file: string, actual: string, testFile: string): void {
  const path = join(GOLDEN_DIR, file);
  if (process.env.UPDATE_GOLDEN === '1') {
    if (process.env.CI) throw new Error('UPDATE_GOLDEN=1 is not allowed in CI: golden files are reviewed by people, not rewritten by CI.');
    mkdirSync(GOLDEN_DIR, { recursive: true });
    if (!existsSync(path) || readFileSync(path, 'utf8') !== actual) writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden file test/golden/cli/${file}: run UPDATE_GOLDEN=1 node --import tsx --test ${testFile} and review it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `test/golden/cli/${file} differs; if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff`);
}
