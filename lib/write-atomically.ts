import { randomBytes } from 'node:crypto';
import {
  accessSync, chmodSync, chownSync, closeSync, constants, fsyncSync, linkSync, lstatSync, openSync, realpathSync, renameSync, rmSync,
  statSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A target the writer will not write to (a directory, a block device, a dangling link…): a usage problem. */
export class WriteRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteRefused';
  }
}

/**
 * Writes `text` to `file` so that a reader (or a printer) never sees a half-written emergency sheet or drill record,
 * and an existing good file is replaced only by a complete one, without destroying what the path is:
 * - a regular file (or a new one): written next to it under a temporary name (created exclusively, so a planted
 *   symlink is never followed), flushed, given the existing file's mode (and owner, as root), then renamed over it;
 * - a symbolic link to a regular file: the TARGET is replaced that way and the link stays a link;
 * - `-`, a FIFO or a character device (/dev/stdout, /dev/tty, a pipe): written through, in place (there is no file to
 *   replace; renaming over /dev/stdout would turn the device into a plain file); a FIFO nobody reads is refused
 *   instead of blocking forever;
 * - a directory, a block device, a socket or a dangling symlink: refused (WriteRefused) with the reason.
 */
export function writeAtomically(file: string, text: string): void {
  const fd = standardFd(file);
  if (fd !== undefined) { writeAll(fd, text); return; }
  let lst: Stats;
  try {
    lst = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    replaceRegular(file, text, undefined);
    return;
  }
  if (lst.isSymbolicLink()) {
    let st: Stats;
    try {
      st = statSync(file);
    } catch {
      throw new WriteRefused(`${file} is a symbolic link to a missing file; write to its target directly, or remove the link`);
    }
    if (st.isFile()) replaceRegular(realpathSync(file), text, st);
    else writeThrough(file, text, st);
    return;
  }
  if (lst.isFile()) replaceRegular(file, text, lst);
  else writeThrough(file, text, lst);
}

/**
 * Creates `file`, complete or not at all, and never replaces anything: for records (a seal) whose name must not
 * overwrite one someone else wrote. The text goes to a temporary file created exclusively next to it, is flushed,
 * then hard-linked to the final name (link(2) fails with EEXIST when the name is taken, also by a dangling symlink),
 * and the temporary name is removed. Where hard links are not supported, the file is created with O_EXCL directly
 * (exclusive, but a crash may leave it short). Throws with code EEXIST when the name is taken.
 */
export function createAtomically(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
  try {
    writeAll(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    try {
      linkSync(tmp, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
      const direct = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
      try { writeAll(direct, text); fsyncSync(direct); } finally { closeSync(direct); }
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}

/**
 * Refuses, before any work is done, a target writeAtomically would refuse or could not write: so a command that
 * runs for minutes (listing an organization, a drill) does not lose its result at the end. Creates nothing.
 */
export function checkWritable(file: string): void {
  if (standardFd(file) !== undefined) return;
  let st: Stats | undefined;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let link = false;
    try { link = lstatSync(file).isSymbolicLink(); } catch { /* nothing there */ }
    if (link) throw new WriteRefused(`${file} is a symbolic link to a missing file; write to its target directly, or remove the link`);
  }
  if (st && !st.isFile()) {
    refusal(file, st); // throws for what cannot be written through
    return;
  }
  const dir = dirname(st ? realpathSync(file) : file);
  probeDirectory(dir);
}

/**
 * A directory that exists, or could be created, and in which a file can be created. Creates nothing that stays: a
 * missing directory is checked through its nearest existing ancestor.
 */
export function checkDirectoryWritable(dir: string): void {
  let at = resolve(dir);
  for (;;) {
    let st: Stats | undefined;
    try { st = statSync(at); } catch (e) { const code = (e as NodeJS.ErrnoException).code; if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e; }
    if (st) {
      if (!st.isDirectory()) throw new WriteRefused(at === resolve(dir) ? 'it exists and is not a directory' : `${at} is not a directory`);
      probeDirectory(at);
      return;
    }
    const up = dirname(at);
    if (up === at) return;
    at = up;
  }
}

function probeDirectory(dir: string): void {
  // access(W_OK) is not enough (root passes it on a read-only file system): create and remove a file.
  const probe = join(dir, `.breakglass-write-test.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  closeSync(fd);
  rmSync(probe, { force: true });
}

function refusal(file: string, st: Stats): void {
  if (st.isDirectory()) throw new WriteRefused(`${file} is a directory; name a file in it`);
  if (st.isBlockDevice()) throw new WriteRefused(`${file} is a block device; refusing to write to it`);
  if (st.isSocket()) throw new WriteRefused(`${file} is a socket; name a file`);
}

function replaceRegular(file: string, text: string, existing: Stats | undefined): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    writeAll(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (existing) {
      chmodSync(tmp, existing.mode & 0o7777);
      const uid = process.getuid?.();
      if (uid === 0 && (existing.uid !== 0 || existing.gid !== 0)) {
        try { chownSync(tmp, existing.uid, existing.gid); } catch { /* keep ours */ }
      }
    }
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}

function writeThrough(file: string, text: string, st: Stats): void {
  refusal(file, st);
  if (st.isFIFO()) {
    // Opening a FIFO for writing blocks until someone reads it: ask first, without blocking.
    let probe: number;
    try {
      probe = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENXIO') throw new WriteRefused(`${file} is a FIFO that nobody is reading; start the reader first`);
      throw e;
    }
    try {
      const fd = openSync(file, constants.O_WRONLY); // a reader is there: does not block
      try { writeAll(fd, text); } finally { closeSync(fd); }
    } finally {
      closeSync(probe);
    }
    return;
  }
  // A character device (/dev/stdout on a terminal, /dev/null, /dev/tty): write in place, never replace.
  accessSync(file, constants.W_OK);
  const fd = openSync(file, constants.O_WRONLY);
  try { writeAll(fd, text); } finally { closeSync(fd); }
}

/**
 * `-`, /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N name a descriptor this process already has open:
 * written through that descriptor, so `>> log` appends and a terminal stays a terminal (opening the path again
 * would start at offset 0 of a redirected file, and replacing it would swap the file under the shell).
 */
function standardFd(file: string): number | undefined {
  if (file === '-' || file === '/dev/stdout') return 1;
  if (file === '/dev/stderr') return 2;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d{1,4})$/.exec(file);
  return m ? Number(m[1]) : undefined;
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      // Node may have made a pipe on stdout non-blocking: wait for the reader instead of failing.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}
