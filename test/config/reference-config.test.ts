/**
 * examples/breakglass.reference.yaml: generated from the schema (scripts/gen-reference-config.ts), so it cannot drift;
 * valid as it is; and it names every key of the JSON Schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { configJsonSchema } from '../../lib/config/json-schema';
import { loadConfigFile, parseConfigText } from '../../lib/config/load';
import { EXAMPLES, REFERENCE_FILE, referenceConfigText } from '../../scripts/gen-reference-config';

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[] };

/** Leaf key paths of the JSON Schema: `alerts.slack[].channelId`; a mapping of free keys (tags) is a leaf. */
function schemaLeafPaths(s: JsonSchema, path = ''): string[] {
  const forms = s.anyOf ?? [s];
  const out: string[] = [];
  for (const f of forms) {
    if (f.properties) {
      for (const [k, sub] of Object.entries(f.properties)) {
        const p = path ? `${path}.${k}` : k;
        const nested = schemaLeafPaths(sub, p);
        out.push(...(nested.length > 0 ? nested : [p]));
      }
    } else if (f.items) {
      out.push(...schemaLeafPaths(f.items, `${path}[]`));
    }
  }
  return out;
}

/**
 * Key paths written in the reference, commented-out settings ("# key:") included, explanations ("## …") not, each
 * with whether one of its occurrences has an explanation right above it. Tracks indentation like a YAML reader, with
 * "- " opening a list item.
 */
function referenceKeyPaths(text: string): Map<string, boolean> {
  const paths = new Map<string, boolean>();
  const open: Array<{ indent: number; path: string }> = [];
  let explained = false;
  for (const raw of text.split('\n')) {
    let line = raw;
    const c = /^(\s*)# ?(.*)$/.exec(raw);
    if (c) {
      if (c[2]!.trimStart().startsWith('#')) { explained = true; continue; }
      line = `${c[1]}${c[2]}`;
    }
    const m = /^(\s*)(- )?([A-Za-z_][\w-]*):(\s|$)/.exec(line);
    if (m) {
      let indent = m[1]!.length;
      while (open.length > 0 && open.at(-1)!.indent >= indent) open.pop();
      if (m[2]) {
        open.push({ indent, path: `${open.at(-1)?.path ?? ''}[]` });
        indent += 2;
      }
      const parent = open.at(-1)?.path;
      const path = parent ? `${parent}.${m[3]}` : m[3]!;
      paths.set(path, (paths.get(path) ?? false) || explained);
      open.push({ indent, path });
    }
    explained = false;
  }
  return paths;
}

describe('reference config (examples/breakglass.reference.yaml)', () => {
  const onDisk = readFileSync(REFERENCE_FILE, 'utf8');

  it('is what the generator writes now (regenerate: npx tsx scripts/gen-reference-config.ts)', () => {
    assert.equal(onDisk, referenceConfigText());
  });

  it('validates as it is', () => {
    const { config } = loadConfigFile(REFERENCE_FILE);
    assert.equal(config.securityAccount.accountId, '222222222222');
  });

  it('names and explains every leaf key of the JSON Schema', () => {
    const leaves = schemaLeafPaths(configJsonSchema() as JsonSchema);
    assert.ok(leaves.length >= 35, `only ${leaves.length} leaves: ${leaves.join(', ')}`);
    const written = referenceKeyPaths(onDisk);
    assert.deepEqual(leaves.filter((p) => !written.has(p)), [], 'keys missing from the reference');
    assert.deepEqual(leaves.filter((p) => written.get(p) === false), [], 'keys without a "##" explanation above them');
  });

  it('the commented-out examples validate too, once used', () => {
    const c = parse(readFileSync(join(__dirname, '..', '..', 'examples', 'breakglass.config.yaml'), 'utf8')) as Record<string, any>;
    const at = (path: string) => path.split('.').slice(0, -1).reduce((o, k) => (o[k] ??= {}), c);
    for (const [path, value] of Object.entries(EXAMPLES)) {
      if (path.startsWith('users[].')) c.users.forEach((u: Record<string, unknown>) => { u[path.slice('users[].'.length)] = value; });
      else if (path.endsWith('[]')) at(path.slice(0, -2))[path.slice(0, -2).split('.').at(-1)!] = [value];
      else at(path)[path.split('.').at(-1)!] = value;
    }
    c.organization.deployFrom = 'delegated-admin';
    c.guardrails.serviceControlPolicy.enabled = true;
    const parsed = parseConfigText(JSON.stringify(c), 'examples.json');
    assert.equal(parsed.alerts.slack.length, 1);
    assert.equal(parsed.alerts.https[0]!.url, 'https://pager.example.com/integrations/breakglass');
  });
});
