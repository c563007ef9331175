/**
 * Per-service view of who should announce a LoadBalancer IP and who was seen doing it. The expected
 * L2 announcer is recomputed the way MetalLB's speakers elect it (metallb.md §0, §6): the candidate
 * nodes (ready speaker, not excluded, not NetworkUnavailable, selected by an L2Advertisement, with a
 * ready endpoint when externalTrafficPolicy is Local) sorted by sha256(node + "#" + ip); the first wins.
 */
import { createHash } from 'node:crypto';
import type { V1Service } from '@kubernetes/client-node';
import type { ClusterModel, KubeObject } from '../model/cluster.js';
import { poolEntryContains } from './ip.js';
import { anySelectorMatches, type LabelSelector } from '../util/label-selectors.js';

export const excludeFromLbLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface MacSighting {
  mac: string;
  /** Node whose interface has this MAC, when known. */
  node?: string;
  /** Where it was seen: arping from a node, a capture, a neighbour table. */
  sources: string[];
}

export interface ServiceAnalysis {
  namespace: string;
  name: string;
  ips: string[];
  pending: boolean;
  pool?: string;
  modes: ('layer2' | 'bgp')[];
  externalTrafficPolicy: string;
  l2?: { ip: string; expected?: string; candidates: string[]; excluded: { node: string; why: string }[] };
  expectedBgpNodes: string[];
  observed: {
    /** Nodes named by `nodeAssigned` events, per protocol. */
    events: { node: string; protocol: string }[];
    l2Status: string[];
    macs: MacSighting[];
    /** Nodes whose FRR originates the IP, and whether a session is Established to carry it. */
    bgp: { node: string; established: number; peers: number }[];
  };
  endpoints: { node: string; ready: number; total: number }[];
  verdict: 'ok' | 'conflict' | 'mismatch' | 'pending' | 'not-announced' | 'unknown';
  verdictText: string;
}

export function l2Order(nodes: string[], ip: string): string[] {
  const hashed = nodes.map((node) => ({ node, hash: createHash('sha256').update(`${node}#${ip}`).digest('hex') }));
  hashed.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return hashed.map((entry) => entry.node);
}

export function serviceIps(service: V1Service): string[] {
  const ingress = service.status?.loadBalancer?.ingress ?? [];
  return ingress.map((entry) => entry.ip ?? entry.hostname ?? '').filter((ip) => ip !== '');
}

export function poolOf(model: ClusterModel, service: V1Service, ips: string[]): string | undefined {
  const annotations = service.metadata?.annotations ?? {};
  const annotated = annotations['metallb.io/ip-allocated-from-pool'] ?? annotations['metallb.universe.tf/ip-allocated-from-pool'];
  if (annotated) return annotated;
  for (const pool of model.metallb.ipAddressPools) {
    const entries: string[] = Array.isArray(pool.spec?.addresses) ? pool.spec.addresses : [];
    if (ips.some((ip) => entries.some((entry) => typeof entry === 'string' && poolEntryContains(entry, ip)))) return pool.metadata.name;
  }
  return undefined;
}

function advertisementSelectsPool(advertisement: KubeObject, pool: KubeObject | undefined, poolName: string): boolean {
  const names: string[] = advertisement.spec?.ipAddressPools ?? [];
  const selectors: LabelSelector[] = advertisement.spec?.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && selectors.length === 0) return true;
  if (names.includes(poolName)) return true;
  return selectors.length > 0 && anySelectorMatches(selectors, pool?.metadata.labels);
}

/** Speaker readiness per node from discovery, falling back to the pod list. */
export function speakerReadiness(model: ClusterModel): Map<string, { pod: string; ready: boolean; restarts: number }> {
  const result = new Map<string, { pod: string; ready: boolean; restarts: number }>();
  for (const speaker of model.discovery?.speakers ?? []) {
    if (speaker.node) result.set(speaker.node, { pod: speaker.name, ready: speaker.ready, restarts: speaker.restarts });
  }
  if (result.size > 0) return result;
  for (const pod of model.kube.pods) {
    const isSpeaker = pod.metadata?.labels?.component === 'speaker' || pod.metadata?.labels?.['app.kubernetes.io/component'] === 'speaker' || (pod.spec?.containers ?? []).some((c) => c.name === 'speaker');
    const node = pod.spec?.nodeName;
    if (!isSpeaker || !node) continue;
    const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    const restarts = (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
    result.set(node, { pod: pod.metadata?.name ?? '', ready, restarts });
  }
  return result;
}

/** MAC address → node, from every node's links and interface addresses. */
export function macOwners(model: ClusterModel): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [node, state] of Object.entries(model.nodes)) {
    for (const link of state.links) if (link.mac && link.mac !== '00:00:00:00:00:00') owners.set(link.mac.toLowerCase(), node);
    for (const iface of state.addresses) if (iface.mac && iface.mac !== '00:00:00:00:00:00') owners.set(iface.mac.toLowerCase(), node);
  }
  return owners;
}

function endpointsPerNode(model: ClusterModel, namespace: string, name: string): { node: string; ready: number; total: number }[] {
  const perNode = new Map<string, { ready: number; total: number }>();
  for (const slice of model.kube.endpointSlices) {
    if (slice.metadata?.namespace !== namespace || slice.metadata?.labels?.['kubernetes.io/service-name'] !== name) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const node = endpoint.nodeName ?? '(no node)';
      const entry = perNode.get(node) ?? { ready: 0, total: 0 };
      entry.total += 1;
      // A missing `ready` condition means ready (EndpointSlice API semantics).
      if (endpoint.conditions?.ready !== false) entry.ready += 1;
      perNode.set(node, entry);
    }
  }
  return [...perNode.entries()].map(([node, counts]) => ({ node, ...counts })).sort((a, b) => a.node.localeCompare(b.node));
}

const nodeAssignedPattern = /announcing from node "([^"]+)" with protocol "([^"]+)"/;

export function analyzeServices(model: ClusterModel): ServiceAnalysis[] {
  const speakers = speakerReadiness(model);
  const owners = macOwners(model);
  const nodeObjects = new Map(model.kube.nodes.map((node) => [node.metadata?.name ?? '', node]));
  const allNodes = [...new Set([...nodeObjects.keys(), ...speakers.keys()])].filter((n) => n !== '').sort();
  const pools = new Map(model.metallb.ipAddressPools.map((pool) => [pool.metadata.name, pool]));
  const results: ServiceAnalysis[] = [];

  for (const service of model.kube.services) {
    if (service.spec?.type && service.spec.type !== 'LoadBalancer') continue;
    const namespace = service.metadata?.namespace ?? 'default';
    const name = service.metadata?.name ?? '';
    const ips = serviceIps(service);
    const pool = poolOf(model, service, ips);
    const poolObject = pool ? pools.get(pool) : undefined;
    const l2Ads = pool ? model.metallb.l2Advertisements.filter((ad) => advertisementSelectsPool(ad, poolObject, pool)) : [];
    const bgpAds = pool ? model.metallb.bgpAdvertisements.filter((ad) => advertisementSelectsPool(ad, poolObject, pool)) : [];
    const modes: ServiceAnalysis['modes'] = [];
    if (l2Ads.length > 0) modes.push('layer2');
    if (bgpAds.length > 0) modes.push('bgp');
    const externalTrafficPolicy = service.spec?.externalTrafficPolicy ?? 'Cluster';
    const endpoints = endpointsPerNode(model, namespace, name);
    const nodesWithReadyEndpoint = new Set(endpoints.filter((e) => e.ready > 0).map((e) => e.node));

    const baseExclusion = (node: string): string | undefined => {
      const speaker = speakers.get(node);
      if (!speaker) return 'no speaker';
      if (!speaker.ready) return 'speaker not ready';
      const object = nodeObjects.get(node);
      if (object?.metadata?.labels && excludeFromLbLabel in object.metadata.labels) return 'exclude-from-external-load-balancers label';
      if ((object?.status?.conditions ?? []).some((c) => c.type === 'NetworkUnavailable' && c.status === 'True')) return 'NetworkUnavailable';
      if (externalTrafficPolicy === 'Local' && !nodesWithReadyEndpoint.has(node)) return 'no ready endpoint (externalTrafficPolicy Local)';
      return undefined;
    };
    const selectedBy = (ads: KubeObject[], node: string): boolean =>
      ads.some((ad) => anySelectorMatches(ad.spec?.nodeSelectors as LabelSelector[] | undefined, nodeObjects.get(node)?.metadata?.labels));

    let l2: ServiceAnalysis['l2'];
    if (modes.includes('layer2') && ips.length > 0) {
      const excluded: { node: string; why: string }[] = [];
      const candidates: string[] = [];
      for (const node of allNodes) {
        const why = baseExclusion(node) ?? (selectedBy(l2Ads, node) ? undefined : 'not selected by any L2Advertisement nodeSelectors');
        if (why) excluded.push({ node, why });
        else candidates.push(node);
      }
      const ordered = l2Order(candidates, ips[0]);
      l2 = { ip: ips[0], expected: ordered[0], candidates: ordered, excluded };
    }
    const expectedBgpNodes = modes.includes('bgp') ? allNodes.filter((node) => !baseExclusion(node) && selectedBy(bgpAds, node)) : [];

    const events: { node: string; protocol: string }[] = [];
    for (const event of model.kube.events) {
      if (event.involvedObject?.kind !== 'Service' || event.involvedObject.name !== name || (event.involvedObject.namespace ?? event.metadata?.namespace) !== namespace) continue;
      if (event.reason !== 'nodeAssigned') continue;
      const match = nodeAssignedPattern.exec(event.message ?? '');
      if (match && !events.some((e) => e.node === match[1] && e.protocol === match[2])) events.push({ node: match[1], protocol: match[2] });
    }
    const l2Status = model.metallb.serviceL2Statuses
      .filter((status) => (status.status?.serviceName ?? status.metadata.labels?.['metallb.io/service-name']) === name && (status.status?.serviceNamespace ?? status.metadata.labels?.['metallb.io/service-namespace']) === namespace)
      .map((status) => String(status.status?.node ?? status.metadata.labels?.['metallb.io/node'] ?? '?'));

    const macs = new Map<string, MacSighting>();
    const sight = (mac: string | undefined, source: string): void => {
      if (!mac) return;
      const key = mac.toLowerCase();
      const entry = macs.get(key) ?? { mac: key, node: owners.get(key), sources: [] };
      if (!entry.sources.includes(source)) entry.sources.push(source);
      macs.set(key, entry);
    };
    const bgp: ServiceAnalysis['observed']['bgp'] = [];
    for (const [node, state] of Object.entries(model.nodes)) {
      for (const probe of state.arping) if (ips.includes(probe.ip)) for (const mac of probe.macs) sight(mac, `arping from ${node}`);
      for (const packet of state.capture?.arp ?? []) if (packet.op === 'reply' && ips.includes(packet.ip)) sight(packet.mac ?? packet.srcMac, `capture on ${node}`);
      const originates = (state.frr?.routes ?? []).some((route) => route.local && ips.some((ip) => route.prefix === ip || route.prefix.startsWith(`${ip}/`)));
      if (originates) {
        const neighbors = state.frr?.neighbors ?? [];
        bgp.push({ node, established: neighbors.filter((n) => n.state === 'Established').length, peers: neighbors.length });
      }
    }

    const analysis: ServiceAnalysis = {
      namespace,
      name,
      ips,
      pending: ips.length === 0,
      pool,
      modes,
      externalTrafficPolicy,
      l2,
      expectedBgpNodes,
      observed: { events, l2Status, macs: [...macs.values()], bgp: bgp.sort((a, b) => a.node.localeCompare(b.node)) },
      endpoints,
      verdict: 'unknown',
      verdictText: '',
    };
    Object.assign(analysis, verdictOf(analysis));
    results.push(analysis);
  }
  return results.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

function verdictOf(s: ServiceAnalysis): Pick<ServiceAnalysis, 'verdict' | 'verdictText'> {
  if (s.pending) return { verdict: 'pending', verdictText: 'no IP assigned' };
  if (s.observed.macs.length > 1) return { verdict: 'conflict', verdictText: `${s.observed.macs.length} MACs answer ARP` };
  if (s.modes.length === 0) return { verdict: 'not-announced', verdictText: s.pool ? `no advertisement selects pool ${s.pool}` : 'no pool found for the IP' };
  if (s.l2) {
    const announced = [...new Set([...s.observed.events.filter((e) => e.protocol === 'layer2').map((e) => e.node), ...s.observed.l2Status])];
    if (!s.l2.expected) return { verdict: 'not-announced', verdictText: 'no candidate node can announce' };
    if (announced.length > 1) return { verdict: 'conflict', verdictText: `${announced.length} nodes claim the IP` };
    if (announced.length === 1 && announced[0] !== s.l2.expected) return { verdict: 'mismatch', verdictText: `announced by ${announced[0]}, expected ${s.l2.expected}` };
    const arpNode = s.observed.macs[0]?.node;
    if (arpNode && arpNode !== s.l2.expected) return { verdict: 'mismatch', verdictText: `ARP answered by ${arpNode}, expected ${s.l2.expected}` };
    if (announced.length === 0 && s.observed.macs.length === 0 && s.modes.length === 1) return { verdict: 'unknown', verdictText: 'no announcement observed' };
  }
  if (s.modes.includes('bgp')) {
    const carrying = s.observed.bgp.filter((b) => b.established > 0).map((b) => b.node);
    const stuck = s.observed.bgp.filter((b) => b.established === 0).map((b) => b.node);
    if (s.expectedBgpNodes.length === 0) return { verdict: 'not-announced', verdictText: 'no node may advertise it' };
    if (stuck.length > 0) return { verdict: 'mismatch', verdictText: `not carried by ${stuck.join(', ')} (no Established session)` };
    if (carrying.length === 0 && s.observed.bgp.length === 0 && !s.l2) return { verdict: 'unknown', verdictText: 'no BGP state collected' };
  }
  return { verdict: 'ok', verdictText: 'as expected' };
}
