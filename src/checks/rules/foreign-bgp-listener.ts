import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';

export default defineCheck({
  id: 'foreign-bgp-listener',
  title: 'Another BGP speaker listens on TCP/179 on the node',
  severity: 'warning',
  category: 'bgp',
  rank: 69,
  docs: {
    cause: "MetalLB never listens on 179: its bgpd runs with -p 0 and native BGP only dials out. A listener on the node's port 179 is another BGP stack (Calico BIRD, kube-router, a host bgpd). Routers accept one session per node address, so the two fight over the same session or advertise the same prefixes twice.",
    confirm: "ss -ltnp 'sport = :179'   # on the node\nkubectl get pods -A -o wide | grep -E 'calico-node|kube-router'",
    fix: 'Do not peer MetalLB with a router the other stack already peers with: let Calico advertise the LB IPs (serviceLoadBalancerIPs) or use a different router / source address for MetalLB.',
    references: ['metallb/metallb#114', 'projectcalico/calico#7893'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      const listeners = st.sockets.filter((s) => s.proto === 'tcp' && s.localPort === 179 && /LISTEN/i.test(s.state ?? ''));
      if (!listeners.length) continue;
      const procs = [...new Set(listeners.map((s) => s.process ?? 'unknown process'))];
      const path = st.paths.ss ?? `nodes/${node}/net/ss.txt`;
      out.push({
        summary: `${procs.join(', ')} listen${procs.length === 1 ? 's' : ''} on TCP/179 on ${node}: another BGP speaker (MetalLB never listens)`,
        subjects: [{ kind: 'Node', name: node }],
        evidence: [{ path, excerpt: rawExcerpt(model, path, [':179 '], listeners.map((s) => `LISTEN ${s.localAddress}:179 ${s.process ?? ''}`).join('\n')), label: 'ss on the node' }],
        remediation: { summary: `Identify ${procs.join(', ')} on ${node} and make sure it does not peer with MetalLB's routers.`, snippet: "ss -ltnp 'sport = :179'", snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
