/**
 * Safe extraction of a bundle tarball (.tar.gz or .tar). Bundles come from other people's clusters,
 * so the archive is hostile until proven otherwise: only regular files and directories are written,
 * every name must stay inside the target folder (no absolute paths, no `..`, no NUL, no backslashes),
 * links and device files are refused, entries never overwrite each other, and the total size and
 * entry count are capped (which also stops decompression bombs). Every refused entry is reported.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { join, resolve, sep } from 'node:path';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';

export interface ExtractOptions {
  /** Cap on the bytes of all extracted files together (default 1 GiB). */
  maxTotalBytes?: number;
  /** Cap on the number of entries in the archive (default 50 000). */
  maxEntries?: number;
}

export interface RefusedEntry {
  name: string;
  reason: string;
}

export interface ExtractResult {
  dir: string;
  /** Extracted files, relative to `dir`. */
  files: string[];
  refused: RefusedEntry[];
  totalBytes: number;
  /** True when a cap stopped the extraction before the end of the archive. */
  truncated: boolean;
}

const block = 512;

/** Pulls exact byte counts out of a chunked stream. */
class ByteReader {
  private buf = Buffer.alloc(0);
  private done = false;
  consumed = 0;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.buf.length < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : next.value;
    }
  }

  /** Exactly n bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    this.consumed += out.length;
    return out;
  }

  /** Streams n bytes to `sink` without holding them all in memory; returns how many arrived. */
  async pipe(n: number, sink?: (chunk: Buffer) => Promise<void>): Promise<number> {
    let left = n;
    while (left > 0) {
      await this.fill(1);
      if (!this.buf.length) break;
      const take = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(take.length);
      this.consumed += take.length;
      left -= take.length;
      if (sink) await sink(take);
    }
    return n - left;
  }
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

function octal(b: Buffer): number {
  // GNU base-256 for large values: first byte has the high bit set.
  if (b[0] & 0x80) {
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i];
    return v;
  }
  const t = cString(b).trim();
  return t ? parseInt(t, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === octal(h.subarray(148, 156));
}

function parsePax(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = Number(text.slice(i, sp));
    if (!Number.isFinite(len) || len <= 0) break;
    const record = text.slice(sp + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Bundle-relative name, or the reason it is refused. */
export function safeEntryName(raw: string): { name: string } | { reason: string } {
  if (raw.includes('\0')) return { reason: 'name contains NUL' };
  if (raw.includes('\\')) return { reason: 'name contains a backslash' };
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return { reason: 'absolute path' };
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { reason: 'path escapes the bundle (..)' };
  if (!parts.length) return { reason: 'empty name' };
  if (parts.some((p) => p.length > 255)) return { reason: 'path segment longer than 255 bytes' };
  return { name: parts.join('/') };
}

const typeNames: Record<string, string> = { '1': 'hard link', '2': 'symbolic link', '3': 'character device', '4': 'block device', '6': 'FIFO', '7': 'contiguous file' };

/**
 * Extracts `tarball` into `targetDir` (created if missing; must be empty or new). Throws UserError
 * (exit 2) when the file is not a readable tar/tar.gz; otherwise returns what was written and refused.
 */
export async function extractBundle(tarball: string, targetDir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const maxTotal = opts.maxTotalBytes ?? 1024 * 1024 * 1024;
  const maxEntries = opts.maxEntries ?? 50_000;
  try {
    const st = await stat(tarball);
    if (!st.isFile()) throw new Error('not a file');
  } catch {
    throw new UserError(`bundle not found: ${tarball}`, 'Pass a bundle directory or the .tar.gz written by `mlb-report collect`.', ExitCode.usage);
  }
  const root = resolve(targetDir);
  await mkdir(root, { recursive: true });

  const head = Buffer.alloc(2);
  const fh0 = await open(tarball, 'r');
  await fh0.read(head, 0, 2, 0);
  await fh0.close();
  const raw = createReadStream(tarball);
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  const reader = new ByteReader(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);

  const result: ExtractResult = { dir: root, files: [], refused: [], totalBytes: 0, truncated: false };
  const written = new Set<string>();
  let entries = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  // Decompressed bytes we are willing to read at all: the file cap plus generous room for headers.
  const readLimit = maxTotal + (maxEntries + 16) * block * 4;
  try {
    for (;;) {
      const h = await reader.read(block);
      if (h.length < block) break; // end of stream without the two zero blocks: accept what we have
      if (h.every((b) => b === 0)) break;
      if (!checksumOk(h)) {
        if (entries === 0) throw new UserError(`not a tar archive: ${tarball}`, 'Pass the .tar.gz written by `mlb-report collect` (or an extracted bundle directory).', ExitCode.usage);
        result.refused.push({ name: '(archive)', reason: `corrupt header after ${entries} entries; the rest was not read` });
        result.truncated = true;
        break;
      }
      const type = String.fromCharCode(h[156] || 0x30);
      const size = octal(h.subarray(124, 136));
      const padded = Math.ceil(size / block) * block;
      if (reader.consumed + padded > readLimit) {
        result.refused.push({ name: cString(h.subarray(0, 100)), reason: 'archive larger than the size cap; extraction stopped' });
        result.truncated = true;
        break;
      }
      // Metadata entries describe the next entry.
      if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        if (size > 1024 * 1024) {
          result.refused.push({ name: '(metadata)', reason: 'metadata entry larger than 1 MiB; extraction stopped' });
          result.truncated = true;
          break;
        }
        const body = await reader.read(padded);
        const text = body.subarray(0, size).toString('utf8');
        if (type === 'x') pax = { ...pax, ...parsePax(text) };
        if (type === 'L') longName = text.replace(/\0+$/, '');
        continue;
      }
      if (++entries > maxEntries) {
        result.refused.push({ name: cString(h.subarray(0, 100)), reason: `more than ${maxEntries} entries; extraction stopped` });
        result.truncated = true;
        break;
      }
      const ustarPrefix = cString(h.subarray(257, 263)).startsWith('ustar') ? cString(h.subarray(345, 500)) : '';
      const rawName = pax.path ?? longName ?? (ustarPrefix ? `${ustarPrefix}/${cString(h.subarray(0, 100))}` : cString(h.subarray(0, 100)));
      const linkName = pax.linkpath ?? cString(h.subarray(157, 257));
      pax = {};
      longName = undefined;
      const refuse = async (reason: string) => {
        result.refused.push({ name: rawName.slice(0, 300), reason });
        await reader.pipe(padded);
      };
      if (type !== '0' && type !== '5') {
        const what = typeNames[type] ?? `entry type ${JSON.stringify(type)}`;
        const target = type === '1' || type === '2' ? ` to ${linkName.slice(0, 200)}${'reason' in safeEntryName(linkName) || linkName.startsWith('/') ? ' (points outside the bundle)' : ''}` : '';
        await refuse(`${what}${target} not extracted`);
        continue;
      }
      const safe = safeEntryName(rawName);
      if ('reason' in safe) {
        await refuse(safe.reason);
        continue;
      }
      const dest = join(root, safe.name);
      if (dest !== root && !dest.startsWith(root + sep)) {
        await refuse('path escapes the bundle');
        continue;
      }
      if (type === '5') {
        await mkdir(dest, { recursive: true });
        await reader.pipe(padded);
        continue;
      }
      if (written.has(safe.name)) {
        await refuse('duplicate entry (first one kept)');
        continue;
      }
      if (result.totalBytes + size > maxTotal) {
        result.refused.push({ name: safe.name, reason: `extracting it would exceed the ${maxTotal}-byte cap; extraction stopped` });
        result.truncated = true;
        break;
      }
      await mkdir(join(dest, '..'), { recursive: true });
      // 'wx': never follow or replace something already there.
      const fh = await open(dest, 'wx', 0o644).catch(async (e) => {
        await refuse(`cannot create: ${errorMessage(e)}`);
        return undefined;
      });
      if (!fh) continue;
      try {
        const got = await reader.pipe(size, async (chunk) => {
          await fh.write(chunk);
        });
        if (got < size) {
          result.refused.push({ name: safe.name, reason: 'archive ends inside this file; kept truncated' });
          result.truncated = true;
        }
      } finally {
        await fh.close();
      }
      await reader.pipe(padded - size);
      written.add(safe.name);
      result.files.push(safe.name);
      result.totalBytes += size;
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read bundle archive ${tarball}: ${errorMessage(e)}`, 'Check that the file is a complete .tar.gz written by `mlb-report collect`.', ExitCode.usage);
  } finally {
    raw.destroy();
  }
  return result;
}
