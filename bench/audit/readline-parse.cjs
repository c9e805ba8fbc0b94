'use strict';
// Baseline of bench/audit.bench.ts, plain Node with nothing of breakglass loaded, exactly as the issue states it:
// readline over the file (.gz through zlib.createGunzip) and JSON.parse of every line.
//   node bench/audit/readline-parse.cjs FILE      prints {"events":N}
const fs = require('node:fs');
const readline = require('node:readline');
const zlib = require('node:zlib');

async function main(file) {
  let input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  if (file.endsWith('.gz')) input = input.pipe(zlib.createGunzip());
  let n = 0;
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim()) { JSON.parse(line); n++; }
  }
  return n;
}

main(process.argv[2]).then(
  (events) => process.stdout.write(`${JSON.stringify({ events })}\n`),
  (e) => { console.error(e); process.exit(1); },
);
