/**
 * Facts about the machine and the code a benchmark ran on, for the header of its docs/benchmarks.md section: numbers
 * from different machines, days or loads are not comparable, so every section records them. Read-only: git is only
 * queried, never changed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './process-runner';

export interface Machine {
  /** `date -u` as printed. */
  readonly date: string;
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  /** `nproc`: the CPUs this process may use. */
  readonly nproc: number;
  /** CPU model from /proc/cpuinfo. */
  readonly cpu: string;
  readonly ramGiB: string;
  readonly node: string;
  /** e.g. linux/x64 */
  readonly platform: string;
  /** Load average (1/5/15 min) when the facts were taken. */
  readonly load: string;
}

/** stdout of a command, trimmed, or '?' when it fails or is missing. */
export function sh(cmd: string, args: readonly string[] = []): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '?';
}

export function loadNow(): string {
  return loadavg().map((x) => x.toFixed(2)).join(' / ');
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? '?';
  try { cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu; } catch { /* not Linux */ }
  const date = sh('date', ['-u']);
  return {
    date: date === '?' ? new Date().toUTCString() : date,
    day: new Date().toISOString().slice(0, 10),
    nproc: Number(sh('nproc')) || cpus().length,
    cpu,
    ramGiB: (totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    load: loadNow(),
  };
}

/** Python and moto versions (for the benchmarks that run moto). */
export function pythonFacts(): { python: string; moto: string } {
  return {
    python: sh('python3', ['--version']).replace(/^Python /, ''),
    moto: sh('python3', ['-c', 'import moto; print(moto.__version__)']),
  };
}

/** Version of an installed package, from node_modules/NAME/package.json, or '?'. */
export function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** Short HEAD and the number of uncommitted (or untracked) files under `paths`, from read-only git commands. */
export function gitState(paths: readonly string[]): { head: string; dirty: number } {
  const git = (a: string[]) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    head: git(['rev-parse', '--short', 'HEAD']) || '?',
    dirty: git(['status', '--porcelain', '--', ...paths]).split('\n').filter(Boolean).length,
  };
}

/** "<short hash> (<date>, N files changed since)" of another checkout, for before/after comparisons. */
export function gitStateOf(dir: string): string {
  const git = (a: string[]) => spawnSync('git', ['-C', dir, ...a], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git(['status', '--porcelain', '--untracked-files=no']).split('\n').filter(Boolean).length;
  return `commit ${git(['log', '-1', '--format=%h, %cs']) || '?'}${dirty ? `, ${dirty} tracked files modified` : ''}`;
}
