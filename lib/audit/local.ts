/**
 * `breakglass audit` over local files: CloudTrail log files as AWS writes them (`{"Records":[…]}`, `.json.gz`), read
 * recursively from directories such as a copy of the organization trail bucket
 * (`AWSLogs/<org-id>/<account>/CloudTrail/<region>/YYYY/MM/DD/…`, CloudTrail user guide, "Finding your CloudTrail log
 * files"), JSON Lines, EventBridge events, or stdin. Parsing is the readers `simulate` uses
 * (lib/detection/read-events.ts); this module only lists the files, unwraps values into CloudTrail records and runs
 * the passes the stitcher asks for.
 *
 * Memory: the stitcher keeps only records that can belong to a break-glass session; everything else is dropped as it
 * is read. A second (third, …) pass over the input happens only when a session assumed another role (role chaining),
 * because the calls made with that role's credentials carry nothing else that names break-glass; stdin is therefore
 * spooled to a private temporary file first.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readBatches } from '../detection/read-events';
import { escapeControls } from '../detection/escape';
import { toAuditEvent } from './events';
import type { Stitcher, StitchResult } from './stitch';

/** Files a directory walk reads: CloudTrail log files and JSON (Lines) exports, plain or gzip. */
const LOG_FILE = /\.(json|jsonl|ndjson|log)(\.gz)?$|\.gz$/i;
/**
 * Digest files sit next to the logs in the same bucket (AWSLogs/<org>/<account>/CloudTrail-Digest/…) and hold no
 * records (CloudTrail user guide, "CloudTrail digest file structure"): skipped in directory walks.
 */
const DIGEST = /(^|[\\/])CloudTrail-Digest([\\/]|$)|_CloudTrail-Digest_/;

export interface LocalInput {
  /** Files to read, in order ("-" never: stdin is spooled to a file). */
  readonly files: string[];
  /** Files found in directories but not read (digests, other extensions). */
  readonly skipped: number;
  /** Words for the report ("14 files in 1 directory, stdin"). */
  readonly description: string;
  cleanup(): Promise<void>;
}

async function walk(dir: string, out: string[], counts: { skipped: number }): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (DIGEST.test(e.name)) { counts.skipped++; continue; }
      await walk(p, out, counts);
    } else if (e.isFile()) {
      if (LOG_FILE.test(e.name) && !DIGEST.test(e.name)) out.push(p);
      else counts.skipped++;
    }
  }
}

/** Expands the command's arguments: directories recursively, "-" (or nothing) = stdin, spooled to a temporary file. */
export async function expandInputs(args: readonly string[], stdin: NodeJS.ReadableStream): Promise<LocalInput> {
  const files: string[] = [];
  const counts = { skipped: 0 };
  let dirs = 0;
  let named = 0;
  let spool: string | undefined;
  for (const a of args.length ? args : ['-']) {
    if (a === '-') {
      if (spool) continue;
      const dir = await mkdtemp(join(tmpdir(), 'breakglass-audit-'));
      spool = join(dir, 'stdin');
      await pipeline(stdin as NodeJS.ReadableStream as Readable, createWriteStream(spool, { mode: 0o600 }));
      files.push(spool);
      continue;
    }
    let isDir = false;
    try { isDir = (await stat(a)).isDirectory(); } catch { /* the reader reports it: "cannot read the file (ENOENT)" */ }
    if (isDir) {
      const before = files.length;
      await walk(a, files, counts);
      dirs++;
      if (files.length === before) throw Object.assign(new Error(`no CloudTrail log files (.json, .json.gz, .jsonl …) in ${escapeControls(a)}`), { code: 'NOLOGS' });
    } else {
      files.push(a);
      named++;
    }
  }
  const parts: string[] = [];
  const walked = files.length - named - (spool ? 1 : 0);
  if (dirs) parts.push(`${walked} file${walked === 1 ? '' : 's'} in ${dirs} director${dirs === 1 ? 'y' : 'ies'}`);
  if (named) parts.push(`${named} file${named === 1 ? '' : 's'}`);
  if (spool) parts.push('standard input');
  return {
    files,
    skipped: counts.skipped,
    description: parts.join(', '),
    cleanup: async () => { if (spool) await rm(join(spool, '..'), { recursive: true, force: true }); },
  };
}

/** The CloudTrail records in one parsed value: itself, a log file's Records, or an EventBridge event's detail. */
export function recordsOf(value: unknown, fromRecords: boolean): unknown[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [value];
  const v = value as Record<string, unknown>;
  if (!fromRecords && Array.isArray(v.Records)) return v.Records;
  if ('detail-type' in v && 'source' in v && v.detail !== null && typeof v.detail === 'object') return [v.detail];
  return [value];
}

export interface LocalAuditStats {
  readonly result: StitchResult;
  readonly passes: number;
  readonly recordsRead: number;
  readonly unreadable: number;
}

export interface LocalAuditHooks {
  /** A value that could not be read (first pass only), one line: "file:line: problem". */
  problem(message: string): void;
  /** A pass is starting (pass > 1). */
  pass?(n: number, chainedSessions: number): void;
}

/** Most passes: one, plus one per level of role chaining found (a chain deeper than this is reported as unlinked). */
export const MAX_PASSES = 6;

export interface AuditFilesOptions {
  /**
   * Decide from the raw bytes which JSON Lines records to parse (lib/detection/fast-lines.ts). @default true.
   * Off (--no-prefilter): every record is parsed and checked, as simulate does.
   */
  readonly prefilter?: boolean;
}

export async function auditFiles(stitcher: Stitcher, files: readonly string[], hooks: LocalAuditHooks, o: AuditFilesOptions = {}): Promise<LocalAuditStats> {
  const { readFiltered } = require('../detection/fast-lines') as typeof import('../detection/fast-lines');
  let recordsRead = 0;
  let unreadable = 0;
  const noStdin = Readable.from([]);
  for (let pass = 1; ; pass++) {
    const needles = stitcher.rawNeedles();
    for (const file of files) {
      const stats = { lines: 0, parsed: 0 };
      const batches = o.prefilter === false ? readBatches([file], noStdin) : readFiltered(file, needles, stats);
      for await (const batch of batches) {
        for (const item of batch) {
          if (item.error !== undefined) {
            if (pass === 1) {
              unreadable++;
              hooks.problem(`${escapeControls(item.source)}${item.line ? `:${item.line}` : ''}: ${item.error}`);
            }
            continue;
          }
          for (const r of recordsOf(item.value, item.fromRecords)) {
            if (pass === 1) {
              recordsRead++;
              if (!toAuditEvent(r)) {
                unreadable++;
                hooks.problem(`${escapeControls(item.source)}${item.line ? `:${item.line}` : ''}: not a CloudTrail record (no eventSource, eventName and eventTime)`);
                continue;
              }
            }
            stitcher.offer(r);
          }
        }
      }
      // Lines the prefilter did not parse: one record each (it parses every line that could hold more).
      if (pass === 1) recordsRead += stats.lines - stats.parsed;
    }
    const { result, morePasses } = stitcher.resolve();
    if (!morePasses || pass >= MAX_PASSES) return { result, passes: pass, recordsRead, unreadable };
    hooks.pass?.(pass + 1, stitcher.needles().keys.size);
  }
}
