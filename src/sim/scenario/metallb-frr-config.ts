/**
 * Renders the FRR configuration a MetalLB speaker (FRR mode) writes to /etc/frr_reloader/frr.conf,
 * in the same line order and wording as MetalLB's templates (golden outputs in
 * fixtures/lab/frr-rendered/, copied from upstream). Two layers:
 *  - `renderFrrConfig(model)`: the text, from a config model shaped like MetalLB's own;
 *  - `frrModelForNode(world objects, node)`: the model, from BGPPeer / BGPAdvertisement /
 *    IPAddressPool / BFDProfile / Community / Secret / Service objects, as the speaker on that node sees them.
 * Pure functions: unit-tested without root.
 */
import type { KubeObject } from '../../model/cluster.js';
import { formatIp } from '../../util/ip-text.js';

export type FrrLogLevel = 'debugging' | 'informational' | 'warnings' | 'error' | 'emergencies';

export interface FrrPrefixList {
  /** Prefix-list name, e.g. `10.2.2.254-300-ip-localpref-prefixes`. */
  name: string;
  family: 'ip' | 'ipv6';
  prefixes: string[];
  /** `set local-preference 300`, `set community 1111:2222 additive`, ... */
  setStatement: string;
}

export interface FrrNeighbor {
  /** Address, or interface name for unnumbered sessions. */
  addr: string;
  iface?: string;
  /** Peer ASN, or `internal` / `external` (dynamicASN). */
  asn: string;
  /** Address family of the session address. */
  family: 'ipv4' | 'ipv6';
  /** Activate both families on this session (dualStackAddressFamily). */
  dualStack?: boolean;
  /** Deprecated disableMP: activate only the session's own family (the default here too). */
  disableMP?: boolean;
  port?: number;
  keepaliveTime?: number;
  holdTime?: number;
  connectTime?: number;
  password?: string;
  srcAddr?: string;
  ebgpMultiHop?: boolean;
  gracefulRestart?: boolean;
  localAsn?: number;
  bfdProfile?: string;
  /** Routes this neighbor may receive (the `<id>-allowed-ipv4|6` prefix lists). */
  prefixesV4: string[];
  prefixesV6: string[];
  localPrefLists: FrrPrefixList[];
  communityLists: FrrPrefixList[];
}

export interface FrrRouter {
  myAsn: number;
  vrf?: string;
  routerId?: string;
  neighbors: FrrNeighbor[];
  /** `network` statements. */
  ipv4Prefixes: string[];
  ipv6Prefixes: string[];
}

export interface FrrBfdProfile {
  name: string;
  receiveInterval?: number;
  transmitInterval?: number;
  detectMultiplier?: number;
  echoMode?: boolean;
  echoInterval?: number;
  passiveMode?: boolean;
  minimumTtl?: number;
}

export interface FrrConfigModel {
  logLevel: FrrLogLevel;
  hostname: string;
  routers: FrrRouter[];
  bfdProfiles: FrrBfdProfile[];
  extraConfig?: string;
}

// ---------------------------------------------------------------- text

/** The neighbor's id used in route-map and prefix-list names (the VRF suffix keeps VRFs apart). */
export function neighborId(n: FrrNeighbor, vrf?: string): string {
  const base = n.iface ?? n.addr;
  return vrf ? `${base}-${vrf}` : base;
}

/** MetalLB's `counter` template function: a sequence per name, starting at 1. */
class Counters {
  private readonly values = new Map<string, number>();
  next(name: string): number {
    const v = (this.values.get(name) ?? 0) + 1;
    this.values.set(name, v);
    return v;
  }
}

function neighborFilters(n: FrrNeighbor, vrf: string | undefined, counters: Counters): string[] {
  const id = neighborId(n, vrf);
  const out = [`route-map ${id}-in deny 20`];
  for (const list of [...n.localPrefLists, ...n.communityLists]) {
    for (const p of list.prefixes) out.push(`${list.family} prefix-list ${list.name} seq ${counters.next(list.name)} permit ${p}`);
    out.push('', `route-map ${id}-out permit ${counters.next(id)}`, `  match ${list.family} address prefix-list ${list.name}`, `  ${list.setStatement}`, '  on-match next', '');
  }
  const v4 = `${id}-allowed-ipv4`;
  const v6 = `${id}-allowed-ipv6`;
  out.push('', '');
  if (n.prefixesV4.length === 0) out.push(`ip prefix-list ${v4} seq ${counters.next(v4)} deny any`);
  for (const p of n.prefixesV4) out.push(`ip prefix-list ${v4} seq ${counters.next(v4)} permit ${p}`);
  out.push('', '');
  if (n.prefixesV6.length === 0) out.push(`ipv6 prefix-list ${v6} seq ${counters.next(v6)} deny any`);
  for (const p of n.prefixesV6) out.push(`ipv6 prefix-list ${v6} seq ${counters.next(v6)} permit ${p}`);
  out.push('', `route-map ${id}-out permit ${counters.next(id)}`, `  match ip address prefix-list ${v4}`);
  out.push('', `route-map ${id}-out permit ${counters.next(id)}`, `  match ipv6 address prefix-list ${v6}`);
  return out;
}

/** MetalLB skips the connected check only for single-hop IPv6 eBGP over an address. */
function mustDisableConnectedCheck(n: FrrNeighbor, routerAsn: number): boolean {
  if (n.family !== 'ipv6' || n.dualStack || n.iface || n.ebgpMultiHop) return false;
  if (n.asn === 'internal') return false;
  if (n.asn === 'external') return true;
  return Number(n.asn) !== routerAsn;
}

function neighborSession(n: FrrNeighbor, routerAsn: number): string[] {
  const peer = n.iface ?? n.addr;
  const out = [n.iface ? `  neighbor ${n.iface} interface remote-as ${n.asn}` : `  neighbor ${n.addr} remote-as ${n.asn}`];
  if (n.ebgpMultiHop) out.push(`  neighbor ${peer} ebgp-multihop`);
  if (n.localAsn) out.push(`  neighbor ${peer} local-as ${n.localAsn} no-prepend replace-as`);
  if (n.port) out.push(`  neighbor ${peer} port ${n.port}`);
  if (n.keepaliveTime !== undefined && n.holdTime !== undefined) out.push(`  neighbor ${peer} timers ${n.keepaliveTime} ${n.holdTime}`);
  if (n.connectTime) out.push(`  neighbor ${peer} timers connect ${n.connectTime}`);
  if (n.password) out.push(`  neighbor ${peer} password ${n.password}`);
  if (n.srcAddr) out.push(`  neighbor ${peer} update-source ${n.srcAddr}`);
  if (n.gracefulRestart) out.push(`  neighbor ${peer} graceful-restart`);
  if (n.bfdProfile) out.push(`  neighbor ${peer} bfd`, `  neighbor ${peer} bfd profile ${n.bfdProfile}`);
  if (mustDisableConnectedCheck(n, routerAsn)) out.push(`  neighbor ${n.addr} disable-connected-check`);
  return out;
}

function neighborFamilies(n: FrrNeighbor, vrf: string | undefined): string[] {
  const peer = n.iface ?? n.addr;
  const id = neighborId(n, vrf);
  // Unnumbered and dual-stack sessions carry both families; otherwise the session's own family.
  const families: ('ipv4' | 'ipv6')[] = n.iface || (n.dualStack && !n.disableMP) ? ['ipv4', 'ipv6'] : [n.family];
  const out: string[] = [];
  for (const f of families) {
    out.push(
      `  address-family ${f} unicast`,
      `    neighbor ${peer} activate`,
      `    neighbor ${peer} route-map ${id}-in in`,
      `    neighbor ${peer} route-map ${id}-out out`,
      '  exit-address-family',
    );
  }
  return out;
}

function bfdProfileLines(p: FrrBfdProfile): string[] {
  const out = [`  profile ${p.name}`];
  if (p.receiveInterval) out.push(`    receive-interval ${p.receiveInterval}`);
  if (p.transmitInterval) out.push(`    transmit-interval ${p.transmitInterval}`);
  if (p.detectMultiplier) out.push(`    detect-multiplier ${p.detectMultiplier}`);
  if (p.echoMode) out.push('    echo-mode');
  if (p.echoInterval) out.push(`    echo receive-interval ${p.echoInterval}`, `    echo transmit-interval ${p.echoInterval}`);
  if (p.passiveMode) out.push('    passive-mode');
  if (p.minimumTtl) out.push(`    minimum-ttl ${p.minimumTtl}`);
  out.push('    ');
  return out;
}

const debugLines = [
  'debug zebra events',
  'debug zebra nht',
  'debug zebra kernel',
  'debug zebra rib',
  'debug zebra nexthop',
  'debug bgp neighbor-events',
  'debug bgp updates',
  'debug bgp keepalives',
  'debug bgp nht',
  'debug bgp zebra',
  'debug bfd network',
  'debug bfd peer',
  'debug bfd zebra',
];

/** The config text, line for line as MetalLB renders it (blank lines may differ; FRR ignores them). */
export function renderFrrConfig(model: FrrConfigModel): string {
  const out = [`log stdout ${model.logLevel}`, 'log timestamp precision 3'];
  if (model.logLevel === 'debugging') out.push(...debugLines);
  out.push(`hostname ${model.hostname}`, 'ip nht resolve-via-default', 'ipv6 nht resolve-via-default');
  const counters = new Counters();
  for (const r of model.routers) for (const n of r.neighbors) out.push(...neighborFilters(n, r.vrf, counters));
  out.push('');
  for (const r of model.routers) {
    out.push(
      `router bgp ${r.myAsn}${r.vrf ? ` vrf ${r.vrf}` : ''}`,
      '  no bgp ebgp-requires-policy',
      '  no bgp network import-check',
      '  no bgp default ipv4-unicast',
      '  bgp graceful-restart preserve-fw-state',
      '',
    );
    if (r.routerId) out.push(`  bgp router-id ${r.routerId}`);
    for (const n of r.neighbors) out.push(...neighborSession(n, r.myAsn));
    out.push('');
    for (const n of r.neighbors) out.push(...neighborFamilies(n, r.vrf));
    for (const [family, prefixes] of [['ipv4', r.ipv4Prefixes], ['ipv6', r.ipv6Prefixes]] as const) {
      if (prefixes.length === 0) continue;
      out.push(`  address-family ${family} unicast`, ...prefixes.map((p) => `    network ${p}`), '  exit-address-family');
    }
    out.push('');
  }
  if (model.bfdProfiles.length > 0) {
    out.push('bfd');
    for (const p of model.bfdProfiles) out.push(...bfdProfileLines(p));
  }
  if (model.extraConfig) out.push(model.extraConfig);
  return out.join('\n') + '\n';
}

/** Lines FRR acts on: trailing blanks trimmed, empty lines dropped (for comparing renderings). */
export function significantLines(config: string): string[] {
  return config
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');
}

// ---------------------------------------------------------------- from Kubernetes objects

/** Go duration (`90s`, `1m30s`, `500ms`) → whole seconds, as MetalLB passes timers to FRR. */
export function durationSeconds(d: unknown): number | undefined {
  if (typeof d === 'number') return d;
  if (typeof d !== 'string' || d === '') return undefined;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of d.matchAll(re)) {
    matched += m[0];
    const v = Number(m[1]);
    total += m[2] === 'h' ? v * 3600 : m[2] === 'm' ? v * 60 : m[2] === 's' ? v : v / 1000;
  }
  if (matched !== d) return undefined;
  return Math.floor(total);
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** An empty selector list selects everything; otherwise any selector may match. */
function anySelectorMatches(sels: LabelSelector[] | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sels || sels.length === 0) return true;
  return sels.some((s) => selectorMatches(s, labels));
}

// IPv4/IPv6 helpers (BigInt so both families share one code path).
export function parseIp(ip: string): { family: 4 | 6; value: bigint } | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n) };
  }
  if (!ip.includes(':')) return undefined;
  const [head, tail] = ip.split('::');
  if (ip.split('::').length > 2) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...h, ...Array(tail === undefined ? 0 : missing).fill('0'), ...t];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { family: 6, value: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** `ip` masked to `len` bits, as a CIDR string. */
export function maskedPrefix(ip: string, len: number): string | undefined {
  const p = parseIp(ip);
  if (!p) return undefined;
  const bits = p.family === 4 ? 32 : 128;
  const l = Math.min(len, bits);
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - l)) - 1n);
  return `${formatIp(p.family, p.value & mask)}/${l}`;
}

/** Whether `ip` lies in a pool entry (`CIDR` or `start-end`). */
export function poolEntryContains(entry: string, ip: string): boolean {
  const target = parseIp(ip);
  if (!target) return false;
  if (entry.includes('-')) {
    const [a, b] = entry.split('-').map((s) => parseIp(s.trim()));
    return !!a && !!b && a.family === target.family && target.value >= a.value && target.value <= b.value;
  }
  const [base, lenText] = entry.split('/');
  const net = parseIp(base);
  if (!net || net.family !== target.family) return false;
  const bits = net.family === 4 ? 32 : 128;
  const len = lenText === undefined ? bits : Number(lenText);
  const shift = BigInt(bits - len);
  return net.value >> shift === target.value >> shift;
}

export interface NodeView {
  name: string;
  labels?: Record<string, string>;
}

export interface RenderOptions {
  logLevel?: FrrLogLevel;
  /** Only these LB IPs are advertised from this node (the scenario's announce map); default: every IP. */
  advertisedIps?: (ip: string) => boolean;
  /** Replaces every router-id on this node (router-id clash scenarios). */
  routerIdOverride?: string;
}

const kindIs = (o: KubeObject, kind: string): boolean => o.kind === kind;

function secretPassword(objects: KubeObject[], ref: { name?: string; namespace?: string } | undefined, defaultNs: string | undefined): string | undefined {
  if (!ref?.name) return undefined;
  const s = objects.find((o) => kindIs(o, 'Secret') && o.metadata.name === ref.name && (o.metadata.namespace ?? '') === (ref.namespace ?? defaultNs ?? ''));
  const data = (s as { data?: Record<string, string>; stringData?: Record<string, string> } | undefined);
  if (data?.stringData?.password) return data.stringData.password;
  if (data?.data?.password) return Buffer.from(data.data.password, 'base64').toString('utf8');
  return undefined;
}

export function communityValue(objects: KubeObject[], c: string, ns: string | undefined): string {
  // A name that is not a literal is an alias from a Community object in the MetalLB namespace.
  if (/^\d+:\d+$/.test(c) || c.startsWith('large:')) return c;
  for (const o of objects) {
    if (!kindIs(o, 'Community') || (ns && o.metadata.namespace !== ns)) continue;
    const found = (o.spec?.communities ?? []).find((x: { name: string; value: string }) => x.name === c);
    if (found) return found.value;
  }
  return c;
}

/** Service LB IPs with the pool they came from. */
function serviceIps(objects: KubeObject[], pools: KubeObject[]): { ip: string; pool: KubeObject }[] {
  const out: { ip: string; pool: KubeObject }[] = [];
  for (const svc of objects) {
    if (!kindIs(svc, 'Service') || svc.spec?.type !== 'LoadBalancer') continue;
    const ann = svc.metadata.annotations ?? {};
    const poolName = ann['metallb.io/ip-allocated-from-pool'] ?? ann['metallb.universe.tf/ip-allocated-from-pool'];
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      const ip = ing.ip as string | undefined;
      if (!ip) continue;
      const pool =
        pools.find((p) => p.metadata.name === poolName) ??
        pools.find((p) => (p.spec?.addresses ?? []).some((a: string) => poolEntryContains(a, ip)));
      if (pool) out.push({ ip, pool });
    }
  }
  return out;
}

const uniqSorted = (xs: string[]): string[] => [...new Set(xs)].sort();

/**
 * The config model the speaker on `node` renders. Peers are those whose nodeSelectors match the
 * node; prefixes come from Service LB IPs whose pool is selected by a BGPAdvertisement that targets
 * this node (and, if it names peers, that peer).
 */
export function frrModelForNode(objects: KubeObject[], node: NodeView, opts: RenderOptions = {}): FrrConfigModel {
  const peers = objects.filter((o) => kindIs(o, 'BGPPeer') && anySelectorMatches(o.spec?.nodeSelectors, node.labels));
  const pools = objects.filter((o) => kindIs(o, 'IPAddressPool'));
  const ads = objects.filter((o) => kindIs(o, 'BGPAdvertisement') && anySelectorMatches(o.spec?.nodeSelectors, node.labels));
  const ips = serviceIps(objects, pools).filter((x) => opts.advertisedIps?.(x.ip) ?? true);

  const routers = new Map<string, FrrRouter>();
  for (const peer of [...peers].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const s = peer.spec ?? {};
    const vrf: string | undefined = s.vrf || undefined;
    const key = `${s.myASN}|${vrf ?? ''}`;
    let router = routers.get(key);
    if (!router) {
      router = { myAsn: Number(s.myASN), vrf, routerId: opts.routerIdOverride ?? (s.routerID || undefined), neighbors: [], ipv4Prefixes: [], ipv6Prefixes: [] };
      routers.set(key, router);
    }
    const addr: string = s.peerAddress ?? '';
    const family = addr.includes(':') ? 'ipv6' : 'ipv4';
    // No hold time: no timers line (FRR's defaults apply). A hold time alone: keepalive = hold / 3.
    const hold = durationSeconds(s.holdTime);
    const keepalive = durationSeconds(s.keepaliveTime) ?? (hold !== undefined ? Math.floor(hold / 3) : undefined);
    const n: FrrNeighbor = {
      addr,
      iface: s.interface || undefined,
      asn: s.peerASN !== undefined ? String(s.peerASN) : String(s.dynamicASN ?? ''),
      family,
      dualStack: !!s.dualStackAddressFamily,
      disableMP: !!s.disableMP,
      port: s.peerPort ?? 179,
      holdTime: hold,
      keepaliveTime: keepalive,
      connectTime: durationSeconds(s.connectTime),
      password: s.password || secretPassword(objects, s.passwordSecret, peer.metadata.namespace),
      srcAddr: s.sourceAddress || undefined,
      ebgpMultiHop: !!s.ebgpMultiHop,
      gracefulRestart: !!s.enableGracefulRestart,
      localAsn: s.localASN ? Number(s.localASN) : undefined,
      bfdProfile: s.bfdProfile || undefined,
      prefixesV4: [],
      prefixesV6: [],
      localPrefLists: [],
      communityLists: [],
    };
    const id = neighborId(n, vrf);
    const localPrefs = new Map<number, string[]>();
    const communities = new Map<string, string[]>();
    for (const ad of ads) {
      const as = ad.spec ?? {};
      if (as.peers?.length && !as.peers.includes(peer.metadata.name)) continue;
      for (const { ip, pool } of ips) {
        const poolNamed = as.ipAddressPools?.includes(pool.metadata.name);
        const poolSelected = (as.ipAddressPoolSelectors ?? []).some((sel: LabelSelector) => selectorMatches(sel, pool.metadata.labels));
        const allPools = !as.ipAddressPools?.length && !as.ipAddressPoolSelectors?.length;
        if (!(allPools || poolNamed || poolSelected)) continue;
        const v6 = ip.includes(':');
        const prefix = maskedPrefix(ip, v6 ? (as.aggregationLengthV6 ?? 128) : (as.aggregationLength ?? 32));
        if (!prefix) continue;
        (v6 ? n.prefixesV6 : n.prefixesV4).push(prefix);
        (v6 ? router.ipv6Prefixes : router.ipv4Prefixes).push(prefix);
        if (as.localPref) localPrefs.set(as.localPref, [...(localPrefs.get(as.localPref) ?? []), prefix]);
        for (const c of as.communities ?? []) {
          const value = communityValue(objects, c, ad.metadata.namespace);
          communities.set(value, [...(communities.get(value) ?? []), prefix]);
        }
      }
    }
    n.prefixesV4 = uniqSorted(n.prefixesV4);
    n.prefixesV6 = uniqSorted(n.prefixesV6);
    for (const [pref, prefixes] of [...localPrefs].sort((a, b) => a[0] - b[0])) {
      n.localPrefLists.push(...familyLists(prefixes, (fam) => `${id}-${pref}-${fam}-localpref-prefixes`, `set local-preference ${pref}`));
    }
    for (const [value, prefixes] of [...communities].sort((a, b) => a[0].localeCompare(b[0]))) {
      const large = value.startsWith('large:');
      const set = large ? `set large-community ${value.slice('large:'.length)} additive` : `set community ${value} additive`;
      n.communityLists.push(...familyLists(prefixes, (fam) => `${id}-${value}-${fam}-community-prefixes`, set));
    }
    router.neighbors.push(n);
  }
  for (const r of routers.values()) {
    r.ipv4Prefixes = uniqSorted(r.ipv4Prefixes);
    r.ipv6Prefixes = uniqSorted(r.ipv6Prefixes);
  }
  const bfdProfiles: FrrBfdProfile[] = objects
    .filter((o) => kindIs(o, 'BFDProfile'))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((o) => ({
      name: o.metadata.name,
      receiveInterval: o.spec?.receiveInterval,
      transmitInterval: o.spec?.transmitInterval,
      detectMultiplier: o.spec?.detectMultiplier,
      echoMode: o.spec?.echoMode,
      echoInterval: o.spec?.echoInterval,
      passiveMode: o.spec?.passiveMode,
      minimumTtl: o.spec?.minimumTtl,
    }));
  return { logLevel: opts.logLevel ?? 'informational', hostname: node.name, routers: [...routers.values()], bfdProfiles };
}

function familyLists(prefixes: string[], name: (fam: 'ip' | 'ipv6') => string, setStatement: string): FrrPrefixList[] {
  const out: FrrPrefixList[] = [];
  const v4 = uniqSorted(prefixes.filter((p) => !p.includes(':')));
  const v6 = uniqSorted(prefixes.filter((p) => p.includes(':')));
  if (v4.length) out.push({ name: name('ip'), family: 'ip', prefixes: v4, setStatement });
  if (v6.length) out.push({ name: name('ipv6'), family: 'ipv6', prefixes: v6, setStatement });
  return out;
}

// ---------------------------------------------------------------- per-daemon split

export type FrrDaemon = 'zebra' | 'bgpd' | 'bfdd' | 'staticd';

/**
 * Splits an integrated frr.conf into per-daemon files the way vtysh dispatches it: the `bfd` block
 * to bfdd, next-hop tracking and `debug zebra` to zebra, `debug bfd` to bfdd, everything else (route
 * maps, prefix lists, `router bgp`) to bgpd; `log`/`hostname`/`service` lines go to every daemon.
 * Daemons that read their file at start-up apply it at once, without the hold bgpd puts on peers
 * after a `vtysh -b` load.
 */
export function splitIntegratedConfig(config: string): Record<FrrDaemon, string> {
  const out: Record<FrrDaemon, string[]> = { zebra: [], bgpd: [], bfdd: [], staticd: [] };
  const all: FrrDaemon[] = ['zebra', 'bgpd', 'bfdd', 'staticd'];
  let block: FrrDaemon | undefined;
  for (const raw of config.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    const topLevel = !/^\s/.test(line);
    if (topLevel) block = undefined;
    if (block) {
      out[block].push(line);
      continue;
    }
    if (/^(log|hostname|service|frr)\b/.test(line)) for (const d of all) out[d].push(line);
    else if (/^(ip|ipv6) nht\b/.test(line) || /^debug zebra\b/.test(line)) out.zebra.push(line);
    else if (/^debug bfd\b/.test(line)) out.bfdd.push(line);
    else if (line === 'bfd') {
      block = 'bfdd';
      out.bfdd.push(line);
    } else if (topLevel && /^(router bgp|route-map|ip prefix-list|ipv6 prefix-list|bgp |debug bgp|ip community-list|ip large-community-list|bgp community-list|bgp large-community-list)/.test(line)) {
      block = 'bgpd';
      out.bgpd.push(line);
    } else out.bgpd.push(line);
  }
  return Object.fromEntries(all.map((d) => [d, out[d].join('\n') + '\n'])) as Record<FrrDaemon, string>;
}
