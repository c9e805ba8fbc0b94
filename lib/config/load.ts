/**
 * Reads a YAML or JSON config, validates it against the schema and the semantic checks, and reports every
 * problem at once as `file:line: path: what was expected` (line when the YAML node can be located).
 */
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, type BreakglassConfig } from './schema';
import { semanticProblems, type ConfigProblem } from './semantic';

export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: readonly string[]) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly file: string;
  readonly config: BreakglassConfig;
}

export function loadConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  return { file, config: parseConfigText(text, file) };
}

/** Parses YAML (a superset of JSON, so JSON configs work too) and validates. Throws ConfigError. */
export function parseConfigText(text: string, file = '<config>'): BreakglassConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return `${file}${at ? `:${at.line}:${at.col}` : ''}: YAML syntax: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    }));
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [`${file}: expected a mapping with securityAccount, organization, users, role and alerts`]);
  }
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.flatMap((i) => describeIssue(i)).map((p) => format(file, doc, lines, p)));
  }
  const problems = semanticProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(file, problems.map((p) => format(file, doc, lines, p)));
  return parsed.data;
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the branch the user evidently meant: the one whose problems are not "wrong type at the top".
    const branches = issue.errors.map((b) => b.filter((i) => !(i.code === 'invalid_type' && i.path.length === 0)));
    const meant = branches.find((b) => b.length > 0);
    if (meant) return meant.flatMap((i) => describeIssue({ ...i, path: [...path, ...i.path] } as z.core.$ZodIssue));
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ path: [...path, k], message: 'unknown key (check the spelling; see schema/breakglass.config.schema.json)' }));
  }
  if (issue.code === 'invalid_type' && typeof issue.input === 'number' && issue.expected === 'string') {
    return [{ path, message: `${issue.message} (got ${issue.input})` }];
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [{ path, message: `missing; expected ${issue.expected}` }];
  }
  return [{ path, message: issue.message.replace(/^Invalid input: /, '') }];
}

function format(file: string, doc: Document, lines: LineCounter, p: ConfigProblem): string {
  return `${file}${lineOf(doc, lines, p.path)}: ${pathText(p.path)}: ${p.message}`;
}

/** Finds the deepest YAML node that exists along the path, so even a missing key points at its parent. */
function lineOf(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>): string {
  for (let n = path.length; n >= 1; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return `:${lines.linePos(node.range[0]).line}`;
  }
  return '';
}

export function pathText(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
