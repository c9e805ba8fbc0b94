#!/usr/bin/env node
// Entry of the `breakglass` command. Runs the esbuild bundle (dist/, built by `npm run build`, which `npm ci` runs
// through "prepare") when it is at least as new as every TypeScript source; otherwise runs the sources through tsx.
// The bundle starts about 0.2 s faster on a small machine (docs/benchmarks.md), which matters for test-pattern
// in loops; the freshness check keeps a stale bundle from ever running edited code's old version.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'breakglass.js');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

let fresh = false;
try {
  const built = fs.statSync(bundle).mtimeMs;
  fresh = built >= Math.max(newestSourceMtime(path.join(root, 'lib')), fs.statSync(path.join(__dirname, 'breakglass.ts')).mtimeMs);
} catch {
  fresh = false;
}
if (fresh && process.env.BREAKGLASS_FROM_SOURCE !== '1') {
  require(bundle);
} else {
  require('tsx/cjs');
  require('./breakglass.ts');
}
