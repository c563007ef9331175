/**
 * The typed model of a collected cluster: what src/parse builds from a bundle and what every
 * check in src/checks reads. Checks never read files; everything they need is here, and every
 * parsed piece remembers the bundle path it came from (`path`) so findings can cite evidence.
 *
 * Extend freely (add optional fields); do not rename or remove fields other modules use.
 */
import type {
  V1Service,
  V1Node,
  V1Pod,
  CoreV1Event,
  V1EndpointSlice,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { Discovery, Manifest, RbacCheck } from './bundle.js';

/** Something a parser could not read; never thrown, always collected. */
export interface ParseNote {
  path: string;
  message: string;
}

/** Minimal shape of any Kubernetes object (CRs included). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    creationTimestamp?: string;
    [k: string]: unknown;
  };
  spec?: any;
  status?: any;
  [k: string]: unknown;
}

export interface ClusterModel {
  /** Bundle root the model was loaded from (absent for models built in tests). */
  bundleRoot?: string;
  /**
   * A bundle collected with --redact-ips: 'redacted' when its addresses are the replacements (then
   * anything computed from an address's value, such as MetalLB's layer-2 election over
   * sha256(node#ip), is unknown); 'restored' when it was read through the map (`raw` then holds the
   * restored texts, which differ from the files on disk). Absent for other bundles.
   */
  addresses?: 'redacted' | 'restored';
  manifest?: Manifest;
  discovery?: Discovery;
  notes: ParseNote[];
  kube: KubeState;
  metallb: MetallbObjects;
  frrk8s: FrrK8sObjects;
  /** Per-node data-plane and FRR state, keyed by node name. */
  nodes: Record<string, NodeState>;
  /** The controller pod's network view, when a debug container ran in it. */
  controller?: ControllerNetState;
  /** Parsed container logs of MetalLB pods (speaker, controller, frr, frr-k8s). */
  logs: LogStream[];
  /** `rbac.json`: the permission preflight (what the collector could and could not read). */
  rbac?: RbacCheck[];
  /** Prometheus scrapes found in the bundle (controller/, nodes/<node>/, metrics/ folders), one per file. */
  metrics?: MetricsScrape[];
  /**
   * Raw text of the bundle's text files, keyed by bundle-relative path, so findings can quote the
   * exact lines they rest on. Optional: `analyze` fills it when the loader did not.
   */
  raw?: Record<string, string>;
}

export interface KubeState {
  version?: string;
  nodes: V1Node[];
  pods: V1Pod[];
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  events: CoreV1Event[];
  daemonSets: V1DaemonSet[];
  deployments: V1Deployment[];
  configMaps: V1ConfigMap[];
  webhooks: V1ValidatingWebhookConfiguration[];
  /** Secrets of the MetalLB namespace: names, types and data keys only (never values). */
  secrets?: KubeObject[];
  kubeProxy?: { mode: 'iptables' | 'ipvs' | 'nftables' | 'unknown'; strictARP?: boolean; path: string };
}

export interface MetallbObjects {
  ipAddressPools: KubeObject[];
  l2Advertisements: KubeObject[];
  bgpAdvertisements: KubeObject[];
  bgpPeers: KubeObject[];
  bfdProfiles: KubeObject[];
  communities: KubeObject[];
  serviceL2Statuses: KubeObject[];
  serviceBGPStatuses: KubeObject[];
  configurationStates: KubeObject[];
}

export interface FrrK8sObjects {
  frrConfigurations: KubeObject[];
  frrNodeStates: KubeObject[];
  bgpSessionStates: KubeObject[];
}

/** One Prometheus text-format scrape. */
export interface MetricsScrape {
  path: string;
  /** Node the scrape belongs to, when it came from nodes/<node>/. */
  node?: string;
  samples: MetricSample[];
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Optional exposition timestamp (ms since the epoch). */
  timestampMs?: number;
  /** From `# TYPE`: counter, gauge, histogram, summary, untyped. */
  type?: string;
}

// ---------------------------------------------------------------- node state

export interface NodeState {
  name: string;
  /** Whether the data-plane commands ran on this node (see manifest for why not). */
  collected: boolean;
  links: Link[];
  addresses: InterfaceAddresses[];
  routes: Route[];
  neighbors: Neighbor[];
  sockets: Socket[];
  sysctls: Record<string, string>;
  frr?: FrrState;
  capture?: CaptureSummary;
  arping: ArpingResult[];
  /** TCP and HTTPS probes from the node's debug container (`probe/connect.txt`). */
  probes?: ConnectProbeResult[];
  /** kube-proxy's rules for the LoadBalancer IPs on this node (`net/kube-proxy-rules.txt`). */
  kubeProxyRules?: KubeProxyRules;
  /** Bundle paths per source, e.g. { 'ip-addr': 'nodes/n1/net/ip-addr.json' }. */
  paths: Record<string, string>;
}

/**
 * One probe line of `probe/connect.txt`: a curl to the API server (https) or a TCP connect
 * (`telnet://`, nothing sent). `outcome`: `ok` (HTTP 200), `http-error` (answered, not 200),
 * `connected` (TCP handshake done), `refused` (curl exit 7: refused or no route), `timeout` (no
 * connection within the limit), `error` (anything else).
 */
export interface ConnectProbeResult {
  id: string;
  /** From the id's first segment: `api`, `memberlist`, `endpoint`, `lb`. */
  kind: string;
  /** The rest of the id: `healthz`, a node name, `<ns>/<svc>/...`. */
  subject: string;
  url: string;
  host?: string;
  port?: number;
  exitCode: number;
  httpCode?: number;
  connectSeconds: number;
  remoteIp?: string;
  error?: string;
  outcome: 'ok' | 'http-error' | 'connected' | 'refused' | 'timeout' | 'error';
  path: string;
  /** The line as written, for evidence. */
  line: string;
}

/**
 * The rules each kube-proxy mode programmed for the LoadBalancer IPs on a node: one section per
 * tool that answered (its lines are only those about the IPs), `none` when no tool found any
 * kube-proxy state (a replacement such as Cilium or kube-router, or no kube-proxy at all).
 */
export interface KubeProxyRules {
  path: string;
  sections: { tool: 'iptables' | 'nftables' | 'ipvs'; lines: string[] }[];
  /** What was looked for, when nothing was found. */
  none?: string;
  /** The container had none of the tools: nothing is known about kube-proxy on the node. */
  unavailable?: string;
}

/** `nslookup <name>` (BIND's, as in the debug image): the server asked and what it answered. */
export interface DnsLookup {
  name: string;
  server?: string;
  /** Canonical name answered (`kubernetes.default.svc.cluster.local`). */
  answeredName?: string;
  addresses: string[];
  /** `connection timed out; no servers could be reached`, `NXDOMAIN`, `SERVFAIL`, ... */
  error?: string;
  path: string;
}

/** What the debug container in the controller pod saw (the pod's own network namespace). */
export interface ControllerNetState {
  sockets: Socket[];
  addresses: InterfaceAddresses[];
  routes: Route[];
  dns?: DnsLookup;
  probes: ConnectProbeResult[];
  /** Bundle paths per item key (`net.ss`, `dns.kubernetes`, `probe.api`, ...). */
  paths: Record<string, string>;
}

export interface Link {
  ifname: string;
  ifindex?: number;
  mac?: string;
  operstate?: string;
  flags: string[];
  mtu?: number;
  master?: string;
  kind?: string;
  /** `linkinfo.info_slave_kind` (e.g. `bridge`, `bond`) from `ip -d`. */
  slaveKind?: string;
  /** Parent link for VLAN/macvlan/veth (`link`), when ip names it. */
  parent?: string;
  /** 802.1Q id for VLAN links (`linkinfo.info_data.id`). */
  vlanId?: number;
  linkType?: string;
}

export interface InterfaceAddresses {
  ifname: string;
  mac?: string;
  operstate?: string;
  flags: string[];
  addrs: { family: 'inet' | 'inet6'; local: string; prefixlen: number; scope?: string; label?: string }[];
}

export interface Route {
  dst: string; // "default" or CIDR/IP
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  table?: string;
  /** Route type from `ip -d` (unicast, local, broadcast, blackhole, ...). */
  type?: string;
  /** ECMP next hops (`nexthops` in ip JSON); `gateway`/`dev` are absent then. */
  nexthops?: { gateway?: string; dev?: string; weight?: number }[];
}

export interface Neighbor {
  ip: string;
  dev?: string;
  mac?: string;
  state: string[];
}

export interface Socket {
  proto: 'tcp' | 'udp';
  state?: string;
  localAddress: string;
  localPort: number;
  peerAddress?: string;
  peerPort?: number;
  process?: string;
  pid?: number;
  /** Interface scope of the local address (`0.0.0.0%eth0:53`). */
  localInterface?: string;
  /** Every process owning the socket (`users:((..),(..))`); `process`/`pid` are the first. */
  processes?: { name: string; pid?: number; fd?: number }[];
}

export interface ArpingResult {
  ip: string;
  iface?: string;
  /** Distinct MACs that answered. */
  macs: string[];
  replies: number;
  path: string;
  /** Source address arping used (`ARPING <ip> from <source> <iface>`). */
  sourceIp?: string;
  /** `Sent N probes` / `Received N response(s)` summary lines. */
  sent?: number;
  received?: number;
  /** Reply count per MAC (lower-case). */
  repliesByMac?: Record<string, number>;
  /** The shell's or runtime's complaint when arping is not installed where the probe ran (`sh: arping: not found`). */
  missingTool?: string;
}

// ---------------------------------------------------------------- FRR

export interface FrrState {
  runningConfig?: FrrConfig;
  /** The config MetalLB wanted (reloader's /etc/frr_reloader/frr.conf or frr-k8s equivalent). */
  desiredConfig?: FrrConfig;
  reloadStatus?: { status: 'success' | 'failure' | 'unknown'; raw: string; path: string; epoch?: number; at?: string };
  neighbors: BgpNeighbor[];
  /** Per-peer rows of `show bgp [vrf all] summary json`. */
  summary?: BgpSummaryPeer[];
  routes: BgpRoute[];
  bfdPeers: BfdPeer[];
  daemons?: string[];
  logLines?: string[];
  paths: Record<string, string>;
}

export interface FrrConfig {
  path: string;
  raw: string;
  routers: FrrRouterBgp[];
  /**
   * Entries by list name. FRR keeps `ip prefix-list` and `ipv6 prefix-list` in separate name spaces;
   * entries of both share a key here and are told apart by `afi`.
   */
  prefixLists: Record<string, { seq?: number; action: 'permit' | 'deny'; prefix: string; le?: number; ge?: number; afi?: 'ipv4' | 'ipv6' }[]>;
  /** Route-map entries by name, in file order. */
  routeMaps?: Record<string, FrrRouteMapEntry[]>;
  hostname?: string;
  /** `frr version` line (running config only). */
  version?: string;
  bfdProfiles: Record<string, Record<string, string>>;
  /** Line numbers / statements the parser did not understand (kept, not fatal). */
  unparsed: string[];
}

export interface FrrRouterBgp {
  asn: number;
  vrf?: string;
  routerId?: string;
  neighbors: FrrNeighborConfig[];
  /** `network` statements per address family. */
  networks: { afi: 'ipv4' | 'ipv6'; prefix: string }[];
  /** `neighbor X peer-group` definitions; members in `neighbors` already carry inherited settings. */
  peerGroups?: FrrNeighborConfig[];
  /** Router-level `bgp ...` / `no bgp ...` statements, verbatim (trimmed). */
  statements?: string[];
  /** False when `no bgp default ipv4-unicast` is set (then only explicit `activate` counts). */
  defaultIpv4Unicast?: boolean;
  /** FRR ≥ 7.4 requires an outbound policy for eBGP unless `no bgp ebgp-requires-policy`. */
  ebgpRequiresPolicy?: boolean;
}

export interface FrrRouteMapEntry {
  action: 'permit' | 'deny';
  seq: number;
  /** `match ...` lines without the keyword, e.g. `ip address prefix-list X-allowed-ipv4`. */
  match: string[];
  /** `set ...` lines without the keyword, e.g. `community 1111:2222 additive`. */
  set: string[];
  /** Other lines (`on-match next`, `call`, ...). */
  other: string[];
}

export interface FrrNeighborConfig {
  address: string;
  remoteAs?: number | 'internal' | 'external';
  /** True when a password was configured (the value itself is always redacted). */
  hasPassword: boolean;
  bfd?: boolean;
  bfdProfile?: string;
  ebgpMultihop?: number;
  timers?: { keepalive: number; hold: number; connect?: number };
  port?: number;
  activatedAfis: ('ipv4' | 'ipv6')[];
  routeMapsOut: string[];
  routeMapsIn: string[];
  shutdown?: boolean;
  /** `neighbor <iface> interface ...` (unnumbered BGP): `address` is an interface name. */
  interface?: boolean;
  /** Peer-group this neighbor belongs to. */
  peerGroup?: string;
  updateSource?: string;
  /** `timers connect N` (seconds); also copied into `timers.connect` when keepalive/hold are set. */
  connectTimer?: number;
  localAs?: number;
  description?: string;
  /** Other `neighbor X ...` options, verbatim without the `neighbor X` prefix (never the password). */
  extra?: string[];
}

export interface BgpNeighbor {
  vrf: string;
  address: string;
  remoteAs?: number;
  localAs?: number;
  state: string; // Established, Idle, Active, Connect, OpenSent, ...
  routerId?: string;
  remoteRouterId?: string;
  uptimeMs?: number;
  lastResetDueTo?: string;
  lastNotificationReason?: string;
  lastErrorCodeSubcode?: string;
  connectionsEstablished?: number;
  connectionsDropped?: number;
  messages?: {
    notificationsSent?: number;
    notificationsReceived?: number;
    updatesSent?: number;
    updatesReceived?: number;
    opensSent?: number;
    opensReceived?: number;
    keepalivesSent?: number;
    keepalivesReceived?: number;
  };
  /** Prefixes advertised to the peer per address family. */
  sentPrefixes?: Record<string, number>;
  acceptedPrefixes?: Record<string, number>;
  bfdStatus?: string;
  hostLocal?: string;
  hostForeign?: string;
  portForeign?: number;
  /** Peer's hostname from the FQDN capability. */
  hostname?: string;
  holdTimeMs?: number;
  keepaliveMs?: number;
  configuredHoldTimeMs?: number;
  configuredKeepaliveMs?: number;
  /** Raw numeric `lastResetCode`. */
  lastResetCode?: number;
  path: string;
}

/** One row of `show bgp [vrf all] summary json` (per VRF, per address family, per peer). */
export interface BgpSummaryPeer {
  vrf: string;
  /** Key FRR uses, e.g. `ipv4Unicast`, `ipv6Unicast`. */
  afi: string;
  address: string;
  routerId?: string;
  localAs?: number;
  remoteAs?: number;
  state: string;
  /** `peerUptime` text, `never` when the session never came up. */
  uptime?: string;
  uptimeMs?: number;
  prefixesReceived?: number;
  prefixesSent?: number;
  messagesReceived?: number;
  messagesSent?: number;
  connectionsEstablished?: number;
  connectionsDropped?: number;
  hostname?: string;
  path: string;
}

export interface BgpRoute {
  vrf: string;
  afi: 'ipv4' | 'ipv6';
  prefix: string;
  nexthops: string[];
  /** True when originated here (network statement / weight 32768). */
  local: boolean;
  best: boolean;
  peer?: string;
  valid?: boolean;
  stale?: boolean;
  /** AS path text (`path` in FRR JSON), empty for local routes. */
  asPath?: string;
  origin?: string;
  localPref?: number;
  weight?: number;
  path: string;
}

export interface BfdPeer {
  peer: string;
  local?: string;
  iface?: string;
  vrf?: string;
  status: string; // up, down, init, ...
  diagnostic?: string;
  remoteDiagnostic?: string;
  multihop?: boolean;
  uptimeS?: number;
  downtimeS?: number;
  receiveIntervalMs?: number;
  transmitIntervalMs?: number;
  detectMultiplier?: number;
  remoteReceiveIntervalMs?: number;
  remoteTransmitIntervalMs?: number;
  remoteDetectMultiplier?: number;
  path: string;
}

// ---------------------------------------------------------------- captures and logs

export interface CaptureSummary {
  path: string;
  packets: number;
  /**
   * ARP packets. Request: `ip` is the address asked for, `senderIp` the asker, `mac` the asker's
   * hardware address (pcap only). Reply: `ip` is-at `mac`. `srcMac`/`dstMac` are the link-layer
   * addresses when the capture has them (no `dstMac` with `-i any`). `gratuitous`: a request for the
   * sender's own IP, or a broadcast reply.
   */
  arp: {
    op: 'request' | 'reply';
    ip: string;
    mac?: string;
    srcMac?: string;
    gratuitous?: boolean;
    time?: string;
    senderIp?: string;
    dstMac?: string;
    iface?: string;
  }[];
  /**
   * BGP messages (`OPEN`, `UPDATE`, `NOTIFICATION`, `KEEPALIVE`, `ROUTE-REFRESH`) and TCP control
   * segments on port 179 (`TCP-SYN`, `TCP-SYNACK`, `TCP-RST`, `TCP-FIN`). `src`/`dst` are IPs.
   * NOTIFICATION `detail` reads like FRR's `lastNotificationReason`, e.g. `OPEN Message Error/Bad Peer AS`.
   */
  bgp: {
    src: string;
    dst: string;
    type: string;
    detail?: string;
    time?: string;
    srcPort?: number;
    dstPort?: number;
    /** OPEN: sender AS, hold time (s), BGP identifier. */
    asn?: number;
    holdTime?: number;
    routerId?: string;
    /** NOTIFICATION: error code / subcode numbers. */
    errorCode?: number;
    errorSubcode?: number;
  }[];
  bfd: { src: string; dst: string; state?: string; diagnostic?: string; time?: string }[];
  /**
   * TCP control segments of other ports (SYN, SYN-ACK, RST, FIN; the Services' own traffic when the
   * filter names their IPs), with the interface and direction `-i any` prints (`In`, `Out`).
   * Read from tcpdump's text only.
   */
  tcp?: { src: string; dst: string; srcPort: number; dstPort: number; flags: string; iface?: string; dir?: string; time?: string }[];
  /** ICMP destination-unreachable messages: about which address and port, and the reason tcpdump prints. */
  icmp?: { src: string; dst: string; about: string; proto?: string; port?: number; reason: string; iface?: string; dir?: string; time?: string }[];
  /** Which file the summary was read from. */
  source?: 'pcap' | 'text';
  /** pcap link type (1 Ethernet, 113 Linux SLL, 276 Linux SLL2). */
  linkType?: number;
}

export interface LogStream {
  pod: string;
  namespace: string;
  container: string;
  node?: string;
  previous: boolean;
  path: string;
  records: LogRecord[];
}

export interface LogRecord {
  line: number;
  ts?: string;
  level?: string;
  msg?: string;
  caller?: string;
  /** Remaining JSON fields (e.g. `service`, `ip`, `node`, `error`). */
  fields: Record<string, unknown>;
  /** Non-JSON line, kept verbatim. */
  raw?: string;
  /** Timestamp kubectl/the API prefixed to the line (`--timestamps`), when present. */
  streamTs?: string;
}

/** An empty model, handy for check case tables. */
export function emptyModel(): ClusterModel {
  return {
    notes: [],
    kube: { nodes: [], pods: [], services: [], endpointSlices: [], events: [], daemonSets: [], deployments: [], configMaps: [], webhooks: [] },
    metallb: {
      ipAddressPools: [],
      l2Advertisements: [],
      bgpAdvertisements: [],
      bgpPeers: [],
      bfdProfiles: [],
      communities: [],
      serviceL2Statuses: [],
      serviceBGPStatuses: [],
      configurationStates: [],
    },
    frrk8s: { frrConfigurations: [], frrNodeStates: [], bgpSessionStates: [] },
    nodes: {},
    logs: [],
  };
}
