/**
 * docs/benchmarks.md: each benchmark script owns one "## " section and rewrites only that one. Every script takes
 * `--no-write` (print the section only) and `--doc FILE` (write it into FILE instead, e.g. for a trial run).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Args, FlagKind } from './args';
import { ROOT, shownPath } from './process-runner';

export const BENCHMARKS_DOC = join(ROOT, 'docs', 'benchmarks.md');

const HEADER = [
  '# Benchmarks',
  '',
  'Measurements of this project on a named machine. Each section records its own machine (`nproc`, CPU model from',
  '`/proc/cpuinfo`, RAM, Node version) and the date it was measured (UTC, from `date -u`), because numbers from',
  'different machines or days are not comparable. Re-run the named script to refresh a section; scripts rewrite',
  'only their own section.',
  '',
].join('\n');

export interface WriteOptions {
  /**
   * The last line of the generated text. Whatever follows its last match in the section being replaced (notes
   * written by hand under the numbers) is kept after the new text.
   */
  readonly keepNotesAfter?: RegExp;
}

/**
 * Replaces the section that starts with `heading` (e.g. "## Synthesis") up to the next "## " heading or the end, or
 * appends it. Re-reads the file first, so sections written meanwhile by other scripts (or by hand) are kept.
 */
export function writeSection(heading: string, section: string, file = BENCHMARKS_DOC, o: WriteOptions = {}): void {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = text.search(new RegExp(`^${escaped}\\s*$`, 'm'));
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}\n`;
  } else {
    const rest = text.slice(start + 1);
    const next = rest.search(/^## /m);
    const end = next === -1 ? text.length : start + 1 + next;
    const notes = o.keepNotesAfter ? notesAfter(text.slice(start, end), o.keepNotesAfter) : '';
    const body = notes ? `${section.trimEnd()}\n\n${notes}` : section;
    text = `${text.slice(0, start)}${body}\n${next === -1 ? '' : `\n${text.slice(end)}`}`;
  }
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

function notesAfter(old: string, lastGenerated: RegExp): string {
  const re = new RegExp(lastGenerated.source, `${lastGenerated.flags.replace(/[gm]/g, '')}gm`);
  let end = -1;
  for (const m of old.matchAll(re)) end = (m.index ?? 0) + m[0].length;
  return end === -1 ? '' : old.slice(end).trim();
}

/** The flags every bench script takes for its output. */
export const DOC_FLAGS: Readonly<Record<string, FlagKind>> = { '--no-write': 'flag', '--doc': 'value' };
export const DOC_USAGE = '--no-write (print only) | --doc FILE (write the section into FILE instead of docs/benchmarks.md)';

export interface DocTarget {
  /** undefined: print only. */
  readonly file?: string;
}

export function docTarget(args: Args): DocTarget {
  if (args.has('--no-write')) return {};
  return { file: args.str('--doc', BENCHMARKS_DOC) };
}

/** Prints the section on stdout and writes it into the target file (progress on stderr). */
export function publish(heading: string, section: string, target: DocTarget, o: WriteOptions = {}): void {
  process.stdout.write(`${section}\n`);
  if (!target.file) return;
  writeSection(heading, section, target.file, o);
  process.stderr.write(`\nwrote ${shownPath(target.file)} (section "${heading.replace(/^#+ /, '')}")\n`);
}
