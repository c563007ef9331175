/**
 * Decoded captures: `tcpdump -nn [-e] [-v] -r file` text. Understands Ethernet headers (`-e`:
 * `src > dst, ethertype ARP (0x0806), length 42: ...`), Linux cooked v2 from `-i any`
 * (`eth0  In  ifindex 2 02:..:.. ethertype ...`, or `eth0  In  IP ...` without `-e`), cooked v1,
 * and no link header at all. Extracts ARP requests/replies, BGP messages on port 179 (with OPEN
 * and NOTIFICATION details from `-v`), TCP SYN/RST/FIN on port 179, and BFD control packets.
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import { bfdPorts, bgpPort, notificationReason } from './capture-common.js';
import type { CaptureSummary } from '../model/cluster.js';

type Arp = CaptureSummary['arp'][number];
type Bgp = CaptureSummary['bgp'][number];

const packetNumberRe = /^\s*\d+ {2}(?=\d)/;
const tsRe = /^(\d{2}:\d{2}:\d{2}\.\d+|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+|\d{9,}\.\d+)\s+(.*)$/;
const mac = '[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}';
const ethRe = new RegExp(`^(${mac}) > (${mac}|Broadcast), ethertype (\\S+) \\(0x[0-9a-f]+\\), length \\d+: (.*)$`);
const sll2Re = new RegExp(`^(\\S+)\\s+(In|Out|B|M|P|\\?)\\s+ifindex \\d+ (${mac}) ethertype (\\S+) \\(0x[0-9a-f]+\\), length \\d+: (.*)$`);
const sll2PlainRe = /^(\S+)\s+(In|Out|B|M|P)\s+(.*)$/;
const sll1Re = new RegExp(`^(In|Out|B|M|P)\\s+(${mac}) ethertype (\\S+) \\(0x[0-9a-f]+\\), length \\d+: (.*)$`);
const vlanRe = /^vlan \d+, p \d+, ethertype (\S+) \(0x[0-9a-f]+\), (.*)$/;
const arpRequestRe = new RegExp(`Request who-has (\\S+)(?: \\((${mac})\\))? tell (\\S+?),`);
const arpReplyRe = new RegExp(`Reply (\\S+) is-at (${mac})`);
const flowRe = /(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)\.(\d+|[a-z][a-z-]*) > (\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)\.(\d+|[a-z][a-z-]*): (.*)$/;
/** Ports tcpdump names when run without -n (from /etc/services), as users often run it. */
const namedPorts: Record<string, number> = { bgp: 179, 'bfd-control': 3784, 'bfd-echo': 3785, 'bfd-multihop': 4784 };
/** The shell prompt and command a paste starts with, and the ^C that stopped the capture. */
const pasteNoiseRe = /^(?:\S*[#$%]\s*(?:sudo\s+)?tcpdump\b.*|\^C)$/;
const bgpMsgRe = /^\s*(Open|Update|Notification|Keepalive|Route Refresh|Capability) Message \((\d+)\), length: (\d+)(.*)$/;
const openRe = /my AS (\d+), Holdtime (\d+)s, ID (\S+)/;
const notifRe = /^, ([^(]+?) \((\d+)\)(?:,? subcode ([^(]+?) \((\d+)\))?/;

interface Packet {
  time: string;
  lines: string[];
}

export function parse(text: string, path: string): Parsed<CaptureSummary> {
  const notes = new NoteSink(path);
  const summary: CaptureSummary = { path, packets: 0, arp: [], bgp: [], bfd: [], source: 'text' };
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not tcpdump text: binary data');
    return notes.result(summary);
  }
  const packets: Packet[] = [];
  let unknownLines = 0;
  for (const raw of t.split(/\r?\n/)) {
    // The collector appends the base64 pcap after a marker; it is not text output.
    if (raw.startsWith('--- mlb-report pcap base64')) break;
    if (raw.trim() === '') continue;
    // `tcpdump -#` (--number) puts the packet's number before its time: `    1  15:43:08.773753 IP ...`.
    const numbered = packetNumberRe.exec(raw);
    const m = tsRe.exec(numbered ? raw.slice(numbered[0].length) : raw);
    if (m) packets.push({ time: m[1], lines: [m[2]] });
    else if (/^\s/.test(raw) && packets.length > 0) packets[packets.length - 1].lines.push(raw);
    else if (/^(reading from file|tcpdump: |listening on|\d+ packets? (captured|received|dropped))/.test(raw) || pasteNoiseRe.test(raw.trim())) continue;
    else unknownLines++;
  }
  if (unknownLines > 0) notes.add(`${unknownLines} line(s) were not tcpdump packet lines`);
  summary.packets = packets.length;
  for (const p of packets) readPacket(p, summary);
  return notes.result(summary);
}

function readPacket(p: Packet, summary: CaptureSummary): void {
  let head = p.lines[0];
  let srcMac: string | undefined;
  let dstMac: string | undefined;
  let iface: string | undefined;
  let broadcast = false;
  let dir: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = ethRe.exec(head))) {
    srcMac = m[1].toLowerCase();
    dstMac = m[2] === 'Broadcast' ? 'ff:ff:ff:ff:ff:ff' : m[2].toLowerCase();
    broadcast = dstMac === 'ff:ff:ff:ff:ff:ff';
    head = m[4];
  } else if ((m = sll2Re.exec(head))) {
    iface = m[1];
    dir = m[2];
    broadcast = m[2] === 'B';
    srcMac = m[3].toLowerCase();
    head = m[5];
  } else if ((m = sll1Re.exec(head))) {
    broadcast = m[1] === 'B';
    srcMac = m[2].toLowerCase();
    head = m[4];
  } else if ((m = sll2PlainRe.exec(head)) && /^(IP|IP6|ARP|ethertype)\b/.test(m[3])) {
    iface = m[1];
    broadcast = m[2] === 'B';
    head = m[3];
  }
  const vlan = vlanRe.exec(head);
  if (vlan) head = vlan[2];

  const req = arpRequestRe.exec(head);
  if (req) {
    const entry: Arp = { op: 'request', ip: req[1], senderIp: req[3], time: p.time, gratuitous: req[1] === req[3] };
    if (srcMac) entry.srcMac = srcMac;
    if (dstMac) entry.dstMac = dstMac;
    if (iface) entry.iface = iface;
    summary.arp.push(entry);
    return;
  }
  const rep = arpReplyRe.exec(head);
  if (rep) {
    const entry: Arp = { op: 'reply', ip: rep[1], mac: rep[2].toLowerCase(), time: p.time, gratuitous: broadcast };
    if (srcMac) entry.srcMac = srcMac;
    if (dstMac) entry.dstMac = dstMac;
    if (iface) entry.iface = iface;
    summary.arp.push(entry);
    return;
  }

  // IP: the flow (`a.b.c.d.port > e.f.g.h.port: ...`) is on the first line without -v, on the second with -v.
  let flowAt = -1;
  let flow: RegExpExecArray | null = null;
  for (let i = 0; i < Math.min(p.lines.length, 3); i++) {
    const line = i === 0 ? head : p.lines[i];
    flow = flowRe.exec(line);
    if (flow) {
      flowAt = i;
      break;
    }
  }
  if (!flow) {
    readIcmp(p, head, summary, iface, dir);
    return;
  }
  const [, src, sp, dst, dp, rest] = flow;
  const srcPort = /^\d+$/.test(sp) ? Number(sp) : (namedPorts[sp] ?? -1);
  const dstPort = /^\d+$/.test(dp) ? Number(dp) : (namedPorts[dp] ?? -1);
  if (srcPort === bgpPort || dstPort === bgpPort) {
    const base = { src, dst, srcPort, dstPort, time: p.time };
    const flags = /Flags \[([^\]]*)\]/.exec(rest)?.[1];
    if (flags !== undefined) {
      if (flags.includes('R')) summary.bgp.push({ ...base, type: 'TCP-RST', detail: `Flags [${flags}]` });
      else if (flags.includes('S')) summary.bgp.push({ ...base, type: flags.includes('.') ? 'TCP-SYNACK' : 'TCP-SYN', detail: `Flags [${flags}]` });
      else if (flags.includes('F')) summary.bgp.push({ ...base, type: 'TCP-FIN', detail: `Flags [${flags}]` });
    }
    for (let i = flowAt + 1; i < p.lines.length; i++) {
      const msg = bgpMsgRe.exec(p.lines[i]);
      if (!msg) continue;
      const type = msg[1] === 'Route Refresh' ? 'ROUTE-REFRESH' : msg[1].toUpperCase();
      const entry: Bgp = { ...base, type };
      if (type === 'OPEN') {
        const open = openRe.exec(p.lines[i + 1] ?? '');
        if (open) {
          entry.asn = Number(open[1]);
          entry.holdTime = Number(open[2]);
          entry.routerId = open[3];
          entry.detail = `my AS ${open[1]}, Holdtime ${open[2]}s, ID ${open[3]}`;
        }
      } else if (type === 'NOTIFICATION') {
        const n = notifRe.exec(msg[4]);
        if (n) {
          entry.errorCode = Number(n[2]);
          if (n[4] !== undefined) entry.errorSubcode = Number(n[4]);
          entry.detail = notificationReason(entry.errorCode, entry.errorSubcode, { code: n[1].trim(), subcode: n[3]?.trim() });
        }
      }
      summary.bgp.push(entry);
    }
    return;
  }
  const tcpFlags = srcPort !== bgpPort && dstPort !== bgpPort && !bfdPorts.has(dstPort) ? /Flags \[([^\]]*)\]/.exec(rest)?.[1] : undefined;
  if (tcpFlags !== undefined && /[SRF]/.test(tcpFlags)) {
    const entry: NonNullable<CaptureSummary['tcp']>[number] = { src, dst, srcPort, dstPort, flags: tcpFlags, time: p.time };
    if (iface) entry.iface = iface;
    if (dir) entry.dir = dir;
    (summary.tcp ??= []).push(entry);
    return;
  }
  if (bfdPorts.has(dstPort)) {
    const all = [rest, ...p.lines.slice(flowAt + 1)].join('\n');
    const entry: CaptureSummary['bfd'][number] = { src, dst, time: p.time };
    // FRR sends BFD from source port 49152, which tcpdump 4.99 decodes as "BCM-LI-SHIM": the packet
    // is still a BFD packet, only its state is unknown here (the pcap has it).
    if (!/BFDv\d/.test(all)) {
      summary.bfd.push(entry);
      return;
    }
    const state = /State (\w+)/.exec(all);
    if (state) entry.state = state[1];
    const diag = /Diagnostic: ([^(\n]+?) \(0x[0-9a-f]+\)/.exec(all);
    if (diag) entry.diagnostic = diag[1];
    summary.bfd.push(entry);
  }
}

/** `IP 192.0.2.12 > 203.0.113.50: ICMP 198.51.100.100 tcp port 80 unreachable, length 68` (and `host … unreachable`). */
const icmpPortRe = /(\S+) > (\S+): ICMP (\S+) (tcp|udp) port (\S+) unreachable/;
const icmpOtherRe = /(\S+) > (\S+): ICMP (?:host|net) (\S+) unreachable(?: - ([^,]+))?/;

function readIcmp(p: Packet, head: string, summary: CaptureSummary, iface: string | undefined, dir: string | undefined): void {
  for (let i = 0; i < Math.min(p.lines.length, 3); i++) {
    const line = (i === 0 ? head : p.lines[i]).replace(/^\s*IP6? /, '');
    const port = icmpPortRe.exec(line);
    const other = port ? null : icmpOtherRe.exec(line);
    if (!port && !other) continue;
    const m = (port ?? other)!;
    const entry: NonNullable<CaptureSummary['icmp']>[number] = { src: m[1]!, dst: m[2]!.replace(/:$/, ''), about: m[3]!, reason: port ? 'port unreachable' : (other![4] ?? 'host unreachable'), time: p.time };
    if (port) {
      entry.proto = port[4];
      entry.port = /^\d+$/.test(port[5]!) ? Number(port[5]) : namedPorts[port[5]!] ?? -1;
    }
    if (iface) entry.iface = iface;
    if (dir) entry.dir = dir;
    (summary.icmp ??= []).push(entry);
    return;
  }
}
