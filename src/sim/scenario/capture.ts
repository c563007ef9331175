/**
 * Packet capture on a node, synthesised from the scenario: the output of the catalogue's capture
 * script (`captureCommand`): tcpdump's `-nn -e -v` decode of an `-i any` capture (Linux cooked v2
 * headers), the marker line, then the classic pcap file in base64 (76-column lines as coreutils
 * prints). The pcap and the text come from the same packet list, so they agree byte for byte:
 * ARP requests for L2 LoadBalancer IPs and the replies of every responder, BGP keepalives of
 * established sessions, OPEN/NOTIFICATION exchanges of rejected ones, SYN retries of sessions that
 * never connect, and memberlist UDP probes.
 */
import { bgpLocalPort } from './frr.js';
import { nodeSessions } from './bgp.js';
import type { SimModel, SimNode } from './model.js';
import { arpResponders, heldIps, nodeInterfaces, routerMac } from './netout.js';
import { captureMaxPackets } from '../../catalogue/index.js';
import { dataPathOf } from './datapath.js';
import { cidrContains, cidrHost, ipToInt, sha256Hex } from './util.js';
import type { DataPathSpec } from './types.js';

type Dir = 'In' | 'Out' | 'B';

interface Packet {
  /** Seconds after the capture start. */
  t: number;
  dir: Dir;
  /** Link-layer source address shown by tcpdump -e. */
  srcMac: string;
  ethertype: number;
  payload: Buffer;
  decode: string;
}

const pktType: Record<Dir, number> = { In: 0, B: 1, Out: 4 };

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((x) => parseInt(x, 16)));
}

function ipBytes(ip: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipToInt(ip) >>> 0);
  return b;
}

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i += 2) sum += (buf[i]! << 8) + (i + 1 < buf.length ? buf[i + 1]! : 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

function arpPacket(op: 1 | 2, sha: string, spa: string, tha: string, tpa: string): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(1, 0);
  b.writeUInt16BE(0x0800, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(op, 6);
  macBytes(sha).copy(b, 8);
  ipBytes(spa).copy(b, 14);
  macBytes(tha).copy(b, 18);
  ipBytes(tpa).copy(b, 24);
  return b;
}

function ipv4(proto: 6 | 17, src: string, dst: string, id: number, ttl: number, tos: number, l4: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[1] = tos;
  h.writeUInt16BE(20 + l4.length, 2);
  h.writeUInt16BE(id, 4);
  h.writeUInt16BE(0x4000, 6);
  h[8] = ttl;
  h[9] = proto;
  ipBytes(src).copy(h, 12);
  ipBytes(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, l4]);
}

function l4Checksum(proto: number, src: string, dst: string, seg: Buffer): number {
  const pseudo = Buffer.alloc(12);
  ipBytes(src).copy(pseudo, 0);
  ipBytes(dst).copy(pseudo, 4);
  pseudo[9] = proto;
  pseudo.writeUInt16BE(seg.length, 10);
  return checksum(Buffer.concat([pseudo, seg]));
}

interface TcpSeg {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  tsval: number;
  tsecr: number;
  data: Buffer;
  syn?: boolean;
}

const tcpFlagText = (f: number): string => {
  let s = '';
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x10) s += '.';
  return s;
};

function tcp(seg: TcpSeg): { segment: Buffer; cksum: number } {
  const optsLen = seg.syn ? 20 : 12;
  const h = Buffer.alloc(20 + optsLen);
  h.writeUInt16BE(seg.sport, 0);
  h.writeUInt16BE(seg.dport, 2);
  h.writeUInt32BE(seg.seq >>> 0, 4);
  h.writeUInt32BE(seg.ack >>> 0, 8);
  h[12] = ((20 + optsLen) / 4) << 4;
  h[13] = seg.flags;
  h.writeUInt16BE(seg.syn ? 64240 : 63, 14);
  if (seg.syn) {
    // mss 1460, sackOK, TS, nop, wscale 10
    Buffer.from([2, 4, 0x05, 0xb4, 4, 2, 8, 10]).copy(h, 20);
    h.writeUInt32BE(seg.tsval >>> 0, 28);
    h.writeUInt32BE(seg.tsecr >>> 0, 32);
    Buffer.from([1, 3, 3, 10]).copy(h, 36);
  } else {
    Buffer.from([1, 1, 8, 10]).copy(h, 20);
    h.writeUInt32BE(seg.tsval >>> 0, 24);
    h.writeUInt32BE(seg.tsecr >>> 0, 28);
  }
  const segment = Buffer.concat([h, seg.data]);
  const ck = l4Checksum(6, seg.src, seg.dst, segment);
  segment.writeUInt16BE(ck, 16);
  return { segment, cksum: ck };
}

function bgpMessage(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(19, 0xff);
  h.writeUInt16BE(19 + body.length, 16);
  h[18] = type;
  return Buffer.concat([h, body]);
}

function bgpOpen(asn: number, hold: number, id: string): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 4;
  b.writeUInt16BE(asn > 65535 ? 23456 : asn, 1);
  b.writeUInt16BE(hold, 3);
  ipBytes(id).copy(b, 5);
  b[9] = 0;
  return bgpMessage(1, b);
}

/** A packet's time: `t` seconds into a window of `seconds` that ends at `endMs` (when the capture returns). */
function fmtTime(endMs: number, seconds: number, t: number): string {
  const ms = endMs - seconds * 1000 + t * 1000;
  const d = new Date(Math.floor(ms));
  const micro = Math.round((ms % 1000) * 1000)
    .toString()
    .padStart(6, '0');
  return `${d.toISOString().slice(11, 19)}.${micro}`;
}

export function capturePackets(model: SimModel, node: SimNode, seconds: number): Packet[] {
  const dp = model.dataplane;
  const iface = dp.interface;
  const packets: Packet[] = [];
  const eth = nodeInterfaces(model, node).find((i) => i.ifname === iface);
  if (!eth || eth.operstate !== 'UP') return packets;
  const jitter = (seed: string): number => (parseInt(sha256Hex(seed).slice(0, 6), 16) % 1000) / 1000;
  let ipId = parseInt(sha256Hex(`ipid/${node.name}`).slice(0, 4), 16);
  const nextId = (): number => (ipId = (ipId + 1) & 0xffff);

  // ARP: a client on the segment (the router, else the segment's .1) asks for each L2 LB IP.
  const routerIdx = dp.routers.findIndex((r) => r.address.split('.').slice(0, 3).join('.') === node.ip.split('.').slice(0, 3).join('.'));
  const client = routerIdx >= 0 ? { ip: dp.routers[routerIdx]!.address, mac: routerMac(model, routerIdx) } : { ip: cidrHost(dp.segment, 1), mac: routerMac(model, 0) };
  const l2Ips = Object.keys(dp.announce)
    .filter((ip) => model.nodes.some((n) => heldIps(model, n.name).l2.includes(ip)) || (dp.nodes[node.name]?.ipvsAddresses ?? []).includes(ip))
    .concat(Object.values(dp.nodes).flatMap((o) => o.ipvsAddresses ?? []))
    .filter((v, i, a) => a.indexOf(v) === i)
    .slice(0, 20);
  // A station whose driver drops ARP requests for addresses other than its own sees none of them.
  const requestsDropped = !!model.scenario.nodes[node.index]?.arpRequestsDropped;
  for (const ip of requestsDropped ? [] : l2Ips) {
    const t = Math.min(seconds * 0.9, 0.4 + jitter(`arp/${ip}`) * Math.max(0.1, seconds - 1));
    packets.push({
      t,
      dir: 'B',
      srcMac: client.mac,
      ethertype: 0x0806,
      payload: arpPacket(1, client.mac, client.ip, '00:00:00:00:00:00', ip),
      decode: `Ethernet (len 6), IPv4 (len 4), Request who-has ${ip} tell ${client.ip}, length 28`,
    });
    for (const r of arpResponders(model, ip)) {
      if (r.name !== node.name) continue;
      packets.push({ t: t + 0.000035, dir: 'Out', srcMac: node.mac, ethertype: 0x0806, payload: arpPacket(2, node.mac, ip, client.mac, client.ip), decode: `Ethernet (len 6), IPv4 (len 4), Reply ${ip} is-at ${node.mac}, length 28` });
    }
  }

  // BGP.
  for (const s of nodeSessions(model, node)) {
    const ri = dp.routers.findIndex((r) => r.address === s.address);
    const rmac = ri >= 0 ? routerMac(model, ri) : '00:00:00:00:00:00';
    const lport = bgpLocalPort(s);
    const seqBase = parseInt(sha256Hex(`seq/${node.name}/${s.address}`).slice(0, 8), 16);
    const peerSeq = parseInt(sha256Hex(`seq/${s.address}/${node.name}`).slice(0, 8), 16);
    const ts = parseInt(sha256Hex(`ts/${node.name}`).slice(0, 7), 16);
    // tcpdump's relative sequence numbers (print-tcp.c): a flow's first packet, or any SYN, is printed
    // absolute and sets the bases (seq, ack - 1) for its direction; later packets print relative values.
    const flows = new Map<string, { dirKey: string; seqBase: number; ackBase: number }>();
    const push = (t: number, out: boolean, seg: TcpSeg, decodeTail: string, ttl: number): void => {
      const { segment, cksum } = tcp(seg);
      const ip = ipv4(6, seg.src, seg.dst, out ? nextId() : (ipId * 7) & 0xffff, ttl, 0xc0, segment);
      const dirKey = `${seg.src}.${seg.sport}>${seg.dst}.${seg.dport}`;
      const flowKey = [`${seg.src}.${seg.sport}`, `${seg.dst}.${seg.dport}`].sort().join('|');
      const mod = (v: number): number => ((v % 2 ** 32) + 2 ** 32) % 2 ** 32;
      let seqShown = seg.seq;
      let ackShown = seg.ack;
      const flow = flows.get(flowKey);
      if (!flow || seg.flags & 0x02) flows.set(flowKey, { dirKey, seqBase: seg.seq, ackBase: mod(seg.ack - 1) });
      else if (flow.dirKey === dirKey) {
        seqShown = mod(seg.seq - flow.seqBase);
        ackShown = mod(seg.ack - flow.ackBase);
      } else {
        seqShown = mod(seg.seq - flow.ackBase);
        ackShown = mod(seg.ack - flow.seqBase);
      }
      const seqText = seg.data.length ? `seq ${seqShown}:${seqShown + seg.data.length}, ` : seg.flags & 0x02 ? `seq ${seqShown}, ` : '';
      const ackText = seg.flags & 0x10 ? `ack ${ackShown}, ` : '';
      const opts = seg.syn ? `[mss 1460,sackOK,TS val ${seg.tsval} ecr ${seg.tsecr},nop,wscale 10]` : `[nop,nop,TS val ${seg.tsval} ecr ${seg.tsecr}]`;
      packets.push({
        t,
        dir: out ? 'Out' : 'In',
        srcMac: out ? node.mac : rmac,
        ethertype: 0x0800,
        payload: ip,
        decode:
          `(tos 0xc0, ttl ${ttl}, id ${ip.readUInt16BE(4)}, offset 0, flags [DF], proto TCP (6), length ${ip.length})\n` +
          `    ${seg.src}.${seg.sport} > ${seg.dst}.${seg.dport}: Flags [${tcpFlagText(seg.flags)}], cksum 0x${cksum.toString(16).padStart(4, '0')} (correct), ${seqText}${ackText}win ${seg.syn ? 64240 : 63}, options ${opts}, length ${seg.data.length}${decodeTail}`,
      });
    };
    const base = 1 + jitter(`bgp/${node.name}/${s.address}`) * Math.max(0.1, seconds - 2);
    if (s.state === 'Established') {
      const ka = bgpMessage(4, Buffer.alloc(0));
      push(base, true, { src: node.ip, sport: lport, dst: s.address, dport: s.port, seq: seqBase, ack: peerSeq, flags: 0x18, tsval: ts, tsecr: ts - 17, data: ka }, ': BGP\n\tKeepalive Message (4), length: 19', 1);
      push(base + 0.00021, false, { src: s.address, sport: s.port, dst: node.ip, dport: lport, seq: peerSeq, ack: seqBase + 19, flags: 0x18, tsval: ts + 911, tsecr: ts, data: ka }, ': BGP\n\tKeepalive Message (4), length: 19', 255);
      push(base + 0.041, true, { src: node.ip, sport: lport, dst: s.address, dport: s.port, seq: seqBase + 19, ack: peerSeq + 19, flags: 0x10, tsval: ts + 41, tsecr: ts + 911, data: Buffer.alloc(0) }, '', 1);
    } else if (s.notification && s.router) {
      const mine = bgpOpen(s.myAsn, s.holdTime, s.routerId);
      const theirs = bgpOpen(s.router.asn, 90, s.router.routerId ?? s.router.address);
      const code = parseInt(s.errorCodeSubcode!.slice(0, 2), 16);
      const sub = parseInt(s.errorCodeSubcode!.slice(2), 16);
      const notif = bgpMessage(3, Buffer.from([code, sub]));
      // tcpdump 4.99 print-bgp.c names (bgp_notify_minor_cease_values for Cease).
      const subText = s.errorCodeSubcode === '0202' ? 'OPEN Message Error (2), subcode Bad Peer AS (2)' : s.errorCodeSubcode === '0203' ? 'OPEN Message Error (2), subcode Bad BGP Identifier (3)' : s.errorCodeSubcode === '0605' ? 'Cease (6), subcode Connection Rejected (5)' : 'Hold Timer Expired (4)';
      const openText = (asn: number, hold: number, id: string): string => `: BGP\n\tOpen Message (1), length: 29\n\t  Version 4, my AS ${asn}, Holdtime ${hold}s, ID ${id}\n\t  Optional parameters, length: 0`;
      push(base, true, { src: node.ip, sport: lport, dst: s.address, dport: s.port, seq: seqBase, ack: 0, flags: 0x02, tsval: ts, tsecr: 0, data: Buffer.alloc(0), syn: true }, '', 1);
      push(base + 0.00004, false, { src: s.address, sport: s.port, dst: node.ip, dport: lport, seq: peerSeq, ack: seqBase + 1, flags: 0x12, tsval: ts + 900, tsecr: ts, data: Buffer.alloc(0), syn: true }, '', 255);
      push(base + 0.00009, true, { src: node.ip, sport: lport, dst: s.address, dport: s.port, seq: seqBase + 1, ack: peerSeq + 1, flags: 0x10, tsval: ts, tsecr: ts + 900, data: Buffer.alloc(0) }, '', 1);
      push(base + 0.0011, true, { src: node.ip, sport: lport, dst: s.address, dport: s.port, seq: seqBase + 1, ack: peerSeq + 1, flags: 0x18, tsval: ts + 1, tsecr: ts + 900, data: mine }, openText(s.myAsn, s.holdTime, s.routerId), 1);
      if (s.notification === 'Hold Timer Expired') continue; // the stopped bgpd never answers the OPEN
      push(base + 0.0013, false, { src: s.address, sport: s.port, dst: node.ip, dport: lport, seq: peerSeq + 1, ack: seqBase + 1 + mine.length, flags: 0x18, tsval: ts + 901, tsecr: ts + 1, data: theirs }, openText(s.router.asn, 90, s.router.routerId ?? s.router.address), 255);
      const sentByNode = s.notificationDirection === 'sent';
      push(base + 0.0016, sentByNode, sentByNode
        ? { src: node.ip, sport: lport, dst: s.address, dport: s.port, seq: seqBase + 1 + mine.length, ack: peerSeq + 1 + theirs.length, flags: 0x18, tsval: ts + 2, tsecr: ts + 901, data: notif }
        : { src: s.address, sport: s.port, dst: node.ip, dport: lport, seq: peerSeq + 1 + theirs.length, ack: seqBase + 1 + mine.length, flags: 0x18, tsval: ts + 902, tsecr: ts + 1, data: notif }, `: BGP\n\tNotification Message (3), length: 21, ${subText}`, sentByNode ? 1 : 255);
    } else if ((s.state === 'Connect' || s.state === 'Active') && !s.connectedCheckFailed) {
      // (A peer that fails FRR's connected check is never dialled: no SYN to capture.)
      for (const [k, dt] of [0, 1.02, 3.1].entries()) {
        if (base + dt > seconds) break;
        push(base + dt, true, { src: node.ip, sport: lport, dst: s.address, dport: s.port, seq: seqBase, ack: 0, flags: 0x02, tsval: ts + k * 1000, tsecr: 0, data: Buffer.alloc(0), syn: true }, '', 1);
      }
    }
  }

  // BFD control packets (single hop, UDP 3784) of this node's sessions with a BFD profile.
  for (const s of nodeSessions(model, node)) {
    if (!s.bfdProfile || !s.router) continue;
    const prof = model.bfdProfiles.find((p) => p.metadata.name === s.bfdProfile)?.spec ?? {};
    const up = s.bfdStatus === 'up';
    const ri = dp.routers.findIndex((r) => r.address === s.address);
    const rmac = ri >= 0 ? routerMac(model, ri) : '00:00:00:00:00:00';
    const myDisc = parseInt(sha256Hex(`bfd/${node.name}/${s.address}`).slice(0, 8), 16);
    const yourDisc = up ? parseInt(sha256Hex(`bfd/${s.address}/${node.name}`).slice(0, 8), 16) : 0;
    const sport = 49152 + (parseInt(sha256Hex(`bfdport/${node.name}/${s.address}`).slice(0, 4), 16) % 16383);
    const rport = 49152 + (parseInt(sha256Hex(`bfdport/${s.address}/${node.name}`).slice(0, 4), 16) % 16383);
    // A session that is down sends at the slow rate (1 s) until the peer answers.
    const tx = up ? (prof.transmitInterval ?? 300) : 1000;
    const rx = prof.receiveInterval ?? 300;
    const mult = prof.detectMultiplier ?? 3;
    const count = Math.min(Math.floor((seconds * 1000) / tx), 20);
    const bfdPacket = (out: boolean, t: number): void => {
      const state = up ? 3 : 1;
      const diag = up ? 0 : s.bfdDiagnostic === 'control detection time expired' ? 1 : 0;
      const body = Buffer.alloc(24);
      body[0] = (1 << 5) | diag;
      body[1] = state << 6;
      body[2] = mult;
      body[3] = 24;
      body.writeUInt32BE((out ? myDisc : yourDisc) >>> 0, 4);
      body.writeUInt32BE((out ? yourDisc : myDisc) >>> 0, 8);
      body.writeUInt32BE(tx * 1000, 12);
      body.writeUInt32BE(rx * 1000, 16);
      body.writeUInt32BE(50000, 20);
      const [src, dst, sp] = out ? [node.ip, s.address, sport] : [s.address, node.ip, rport];
      const udpHdr = Buffer.alloc(8);
      udpHdr.writeUInt16BE(sp, 0);
      udpHdr.writeUInt16BE(3784, 2);
      udpHdr.writeUInt16BE(32, 4);
      const seg = Buffer.concat([udpHdr, body]);
      seg.writeUInt16BE(l4Checksum(17, src, dst, seg), 6);
      const ip = ipv4(17, src, dst, nextId(), 255, 0xc0, seg);
      const num = (label: string, v: number): string => `\t  ${label}${`${v}`.padStart(32 - label.length)} ms`;
      packets.push({
        t,
        dir: out ? 'Out' : 'In',
        srcMac: out ? node.mac : rmac,
        ethertype: 0x0800,
        payload: ip,
        decode:
          `(tos 0xc0, ttl 255, id ${ip.readUInt16BE(4)}, offset 0, flags [DF], proto UDP (17), length ${ip.length})\n` +
          `    ${src}.${sp} > ${dst}.3784: BFDv1, length: 24\n` +
          `\tControl, State ${up ? 'Up' : 'Down'}, Flags: [none], Diagnostic: ${diag === 1 ? 'Control Detection Time Expired (0x01)' : 'No Diagnostic (0x00)'}\n` +
          `\tDetection Timer Multiplier: ${mult} (${mult * tx} ms Detection time), BFD Length: 24\n` +
          `\tMy Discriminator: 0x${((out ? myDisc : yourDisc) >>> 0).toString(16).padStart(8, '0')}, Your Discriminator: 0x${((out ? yourDisc : myDisc) >>> 0).toString(16).padStart(8, '0')}\n` +
          `${num('Desired min Tx Interval:', tx)}\n${num('Required min Rx Interval:', rx)}\n${num('Required min Echo Interval:', 50)}`,
      });
    };
    const offset = jitter(`bfd/${node.name}/${s.address}`) * (tx / 1000);
    for (let k = 0; k < count; k++) {
      bfdPacket(true, offset + (k * tx) / 1000);
      if (up) bfdPacket(false, offset + (k * tx) / 1000 + 0.00013);
    }
  }

  // memberlist: one UDP probe + ack per second to a peer speaker.
  const peers = model.nodes.filter((n) => n.name !== node.name && n.speaker !== 'absent' && !(dp.nodes[n.name]?.linksDown ?? []).includes(iface));
  if (node.speaker !== 'absent' && peers.length) {
    for (let k = 0; k < Math.min(Math.floor(seconds), 5); k++) {
      const peer = peers[k % peers.length]!;
      const t = k + 0.2 + jitter(`ml/${node.name}/${k}`) * 0.5;
      for (const [out, src, dst, len] of [
        [true, node.ip, peer.ip, 30],
        [false, peer.ip, node.ip, 24],
      ] as const) {
        const body = Buffer.from(sha256Hex(`ml/${src}/${dst}/${k}`).slice(0, len * 2), 'hex');
        const udpHdr = Buffer.alloc(8);
        udpHdr.writeUInt16BE(7946, 0);
        udpHdr.writeUInt16BE(7946, 2);
        udpHdr.writeUInt16BE(8 + body.length, 4);
        const seg = Buffer.concat([udpHdr, body]);
        seg.writeUInt16BE(l4Checksum(17, src, dst, seg), 6);
        const ip = ipv4(17, src, dst, nextId(), 64, 0, seg);
        packets.push({
          t: t + (out ? 0 : 0.00031),
          dir: out ? 'Out' : 'In',
          srcMac: out ? node.mac : peer.mac,
          ethertype: 0x0800,
          payload: ip,
          decode: `(tos 0x0, ttl 64, id ${ip.readUInt16BE(4)}, offset 0, flags [DF], proto UDP (17), length ${ip.length})\n    ${src}.7946 > ${dst}.7946: UDP, length ${body.length}`,
        });
      }
    }
  }
  packets.push(...clientTraffic(model, node, nextId));
  return packets.filter((p) => p.t <= seconds).sort((a, b) => a.t - b.t).slice(0, captureMaxPackets);
}

/** A client outside the segment (documentation range) that connects to LoadBalancer IPs. */
export const clientIp = '203.0.113.50';

/**
 * `dataPath.clientTraffic`: a client's SYNs to a LoadBalancer IP on the node that holds it, at 0.5 s,
 * 1.5 s and 3.5 s (the kernel's retransmission backoff), each answered by a SYN-ACK, a RST or nothing.
 */
function clientTraffic(model: SimModel, node: SimNode, nextId: () => number): Packet[] {
  const out: Packet[] = [];
  const held = heldIps(model, node.name);
  const iface = model.dataplane.interface;
  const flows = [...(dataPathOf(model).clientTraffic ?? []), ...routedClientFlows(model).filter((f) => f.node === node.name)];
  for (const c of flows) {
    if (!held.l2.includes(c.ip) && !held.bgp.includes(c.ip)) continue;
    const sport = 40000 + (parseInt(sha256Hex(`client/${c.ip}/${c.port}`).slice(0, 4), 16) % 20000);
    const seq = parseInt(sha256Hex(`client-seq/${c.ip}`).slice(0, 8), 16);
    const mySeq = parseInt(sha256Hex(`server-seq/${node.name}/${c.ip}`).slice(0, 8), 16);
    const ts = parseInt(sha256Hex(`client-ts/${c.ip}`).slice(0, 7), 16);
    const push = (t: number, inbound: boolean, seg: TcpSeg): void => {
      const { segment, cksum } = tcp(seg);
      const ip = ipv4(6, seg.src, seg.dst, inbound ? (parseInt(sha256Hex(`client-id/${t}`).slice(0, 4), 16) & 0xffff) : nextId(), inbound ? 61 : 64, 0, segment);
      const seqText = seg.flags & 0x02 || seg.flags & 0x04 ? `seq ${seg.seq}, ` : '';
      const ackText = seg.flags & 0x10 ? `ack ${seg.ack}, ` : '';
      const opts = seg.syn ? `, options [mss 1460,sackOK,TS val ${seg.tsval} ecr ${seg.tsecr},nop,wscale 10]` : '';
      out.push({
        t,
        dir: inbound ? 'In' : 'Out',
        srcMac: inbound ? routerMac(model, 0) : node.mac,
        ethertype: 0x0800,
        payload: ip,
        decode:
          `(tos 0x0, ttl ${inbound ? 61 : 64}, id ${ip.readUInt16BE(4)}, offset 0, flags [DF], proto TCP (6), length ${ip.length})\n` +
          `    ${seg.src}.${seg.sport} > ${seg.dst}.${seg.dport}: Flags [${tcpFlagText(seg.flags)}], cksum 0x${cksum.toString(16).padStart(4, '0')} (correct), ${seqText}${ackText}win ${seg.flags & 0x04 ? 0 : 64240}${opts}, length 0`,
      });
    };
    void iface;
    for (const t of [0.5, 1.5, 3.5]) {
      push(t, true, { src: clientIp, sport, dst: c.ip, dport: c.port, seq, ack: 0, flags: 0x02, tsval: ts + Math.round(t * 1000), tsecr: 0, data: Buffer.alloc(0), syn: true });
      if (c.answer === 'syn-ack') push(t + 0.00012, false, { src: c.ip, sport: c.port, dst: clientIp, dport: sport, seq: mySeq, ack: seq + 1, flags: 0x12, tsval: ts + 5, tsecr: ts + Math.round(t * 1000), data: Buffer.alloc(0), syn: true });
      else if (c.answer === 'rst') push(t + 0.00004, false, { src: c.ip, sport: c.port, dst: clientIp, dport: sport, seq: 0, ack: seq + 1, flags: 0x14, tsval: 0, tsecr: 0, data: Buffer.alloc(0) });
      if (c.answer === 'syn-ack') break;
    }
  }
  return out;
}

type ClientFlow = NonNullable<DataPathSpec['clientTraffic']>[number] & { node: string };
const routedFlowsMemo = new WeakMap<SimModel, ClientFlow[]>();

/**
 * The client traffic the upstream routers deliver without the scenario declaring it: one client
 * connection per BGP-announced LoadBalancer IP (its first TCP port), forwarded by a router that took
 * the route (Established session, the prefix advertised to it and not in its `rejectPrefixes`) to one
 * announcing node (the first by name, as one flow of an ECMP hash lands on one next hop), and answered
 * there. A router that rejects the prefix has no route: no client packet reaches any node. Only
 * connections the node answers are modelled here (its endpoints reachable, the IP forwarded, ready
 * endpoints); a scenario that wants unanswered ones declares them in `dataPath.clientTraffic`, which
 * also replaces this flow for its IPs.
 */
function routedClientFlows(model: SimModel): ClientFlow[] {
  const known = routedFlowsMemo.get(model);
  if (known) return known;
  const dp = dataPathOf(model);
  const declared = new Set((dp.clientTraffic ?? []).map((c) => c.ip));
  const broken = new Set([...(dp.endpointsUnreachableFrom ?? []), ...(dp.lbIpsNotForwardedOn ?? [])]);
  const sessions = new Map(model.nodes.map((n) => [n.name, nodeSessions(model, n)]));
  const out: ClientFlow[] = [];
  for (const svc of model.services) {
    const port = svc.ports.find((p) => (p.protocol || 'TCP').toUpperCase() === 'TCP')?.port;
    if (!svc.ip || svc.ip.includes(':') || !port || declared.has(svc.ip) || !svc.bgpAnnouncers.length || !svc.endpoints.some((n) => !svc.unreadyEndpoints.includes(n))) continue;
    const ip = svc.ip;
    const routed = (name: string): boolean =>
      (sessions.get(name) ?? []).some((s) => {
        if (s.state !== 'Established' || !s.router) return false;
        const prefixes = s.prefixes.filter((p) => cidrContains(p, ip));
        return prefixes.some((p) => !(s.router!.rejectPrefixes ?? []).includes(p));
      });
    const node = [...svc.bgpAnnouncers].sort().find((n) => heldIps(model, n).bgp.includes(ip) && !broken.has(n) && routed(n));
    if (node) out.push({ ip, port, answer: 'syn-ack', node });
  }
  routedFlowsMemo.set(model, out);
  return out;
}

/** Classic pcap (LINUX_SLL2, snaplen 256) of the packets. */
export function pcapFile(endMs: number, seconds: number, iface: string, packets: Packet[]): Buffer {
  const parts: Buffer[] = [];
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(256, 16);
  g.writeUInt32LE(276, 20);
  parts.push(g);
  for (const p of packets) {
    const sll = Buffer.alloc(20);
    sll.writeUInt16BE(p.ethertype, 0);
    sll.writeUInt32BE(2, 4);
    sll.writeUInt16BE(1, 8);
    sll[10] = pktType[p.dir];
    sll[11] = 6;
    macBytes(p.srcMac).copy(sll, 12);
    const frame = Buffer.concat([sll, p.payload]);
    const incl = frame.subarray(0, 256);
    const ms = endMs - seconds * 1000 + p.t * 1000;
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(ms / 1000), 0);
    rec.writeUInt32LE(Math.round((ms % 1000) * 1000) % 1000000, 4);
    rec.writeUInt32LE(incl.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, incl);
  }
  void iface;
  return Buffer.concat(parts);
}

/** Full stdout of the catalogue's capture script. */
export function captureOutput(model: SimModel, node: SimNode, seconds: number): string {
  const iface = model.dataplane.interface;
  const packets = capturePackets(model, node, seconds);
  const endMs = model.clock.nowMs();
  const ethertypeName = (e: number): string => (e === 0x0806 ? 'ARP (0x0806)' : 'IPv4 (0x0800)');
  let text = '';
  for (const p of packets) {
    text += `${fmtTime(endMs, seconds, p.t)} ${iface.padEnd(5)} ${p.dir.padEnd(3)} ifindex 2 ${p.srcMac} ethertype ${ethertypeName(p.ethertype)}, length ${20 + p.payload.length}: ${p.decode}\n`;
  }
  const b64 = pcapFile(endMs, seconds, iface, packets).toString('base64');
  const wrapped = b64.match(/.{1,76}/g)?.join('\n') ?? '';
  return `${text}--- mlb-report pcap base64 ---\n${wrapped}${wrapped ? '\n' : ''}`;
}
