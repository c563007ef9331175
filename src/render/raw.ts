/**
 * Raw outputs for the report's last section: read from the bundle, size-capped, each with a stable
 * anchor so findings can link their evidence. Paths come from the manifest and from findings, i.e.
 * from data a hostile bundle controls: only regular files that really live under the bundle root
 * are read.
 */
import { createHash } from 'node:crypto';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';

export interface RawOutput {
  path: string;
  anchor: string;
  /** Size of the file in the bundle, when known. */
  size?: number;
  text: string;
  truncated: boolean;
  /** Why the content is not shown (binary, missing, outside the bundle, over the budget). */
  unavailable?: string;
  /** Finding ids whose evidence points here. */
  citedBy: string[];
}

export function rawAnchor(path: string): string {
  return `raw-${createHash('sha256').update(path).digest('hex').slice(0, 16)}`;
}

export interface RawOptions {
  perFileBytes: number;
  totalBytes: number;
  /** Only read files cited by findings; list the rest. */
  citedOnly?: boolean;
  /**
   * Contents already read, by path: for a bundle read through its IP map, whose files on disk carry
   * the replacement addresses in their names and texts (the report is redacted as it is written).
   */
  texts?: Record<string, string>;
}

const binaryExtensions = ['.pcap', '.pcapng', '.gz', '.tar'];

async function readCapped(root: string, relativePath: string, cap: number): Promise<{ text: string; size: number; truncated: boolean } | { unavailable: string }> {
  if (isAbsolute(relativePath) || relativePath.split(/[\\/]/).includes('..')) return { unavailable: 'path outside the bundle' };
  const realRoot = await realpath(root);
  let real: string;
  try {
    real = await realpath(join(realRoot, relativePath));
  } catch {
    return { unavailable: 'not in the bundle' };
  }
  if (!real.startsWith(realRoot + sep)) return { unavailable: 'path outside the bundle' };
  const info = await stat(real);
  if (!info.isFile()) return { unavailable: 'not a regular file' };
  const handle = await open(real, 'r');
  try {
    const length = Math.min(info.size, cap);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, 0);
    if (buffer.includes(0)) return { unavailable: 'binary file' };
    // Cutting a multi-byte character in half leaves a replacement char at the end; harmless.
    return { text: buffer.toString('utf8'), size: info.size, truncated: info.size > cap };
  } finally {
    await handle.close();
  }
}

/** `readCapped` for a text already in memory. */
function cappedText(text: string, cap: number): { text: string; size: number; truncated: boolean } | { unavailable: string } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.includes(0)) return { unavailable: 'binary file' };
  return { text: bytes.subarray(0, cap).toString('utf8'), size: bytes.length, truncated: bytes.length > cap };
}

export async function collectRawOutputs(
  bundleRoot: string | undefined,
  listed: { path: string; size?: number }[],
  citations: Map<string, string[]>,
  options: RawOptions,
): Promise<RawOutput[]> {
  const order = new Map<string, number | undefined>();
  // Cited files first: they are what a reader follows from a finding.
  for (const path of citations.keys()) order.set(path, listed.find((f) => f.path === path)?.size);
  for (const file of listed) if (!order.has(file.path)) order.set(file.path, file.size);

  let budget = options.totalBytes;
  const outputs: RawOutput[] = [];
  for (const [path, size] of order) {
    const citedBy = citations.get(path) ?? [];
    const output: RawOutput = { path, anchor: rawAnchor(path), size, text: '', truncated: false, citedBy };
    outputs.push(output);
    if (!bundleRoot) {
      output.unavailable = 'bundle not available to the renderer';
      continue;
    }
    if (binaryExtensions.some((ext) => path.endsWith(ext))) {
      output.unavailable = 'binary file';
      continue;
    }
    if (options.citedOnly && citedBy.length === 0) {
      output.unavailable = 'not shown in this format';
      continue;
    }
    if (budget <= 0) {
      output.unavailable = 'report size budget used up';
      continue;
    }
    const read = options.texts && Object.hasOwn(options.texts, path) ? cappedText(options.texts[path]!, Math.min(options.perFileBytes, budget)) : await readCapped(bundleRoot, path, Math.min(options.perFileBytes, budget));
    if ('unavailable' in read) {
      output.unavailable = read.unavailable;
      continue;
    }
    output.text = read.text;
    output.size = read.size;
    output.truncated = read.truncated;
    budget -= read.text.length;
  }
  return outputs;
}
