/**
 * A small tar (POSIX ustar + pax for long names) + gzip writer, enough for the support bundle:
 * regular files and directories only, deterministic headers (mode 0644/0755, uid/gid 0, given mtime).
 */
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

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

/** The tree, sorted; read synchronously: one thread-pool round trip per folder was most of the wait. */
function listTree(root: string, rel = ''): { path: string; dir: boolean }[] {
  const out: { path: string; dir: boolean }[] = [];
  const entries = readdirSync(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out.push({ path: p, dir: true });
      out.push(...listTree(root, p));
    } else if (e.isFile()) {
      out.push({ path: p, dir: false });
    }
  }
  return out;
}

/** Uncompressed bytes per gzip member. */
const memberSize = 4 * 1024 * 1024;

const gzipMember = promisify(gzip);

/**
 * A tar.gz written while the bundle is being written: each file is appended as it is written, the
 * stream is cut into 4 MB pieces, and each piece is compressed as its own gzip member on the
 * thread pool and appended to `<outFile>.partial`, renamed to `outFile` by `finish()`.
 * Concatenated members are one valid gzip file (RFC 1952 section 2.2); gunzip, tar and Node's
 * zlib read them as one stream.
 *
 * Why: at 500 nodes a bundle is 10,000 files. Reading them back once collection is over took
 * 1.2 s with one core busy and the other idle; appended as written, the tarball is done when the
 * last file is. Entries are in the order files were written, each folder before its first file.
 * A path added twice (which the writer never does) marks the stream `unusable`, and the caller
 * archives the directory instead.
 */
export class TarGzStream {
  private parts: Buffer[] = [];
  private length = 0;
  private readonly folders = new Set<string>();
  private readonly paths = new Set<string>();
  private readonly out: WriteStream;
  private readonly closed: Promise<void>;
  private written: Promise<void> = Promise.resolve();
  private error: Error | undefined;
  private ended = false;
  /** Set when a path is added twice. */
  private duplicate: string | undefined;

  constructor(
    readonly outFile: string,
    readonly topName: string,
    readonly mtimeSeconds = Date.now() / 1000,
  ) {
    this.out = createWriteStream(`${outFile}.partial`, { mode: 0o600 });
    this.closed = new Promise<void>((resolve) => this.out.on('close', resolve));
    this.out.on('error', (e) => (this.error ??= e));
    for (const h of entryHeaders(`${topName}/`, 0, '5', mtimeSeconds)) this.push(h);
  }

  /** Why the stream cannot be finished (then archive the directory instead). */
  get unusable(): string | undefined {
    if (this.error) return `tarball stream failed: ${this.error.message}`;
    if (this.ended) return 'tarball stream already finished';
    return this.duplicate;
  }

  /** Appends a file (path relative to the bundle, `/`-separated). */
  add(relPath: string, data: Buffer): void {
    if (this.ended) return;
    if (this.paths.has(relPath)) {
      this.duplicate = `written twice: ${relPath}`;
      return;
    }
    this.paths.add(relPath);
    const segments = relPath.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join('/');
      if (this.folders.has(folder)) continue;
      this.folders.add(folder);
      for (const h of entryHeaders(`${this.topName}/${folder}/`, 0, '5', this.mtimeSeconds)) this.push(h);
    }
    for (const h of entryHeaders(`${this.topName}/${relPath}`, data.length, '0', this.mtimeSeconds)) this.push(h);
    this.push(data);
    this.push(pad(data.length));
  }

  /** Ends the archive and renames it into place. */
  async finish(): Promise<void> {
    if (this.unusable) throw new Error(this.unusable);
    this.ended = true;
    this.push(Buffer.alloc(block * 2, 0));
    this.ship();
    await this.written;
    this.out.end();
    await this.closed;
    if (this.error) throw this.error;
    await rename(`${this.outFile}.partial`, this.outFile);
  }

  /** Drops the partial archive. */
  async abandon(): Promise<void> {
    this.ended = true;
    await this.written.catch(() => undefined);
    this.out.destroy();
    await this.closed;
    await rm(`${this.outFile}.partial`, { force: true });
  }

  private push(b: Buffer): void {
    if (b.length === 0) return;
    if (b.length >= memberSize) {
      // A big file (a 5000-node pod list is over 100 MB) becomes a member of its own, compressed
      // from the caller's buffer: copying it into the staged parts doubled the run's peak memory.
      this.ship();
      this.parts.push(b);
      this.length = b.length;
      this.ship();
      return;
    }
    this.parts.push(b);
    this.length += b.length;
    if (this.length >= memberSize) this.ship();
  }

  /** Compresses what is staged (on the thread pool) and appends it after the members before it. */
  private ship(): void {
    if (this.length === 0) return;
    const member = gzipMember(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length), { level: 6 });
    this.parts = [];
    this.length = 0;
    // Settled here so a failure is recorded, never an unhandled rejection.
    member.catch((e: Error) => (this.error ??= e));
    this.written = this.written.then(async () => {
      const z = await member.catch(() => undefined);
      if (!z || this.error) return;
      if (!this.out.write(z)) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
    });
  }
}

/**
 * Writes `dir` as `<topName>/...` into a gzip-compressed tarball at `outFile`, sorted by path.
 * Files are read synchronously: a few microseconds each from the page cache, where async reads
 * cost several thread-pool round trips per file.
 */
export async function writeTarGz(dir: string, outFile: string, topName: string, mtimeSeconds = Date.now() / 1000): Promise<void> {
  const tar = new TarGzStream(outFile, topName, mtimeSeconds);
  try {
    for (const e of listTree(dir)) if (!e.dir) tar.add(e.path, readFileSync(join(dir, e.path)));
  } catch (e) {
    await tar.abandon();
    throw e;
  }
  await tar.finish();
}
