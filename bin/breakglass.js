#!/usr/bin/env node
// Published entry: runs the TypeScript CLI through tsx (a runtime dependency), so no build step is needed.
require('tsx/cjs');
require('./breakglass.ts');
