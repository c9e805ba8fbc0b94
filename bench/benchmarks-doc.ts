/** docs/benchmarks.md: each benchmark script owns one "## " section and rewrites only that one. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCHMARKS_DOC = join(__dirname, '..', 'docs', 'benchmarks.md');

const HEADER = [
  '# Benchmarks',
  '',
  'Measurements of this project on a named machine. Each section records its own machine (`nproc`, CPU model from',
  '`/proc/cpuinfo`, RAM, Node version) and the date it was measured (UTC, from `date -u`), because numbers from',
  'different machines or days are not comparable. Re-run the named script to refresh a section; scripts rewrite',
  'only their own section.',
  '',
].join('\n');

/**
 * Replaces the section that starts with `heading` (e.g. "## Synthesis") up to the next "## " heading or the end, or
 * appends it. Re-reads the file first, so sections written meanwhile by other scripts (or by hand) are kept.
 */
export function writeSection(heading: string, section: string, file = BENCHMARKS_DOC): void {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = text.search(new RegExp(`^${escaped}\\s*$`, 'm'));
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}\n`;
  } else {
    const rest = text.slice(start + 1);
    const next = rest.search(/^## /m);
    const end = next === -1 ? text.length : start + 1 + next;
    text = `${text.slice(0, start)}${section}\n${next === -1 ? '' : `\n${text.slice(end)}`}`;
  }
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}
