/**
 * A small tar (POSIX ustar + pax for long names) + gzip writer, enough for the support bundle:
 * regular files and directories only, deterministic headers (mode 0644/0755, uid/gid 0, given mtime).
 */
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Readable } from 'node:stream';

const block = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: '0' | '5' | 'x', mtime: number, prefix = ''): Buffer {
  const h = Buffer.alloc(block, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function pad(size: number): Buffer {
  const rest = size % block;
  return Buffer.alloc(rest === 0 ? 0 : block - rest, 0);
}

/** ustar name/prefix split, or undefined when a pax header is needed. */
function splitName(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  return undefined;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  let total = len + String(len).length;
  if (String(total).length !== String(len).length) total = len + String(total).length;
  len = total;
  return Buffer.from(`${len}${body}`, 'utf8');
}

function* entryHeaders(path: string, size: number, type: '0' | '5', mtime: number): Generator<Buffer> {
  const split = splitName(path);
  if (split) {
    yield header(split.name, size, type, mtime, split.prefix);
    return;
  }
  const pax = paxRecord('path', path);
  yield header('PaxHeader', pax.length, 'x', mtime);
  yield pax;
  yield pad(pax.length);
  yield header(path.slice(0, 99), size, type, mtime);
}

async function listTree(root: string, rel = ''): Promise<{ path: string; dir: boolean }[]> {
  const out: { path: string; dir: boolean }[] = [];
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out.push({ path: p, dir: true });
      out.push(...(await listTree(root, p)));
    } else if (e.isFile()) {
      out.push({ path: p, dir: false });
    }
  }
  return out;
}

/** Files up to this size are read whole; larger ones are streamed. */
const wholeFileLimit = 4 * 1024 * 1024;

/** Reads a small file whole (with its size), or just its size when it is large. */
function load(full: string): { size: number; data?: Buffer } {
  const { size } = statSync(full);
  if (size > wholeFileLimit) return { size };
  const data = readFileSync(full);
  return { size: data.length, data };
}

/**
 * Writes `dir` as `<topName>/...` into a gzip-compressed tarball at `outFile`. A bundle of a big
 * cluster holds thousands of small files: they are read synchronously (a few microseconds each
 * from the page cache, where async reads cost several thread-pool round trips per file), and
 * small buffers are joined before they reach zlib.
 */
export async function writeTarGz(dir: string, outFile: string, topName: string, mtimeSeconds = Date.now() / 1000): Promise<void> {
  const entries = await listTree(dir);
  async function* generate(): AsyncGenerator<Buffer> {
    yield* entryHeaders(`${topName}/`, 0, '5', mtimeSeconds);
    for (const e of entries) {
      const full = join(dir, e.path);
      const name = `${topName}/${e.path}${e.dir ? '/' : ''}`;
      if (e.dir) {
        yield* entryHeaders(name, 0, '5', mtimeSeconds);
        continue;
      }
      const loaded = load(full);
      const size = loaded.size;
      yield* entryHeaders(name, size, '0', mtimeSeconds);
      if (loaded.data) {
        yield loaded.data;
      } else {
        let written = 0;
        for await (const chunk of createReadStream(full)) {
          const buf = chunk as Buffer;
          // A file that grew while archiving is cut at the size recorded in its header.
          const part = buf.subarray(0, Math.max(0, size - written));
          written += part.length;
          if (part.length) yield part;
        }
        if (written < size) yield Buffer.alloc(size - written, 0);
      }
      yield pad(size);
    }
    yield Buffer.alloc(block * 2, 0);
  }
  await pipeline(Readable.from(coalesce(generate())), createGzip({ level: 6 }), createWriteStream(outFile, { mode: 0o600 }));
}

/** Joins small buffers (512-byte headers, short files) into larger ones: each chunk is a zlib call. */
async function* coalesce(source: AsyncIterable<Buffer>, size = 256 * 1024): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let length = 0;
  for await (const b of source) {
    parts.push(b);
    length += b.length;
    if (length >= size) {
      yield Buffer.concat(parts, length);
      parts = [];
      length = 0;
    }
  }
  if (length > 0) yield Buffer.concat(parts, length);
}
