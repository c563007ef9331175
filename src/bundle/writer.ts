/**
 * Writes bundle files. Every write goes through the Redactor first, so nothing unredacted ever
 * reaches disk, and every file is recorded with its size and sha256 for the manifest. Callers pass
 * raw paths and raw data: the file path is redacted here too (`arping-<address>.txt`), and the
 * record carries the path as written, which the manifest lists as it is (never redacted again).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFile as writeFileInPool, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ManifestFile } from '../model/bundle.js';
import { bundlePath } from './paths.js';
import type { Redactor } from './redact.js';
import { TarGzStream } from './tar.js';

/**
 * A synchronous write slower than this is slow (fast disks: about 0.03 ms a file; a file system
 * skipping freed inodes: about 0.9 ms). When half the writes of a window of `writeWindow` are slow,
 * the rest of the run's writes go to the thread pool. Half, not one: a busy machine deschedules the
 * process now and then, which makes single writes look slow on any disk.
 */
const slowWriteMs = 0.4;
const writeWindow = 32;

export class BundleWriter {
  private readonly files = new Map<string, ManifestFile>();
  private readonly root: string;
  /** Directories made or being made: a run writes thousands of files into a few hundred folders. */
  private readonly madeDirs = new Map<string, Promise<unknown> | true>();
  /** Set once synchronous writes were slow: from then on files are written in the thread pool. */
  private slowDisk = false;
  /** Synchronous writes in the current window, and how many of them were slow. */
  private windowWrites = 0;
  private windowSlow = 0;

  constructor(
    root: string,
    readonly redactor: Redactor,
  ) {
    this.root = resolve(root);
  }

  get dir(): string {
    return this.root;
  }

  /** The tarball built as files are written (see TarGzStream), once `streamTarball()` was called. */
  tarball: TarGzStream | undefined;

  /** From now on every listed file is also appended to `<dir>.tar.gz` as it is written. */
  streamTarball(): void {
    this.tarball ??= new TarGzStream(`${this.root}.tar.gz`, basename(this.root));
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  /** Writes text after redaction. */
  async text(relPath: string, content: string): Promise<ManifestFile> {
    return this.raw(relPath, Buffer.from(this.redactor.text(content), 'utf8'));
  }

  /** Writes a JSON document (our own serialisation of API objects) after structural redaction. */
  async json(relPath: string, value: unknown): Promise<ManifestFile> {
    return this.raw(relPath, Buffer.from(JSON.stringify(this.redactor.json(value), null, 2) + '\n', 'utf8'));
  }

  /** Writes command output exactly as received, after redaction; binary data is written untouched. */
  async bytes(relPath: string, data: Buffer, binary = false): Promise<ManifestFile> {
    return this.raw(relPath, binary ? data : this.redactor.bytes(data));
  }

  /** Files written so far, sorted by path (manifest.json itself is not listed). */
  list(): ManifestFile[] {
    return [...this.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Whether a file was written, by its raw path (as the caller passed it). */
  has(relPath: string): boolean {
    return this.files.has(this.pathAsWritten(relPath));
  }

  /** The bundle path a raw path is written to (addresses in it replaced with --redact-ips). */
  pathAsWritten(relPath: string): string {
    return bundlePath(this.redactor.path(relPath));
  }

  /** Writes manifest-like files that are not listed in the manifest (manifest.json); returns what was written. */
  async unlisted(relPath: string, content: string): Promise<string> {
    const full = this.resolveInside(relPath);
    const redacted = this.redactor.text(content);
    await writeFile(full, redacted, { mode: 0o600 });
    return redacted;
  }

  /**
   * Like `unlisted` for a JSON document built from raw values, except under the keys in `verbatim`:
   * those hold bundle paths as written (already redacted), which must keep naming the files on disk.
   */
  async unlistedJson(relPath: string, value: unknown, verbatim: ReadonlySet<string>): Promise<string> {
    const full = this.resolveInside(relPath);
    const redacted = JSON.stringify(this.redactor.json(value, { verbatim }), null, 2) + '\n';
    // Written whole then renamed: the manifest is rewritten while analysis may be reading the
    // folder. The partial file sits beside the folder, where no listing of the bundle sees it.
    const partial = `${this.dir}.${relPath.replace(/[\\/]/g, '_')}.partial`;
    await writeFile(partial, redacted, { mode: 0o600 });
    await rename(partial, full);
    return redacted;
  }

  /** Hashes and lists a file written by someone else (already redacted data, e.g. the report). */
  async adopt(relPath: string): Promise<ManifestFile> {
    const safe = bundlePath(relPath);
    const data = await readFile(this.resolveInside(safe));
    const record: ManifestFile = { path: safe, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    this.files.set(safe, record);
    this.tarball?.add(safe, data);
    return record;
  }

  private async raw(relPath: string, data: Buffer): Promise<ManifestFile> {
    const safe = this.pathAsWritten(relPath);
    const full = this.resolveInside(safe);
    const dir = dirname(full);
    if (this.slowDisk) await this.writeInPool(dir, full, data);
    else {
      // Synchronous while the disk is fast: a file is written in well under a millisecond, and the
      // thread pool's round trips cost about 0.7 s more CPU for the 12,000 files of a 500-node run.
      // But on a file system that has just deleted many files (ext4 skips recently freed inodes one
      // by one), a slow disk or a network home folder, creating a file takes milliseconds, and
      // thousands of synchronous creations stalled every stream of a 500-node run for seconds:
      // after one slow write, the rest go to the thread pool.
      const t = performance.now();
      if (this.madeDirs.get(dir) === undefined) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        this.madeDirs.set(dir, true);
      }
      writeFileSync(full, data, { mode: 0o600 });
      if (performance.now() - t > slowWriteMs) this.windowSlow++;
      if (++this.windowWrites === writeWindow) {
        this.slowDisk = this.windowSlow * 2 >= writeWindow;
        this.windowWrites = this.windowSlow = 0;
      }
    }
    const record: ManifestFile = { path: safe, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    this.files.set(safe, record);
    this.tarball?.add(safe, data);
    return record;
  }

  /** A file written off the event loop (callback API: no FileHandle, fewer promises per file). */
  private async writeInPool(dir: string, full: string, data: Buffer): Promise<void> {
    let made = this.madeDirs.get(dir);
    if (made === undefined) this.madeDirs.set(dir, (made = mkdir(dir, { recursive: true, mode: 0o700 })));
    if (made !== true) await made;
    await new Promise<void>((done, fail) => writeFileInPool(full, data, { mode: 0o600 }, (e) => (e ? fail(e) : done())));
  }

  private resolveInside(relPath: string): string {
    const full = resolve(join(this.root, relPath));
    if (!full.startsWith(this.root + sep)) throw new Error(`bundle path escapes the bundle: ${JSON.stringify(relPath)}`);
    return full;
  }
}

/** Records a file that another component wrote into the bundle (the rendered report). */
export async function adoptFile(writer: BundleWriter, relPath: string): Promise<ManifestFile> {
  return writer.adopt(relPath);
}
