/**
 * `vtysh -c 'show bgp [vrf all] neighbors json'`. The plain form is an object keyed by peer
 * address; the `vrf all` form nests that object under VRF names
 * (`{"default":{"vrfId":0,"vrfName":"default","10.0.0.1":{...}}}`). Both are accepted.
 */
import { isRecord, num, parseJsonTolerant, str, compact, setOwn } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { BgpNeighbor } from '../model/cluster.js';

/** A peer object is recognised by its FSM state. */
function isPeerObject(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && typeof v.bgpState === 'string';
}

export function parse(text: string, path: string): Parsed<BgpNeighbor[]> {
  const notes = new NoteSink(path);
  const data = parseJsonTolerant(text, notes, 'vtysh neighbors JSON');
  const out: BgpNeighbor[] = [];
  if (data === undefined) return notes.result(out);
  if (!isRecord(data)) {
    notes.add('expected a JSON object keyed by peer or VRF');
    return notes.result(out);
  }
  const plainVrf = str(data.vrfName) ?? 'default';
  for (const [key, value] of Object.entries(data)) {
    if (isPeerObject(value)) out.push(neighbor(plainVrf, key, value, path));
    else if (isRecord(value)) {
      // `vrf all`: a VRF block whose peer entries sit next to vrfId/vrfName.
      const block: Record<string, unknown> = value;
      const vrf = str(block.vrfName) ?? key;
      for (const [peerKey, peerValue] of Object.entries(block)) {
        if (isPeerObject(peerValue)) out.push(neighbor(vrf, peerKey, peerValue, path));
        else if (isRecord(peerValue)) notes.add(`entry ${vrf}/${peerKey.slice(0, 60)} has no bgpState`);
      }
    }
  }
  return notes.result(out);
}

function neighbor(vrf: string, address: string, p: Record<string, unknown>, path: string): BgpNeighbor {
  const stats = isRecord(p.messageStats) ? p.messageStats : undefined;
  const afInfo = isRecord(p.addressFamilyInfo) ? p.addressFamilyInfo : {};
  const sent: Record<string, number> = {};
  const accepted: Record<string, number> = {};
  for (const [afi, info] of Object.entries(afInfo)) {
    if (!isRecord(info)) continue;
    const s = num(info.sentPrefixCounter);
    const a = num(info.acceptedPrefixCounter);
    if (s !== undefined) setOwn(sent, afi, s);
    if (a !== undefined) setOwn(accepted, afi, a);
  }
  const bfd = isRecord(p.peerBfdInfo) ? p.peerBfdInfo : undefined;
  const messages = stats
    ? compact({
        notificationsSent: num(stats.notificationsSent),
        notificationsReceived: num(stats.notificationsRecv),
        updatesSent: num(stats.updatesSent),
        updatesReceived: num(stats.updatesRecv),
        opensSent: num(stats.opensSent),
        opensReceived: num(stats.opensRecv),
        keepalivesSent: num(stats.keepalivesSent),
        keepalivesReceived: num(stats.keepalivesRecv),
      })
    : undefined;
  return compact({
    vrf: str(p.vrf) ?? vrf,
    // The key is the peer as the config names it: an address, or the interface for unnumbered peers
    // (their connected address is in hostForeign).
    address,
    remoteAs: num(p.remoteAs),
    localAs: num(p.localAs),
    state: str(p.bgpState) ?? 'Unknown',
    routerId: str(p.localRouterId),
    remoteRouterId: str(p.remoteRouterId),
    uptimeMs: num(p.bgpTimerUpMsec),
    lastResetDueTo: str(p.lastResetDueTo),
    lastNotificationReason: str(p.lastNotificationReason),
    lastErrorCodeSubcode: str(p.lastErrorCodeSubcode),
    connectionsEstablished: num(p.connectionsEstablished),
    connectionsDropped: num(p.connectionsDropped),
    messages,
    sentPrefixes: Object.keys(sent).length > 0 ? sent : undefined,
    acceptedPrefixes: Object.keys(accepted).length > 0 ? accepted : undefined,
    bfdStatus: str(bfd?.status),
    hostLocal: str(p.hostLocal),
    hostForeign: str(p.hostForeign),
    portForeign: num(p.portForeign),
    hostname: str(p.hostname),
    holdTimeMs: num(p.bgpTimerHoldTimeMsecs),
    keepaliveMs: num(p.bgpTimerKeepAliveIntervalMsecs),
    configuredHoldTimeMs: num(p.bgpTimerConfiguredHoldTimeMsecs),
    configuredKeepaliveMs: num(p.bgpTimerConfiguredKeepAliveIntervalMsecs),
    lastResetCode: num(p.lastResetCode),
    path,
  });
}
