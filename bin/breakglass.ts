#!/usr/bin/env node
import { main } from '../lib/cli/program';

// A reader that stops early (`breakglass simulate … | head`) closes the pipe: that ends the command quietly, as it
// does for other Unix tools, instead of an unhandled EPIPE stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
