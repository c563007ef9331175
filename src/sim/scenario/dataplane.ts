/**
 * The data plane a scenario declares: the node segment, the upstream routers, which node holds which
 * LoadBalancer IP, and per-node deviations. Two consumers read it:
 * - the lab backend (src/lab) builds it for real with network namespaces and FRR;
 * - the replay backend (src/sim/scenario/replay.ts) synthesises command outputs from it.
 *
 * Node FRR configuration is deliberately NOT described here: both consumers render it from the
 * scenario's BGPPeer / BGPAdvertisement / IPAddressPool objects the way MetalLB does
 * (see src/sim/scenario/frr.ts), so the config and the Kubernetes objects can never disagree.
 *
 * Addresses: documentation ranges only — 192.0.2.0/24 for nodes and routers, 198.51.100.0/24 and
 * 203.0.113.0/24 for LoadBalancer IPs and remote peers.
 */

export interface Dataplane {
  /** Node segment (one L2 broadcast domain). Default `192.0.2.0/24`. */
  segment: string;
  /** Interface name of every node and router on the segment. Default `eth0`. */
  interface: string;
  /** Upstream BGP routers on the segment (empty in pure L2 scenarios). */
  routers: DataplaneRouter[];
  /** LoadBalancer IP → names of the nodes that hold it (L2: the elected node; two = duplicate; BGP: on `lo`). */
  announce: Record<string, string[]>;
  /** Per-node deviations from the default node, keyed by node name. */
  nodes: Record<string, DataplaneNodeOverride>;
}

export interface DataplaneRouter {
  name: string;
  /** Address on the segment, e.g. `192.0.2.1`. */
  address: string;
  asn: number;
  /** Default: `address`. */
  routerId?: string;
  /** MD5 password the router expects from every node (compare BGPPeer.password). */
  password?: string;
  /** Router runs BFD towards the nodes. */
  bfd?: boolean;
  /** Prefixes the router refuses inbound (prefix-list deny), e.g. `198.51.100.200/32`. */
  rejectPrefixes?: string[];
  /**
   * bgpd on the router is stopped (SIGSTOP) after the sessions came up, so the nodes' hold timers
   * expire (`Hold Timer Expired`).
   */
  bgpdStopped?: boolean;
  /** BFD daemon on the router is stopped while BGP stays up (BFD down, BGP up until hold time). */
  bfdStopped?: boolean;
  /** The ASN the router expects from the nodes. Default: the BGPPeer `myASN`. */
  expectPeerAsn?: number;
  /**
   * The router keeps one session for the whole cluster: its config names one node, or every node
   * reaches it from one source address (NAT / a shared egress). The kept node is Established; the
   * others get the router's `Cease/Connection Rejected` NOTIFICATION and stay in Active.
   */
  singleSession?: boolean;
  /** The node whose session the router keeps (with `singleSession`). Default: the first node peering with it. */
  singleSessionNode?: string;
}

export interface DataplaneNodeOverride {
  /** Interfaces administratively down on this node (e.g. `eth0` for l2-interface-down). */
  linksDown?: string[];
  /** Foreign listeners, e.g. `{ port: 179, process: 'bird' }` (Calico BIRD / a second bgpd). */
  extraListeners?: DataplaneListener[];
  /** sysctl overrides, key as under /proc/sys with dots (e.g. `net.ipv4.conf.all.arp_ignore`). */
  sysctls?: Record<string, string>;
  /** FRR `bgp router-id` forced on this node (router-id clash). */
  routerIdOverride?: string;
  /** IPs bound to `kube-ipvs0` (kube-proxy IPVS): every node that has the LB IP there answers ARP. */
  ipvsAddresses?: string[];
  /** Linux VRF devices on the node (`ip link add red type vrf`); a BGPPeer `vrf` missing here leaves FRR's VRF instance uninitialised. */
  vrfs?: string[];
}

export interface DataplaneListener {
  port: number;
  /** Process name as `ss -p` shows it. */
  process: string;
  /** Bind address, default `0.0.0.0`. */
  address?: string;
  proto?: 'tcp' | 'udp';
}

export const defaultSegment = '192.0.2.0/24';
export const defaultInterface = 'eth0';

/** A fully defaulted, empty data plane. */
export function emptyDataplane(): Dataplane {
  return { segment: defaultSegment, interface: defaultInterface, routers: [], announce: {}, nodes: {} };
}

/**
 * Deterministic MAC of the n-th host on the segment (nodes from 1, routers after them), as the lab
 * assigns them: 02:00:00:00:00:NN.
 */
export function labMac(index: number): string {
  const hex = index.toString(16).padStart(8, '0');
  return `02:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
}
