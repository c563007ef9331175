import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';
import { lbTraffic } from '../lib/lb-traffic.js';

export default defineCheck({
  id: 'lb-ip-syn-unanswered',
  title: 'Packets for a LoadBalancer IP arrive but nothing answers',
  severity: 'error',
  category: 'kube-proxy',
  rank: 78,
  docs: {
    cause:
      'The capture on the node holding a LoadBalancer IP shows clients’ SYNs arriving for it, so ARP or BGP did their part, but the node sends back no SYN-ACK: the packets die on the node. Strict reverse-path filtering drops them before anything else (tcpdump still sees them), kube-proxy has no rule for the IP and port, the endpoints cannot be reached from the node, or a host firewall drops them. A RST or an ICMP port unreachable instead means the node refuses: no rule for that port, or no endpoint.',
    confirm:
      'kubectl debug -n metallb-system <speaker-on-node> -it --image=nicolaka/netshoot --target=speaker -- tcpdump -ni any host <LB-IP>\nnstat -az TcpExtIPReversePathFilter; iptables-save -t nat | grep <LB-IP>   # on the node\ncurl -v -m 2 http://<LB-IP>:<port>/   # from the node itself',
    fix: 'Find where the packet stops on that node, in this order: rp_filter (set 2 on the receiving interface), the kube-proxy rule for the IP and port (kube-proxy running, Service status holding the IP), the endpoints (pod network from the node), host firewall rules for the port.',
    references: ['metallb/metallb#1154', 'https://metallb.universe.tf/troubleshooting/', 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const t of lbTraffic(model)) {
      if (t.synsIn === 0 || t.synAcksOut > 0) continue;
      const [ns, name] = (t.service ?? '/').split('/') as [string, string];
      const refused = t.rstsOut > 0 || t.icmpUnreachable > 0;
      const answer = t.rstsOut > 0 ? `only RSTs go back (${t.rstsOut})` : t.icmpUnreachable > 0 ? `only ICMP unreachables go back (${t.icmpUnreachable})` : 'nothing answers';
      out.push({
        summary: `${t.node} receives ${t.synsIn} SYN(s) for ${t.ip}:${t.ports.join(',') || '?'}${t.service ? ` (${t.service})` : ''} from ${t.clients.slice(0, 3).join(', ')}${t.ifaces.length ? ` on ${t.ifaces.join(', ')}` : ''} and ${answer}: ${refused ? 'the node refuses the connection' : 'the packets die on the node'}`,
        severity: refused ? 'warning' : 'error',
        subjects: [{ kind: 'Node', name: t.node }, ...(t.service ? [{ kind: 'Service', namespace: ns, name }] : []), { kind: 'IP', name: t.ip }],
        evidence: [{ path: t.path, excerpt: rawExcerpt(model, t.path, [` > ${t.ip}.`, `${t.ip}.`, `ICMP ${t.ip} `], `${t.synsIn} SYN(s) in, ${t.synAcksOut} SYN-ACK(s), ${t.rstsOut} RST(s) out`), label: `capture on ${t.node}` }],
        remediation: { summary: `Find where ${t.ip}'s packets stop on ${t.node}: rp_filter, the kube-proxy rule, the endpoints, the host firewall.` },
      });
    }
    return out;
  },
});
