/**
 * Streams parsed values out of files or stdin: plain or gzip (detected by its magic bytes, so `.gz` files and piped
 * gzip both work), JSON Lines, JSON documents or CloudTrail log files. Memory stays bounded by the largest single
 * value (at most the record limit), whatever the input size; time stays linear in the input. The limits are in
 * lib/detection/limits.ts: a value over the record limit, a gzip stream that expands beyond the ratio limit, binary
 * data and truncated log files each end as one error item naming the source, and the rest is still read.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { JsonValueSplitter, splitLine, type RawValue } from './json-stream';
import { escapeControls } from './escape';
import { formatSize, limits, type Limits } from './limits';

export interface ReadItem {
  /** File name, or "-" for stdin. */
  readonly source: string;
  /** 1-based line of the value; 0 for a problem with the whole source (unreadable file, gzip bomb, binary data). */
  readonly line: number;
  readonly fromRecords: boolean;
  readonly value?: unknown;
  /** Why the value could not be parsed (or the source read). */
  readonly error?: string;
  /**
   * Lines of the same source before this one that a raw-bytes prefilter counted as one record each but did not parse
   * (lib/detection/fast-lines.ts), so that positions in the input stay those of a full read.
   */
  readonly skippedBefore?: number;
}

/** Every value of every source, one at a time. */
export async function* readValues(sources: readonly string[], stdin: Readable = process.stdin): AsyncGenerator<ReadItem> {
  for await (const batch of readBatches(sources, stdin)) yield* batch;
}

/**
 * The same values in batches (one per chunk read, up to 1 MiB of input): one await per batch instead of one per
 * value, which is what large exports spend their time on otherwise.
 */
export async function* readBatches(sources: readonly string[], stdin: Readable = process.stdin): AsyncGenerator<ReadItem[]> {
  const lim = limits();
  for (const source of sources.length ? sources : ['-']) {
    let stream: Readable;
    try {
      stream = source === '-' ? stdin : await openFile(source);
    } catch (e) {
      yield [{ source, line: 0, fromRecords: false, error: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }];
      continue;
    }
    yield* readStream(source, stream, lim);
  }
}

async function openFile(file: string): Promise<Readable> {
  // A directory opens fine on Linux and fails only on the first read; say what it is up front.
  if ((await stat(file)).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  const s = createReadStream(file, { highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => { s.once('open', () => resolve()); s.once('error', reject); });
  return s;
}

/** JSON text never holds a NUL character; at the very start it means binary data or UTF-16 text. */
function binaryProblem(chunk: Buffer): string | undefined {
  const probe = chunk.subarray(0, 4096);
  if (probe.indexOf(0) < 0) return undefined;
  // UTF-16 text of mostly ASCII has a NUL in every other byte (and maybe a byte order mark); anything else is binary.
  let even = 0;
  let odd = 0;
  for (let k = 0; k < probe.length; k++) if (probe[k] === 0) { if (k % 2) odd++; else even++; }
  const bom = probe.length >= 2 && ((probe[0] === 0xff && probe[1] === 0xfe) || (probe[0] === 0xfe && probe[1] === 0xff));
  const utf16 = bom || (Math.min(even, odd) === 0 && Math.max(even, odd) >= probe.length / 4);
  return `not JSON text: it starts with NUL bytes (${utf16 ? 'UTF-16 text? convert it to UTF-8' : 'binary data'}); the source is skipped`;
}

async function* readStream(source: string, raw: Readable, lim: Limits): AsyncGenerator<ReadItem[]> {
  const splitter = new JsonValueSplitter(lim.maxRecordChars);
  const decoder = new StringDecoder('utf8');
  const input = raw as AsyncIterable<Buffer | string>;
  let first = true;
  try {
    for await (let chunk of input) {
      if (typeof chunk === 'string') chunk = Buffer.from(chunk);
      if (chunk.length === 0) continue;
      if (first) {
        first = false;
        if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
          // Gzip: restart through a gunzip stream fed with this chunk and the rest.
          yield* readGzip(source, chunk, input as AsyncIterable<Buffer>, raw, lim);
          return;
        }
        const binary = binaryProblem(chunk);
        if (binary) {
          raw.destroy();
          yield [{ source, line: 0, fromRecords: false, error: binary }];
          return;
        }
      }
      yield parse(source, splitter.push(decoder.write(chunk)));
    }
  } catch (e) {
    yield [{ source, line: 0, fromRecords: false, error: `read failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }];
    return;
  }
  yield parse(source, [...splitter.push(decoder.end()), ...splitter.end()]);
}

async function* readGzip(source: string, head: Buffer, rest: AsyncIterable<Buffer>, raw: Readable, lim: Limits): AsyncGenerator<ReadItem[]> {
  // zlib's default 16 KiB output chunks: measured faster here than 1 MiB ones (docs/benchmarks.md).
  const gunzip = createGunzip();
  let compressed = 0;
  let stopped = false;
  (async () => {
    try {
      compressed += head.length;
      if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
      for await (const c of rest) {
        if (stopped) break;
        compressed += c.length;
        if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
      }
      gunzip.end();
    } catch (e) { gunzip.destroy(e as Error); }
  })();
  const splitter = new JsonValueSplitter(lim.maxRecordChars);
  const decoder = new StringDecoder('utf8');
  let expanded = 0;
  let first = true;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (first && chunk.length > 0) {
        first = false;
        const binary = binaryProblem(chunk);
        if (binary) {
          stop(gunzip, raw);
          stopped = true;
          yield [{ source, line: 0, fromRecords: false, error: `gzip data is ${binary}` }];
          return;
        }
      }
      expanded += chunk.length;
      if (expanded > lim.gzipRatioAfterChars && expanded > lim.gzipMaxRatio * compressed) {
        stopped = true;
        stop(gunzip, raw);
        yield [{
          source, line: 0, fromRecords: false,
          error: `gzip data expands more than ${lim.gzipMaxRatio}:1 (${formatSize(expanded)} from ${formatSize(compressed)} so far; the limit once past ${formatSize(lim.gzipRatioAfterChars)}), `
            + 'which is what a gzip bomb does: the rest of the source is not read (if you trust it, decompress it yourself and pipe it in: zcat FILE | breakglass … -)',
        }];
        return;
      }
      yield parse(source, splitter.push(decoder.write(chunk)));
    }
  } catch (e) {
    yield [{ source, line: 0, fromRecords: false, error: `gzip data is corrupt or truncated (${(e as Error).message})` }];
  }
  yield parse(source, [...splitter.push(decoder.end()), ...splitter.end()]);
}

function stop(gunzip: NodeJS.ReadableStream & { destroy(): void }, raw: Readable): void {
  gunzip.destroy();
  if (raw !== process.stdin) raw.destroy();
}

function parse(source: string, raw: readonly RawValue[]): ReadItem[] {
  const out: ReadItem[] = [];
  for (const v of raw) toItems(source, v, out);
  return out;
}

/** Parsed items of one raw value: one, except for a whole line that holds several values (or none). */
function toItems(source: string, v: RawValue, out: ReadItem[]): void {
  if (v.wholeLine) {
    try {
      out.push({ source, line: v.line, fromRecords: false, value: JSON.parse(v.text) });
    } catch {
      // Not exactly one valid value: split the line properly so each value is kept and each problem named.
      for (const part of splitLine(v)) out.push(toItem(source, part));
    }
    return;
  }
  out.push(toItem(source, v));
}

function toItem(source: string, v: RawValue): ReadItem {
  if (v.error !== undefined) return { source, line: v.line, fromRecords: v.fromRecords, error: v.error };
  if (v.incomplete) return { source, line: v.line, fromRecords: v.fromRecords, error: `incomplete JSON value (${preview(v.text)})` };
  try {
    return { source, line: v.line, fromRecords: v.fromRecords, value: JSON.parse(v.text) };
  } catch (e) {
    return { source, line: v.line, fromRecords: v.fromRecords, error: `not valid JSON: ${oneLine((e as Error).message)} (${preview(v.text)})` };
  }
}

/** At most 40 characters of the text, on one line, with control characters shown as escapes. */
export function preview(text: string): string {
  const t = (text.length > 200 ? text.slice(0, 200) : text).replace(/\s+/g, ' ');
  const short = t.length > 40 ? `${t.slice(0, 40)}…` : t;
  return escapeControls(short);
}

function oneLine(s: string): string {
  return escapeControls(s.replace(/\s+/g, ' '));
}
