/**
 * FRR daemon logs (`2026/11/27 12:47:07 BGP: [T83RR-8SM5G] message`) or container logs of the frr
 * container. Lines are kept verbatim (without the trailing newline); the structured view below
 * is for checks that want the daemon and time.
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';

export interface FrrLogLine {
  line: number;
  /** `kubectl logs --timestamps` prefix, when present. */
  streamTs?: string;
  ts?: string;
  daemon?: string;
  /** FRR's message id, e.g. `HTQD2-0R1WR`. */
  id?: string;
  message: string;
  /** `%ADJCHANGE` lines: a BGP session coming up or going down. */
  adjacency?: AdjacencyChange;
}

/** A BGP neighbour state change as bgpd logs it (`bgp log-neighbor-changes`, on by default). */
export interface AdjacencyChange {
  neighbor: string;
  /** The peer's hostname from the FQDN capability, `Unknown` before it is known. */
  host?: string;
  vrf?: string;
  up: boolean;
  /** Why it went down, e.g. `BGP Notification received`, `Peer closed the session`. */
  reason?: string;
}

/**
 * `%ADJCHANGE: neighbor 2602:fed3:7025:d::3(pf.xiaoyu.net) in vrf default Down BGP Notification received`
 * and `... in vrf default Up` (FRR 7.5+, bgpd/bgp_fsm.c); older releases omit `in vrf <name>`.
 */
const adjRe = /%ADJCHANGE: neighbor (\S+?)(?:\(([^)]*)\))?(?: in vrf (\S+))? (Up|Down)(?: (.+?))?\s*$/;

export function adjacencyChange(text: string): AdjacencyChange | undefined {
  const m = adjRe.exec(text);
  if (!m) return undefined;
  const change: AdjacencyChange = { neighbor: m[1], up: m[4] === 'Up' };
  if (m[2] !== undefined) change.host = m[2];
  if (m[3] !== undefined) change.vrf = m[3];
  if (m[5] !== undefined) change.reason = m[5];
  return change;
}

const lineRe = /^(?:(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+)?([A-Z][A-Z0-9]*):\s+(?:\[([A-Z0-9]{5}-[A-Z0-9]{5})\](?:\[EC \d+\])?\s*)?(.*)$/;

export function parse(text: string, path: string): Parsed<string[]> {
  const notes = new NoteSink(path);
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not a log: binary data');
    return notes.result([]);
  }
  const lines = t.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return notes.result(lines);
}

/** Structured view of FRR log lines; lines of other formats keep only `message`. */
const streamTsRe = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s(.*)$/;

export function structure(lines: string[]): FrrLogLine[] {
  return lines.map((raw, i) => {
    const prefixed = streamTsRe.exec(raw);
    const text = prefixed ? prefixed[2] : raw;
    const m = lineRe.exec(text);
    const out: FrrLogLine = { line: i + 1, message: m ? m[4] : text };
    if (prefixed) out.streamTs = prefixed[1];
    if (!m) return out;
    if (m[1]) out.ts = m[1];
    out.daemon = m[2];
    if (m[3]) out.id = m[3];
    const adjacency = adjacencyChange(m[4]);
    if (adjacency) out.adjacency = adjacency;
    return out;
  });
}
