/**
 * Per-service view of who should announce a LoadBalancer IP and who was seen doing it (the report's
 * services table and diff read it). Who should
 * announce is read from the announcement model the checks use (src/checks/lib/announce.ts), never
 * recomputed here, so the table and the findings cannot disagree; this file adds the observations
 * (events, ServiceL2Status, ARP replies, BGP routes), a verdict, and the chain of the model's steps
 * in words.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { ClusterModel } from '../../model/cluster.js';
import { announceDecision, type AnnounceDecision, type AnnounceStep, type ProtocolDecision } from './announce.js';
import { endpointsOf, l2StatusesFor, macOwners, nodeAssignedEvents, speakerStatus, statusNode, type SpeakerStatus } from './model.js';

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
  /** `expected` is the model's announcer (undefined when the elected node cannot announce). */
  l2?: { ip: string; expected?: string; leader?: string; candidates: string[]; excluded: { node: string; why: string }[] };
  expectedBgpNodes: string[];
  /** The announcement model's decision, which the checks read too. */
  decision: AnnounceDecision;
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

/** Speaker per node, as the announcement model's "speaker ready" step sees it. */
export function speakerReadiness(model: ClusterModel): Map<string, SpeakerStatus> {
  return speakerStatus(model);
}

/** Node names in one phrase: at most `keep`, then "+N more". */
export function nodeList(nodes: string[], keep = 8): string {
  return nodes.length <= keep ? nodes.join(', ') : `${nodes.slice(0, keep).join(', ')} +${nodes.length - keep} more`;
}

function stepText(step: AnnounceStep): string {
  if (step.kind === 'leader') return step.label;
  if (step.kind === 'interfaces') return `${step.label}: ${step.removed.map((r) => `${r.node} has none (announceFailed)`).join(', ')}`;
  const out = step.removed.length ? `; out: ${nodeList(step.removed.map((r) => r.node))}` : '';
  return step.kind === 'node-selector' ? `${step.label} (nodes: ${step.remaining}${out})` : `${step.label} (${step.remaining}${out})`;
}

function protocolChain(pool: string, p: ProtocolDecision): string {
  // Steps that removed nobody say nothing; the advertisement step always shows where the nodes come from.
  const parts = [`pool ${pool}`, ...p.steps.filter((s) => s.kind === 'node-selector' || s.kind === 'leader' || s.removed.length > 0).map(stepText)];
  if (p.protocol === 'bgp' && p.announcers.length) parts.push(`announce from ${nodeList(p.announcers)}`);
  if (!p.announcers.length) parts.push('no node announces');
  return parts.join(' → ');
}

/**
 * The model's decision in words, one line per protocol, e.g. "pool l2-office → L2Advertisement
 * office (nodes: 3) → speaker ready (2; out: worker-3) → leader worker-1".
 */
export function announceChain(d: AnnounceDecision): string[] {
  if (d.stop) return [d.pool ? `pool ${d.pool.metadata.name} → ${d.stop.why}` : d.stop.why];
  const pool = d.pool?.metadata.name ?? '?';
  return [d.l2, d.bgp].filter((p): p is ProtocolDecision => !!p).map((p) => protocolChain(pool, p));
}

function endpointsPerNode(model: ClusterModel, service: V1Service): { node: string; ready: number; total: number }[] {
  const perNode = new Map<string, { ready: number; total: number }>();
  for (const endpoint of endpointsOf(model, service)) {
    const node = endpoint.node ?? '(no node)';
    const entry = perNode.get(node) ?? { ready: 0, total: 0 };
    entry.total += 1;
    if (endpoint.ready) entry.ready += 1;
    perNode.set(node, entry);
  }
  return [...perNode.entries()].map(([node, counts]) => ({ node, ...counts })).sort((a, b) => a.node.localeCompare(b.node));
}

/**
 * `arpCounts` is false for IPs MetalLB announces only over BGP: ARP replies for them (kube-proxy
 * IPVS binds every LB IP on every node) steer no traffic, and l2-duplicate-mac ignores them by the
 * same rule, so the table must not call them a conflict the findings do not report.
 */
function observedFor(model: ClusterModel, service: V1Service, ips: string[], owners: ReturnType<typeof macOwners>, arpCounts: boolean): ServiceAnalysis['observed'] {
  const events: { node: string; protocol: string }[] = [];
  for (const { node, protocol } of nodeAssignedEvents(model, service)) if (!events.some((e) => e.node === node && e.protocol === protocol)) events.push({ node, protocol });
  const l2Status = l2StatusesFor(model, service).map((status) => statusNode(status) ?? '?');
  const macs = new Map<string, MacSighting>();
  const sight = (mac: string | undefined, source: string): void => {
    if (!mac) return;
    const key = mac.toLowerCase();
    const entry = macs.get(key) ?? { mac: key, node: owners.get(key)?.node, sources: [] };
    if (!entry.sources.includes(source)) entry.sources.push(source);
    macs.set(key, entry);
  };
  const bgp: ServiceAnalysis['observed']['bgp'] = [];
  for (const [node, state] of Object.entries(model.nodes)) {
    if (arpCounts) {
      for (const probe of state.arping) if (ips.includes(probe.ip)) for (const mac of probe.macs) sight(mac, `arping from ${node}`);
      for (const packet of state.capture?.arp ?? []) if (packet.op === 'reply' && ips.includes(packet.ip)) sight(packet.mac ?? packet.srcMac, `capture on ${node}`);
    }
    const originates = (state.frr?.routes ?? []).some((route) => route.local && ips.some((ip) => route.prefix === ip || route.prefix.startsWith(`${ip}/`)));
    if (originates) {
      const neighbors = state.frr?.neighbors ?? [];
      bgp.push({ node, established: neighbors.filter((n) => n.state === 'Established').length, peers: neighbors.length });
    }
  }
  return { events, l2Status, macs: [...macs.values()], bgp: bgp.sort((a, b) => a.node.localeCompare(b.node)) };
}

export function analyzeServices(model: ClusterModel): ServiceAnalysis[] {
  const owners = macOwners(model);
  const results: ServiceAnalysis[] = [];
  for (const service of model.kube.services) {
    if (service.spec?.type && service.spec.type !== 'LoadBalancer') continue;
    const decision = announceDecision(model, service);
    const { l2, bgp, ips } = decision;
    const analysis: ServiceAnalysis = {
      namespace: service.metadata?.namespace ?? 'default',
      name: service.metadata?.name ?? '',
      ips,
      pending: ips.length === 0,
      pool: decision.pool?.metadata.name,
      modes: decision.protocols,
      externalTrafficPolicy: service.spec?.externalTrafficPolicy ?? 'Cluster',
      l2: l2 && decision.ip ? { ip: decision.ip, expected: l2.announcers[0], leader: l2.leader, candidates: l2.candidates, excluded: [...l2.blockers].map(([node, [first]]) => ({ node, why: first.why })) } : undefined,
      expectedBgpNodes: bgp?.announcers ?? [],
      decision,
      observed: observedFor(model, service, ips, owners, !(bgp && !l2)),
      endpoints: endpointsPerNode(model, service),
      verdict: 'unknown',
      verdictText: '',
    };
    Object.assign(analysis, verdictOf(analysis));
    results.push(analysis);
  }
  return results.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** "no node can announce: speaker ready removed the last one (worker-1: speaker not ready)". */
function emptiedText(p: ProtocolDecision): string {
  const step = p.emptiedBy;
  if (!step) return 'no node can announce';
  const last = step.removed[step.removed.length - 1];
  return `no node can announce: the ${step.kind === 'interfaces' ? 'interfaces' : step.label} step removed the last (${last.node}: ${last.why})`;
}

function verdictOf(s: ServiceAnalysis): Pick<ServiceAnalysis, 'verdict' | 'verdictText'> {
  if (s.pending) return { verdict: 'pending', verdictText: 'no IP assigned' };
  if (s.observed.macs.length > 1) return { verdict: 'conflict', verdictText: `${s.observed.macs.length} MACs answer ARP` };
  if (s.decision.stop?.kind === 'load-balancer-class') return { verdict: 'unknown', verdictText: s.decision.stop.why };
  if (s.modes.length === 0) return { verdict: 'not-announced', verdictText: s.decision.stop?.why ?? 'no advertisement' };
  if (s.l2) {
    const announced = [...new Set([...s.observed.events.filter((e) => e.protocol === 'layer2').map((e) => e.node), ...s.observed.l2Status])];
    if (!s.l2.expected) return { verdict: 'not-announced', verdictText: emptiedText(s.decision.l2!) };
    if (announced.length > 1) return { verdict: 'conflict', verdictText: `${announced.length} nodes claim the IP` };
    if (announced.length === 1 && announced[0] !== s.l2.expected) return { verdict: 'mismatch', verdictText: `announced by ${announced[0]}, expected ${s.l2.expected}` };
    const arpNode = s.observed.macs[0]?.node;
    if (arpNode && arpNode !== s.l2.expected) return { verdict: 'mismatch', verdictText: `ARP answered by ${arpNode}, expected ${s.l2.expected}` };
    if (announced.length === 0 && s.observed.macs.length === 0 && s.modes.length === 1) return { verdict: 'unknown', verdictText: 'no announcement observed' };
  }
  if (s.modes.includes('bgp')) {
    const carrying = s.observed.bgp.filter((b) => b.established > 0).map((b) => b.node);
    const stuck = s.observed.bgp.filter((b) => b.established === 0).map((b) => b.node);
    if (s.expectedBgpNodes.length === 0) return { verdict: 'not-announced', verdictText: emptiedText(s.decision.bgp!) };
    if (stuck.length > 0) return { verdict: 'mismatch', verdictText: `not carried by ${stuck.join(', ')} (no Established session)` };
    // A peer whose session is down never gets the prefix (bgp-prefix-not-advertised says so): not "as expected".
    const partial = s.observed.bgp.filter((b) => b.established > 0 && b.established < b.peers);
    if (partial.length > 0) return { verdict: 'mismatch', verdictText: `not sent to every peer: ${nodeList(partial.map((b) => `${b.node} ${b.established}/${b.peers}`), 4)} sessions Established` };
    if (carrying.length === 0 && s.observed.bgp.length === 0 && !s.l2) return { verdict: 'unknown', verdictText: 'no BGP state collected' };
  }
  return { verdict: 'ok', verdictText: 'as expected' };
}
