/**
 * Writes examples/breakglass.reference.yaml: every key of the config schema (lib/config/schema.ts), nested, with its
 * default and the one-line `.describe()` text saying what it is for.
 *
 *   npx tsx scripts/gen-reference-config.ts
 *
 * test/config/reference-config.test.ts fails when the file on disk differs from what this writes, so run it after
 * changing the schema or examples/breakglass.config.yaml. The file validates as it is: required values without a
 * default are taken from examples/breakglass.config.yaml; optional keys without a default are shown commented out
 * with an example value. Convention: `##` lines are explanations, `#` lines are settings you can uncomment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { z } from 'zod';
import { configSchema } from '../lib/config/schema';

const ROOT = join(__dirname, '..');
export const REFERENCE_FILE = join(ROOT, 'examples', 'breakglass.reference.yaml');
const EXAMPLE_FILE = join(ROOT, 'examples', 'breakglass.config.yaml');

/** Example values for keys that have neither a default nor a value in the example config (shown commented out). */
export const EXAMPLES: Readonly<Record<string, unknown>> = {
  'organization.delegatedAdminAccountId': '333333333333',
  'users[].description': 'Alice Example, security lead',
  'role.maxMfaAgeSeconds': 900,
  'alerts.https[]': { url: 'https://pager.example.com/integrations/breakglass', minSeverity: 'critical' },
  'alerts.slack[]': { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', minSeverity: 'info' },
  'alerts.teams[]': {
    teamId: '00000000-0000-4000-8000-000000000001', tenantId: '00000000-0000-4000-8000-000000000002',
    channelId: '19:0123456789abcdef@thread.tacv2', minSeverity: 'info',
  },
  'alerts.operations.emails': ['oncall@example.com'],
  'alerts.accountNames': { 333333333333: 'Production' },
  'alerts.runbookUrl': 'https://wiki.example.com/security/break-glass-runbook',
  'guardrails.serviceControlPolicy.targets': ['r-ab12'],
  tags: { 'cost-center': 'security' },
};

interface Field {
  readonly base: z.ZodType;
  readonly description?: string;
  readonly optional: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; defaultValue?: unknown; shape?: Record<string, z.ZodType>;
  element?: z.ZodType; options?: z.ZodType[]; entries?: Record<string, string> };
const defOf = (s: z.ZodType) => (s as unknown as { def: Def }).def;

/** Looks through optional/default/transform wrappers; the outermost description wins (that is where .describe() sits). */
function field(s: z.ZodType): Field {
  let description: string | undefined;
  let optional = false;
  let hasDefault = false;
  let defaultValue: unknown;
  for (;;) {
    description ??= s.description;
    const d = defOf(s);
    if (d.type === 'optional') { optional = true; s = d.innerType!; } else if (d.type === 'default') {
      hasDefault = true; defaultValue = d.defaultValue; s = d.innerType!;
    } else if (d.type === 'pipe') s = d.in!;
    else return { base: s, description, optional, hasDefault, defaultValue };
  }
}

/** The object form of a union (https channels: a URL or {url, minSeverity}), for showing its keys. */
function objectForm(s: z.ZodType): z.ZodType {
  const d = defOf(s);
  if (d.type !== 'union') return s;
  return d.options!.map((o) => field(o).base).find((o) => defOf(o).type === 'object') ?? s;
}

function scalar(v: unknown): string {
  return stringify(v).trimEnd();
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${scalar(k)}: ${flow(x)}`).join(', ')}}`;
  return scalar(v);
}

function status(f: Field, shown: unknown): string {
  const d = defOf(f.base);
  const choices = d.type === 'enum' && Object.keys(d.entries!).length <= 6 ? `; one of ${Object.keys(d.entries!).join(', ')}` : '';
  if (f.hasDefault) {
    const text = flow(f.defaultValue);
    if (d.type === 'object') return '(defaults below)';
    const asShown = text.length > 40 && JSON.stringify(shown) === JSON.stringify(f.defaultValue);
    return `(default: ${asShown ? 'as shown' : text}${choices})`;
  }
  return `(${f.optional ? 'optional' : 'required'}${choices})`;
}

/**
 * Where lines go: the indentation, and for commented-out settings the column of their "#" (`base`) and the YAML
 * indentation after it (`rel`), so uncommenting a block yields valid YAML.
 */
interface At { readonly base: string; readonly commented: boolean; readonly rel: string }
const deeper = (at: At): At => (at.commented ? { ...at, rel: `${at.rel}  ` } : { ...at, base: `${at.base}  ` });
const commentedOut = (at: At): At => (at.commented ? at : { base: at.base, commented: true, rel: '' });
const lineAt = (at: At, text: string) => (at.commented ? `${at.base}# ${at.rel}${text}` : `${at.base}${text}`);

class Writer {
  readonly lines: string[] = [];
  constructor(private readonly example: unknown) {}

  /**
   * One key of a mapping. Its value: the example config's (outside commented blocks), else the default; an optional
   * key with neither is written commented out with a value from EXAMPLES.
   */
  entry(name: string, schema: z.ZodType, path: string, at: At, given?: unknown): void {
    const f = field(schema);
    const own = given ?? (at.commented ? EXAMPLES[path] : valueAt(this.example, path)) ?? (f.hasDefault ? f.defaultValue : undefined);
    const commentOut = own === undefined && f.optional;
    const shown = own ?? EXAMPLES[path];
    const here = commentOut ? commentedOut(at) : at;
    this.prose(at, `${f.description ?? ''} ${status(f, shown)}`);
    this.value(name, f.base, path, here, shown);
  }

  private value(name: string, base: z.ZodType, path: string, at: At, shown: unknown): void {
    const d = defOf(base);
    if (d.type === 'object') {
      this.lines.push(lineAt(at, `${name}:`));
      for (const [k, s] of Object.entries(d.shape!)) this.entry(k, s, `${path}.${k}`, deeper(at), (shown as Record<string, unknown> | undefined)?.[k]);
      return;
    }
    if (shown === undefined) throw new Error(`no value for ${path}: add one to EXAMPLES in scripts/gen-reference-config.ts or to examples/breakglass.config.yaml`);
    const item = d.type === 'array' ? objectForm(field(d.element!).base) : undefined;
    if (item && defOf(item).type === 'object') {
      const items = shown as Array<Record<string, unknown>>;
      if (items.length > 0) {
        this.lines.push(lineAt(at, `${name}:`));
        items.forEach((v, i) => this.item(item, `${path}[]`, deeper(at), v, i === 0));
        return;
      }
      this.lines.push(lineAt(at, `${name}: []`));
      const example = EXAMPLES[`${path}[]`];
      if (example === undefined) throw new Error(`no example item for ${path}: add "${path}[]" to EXAMPLES in scripts/gen-reference-config.ts`);
      this.lines.push(lineAt(commentedOut(at), `${name}:`));
      this.item(item, `${path}[]`, deeper(commentedOut(at)), example as Record<string, unknown>, true);
      return;
    }
    const text = flow(shown);
    if (Array.isArray(shown) && text.length > 80) {
      this.lines.push(lineAt(at, `${name}:`));
      for (const v of shown) this.lines.push(lineAt(deeper(at), `- ${scalar(v)}`));
    } else {
      this.lines.push(lineAt(at, `${name}: ${text}`));
    }
    // An empty list or mapping by default: show what an entry looks like.
    const example = EXAMPLES[path];
    if (!at.commented && example !== undefined && JSON.stringify(example) !== JSON.stringify(shown)) {
      this.lines.push(lineAt(commentedOut(at), `${name}: ${flow(example)}`));
    }
  }

  /**
   * One list item: its keys one after the other, the first behind "- ". Only the first item is documented (with
   * its optional keys commented out); later items show just their values.
   */
  private item(schema: z.ZodType, path: string, at: At, value: Record<string, unknown>, documented: boolean): void {
    Object.entries(defOf(schema).shape!).forEach(([k, s], i) => {
      const f = field(s);
      const own = value[k] ?? (f.hasDefault ? f.defaultValue : undefined);
      if (own === undefined && !documented) return;
      const keyAt = i === 0 ? at : deeper(at);
      if (documented) this.prose(keyAt, `${f.description ?? ''} ${status(f, own)}`);
      const shown = own ?? EXAMPLES[`${path}.${k}`];
      if (shown === undefined) throw new Error(`no example for ${path}.${k}: add it to EXAMPLES in scripts/gen-reference-config.ts`);
      this.lines.push(lineAt(i === 0 ? at : own === undefined ? commentedOut(keyAt) : keyAt, `${i === 0 ? '- ' : ''}${k}: ${flow(shown)}`));
    });
  }

  /** "##" lines: the description and the default, wrapped to fit beside the indentation. */
  private prose(at: At, text: string): void {
    const words = text.trim().split(/\s+/);
    let line = '';
    for (const w of words) {
      if (line && lineAt(at, `## ${line} ${w}`).length > WIDTH) { this.lines.push(lineAt(at, `## ${line}`)); line = w; } else line = line ? `${line} ${w}` : w;
    }
    if (line) this.lines.push(lineAt(at, `## ${line}`));
  }
}

const WIDTH = 118;

function valueAt(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The reference file's text, from the schema and the example config as they are now. */
export function referenceConfigText(): string {
  const example: unknown = parse(readFileSync(EXAMPLE_FILE, 'utf8'));
  const w = new Writer(example);
  const shape = defOf(configSchema as unknown as z.ZodType).shape!;
  for (const [k, s] of Object.entries(shape)) {
    w.lines.push('');
    w.entry(k, s, k, { base: '', commented: false, rel: '' });
  }
  return `${HEADER}${w.lines.join('\n')}\n`;
}

const HEADER = `# breakglass reference configuration: every key, its default and what it is for.
# GENERATED from lib/config/schema.ts by \`npx tsx scripts/gen-reference-config.ts\`: do not edit by hand.
# It validates as it is (breakglass validate -c examples/breakglass.reference.yaml). Required values are the examples of
# examples/breakglass.config.yaml (start from that file). "##" lines explain the key below them; "#" lines are
# optional settings without a default: uncomment and change them to use them.
# yaml-language-server: $schema=../schema/breakglass.config.schema.json
`;

if (require.main === module) {
  writeFileSync(REFERENCE_FILE, referenceConfigText());
  console.log(`wrote ${REFERENCE_FILE}`);
}
