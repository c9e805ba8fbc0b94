/** The two outputs of doctor: a table for people, one JSON document (schemaVersion 1) for programs. */
import type { CheckResult } from './types';

export const DOCTOR_SCHEMA_VERSION = 1;

export function renderJson(results: readonly CheckResult[]): string {
  const checks = results.map(({ id, title, status, detail, fix }) => ({ id, title, status, detail, fix }));
  return `${JSON.stringify({ schemaVersion: DOCTOR_SCHEMA_VERSION, checks }, null, 2)}\n`;
}

const LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/**
 * STATUS  ID  TITLE, then the detail and the fix indented below each row. Plain text (no colour): it is also what
 * gets pasted into tickets.
 */
export function renderTable(results: readonly CheckResult[]): string {
  const idWidth = Math.max(2, ...results.map((r) => r.id.length));
  const lines = [`STATUS  ${'ID'.padEnd(idWidth)}  CHECK`];
  for (const r of results) {
    lines.push(`${LABEL[r.status].padEnd(6)}  ${r.id.padEnd(idWidth)}  ${r.title}`);
    const pad = ' '.repeat(8 + idWidth + 2);
    lines.push(`${pad}${r.detail}`);
    if (r.fix && r.status !== 'pass') lines.push(`${pad}fix: ${r.fix}`);
  }
  const n = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  lines.push('', `${n('pass')} passed, ${n('warn')} warning${n('warn') === 1 ? '' : 's'}, ${n('fail')} failed`);
  return `${lines.join('\n')}\n`;
}
