/**
 * `vtysh -c 'show bgp [vrf all] summary json'`: `{"ipv4Unicast":{...,"peers":{...}}}`, or under
 * VRF names for `vrf all` (`{"default":{"ipv4Unicast":{...}}}`). One row per VRF, family and peer.
 * The text form users paste (`show bgp summary` without `json`, FRR 3 to 10 layouts) reads into the
 * same rows: state, peer AS, Up/Down, messages, prefixes received and sent.
 */
import { cleanText, isRecord, num, parseJsonTolerant, str, compact } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import { afiKey, frrUptimeMs, promptLineRe } from './vtysh-text.js';
import type { BgpSummaryPeer } from '../model/cluster.js';

function isFamilyBlock(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && isRecord(v.peers);
}

export function parse(text: string, path: string): Parsed<BgpSummaryPeer[]> {
  const notes = new NoteSink(path);
  if (looksLikeText(text)) return notes.result(parseText(text, path, notes));
  // Peers sit three levels down (four under `vrf all`): a cut file keeps its complete peers.
  const data = parseJsonTolerant(text, notes, 'vtysh summary JSON', /^\s*\{\s*"[a-z0-9]+(?:Unicast|Multicast|Evpn|Vpn|Flowspec)"/i.test(text) ? 3 : 4);
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
            // FRR before 7.2 printed only prefixReceivedCount (7.2 to 7.5 print both).
            prefixesReceived: num(p.pfxRcd) ?? num(p.prefixReceivedCount),
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

// ---------------------------------------------------------------- text form

/** The text form: a column header row or FRR's summary preamble, before any JSON. */
function looksLikeText(text: string): boolean {
  const t = cleanText(text).trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return false;
  return /^Neighbor\s+V\s+AS\b/m.test(t) || /^BGP router identifier /m.test(t) || /^\S.* Summary(?: \(VRF [^)]*\))?:\s*$/m.test(t);
}

const familyRe = /^(?:(\S.*?) Summary(?: \(VRF ([^)]+)\))?:)\s*$/;
const instanceRe = /^Instance (\S+):\s*$/;
const routerRe = /^BGP router identifier (\S+), local AS number (\d+)(?: vrf-id (-?\d+))?/;
const headerRe = /^Neighbor\s+V\s+AS\s+MsgRcvd\s+MsgSent\s+TblVer\s+InQ\s+OutQ\s+Up\/Down\s+State\/PfxRcd/;
const uptimeTokenRe = /^(?:never|\d{1,2}:\d{2}:\d{2}|\d+d\d{1,2}h\d{1,2}m|\d+w\dd\d{1,2}h)$/;

/**
 * Rows of `show bgp summary`: `Neighbor V AS MsgRcvd MsgSent TblVer InQ OutQ Up/Down State/PfxRcd
 * [PfxSnt] [Desc]`. A number in State/PfxRcd means Established with that many prefixes; otherwise it
 * is the FSM state, which may carry a reason in parentheses (`Idle (Admin)`). `host(address)` is
 * the neighbour with `bgp default show-hostname`; a long IPv6 neighbour sits alone on its line and
 * the columns follow on the next one.
 */
function parseText(text: string, path: string, notes: NoteSink): BgpSummaryPeer[] {
  const out: BgpSummaryPeer[] = [];
  const lines = cleanText(text).split(/\r?\n/);
  let vrf = 'default';
  let afi = 'ipv4Unicast';
  let routerId: string | undefined;
  let localAs: number | undefined;
  let hasPfxSnt = false;
  let inTable = false;
  let sawHeader = false;
  // A family whose preamble came without its neighbour table: the paste was cut there.
  let openFamily: string | undefined;
  const closeFamily = (): void => {
    if (openFamily) notes.add(`${openFamily} summary has no neighbour table: the output ends before it (cut?)`);
    openFamily = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\s+$/, '');
    let m: RegExpExecArray | null;
    if (promptLineRe.test(line)) continue;
    if ((m = instanceRe.exec(line))) {
      vrf = m[1];
      inTable = false;
      continue;
    }
    if ((m = familyRe.exec(line))) {
      closeFamily();
      openFamily = m[1];
      afi = afiKey(m[1]);
      if (m[2]) vrf = m[2];
      inTable = false;
      continue;
    }
    if ((m = routerRe.exec(line))) {
      routerId = m[1];
      localAs = Number(m[2]);
      continue;
    }
    if (/No BGP neighbors found|No \S+ neighbor is configured/.test(line)) openFamily = undefined;
    if (headerRe.test(line)) {
      openFamily = undefined;
      inTable = true;
      sawHeader = true;
      hasPfxSnt = /\bPfxSnt\b/.test(line);
      continue;
    }
    if (!inTable) continue;
    if (/^-+(\s+-+)*$/.test(line.trim())) continue; // a ruler under the header (SONiC's layout)
    if (line.trim() === '' || /^Total number of neighbors/.test(line)) {
      inTable = false;
      continue;
    }
    let rowText = line;
    // A long neighbour name alone on its line: the columns continue on the next line.
    if (/^\S+$/.test(line) && i + 1 < lines.length && /^\s+\d+\s+\d+/.test(lines[i + 1])) rowText = `${line} ${lines[++i].trim()}`;
    const row = summaryRow(rowText.trim(), hasPfxSnt);
    if (!row) {
      notes.add(`line ${i + 1}: not a neighbour row of show bgp summary: ${rowText.trim().slice(0, 100)}`);
      continue;
    }
    out.push(compact({ vrf, afi, ...row, routerId, localAs, path }));
  }
  closeFamily();
  if (!sawHeader && !/No BGP neighbors found|No such neighbor|No \S+ neighbor is configured/.test(text)) notes.add('show bgp summary text without a Neighbor/V/AS column header: no neighbour rows read');
  return out;
}

type Row = Omit<BgpSummaryPeer, 'vrf' | 'afi' | 'path' | 'routerId' | 'localAs'>;

function summaryRow(row: string, hasPfxSnt: boolean): Row | undefined {
  const t = row.split(/\s+/);
  if (t.length < 10) return undefined;
  const [name, version, as, rcvd, sent] = t;
  if (!/^\d+$/.test(version) || !/^\d+(?:\.\d+)?$/.test(as) || !/^\d+$/.test(rcvd) || !/^\d+$/.test(sent)) return undefined;
  const up = t[8];
  if (!uptimeTokenRe.test(up)) return undefined;
  const hostAddr = /^(.+)\(([^()]+)\)$/.exec(name);
  const rest = t.slice(9);
  const out: Row = { address: hostAddr ? hostAddr[2] : name, state: '', uptime: up, uptimeMs: frrUptimeMs(up), messagesReceived: Number(rcvd), messagesSent: Number(sent) };
  if (hostAddr) out.hostname = hostAddr[1];
  const asdot = /^(\d+)\.(\d+)$/.exec(as);
  out.remoteAs = asdot ? Number(asdot[1]) * 65536 + Number(asdot[2]) : Number(as);
  if (/^\d+$/.test(rest[0])) {
    out.state = 'Established';
    out.prefixesReceived = Number(rest[0]);
    rest.shift();
  } else {
    out.state = rest.shift() ?? 'Unknown';
    // A session that is not up holds no routes from the peer; the JSON form says pfxRcd 0 for it.
    out.prefixesReceived = 0;
    // `Idle (Admin)`, `Idle (PfxCt)`, `Active (passive)`: the reason belongs to the state.
    if (rest[0]?.startsWith('(')) {
      let reason = rest.shift()!;
      while (!reason.endsWith(')') && rest.length > 0) reason += ` ${rest.shift()}`;
      out.state += ` ${reason}`;
    }
  }
  if (hasPfxSnt && /^\d+$/.test(rest[0] ?? '')) out.prefixesSent = Number(rest.shift());
  return compact(out);
}
