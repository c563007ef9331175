/**
 * The Services' own packets in each node's capture (the filter names the LoadBalancer IPs): per
 * node and LB IP, clients' SYNs in, SYN-ACKs and RSTs out, ICMP unreachables about the IP, and the
 * interfaces the SYNs arrived on. The report's path row and the lb-ip-syn-unanswered check read it.
 */
import type { ClusterModel } from '../../model/cluster.js';
import { metallbServices, serviceIPs } from './model.js';

export interface LbTraffic {
  node: string;
  ip: string;
  /** Destination ports of the SYNs. */
  ports: number[];
  /** `<ns>/<name>` of the Service holding the IP. */
  service?: string;
  synsIn: number;
  synAcksOut: number;
  rstsOut: number;
  icmpUnreachable: number;
  ifaces: string[];
  clients: string[];
  path: string;
}

const memo = new WeakMap<ClusterModel, LbTraffic[]>();

export function lbTraffic(model: ClusterModel): LbTraffic[] {
  const known = memo.get(model);
  if (known) return known;
  const owner = new Map<string, string>();
  for (const svc of metallbServices(model)) for (const ip of serviceIPs(svc)) owner.set(ip, `${svc.metadata?.namespace}/${svc.metadata?.name}`);
  const out: LbTraffic[] = [];
  for (const [node, st] of Object.entries(model.nodes)) {
    const cap = st.capture;
    if (!cap || (!cap.tcp?.length && !cap.icmp?.length)) continue;
    for (const [ip, service] of owner) {
      const syns = (cap.tcp ?? []).filter((t) => t.dst === ip && t.flags.includes('S') && !t.flags.includes('.') && t.dir !== 'Out');
      const synAcks = (cap.tcp ?? []).filter((t) => t.src === ip && t.flags.includes('S') && t.flags.includes('.'));
      const rsts = (cap.tcp ?? []).filter((t) => t.src === ip && t.flags.includes('R'));
      const icmp = (cap.icmp ?? []).filter((i) => i.about === ip);
      if (!syns.length && !synAcks.length && !rsts.length && !icmp.length) continue;
      out.push({
        node,
        ip,
        service,
        ports: [...new Set(syns.map((s) => s.dstPort))],
        synsIn: syns.length,
        synAcksOut: synAcks.length,
        rstsOut: rsts.length,
        icmpUnreachable: icmp.length,
        ifaces: [...new Set(syns.map((s) => s.iface).filter((x): x is string => !!x))],
        clients: [...new Set(syns.map((s) => s.src))],
        path: st.paths['capture-text'] ?? cap.path,
      });
    }
  }
  memo.set(model, out);
  return out;
}
