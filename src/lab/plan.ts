/**
 * Turns a World into a lab plan: which namespaces to create, which addresses and MACs they get,
 * which nodes run FRR and with which rendered config, what the routers are configured with, where
 * each LoadBalancer IP is bound, and what readiness means for every node↔router session.
 * Pure (no root needed), so the mapping is unit-tested apart from the kernel work in index.ts.
 */
import type { KubeObject } from '../model/cluster.js';
import type { World } from '../sim/world.js';
import { defaultInterface, defaultSegment, labMac, type Dataplane, type DataplaneNodeOverride, type DataplaneRouter } from '../sim/scenario/dataplane.js';
import { frrModelForNode, renderFrrConfig, parseIp, poolEntryContains, selectorMatches, type FrrConfigModel, type FrrLogLevel } from '../sim/scenario/metallb-frr-config.js';
import { UserError } from '../util/errors.js';

export type LabMode = 'native' | 'frr' | 'frr-k8s';

export interface PlannedNode {
  name: string;
  /** Short namespace suffix (`n1`, `n2`, ...), the full name is prefix + suffix. */
  suffix: string;
  ip: string;
  mac: string;
  labels: Record<string, string>;
  /** FRR runs here (a pod with an `frr` container is scheduled on this node). */
  frr: boolean;
  frrModel?: FrrConfigModel;
  frrConfig?: string;
  /** IPs bound on eth0 (L2), on lo (BGP) and on kube-ipvs0. */
  l2Ips: string[];
  bgpIps: string[];
  ipvsIps: string[];
  override: DataplaneNodeOverride;
}

export interface PlannedSession {
  node: string;
  router: string;
  /** What the session should settle to, given both sides' configuration. */
  expect: 'established' | 'bad-peer-as' | 'bad-bgp-id' | 'md5-mismatch' | 'no-router' | 'vrf-missing' | 'not-connected';
  /** Prefixes the node should have sent once established. */
  prefixes: number;
  bfd: boolean;
}

export interface PlannedRouter extends DataplaneRouter {
  suffix: string;
  mac: string;
  /** Node addresses the router peers with (nodes whose config has this router as neighbor). */
  neighbors: string[];
  remoteAsn: number;
  bgpdConfig: string;
  bfdConfig: string;
}

export interface LabPlan {
  mode: LabMode;
  segment: string;
  prefixLen: number;
  iface: string;
  nodes: PlannedNode[];
  routers: PlannedRouter[];
  sessions: PlannedSession[];
  /** Extra on-link ranges (LoadBalancer ranges) every host routes out of eth0. */
  onLinkRanges: string[];
}

const kindIs = (o: KubeObject, kind: string): boolean => o.kind === kind;

/** Defaults applied to whatever the scenario put in `world.dataplane`. */
export function normaliseDataplane(raw: unknown): Dataplane {
  const d = (raw && typeof raw === 'object' ? raw : {}) as Partial<Dataplane>;
  return {
    segment: d.segment ?? defaultSegment,
    interface: d.interface ?? defaultInterface,
    routers: d.routers ?? [],
    announce: d.announce ?? {},
    nodes: d.nodes ?? {},
  };
}

/** Mode from the pods: an `frr` container in the speaker pod (FRR mode) or an frr-k8s pod. */
export function detectMode(objects: KubeObject[]): LabMode {
  let mode: LabMode = 'native';
  for (const p of objects) {
    if (!kindIs(p, 'Pod')) continue;
    const containers: { name: string; env?: { name: string; value?: string }[] }[] = p.spec?.containers ?? [];
    if (!containers.some((c) => c.name === 'frr')) continue;
    const env = containers.flatMap((c) => c.env ?? []);
    const bgpType = env.find((e) => e.name === 'METALLB_BGP_TYPE')?.value;
    if (bgpType === 'frr-k8s' || (p.metadata.name ?? '').startsWith('frr-k8s')) return 'frr-k8s';
    mode = 'frr';
  }
  return mode;
}

function frrNodes(objects: KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const p of objects) {
    if (!kindIs(p, 'Pod') || !p.spec?.nodeName) continue;
    if ((p.spec.containers ?? []).some((c: { name: string }) => c.name === 'frr')) out.add(p.spec.nodeName);
  }
  return out;
}

function logLevelOf(objects: KubeObject[]): FrrLogLevel {
  for (const p of objects) {
    if (!kindIs(p, 'Pod')) continue;
    for (const c of p.spec?.containers ?? []) {
      if (c.name !== 'speaker') continue;
      const arg = (c.args ?? []).find((a: string) => a.startsWith('--log-level='));
      const level = arg?.split('=')[1];
      const map: Record<string, FrrLogLevel> = { all: 'debugging', debug: 'debugging', info: 'informational', warn: 'warnings', error: 'error', none: 'emergencies' };
      if (level && map[level]) return map[level];
    }
  }
  return 'informational';
}

/** Pools selected by a BGPAdvertisement are announced over BGP (IP on lo), the rest over L2 (eth0). */
function bgpModeIp(objects: KubeObject[], ip: string): boolean {
  const pools = objects.filter((o) => kindIs(o, 'IPAddressPool') && (o.spec?.addresses ?? []).some((a: string) => poolEntryContains(a, ip)));
  const ads = objects.filter((o) => kindIs(o, 'BGPAdvertisement'));
  return pools.some((pool) =>
    ads.some((ad) => {
      const named: string[] = ad.spec?.ipAddressPools ?? [];
      const selectors: Parameters<typeof selectorMatches>[0][] = ad.spec?.ipAddressPoolSelectors ?? [];
      return (named.length === 0 && selectors.length === 0) || named.includes(pool.metadata.name) || selectors.some((s) => selectorMatches(s, pool.metadata.labels));
    }),
  );
}

function cidrParts(segment: string): { base: string; len: number } {
  const [base, len] = segment.split('/');
  return { base, len: Number(len ?? 24) };
}

const routerBfdProfile = 'lab-router';

/**
 * The router's BFD runs at 1 s intervals: a node's detection time is its multiplier times the
 * router's transmit interval (3 s with MetalLB's defaults), so a busy test machine that delays a
 * daemon for a second does not tear a healthy session down. The nodes keep their BFDProfile.
 */
function routerBfdConfig(hostname: string): string {
  return [`hostname ${hostname}`, 'bfd', ` profile ${routerBfdProfile}`, '  receive-interval 1000', '  transmit-interval 1000', '  detect-multiplier 5', ' exit', 'exit', ''].join('\n');
}

function routerBgpdConfig(r: DataplaneRouter, neighbors: string[], remoteAsn: number, hostname: string): string {
  const lines = [
    `hostname ${hostname}`,
    `router bgp ${r.asn}`,
    ` bgp router-id ${r.routerId ?? r.address}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' neighbor NODES peer-group',
    ` neighbor NODES remote-as ${remoteAsn}`,
    ' neighbor NODES timers connect 2',
  ];
  if (r.password) lines.push(` neighbor NODES password ${r.password}`);
  if (r.bfd) lines.push(' neighbor NODES bfd', ` neighbor NODES bfd profile ${routerBfdProfile}`);
  for (const n of neighbors) lines.push(` neighbor ${n} peer-group NODES`);
  lines.push(' !', ' address-family ipv4 unicast', '  neighbor NODES activate');
  if (r.rejectPrefixes?.length) lines.push('  neighbor NODES prefix-list REJECTED in');
  lines.push(' exit-address-family', 'exit');
  if (r.rejectPrefixes?.length) {
    r.rejectPrefixes.forEach((p, i) => lines.push(`ip prefix-list REJECTED seq ${(i + 1) * 5} deny ${p}`));
    lines.push(`ip prefix-list REJECTED seq ${(r.rejectPrefixes.length + 1) * 5} permit 0.0.0.0/0 le 32`);
  }
  return lines.join('\n') + '\n';
}

/** Why the lab cannot run this World, or undefined when it can. */
export function labUnsupportedReason(world: World): string | undefined {
  const dp = normaliseDataplane(world.dataplane);
  const nodes = world.objects.filter((o) => kindIs(o, 'Node')).length;
  if (nodes === 0) return 'it has no nodes';
  if (nodes + dp.routers.length > 60) return `it has ${nodes} nodes (the lab runs up to 60 hosts)`;
  if (dp.routers.length > 0 && detectMode(world.objects) === 'native') return 'native-mode BGP is spoken by the MetalLB speaker itself, which the lab does not run';
  return undefined;
}

const ipv4 = (x: unknown): boolean => typeof x === 'string' && parseIp(x)?.family === 4;
const cidr4 = (x: unknown): boolean => typeof x === 'string' && /^[\d.]+\/\d{1,2}$/.test(x) && ipv4(x.split('/')[0]) && Number(x.split('/')[1]) <= 32;

/**
 * Everything from the scenario that ends up in `ip` batch lines, FRR configs or file names is
 * checked here, so a hostile scenario cannot inject commands or paths.
 */
/** Addresses of routed peers: off the node segment, reached through an on-link route. */
export const routedRange = '203.0.113.0/24';

export function validateDataplane(dp: Dataplane, nodeNames: string[]): void {
  const bad = (what: string, hint: string): never => {
    throw new UserError(`invalid lab data plane: ${what}`, hint);
  };
  if (!cidr4(dp.segment)) bad(`segment ${JSON.stringify(dp.segment)}`, 'use an IPv4 CIDR such as 192.0.2.0/24');
  if (!/^[a-zA-Z][\w.-]{0,14}$/.test(dp.interface)) bad(`interface ${JSON.stringify(dp.interface)}`, 'use a Linux interface name such as eth0');
  for (const n of nodeNames) if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(n)) bad(`node name ${JSON.stringify(n)}`, 'node names must be DNS-1123 subdomains');
  for (const r of dp.routers) {
    if (!/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/.test(String(r.name))) bad(`router name ${JSON.stringify(r.name)}`, 'use a DNS-1123 label such as tor');
    // A router is on the segment, or a routed peer in 203.0.113.0/24 (reached on-link, never a connected subnet of the nodes).
    if (!ipv4(r.address) || !(poolEntryContains(dp.segment, r.address) || poolEntryContains(routedRange, r.address))) bad(`router ${r.name} address ${JSON.stringify(r.address)}`, `use an IPv4 address inside ${dp.segment} (or ${routedRange} for a routed peer)`);
    for (const asn of [r.asn, r.expectPeerAsn]) if (asn !== undefined && !(Number.isInteger(asn) && asn > 0 && asn < 2 ** 32)) bad(`router ${r.name} ASN ${JSON.stringify(asn)}`, 'use an ASN between 1 and 4294967295');
    if (r.routerId !== undefined && !ipv4(r.routerId)) bad(`router ${r.name} routerId ${JSON.stringify(r.routerId)}`, 'use an IPv4 address');
    if (r.password !== undefined && !/^[\x21-\x7e]{1,80}$/.test(r.password)) bad(`router ${r.name} password`, 'use 1-80 printable characters without spaces');
    for (const p of r.rejectPrefixes ?? []) if (!cidr4(p)) bad(`router ${r.name} rejectPrefixes entry ${JSON.stringify(p)}`, 'use IPv4 CIDRs such as 198.51.100.200/32');
  }
  for (const [ip, holders] of Object.entries(dp.announce)) {
    if (!ipv4(ip)) bad(`announce IP ${JSON.stringify(ip)}`, 'the lab announces IPv4 LoadBalancer IPs only');
    for (const h of holders) if (!nodeNames.includes(h)) bad(`announce ${ip} on unknown node ${JSON.stringify(h)}`, 'name nodes of the scenario');
  }
  for (const [node, o] of Object.entries(dp.nodes)) {
    if (!nodeNames.includes(node)) bad(`override for unknown node ${JSON.stringify(node)}`, 'name nodes of the scenario');
    for (const ip of o.ipvsAddresses ?? []) if (!ipv4(ip)) bad(`ipvsAddresses entry ${JSON.stringify(ip)} on ${node}`, 'use IPv4 addresses');
    if (o.routerIdOverride !== undefined && !ipv4(o.routerIdOverride)) bad(`routerIdOverride ${JSON.stringify(o.routerIdOverride)} on ${node}`, 'use an IPv4 address');
  }
}

export function buildPlan(world: World): LabPlan {
  const dp = normaliseDataplane(world.dataplane);
  const objects = world.objects;
  const { base, len } = cidrParts(dp.segment);
  const mode = detectMode(objects);
  const withFrr = frrNodes(objects);
  const logLevel = logLevelOf(objects);

  const nodeObjs = objects.filter((o) => kindIs(o, 'Node'));
  if (nodeObjs.length === 0) throw new UserError(`scenario ${world.name} has no Node objects`, 'add nodes to the scenario before running it in the lab');
  const unsupported = labUnsupportedReason(world);
  if (unsupported) throw new UserError(`scenario ${world.name} cannot run in the lab: ${unsupported}`, 'use the replay backend (--backend replay) for this scenario');

  validateDataplane(dp, nodeObjs.map((n) => n.metadata.name));
  const ipToNodes = new Map<string, string[]>(Object.entries(dp.announce));
  const nodes: PlannedNode[] = nodeObjs.map((n, i) => {
    const addrs: { type: string; address: string }[] = n.status?.addresses ?? [];
    const ip = addrs.find((a) => a.type === 'InternalIP' && parseIp(a.address)?.family === 4)?.address;
    if (!ip || !poolEntryContains(`${base}/${len}`, ip)) {
      throw new UserError(`node ${n.metadata.name} has no InternalIP inside the lab segment ${dp.segment}`, `give the node an InternalIP in ${dp.segment}`);
    }
    const override = dp.nodes[n.metadata.name] ?? {};
    const name = n.metadata.name;
    const held = [...ipToNodes].filter(([, holders]) => holders.includes(name)).map(([lbIp]) => lbIp);
    const planned: PlannedNode = {
      name,
      suffix: `n${i + 1}`,
      ip,
      mac: labMac(i + 1),
      labels: n.metadata.labels ?? {},
      frr: mode !== 'native' && withFrr.has(name),
      l2Ips: held.filter((x) => !bgpModeIp(objects, x)),
      bgpIps: held.filter((x) => bgpModeIp(objects, x)),
      ipvsIps: override.ipvsAddresses ?? [],
      override,
    };
    if (planned.frr) {
      // Only IPs the scenario places on this node are advertised from it (BGP: the announce map).
      const bgpAnnounced = new Set([...ipToNodes.keys()].filter((x) => bgpModeIp(objects, x)));
      planned.frrModel = frrModelForNode(
        objects,
        { name, labels: planned.labels },
        {
          logLevel,
          routerIdOverride: override.routerIdOverride,
          advertisedIps: (lbIp) => !bgpAnnounced.has(lbIp) || planned.bgpIps.includes(lbIp),
        },
      );
      for (const r of planned.frrModel.routers) {
        for (const nb of r.neighbors) {
          // BGPPeer fields become FRR config tokens: whitespace would smuggle in further commands.
          const tokens = [nb.addr, nb.iface, nb.asn, nb.password, nb.srcAddr, nb.bfdProfile, r.vrf, r.routerId];
          if (tokens.some((t) => t !== undefined && /[\s]/.test(String(t)))) {
            throw new UserError(`BGPPeer for ${nb.addr} on node ${name} has a field with whitespace`, 'peer addresses, passwords, profiles and VRFs are single tokens');
          }
        }
      }
      planned.frrConfig = renderFrrConfig(planned.frrModel);
    }
    return planned;
  });

  const sessions: PlannedSession[] = [];
  const routers: PlannedRouter[] = dp.routers.map((r, i) => {
    const neighbors: string[] = [];
    let peerMyAsn: number | undefined;
    for (const node of nodes) {
      for (const br of node.frrModel?.routers ?? []) {
        for (const nb of br.neighbors) {
          if (nb.addr !== r.address) continue;
          neighbors.push(node.ip);
          peerMyAsn ??= br.myAsn;
        }
      }
    }
    const remoteAsn = r.expectPeerAsn ?? peerMyAsn ?? 64512;
    for (const node of nodes) {
      for (const br of node.frrModel?.routers ?? []) {
        for (const nb of br.neighbors) {
          if (nb.addr !== r.address) continue;
          const asnOk = nb.asn === String(r.asn) || nb.asn === 'external' || (nb.asn === 'internal' && br.myAsn === r.asn);
          // The lab pins each node's automatic router ID to its InternalIP (zebra `ip router-id`).
          const nodeRouterId = br.routerId ?? node.ip;
          const expect: PlannedSession['expect'] =
            // A BGPPeer vrf: the lab creates no VRF devices (dataplane.nodes.<n>.vrfs is not built), so
            // bgpd's VRF instance never starts and the session stays Idle, as in bgp-vrf-missing.
            br.vrf
              ? 'vrf-missing'
              : // FRR's connected check: single-hop eBGP to an address on no connected subnet never starts.
                !nb.ebgpMultiHop && nb.asn !== String(br.myAsn) && nb.asn !== 'internal' && !poolEntryContains(dp.segment, r.address)
                ? 'not-connected'
                : (nb.password ?? '') !== (r.password ?? '')
              ? 'md5-mismatch'
              : !asnOk || remoteAsn !== br.myAsn
                ? 'bad-peer-as'
                : nodeRouterId === (r.routerId ?? r.address)
                  ? 'bad-bgp-id'
                  : 'established';
          sessions.push({ node: node.name, router: r.name, expect, prefixes: nb.prefixesV4.length, bfd: !!nb.bfdProfile && !!r.bfd });
        }
      }
    }
    const suffix = `r${i + 1}`;
    return {
      ...r,
      suffix,
      mac: labMac(nodes.length + i + 1),
      neighbors: [...new Set(neighbors)],
      remoteAsn,
      bgpdConfig: routerBgpdConfig(r, [...new Set(neighbors)], remoteAsn, r.name),
      bfdConfig: routerBfdConfig(r.name),
    };
  });

  // Sessions towards addresses no lab router has (misconfigured peer address).
  for (const node of nodes) {
    for (const br of node.frrModel?.routers ?? []) {
      for (const nb of br.neighbors) {
        if (!routers.some((r) => r.address === nb.addr)) sessions.push({ node: node.name, router: nb.addr, expect: 'no-router', prefixes: 0, bfd: false });
      }
    }
  }

  const lbIps = [...ipToNodes.keys(), ...nodes.flatMap((n) => n.ipvsIps)];
  const onLinkRanges = ['198.51.100.0/24', routedRange].filter((range) => [...lbIps, ...routers.map((r) => r.address)].some((ip) => poolEntryContains(range, ip)));
  return { mode, segment: dp.segment, prefixLen: len, iface: dp.interface, nodes, routers, sessions, onLinkRanges };
}
