/**
 * The resolved scenario the World builder, the log/metrics synthesis and the replay backend share:
 * nodes with addresses and MACs, MetalLB config objects, which node announces which IP, and the
 * final data plane.
 */
import type { KubeObject } from '../../model/cluster.js';
import type { SimClock } from '../clock.js';
import type { Dataplane } from './dataplane.js';
import type { DerivedInstall, NodeInfo } from './install.js';
import type { InstallMethod, InstallMode, LogLevel, Scenario } from './types.js';

export interface SimNode extends NodeInfo {
  mac: string;
  controlPlane: boolean;
  networkUnavailable: boolean;
}

export interface SimService {
  namespace: string;
  name: string;
  uid: string;
  ip?: string;
  pool?: string;
  protocols: ('layer2' | 'bgp')[];
  /** Nodes that announce the IP (L2: the leader, or several in a split brain; BGP: every eligible node). */
  announcers: string[];
  /** The L2 leader(s) (one, or several in a split brain). */
  l2Announcers: string[];
  /** Nodes announcing over BGP. */
  bgpAnnouncers: string[];
  /** BGP peers (BGPPeer names) each announcing node advertises to. */
  bgpPeers: string[];
  ports: { name?: string; port: number; targetPort: number; protocol: string }[];
  endpoints: string[];
  /** Nodes whose endpoint is not ready (listed in the EndpointSlice with `ready: false`). */
  unreadyEndpoints: string[];
  /**
   * No ready endpoint: the nodes that announced before the endpoints went away and withdrew, with
   * the speaker's reason (ShouldAnnounce: L2 `notOwner`, BGP `noEndpoints` / `noLocalEndpoints`).
   */
  withdrawn?: { l2: string[]; bgp: string[]; bgpReason: 'noEndpoints' | 'noLocalEndpoints' };
  allocationError?: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
}

export interface SimModel {
  scenario: Scenario;
  name: string;
  /** The world's time when it was built; scenario times are placed before it. */
  now: Date;
  /** The world's clock, for answers computed at request time (captures). */
  clock: SimClock;
  namespace: string;
  version: string;
  mode: InstallMode;
  method: InstallMethod;
  logLevel: LogLevel;
  install: DerivedInstall;
  nodes: SimNode[];
  nodeByName: Map<string, SimNode>;
  pools: KubeObject[];
  l2Advertisements: KubeObject[];
  bgpAdvertisements: KubeObject[];
  bgpPeers: KubeObject[];
  bfdProfiles: KubeObject[];
  communities: KubeObject[];
  /** Secrets by name in the MetalLB namespace (passwordSecret lookups). */
  secrets: Map<string, KubeObject>;
  services: SimService[];
  dataplane: Dataplane;
  kubeProxy: { mode: 'iptables' | 'ipvs' | 'nftables'; strictARP: boolean };
}
