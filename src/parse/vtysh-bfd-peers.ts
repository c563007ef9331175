/**
 * `vtysh -c 'show bfd [vrf all] peers json'`: an array of peers (or arrays under VRF keys). The text
 * form users paste (`show bfd peers` without `json`) reads into the same peers.
 */
import { cleanText, isRecord, num, parseJsonTolerant, str, bool, compact } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { BfdPeer } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<BfdPeer[]> {
  const notes = new NoteSink(path);
  const clean = cleanText(text);
  if (!/^\s*[[{]/.test(clean) && /^\s*BFD Peers:\s*$/m.test(clean)) return notes.result(parseText(clean, path, notes));
  const data = parseJsonTolerant(text, notes, 'vtysh BFD JSON');
  const out: BfdPeer[] = [];
  if (data === undefined) return notes.result(out);
  const entries: unknown[] = Array.isArray(data) ? data : isRecord(data) ? Object.values(data).flatMap((v) => (Array.isArray(v) ? v : [])) : [];
  if (!Array.isArray(data) && entries.length === 0 && !(isRecord(data) && Object.keys(data).length === 0)) {
    notes.add('expected a JSON array of BFD peers');
  }
  entries.forEach((p, i) => {
    if (!isRecord(p) || !str(p.peer)) {
      notes.add(`BFD entry ${i} has no peer`);
      return;
    }
    out.push(
      compact({
        peer: str(p.peer)!,
        local: str(p.local),
        iface: str(p.interface),
        vrf: str(p.vrf),
        status: str(p.status) ?? 'unknown',
        diagnostic: str(p.diagnostic),
        remoteDiagnostic: str(p['remote-diagnostic']),
        multihop: bool(p.multihop),
        uptimeS: num(p.uptime),
        downtimeS: num(p.downtime),
        receiveIntervalMs: num(p['receive-interval']),
        transmitIntervalMs: num(p['transmit-interval']),
        detectMultiplier: num(p['detect-multiplier']),
        remoteReceiveIntervalMs: num(p['remote-receive-interval']),
        remoteTransmitIntervalMs: num(p['remote-transmit-interval']),
        remoteDetectMultiplier: num(p['remote-detect-multiplier']),
        path,
      }),
    );
  });
  return notes.result(out);
}

// ---------------------------------------------------------------- text form

const unitSeconds: Record<string, number> = { year: 31_536_000, month: 2_592_000, day: 86_400, hour: 3_600, minute: 60, second: 1 };

/** `11 minute(s), 35 second(s)` (bfdd's uptime text) as seconds. */
function durationSeconds(text: string): number | undefined {
  let total = 0;
  let any = false;
  for (const m of text.matchAll(/(\d+) (year|month|day|hour|minute|second)\(s\)/g)) {
    total += Number(m[1]) * unitSeconds[m[2]];
    any = true;
  }
  return any ? total : undefined;
}

/** `179ms`, or a bare number (the first bfdd printed no unit). */
function intervalMs(text: string): number | undefined {
  const m = /^(\d+)(?:ms)?$/.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * `show bfd peers` text: `peer <addr> [multihop] [local-address <a>] [vrf <v>] [interface <i>]`
 * opens a peer; `Status`, `Uptime`/`Downtime`, `Diagnostics`, `Remote diagnostics` and the local
 * and remote timer blocks follow. Values are the ones the JSON form carries (bfdd prints both from
 * the same strings).
 */
function parseText(text: string, path: string, notes: NoteSink): BfdPeer[] {
  const out: BfdPeer[] = [];
  let cur: BfdPeer | undefined;
  let timers: 'local' | 'remote' | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (line === '' || line === 'BFD Peers:') return;
    if ((m = /^peer (\S+)(.*)$/.exec(line))) {
      if (cur) out.push(compact(cur));
      const rest = m[2];
      cur = { peer: m[1], status: 'unknown', path, multihop: /\bmultihop\b/.test(rest) };
      const local = /\blocal-address (\S+)/.exec(rest);
      if (local) cur.local = local[1];
      const vrf = /\bvrf (\S+)/.exec(rest);
      if (vrf) cur.vrf = vrf[1];
      const iface = /\binterface (\S+)/.exec(rest);
      if (iface) cur.iface = iface[1];
      timers = undefined;
      return;
    }
    if (!cur) {
      notes.add(`line ${i + 1}: text before the first peer of show bfd peers: ${line.slice(0, 100)}`);
      return;
    }
    if ((m = /^Status: (\S+)/.exec(line))) cur.status = m[1];
    else if ((m = /^Uptime: (.+)$/.exec(line))) cur.uptimeS = durationSeconds(m[1]);
    else if ((m = /^Downtime: (.+)$/.exec(line))) cur.downtimeS = durationSeconds(m[1]);
    else if ((m = /^Diagnostics: (.+)$/.exec(line))) cur.diagnostic = m[1];
    else if ((m = /^Remote diagnostics: (.+)$/.exec(line))) cur.remoteDiagnostic = m[1];
    else if (line === 'Local timers:') timers = 'local';
    else if (line === 'Remote timers:') timers = 'remote';
    else if ((m = /^Detect-multiplier: (\d+)$/.exec(line))) {
      if (timers === 'remote') cur.remoteDetectMultiplier = Number(m[1]);
      else cur.detectMultiplier = Number(m[1]);
    } else if ((m = /^Receive interval: (\S+)$/.exec(line))) {
      if (timers === 'remote') cur.remoteReceiveIntervalMs = intervalMs(m[1]);
      else cur.receiveIntervalMs = intervalMs(m[1]);
    } else if ((m = /^Transmission interval: (\S+)$/.exec(line))) {
      if (timers === 'remote') cur.remoteTransmitIntervalMs = intervalMs(m[1]);
      else cur.transmitIntervalMs = intervalMs(m[1]);
    }
  });
  if (cur) out.push(compact(cur));
  return out;
}
