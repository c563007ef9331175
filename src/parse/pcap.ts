/**
 * A small classic-pcap reader (what `tcpdump -w` writes): both byte orders, micro- and nanosecond
 * variants, link types Ethernet (1), Linux cooked v1 (113) and v2 (276, `tcpdump -i any`), with
 * 802.1Q tags. Decodes ARP (sender MAC/IP, for duplicate-responder checks), BGP message headers
 * on TCP port 179 (OPEN AS/hold time/ID, NOTIFICATION code/subcode) and BFD control packets.
 * Never throws: a truncated file yields what was complete plus a note.
 */
import { NoteSink, type Parsed } from './result.js';
import { bfdDiagnostics, bfdPorts, bfdStates, bgpMessageTypes, bgpPort, notificationReason } from './capture-common.js';
import type { CaptureSummary } from '../model/cluster.js';
import { formatIpv6 } from '../util/ip-text.js';

const linkTypes = { ethernet: 1, sll: 113, sll2: 276 } as const;
const etherTypes = { ipv4: 0x0800, arp: 0x0806, vlan: 0x8100, qinq: 0x88a8, ipv6: 0x86dd } as const;

const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function macAt(b: Buffer, at: number): string {
  return `${hexByte[b[at]]}:${hexByte[b[at + 1]]}:${hexByte[b[at + 2]]}:${hexByte[b[at + 3]]}:${hexByte[b[at + 4]]}:${hexByte[b[at + 5]]}`;
}
function ipv4At(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}
function ipv6At(b: Buffer, at: number): string {
  // The form tcpdump prints (inet_ntop), which the text-capture parser reads.
  return formatIpv6(Array.from({ length: 8 }, (_, i) => b.readUInt16BE(at + 2 * i)));
}

/** ISO time with the capture's microseconds (Date alone keeps milliseconds). */
let lastSecond = -1;
let lastSecondIso = '';
function timeOf(sec: number, frac: number, nano: boolean): string | undefined {
  const micros = Math.floor(nano ? frac / 1000 : frac);
  if (micros > 999_999) return undefined;
  // Packets come in bursts within the same second; format that part once.
  if (sec !== lastSecond) {
    const d = new Date(sec * 1000);
    if (Number.isNaN(d.getTime())) return undefined;
    lastSecond = sec;
    lastSecondIso = d.toISOString().slice(0, 19);
  }
  return `${lastSecondIso}.${String(micros).padStart(6, '0')}Z`;
}

export function parse(bytes: Buffer, path: string): Parsed<CaptureSummary> {
  const notes = new NoteSink(path);
  const summary: CaptureSummary = { path, packets: 0, arp: [], bgp: [], bfd: [], source: 'pcap' };
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes ?? []);
  if (b.length === 0) {
    notes.add('empty capture file');
    return notes.result(summary);
  }
  if (b.length < 24) {
    notes.add(`capture file too short for a pcap header (${b.length} bytes)`);
    return notes.result(summary);
  }
  const magicLE = b.readUInt32LE(0);
  const formats: Record<number, { le: boolean; nano: boolean }> = {
    0xa1b2c3d4: { le: true, nano: false },
    0xa1b23c4d: { le: true, nano: true },
    0xd4c3b2a1: { le: false, nano: false },
    0x4d3cb2a1: { le: false, nano: true },
  };
  const format = formats[magicLE];
  if (magicLE === 0x0a0d0d0a) {
    notes.add('pcapng captures are not supported (expected classic pcap from tcpdump -w)');
    return notes.result(summary);
  }
  if (!format) {
    notes.add('not a pcap file (unknown magic number)');
    return notes.result(summary);
  }
  const { le, nano } = format;
  const u32 = (at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const linkType = u32(20) & 0x0fffffff;
  summary.linkType = linkType;
  if (linkType !== linkTypes.ethernet && linkType !== linkTypes.sll && linkType !== linkTypes.sll2) {
    notes.add(`link type ${linkType} is not decoded (packets are only counted)`);
  }
  let off = 24;
  while (off < b.length) {
    if (off + 16 > b.length) {
      notes.add('capture is truncated inside a packet header');
      break;
    }
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    if (incl > 262144 * 4) {
      notes.add(`implausible packet length ${incl}; stopped reading`);
      break;
    }
    const start = off + 16;
    const end = start + incl;
    if (end > b.length) {
      notes.add('capture is truncated inside a packet');
      break;
    }
    summary.packets++;
    try {
      decodeFrame(b.subarray(start, end), linkType, timeOf(sec, frac, nano), summary);
    } catch {
      // A malformed frame is skipped; Buffer reads past the end throw RangeError.
    }
    off = end;
  }
  return notes.result(summary);
}

function decodeFrame(f: Buffer, linkType: number, time: string | undefined, s: CaptureSummary): void {
  let srcMac: string | undefined;
  let dstMac: string | undefined;
  let broadcast = false;
  let etherType: number;
  let at: number;
  if (linkType === linkTypes.ethernet) {
    dstMac = macAt(f, 0);
    srcMac = macAt(f, 6);
    broadcast = dstMac === 'ff:ff:ff:ff:ff:ff';
    etherType = f.readUInt16BE(12);
    at = 14;
  } else if (linkType === linkTypes.sll) {
    // packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
    broadcast = f.readUInt16BE(0) === 1;
    if (f.readUInt16BE(4) === 6) srcMac = macAt(f, 6);
    etherType = f.readUInt16BE(14);
    at = 16;
  } else if (linkType === linkTypes.sll2) {
    // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
    etherType = f.readUInt16BE(0);
    broadcast = f[10] === 1;
    if (f[11] === 6) srcMac = macAt(f, 12);
    at = 20;
  } else return;
  while (etherType === etherTypes.vlan || etherType === etherTypes.qinq) {
    etherType = f.readUInt16BE(at + 2);
    at += 4;
  }
  if (etherType === etherTypes.arp) return decodeArp(f, at, { srcMac, dstMac, broadcast, time }, s);
  if (etherType === etherTypes.ipv4) {
    const ihl = (f[at] & 0x0f) * 4;
    const proto = f[at + 9];
    const total = f.readUInt16BE(at + 2);
    const src = ipv4At(f, at + 12);
    const dst = ipv4At(f, at + 16);
    const end = Math.min(f.length, at + total);
    return decodeTransport(f.subarray(0, end), at + ihl, proto, src, dst, time, s);
  }
  if (etherType === etherTypes.ipv6) {
    const next = f[at + 6];
    const end = Math.min(f.length, at + 40 + f.readUInt16BE(at + 4));
    return decodeTransport(f.subarray(0, end), at + 40, next, ipv6At(f, at + 8), ipv6At(f, at + 24), time, s);
  }
}

function decodeArp(
  f: Buffer,
  at: number,
  link: { srcMac?: string; dstMac?: string; broadcast: boolean; time?: string },
  s: CaptureSummary,
): void {
  const hlen = f[at + 4];
  const plen = f[at + 5];
  const op = f.readUInt16BE(at + 6);
  if (hlen !== 6 || plen !== 4 || (op !== 1 && op !== 2)) return;
  const senderMac = macAt(f, at + 8);
  const senderIp = ipv4At(f, at + 14);
  const targetIp = ipv4At(f, at + 24);
  const base: { srcMac?: string; dstMac?: string; time?: string } = {};
  if (link.srcMac) base.srcMac = link.srcMac;
  if (link.dstMac) base.dstMac = link.dstMac;
  if (link.time) base.time = link.time;
  if (op === 1) s.arp.push({ op: 'request', ip: targetIp, senderIp, mac: senderMac, gratuitous: senderIp === targetIp, ...base });
  else s.arp.push({ op: 'reply', ip: senderIp, mac: senderMac, gratuitous: link.broadcast || senderIp === targetIp, ...base });
}

function decodeTransport(f: Buffer, at: number, proto: number, src: string, dst: string, time: string | undefined, s: CaptureSummary): void {
  if (proto === 6) {
    const srcPort = f.readUInt16BE(at);
    const dstPort = f.readUInt16BE(at + 2);
    if (srcPort !== bgpPort && dstPort !== bgpPort) return;
    const dataOffset = (f[at + 12] >> 4) * 4;
    const flags = f[at + 13];
    const base = { src, dst, srcPort, dstPort, ...(time ? { time } : {}) };
    const syn = (flags & 0x02) !== 0;
    const ack = (flags & 0x10) !== 0;
    const detail = `Flags [${tcpFlags(flags)}]`;
    if (flags & 0x04) s.bgp.push({ ...base, type: 'TCP-RST', detail });
    else if (syn) s.bgp.push({ ...base, type: ack ? 'TCP-SYNACK' : 'TCP-SYN', detail });
    else if (flags & 0x01) s.bgp.push({ ...base, type: 'TCP-FIN', detail });
    // BGP messages: 16-byte marker of 0xff, 2-byte length, 1-byte type; several per segment.
    let p = at + dataOffset;
    while (p + 19 <= f.length) {
      let marker = true;
      for (let i = 0; i < 16; i++) if (f[p + i] !== 0xff) marker = false;
      if (!marker) break; // mid-stream segment: do not guess
      const len = f.readUInt16BE(p + 16);
      const type = f[p + 18];
      if (len < 19) break;
      const entry: CaptureSummary['bgp'][number] = { ...base, type: bgpMessageTypes[type] ?? `TYPE-${type}` };
      if (type === 1 && p + 29 <= f.length) {
        entry.asn = f.readUInt16BE(p + 20);
        entry.holdTime = f.readUInt16BE(p + 22);
        entry.routerId = ipv4At(f, p + 24);
        // 4-byte AS capability overrides AS_TRANS (23456) when present.
        const as4 = findAs4(f, p + 29, Math.min(f.length, p + len));
        if (as4 !== undefined) entry.asn = as4;
        entry.detail = `my AS ${entry.asn}, Holdtime ${entry.holdTime}s, ID ${entry.routerId}`;
      } else if (type === 3 && p + 21 <= f.length) {
        entry.errorCode = f[p + 19];
        entry.errorSubcode = f[p + 20];
        entry.detail = notificationReason(entry.errorCode, entry.errorSubcode);
      }
      s.bgp.push(entry);
      p += len;
    }
    return;
  }
  if (proto === 17) {
    const dstPort = f.readUInt16BE(at + 2);
    if (!bfdPorts.has(dstPort)) return;
    const p = at + 8;
    if (p + 24 > f.length) return;
    const version = f[p] >> 5;
    if (version !== 1) return;
    const entry: CaptureSummary['bfd'][number] = { src, dst, state: bfdStates[f[p + 1] >> 6], diagnostic: bfdDiagnostics[f[p] & 0x1f] ?? `Diagnostic ${f[p] & 0x1f}` };
    if (time) entry.time = time;
    s.bfd.push(entry);
  }
}

/** TCP flags in tcpdump's notation and order (`S.`, `F.`, `R`, `P.`). */
function tcpFlags(flags: number): string {
  const names: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];
  const out = names.filter(([bit]) => flags & bit).map(([, n]) => n).join('');
  return out === '' ? 'none' : out;
}

/** Optional parameters of an OPEN: capability 65 (4-octet AS). */
function findAs4(f: Buffer, optLenAt: number, end: number): number | undefined {
  const optLen = f[optLenAt];
  let p = optLenAt + 1;
  const stop = Math.min(end, p + optLen);
  while (p + 2 <= stop) {
    const paramType = f[p];
    const paramLen = f[p + 1];
    if (paramType === 2) {
      let c = p + 2;
      const cEnd = Math.min(stop, c + paramLen);
      while (c + 2 <= cEnd) {
        const code = f[c];
        const len = f[c + 1];
        if (code === 65 && len === 4 && c + 6 <= cEnd) return f.readUInt32BE(c + 2);
        c += 2 + len;
      }
    }
    p += 2 + paramLen;
  }
  return undefined;
}
