/**
 * Finishing a bundle: manifest.json (every file with size and sha256) and DIR.tar.gz.
 * Verification helpers are used by tests and by `analyze` callers that want to check integrity.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Manifest } from '../model/bundle.js';
import type { BundleWriter } from './writer.js';
import { writeTarGz } from './tar.js';

export { BundleWriter } from './writer.js';
export { Redactor } from './redact.js';
export { safePathSegment } from './paths.js';

export const manifestFile = 'manifest.json';

/** Manifest keys whose values are bundle paths as the writer wrote them. */
const manifestPathKeys: ReadonlySet<string> = new Set(['files']);

/** Writes manifest.json (listing every other file) and the tarball next to the directory. */
export async function finishBundle(writer: BundleWriter, manifest: Omit<Manifest, 'files'>, opts: { tar: boolean }): Promise<{ manifest: Manifest; tarball?: string }> {
  const full: Manifest = { ...manifest, files: writer.list() };
  // Built from raw values and redacted once here; `files` lists (the manifest's and each step's)
  // hold the paths as written, already redacted, so they stay equal to the files on disk.
  const written = await writer.unlistedJson(manifestFile, full, manifestPathKeys);
  if (!opts.tar) return { manifest: full };
  const tarball = `${writer.dir}.tar.gz`;
  const stream = writer.tarball;
  writer.tarball = undefined;
  if (stream && !stream.unusable) {
    stream.add(manifestFile, Buffer.from(written, 'utf8'));
    try {
      await stream.finish();
      return { manifest: full, tarball };
    } catch {
      // Archived again from the folder below, which raises the error if it persists.
    }
  }
  await stream?.abandon();
  await writeTarGz(writer.dir, tarball, basename(writer.dir));
  return { manifest: full, tarball };
}

export interface VerifyProblem {
  path: string;
  problem: string;
}

/** Re-hashes every file the manifest lists; returns the mismatches (empty = intact). */
export async function verifyBundle(dir: string): Promise<{ manifest: Manifest; problems: VerifyProblem[] }> {
  const manifest = JSON.parse(await readFile(join(dir, manifestFile), 'utf8')) as Manifest;
  const problems: VerifyProblem[] = [];
  for (const f of manifest.files) {
    try {
      const data = await readFile(join(dir, f.path));
      if (data.length !== f.size) problems.push({ path: f.path, problem: `size ${data.length} != ${f.size}` });
      const sha = createHash('sha256').update(data).digest('hex');
      if (sha !== f.sha256) problems.push({ path: f.path, problem: 'sha256 mismatch' });
    } catch (e) {
      problems.push({ path: f.path, problem: (e as Error).message });
    }
  }
  return { manifest, problems };
}
