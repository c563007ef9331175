/**
 * The one model of MetalLB's announcement decision that the checks and the report both read.
 *
 * For every LoadBalancer service it replays what the speakers decide, as an ordered list of steps
 * that each name the nodes they removed and why (metallb.md §0, §2, §6; upstream
 * speaker/layer2_controller.go ShouldAnnounce and speakersForPool, speaker/bgp_controller.go
 * ShouldAnnounce and syncPeers, internal/k8s/epslices):
 *
 *   service level: loadBalancerClass → IP assigned → pool (annotation / range) → advertisements
 *   selecting the pool and the service (ipAddressPools, ipAddressPoolSelectors, serviceSelectors);
 *   then per protocol, over every node: advertisement nodeSelectors → speaker ready → exclusion
 *   label → NetworkUnavailable → endpoints (externalTrafficPolicy Local: a ready endpoint on the node;
 *   Cluster: a ready endpoint anywhere) → layer 2: the leader hash, then the advertisement
 *   interfaces on the leader; BGP: a BGPPeer selecting the node, every remaining node announces.
 *
 * Layer 2 checks the interfaces after the election because MetalLB does: the election never looks
 * at interfaces, and a leader that has none of them fails to announce (announceFailed) instead of
 * handing the IP to another node.
 *
 * Besides the chain (the first reason that removed each node), every node keeps all the conditions
 * that block it, so checks can ask what-if questions of the same model: "would this node announce
 * if its speaker were ready?" (speaker-missing) or "which nodes are kept out only by the exclusion
 * label?" (node-excluded-from-lb).
 */
import { createHash } from 'node:crypto';
import type { V1Service } from '@kubernetes/client-node';
import type { ClusterModel, KubeObject } from '../../model/cluster.js';
import {
  adSelectsNode,
  adSelectsService,
  bgpAdsForPool,
  controllerLbClass,
  endpointsOf,
  excludeLabel,
  findNode,
  isExcluded,
  isLoadBalancer,
  l2AdsForPool,
  networkUnavailable,
  peersForNode,
  poolOf,
  serviceIPs,
  speakerIgnoresExcludeLabel,
  speakerStatus,
  svcKey,
  type Protocol,
} from './model.js';
import { allocationCauseText, allocationDecision, type AllocationDecision } from './allocate.js';

export type NodeStepKind = 'node-selector' | 'speaker' | 'exclude-label' | 'network-unavailable' | 'endpoints' | 'bgp-peer' | 'leader' | 'interfaces';
export type ServiceStepKind = 'load-balancer-class' | 'ip' | 'pool' | 'advertisement';

export interface Removal {
  node: string;
  why: string;
}

/** A condition a node fails, and the step it belongs to. */
export interface Blocker {
  kind: NodeStepKind;
  why: string;
}

/** The reason every node gets when the service has no ready endpoint at all. */
export const noEndpointAnywhere = 'the service has no ready endpoint';

/** One step of a protocol's chain: what it kept and which nodes it took out. */
export interface AnnounceStep {
  kind: NodeStepKind;
  /** Short name for the chain: "L2Advertisement office", "speaker ready", "leader worker-1". */
  label: string;
  removed: Removal[];
  /** Candidates left after this step. */
  remaining: number;
}

/** A service-level stop: nothing is announced before any node is looked at. */
export interface ServiceStop {
  kind: ServiceStepKind;
  why: string;
}

export interface ProtocolDecision {
  protocol: Protocol;
  /** The advertisements of this protocol selecting the pool and the service. */
  advertisements: KubeObject[];
  steps: AnnounceStep[];
  /** Every condition that keeps a node from announcing, in step order (candidates have none). */
  blockers: Map<string, Blocker[]>;
  /** Nodes that pass every condition; layer 2: in election order (sha256(node#ip)). */
  candidates: string[];
  /** Layer 2: the elected node (first candidate), whether or not it manages to announce. */
  leader?: string;
  /** The nodes expected to announce the IP with this protocol. */
  announcers: string[];
  /** The step that removed the last node, when none announces. */
  emptiedBy?: AnnounceStep;
}

export interface AnnounceDecision {
  svc: V1Service;
  key: string;
  ips: string[];
  /** The IP MetalLB elects by (the first one). */
  ip?: string;
  pool?: KubeObject;
  /** Set when the decision stops before any node is considered (foreign class, no IP, pool, advertisement). */
  stop?: ServiceStop;
  /** The controller's pool selection (allocate.ts): why a pending service has no IP, or where its IP comes from. */
  allocation?: AllocationDecision;
  protocols: Protocol[];
  l2?: ProtocolDecision;
  bgp?: ProtocolDecision;
  /** Union of the protocols' announcers. */
  announcers: string[];
}

export const stepLabels: Record<NodeStepKind, string> = {
  'node-selector': 'advertisement nodeSelectors',
  speaker: 'speaker ready',
  'exclude-label': 'not excluded',
  'network-unavailable': 'network available',
  endpoints: 'endpoints',
  'bgp-peer': 'BGP peers',
  leader: 'leader',
  interfaces: 'interfaces',
};

/** MetalLB's election order: nodes sorted by sha256(node + "#" + ip), the first wins. */
export function electionOrder(nodes: string[], ip: string): string[] {
  const keys = new Map(nodes.map((n) => [n, createHash('sha256').update(`${n}#${ip}`).digest('hex')]));
  return [...nodes].sort((a, b) => (keys.get(a)! < keys.get(b)! ? -1 : keys.get(a)! > keys.get(b)! ? 1 : 0));
}

/** Every node the decision looks at: the Node objects and any node a speaker runs on. */
function candidateUniverse(model: ClusterModel): string[] {
  const names = new Set([...model.kube.nodes.map((n) => n.metadata?.name ?? ''), ...speakerStatus(model).keys()]);
  names.delete('');
  return [...names].sort();
}

interface Condition {
  kind: NodeStepKind;
  label: string;
  /** Why the node fails it, or undefined when it passes. */
  fails: (node: string) => string | undefined;
}

/** Runs the node conditions in order: the chain records the first failure, `blockers` all of them. */
function runConditions(nodes: string[], conditions: Condition[]): { steps: AnnounceStep[]; blockers: Map<string, Blocker[]>; candidates: string[] } {
  const blockers = new Map<string, Blocker[]>();
  const steps: AnnounceStep[] = conditions.map((c) => ({ kind: c.kind, label: c.label, removed: [], remaining: 0 }));
  const candidates: string[] = [];
  for (const node of nodes) {
    const reasons: Blocker[] = [];
    conditions.forEach((c, i) => {
      const why = c.fails(node);
      if (why === undefined) return;
      if (reasons.length === 0) steps[i].removed.push({ node, why });
      reasons.push({ kind: c.kind, why });
    });
    if (reasons.length > 0) blockers.set(node, reasons);
    else candidates.push(node);
  }
  let left = nodes.length;
  for (const step of steps) {
    left -= step.removed.length;
    step.remaining = left;
  }
  return { steps, blockers, candidates };
}

function nodeConditions(model: ClusterModel, svc: V1Service, protocol: Protocol, ads: KubeObject[]): Condition[] {
  const speakers = speakerStatus(model);
  const local = svc.spec?.externalTrafficPolicy === 'Local';
  const endpoints = endpointsOf(model, svc);
  const anyReady = endpoints.some((e) => e.ready);
  const readyNodes = new Set(endpoints.filter((e) => e.ready && e.node).map((e) => e.node!));
  const kind = protocol === 'layer2' ? 'L2Advertisement' : 'BGPAdvertisement';
  const conditions: Condition[] = [
    { kind: 'node-selector', label: `${kind} ${ads.map((a) => a.metadata.name).join(', ')}`, fails: (n) => (ads.some((a) => adSelectsNode(a, findNode(model, n))) ? undefined : `no ${kind} selects this node`) },
    {
      kind: 'speaker',
      label: stepLabels.speaker,
      fails: (n) => {
        const s = speakers.get(n);
        return !s ? 'no speaker pod' : s.ready ? undefined : 'speaker not ready';
      },
    },
  ];
  // --ignore-exclude-lb turns the label off for every speaker.
  if (!speakerIgnoresExcludeLabel(model)) conditions.push({ kind: 'exclude-label', label: stepLabels['exclude-label'], fails: (n) => (isExcluded(findNode(model, n)) ? `labelled ${excludeLabel}` : undefined) });
  conditions.push(
    { kind: 'network-unavailable', label: stepLabels['network-unavailable'], fails: (n) => (networkUnavailable(findNode(model, n)) ? 'NetworkUnavailable condition' : undefined) },
    {
      kind: 'endpoints',
      label: local ? 'ready endpoint on the node (externalTrafficPolicy Local)' : 'a ready endpoint',
      fails: (n) => (!anyReady ? noEndpointAnywhere : local && !readyNodes.has(n) ? 'externalTrafficPolicy Local and no ready endpoint here' : undefined),
    },
  );
  if (protocol === 'bgp') {
    // BGPAdvertisement peers (bgp_controller.go): the route goes only to the named peers; an
    // advertisement without the field goes to every peer of the node.
    const named = ads.some((a) => !((a.spec?.peers ?? []) as string[]).length) ? undefined : new Set(ads.flatMap((a) => (a.spec?.peers ?? []) as string[]));
    conditions.push({
      kind: 'bgp-peer',
      label: stepLabels['bgp-peer'],
      fails: (n) => {
        const peers = peersForNode(model, n);
        if (!peers.length) return 'no BGPPeer selects this node';
        if (named && !peers.some((p) => named.has(p.metadata.name))) return `its BGPPeers (${peers.map((p) => p.metadata.name).join(', ')}) are not in the advertisement's peers (${[...named].join(', ')})`;
        return undefined;
      },
    });
  }
  return conditions;
}

/**
 * Interfaces the leader may answer on (ipAdvertisementFor): the union of `interfaces` of the
 * advertisements selecting the node; undefined when one of them allows every interface.
 */
function allowedInterfaces(model: ClusterModel, ads: KubeObject[], node: string): string[] | undefined {
  const selecting = ads.filter((a) => adSelectsNode(a, findNode(model, node)));
  if (selecting.some((a) => ((a.spec?.interfaces ?? []) as string[]).length === 0)) return undefined;
  return [...new Set(selecting.flatMap((a) => (a.spec?.interfaces ?? []) as string[]))];
}

function decideProtocol(model: ClusterModel, svc: V1Service, ip: string, protocol: Protocol, ads: KubeObject[], nodes: string[]): ProtocolDecision {
  const { steps, blockers, candidates } = runConditions(nodes, nodeConditions(model, svc, protocol, ads));
  const decision: ProtocolDecision = { protocol, advertisements: ads, steps, blockers, candidates, announcers: [] };
  if (protocol === 'bgp') {
    decision.announcers = candidates;
  } else {
    const order = electionOrder(candidates, ip);
    decision.candidates = order;
    decision.leader = order[0];
    if (decision.leader) {
      const leader = decision.leader;
      steps.push({ kind: 'leader', label: `leader ${leader}`, removed: order.slice(1).map((node) => ({ node, why: `lost the election to ${leader}` })), remaining: 1 });
      const allowed = allowedInterfaces(model, ads, leader);
      const links = model.nodes[leader]?.links ?? [];
      // Only with the leader's links collected can we tell; MetalLB then emits announceFailed.
      if (allowed && links.length > 0 && !links.some((l) => allowed.includes(l.ifname))) {
        steps.push({ kind: 'interfaces', label: `interfaces ${allowed.join(', ')}`, removed: [{ node: leader, why: `has none of the interfaces ${allowed.join(', ')} (announceFailed)` }], remaining: 0 });
      } else {
        decision.announcers = [leader];
      }
    }
  }
  if (decision.announcers.length === 0) decision.emptiedBy = [...steps].reverse().find((s) => s.removed.length > 0 && s.remaining === 0);
  return decision;
}

/** The whole decision for one service (any LoadBalancer service; foreign classes stop at the first step). */
export function decideService(model: ClusterModel, svc: V1Service): AnnounceDecision {
  const ips = serviceIPs(svc);
  const decision: AnnounceDecision = { svc, key: svcKey(svc), ips, ip: ips[0], protocols: [], announcers: [] };
  const lbClass = controllerLbClass(model);
  if ((svc.spec?.loadBalancerClass ?? undefined) !== lbClass) {
    decision.stop = { kind: 'load-balancer-class', why: `loadBalancerClass ${svc.spec?.loadBalancerClass ?? '(none)'} is not MetalLB's (${lbClass ?? 'no --lb-class'})` };
    return decision;
  }
  decision.allocation = allocationDecision(model, svc);
  if (!decision.ip) {
    const a = decision.allocation;
    // The rules leave a pool with room: the controller's own word, or else it is not running.
    const why = a.pool ? (a.stated ? `the controller reports "${a.stated.text}"` : `pool ${a.pool} has room: is the controller running?`) : allocationCauseText(a);
    decision.stop = { kind: 'ip', why: `no IP assigned: ${why}` };
    return decision;
  }
  decision.pool = poolOf(model, svc, decision.ip);
  if (!decision.pool) {
    decision.stop = { kind: 'pool', why: `no IPAddressPool contains ${decision.ip}` };
    return decision;
  }
  const l2Ads = l2AdsForPool(model, decision.pool).filter((a) => adSelectsService(a, svc));
  const bgpAds = bgpAdsForPool(model, decision.pool).filter((a) => adSelectsService(a, svc));
  if (!l2Ads.length && !bgpAds.length) {
    decision.stop = { kind: 'advertisement', why: `no L2Advertisement or BGPAdvertisement selects pool ${decision.pool.metadata.name} and this service` };
    return decision;
  }
  const nodes = candidateUniverse(model);
  if (l2Ads.length) decision.l2 = decideProtocol(model, svc, decision.ip, 'layer2', l2Ads, nodes);
  if (bgpAds.length) decision.bgp = decideProtocol(model, svc, decision.ip, 'bgp', bgpAds, nodes);
  decision.protocols = [...(decision.l2 ? (['layer2'] as const) : []), ...(decision.bgp ? (['bgp'] as const) : [])];
  decision.announcers = [...new Set([...(decision.l2?.announcers ?? []), ...(decision.bgp?.announcers ?? [])])];
  return decision;
}

const decisionCache = new WeakMap<ClusterModel, Map<V1Service, AnnounceDecision>>();

/** The decision for every LoadBalancer service of the model, computed once per model. */
export function announceDecisions(model: ClusterModel): Map<V1Service, AnnounceDecision> {
  let all = decisionCache.get(model);
  if (!all) {
    all = new Map(model.kube.services.filter(isLoadBalancer).map((svc) => [svc, decideService(model, svc)]));
    decisionCache.set(model, all);
  }
  return all;
}

export function announceDecision(model: ClusterModel, svc: V1Service): AnnounceDecision {
  return announceDecisions(model).get(svc) ?? decideService(model, svc);
}

/** A node announcing a service (a decision that did not stop), with the service's namespace and name. */
export interface AnnouncedPair {
  d: AnnounceDecision;
  node: string;
  namespace: string;
  name: string;
}

/** Every (service, announcing node) pair of the model: what the data-path checks look at per node. */
export function announcedPairs(model: ClusterModel): AnnouncedPair[] {
  const out: AnnouncedPair[] = [];
  for (const d of announceDecisions(model).values()) {
    if (d.stop) continue;
    const [namespace, name] = d.key.split('/') as [string, string];
    for (const node of d.announcers) out.push({ d, node, namespace, name });
  }
  return out;
}

/** The decision of each protocol that the service uses. */
export function protocolDecisions(d: AnnounceDecision): ProtocolDecision[] {
  return [d.l2, d.bgp].filter((p): p is ProtocolDecision => !!p);
}

/**
 * Nodes that would announce if the conditions of the `ignoring` kinds were lifted: candidates plus
 * the nodes every blocker of which is of those kinds.
 */
export function nodesBlockedOnlyBy(p: ProtocolDecision, ignoring: NodeStepKind[]): string[] {
  const out = [...p.candidates];
  for (const [node, reasons] of p.blockers) if (reasons.every((r) => ignoring.includes(r.kind))) out.push(node);
  return out;
}

/** The first step that blocks `node`, with its reason (undefined for a candidate). */
export function firstBlocker(p: ProtocolDecision, node: string): Blocker | undefined {
  return p.blockers.get(node)?.[0];
}

export interface Duty {
  svc: V1Service;
  ip: string;
  protocol: Protocol;
  /** True when this node cannot be replaced by another one (BGP announcer, or eTP=Local endpoint node). */
  essential: boolean;
}

const dutiesCache = new WeakMap<ClusterModel, Map<boolean, Map<string, Duty[]>>>();

/**
 * What each node is expected to announce when its speaker runs: the decision's nodes with the
 * speaker step (and whether any endpoint exists at all) lifted. Excluded and NetworkUnavailable nodes
 * are left out unless `includeIneligible`, which only the checks about those conditions ask for.
 * Layer 2 duties go to every candidate (any may be elected); eTP=Local ones cannot be replaced.
 */
export function announcementDuties(model: ClusterModel, opts: { includeIneligible?: boolean } = {}): Map<string, Duty[]> {
  let perModel = dutiesCache.get(model);
  if (!perModel) dutiesCache.set(model, (perModel = new Map()));
  const cached = perModel.get(!!opts.includeIneligible);
  if (cached) return cached;
  const out = new Map<string, Duty[]>();
  perModel.set(!!opts.includeIneligible, out);
  const known = new Set(model.kube.nodes.map((n) => n.metadata?.name ?? ''));
  for (const [svc, d] of announceDecisions(model)) {
    if (d.stop || !d.pool) continue;
    const local = svc.spec?.externalTrafficPolicy === 'Local';
    const ips = d.ips.filter((ip) => poolOf(model, svc, ip) === d.pool);
    for (const p of protocolDecisions(d)) {
      const lifted: NodeStepKind[] = ['speaker', ...(opts.includeIneligible ? (['exclude-label', 'network-unavailable'] as const) : [])];
      // Without any endpoint nobody announces, but the duty stays: endpoints come and go. With
      // externalTrafficPolicy Local the duty is only where endpoints are.
      const lift = (b: Blocker) => lifted.includes(b.kind) || (!local && b.why === noEndpointAnywhere);
      const nodes = [...p.candidates, ...[...p.blockers].filter(([, reasons]) => reasons.every(lift)).map(([n]) => n)];
      for (const node of nodes) {
        if (!known.has(node)) continue;
        for (const ip of ips) {
          const duty: Duty = { svc, ip, protocol: p.protocol, essential: p.protocol === 'bgp' || local };
          const list = out.get(node);
          if (list) list.push(duty);
          else out.set(node, [duty]);
        }
      }
    }
  }
  return out;
}
