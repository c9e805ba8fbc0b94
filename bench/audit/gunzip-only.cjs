'use strict';
// The floor for gzip input in bench/audit.bench.ts: decompress the file and do nothing with the bytes, with the same
// 256 KiB output chunks as lib/detection/fast-lines.ts (faster here than zlib's 16 KiB default, so the floor is not flattered).
//   node bench/audit/gunzip-only.cjs FILE.gz      prints {"bytes":N}
const fs = require('node:fs');
const zlib = require('node:zlib');

async function main(file) {
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(zlib.createGunzip({ chunkSize: 256 * 1024 }))) bytes += chunk.length;
  return bytes;
}

main(process.argv[2]).then(
  (bytes) => process.stdout.write(`${JSON.stringify({ bytes })}\n`),
  (e) => { console.error(e); process.exit(1); },
);
