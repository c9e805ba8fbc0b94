/**
 * Reads a YAML or JSON config, validates it against the schema and the semantic checks, and reports every
 * problem at once as `file:line: path: what was expected` (line when the YAML node can be located), sorted by line.
 */
import { formatSize, limits } from '../detection/limits';
import { readTextFileLimited } from '../read-text-file';
import { isMap, isNode, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { describeIssue } from './issue-messages';
import { configSchema, type BreakglassConfig } from './schema';
import type { ConfigProblem } from './semantic';
import { duplicateKeys, expansionProblem, keyNodeOf, MAX_ALIAS_COUNT } from './yaml-checks';

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
    // Bounded (README, "Limits"): `-c /dev/zero` or a huge file by mistake must not read until memory runs out.
    text = readTextFileLimited(file, limits().maxConfigBytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ETOOBIG') throw new ConfigError(file, [`${file}: larger than ${formatSize(limits().maxConfigBytes)} (the limit for a config file; a config is a few KB): is this the right file?`]);
    throw new ConfigError(file, [`${file}: cannot read the file (${code ?? (e as Error).message})`]);
  }
  return { file, config: parseConfigText(text, file) };
}

/** Parses YAML (a superset of JSON, so JSON configs work too) and validates. Throws ConfigError. */
export function parseConfigText(text: string, file = '<config>'): BreakglassConfig {
  const lines = new LineCounter();
  let doc: Document;
  let raw: unknown;
  try {
    // uniqueKeys: false, then duplicateKeys(): the package's own check is quadratic in the number of keys.
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false });
    const syntax = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return { line: at?.line, text: `${file}${at ? `:${at.line}:${at.col}` : ''}: YAML syntax: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
    });
    for (const at of duplicateKeys(doc, lines)) syntax.push({ line: at.line, text: `${file}:${at.line}:${at.col}: YAML syntax: Map keys must be unique` });
    if (syntax.length > 0) throw new ConfigError(file, byLine(syntax));
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const problem = expansionProblem(e);
    if (problem === undefined) throw e;
    throw new ConfigError(file, [`${file}: ${problem}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [`${file}: expected a mapping with securityAccount, organization, users, role and alerts`]);
  }
  // Schema problems and the semantic checks (run inside the schema, see semantic.ts) come back together.
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(file, byLine(parsed.error.issues.flatMap((i) => describeIssue(i)).map((p) => located(file, doc, lines, p))));
  }
  return parsed.data;
}

interface LocatedProblem { readonly line: number | undefined; readonly text: string }

/** Sorted by line (problems of the whole file first), one line each, without repeats. */
function byLine(problems: readonly LocatedProblem[]): string[] {
  const sorted = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return [...new Set(sorted.map((p) => p.text))];
}

function located(file: string, doc: Document, lines: LineCounter, p: ConfigProblem): LocatedProblem {
  const line = lineOf(doc, lines, p.path);
  return { line, text: `${file}${line === undefined ? '' : `:${line}`}: ${pathText(p.path)}: ${p.message}` };
}

/**
 * The line of the deepest key or list item that exists along the path, so even a missing key points at its parent.
 * A key's own line, not its value's: `alerts:` rather than the first line inside it.
 */
function lineOf(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>): number | undefined {
  for (let n = path.length; n >= 1; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    let node: unknown;
    if (isMap(parent)) node = keyNodeOf(parent, last);
    else if (isSeq(parent) && typeof last === 'number') node = parent.items[last];
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export function pathText(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(top level)';
  // Keys that are not plain words (record keys such as account IDs, an empty key) are quoted: tags[""], accountNames["12"].
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : !/^[A-Za-z_][\w-]*$/.test(p) ? `[${JSON.stringify(p)}]` : i === 0 ? p : `.${p}`)).join('');
}
