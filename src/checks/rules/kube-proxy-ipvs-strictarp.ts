import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';
import { metallbServices, serviceIPs } from '../lib/model.js';

export default defineCheck({
  id: 'kube-proxy-ipvs-strictarp',
  title: 'kube-proxy in IPVS mode without strictARP',
  severity: 'error',
  category: 'kube-proxy',
  rank: 91,
  docs: {
    cause:
      'In IPVS mode kube-proxy binds every LoadBalancer IP to the kube-ipvs0 dummy interface on every node. Without strictARP (arp_ignore=1, arp_announce=2) each node then answers ARP for the IP, so layer-2 traffic goes to random nodes and MACs flap.',
    confirm: "kubectl get cm -n kube-system kube-proxy -o yaml | grep -E 'mode|strictARP'\nip addr show kube-ipvs0   # on a node: the LB IPs are there\nsysctl net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce",
    fix: 'Set ipvs.strictARP: true in the kube-proxy ConfigMap and restart kube-proxy.',
    references: ['metallb/metallb#153', 'kubernetes-sigs/kubespray#5180', 'kubermatic/kubermatic#7309'],
  },
  run(model) {
    const kp = model.kube.kubeProxy;
    if (!kp || kp.mode !== 'ipvs' || kp.strictARP === true) return [];
    const l2 = model.metallb.l2Advertisements.length > 0;
    const lbIps = new Set(metallbServices(model).flatMap(serviceIPs));
    const evidence: Evidence[] = [{ path: kp.path, excerpt: rawExcerpt(model, kp.path, ['mode:', 'strictARP'], `mode: ipvs\nstrictARP: ${kp.strictARP ?? '(unset)'}`), label: 'kube-proxy ConfigMap' }];
    const boundOn: string[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      const ipvs = st.addresses.find((a) => a.ifname === 'kube-ipvs0');
      const hits = ipvs?.addrs.filter((a) => lbIps.has(a.local)).map((a) => a.local) ?? [];
      if (hits.length) {
        boundOn.push(node);
        if (evidence.length < 3) {
          const p = st.paths['ip-addr'] ?? `nodes/${node}/net/ip-addr.json`;
          evidence.push({ path: p, excerpt: rawExcerpt(model, p, hits.map((h) => `"${h}"`), `kube-ipvs0: ${hits.join(', ')}`), label: `kube-ipvs0 on ${node}` });
        }
      }
      const ignore = st.sysctls['net.ipv4.conf.all.arp_ignore'];
      if (ignore !== undefined && ignore !== '1' && evidence.length < 4) evidence.push({ path: st.paths.sysctl ?? `nodes/${node}/net/sysctl.txt`, excerpt: `net.ipv4.conf.all.arp_ignore = ${ignore}, arp_announce = ${st.sysctls['net.ipv4.conf.all.arp_announce'] ?? '?'}`, label: node });
    }
    const out: Draft[] = [
      {
        severity: l2 ? 'error' : 'warning',
        summary: `kube-proxy runs in IPVS mode with strictARP ${kp.strictARP === false ? 'false' : 'unset'}${boundOn.length ? `; LB IPs are bound to kube-ipvs0 on ${boundOn.join(', ')}` : ''}${l2 ? ': every node may answer ARP for layer-2 IPs' : ''}`,
        subjects: [{ kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' }],
        evidence,
        remediation: {
          summary: 'Enable strictARP in the kube-proxy configuration and restart kube-proxy.',
          snippet:
            "kubectl get configmap kube-proxy -n kube-system -o yaml | \\\n  sed -e 's/strictARP: false/strictARP: true/' | kubectl apply -f - -n kube-system\nkubectl rollout restart ds -n kube-system kube-proxy",
          snippetLanguage: 'shell',
        },
      },
    ];
    return out;
  },
});
