/**
 * A Service's path from the client to the pod, as hops the report draws in a row: the client's
 * router (ARP reply or BGP route) → the announcing node (the clients' SYNs in its capture) → the
 * kube-proxy rule for the IP on that node → the endpoints (connect probes from that node). Each hop
 * says what was observed and which bundle file shows it. Read from the same model the checks read.
 */
import type { ClusterModel } from '../../model/cluster.js';
import { ruleMentions } from '../../parse/kube-proxy-rules.js';
import { lbTraffic } from './lb-traffic.js';
import { probeFailed } from './probes.js';
import type { ServiceAnalysis } from './services.js';

export type HopState = 'ok' | 'warn' | 'bad' | 'unknown';

export interface PathHop {
  kind: 'router' | 'node' | 'kube-proxy' | 'endpoints';
  label: string;
  state: HopState;
  /** What was observed, in words. */
  text: string;
  /** Bundle file that shows it. */
  evidence?: string;
}

export function servicePath(model: ClusterModel, s: ServiceAnalysis): PathHop[] {
  const ip = s.ips[0];
  if (!ip) return [];
  const node = s.decision.announcers[0];
  const st = node ? model.nodes[node] : undefined;
  const hops: PathHop[] = [];

  // Router: the layer 2 answer to ARP, or the BGP route.
  if (s.modes.includes('bgp')) {
    const up = s.observed.bgp.filter((b) => b.established > 0);
    hops.push({
      kind: 'router',
      label: 'BGP',
      state: up.length ? 'ok' : s.observed.bgp.length ? 'bad' : 'unknown',
      text: up.length ? `advertised by ${up.length} node(s) with a session up` : s.observed.bgp.length ? 'originated, but no session is up' : 'no BGP route seen',
      evidence: st?.frr?.paths['bgp-ipv4'] ?? st?.frr?.paths['bgp-summary'],
    });
  } else {
    const macs = s.observed.macs;
    hops.push({
      kind: 'router',
      label: `ARP ${ip}`,
      state: macs.length === 1 ? 'ok' : macs.length > 1 ? 'bad' : 'unknown',
      text: macs.length === 1 ? `answered by ${macs[0]!.mac}${macs[0]!.node ? ` (${macs[0]!.node})` : ''}` : macs.length > 1 ? `${macs.length} MACs answer` : 'no ARP reply seen',
      evidence: st?.arping.find((a) => a.ip === ip)?.path ?? st?.paths['capture-text'],
    });
  }

  // The announcing node: what the capture saw of the clients' connections.
  if (!node) {
    hops.push({ kind: 'node', label: 'node', state: 'bad', text: 'no node announces the IP' });
    return hops;
  }
  const traffic = lbTraffic(model).find((t) => t.node === node && t.ip === ip);
  hops.push({
    kind: 'node',
    label: node,
    state: !traffic ? 'unknown' : traffic.synAcksOut > 0 ? 'ok' : 'bad',
    text: !traffic ? 'no client connection in the capture' : traffic.synAcksOut > 0 ? `${traffic.synsIn} SYN(s) in, answered` : `${traffic.synsIn} SYN(s) in${traffic.ifaces.length ? ` on ${traffic.ifaces.join(', ')}` : ''}, ${traffic.rstsOut ? `${traffic.rstsOut} RST(s) back` : 'no answer'}`,
    evidence: st?.paths['capture-text'],
  });

  // kube-proxy's rule for the IP on that node.
  const rules = st?.kubeProxyRules;
  const lines = rules ? ruleMentions(rules, ip) : [];
  hops.push({
    kind: 'kube-proxy',
    label: 'kube-proxy rule',
    state: !rules || rules.unavailable ? 'unknown' : lines.length ? 'ok' : rules.sections.length || model.kube.kubeProxy ? 'bad' : 'unknown',
    text: !rules ? 'not collected' : rules.unavailable ? 'no iptables, nft or ipvsadm in the container' : lines.length ? `${lines.length} line(s) in ${rules.sections.map((x) => x.tool).join(', ')}` : rules.sections.length ? `none in ${rules.sections.map((x) => x.tool).join(', ')}` : 'no kube-proxy tables on the node',
    evidence: rules?.path,
  });

  // The endpoints, from that node.
  const key = `${s.namespace}/${s.name}/`;
  const eps = (st?.probes ?? []).filter((p) => p.kind === 'endpoint' && p.subject.startsWith(key));
  const lb = (st?.probes ?? []).filter((p) => p.kind === 'lb' && p.subject.startsWith(key));
  const ready = s.endpoints.reduce((n, e) => n + e.ready, 0);
  const okEps = eps.filter((p) => !probeFailed(p)).length;
  hops.push({
    kind: 'endpoints',
    label: 'endpoints',
    state: ready === 0 ? 'bad' : !eps.length ? 'unknown' : okEps === eps.length && !lb.some(probeFailed) ? 'ok' : okEps === 0 ? 'bad' : 'warn',
    text: ready === 0 ? 'no ready endpoint' : !eps.length ? `${ready} ready, not probed from ${node}` : `${okEps}/${eps.length} connect from ${node}${lb.length ? `; LB IP:port ${lb.some(probeFailed) ? 'does not connect' : 'connects'}` : ''}`,
    evidence: st?.paths['probe-connect'],
  });
  return hops;
}
