/**
 * File names that come from the cluster (pod, node, container names, IPs) end up as path segments
 * in the bundle. A hostile or odd name must never leave the bundle directory or create surprising
 * files, so every such segment goes through `safePathSegment`.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, normalize, sep } from 'node:path';

const maxSegmentBytes = 120;

/**
 * One path segment: no `/`, `\`, NUL or control characters, never `.`/`..`/empty, no leading dot
 * (hidden files), at most ~120 bytes (long names keep a hash suffix so distinct names stay distinct).
 */
export function safePathSegment(name: string): string {
  let s = String(name)
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '_')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/\s+/g, '_');
  s = s.replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  if (s === '') s = '_';
  if (Buffer.byteLength(s) > maxSegmentBytes) {
    const digest = createHash('sha256').update(name).digest('hex').slice(0, 12);
    let cut = s;
    while (Buffer.byteLength(cut) > maxSegmentBytes - 13) cut = cut.slice(0, -1);
    s = `${cut}-${digest}`;
  }
  return s;
}

/**
 * A relative bundle path made of trusted parts (catalogue file names) and sanitised parts.
 * Throws when the result could escape the bundle root: this is a programming error, not user input.
 */
export function bundlePath(...segments: string[]): string {
  const joined = segments.join('/');
  const norm = normalize(joined).split(sep).join('/');
  if (isAbsolute(joined) || norm.startsWith('../') || norm === '..' || norm.split('/').some((p) => p === '..' || p === '')) {
    throw new Error(`unsafe bundle path: ${JSON.stringify(joined)}`);
  }
  return norm;
}

/** Path of a per-node output: `nodes/<node>/<catalogue file>`. */
export function nodeFilePath(node: string, file: string): string {
  return bundlePath('nodes', safePathSegment(node), file);
}

/** Path of a container log: `logs/<pod>/<container>[.previous].log`. */
export function logFilePath(pod: string, container: string, previous = false): string {
  return bundlePath('logs', safePathSegment(pod), `${safePathSegment(container)}${previous ? '.previous' : ''}.log`);
}
