/**
 * `simulate --alerts-only` with the raw-bytes prefilter (fieldSelector in lib/detection/fast-lines.ts, rawFieldValues
 * in lib/detection/simulate.ts): the same output as parsing every record, byte for byte, on every input shape; the
 * same alerting events as the full listing; and most records of a trail not parsed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadConfigFile } from '../../lib/config/load';
import { CATALOGUE } from '../../lib/detection/catalogue';
import { detectionContext } from '../../lib/detection/context';
import { fieldSelector, readFiltered, refinedSelector, type FieldValues } from '../../lib/detection/fast-lines';
import { literalConditions, literalsHold, rawFieldValues, rawLineTest, requiredValues } from '../../lib/detection/simulate';
import { generateOrgLogs, jsonLines } from '../audit/org-logs';
import * as f from '../fixtures/cloudtrail';
import { runCli, runCliWithInput } from '../helpers/cli';
import { EXAMPLE_CONFIG, exampleWith } from '../helpers/config';

type Rec = Record<string, any>;

/** One record (at least) that raises each rule of the catalogue, and near misses of each. */
function alerting(): Rec[] {
  return [
    f.consoleLogin(),
    f.consoleLogin({ result: 'Failure' }),
    f.consoleLogin({ root: true, account: f.M }),
    f.assumeRoleCaller({ roleAccount: f.M, region: 'eu-west-1' }),
    f.assumeRoleOwner({ roleAccount: f.M, region: 'eu-west-1' }),
    f.switchRole({ account: f.M, region: 'eu-west-1' }),
    f.iamCall('CreateAccessKey', { userName: f.USER }),
    f.iamCall('AttachRolePolicy', { roleName: f.ROLE, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, { account: f.M }),
    f.apiCall({ source: 'cloudtrail.amazonaws.com', name: 'StopLogging', params: { name: 'org-trail' }, account: f.M }),
    // A Lambda event name with its API version suffix: matched by prefix.
    f.apiCall({ source: 'lambda.amazonaws.com', name: 'UpdateFunctionCode20150331v2', params: { functionName: 'breakglass-notifier' } }),
    f.apiCall({ source: 'kms.amazonaws.com', name: 'DisableKey', params: { keyId: 'k' } }),
    f.assumeRoot(),
    f.rootCall(),
    // Near misses: another role, another user, another function, a read.
    f.assumeRoleCaller({ user: 'alice', roleAccount: f.M, role: 'Admin' }),
    f.iamCall('CreateAccessKey', { userName: 'alice' }),
    f.apiCall({ source: 'lambda.amazonaws.com', name: 'UpdateFunctionCode20150331v2', params: { functionName: 'billing' } }),
    f.apiCall({ source: 'ec2.amazonaws.com', name: 'DescribeInstances', params: null, account: f.M }),
  ];
}

/**
 * JSON another tool may write: spaces around ":" and ",", "/" as "\/", each string's first letter (keys too) as a
 * \u escape.
 */
function oddJson(v: unknown): string {
  if (typeof v === 'string') {
    const body = JSON.stringify(v).slice(1, -1).replace(/\//g, '\\/');
    return v.length && /[A-Za-z]/.test(v[0]!) ? `"\\u${v.charCodeAt(0).toString(16).padStart(4, '0')}${body.slice(1)}"` : `"${body}"`;
  }
  if (Array.isArray(v)) return `[ ${v.map(oddJson).join(' , ')} ]`;
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${oddJson(k)} : ${oddJson(x)}`).join(' , ')} }`;
  return JSON.stringify(v);
}

const noise = generateOrgLogs().records as Rec[];
/** Alerting records spread through unrelated ones, so that positions (index) are tested across skipped lines. */
const records: Rec[] = noise.flatMap((r, i) => (i % 37 === 5 ? [r, alerting()[Math.floor(i / 37) % alerting().length]!] : [r]));
let dir: string;
const files: Record<string, string> = {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'breakglass-simulate-prefilter-'));
  const w = (name: string, data: string | Buffer) => { writeFileSync(join(dir, name), data); files[name] = join(dir, name); };
  w('plain.jsonl', jsonLines(records));
  w('gzip.jsonl.gz', gzipSync(jsonLines(records)));
  w('odd.jsonl', `${records.map(oddJson).join('\n')}\n`);
  w('spaced-keys.jsonl', `${records.map((r) => JSON.stringify(r).replace(/"eventName":/g, '"eventName" \t: ').replace(/"type":/g, '"type"  :  ')).join('\n')}\n`);
  w('crlf-bom-blank.jsonl', `\ufeff${records.map((r) => JSON.stringify(r)).join('\r\n\r\n   \r\n')}\r\n`);
  w('eventbridge.jsonl', `${records.map((r) => JSON.stringify({ version: '0', id: r.eventID, 'detail-type': r.eventType === 'AwsConsoleSignIn' ? 'AWS Console Sign In via CloudTrail' : 'AWS API Call via CloudTrail', source: `aws.${String(r.eventSource).split('.')[0]}`, account: r.recipientAccountId, time: r.eventTime, region: r.awsRegion, resources: [], detail: r })).join('\n')}\n`);
  w('pretty.json', JSON.stringify({ Records: records }, null, 2));
  w('records-per-line.jsonl', `${JSON.stringify({ Records: records.slice(0, 300) })}\n${JSON.stringify({ Records: records.slice(300) })}\n`);
  // Shapes a byte test could get wrong: the value in an array, a duplicate key (the last one counts), the key as a
  // value, a value with an escaped quote, broken lines.
  const login = f.consoleLogin();
  const tricky = [
    JSON.stringify({ ...login, eventName: ['ConsoleLogin'] }),
    JSON.stringify(login).replace('"eventName":"ConsoleLogin"', '"eventName":"DescribeInstances","eventName":"ConsoleLogin"'),
    JSON.stringify({ ...f.apiCall({ source: 'ec2.amazonaws.com', name: 'DescribeInstances' }), note: 'eventName' }),
    JSON.stringify({ ...login, eventName: 'Console"Login' }),
    JSON.stringify({ ...f.rootCall(), userIdentity: { ...f.rootCall().userIdentity, type: ['Root'] } }),
    '{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","userIdentity":{"userName":"BreakGlassUser1"',
    '[1,2]',
    '{"a":1} {"b":',
  ];
  w('tricky.jsonl', `${jsonLines(records.slice(0, 50))}${tricky.join('\n')}\n${jsonLines(records.slice(50, 120))}`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function simulate(args: string[], input?: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return input === undefined ? runCli('simulate', '-c', EXAMPLE_CONFIG, ...args) : runCliWithInput(input, 'simulate', '-c', EXAMPLE_CONFIG, ...args);
}

describe('simulate --alerts-only: the prefilter changes nothing but the time', () => {
  it('prints exactly what a full parse prints, on every input shape, as JSON and as text', async () => {
    const cases: [string, string[], (string | Buffer)?][] = [
      ...Object.entries(files).map(([name, file]) => [name, [file]] as [string, string[]]),
      ['stdin, gzip', [], gzipSync(jsonLines(records))],
      ['several files at once', [files['plain.jsonl']!, files['tricky.jsonl']!, files['odd.jsonl']!]],
    ];
    for (const [name, args, input] of cases) {
      for (const format of [['--json'], []]) {
        const fast = await simulate(['--alerts-only', ...format, ...args], input);
        const full = await simulate(['--alerts-only', '--no-prefilter', ...format, ...args], input);
        assert.equal(fast.code, full.code, name);
        assert.equal(fast.stdout, full.stdout, `${name} ${format.join(' ')}`);
        assert.equal(fast.stderr, full.stderr, `${name} ${format.join(' ')}: stderr`);
      }
    }
  });

  it('lists the alerting events of the full listing, at the same positions, and counts every event', async () => {
    const all = JSON.parse((await simulate(['--json', files['plain.jsonl']!])).stdout);
    const only = JSON.parse((await simulate(['--json', '--alerts-only', files['plain.jsonl']!])).stdout);
    const alertingEvents = all.events.filter((e: any) => e.matches.length > 0);
    assert.ok(alertingEvents.length >= 20, `fixture raises alerts (${alertingEvents.length})`);
    assert.deepEqual(only.events, alertingEvents);
    assert.deepEqual(only.summary, all.summary);
    // Every rule of the catalogue is exercised, so a selector that dropped one rule's records would show above.
    const rules = new Set(alertingEvents.flatMap((e: any) => e.matches.map((m: any) => m.rule)));
    assert.deepEqual([...rules].sort(), CATALOGUE.map((r) => r.id).sort());
  });
});

describe('raw field values: what each rule requires, read off the synthesized patterns', () => {
  const ctx = detectionContext(loadConfigFile(EXAMPLE_CONFIG).config);

  it('covers every rule of the catalogue (otherwise every record would be parsed)', () => {
    const fields = rawFieldValues(ctx);
    assert.ok(fields, 'some rule constrains none of eventName, userIdentity.type, eventSource');
    assert.ok(fields.get('eventName')!.exact.has('ConsoleLogin'));
    assert.ok(fields.get('eventName')!.prefixes.includes('UpdateFunctionCode'));
    assert.deepEqual([...fields.get('type')!.exact], ['Root']);
    const variant = rawFieldValues(detectionContext(exampleWith((c) => { c.users = [{ name: 'Emergency-Ops' }]; })));
    assert.ok(variant);
  });

  it('gives up (undefined) when a rule constrains none of the fields', () => {
    const loose = { ...CATALOGUE[0]!, pattern: () => ({ source: ['aws.ec2'] }) };
    assert.equal(rawFieldValues(ctx, [loose]), undefined);
  });

  it('reads exact values, prefixes and $or branches, and refuses any other operator', () => {
    assert.deepEqual(requiredValues({ detail: { eventName: ['A', { prefix: 'B' }] } }, ['detail', 'eventName']), { exact: new Set(['A']), prefixes: ['B'] });
    assert.deepEqual(requiredValues({ detail: { $or: [{ eventName: ['A'] }, { eventName: [{ prefix: 'C' }] }] } }, ['detail', 'eventName']), { exact: new Set(['A']), prefixes: ['C'] });
    assert.equal(requiredValues({ detail: { $or: [{ eventName: ['A'] }, { eventSource: ['x'] }] } }, ['detail', 'eventName']), undefined);
    assert.equal(requiredValues({ detail: { eventName: [{ 'anything-but': 'A' }] } }, ['detail', 'eventName']), undefined);
    assert.equal(requiredValues({ detail: { eventName: [{ prefix: { 'equals-ignore-case': 'a' } }] } }, ['detail', 'eventName']), undefined);
    assert.equal(requiredValues({ detail: { eventName: [{ wildcard: 'A*' }] } }, ['detail', 'eventName']), undefined);
  });
});

describe('literal conditions: the text a matching record must hold, read off the patterns', () => {
  const ctx = detectionContext(loadConfigFile(EXAMPLE_CONFIG).config);

  it('takes exact values, prefixes, suffixes and wildcard runs under detail, ANDs keys and keeps $or branches', () => {
    assert.deepEqual(literalConditions({
      source: ['aws.sts'], account: ['111111111111'],
      detail: { eventName: ['A', { prefix: 'Pre' }], x: { y: [{ suffix: '.end' }] }, arn: [{ wildcard: 'arn:*:role/Break\\*Glass*' }], n: [1], z: [{ 'anything-but': 'q' }],
        $or: [{ a: ['1'] }, { b: ['2'], c: ['3'] }] },
    }), [
      { any: ['"A"', '"Pre'] },
      { any: ['.end"'] },
      { any: [':role/Break*Glass'] },
      { or: [[{ any: ['"1"'] }], [{ any: ['"2"'] }, { any: ['"3"'] }]] },
    ]);
    assert.deepEqual(literalConditions({ detail: { $or: [{ a: ['1'] }, { b: [{ exists: true }] }] } }), [], 'a branch that requires nothing');
    assert.deepEqual(literalConditions({ detail: { a: ['1', { 'equals-ignore-case': 'x' }] } }), [], 'a list with a value that gives no text');
    assert.equal(literalsHold([{ or: [[{ any: ['"1"'] }], [{ any: ['"2"'] }, { any: ['"3"'] }]] }], '{"b":"2","c":"3"}'), true);
    assert.equal(literalsHold([{ or: [[{ any: ['"1"'] }], [{ any: ['"2"'] }, { any: ['"3"'] }]] }], '{"b":"2","c":"4"}'), false);
  });

  it('every rule of the catalogue requires some text, so the line test is on', () => {
    assert.ok(rawLineTest(ctx));
    for (const rule of CATALOGUE) assert.ok(literalConditions(rule.pattern(ctx)).length > 0, rule.id);
    const loose = { ...CATALOGUE[0]!, pattern: () => ({ detail: { eventName: [{ 'anything-but': 'x' }] } }) };
    assert.equal(rawLineTest(ctx, [loose]), undefined);
  });

  it('the two-stage selector parses far fewer lines than the key scan alone, and the same output follows (above)', async () => {
    const fields = rawFieldValues(ctx)!;
    const one = { lines: 0, parsed: 0 };
    const two = { lines: 0, parsed: 0 };
    for await (const _ of readFiltered(files['plain.jsonl']!, fieldSelector(fields), one)) { /* count */ }
    for await (const _ of readFiltered(files['plain.jsonl']!, refinedSelector(fieldSelector(fields), rawLineTest(ctx)!), two)) { /* count */ }
    assert.ok(two.parsed < one.parsed, `${two.parsed} < ${one.parsed}`);
  });
});

describe('fieldSelector: which lines the bytes rule out', () => {
  const values: FieldValues = { exact: new Set(['ConsoleLogin']), prefixes: ['UpdateFunctionCode'] };
  const selected = (lines: string[]): boolean[] => {
    const region = Buffer.from(`${lines.join('\n')}\n`);
    const starts: number[] = [];
    fieldSelector(new Map([['eventName', values], ['type', { exact: new Set(['Root']), prefixes: [] }]])).select(region, starts);
    const set = new Set(starts);
    let at = 0;
    return lines.map((l) => { const s = set.has(at); at += Buffer.byteLength(l) + 1; return s; });
  };

  it('selects a required value, a prefix, a non-string value, an escape, and the rare value anywhere', () => {
    assert.deepEqual(selected([
      '{"eventName":"ConsoleLogin"}',
      '{"eventName" : "UpdateFunctionCode20150331v2"}',
      '{"eventName":["DescribeInstances"]}',
      '{"eventName":"Console\\"Login"}',
      '{"eventName":"\\u0043onsoleLogin"}',
      '{"x":"a\\/b","eventName":"DescribeInstances"}',
      '{"userIdentity":{"type":"Root"}}',
      '{"resources":[{"type":["Root"]}]}',
    ]), [true, true, true, true, true, true, true, true]);
  });

  it('rules out other values, absent keys, the key as a value, and escaped backslashes', () => {
    assert.deepEqual(selected([
      '{"eventName":"DescribeInstances"}',
      '{"eventSource":"ec2.amazonaws.com"}',
      '{"note":"eventName","eventName":"GetObject"}',
      '{"userIdentity":{"type":"AssumedRole"},"eventName":"ListBuckets"}',
      '{"path":"C:\\\\users","eventName":"ListBuckets"}',
      '{"eventName":"UpdateFunction"}',
    ]), [false, false, false, false, false, false]);
  });

  it('parses a fifth or less of a generated trail (the rest is counted, not parsed)', async () => {
    const stats = { lines: 0, parsed: 0 };
    const fields = rawFieldValues(detectionContext(loadConfigFile(EXAMPLE_CONFIG).config))!;
    let values = 0;
    for await (const batch of readFiltered(files['plain.jsonl']!, fieldSelector(fields), stats)) values += batch.length;
    assert.equal(stats.lines, records.length);
    assert.equal(values, stats.parsed);
    assert.ok(stats.parsed < records.length / 5, `parsed ${stats.parsed} of ${records.length}`);
  });
});
