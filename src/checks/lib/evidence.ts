/**
 * Evidence excerpts: the exact lines of the bundle file a finding rests on when the raw text is
 * available (model.raw), otherwise a compact rendering of the parsed object. Excerpts are capped
 * so one hostile log line cannot flood the report; the renderer escapes them.
 */
import { stringify } from 'yaml';
import type { ClusterModel, LogRecord, LogStream } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';

const maxExcerptChars = 1200;
const maxLineChars = 400;

function cap(text: string): string {
  const lines = text.split('\n').map((l) => (l.length > maxLineChars ? `${l.slice(0, maxLineChars)}…` : l));
  const joined = lines.join('\n');
  return joined.length > maxExcerptChars ? `${joined.slice(0, maxExcerptChars)}\n…` : joined;
}

/**
 * Lines of `path` containing any needle (with `context` lines around), or `fallback` when the raw
 * file is not in the model or no line matches.
 */
export function rawExcerpt(
  model: ClusterModel,
  path: string,
  needles: string[],
  fallback: string,
  opts: { context?: number; maxBlocks?: number; exclude?: RegExp; within?: string } = {},
): string {
  const text = model.raw?.[path];
  const wanted = needles.filter(Boolean);
  if (text === undefined || wanted.length === 0) return cap(fallback);
  const lines = text.split('\n');
  const context = opts.context ?? 0;
  const maxBlocks = opts.maxBlocks ?? 4;
  const keep = new Set<number>();
  let blocks = 0;
  // `within`: search only the indented block that starts at the line containing it (one neighbor of
  // a pretty-printed FRR JSON file with several), so lines of other objects never leak in.
  let from = 0;
  let to = lines.length;
  if (opts.within) {
    const start = lines.findIndex((l) => l.includes(opts.within!));
    if (start >= 0) {
      const indent = (l: string) => l.length - l.trimStart().length;
      const base = indent(lines[start]);
      from = start;
      let end = start + 1;
      while (end < lines.length && (lines[end].trim() === '' || indent(lines[end]) > base)) end++;
      to = end;
    }
  }
  for (let i = from; i < to && blocks < maxBlocks; i++) {
    if (!wanted.some((n) => lines[i].includes(n)) || opts.exclude?.test(lines[i])) continue;
    blocks++;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep.add(j);
  }
  if (keep.size === 0) return cap(fallback);
  const sorted = [...keep].sort((a, b) => a - b);
  const out: string[] = [];
  sorted.forEach((idx, k) => {
    if (k > 0 && idx !== sorted[k - 1] + 1) out.push('…');
    out.push(...windows(lines[idx], wanted));
  });
  return cap(out.join('\n'));
}

/**
 * A long line (single-line JSON from `ip -j`) is cut to windows around each needle it contains,
 * so the excerpt shows the object that matters instead of the first 400 characters.
 */
function windows(line: string, needles: string[]): string[] {
  if (line.length <= maxLineChars) return [line];
  const half = Math.floor(maxLineChars / 2) - 10;
  const spans: [number, number][] = [];
  for (const n of needles) {
    let at = line.indexOf(n);
    while (at >= 0 && spans.length < 4) {
      const start = Math.max(0, at - half);
      const end = Math.min(line.length, at + n.length + half);
      const last = spans[spans.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else spans.push([start, end]);
      at = line.indexOf(n, at + n.length);
    }
  }
  if (!spans.length) return [line];
  spans.sort((a, b) => a[0] - b[0]);
  return spans.map(([a, b]) => `${a > 0 ? '…' : ''}${line.slice(a, b)}${b < line.length ? '…' : ''}`);
}

/** A trimmed Kubernetes object (or any value) as YAML. */
export function yamlExcerpt(value: unknown): string {
  return cap(stringify(value, { lineWidth: 0 }).trimEnd());
}

/** Evidence for an object from a cluster list: the object's identifying lines plus the fields that matter. */
export function objectEvidence(path: string, value: unknown, label?: string): Evidence {
  return { path, excerpt: yamlExcerpt(value), ...(label ? { label } : {}) };
}

/** The verbatim log lines of some records (from the raw file when present). */
export function logEvidence(model: ClusterModel, stream: LogStream, records: LogRecord[], label?: string): Evidence {
  const raw = model.raw?.[stream.path]?.split('\n');
  const lines = records.slice(0, 5).map((r) => raw?.[r.line - 1] ?? r.raw ?? JSON.stringify({ ts: r.ts, level: r.level, msg: r.msg, ...r.fields }));
  if (records.length > 5) lines.push(`… (${records.length - 5} more matching lines)`);
  return { path: stream.path, excerpt: cap(lines.join('\n')), label: label ?? `${stream.pod}/${stream.container}${stream.previous ? ' (previous)' : ''}` };
}

/** Pick a few fields of an event for its excerpt. */
export function eventExcerpt(e: { type?: string; reason?: string; message?: string; count?: number; source?: { component?: string; host?: string }; lastTimestamp?: unknown }): string {
  const parts = [`${e.type ?? ''} ${e.reason ?? ''}`.trim(), e.message ?? ''];
  if (e.source?.component) parts.push(`from ${e.source.component}${e.source.host ? ` on ${e.source.host}` : ''}`);
  if (e.count && e.count > 1) parts.push(`(x${e.count})`);
  return cap(parts.join(': '));
}

/** POSIX shell single-quoting, for names and values from the cluster placed in remediation commands. */
export function shq(value: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
