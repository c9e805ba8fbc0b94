'use strict';
// Parse-only baseline of bench/simulate.bench.ts, plain Node with nothing of breakglass loaded:
//   node bench/simulate/parse-only.cjs FILE [lines|document]      prints {"events":N}
// lines: stream the file in 1 MiB reads (as lib/detection/read-events.ts does; .gz through zlib.createGunzip), split
// on newlines, JSON.parse each line. document: a CloudTrail log file is one JSON document, read whole and parsed once.
// The stage breakdown (bench/simulate/stage-child.ts) times parseOnly() in-process as its first row.
const fs = require('node:fs');
const zlib = require('node:zlib');

/** Number of values parsed from `file`. */
async function parseOnly(file, mode = 'lines') {
  if (mode === 'document') return JSON.parse(fs.readFileSync(file, 'utf8')).Records.length;
  let n = 0;
  let s = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  if (file.endsWith('.gz')) s = s.pipe(zlib.createGunzip());
  s.setEncoding('utf8');
  let tail = '';
  for await (const chunk of s) {
    const text = tail + chunk;
    let start = 0;
    let nl;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      if (nl > start) { JSON.parse(text.slice(start, nl)); n++; }
      start = nl + 1;
    }
    tail = text.slice(start);
  }
  if (tail.trim()) { JSON.parse(tail); n++; }
  return n;
}

module.exports = { parseOnly };

if (require.main === module) {
  const [file, mode] = process.argv.slice(2);
  parseOnly(file, mode).then(
    (events) => process.stdout.write(`${JSON.stringify({ events })}\n`),
    (e) => { console.error(e); process.exit(1); },
  );
}
