/**
 * Output paths that are not plain files (issue 15, item 6). The atomic writer used to rename a temporary file over
 * whatever was at the path: as root it replaced /dev/stdout's link with a plain file, it replaced symlinks and FIFOs,
 * and it reset permissions. Now: regular files (and the targets of symlinks) are replaced atomically keeping their
 * mode; `-`, /dev/stdout, FIFOs and character devices are written through; directories, block devices, sockets and
 * dangling links are refused with the reason; `links --out` and `drill --out` are checked before any work.
 * Device nodes are made with mknod inside a temporary directory (skipped where that is not allowed).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkWritable, writeAtomically, WriteRefused } from '../../lib/write-atomically';
import { BIN, CONFIG, hostile, ROOT, tempDir } from './harness';

const { dir, cleanup } = tempDir('out');
after(cleanup);
let n = 0;
const fresh = (name: string) => join(dir, `${++n}-${name}`);
const mknod = (path: string, type: 'c' | 'b' | 'p', major = 0, minor = 0) =>
  spawnSync(type === 'p' ? 'mkfifo' : 'mknod', type === 'p' ? [path] : [path, type, String(major), String(minor)]).status === 0;
const leftovers = () => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.startsWith('.breakglass-write-test'));

before(() => {
  assert.match(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
});

describe('writeAtomically keeps what the path is', () => {
  it('a regular file is replaced whole and keeps its mode (0600, 0755)', () => {
    for (const mode of [0o600, 0o755]) {
      const f = fresh('sheet.md');
      writeFileSync(f, 'old');
      chmodSync(f, mode);
      writeAtomically(f, 'new sheet\n');
      assert.equal(readFileSync(f, 'utf8'), 'new sheet\n');
      assert.equal(statSync(f).mode & 0o7777, mode);
    }
    assert.deepEqual(leftovers(), []);
  });
  it('a symbolic link to a file: the target gets the text, the link stays a link', () => {
    const target = fresh('target.md');
    writeFileSync(target, 'old');
    chmodSync(target, 0o640);
    const link = fresh('link.md');
    symlinkSync(target, link);
    writeAtomically(link, 'via link');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), target);
    assert.equal(readFileSync(target, 'utf8'), 'via link');
    assert.equal(statSync(target).mode & 0o7777, 0o640);
  });
  it('a dangling link, a directory: refused with the reason, nothing created', () => {
    const link = fresh('dangling.md');
    symlinkSync(join(dir, 'does-not-exist'), link);
    assert.throws(() => writeAtomically(link, 'x'), (e: Error) => e instanceof WriteRefused && /symbolic link to a missing file/.test(e.message));
    assert.throws(() => checkWritable(link), WriteRefused);
    const d = fresh('a-dir');
    mkdirSync(d);
    assert.throws(() => writeAtomically(d, 'x'), (e: Error) => e instanceof WriteRefused && /is a directory/.test(e.message));
    assert.throws(() => checkWritable(d), WriteRefused);
    assert.deepEqual(leftovers(), []);
  });
  it('a FIFO nobody reads: refused at once instead of blocking; one with a reader gets the text and stays a FIFO', async (t) => {
    const fifo = fresh('fifo');
    if (!mknod(fifo, 'p')) { t.skip('mkfifo not available'); return; }
    assert.throws(() => writeAtomically(fifo, 'x'), (e: Error) => e instanceof WriteRefused && /FIFO that nobody is reading/.test(e.message));
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.setEncoding('utf8').on('data', (d: string) => { got += d; });
    const closed = new Promise((r) => reader.on('close', r));
    // Wait until cat has opened the FIFO (then a writer's non-blocking open succeeds).
    for (let i = 0; i < 200; i++) {
      try { writeAtomically(fifo, 'through the fifo\n'); break; } catch (e) { if (!(e instanceof WriteRefused)) throw e; await new Promise((r) => setTimeout(r, 25)); }
    }
    await closed;
    assert.equal(got, 'through the fifo\n');
    assert.ok(lstatSync(fifo).isFIFO());
  });
  it('a character device is written through, never replaced (a null device node made with mknod)', (t) => {
    const dev = fresh('null');
    if (!mknod(dev, 'c', 1, 3)) { t.skip('mknod not permitted'); return; }
    writeAtomically(dev, 'discarded');
    assert.ok(lstatSync(dev).isCharacterDevice());
  });
  it('a block device is refused before anything is opened (a node for a loop device that does not exist)', (t) => {
    const dev = fresh('blk');
    if (!mknod(dev, 'b', 7, 250)) { t.skip('mknod not permitted'); return; }
    assert.throws(() => writeAtomically(dev, 'x'), (e: Error) => e instanceof WriteRefused && /block device/.test(e.message));
    assert.ok(lstatSync(dev).isBlockDevice());
  });
});

describe('the packaged links and drill with hostile --out', () => {
  it('links --out - and --out /dev/stdout (a pipe): the sheet on stdout; /dev/stdout is still a link afterwards', async () => {
    for (const out of ['-', '/dev/stdout']) {
      const r = await hostile(['links', '-c', CONFIG, '--offline', '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^# Break-glass emergency sheet/);
    }
    assert.ok(lstatSync('/dev/stdout').isSymbolicLink());
  });
  it('links --out /dev/stdout with stdout appended to a file: appended, the file not replaced', async () => {
    const log = fresh('log.txt');
    writeFileSync(log, 'earlier line\n');
    const before = statSync(log).ino;
    const fd = openSync(log, 'a');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'links', '-c', CONFIG, '--offline', '--out', '/dev/stdout'], { cwd: ROOT, stdio: ['ignore', fd, 'ignore'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (c) => { clearTimeout(timer); resolve(c); });
    });
    closeSync(fd);
    assert.equal(code, 0);
    const text = readFileSync(log, 'utf8');
    assert.ok(text.startsWith('earlier line\n# Break-glass emergency sheet'), text.slice(0, 80));
    assert.equal(statSync(log).ino, before);
  });
  it('links --out a directory or a dangling link: exit 2 before any AWS call', async () => {
    const link = fresh('dangling.html');
    symlinkSync(join(dir, 'nowhere', 'x.html'), link);
    for (const out of [dir, link]) {
      // Online, against an endpoint that does not exist: the refusal must come first.
      const r = await hostile(['links', '-c', CONFIG, '--out', out], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: --out: .*(is a directory|symbolic link to a missing file)/);
    }
  });
  it('links --out FILE keeps the mode of an existing sheet', async () => {
    const f = fresh('sheet.html');
    writeFileSync(f, 'old');
    chmodSync(f, 0o600);
    const r = await hostile(['links', '-c', CONFIG, '--offline', '--out', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(f).mode & 0o7777, 0o600);
    assert.match(readFileSync(f, 'utf8'), /^<!DOCTYPE html>/);
  });
  it('drill --out that cannot hold the record: exit 2 before anything is created in AWS', async () => {
    const notDir = fresh('a-file');
    writeFileSync(notDir, 'x');
    for (const out of [notDir, join(notDir, 'sub')]) {
      const r = await hostile(['drill', '-c', CONFIG, '--yes', '--out', out], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: --out .*: the drill record could not be written there \((it exists and is not a directory|.* is not a directory)\)/);
    }
  });
});
