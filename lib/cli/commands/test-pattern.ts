/**
 * `breakglass test-pattern`: the offline twin of `aws events test-event-pattern`. Prints true/false per event.
 * Kept free of aws-cdk-lib, zod and the AWS SDK so it starts in a fraction of a second.
 */
import { escapeControls } from '../../detection/escape';
import { formatSize, limits } from '../../detection/limits';
import { compilePattern, PatternError, type CompiledPattern } from '../../detection/matcher';
import { readValues } from '../../detection/read-events';
import { readTextFileLimited } from '../../read-text-file';
import { EXIT, UserError } from '../errors';
import type { Io } from '../io';

export interface TestPatternOptions {
  readonly pattern: string;
  readonly event?: string;
}

export function loadPattern(arg: string): CompiledPattern {
  const text = arg.trimStart().startsWith('{') ? arg : readPatternFile(arg);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UserError(`invalid pattern: not valid JSON (${escapeControls((e as Error).message)})`, EXIT.usage);
  }
  try {
    return compilePattern(parsed);
  } catch (e) {
    if (e instanceof PatternError) throw new UserError(`invalid pattern: ${escapeControls(e.message)}`, EXIT.usage);
    if (e instanceof RangeError) throw new UserError('invalid pattern: nested too deeply', EXIT.usage);
    throw e;
  }
}

function readPatternFile(file: string): string {
  const max = limits().maxPatternBytes;
  const name = JSON.stringify(file);
  try {
    return readTextFileLimited(file, max);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`invalid pattern: ${escapeControls(name)} is neither JSON nor a readable file`, EXIT.usage);
    if (code === 'EISDIR') throw new UserError(`invalid pattern: ${escapeControls(name)} is a directory; pass a pattern file or inline JSON`, EXIT.usage);
    if (code === 'ETOOBIG') throw new UserError(`invalid pattern: ${escapeControls(name)} is larger than ${formatSize(max)} (the limit for a pattern file)`, EXIT.usage);
    throw new UserError(`invalid pattern: cannot read ${escapeControls(name)} (${code ?? (e as Error).message})`, EXIT.usage);
  }
}

export async function runTestPattern(opts: TestPatternOptions, io: Io): Promise<number> {
  const pattern = loadPattern(opts.pattern);
  let bad = 0;
  let buf: string[] = [];
  const problem = (at: string, why: string) => {
    bad++;
    if (buf.length) { io.out(buf.join(''), true); buf = []; } // keep stdout and stderr in input order
    io.err(`${at}: ${why}`);
  };
  for await (const item of readValues([opts.event ?? '-'], (io.stdin ?? process.stdin) as never)) {
    const at = `${escapeControls(item.source)}${item.line ? `:${item.line}` : ''}`;
    if (item.error !== undefined) { problem(at, item.error); continue; }
    const v = item.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      // EventBridge only ever delivers JSON objects: anything else is not an event, so neither true nor false.
      problem(at, `not an event: expected a JSON object, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`}`);
      continue;
    }
    let matched: boolean;
    try {
      matched = pattern.matches(v);
    } catch (e) {
      problem(at, `cannot evaluate this event (${e instanceof RangeError ? 'nested too deeply' : escapeControls(String((e as Error)?.message ?? e))})`);
      continue;
    }
    buf.push(matched ? 'true\n' : 'false\n');
    if (buf.length >= 1024) { io.out(buf.join(''), true); buf = []; }
  }
  if (buf.length) io.out(buf.join(''), true);
  return bad > 0 ? EXIT.usage : EXIT.ok;
}
