import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads a small text file (a config, an event pattern) with a size limit, so that `-c /dev/zero` or a multi-gigabyte
 * file by mistake ends at once with a clear error instead of reading until memory runs out. Regular files are
 * refused by their size before anything is read; devices and pipes after at most `maxBytes` + 1 bytes.
 * Errors carry a `code`: the errno code (ENOENT, EACCES, …), EISDIR for a directory, or ETOOBIG.
 */
export function readTextFileLimited(file: string, maxBytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR' });
    if (st.isFile() && st.size > maxBytes) throw tooBig(file, maxBytes);
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    while (total < buf.length) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > maxBytes) throw tooBig(file, maxBytes);
    return buf.toString('utf8', 0, total);
  } finally {
    closeSync(fd);
  }
}

function tooBig(file: string, maxBytes: number): Error {
  return Object.assign(new Error(`${file} is larger than ${maxBytes} bytes`), { code: 'ETOOBIG' });
}
