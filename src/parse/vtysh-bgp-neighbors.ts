/**
 * `vtysh -c 'show bgp [vrf all] neighbors json'`. The plain form is an object keyed by peer
 * address; the `vrf all` form nests that object under VRF names
 * (`{"default":{"vrfId":0,"vrfName":"default","10.0.0.1":{...}}}`). Both are accepted, and so is
 * the text form users paste (`show [ip] bgp neighbors` without `json`), read into the same model.
 */
import { cleanText, isRecord, num, parseJsonTolerant, str, compact, setOwn } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import { afiKey, frrUptimeMs, promptLineRe } from './vtysh-text.js';
import type { BgpNeighbor } from '../model/cluster.js';

/** A peer object is recognised by its FSM state. */
function isPeerObject(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && typeof v.bgpState === 'string';
}

export function parse(text: string, path: string): Parsed<BgpNeighbor[]> {
  const notes = new NoteSink(path);
  const clean = cleanText(text);
  if (!/^\s*[[{]/.test(clean) && /^\s*BGP neighbor (?:is|on) /m.test(clean)) return notes.result(parseText(clean, path, notes));
  if (!/^\s*[[{]/.test(clean) && briefHeaderRe.test(clean)) return notes.result(parseBrief(clean, path, notes));
  // A peer's object is the second level (third under `vrf all`): a cut file keeps its complete peers.
  const data = parseJsonTolerant(text, notes, 'vtysh neighbors JSON', /^\s*\{\s*"[^"]*"\s*:\s*\{\s*"vrfId"/.test(clean) ? 2 : 1);
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

// ---------------------------------------------------------------- text form

const headRe = /^BGP neighbor (?:is (\S+?)|on (\S+?): (\S+?)),\s+remote AS (\d+(?:\.\d+)?)(?:,\s+local AS (\d+(?:\.\d+)?))?/;
const statMessages: Record<string, ['opensSent' | 'notificationsSent' | 'updatesSent' | 'keepalivesSent', 'opensReceived' | 'notificationsReceived' | 'updatesReceived' | 'keepalivesReceived']> = {
  Opens: ['opensSent', 'opensReceived'],
  Notifications: ['notificationsSent', 'notificationsReceived'],
  Updates: ['updatesSent', 'updatesReceived'],
  Keepalives: ['keepalivesSent', 'keepalivesReceived'],
};

function asn(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const dot = /^(\d+)\.(\d+)$/.exec(text);
  return dot ? Number(dot[1]) * 65536 + Number(dot[2]) : Number(text);
}

/**
 * `show bgp neighbors` text (FRR 5 to 10): one block per neighbour from `BGP neighbor is <addr>,
 * remote AS <n>, local AS <n>` (or `BGP neighbor on <iface>: <addr>` for unnumbered peers). Read:
 * state and uptime, router IDs, hostname, negotiated and configured timers, the message table,
 * accepted/announced prefixes per address family, connection counts, the last reset (with the
 * NOTIFICATION it names), the TCP endpoints and the BFD status. `Instance <vrf>:` lines set the VRF.
 */
function parseText(text: string, path: string, notes: NoteSink): BgpNeighbor[] {
  const out: BgpNeighbor[] = [];
  let vrf = 'default';
  let cur: BgpNeighbor | undefined;
  let messages: NonNullable<BgpNeighbor['messages']> = {};
  let afi: string | undefined;
  let inBfd = false;
  const finish = (): void => {
    if (!cur) return;
    if (Object.keys(messages).length > 0) cur.messages = messages;
    out.push(compact(cur));
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (promptLineRe.test(raw)) return;
    if ((m = /^Instance (\S+):$/.exec(line))) {
      vrf = m[1];
      return;
    }
    if ((m = headRe.exec(line))) {
      finish();
      // Unnumbered peers are keyed by interface in the JSON form; their address is the foreign host.
      cur = { vrf, address: m[1] ?? m[2], state: 'Unknown', path, remoteAs: asn(m[4]), localAs: asn(m[5]) };
      if (m[3]) cur.hostForeign = m[3];
      messages = {};
      afi = undefined;
      inBfd = false;
      return;
    }
    if (!cur) {
      if (line !== '') notes.add(`line ${i + 1}: text before the first 'BGP neighbor is' line: ${line.slice(0, 100)}`);
      return;
    }
    if ((m = /^Hostname: (\S+)/.exec(line))) cur.hostname = m[1];
    else if ((m = /^BGP version \d+, remote router ID (\S+?)(?:, local router ID (\S+))?$/.exec(line))) {
      cur.remoteRouterId = m[1];
      if (m[2]) cur.routerId = m[2];
    } else if ((m = /^BGP state = (\w+)(?: \(([^)]*)\))?(?:, up for (\S+))?/.exec(line))) {
      cur.state = m[1];
      if (m[3] !== undefined) cur.uptimeMs = frrUptimeMs(m[3]);
    } else if ((m = /^Hold time is (\d+)(?: seconds)?, keepalive interval is (\d+) seconds/.exec(line))) {
      cur.holdTimeMs = Number(m[1]) * 1000;
      cur.keepaliveMs = Number(m[2]) * 1000;
    } else if ((m = /^Configured hold time is (\d+)(?: seconds)?, keepalive interval is (\d+) seconds/.exec(line))) {
      cur.configuredHoldTimeMs = Number(m[1]) * 1000;
      cur.configuredKeepaliveMs = Number(m[2]) * 1000;
    } else if ((m = /^(Opens|Notifications|Updates|Keepalives|Route Refresh|Capability|Total):\s+(\d+)\s+(\d+)$/.exec(line))) {
      const keys = statMessages[m[1]];
      if (keys) {
        messages[keys[0]] = Number(m[2]);
        messages[keys[1]] = Number(m[3]);
      }
    } else if ((m = /^For address family: (.+)$/.exec(line))) afi = afiKey(m[1]);
    else if ((m = /^(\d+) accepted prefixes$/.exec(line)) && afi) setOwn((cur.acceptedPrefixes ??= {}), afi, Number(m[1]));
    else if ((m = /^(\d+) announced prefixes$/.exec(line)) && afi) setOwn((cur.sentPrefixes ??= {}), afi, Number(m[1]));
    else if ((m = /^Connections established (\d+); dropped (\d+)$/.exec(line))) {
      cur.connectionsEstablished = Number(m[1]);
      cur.connectionsDropped = Number(m[2]);
    } else if ((m = /^Last reset (\S+?),\s+(?:due to )?(.+)$/.exec(line))) {
      // FRR prints the NOTIFICATION behind a reset as `Notification sent (Cease/...)`; the JSON form
      // splits it into lastResetDueTo (`BGP Notification send`) and lastNotificationReason.
      const notification = /^Notification (sent|received) \((.+)\)$/.exec(m[2]);
      if (notification) {
        cur.lastResetDueTo = notification[1] === 'sent' ? 'BGP Notification send' : 'BGP Notification received';
        cur.lastNotificationReason = notification[2];
      } else cur.lastResetDueTo = m[2];
    } else if ((m = /^Local host: (\S+?), Local port: (\d+)/.exec(line))) cur.hostLocal = m[1];
    else if ((m = /^Foreign host: (\S+?), Foreign port: (\d+)/.exec(line))) {
      cur.hostForeign = m[1];
      cur.portForeign = Number(m[2]);
    } else if (/^BFD:/.test(line)) inBfd = true;
    else if (inBfd && (m = /^Status: (\w+)/.exec(line))) cur.bfdStatus = m[1];
  });
  finish();
  return out;
}

// ---------------------------------------------------------------- brief table (FRR 10.6+)

const briefHeaderRe = /^Neighbor\s+AS\s+MsgRcvd\s+MsgSent\s+ResetTime\s+State\s+Afi\/Safi\s+PfxRcd\s+PfxSnt/m;
const briefRowRe = /^(\S+)\s+(\d+(?:\.\d+)?)\s+\d+\s+\d+\s+\S+\s+(\S+(?: \([^)]*\))?)\s+(\S+ \S+)\s+(\d+)\s+(\d+)$/;

/**
 * `show bgp neighbors brief`: `Neighbor AS MsgRcvd MsgSent ResetTime State Afi/Safi PfxRcd PfxSnt`,
 * one row per neighbour and address family; rows of one neighbour merge into one entry.
 */
function parseBrief(text: string, path: string, notes: NoteSink): BgpNeighbor[] {
  const byAddress = new Map<string, BgpNeighbor>();
  let inTable = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (briefHeaderRe.test(line)) {
      inTable = true;
      return;
    }
    if (!inTable || line === '' || promptLineRe.test(raw)) return;
    const m = briefRowRe.exec(line);
    if (!m) {
      notes.add(`line ${i + 1}: not a row of show bgp neighbors brief: ${line.slice(0, 100)}`);
      return;
    }
    const afi = afiKey(m[4]);
    let n = byAddress.get(m[1]);
    if (!n) {
      n = { vrf: 'default', address: m[1], remoteAs: asn(m[2]), state: m[3], path };
      byAddress.set(m[1], n);
    }
    setOwn((n.acceptedPrefixes ??= {}), afi, Number(m[5]));
    setOwn((n.sentPrefixes ??= {}), afi, Number(m[6]));
  });
  return [...byAddress.values()];
}
