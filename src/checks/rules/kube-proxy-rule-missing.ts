import { defineCheck, type Draft } from '../define.js';
import { announcedPairs } from '../lib/announce.js';
import { rawExcerpt } from '../lib/evidence.js';
import { ruleMentions } from '../../parse/kube-proxy-rules.js';

export default defineCheck({
  id: 'kube-proxy-rule-missing',
  title: 'No kube-proxy rule for a LoadBalancer IP on the announcing node',
  severity: 'error',
  category: 'kube-proxy',
  // Above what it causes: lb-ip-not-forwarded (82) and lb-ip-syn-unanswered (78).
  rank: 85,
  docs: {
    cause:
      'MetalLB makes the network deliver a LoadBalancer IP to a node; kube-proxy on that node translates it to an endpoint. When the node’s kube-proxy rules (iptables nat KUBE-SERVICES, the nftables kube-proxy table, or IPVS virtual servers) have nothing for the IP, the packets arrive and die: kube-proxy is not running or crash-looping there, it has not synced since the IP was assigned, or it runs with a config that skips LoadBalancer IPs.',
    confirm:
      'iptables-save -t nat | grep <LB-IP>          # on the node, iptables mode\nnft list table ip kube-proxy | grep <LB-IP>  # nftables mode\nipvsadm -Ln -t <LB-IP>:<port>                # IPVS mode\nkubectl -n kube-system get pods -l k8s-app=kube-proxy -o wide --field-selector spec.nodeName=<node>',
    fix: 'Get kube-proxy running and synced on that node (its logs say why not), check the Service’s status.loadBalancer.ingress holds the IP, and with a kube-proxy replacement make sure it handles LoadBalancer Services.',
    references: ['https://kubernetes.io/docs/reference/networking/virtual-ips/', 'metallb/metallb#1154'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const { d, node, namespace: ns, name } of announcedPairs(model)) {
      const rules = model.nodes[node]?.kubeProxyRules;
      if (!rules || rules.unavailable) continue;
      // Nothing of kube-proxy at all: a replacement (Cilium, kube-router) unless the cluster runs kube-proxy.
      if (!rules.sections.length && !model.kube.kubeProxy) continue;
      for (const ip of d.ips) {
        if (ruleMentions(rules, ip).length) continue;
        const where = rules.sections.length ? rules.sections.map((s) => s.tool).join(' and ') : 'any kube-proxy table (the cluster has a kube-proxy ConfigMap)';
        out.push({
          summary: `${node} announces ${ip} (${d.key}) but its kube-proxy rules have nothing for it (looked in ${where}): packets for the IP reach ${node} and are not forwarded`,
          subjects: [
            { kind: 'Node', name: node },
            { kind: 'Service', namespace: ns, name },
            { kind: 'IP', name: ip },
          ],
          evidence: [{ path: rules.path, excerpt: rawExcerpt(model, rules.path, ['---'], rules.sections.map((s) => `--- ${s.tool}: ${s.lines.length} line(s) about the LoadBalancer IPs`).join('\n') || `--- none: ${rules.none ?? ''}`), label: `kube-proxy rules on ${node} for the LoadBalancer IPs` }],
          remediation: { summary: `Get kube-proxy running and synced on ${node} so it programs ${ip}.` },
        });
      }
    }
    return out;
  },
});
