/**
 * Writes bundle files. Every write goes through the Redactor first, so nothing unredacted ever
 * reaches disk, and every file is recorded with its size and sha256 for the manifest. Callers pass
 * raw paths and raw data: the file path is redacted here too (`arping-<address>.txt`), and the
 * record carries the path as written, which the manifest lists as it is (never redacted again).
 */
import { createHash } from 'node:crypto';
import { writeFile as writeFileInPool } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ManifestFile } from '../model/bundle.js';
import { bundlePath } from './paths.js';
import type { Redactor } from './redact.js';
import { TarGzStream } from './tar.js';

export class BundleWriter {
  private readonly files = new Map<string, ManifestFile>();
  private readonly root: string;
  /** Directories made or being made: a run writes thousands of files into a few hundred folders. */
  private readonly madeDirs = new Map<string, Promise<unknown>>();

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
    // In the thread pool, never on the event loop: creating a file usually takes well under a
    // millisecond, but on a file system that has just deleted many files (ext4 skips recently
    // freed inodes one by one), a slow disk or a network home folder it can take several, and
    // 10,000 synchronous creations then stalled every stream of a 500-node run for seconds. The
    // callback API, not fs/promises: no FileHandle and fewer promises per file.
    let made = this.madeDirs.get(dir);
    if (!made) this.madeDirs.set(dir, (made = mkdir(dir, { recursive: true, mode: 0o700 })));
    await made;
    await new Promise<void>((done, fail) => writeFileInPool(full, data, { mode: 0o600 }, (e) => (e ? fail(e) : done())));
    const record: ManifestFile = { path: safe, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    this.files.set(safe, record);
    this.tarball?.add(safe, data);
    return record;
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
