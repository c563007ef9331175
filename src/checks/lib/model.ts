/**
 * Read-only accessors over the ClusterModel that several checks share: which services MetalLB
 * handles, which pool an IP came from, which advertisements select a pool or node, where speakers run.
 * Everything here mirrors MetalLB's own rules (metallb.md §2) so checks agree with each other.
 */
import type { V1Node, V1Pod, V1Service, CoreV1Event } from '@kubernetes/client-node';
import type { ClusterModel, KubeObject } from '../../model/cluster.js';
import { parseRange, rangeContains, type IpRange } from './ip.js';
import { anySelectorMatches, selectorMatches, type LabelSelector } from '../../util/label-selectors.js';

export const excludeLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Bundle paths of the cluster-wide lists (src/model/bundle.ts). */
export const clusterPath = {
  nodes: 'cluster/nodes.json',
  pods: 'cluster/pods.json',
  services: 'cluster/services.json',
  endpointSlices: 'cluster/endpointslices.json',
  events: 'cluster/events.json',
  daemonSets: 'cluster/daemonsets.json',
  deployments: 'cluster/deployments.json',
  configMaps: 'cluster/configmaps.json',
  kubeProxy: 'cluster/kube-proxy-configmap.json',
  webhooks: 'cluster/validatingwebhookconfigurations.json',
  metallb: (plural: string) => `cluster/metallb.io/${plural}.json`,
  frrk8s: (plural: string) => `cluster/frrk8s.metallb.io/${plural}.json`,
} as const;

export function metallbNamespace(model: ClusterModel): string {
  if (model.discovery?.namespace) return model.discovery.namespace;
  const speaker = model.kube.pods.find(isSpeakerPod);
  return speaker?.metadata?.namespace ?? 'metallb-system';
}

export const svcKey = (svc: V1Service): string => `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? '?'}`;
export const svcSubject = (svc: V1Service) => ({ kind: 'Service', namespace: svc.metadata?.namespace ?? 'default', name: svc.metadata?.name ?? '?' });
export const nodeSubject = (name: string) => ({ kind: 'Node', name });

function containerArgs(spec: { containers?: { name?: string; args?: string[]; command?: string[] }[] } | undefined, name: string): string[] {
  const c = spec?.containers?.find((x) => x.name === name);
  return [...(c?.command ?? []), ...(c?.args ?? [])];
}

/** The controller's `--lb-class` (services with another class are not MetalLB's). */
export function controllerLbClass(model: ClusterModel): string | undefined {
  for (const d of model.kube.deployments) {
    const args = containerArgs(d.spec?.template?.spec as any, 'controller');
    for (let i = 0; i < args.length; i++) {
      const m = /^--lb-class=(.*)$/.exec(args[i]);
      if (m) return m[1];
      if (args[i] === '--lb-class' && args[i + 1]) return args[i + 1];
    }
  }
  return undefined;
}

/** Speaker started with `--ignore-exclude-lb` (then the exclude label does not apply). */
export function speakerIgnoresExcludeLabel(model: ClusterModel): boolean {
  return model.kube.daemonSets.some((d) => containerArgs(d.spec?.template?.spec as any, 'speaker').some((a) => /^--ignore-exclude-lb(=true)?$/.test(a)));
}

export function isLoadBalancer(svc: V1Service): boolean {
  return svc.spec?.type === 'LoadBalancer';
}

/** LoadBalancer services MetalLB is responsible for (loadBalancerClass filter, metallb.md §2.8). */
export function metallbServices(model: ClusterModel): V1Service[] {
  const lbClass = controllerLbClass(model);
  return model.kube.services.filter((s) => isLoadBalancer(s) && (s.spec?.loadBalancerClass ?? undefined) === lbClass);
}

export function serviceIPs(svc: V1Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
}

export function annotation(obj: { metadata?: { annotations?: Record<string, string> } }, name: string): string | undefined {
  const a = obj.metadata?.annotations ?? {};
  return a[`metallb.io/${name}`] ?? a[`metallb.universe.tf/${name}`];
}

export function requestedIPs(svc: V1Service): string[] {
  const list = annotation(svc, 'loadBalancerIPs')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  if (svc.spec?.loadBalancerIP) list.push(svc.spec.loadBalancerIP);
  return list;
}

const rangeCache = new WeakMap<KubeObject, IpRange[]>();

export function poolRanges(pool: KubeObject): IpRange[] {
  return memo(rangeCache, pool, () => ((pool.spec?.addresses ?? []) as string[]).map(parseRange).filter((r): r is IpRange => !!r));
}

export function poolContains(pool: KubeObject, ip: string): boolean {
  return poolRanges(pool).some((r) => rangeContains(r, ip));
}

/** The pool an IP was allocated from: the controller's annotation, else the pool containing it. */
export function poolOf(model: ClusterModel, svc: V1Service, ip: string): KubeObject | undefined {
  const named = annotation(svc, 'ip-allocated-from-pool');
  const pools = model.metallb.ipAddressPools;
  return (named ? pools.find((p) => p.metadata.name === named && poolContains(p, ip)) : undefined) ?? pools.find((p) => poolContains(p, ip));
}

function adSelectsPool(ad: KubeObject, pool: KubeObject): boolean {
  const names: string[] = ad.spec?.ipAddressPools ?? [];
  const selectors: LabelSelector[] = ad.spec?.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && selectors.length === 0) return true;
  return names.includes(pool.metadata.name) || selectors.some((s) => selectorMatches(s, pool.metadata.labels));
}

export function l2AdsForPool(model: ClusterModel, pool: KubeObject): KubeObject[] {
  return model.metallb.l2Advertisements.filter((ad) => adSelectsPool(ad, pool));
}

export function bgpAdsForPool(model: ClusterModel, pool: KubeObject): KubeObject[] {
  return model.metallb.bgpAdvertisements.filter((ad) => adSelectsPool(ad, pool));
}

export function adSelectsNode(ad: KubeObject, node: V1Node | undefined): boolean {
  return anySelectorMatches(ad.spec?.nodeSelectors, node?.metadata?.labels);
}

/** Advertisement serviceSelectors (v0.16) must match the service too. */
export function adSelectsService(ad: KubeObject, svc: V1Service): boolean {
  return anySelectorMatches(ad.spec?.serviceSelectors, svc.metadata?.labels);
}

/**
 * Per-list indexes, keyed on the list object itself: a model is read-only once built, and a new list
 * (another model, a test) simply gets its own index. Keeps checks linear on 1000-node bundles.
 */
function memo<K extends object, V>(cache: WeakMap<K, V>, key: K, build: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = build();
    cache.set(key, v);
  }
  return v;
}
const nodeIndex = new WeakMap<V1Node[], Map<string, V1Node>>();

export function findNode(model: ClusterModel, name: string | undefined): V1Node | undefined {
  if (name === undefined) return undefined;
  return memo(nodeIndex, model.kube.nodes, () => new Map(model.kube.nodes.map((n) => [n.metadata?.name ?? '', n]))).get(name);
}

export function nodeNames(model: ClusterModel): string[] {
  return model.kube.nodes.map((n) => n.metadata?.name ?? '').filter(Boolean);
}

export function isExcluded(node: V1Node | undefined): boolean {
  return !!node?.metadata?.labels && excludeLabel in node.metadata.labels;
}

export function networkUnavailable(node: V1Node | undefined): boolean {
  return !!node?.status?.conditions?.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True');
}

export function nodeAddresses(node: V1Node): { type: string; address: string }[] {
  return (node.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address }));
}

function hasContainer(pod: V1Pod, name: string): boolean {
  return !!pod.spec?.containers?.some((c) => c.name === name);
}

export function isSpeakerPod(pod: V1Pod): boolean {
  const l = pod.metadata?.labels ?? {};
  return l.component === 'speaker' || l['app.kubernetes.io/component'] === 'speaker' || hasContainer(pod, 'speaker');
}

export function isControllerPod(pod: V1Pod): boolean {
  const l = pod.metadata?.labels ?? {};
  return (l.component === 'controller' || l['app.kubernetes.io/component'] === 'controller' || (hasContainer(pod, 'controller') && l.app !== 'frr-k8s')) && !isSpeakerPod(pod);
}

export function podReady(pod: V1Pod): boolean {
  return !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function podRestarts(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/** Speaker pod per node (the newest one if several). */
const speakerIndex = new WeakMap<V1Pod[], Map<string, V1Pod>>();
const readyIndex = new WeakMap<ClusterModel, Set<string>>();

export function speakerByNode(model: ClusterModel): Map<string, V1Pod> {
  return memo(speakerIndex, model.kube.pods, () => {
    const out = new Map<string, V1Pod>();
    for (const p of model.kube.pods.filter(isSpeakerPod)) {
      const node = p.spec?.nodeName;
      if (node) out.set(node, p);
    }
    return out;
  });
}

export interface SpeakerStatus {
  pod: string;
  ready: boolean;
  restarts: number;
}

const statusIndex = new WeakMap<ClusterModel, Map<string, SpeakerStatus>>();

/**
 * The speaker of each node and whether it is usable, as both the announcement model and the report
 * show it. MetalLB counts a speaker while it is a live memberlist member; from the API the closest
 * observation is the pod's Ready condition (its readiness probe is the speaker's own health
 * endpoint). The pod list is read first; discovery's copy of it serves bundles without one.
 */
export function speakerStatus(model: ClusterModel): Map<string, SpeakerStatus> {
  return memo(statusIndex, model, () => {
    const out = new Map<string, SpeakerStatus>();
    for (const [node, pod] of speakerByNode(model)) out.set(node, { pod: pod.metadata?.name ?? '', ready: podReady(pod), restarts: podRestarts(pod) });
    if (out.size === 0) for (const s of model.discovery?.speakers ?? []) if (s.node) out.set(s.node, { pod: s.name, ready: s.ready, restarts: s.restarts });
    return out;
  });
}

/** Nodes whose speaker is Ready: MetalLB's "usable speakers" approximated from the API. */
export function readySpeakerNodes(model: ClusterModel): Set<string> {
  return memo(readyIndex, model, () => new Set([...speakerStatus(model)].filter(([, s]) => s.ready).map(([n]) => n)));
}

const eventIndex = new WeakMap<CoreV1Event[], Map<string, CoreV1Event[]>>();

export function eventsFor(model: ClusterModel, kind: string, namespace: string | undefined, name: string): CoreV1Event[] {
  const byName = memo(eventIndex, model.kube.events, () => {
    const m = new Map<string, CoreV1Event[]>();
    for (const e of model.kube.events) {
      const k = `${e.involvedObject?.kind}|${e.involvedObject?.name}`;
      m.set(k, [...(m.get(k) ?? []), e]);
    }
    return m;
  });
  return (byName.get(`${kind}|${name}`) ?? []).filter((e) => namespace === undefined || (e.involvedObject?.namespace ?? namespace) === namespace);
}

export interface EndpointInfo {
  ip: string;
  node?: string;
  ready: boolean;
}

const sliceIndex = new WeakMap<ClusterModel['kube']['endpointSlices'], Map<string, ClusterModel['kube']['endpointSlices']>>();

export function endpointsOf(model: ClusterModel, svc: V1Service): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  const bySvc = memo(sliceIndex, model.kube.endpointSlices, () => {
    const m = new Map<string, ClusterModel['kube']['endpointSlices']>();
    for (const slice of model.kube.endpointSlices) {
      const k = `${slice.metadata?.namespace}/${slice.metadata?.labels?.['kubernetes.io/service-name']}`;
      m.set(k, [...(m.get(k) ?? []), slice]);
    }
    return m;
  });
  for (const slice of bySvc.get(`${svc.metadata?.namespace}/${svc.metadata?.name}`) ?? []) {
    for (const ep of slice.endpoints ?? []) {
      // MetalLB's epslices.EndpointCanServe: ready (a missing `ready` counts as ready), or not ready
      // but still serving (a terminating pod draining its connections).
      const ready = ep.conditions?.ready !== false || ep.conditions?.serving === true;
      for (const ip of ep.addresses ?? []) out.push({ ip, node: ep.nodeName, ready });
    }
  }
  return out;
}

/** MetalLB's `activeEndpointExists`: at least one ready endpoint. */
export function hasReadyEndpoint(model: ClusterModel, svc: V1Service): boolean {
  return endpointsOf(model, svc).some((e) => e.ready);
}

export function readyEndpointNodes(model: ClusterModel, svc: V1Service): Set<string> {
  return new Set(endpointsOf(model, svc).filter((e) => e.ready && e.node).map((e) => e.node!));
}

/** MAC address → node name, from every collected link. */
export function macOwners(model: ClusterModel): Map<string, { node: string; ifname: string }> {
  const out = new Map<string, { node: string; ifname: string }>();
  for (const [node, st] of Object.entries(model.nodes)) {
    for (const l of st.links) if (l.mac && l.mac !== '00:00:00:00:00:00') out.set(l.mac.toLowerCase(), { node, ifname: l.ifname });
    for (const a of st.addresses) if (a.mac && a.mac !== '00:00:00:00:00:00' && !out.has(a.mac.toLowerCase())) out.set(a.mac.toLowerCase(), { node, ifname: a.ifname });
  }
  return out;
}

export type Protocol = 'layer2' | 'bgp';

/** BGPPeers whose nodeSelectors select the node. */
const peerIndex = new WeakMap<KubeObject[], Map<string, KubeObject[]>>();

export function peersForNode(model: ClusterModel, node: string): KubeObject[] {
  const byNode = memo(peerIndex, model.metallb.bgpPeers, () => new Map<string, KubeObject[]>());
  let peers = byNode.get(node);
  if (!peers) {
    const n = findNode(model, node);
    peers = model.metallb.bgpPeers.filter((p) => anySelectorMatches(p.spec?.nodeSelectors, n?.metadata?.labels));
    byNode.set(node, peers);
  }
  return peers;
}

/** `announcing from node "x" with protocol "layer2"` events, per service key. */
export function nodeAssignedEvents(model: ClusterModel, svc: V1Service): { node: string; protocol: string; event: CoreV1Event }[] {
  const out: { node: string; protocol: string; event: CoreV1Event }[] = [];
  for (const e of eventsFor(model, 'Service', svc.metadata?.namespace, svc.metadata?.name ?? '')) {
    if (e.reason !== 'nodeAssigned') continue;
    const m = /announcing from node "([^"]+)" with protocol "([^"]+)"/.exec(e.message ?? '');
    if (m) out.push({ node: m[1], protocol: m[2], event: e });
  }
  return out;
}

/** ServiceL2Status objects for a service (one per announcing speaker). */
export function l2StatusesFor(model: ClusterModel, svc: V1Service): KubeObject[] {
  return model.metallb.serviceL2Statuses.filter((s) => {
    const st = s.status ?? {};
    const l = s.metadata.labels ?? {};
    const name = st.serviceName ?? l['metallb.io/service-name'];
    const ns = st.serviceNamespace ?? l['metallb.io/service-namespace'];
    return name === svc.metadata?.name && ns === svc.metadata?.namespace;
  });
}

export function statusNode(s: KubeObject): string | undefined {
  return s.status?.node ?? s.metadata.labels?.['metallb.io/node'];
}

/** The node(s) observed announcing a layer2 service: ServiceL2Status first, then events. */
export function observedL2Announcers(model: ClusterModel, svc: V1Service): { nodes: string[]; source: 'servicel2status' | 'events' | 'none' } {
  const st = [...new Set(l2StatusesFor(model, svc).map(statusNode).filter((n): n is string => !!n))];
  if (st.length) return { nodes: st, source: 'servicel2status' };
  const ev = [...new Set(nodeAssignedEvents(model, svc).filter((e) => e.protocol === 'layer2').map((e) => e.node))];
  if (ev.length) return { nodes: ev, source: 'events' };
  return { nodes: [], source: 'none' };
}

export function mode(model: ClusterModel): 'native' | 'frr' | 'frr-k8s' {
  if (model.discovery?.mode) return model.discovery.mode;
  for (const p of model.kube.pods.filter(isSpeakerPod)) {
    const speaker = p.spec?.containers?.find((c) => c.name === 'speaker');
    const env = speaker?.env?.find((e) => e.name === 'METALLB_BGP_TYPE')?.value;
    if (env === 'frr' || env === 'frr-k8s') return env;
    if (hasContainer(p, 'frr')) return 'frr';
  }
  return 'native';
}

/** Log records across MetalLB containers, optionally restricted to one container name. */
export function* logRecords(model: ClusterModel, container?: string | string[]) {
  const wanted = container === undefined ? undefined : Array.isArray(container) ? container : [container];
  for (const stream of model.logs) {
    if (wanted && !wanted.includes(stream.container)) continue;
    for (const record of stream.records) yield { stream, record, text: record.raw ?? `${record.msg ?? ''} ${JSON.stringify(record.fields)}` };
  }
}

export function nodeReady(node: V1Node | undefined): boolean {
  return !!node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}
