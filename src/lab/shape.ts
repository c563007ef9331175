/**
 * Structural comparison of recorded command outputs: two recordings of one scenario must agree in
 * which commands ran, their exit codes, and for JSON outputs the keys and value types — never in
 * values (uptimes, timers, MACs, PIDs and sequence numbers differ on every run).
 */
import type { Recording, RecordedOutput } from './record.js';

type Shape = string | { [k: string]: Shape } | { array: Shape | null };

function merge(a: Shape | null, b: Shape): Shape {
  if (a === null) return b;
  if (typeof a === 'object' && typeof b === 'object' && !('array' in a) && !('array' in b)) {
    const out: Record<string, Shape> = { ...(a as Record<string, Shape>) };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? a : `${JSON.stringify(a)}|${JSON.stringify(b)}`;
}

export function jsonShape(v: unknown): Shape {
  if (Array.isArray(v)) return { array: v.map(jsonShape).reduce<Shape | null>((acc, s) => merge(acc, s), null) };
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Shape> = {};
    for (const k of Object.keys(v).sort()) out[k] = jsonShape((v as Record<string, unknown>)[k]);
    return out;
  }
  // A number and a numeric string are different types; integer vs float is not.
  return v === null ? 'null' : typeof v;
}

/** Differences between two shapes, as readable paths. An empty array matches any array. */
export function shapeDiff(a: Shape, b: Shape, path = '$'): string[] {
  if (typeof a === 'string' || typeof b === 'string') return a === b ? [] : [`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
  if ('array' in a || 'array' in b) {
    if (!('array' in a) || !('array' in b)) return [`${path}: array vs object`];
    const ea = (a as { array: Shape | null }).array;
    const eb = (b as { array: Shape | null }).array;
    if (ea === null || eb === null) return [];
    return shapeDiff(ea, eb, `${path}[]`);
  }
  const out: string[] = [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const ka = (a as Record<string, Shape>)[k];
    const kb = (b as Record<string, Shape>)[k];
    if (ka === undefined || kb === undefined) out.push(`${path}.${k}: only in ${ka === undefined ? 'second' : 'first'}`);
    else out.push(...shapeDiff(ka, kb, `${path}.${k}`));
  }
  return out;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Per-command structural differences between two outputs. */
export function outputDiff(a: RecordedOutput, b: RecordedOutput, where: string, opts: { valueArrays?: (key: string) => boolean } = {}): string[] {
  const out: string[] = [];
  if (a.exitCode !== b.exitCode) out.push(`${where}: exit code ${a.exitCode} vs ${b.exitCode}`);
  const ja = parseJson(a.stdout);
  const jb = parseJson(b.stdout);
  if ((ja === undefined) !== (jb === undefined)) out.push(`${where}: JSON in one output only`);
  else if (ja !== undefined) {
    // Tables whose rows come and go with timing (neighbour entries) are compared as "an array" only.
    if (opts.valueArrays?.(where) && Array.isArray(ja) && Array.isArray(jb)) return out;
    out.push(...shapeDiff(jsonShape(ja), jsonShape(jb)).map((d) => `${where}: ${d}`));
  } else if ((a.stdout.trim() === '') !== (b.stdout.trim() === '')) out.push(`${where}: output empty in one run only`);
  return out;
}

export function recordingDiff(a: Recording, b: Recording, opts: { valueArrays?: (key: string) => boolean } = {}): string[] {
  const out: string[] = [];
  const nodes = new Set([...Object.keys(a.nodes), ...Object.keys(b.nodes)]);
  for (const node of nodes) {
    const ra = a.nodes[node] ?? {};
    const rb = b.nodes[node] ?? {};
    for (const role of new Set([...Object.keys(ra), ...Object.keys(rb)]) as Set<'debug' | 'frr'>) {
      const ca = ra[role] ?? {};
      const cb = rb[role] ?? {};
      for (const key of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
        const where = `${node}/${role}/${key}`;
        if (!ca[key] || !cb[key]) out.push(`${where}: recorded in one run only`);
        else out.push(...outputDiff(ca[key], cb[key], where, opts));
      }
    }
  }
  return out;
}
