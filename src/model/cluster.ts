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
import type { Discovery, Manifest } from './bundle.js';

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
  manifest?: Manifest;
  discovery?: Discovery;
  notes: ParseNote[];
  kube: KubeState;
  metallb: MetallbObjects;
  frrk8s: FrrK8sObjects;
  /** Per-node data-plane and FRR state, keyed by node name. */
  nodes: Record<string, NodeState>;
  /** Parsed container logs of MetalLB pods (speaker, controller, frr, frr-k8s). */
  logs: LogStream[];
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
  /** Bundle paths per source, e.g. { 'ip-addr': 'nodes/n1/net/ip-addr.json' }. */
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
}

export interface ArpingResult {
  ip: string;
  iface?: string;
  /** Distinct MACs that answered. */
  macs: string[];
  replies: number;
  path: string;
}

// ---------------------------------------------------------------- FRR

export interface FrrState {
  runningConfig?: FrrConfig;
  /** The config MetalLB wanted (reloader's /etc/frr_reloader/frr.conf or frr-k8s equivalent). */
  desiredConfig?: FrrConfig;
  reloadStatus?: { status: 'success' | 'failure' | 'unknown'; raw: string; path: string };
  neighbors: BgpNeighbor[];
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
  prefixLists: Record<string, { seq?: number; action: 'permit' | 'deny'; prefix: string; le?: number; ge?: number }[]>;
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
  messages?: { notificationsSent?: number; notificationsReceived?: number; updatesSent?: number; updatesReceived?: number };
  /** Prefixes advertised to the peer per address family. */
  sentPrefixes?: Record<string, number>;
  acceptedPrefixes?: Record<string, number>;
  bfdStatus?: string;
  hostLocal?: string;
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
  path: string;
}

// ---------------------------------------------------------------- captures and logs

export interface CaptureSummary {
  path: string;
  packets: number;
  arp: { op: 'request' | 'reply'; ip: string; mac?: string; srcMac?: string; gratuitous?: boolean; time?: string }[];
  bgp: { src: string; dst: string; type: string; detail?: string; time?: string }[];
  bfd: { src: string; dst: string; state?: string; diagnostic?: string; time?: string }[];
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
