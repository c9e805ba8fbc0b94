/**
 * `breakglass test-pattern`: the offline twin of `aws events test-event-pattern`. Prints true/false per event.
 * Kept free of aws-cdk-lib, zod and the AWS SDK so it starts in a fraction of a second.
 */
import { existsSync, readFileSync } from 'node:fs';
import { compilePattern, PatternError, type CompiledPattern } from '../../detection/matcher';
import { readValues } from '../../detection/read-events';
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
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UserError(`invalid pattern: not valid JSON (${(e as Error).message})`, EXIT.usage);
  }
  try {
    return compilePattern(parsed);
  } catch (e) {
    if (e instanceof PatternError) throw new UserError(`invalid pattern: ${e.message}`, EXIT.usage);
    throw e;
  }
}

function readPatternFile(file: string): string {
  if (!existsSync(file)) throw new UserError(`invalid pattern: "${file}" is neither JSON nor a readable file`, EXIT.usage);
  return readFileSync(file, 'utf8');
}

export async function runTestPattern(opts: TestPatternOptions, io: Io): Promise<number> {
  const pattern = loadPattern(opts.pattern);
  let bad = 0;
  let buf: string[] = [];
  for await (const item of readValues([opts.event ?? '-'], io.stdin as never)) {
    if (item.error !== undefined) {
      bad++;
      io.err(`${item.source}${item.line ? `:${item.line}` : ''}: ${item.error}`);
      continue;
    }
    buf.push(pattern.matches(item.value) ? 'true\n' : 'false\n');
    if (buf.length >= 1024) { io.out(buf.join(''), true); buf = []; }
  }
  if (buf.length) io.out(buf.join(''), true);
  return bad > 0 ? EXIT.usage : EXIT.ok;
}
