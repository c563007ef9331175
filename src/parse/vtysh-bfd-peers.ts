/** `vtysh -c 'show bfd [vrf all] peers json'`: an array of peers (or arrays under VRF keys). */
import { isRecord, num, parseJsonTolerant, str, bool, compact } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { BfdPeer } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<BfdPeer[]> {
  const notes = new NoteSink(path);
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
