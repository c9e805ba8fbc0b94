#!/usr/bin/env node
// Entry of the `breakglass` command: runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci` and
// `npm pack` run through "prepare", and `npm test` before the tests).
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const compiled = path.join(__dirname, '..', 'dist', 'bin', 'breakglass.js');
if (!fs.existsSync(compiled)) {
  process.stderr.write(`error: breakglass is not built (${compiled} is missing); run \`npm run build\` in ${path.join(__dirname, '..')}\n`);
  process.exitCode = 3;
} else {
  require(compiled);
}
