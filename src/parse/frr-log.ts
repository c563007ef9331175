/**
 * FRR daemon logs (`2026/11/27 12:47:07 BGP: [T83RR-8SM5G] message`) or container logs of the frr
 * container. Lines are kept verbatim (without the trailing newline); the structured view below
 * is for checks that want the daemon and time. Besides FRR's own log file format (FRR 7 to 9) the
 * structured view reads FRR 10's (`2024-09-24 04:30:21.292 [DEBG] bgpd: [SCW43-WN4M1] message`)
 * and syslog's or journalctl's (`Aug 17 19:49:54 host bgpd[56417]: message`).
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
  /** Syslog priority FRR 10 prints (`DEBG`, `INFO`, `WARN`, `ERR!`, ...). */
  priority?: string;
  /** `%NOTIFICATION` lines: a NOTIFICATION bgpd sent or received. */
  notification?: LoggedNotification;
}

/** A BGP NOTIFICATION as bgpd logs it (bgpd/bgp_debug.c `bgp_notify_print`). */
export interface LoggedNotification {
  direction: 'sent' | 'received';
  neighbor: string;
  /** The peer's hostname when bgpd knows it (`10.0.0.2(r2)`). */
  host?: string;
  code: number;
  subcode: number;
  /** FRR's words, e.g. `OPEN Message Error/Bad Peer AS`, the form of `lastNotificationReason`. */
  reason: string;
  /** `%NOTIFICATION(Hard Reset)` (FRR 8.3+, RFC 8538). */
  hardReset?: boolean;
}

/**
 * `%NOTIFICATION: sent to neighbor 192.0.2.1 2/2 (OPEN Message Error/Bad Peer AS) 2 bytes fd e8`,
 * `%NOTIFICATION: received from neighbor 192.168.1.100 4/0 (Hold Timer Expired) 0 bytes`,
 * `%NOTIFICATION(Hard Reset): sent to neighbor 10.0.0.2 6/4 (Cease/Administrative Reset) ""`.
 */
const notificationRe = /%NOTIFICATION(?:\(([^)]*)\))?: (sent to|received from) neighbor (\S+?)(?:\(([^)]*)\))? (\d+)\/(\d+) \(([^)]*)\)/;

export function loggedNotification(text: string): LoggedNotification | undefined {
  const m = notificationRe.exec(text);
  if (!m) return undefined;
  const n: LoggedNotification = { direction: m[2] === 'sent to' ? 'sent' : 'received', neighbor: m[3], code: Number(m[5]), subcode: Number(m[6]), reason: m[7] };
  if (m[4] !== undefined) n.host = m[4];
  if (m[1] !== undefined) n.hardReset = /hard reset/i.test(m[1]);
  return n;
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
/** FRR 10's log file line: ISO-like time, priority in brackets, the daemon's own name. */
const frr10Re = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) \[([A-Z!]{3,5})\] ([a-z0-9]+): (?:\[([A-Z0-9]{5}-[A-Z0-9]{5})\](?:\[EC \d+\])?\s*)?(.*)$/;
/** A syslog line (`Aug 17 19:49:54 host bgpd[56417]: message`), FRR's message id optional. */
const syslogRe = /^([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) \S+ ([A-Za-z0-9._-]+)(?:\[\d+\])?: +(?:\[([A-Z0-9]{5}-[A-Z0-9]{5})\](?:\[EC \d+\])?\s*)?(.*)$/;

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
    let ts: string | undefined;
    let daemon: string | undefined;
    let id: string | undefined;
    let priority: string | undefined;
    let message = text;
    let m: RegExpExecArray | null;
    if ((m = frr10Re.exec(text))) [, ts, priority, daemon, id, message] = m;
    else if ((m = syslogRe.exec(text))) [, ts, daemon, id, message] = m;
    else if ((m = lineRe.exec(text))) [, ts, daemon, id, message] = m;
    const out: FrrLogLine = { line: i + 1, message };
    if (prefixed) out.streamTs = prefixed[1];
    if (!m) return out;
    if (ts) out.ts = ts;
    if (daemon) out.daemon = daemon;
    if (id) out.id = id;
    if (priority) out.priority = priority;
    const adjacency = adjacencyChange(message);
    if (adjacency) out.adjacency = adjacency;
    const notification = loggedNotification(message);
    if (notification) out.notification = notification;
    return out;
  });
}
