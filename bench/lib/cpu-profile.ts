/**
 * Summary of a `node --cpu-prof` profile: self time by source module and by function. Frames of the compiled code
 * (dist/bin/… and dist/lib/…, one .js per source, each with its .js.map) are attributed to their source file (the
 * dist path with dist/ removed and .js -> .ts) and, through the source map, to the source line of the function.
 * Node's own modules keep their node: name, packages are grouped as node_modules/NAME, and frames without a file
 * (garbage collector, idle, program) under their own name.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProfileRow {
  readonly name: string;
  /** Source module (or package, node: module, "(native / VM)"). */
  readonly where: string;
  readonly ms: number;
  /** Share of the sampled time, %. */
  readonly pct: number;
}

export interface CpuProfileSummary {
  /** Sampled time, ms. */
  readonly totalMs: number;
  readonly functions: ProfileRow[];
  readonly modules: ProfileRow[];
}

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface Profile { nodes: Array<{ id: number; callFrame: CallFrame }>; samples: number[]; timeDeltas: number[] }

/** Source module and source line (1-based, when the map has one) of a frame at `url`, 0-based line/column. */
export class SourceLocator {
  private readonly maps = new Map<string, SourceMap | undefined>();

  constructor(private readonly root: string) {}

  locate(url: string, line: number, column: number): { module: string; line?: number } {
    if (!url) return { module: '(native / VM)' };
    if (!url.startsWith('file:')) return { module: url };
    const file = fileURLToPath(url);
    const rel = relative(this.root, file).split(sep).join('/');
    if (rel.startsWith('..')) return { module: file };
    const pkg = /^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
    if (pkg) return { module: `node_modules/${pkg[1]}` };
    const compiled = /^dist\/((?:bin|lib)\/.+)\.js$/.exec(rel);
    if (!compiled) return { module: rel, line: line + 1 };
    const entry = this.map(file)?.findEntry(line, column) as { originalLine?: number } | undefined;
    return { module: `${compiled[1]}.ts`, line: entry?.originalLine === undefined ? undefined : entry.originalLine + 1 };
  }

  private map(file: string): SourceMap | undefined {
    if (!this.maps.has(file)) {
      let m: SourceMap | undefined;
      try { m = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))); } catch { m = undefined; }
      this.maps.set(file, m);
    }
    return this.maps.get(file);
  }
}

/** Reads a .cpuprofile and sums self time by function and by module; `root` is the repository the code ran from. */
export function summariseCpuProfile(file: string, root: string, top = { functions: 20, modules: 12 }): CpuProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
  const locator = new SourceLocator(root);
  const byFn = new Map<string, { name: string; where: string; ms: number }>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    total += ms;
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    const fn = functionName || '(anonymous)';
    const at = locator.locate(url, lineNumber, columnNumber);
    const name = at.line === undefined || !url ? fn : `${fn} (line ${at.line})`;
    const key = `${name}@${at.module}`;
    const e = byFn.get(key) ?? { name, where: at.module, ms: 0 };
    e.ms += ms;
    byFn.set(key, e);
    const mod = url ? at.module : fn.startsWith('(') ? fn : '(native / VM)';
    byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
  }
  const rows = (xs: Array<{ name: string; where: string; ms: number }>) => xs.sort((a, b) => b.ms - a.ms).map((x) => ({ ...x, pct: (100 * x.ms) / total }));
  return {
    totalMs: total,
    functions: rows([...byFn.values()]).slice(0, top.functions),
    modules: rows([...byModule.entries()].map(([where, ms]) => ({ name: where, where, ms }))).slice(0, top.modules),
  };
}
