'use strict';
// Preload for benchmark children when /usr/bin/time is missing (bench/lib/process-runner.ts): on exit, the child
// writes its own peak RSS (kB, process.resourceUsage().maxRSS) to the file named in $BENCH_RSS_FILE.
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
