/**
 * The scenario file format (YAML), as the author writes it. `docs/scenarios.md` documents every
 * field; `schema.ts` is the JSON Schema the loader validates against before building a World.
 */
import type { KubeObject } from '../../model/cluster.js';
import type { Fault } from '../world.js';
import type { DataplaneListener, DataplaneRouter } from './dataplane.js';

export type InstallMode = 'native' | 'frr' | 'frr-k8s';
export type InstallMethod = 'manifest' | 'helm' | 'operator';
export type LogLevel = 'all' | 'debug' | 'info' | 'warn' | 'error' | 'none';

export interface Scenario {
  name: string;
  description?: string;
  /** Served at /version. Default `v1.32.4`. */
  kubernetesVersion?: string;
  /**
   * Pins the world's clock (RFC 3339), e.g. for a recording. Every timestamp (creation times, log
   * lines, events) is placed before it and the server's time filters read the same clock (see
   * ../clock.ts). Default: the moment the world is built.
   */
  time?: string;
  install: InstallSpec;
  kubeProxy?: { mode: 'iptables' | 'ipvs' | 'nftables'; strictARP?: boolean };
  nodes: NodeSpec[];
  /** Shorthand for Service + EndpointSlice + events + status objects + speaker/controller logs. */
  services?: ServiceSpec[];
  /** Further Kubernetes objects, verbatim (MetalLB CRs, extra Services, Events, ...). */
  objects?: KubeObject[];
  logs?: LogSpec[];
  faults?: Fault[];
  dataplane?: DataplaneSpec;
  metrics?: MetricsSpec[];
  /** Per-session BGP history: flaps over a window, uptime, last reset, down at collection time. */
  bgpSessions?: BgpSessionSpec[];
  /** What the nodes and the controller can reach beyond ARP and BGP (docs/scenarios.md `dataPath`). */
  dataPath?: DataPathSpec;
}

/**
 * The path to the API server, between speakers and to the Services' pods, as the connect probes
 * and the controller's DNS and sockets see it. Everything reachable by default.
 */
export interface DataPathSpec {
  /** Pairs of nodes between which TCP and UDP 7946 are dropped (a firewall between two speakers). */
  memberlistBlocked?: [string, string][];
  /** Nodes whose connections to the `kubernetes` Service ClusterIP time out. */
  apiUnreachableFrom?: string[];
  /** Nodes that cannot reach pods on other nodes (CNI, routes, NetworkPolicy): endpoint and LB IP connects time out. */
  endpointsUnreachableFrom?: string[];
  /** Nodes where nothing forwards LoadBalancer IPs (kube-proxy down, or a replacement without LoadBalancer support): LB IP connects time out, endpoints answer. */
  lbIpsNotForwardedOn?: string[];
  /**
   * A client (203.0.113.50) connecting to LoadBalancer IPs during the capture, seen on the node that
   * holds the IP: `answer` `syn-ack` (a listener answers), `rst` (refused), `none` (nothing answers;
   * the client retransmits at 1.5 s and 3.5 s).
   */
  clientTraffic?: { ip: string; port: number; answer: 'syn-ack' | 'rst' | 'none' }[];
  /** A node's default route (the way back to clients outside the segment) through another interface, e.g. `{ worker-1: { dev: eth1, gateway: 203.0.113.1 } }`. */
  defaultRoutes?: Record<string, { dev: string; gateway: string }>;
  controller?: {
    /** `timeout`: no DNS server answers; `nxdomain`: kubernetes.default.svc is not found. Default `ok`. */
    dns?: 'ok' | 'timeout' | 'nxdomain';
    /** `false`: the webhook server is not listening on 9443 (the pod is otherwise running). */
    webhookListening?: boolean;
    /** `false`: the controller's connections to the `kubernetes` Service ClusterIP time out. */
    apiReachable?: boolean;
  };
}

export interface InstallSpec {
  /** MetalLB release, `v0.13.0` … `v0.16.x`. */
  version: string;
  mode: InstallMode;
  /** Default `manifest`. */
  method?: InstallMethod;
  /** Default `metallb-system`. */
  namespace?: string;
  /** Helm release name (method helm). Default `metallb`. */
  helmRelease?: string;
  /** `--log-level` of speaker and controller. Default `info`. */
  logLevel?: LogLevel;
  /** Node that runs the controller pod. Default: the first node without the control-plane role. */
  controllerNode?: string;
  /** The controller Deployment has no ready pod (e.g. crash loop). */
  controller?: PodHealth;
}

export interface PodHealth {
  ready?: boolean;
  restarts?: number;
  /** Reason of the last termination when restarts > 0, e.g. `Error`, `OOMKilled`. Default `Error`. */
  lastTerminationReason?: string;
  /** Container that restarted. Default: the main container (`speaker` / `controller`). */
  container?: string;
}

export interface NodeSpec {
  name: string;
  /** InternalIP. Default: the segment's host .11, .12, … in node order. */
  ip?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  /** Adds `node-role.kubernetes.io/control-plane`, the kubeadm exclusion label and the control-plane taint. */
  controlPlane?: boolean;
  conditions?: { Ready?: 'True' | 'False' | 'Unknown'; NetworkUnavailable?: 'True' | 'False' };
  /** `absent`: no speaker pod on this node (e.g. an untolerated taint). */
  speaker?: 'absent' | PodHealth;
  /** frr-k8s pod health on this node (mode frr-k8s). */
  frrk8s?: PodHealth;
  /** MAC of the segment interface (ip link, ARP replies, captures). Default `02:00:00:00:00:NN`. */
  mac?: string;
  /** Node `spec.providerID`, e.g. `aws:///eu-west-1a/i-0abc`, `gce://project/zone/name`, `azure:///subscriptions/...`. */
  providerID?: string;
  /** Interfaces besides `lo` and the segment interface, in ifindex order after them. */
  interfaces?: NodeInterfaceSpec[];
  /**
   * ARP replies this node sends for LoadBalancer IPs never reach the segment (a cloud's anti-spoofing
   * dropping replies for addresses it did not assign): the speaker answers and its capture shows the
   * reply leaving, nobody else receives it.
   */
  arpRepliesDropped?: boolean;
  /**
   * ARP requests for LoadBalancer IPs never reach this node (a Wi-Fi driver without promiscuous mode
   * drops requests for addresses other than the station's own): nobody on it answers, its capture
   * shows no such request, its speaker logs nothing.
   */
  arpRequestsDropped?: boolean;
}

export interface NodeInterfaceSpec {
  /** e.g. `eth1`, `ib0`, `wlan0`, `eth0.100`. */
  name: string;
  /** `ether` (a second NIC, default), `ipoib` (IP over InfiniBand), `wireless`, `vlan` (needs `parent`, `vlanId`), `bond` (active-backup over `members`). */
  kind?: 'ether' | 'ipoib' | 'wireless' | 'vlan' | 'bond';
  /** bond: names of other `interfaces` it enslaves (they lose their addresses and take the bond's MAC). */
  members?: string[];
  /** IPv4 address with prefix, e.g. `198.51.100.7/24`. */
  address?: string;
  /** Hardware address; default derived from the node and name (20 bytes for ipoib). */
  mac?: string;
  /** Default true. */
  up?: boolean;
  promisc?: boolean;
  parent?: string;
  vlanId?: number;
}

export interface ServiceSpec {
  name: string;
  namespace?: string;
  /** Assigned LoadBalancer IP; omit for a pending service. */
  ip?: string;
  /** Pool the IP came from (annotation `metallb.io/ip-allocated-from-pool`). Default: the pool containing `ip`. */
  pool?: string;
  ports?: { name?: string; port: number; targetPort?: number; protocol?: 'TCP' | 'UDP' }[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
  /** Nodes with a ready endpoint pod. Default: every node with a speaker. `[]`: no ready endpoint, so no node announces. */
  endpoints?: string[];
  /** Nodes with an endpoint pod that is not ready (EndpointSlice `ready: false`), e.g. a crash-looping backend. */
  unreadyEndpoints?: string[];
  /** Warning AllocationFailed reason when `ip` is absent, e.g. `no available IPs`. */
  allocationError?: string;
  /** Override which nodes announce (default: L2 election / every eligible BGP node). */
  announcedBy?: string[];
  annotations?: Record<string, string>;
  /** `spec.loadBalancerIP` style request written as annotation `metallb.io/loadBalancerIPs`. */
  requestedIP?: string;
}

export interface LogLine {
  /** RFC3339Nano time; default: derived from the scenario time. */
  ts?: string;
  text: string;
}

export interface LogSpec {
  /** Pod name; or `component` + `node` to address a derived pod (its name is generated). */
  pod?: string;
  namespace?: string;
  component?: 'speaker' | 'controller' | 'frr-k8s';
  node?: string;
  container: string;
  previous?: boolean;
  /** `append` (default) adds to the derived default log; `replace` replaces it. */
  mode?: 'append' | 'replace';
  /** A string, a MetalLB JSON log object (serialised with sorted keys), or `{ts, text}`. */
  lines: (string | LogLine | Record<string, unknown>)[];
}

export interface MetricsSpec {
  pod?: string;
  component?: 'speaker' | 'controller' | 'frr-k8s';
  node?: string;
  /** Default: the component's metrics port for the version. */
  port?: number;
  /** Prometheus text appended to the derived body. */
  body: string;
  mode?: 'append' | 'replace';
}

export interface DataplaneSpec {
  segment?: string;
  interface?: string;
  routers?: DataplaneRouter[];
  announce?: Record<string, string[]>;
  nodes?: Record<string, { linksDown?: string[]; extraListeners?: DataplaneListener[]; sysctls?: Record<string, string>; routerIdOverride?: string; ipvsAddresses?: string[]; vrfs?: string[] }>;
}

/**
 * History of the BGP sessions to one peer (docs/scenarios.md `bgpSessions`). It overrides what the
 * data plane derives for the matching sessions; every output that shows a session (FRR JSON and
 * text, FRR and speaker logs, metrics, BGPSessionState) reads the result.
 */
export interface BgpSessionSpec {
  /** BGPPeer name or peer address. */
  peer: string;
  /** Only this node's session. Default: every node that peers with `peer`. */
  node?: string;
  /** State at collection time. Default true (Established). `false`: Active after the last drop. */
  established?: boolean;
  /** `count` drops spread over the last `hours` hours, each followed by a re-establishment (except a final drop when `established: false`). */
  flaps?: { count: number; hours?: number };
  /** FRR `lastResetDueTo` text of the last drop, e.g. `BFD down received`, `Peer closed the session`, `BGP Notification received`. */
  lastReset?: string;
  /** NOTIFICATION of the last drop (with `lastReset: BGP Notification received|send`), e.g. `Hold Timer Expired`, `Cease/Administrative Reset`. */
  notification?: string;
  /** FRR `connectionsDropped`. Default: `flaps.count`. */
  connectionsDropped?: number;
  /** Time since the last establishment (`25m`, `3h`, `2d`). Default: from the last flap. */
  uptime?: string;
}
