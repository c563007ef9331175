/**
 * Reading a bundle folder for `serve`: the bundle comes from someone else's cluster, so every read
 * names a bundle-relative path built from trusted parts (catalogue file names) and sanitised parts
 * (`safePathSegment` of pod, node and container names), is checked to stay inside the folder, and
 * never follows a symbolic link (a folder handed to `serve` was not necessarily made by our
 * extraction).
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { bundlePath } from '../bundle/paths.js';

/** Cap on one file read: no collected output comes near it (the largest caps are 16 MiB). */
const maxFileBytes = 64 * 1024 * 1024;

export class BundleFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = realpathSync(root);
  }

  /** The file's bytes, or undefined when it is missing, not a regular file, a link, or too large. */
  bytes(rel: string): Buffer | undefined {
    let safe: string;
    try {
      safe = bundlePath(rel);
    } catch {
      return undefined;
    }
    let abs = this.root;
    // lstat every component: a link anywhere on the way could lead out of the bundle.
    for (const part of safe.split('/')) {
      abs = join(abs, part);
      let st;
      try {
        st = lstatSync(abs);
      } catch {
        return undefined;
      }
      if (st.isSymbolicLink()) return undefined;
      if (abs !== join(this.root, safe) && !st.isDirectory()) return undefined;
      if (abs === join(this.root, safe) && (!st.isFile() || st.size > maxFileBytes)) return undefined;
    }
    if (!abs.startsWith(this.root + sep)) return undefined;
    try {
      return readFileSync(abs);
    } catch {
      return undefined;
    }
  }

  text(rel: string): string | undefined {
    return this.bytes(rel)?.toString('utf8');
  }

  /** Parsed JSON, or undefined when the file is missing or not JSON. */
  json<T = unknown>(rel: string): T | undefined {
    const t = this.text(rel);
    if (t === undefined) return undefined;
    try {
      return JSON.parse(t) as T;
    } catch {
      return undefined;
    }
  }
}
