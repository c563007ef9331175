/**
 * `vtysh -c 'show bgp [vrf all] summary json'`: `{"ipv4Unicast":{...,"peers":{...}}}`, or under
 * VRF names for `vrf all` (`{"default":{"ipv4Unicast":{...}}}`). One row per VRF, family and peer.
 */
import { isRecord, num, parseJsonTolerant, str, compact } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { BgpSummaryPeer } from '../model/cluster.js';

function isFamilyBlock(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && isRecord(v.peers);
}

export function parse(text: string, path: string): Parsed<BgpSummaryPeer[]> {
  const notes = new NoteSink(path);
  const data = parseJsonTolerant(text, notes, 'vtysh summary JSON');
  const out: BgpSummaryPeer[] = [];
  if (data === undefined) return notes.result(out);
  if (!isRecord(data)) {
    notes.add('expected a JSON object keyed by address family or VRF');
    return notes.result(out);
  }
  const families = (obj: Record<string, unknown>, vrfHint: string): void => {
    for (const [afi, block] of Object.entries(obj)) {
      if (!isFamilyBlock(block)) continue;
      const vrf = str(block.vrfName) ?? vrfHint;
      for (const [address, p] of Object.entries(block.peers as Record<string, unknown>)) {
        if (!isRecord(p)) continue;
        out.push(
          compact({
            vrf,
            afi,
            address,
            routerId: str(block.routerId),
            localAs: num(p.localAs) ?? num(block.as),
            remoteAs: num(p.remoteAs),
            state: str(p.state) ?? 'Unknown',
            uptime: str(p.peerUptime),
            uptimeMs: num(p.peerUptimeMsec),
            prefixesReceived: num(p.pfxRcd),
            prefixesSent: num(p.pfxSnt),
            messagesReceived: num(p.msgRcvd),
            messagesSent: num(p.msgSent),
            connectionsEstablished: num(p.connectionsEstablished),
            connectionsDropped: num(p.connectionsDropped),
            hostname: str(p.hostname),
            path,
          }),
        );
      }
    }
  };
  if (Object.values(data).some(isFamilyBlock)) families(data, 'default');
  else for (const [vrf, block] of Object.entries(data)) if (isRecord(block)) families(block, vrf);
  return notes.result(out);
}
