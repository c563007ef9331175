/**
 * A node's network view synthesised from the scenario: links, addresses (L2-announced IPs as /32 on
 * the segment interface, BGP-announced IPs on `lo`, IPVS addresses on `kube-ipvs0`, exactly as the lab
 * realises them), routes, neighbours, sockets and sysctls, printed in the formats of iproute2 6.1,
 * ss and grep (see shared/samples/iproute2 for the real outputs these copy).
 */
 
import { bgpLocalPort } from './frr.js';
import { dataPathOf } from './datapath.js';
import { nodeSessions } from './bgp.js';
import { labMac } from './dataplane.js';
import type { SimModel, SimNode } from './model.js';
import type { NodeInterfaceSpec } from './types.js';
import { formatIpv6 } from '../../util/ip-text.js';
import { atLeast, cidrContains, intToIp, ipToInt, parseCidr, sha256Hex } from './util.js';

export interface Iface {
  ifindex: number;
  ifname: string;
  /** `eth0@if4` style suffix in text output. */
  linkIndex?: number;
  flags: string[];
  mtu: number;
  qdisc: string;
  operstate: string;
  linkType: 'loopback' | 'ether' | 'infiniband';
  address: string;
  broadcast: string;
  kind?: string;
  /** `ip -d` linkinfo.info_data. */
  infoData?: Record<string, unknown>;
  /** `DORMANT` for a wireless station interface, else DEFAULT. */
  linkmode?: string;
  /** Lower device of a VLAN (`eth0.100@eth0`, JSON `link`). */
  link?: string;
  /** Bond an enslaved interface belongs to, and its own (permanent) MAC. */
  master?: string;
  permAddress?: string;
  txqlen?: number;
  addrs: { family: 'inet' | 'inet6'; local: string; prefixlen: number; scope: string; label?: string }[];
}

export function routerMac(model: SimModel, index: number): string {
  return labMac(model.nodes.length + 1 + index);
}

/** EUI-64 link-local address of a MAC (02:00:00:00:00:02 → fe80::ff:fe00:2). */
function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  b[0] = b[0]! ^ 2;
  // Printed as iproute2 prints it (RFC 5952).
  return formatIpv6([0xfe80, 0, 0, 0, (b[0] << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!]);
}

/**
 * Held IPs per node, computed once per model: the data plane is fixed once a scenario is built, and
 * captures, ARP answers and interface listings ask for every node's IPs per command — quadratic in
 * a 200-node world without the cache.
 */
const heldIpsCache = new WeakMap<SimModel, Map<string, { l2: string[]; bgp: string[] }>>();

export function heldIps(model: SimModel, node: string): { l2: string[]; bgp: string[] } {
  let perNode = heldIpsCache.get(model);
  if (!perNode) heldIpsCache.set(model, (perNode = new Map()));
  let held = perNode.get(node);
  if (!held) perNode.set(node, (held = computeHeldIps(model, node)));
  return { l2: [...held.l2], bgp: [...held.bgp] };
}

function computeHeldIps(model: SimModel, node: string): { l2: string[]; bgp: string[] } {
  const l2: string[] = [];
  const bgp: string[] = [];
  // The first service per IP, as with shared IPs the first one decides (as Array.find did).
  const serviceByIp = new Map<string | undefined, (typeof model.services)[number]>();
  for (const s of model.services) if (!serviceByIp.has(s.ip)) serviceByIp.set(s.ip, s);
  for (const [ip, holders] of Object.entries(model.dataplane.announce)) {
    if (!holders.includes(node)) continue;
    const svc = serviceByIp.get(ip);
    // As the lab realises it: IPs of pools with a BGPAdvertisement go on lo, the rest on the segment interface.
    if (svc && svc.protocols.includes('bgp')) bgp.push(ip);
    else l2.push(ip);
  }
  return { l2: l2.sort((a, b) => ipToInt(a) - ipToInt(b)), bgp: bgp.sort((a, b) => ipToInt(a) - ipToInt(b)) };
}

export function nodeInterfaces(model: SimModel, node: SimNode): Iface[] {
  const dp = model.dataplane;
  const over = dp.nodes[node.name] ?? {};
  const down = new Set(over.linksDown ?? []);
  const { l2, bgp } = heldIps(model, node.name);
  const prefix = parseCidr(dp.segment).prefix;
  const ifaces: Iface[] = [
    {
      ifindex: 1,
      ifname: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      mtu: 65536,
      qdisc: 'noqueue',
      operstate: 'UNKNOWN',
      linkType: 'loopback',
      address: '00:00:00:00:00:00',
      broadcast: '00:00:00:00:00:00',
      addrs: [
        { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' },
        ...bgp.map((ip) => ({ family: 'inet' as const, local: ip, prefixlen: 32, scope: 'global', label: 'lo' })),
        { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host' },
      ],
    },
  ];
  const segDown = down.has(dp.interface);
  // An `interfaces` entry named like the segment interface says what it is: a wireless station is a
  // physical device in mode DORMANT (no veth peer), PROMISC only when asked.
  const segSpec = model.scenario.nodes[node.index]?.interfaces?.find((x) => x.name === dp.interface);
  const segWireless = segSpec?.kind === 'wireless';
  ifaces.push({
    ifindex: 2,
    ifname: dp.interface,
    ...(segWireless ? { linkmode: 'DORMANT' } : { linkIndex: 3 + node.index, kind: 'veth' }),
    flags: ['BROADCAST', 'MULTICAST', ...(segSpec?.promisc ? ['PROMISC'] : []), ...(segDown ? [] : ['UP', 'LOWER_UP'])],
    mtu: 1500,
    qdisc: 'noqueue',
    operstate: segDown ? 'DOWN' : 'UP',
    linkType: 'ether',
    address: node.mac,
    broadcast: 'ff:ff:ff:ff:ff:ff',
    addrs: [
      { family: 'inet', local: node.ip, prefixlen: prefix, scope: 'global', label: dp.interface },
      ...l2.map((ip) => ({ family: 'inet' as const, local: ip, prefixlen: 32, scope: 'global', label: dp.interface })),
      // The kernel drops IPv6 addresses of an interface that is set down.
      ...(segDown ? [] : [{ family: 'inet6' as const, local: linkLocal(node.mac), prefixlen: 64, scope: 'link' }]),
    ],
  });
  const ipvs = over.ipvsAddresses ?? [];
  if (model.kubeProxy.mode === 'ipvs' || ipvs.length) {
    ifaces.push({
      ifindex: 3,
      ifname: 'kube-ipvs0',
      flags: ['BROADCAST', 'NOARP'],
      mtu: 1500,
      qdisc: 'noop',
      operstate: 'DOWN',
      linkType: 'ether',
      address: `a2:${sha256Hex(`ipvs/${node.name}`).slice(0, 10).match(/../g)!.join(':')}`,
      broadcast: 'ff:ff:ff:ff:ff:ff',
      kind: 'dummy',
      addrs: ipvs.map((ip) => ({ family: 'inet' as const, local: ip, prefixlen: 32, scope: 'global', label: 'kube-ipvs0' })),
    });
  }
  const extra = model.scenario.nodes[node.index]?.interfaces ?? [];
  for (const x of extra) if (x.name !== dp.interface) ifaces.push(extraInterface(node, x, ifaces.length + 1, down));
  // Bonds (active-backup, fail_over_mac none): the slaves carry the bond's MAC (its first member's
  // own), the SLAVE flag and `master`, and no address of their own; the bond is MASTER.
  for (const b of extra.filter((x) => x.kind === 'bond')) {
    const bond = ifaces.find((i) => i.ifname === b.name)!;
    const members = ifaces.filter((i) => (b.members ?? []).includes(i.ifname));
    if (!members.length) continue;
    const mac = b.mac?.toLowerCase() ?? members[0]!.address;
    bond.address = mac;
    bond.flags = ['BROADCAST', 'MULTICAST', 'MASTER', ...bond.flags.filter((f) => f === 'UP' || f === 'LOWER_UP')];
    bond.addrs = bond.addrs.map((a) => (a.family === 'inet6' ? { ...a, local: linkLocal(mac) } : a));
    for (const m of members) {
      m.master = b.name;
      m.permAddress = m.address;
      m.address = mac;
      m.flags = ['BROADCAST', 'MULTICAST', 'SLAVE', ...m.flags.filter((f) => f === 'UP' || f === 'LOWER_UP')];
      m.addrs = [];
    }
  }
  return ifaces;
}

/**
 * A scenario's extra interface as iproute2 6.1 shows it: a second NIC (physical: qdisc mq, no
 * linkinfo), IPoIB (link_type infiniband, 20-byte hardware address, datagram-mode MTU 2044, txqlen
 * 256, linkinfo ipoib with iplink_ipoib.c's keys), a wireless station (mode DORMANT, no linkinfo) or
 * a VLAN (`name@parent`, JSON `link`, linkinfo vlan with protocol and id).
 */
function extraInterface(node: SimNode, x: NodeInterfaceSpec, ifindex: number, down: Set<string>): Iface {
  const kind = x.kind ?? 'ether';
  const up = (x.up ?? true) && !down.has(x.name);
  const flags = ['BROADCAST', 'MULTICAST', ...(x.promisc ? ['PROMISC'] : []), ...(up ? ['UP', 'LOWER_UP'] : [])];
  const h = sha256Hex(`if/${node.name}/${x.name}`);
  const ib = kind === 'ipoib';
  // IPoIB: 4 bytes QPN/flags + the 16-byte port GID (fe80::/64 prefix + port GUID).
  const defaultMac = ib ? `00:00:10:49:fe:80:00:00:00:00:00:00:${h.slice(0, 16).match(/../g)!.join(':')}` : `02:${h.slice(0, 10).match(/../g)!.join(':')}`;
  const mac = (x.mac ?? (kind === 'vlan' ? node.mac : defaultMac)).toLowerCase();
  const cidr = x.address?.split('/');
  return {
    ifindex,
    ifname: x.name,
    flags,
    mtu: ib ? 2044 : 1500,
    qdisc: ib || kind === 'ether' ? 'mq' : 'noqueue',
    operstate: up ? 'UP' : 'DOWN',
    linkType: ib ? 'infiniband' : 'ether',
    address: mac,
    broadcast: ib ? '00:ff:ff:ff:ff:12:40:1b:ff:ff:00:00:00:00:00:00:ff:ff:ff:ff' : 'ff:ff:ff:ff:ff:ff',
    ...(ib ? { kind: 'ipoib', infoData: { key: '0xffff', mode: 'datagram', umcast: '0' }, txqlen: 256 } : {}),
    ...(kind === 'vlan' ? { kind: 'vlan', link: x.parent, infoData: { protocol: '802.1Q', id: x.vlanId, flags: ['REORDER_HDR'] } } : {}),
    ...(kind === 'wireless' ? { linkmode: 'DORMANT' } : {}),
    ...(kind === 'bond' ? { kind: 'bond', infoData: { mode: 'active-backup', miimon: 100, updelay: 0, downdelay: 0, fail_over_mac: 'none', primary_reselect: 'always' } } : {}),
    addrs: [
      ...(cidr ? [{ family: 'inet' as const, local: cidr[0]!, prefixlen: Number(cidr[1]), scope: 'global', label: x.name }] : []),
      ...(up && !ib ? [{ family: 'inet6' as const, local: linkLocal(mac), prefixlen: 64, scope: 'link' }] : []),
    ],
  };
}

const forever = { valid_life_time: 4294967295, preferred_life_time: 4294967295 };

function linkJson(i: Iface, details: boolean): any {
  const o: any = { ifindex: i.ifindex };
  if (i.linkIndex !== undefined) o.link_index = i.linkIndex;
  if (i.link !== undefined) o.link = i.link;
  Object.assign(o, { ifname: i.ifname, flags: i.flags, mtu: i.mtu, qdisc: i.qdisc, ...(i.master ? { master: i.master } : {}), operstate: i.operstate, linkmode: i.linkmode ?? 'DEFAULT', group: 'default', txqlen: i.txqlen ?? 1000, link_type: i.linkType, address: i.address, broadcast: i.broadcast });
  if (i.linkIndex !== undefined) o.link_netnsid = 0;
  if (details) {
    Object.assign(o, { promiscuity: i.flags.includes('PROMISC') ? 1 : 0, allmulti: 0, min_mtu: i.linkType === 'loopback' ? 0 : 68, max_mtu: i.linkType === 'loopback' ? 0 : 65535 });
    if (i.kind) o.linkinfo = { info_kind: i.kind, ...(i.infoData ? { info_data: i.infoData } : {}) };
    else if (i.master) o.linkinfo = { info_slave_kind: 'bond', info_slave_data: { state: 'ACTIVE', mii_status: 'UP', link_failure_count: 0, perm_hwaddr: i.permAddress ?? i.address, queue_id: 0 } };
    Object.assign(o, { inet6_addr_gen_mode: 'eui64', num_tx_queues: 1, num_rx_queues: 1, gso_max_size: 65536, gso_max_segs: 65535, tso_max_size: 524280, tso_max_segs: 65535, gro_max_size: 65536 });
  }
  return o;
}

/** `ip -j [-d] link show`. */
export function ipLinkJson(model: SimModel, node: SimNode, details: boolean, ifaces = nodeInterfaces(model, node)): string {
  return JSON.stringify(ifaces.map((i) => linkJson(i, details))) + '\n';
}

/** `ip -j [-d] addr show`. */
export function ipAddrJson(model: SimModel, node: SimNode, details: boolean, ifaces = nodeInterfaces(model, node)): string {
  return (
    JSON.stringify(
      ifaces.map((i) => {
        const o = linkJson(i, details);
        delete o.linkmode;
        o.addr_info = i.addrs.map((a) => ({ family: a.family, local: a.local, prefixlen: a.prefixlen, scope: a.scope, ...(a.label ? { label: a.label } : {}), ...forever }));
        return o;
      }),
    ) + '\n'
  );
}

/** `ip addr` (text). */
export function ipAddrText(model: SimModel, node: SimNode, ifaces = nodeInterfaces(model, node)): string {
  let out = '';
  for (const i of ifaces) {
    const name = i.linkIndex !== undefined ? `${i.ifname}@if${i.linkIndex}` : i.link ? `${i.ifname}@${i.link}` : i.ifname;
    out += `${i.ifindex}: ${name}: <${i.flags.join(',')}> mtu ${i.mtu} qdisc ${i.qdisc}${i.master ? ` master ${i.master}` : ''} state ${i.operstate}${i.linkmode && i.linkmode !== 'DEFAULT' ? ` mode ${i.linkmode}` : ''} group default qlen ${i.txqlen ?? 1000}\n`;
    out += `    link/${i.linkType} ${i.address} brd ${i.broadcast}${i.linkIndex !== undefined ? ' link-netnsid 0' : ''}\n`;
    for (const a of i.addrs) {
      out += `    ${a.family} ${a.local}/${a.prefixlen} scope ${a.scope} ${a.label ?? ''}\n`;
      out += '       valid_lft forever preferred_lft forever\n';
    }
  }
  return out;
}

/** `ip -j -d route show table all`. */
export function ipRouteJson(model: SimModel, node: SimNode): string {
  const dp = model.dataplane;
  const ifaces = nodeInterfaces(model, node);
  const eth = ifaces.find((i) => i.ifname === dp.interface)!;
  const up = eth.operstate === 'UP';
  const routes: any[] = [];
  if (up) {
    const router = dp.routers.find((r) => cidrContains(dp.segment, r.address));
    if (router && !dataPathOf(model).defaultRoutes?.[node.name]) routes.push({ type: 'unicast', dst: 'default', gateway: router.address, dev: dp.interface, table: 'main', protocol: 'static', scope: 'global', flags: [] });
    routes.push({ type: 'unicast', dst: dp.segment, dev: dp.interface, table: 'main', protocol: 'kernel', scope: 'link', prefsrc: node.ip, flags: [] });
  }
  const viaOther = dataPathOf(model).defaultRoutes?.[node.name];
  if (viaOther && ifaces.some((i) => i.ifname === viaOther.dev && i.operstate === 'UP')) routes.unshift({ type: 'unicast', dst: 'default', gateway: viaOther.gateway, dev: viaOther.dev, table: 'main', protocol: 'static', scope: 'global', flags: [] });
  const { base, prefix } = parseCidr(dp.segment);
  for (const i of ifaces) {
    for (const a of i.addrs) {
      if (a.family !== 'inet') continue;
      routes.push({ type: 'local', dst: a.local, dev: i.ifname, table: 'local', protocol: 'kernel', scope: 'host', prefsrc: a.local, flags: [] });
    }
  }
  routes.push({ type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '127.0.0.1', flags: [] });
  routes.push({ type: 'broadcast', dst: '127.255.255.255', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'link', prefsrc: '127.0.0.1', flags: [] });
  if (up) routes.push({ type: 'broadcast', dst: intToIp(base + 2 ** (32 - prefix) - 1), dev: dp.interface, table: 'local', protocol: 'kernel', scope: 'link', prefsrc: node.ip, flags: [] });
  if (up) {
    routes.push({ type: 'unicast', dst: 'fe80::/64', dev: dp.interface, table: 'main', protocol: 'kernel', scope: 'global', metric: 256, flags: [], pref: 'medium' });
  }
  return JSON.stringify(routes) + '\n';
}

export interface NeighborEntry {
  dst: string;
  dev: string;
  lladdr?: string;
  state: string[];
}

export function neighbors(model: SimModel, node: SimNode): NeighborEntry[] {
  const dp = model.dataplane;
  if ((dp.nodes[node.name]?.linksDown ?? []).includes(dp.interface)) return [];
  const out: NeighborEntry[] = [];
  dp.routers.forEach((r, i) => {
    if (cidrContains(dp.segment, r.address)) out.push({ dst: r.address, dev: dp.interface, lladdr: routerMac(model, i), state: ['REACHABLE'] });
  });
  // memberlist talks to every other speaker; keep the table realistic but bounded.
  if (node.speaker !== 'absent') {
    for (const other of model.nodes) {
      if (other.name === node.name || other.speaker === 'absent' || (dp.nodes[other.name]?.linksDown ?? []).includes(dp.interface)) continue;
      out.push({ dst: other.ip, dev: dp.interface, lladdr: other.mac, state: ['STALE'] });
      if (out.length >= 64) break;
    }
  }
  return out;
}

export function ipNeighJson(model: SimModel, node: SimNode): string {
  return JSON.stringify(neighbors(model, node)) + '\n';
}

export function ipNeighText(model: SimModel, node: SimNode): string {
  return neighbors(model, node)
    .map((n) => `${n.dst} dev ${n.dev}${n.lladdr ? ` lladdr ${n.lladdr}` : ''} ${n.state.join(' ')}\n`)
    .join('');
}

export function arpAn(model: SimModel, node: SimNode): string {
  return neighbors(model, node)
    .map((n) => `? (${n.dst}) at ${n.lladdr ?? '<incomplete>'} [ether] on ${n.dev}\n`)
    .join('');
}

// ---------------------------------------------------------------- sockets

interface Sock {
  netid: 'tcp' | 'udp';
  state: string;
  recvq: number;
  sendq: number;
  local: [string, string];
  peer: [string, string];
  process: string;
}

const pid = (node: string, proc: string): number => 1000 + (parseInt(sha256Hex(`${node}/${proc}`).slice(0, 4), 16) % 60000);
const users = (node: string, proc: string, fd: number): string => `users:(("${proc}",pid=${pid(node, proc)},fd=${fd}))`;

export function nodeSockets(model: SimModel, node: SimNode): Sock[] {
  const socks: Sock[] = [];
  const listen = (addr: string, port: number, proc: string, fd: number, backlog = 4096): void => {
    socks.push({ netid: 'tcp', state: 'LISTEN', recvq: 0, sendq: backlog, local: [addr, String(port)], peer: [addr.includes(':') || addr === '*' ? (addr === '*' ? '*' : '[::]') : '0.0.0.0', '*'], process: users(node.name, proc, fd) });
  };
  const udp = (addr: string, port: number, proc: string, fd: number): void => {
    socks.push({ netid: 'udp', state: 'UNCONN', recvq: 0, sendq: 0, local: [addr, String(port)], peer: [addr === '*' ? '*' : '0.0.0.0', '*'], process: users(node.name, proc, fd) });
  };
  listen('0.0.0.0', 22, 'sshd', 3, 128);
  listen('127.0.0.1', 10248, 'kubelet', 12);
  listen('127.0.0.1', 10249, 'kube-proxy', 9);
  listen('*', 10250, 'kubelet', 20);
  listen('*', 10256, 'kube-proxy', 10);
  const speakerHere = model.install.pods.some((p) => p.component === 'speaker' && p.node === node.name);
  const v16 = atLeast(model.install.tag, 'v0.16.0');
  if (speakerHere) {
    listen(node.ip, 7946, 'speaker', 7);
    udp(node.ip, 7946, 'speaker', 8);
    listen('*', v16 ? 9120 : 7472, 'speaker', 9);
    if (v16) listen('127.0.0.1', 17472, 'speaker', 10);
  }
  const frrHere = (model.mode === 'frr' && speakerHere) || (model.mode === 'frr-k8s' && model.install.pods.some((p) => p.component === 'frr-k8s' && p.node === node.name));
  if (frrHere) {
    listen('127.0.0.1', 2601, 'zebra', 22, 3);
    listen('127.0.0.1', 2605, 'bgpd', 16, 3);
    listen('127.0.0.1', 2617, 'bfdd', 14, 3);
    udp('*', 3784, 'bfdd', 15);
    udp('*', 4784, 'bfdd', 16);
    const fm = model.install.ports.frrMetrics;
    if (fm) listen('*', fm, 'frr-metrics', 3);
    if (model.mode === 'frr-k8s') {
      listen('*', 9140, 'frr-k8s', 7);
      listen('127.0.0.1', 7572, 'frr-k8s', 8);
    }
  }
  if (model.install.pods.some((p) => p.component === 'frr-k8s-statuscleaner' && p.node === node.name)) listen('*', 19443, 'statuscleaner', 7);
  for (const l of model.dataplane.nodes[node.name]?.extraListeners ?? []) {
    if ((l.proto ?? 'tcp') === 'tcp') listen(l.address ?? '0.0.0.0', l.port, l.process, 7, 8);
    else udp(l.address ?? '0.0.0.0', l.port, l.process, 7);
  }
  // Outgoing BGP connections (MetalLB is always the active side).
  for (const s of nodeSessions(model, node)) {
    const proc = model.mode === 'native' ? 'speaker' : 'bgpd';
    if (s.state === 'Established') {
      socks.push({ netid: 'tcp', state: 'ESTAB', recvq: 0, sendq: 0, local: [node.ip, String(bgpLocalPort(s))], peer: [s.address, String(s.port)], process: users(node.name, proc, 25) });
    } else if (s.state === 'Connect' || s.state === 'Active') {
      if (!(s.reason.includes('Network is unreachable'))) socks.push({ netid: 'tcp', state: 'SYN-SENT', recvq: 0, sendq: 1, local: [node.ip, String(bgpLocalPort(s))], peer: [s.address, String(s.port)], process: users(node.name, proc, 25) });
    }
  }
  return socks;
}

/** ss dumps UDP before TCP, and inet_diag returns listeners before connected sockets. */
function ssOrder(socks: Sock[]): Sock[] {
  const rank = (s: Sock): number => (s.netid === 'udp' ? 0 : s.state === 'LISTEN' ? 1 : 2);
  return socks.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i).map((x) => x.s);
}

function formatSockets(socksIn: Sock[], withNetid: boolean): string {
  const socks = ssOrder(socksIn);
  const aw = Math.max(0, ...socks.map((s) => s.local[0].length));
  const pw = Math.max(0, ...socks.map((s) => s.local[1].length));
  const paw = Math.max(0, ...socks.map((s) => s.peer[0].length));
  const ppw = Math.max(0, ...socks.map((s) => s.peer[1].length));
  return socks
    .map((s) => {
      const head = `${withNetid ? `${s.netid} ` : ''}${s.state.padEnd(6)} ${String(s.recvq).padEnd(6)} ${String(s.sendq).padEnd(6)}`;
      return `${head} ${s.local[0].padStart(aw)}:${s.local[1].padEnd(pw)} ${s.peer[0].padStart(paw)}:${s.peer[1].padEnd(ppw)} ${s.process}\n`;
    })
    .join('');
}

/** `ss -tuanpH`: TCP and UDP, all states, numeric, with processes, no header. */
export function ssAll(model: SimModel, node: SimNode, socks = nodeSockets(model, node)): string {
  return formatSockets(socks, true);
}

/** `ss -tlnp[H]`: TCP listeners. */
export function ssListen(model: SimModel, node: SimNode, header: boolean, all = nodeSockets(model, node)): string {
  const socks = all.filter((s) => s.netid === 'tcp' && s.state === 'LISTEN');
  const body = formatSockets(socks, false);
  return header ? `State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n${body}` : body;
}

// ---------------------------------------------------------------- sysctls

export function sysctlValues(model: SimModel, node: SimNode): Map<string, string> {
  const ifaces = ['all', 'default', ...nodeInterfaces(model, node).map((i) => i.ifname)].filter((v, i, a) => a.indexOf(v) === i);
  const m = new Map<string, string>();
  const strict = model.kubeProxy.mode === 'ipvs' && model.kubeProxy.strictARP;
  for (const i of ifaces) m.set(`net.ipv4.conf.${i}.arp_ignore`, strict && i === 'all' ? '1' : '0');
  for (const i of ifaces) m.set(`net.ipv4.conf.${i}.arp_announce`, strict && i === 'all' ? '2' : '0');
  for (const i of ifaces) m.set(`net.ipv4.conf.${i}.rp_filter`, i === 'all' || i === 'default' ? '2' : '0');
  m.set('net.ipv4.ip_forward', '1');
  for (const [k, v] of Object.entries(model.dataplane.nodes[node.name]?.sysctls ?? {})) m.set(k, v);
  return m;
}

/** `/proc/sys/...` path of a dotted sysctl key. */
export function sysctlPath(key: string): string {
  return `/proc/sys/${key.replace(/\./g, '/')}`;
}

/** Output of the catalogue's `grep -H . <globs>` (glob expansion sorted per pattern, as sh does). */
export function sysctlGrep(model: SimModel, node: SimNode, patterns: string[]): string {
  const values = sysctlValues(model, node);
  const paths = [...values.keys()].map((k) => [sysctlPath(k), values.get(k)!] as const);
  let out = '';
  for (const pat of patterns) {
    const re = new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    const hits = paths.filter(([p]) => re.test(p)).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [p, v] of hits) out += `${p}:${v}\n`;
  }
  return out;
}

/** Who answers ARP for `ip` on the segment: the holders on an up interface, and every node with
 *  the IP on kube-ipvs0 while arp_ignore is 0 (kube-proxy IPVS without strictARP). */
export function arpResponders(model: SimModel, ip: string): { name: string; mac: string }[] {
  const out: { name: string; mac: string }[] = [];
  const dp = model.dataplane;
  for (const n of model.nodes) {
    if ((dp.nodes[n.name]?.linksDown ?? []).includes(dp.interface)) continue;
    const holds = (dp.announce[ip] ?? []).includes(n.name) && heldIps(model, n.name).l2.includes(ip);
    const ipvs = (dp.nodes[n.name]?.ipvsAddresses ?? []).includes(ip) && sysctlValues(model, n).get('net.ipv4.conf.all.arp_ignore') === '0';
    if (holds || ipvs) out.push({ name: n.name, mac: n.mac });
  }
  return out;
}

/**
 * Responders whose replies reach the rest of the segment: not those whose replies are dropped on the
 * way (arpRepliesDropped) nor those that never get the request (arpRequestsDropped).
 */
export function arpRepliesReceived(model: SimModel, ip: string): { name: string; mac: string }[] {
  return arpResponders(model, ip).filter((r) => {
    const spec = model.scenario.nodes[model.nodeByName.get(r.name)!.index];
    return !spec?.arpRepliesDropped && !spec?.arpRequestsDropped;
  });
}

/** `arping -c N -w W -I iface ip` from a node (iputils 20221126 output). */
export function arping(model: SimModel, node: SimNode, ip: string, iface: string, count: number): { stdout: string; exitCode: number } {
  const dp = model.dataplane;
  const ifaces = nodeInterfaces(model, node);
  const i = ifaces.find((x) => x.ifname === iface);
  if (!i) return { stdout: '', exitCode: 2 };
  if (i.operstate !== 'UP') return { stdout: `arping: Interface "${iface}" is down\n`, exitCode: 2 };
  const responders = arpRepliesReceived(model, ip).filter((r) => r.name !== node.name);
  let out = `ARPING ${ip} from ${node.ip} ${iface}\n`;
  const rtt = (k: number): string => `${(0.5 + (parseInt(sha256Hex(`${node.name}/${ip}/${k}`).slice(0, 2), 16) % 150) / 1000).toFixed(3)}ms`;
  if (responders.length === 0) {
    // iputils 20221126 `arping -c 2 -w 2` with nobody answering (checked against the real arping
    // between two network namespaces): one broadcast probe per second until the deadline, exit 1.
    out += `Sent ${count} probes (${count} broadcast(s))\nReceived 0 response(s)\n`;
    return { stdout: out, exitCode: 1 };
  }
  // With -w, arping waits for `count` replies: several responders answer the first probe.
  let replies = 0;
  let probes = 0;
  while (replies < count) {
    probes++;
    for (const r of probes === 1 ? responders : responders.slice(0, 1)) {
      if (replies >= count && probes > 1) break;
      // iputils prints the sender's hardware address in upper case (%02X).
      out += `Unicast reply from ${ip} [${r.mac.toUpperCase()}]  ${rtt(replies)}\n`;
      replies++;
    }
  }
  out += `Sent ${probes} probes (1 broadcast(s))\nReceived ${replies} response(s)\n`;
  void dp;
  return { stdout: out, exitCode: 0 };
}

// ---------------------------------------------------------------- pod network namespace

/**
 * The network view from inside a pod that is not hostNetwork (the controller, frr-k8s webhook
 * server): its own veth with the pod IP, a default route via the node's pod-CIDR gateway, and only
 * the pod's own sockets — e.g. the controller's webhook on 9443 lives here, not on the node.
 */
export interface PodView {
  ifaces: Iface[];
  routes: Record<string, unknown>[];
  neighbors: NeighborEntry[];
  sockets: Sock[];
}

export function podView(model: SimModel, node: SimNode, pod: { metadata: { name: string }; status: { podIP: string }; spec: { containers: { name: string; ports?: { containerPort: number; protocol?: string }[] }[] } }): PodView {
  const ip = pod.status.podIP;
  const cidrBase = node.podCIDR.split('/')[0]!;
  const gw = cidrBase.replace(/\.0$/, '.1');
  const mac = `0a:58:${ip.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join(':')}`;
  const ifaces: Iface[] = [
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, qdisc: 'noqueue', operstate: 'UNKNOWN', linkType: 'loopback', address: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00', addrs: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' }] },
    { ifindex: 2, ifname: 'eth0', linkIndex: 8 + node.index, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, qdisc: 'noqueue', operstate: 'UP', linkType: 'ether', address: mac, broadcast: 'ff:ff:ff:ff:ff:ff', kind: 'veth', addrs: [{ family: 'inet', local: ip, prefixlen: 24, scope: 'global', label: 'eth0' }] },
  ];
  const routes = [
    { type: 'unicast', dst: 'default', gateway: gw, dev: 'eth0', table: 'main', flags: [] },
    { type: 'unicast', dst: node.podCIDR, dev: 'eth0', table: 'main', protocol: 'kernel', scope: 'link', prefsrc: ip, flags: [] },
    { type: 'local', dst: ip, dev: 'eth0', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: ip, flags: [] },
  ];
  const neighborsOut: NeighborEntry[] = [{ dst: gw, dev: 'eth0', lladdr: `0a:58:${gw.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join(':')}`, state: ['REACHABLE'] }];
  const sockets: Sock[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      sockets.push({ netid: 'tcp', state: 'LISTEN', recvq: 0, sendq: 4096, local: ['*', String(p.containerPort)], peer: ['*', '*'], process: users(pod.metadata.name, c.name, 7 + sockets.length) });
    }
  }
  if (atLeast(model.install.tag, 'v0.16.0') && pod.spec.containers.some((c) => c.name === 'controller')) {
    sockets.push({ netid: 'tcp', state: 'LISTEN', recvq: 0, sendq: 4096, local: ['*', '17472'], peer: ['*', '*'], process: users(pod.metadata.name, 'controller', 12) });
  }
  return { ifaces, routes, neighbors: neighborsOut, sockets };
}
