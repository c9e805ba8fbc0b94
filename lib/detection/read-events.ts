/**
 * Streams parsed values out of files or stdin: plain or gzip (detected by its magic bytes, so `.gz` files and piped
 * gzip both work), JSON Lines, JSON documents or CloudTrail log files. Memory stays bounded by the largest single
 * value, whatever the input size.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { JsonValueSplitter, splitLine, type RawValue } from './json-stream';

export interface ReadItem {
  /** File name, or "-" for stdin. */
  readonly source: string;
  readonly line: number;
  readonly fromRecords: boolean;
  readonly value?: unknown;
  /** Why the value could not be parsed. */
  readonly error?: string;
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
  for (const source of sources.length ? sources : ['-']) {
    let stream: Readable;
    try {
      stream = source === '-' ? stdin : await openFile(source);
    } catch (e) {
      yield [{ source, line: 0, fromRecords: false, error: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }];
      continue;
    }
    yield* readStream(source, stream);
  }
}

async function openFile(file: string): Promise<Readable> {
  const s = createReadStream(file, { highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => { s.once('open', () => resolve()); s.once('error', reject); });
  return s;
}

async function* readStream(source: string, raw: Readable): AsyncGenerator<ReadItem[]> {
  const splitter = new JsonValueSplitter();
  const decoder = new StringDecoder('utf8');
  let input: AsyncIterable<Buffer> = raw;
  let first = true;
  try {
    for await (let chunk of input as AsyncIterable<Buffer | string>) {
      if (typeof chunk === 'string') chunk = Buffer.from(chunk);
      if (first) {
        first = false;
        if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
          // Gzip: restart through a gunzip stream fed with this chunk and the rest.
          yield* readGzip(source, chunk, input as AsyncIterable<Buffer>);
          return;
        }
      }
      yield parse(source, splitter.push(decoder.write(chunk)));
    }
  } catch (e) {
    yield [{ source, line: 0, fromRecords: false, error: `read failed (${(e as Error).message})` }];
    return;
  }
  yield parse(source, [...splitter.push(decoder.end()), ...splitter.end()]);
}

async function* readGzip(source: string, head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<ReadItem[]> {
  // zlib's default 16 KiB output chunks: measured faster here than 1 MiB ones (docs/benchmarks.md).
  const gunzip = createGunzip();
  (async () => {
    try {
      if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
      for await (const c of rest) if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
      gunzip.end();
    } catch (e) { gunzip.destroy(e as Error); }
  })();
  const splitter = new JsonValueSplitter();
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      yield parse(source, splitter.push(decoder.write(chunk)));
    }
  } catch (e) {
    yield [{ source, line: 0, fromRecords: false, error: `gzip data is corrupt or truncated (${(e as Error).message})` }];
  }
  yield parse(source, [...splitter.push(decoder.end()), ...splitter.end()]);
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
  if (v.incomplete) return { source, line: v.line, fromRecords: v.fromRecords, error: `incomplete JSON value (${preview(v.text)})` };
  try {
    return { source, line: v.line, fromRecords: v.fromRecords, value: JSON.parse(v.text) };
  } catch (e) {
    return { source, line: v.line, fromRecords: v.fromRecords, error: `not valid JSON: ${(e as Error).message} (${preview(v.text)})` };
  }
}

function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}
