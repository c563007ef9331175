import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { clusterPath } from '../lib/model.js';

const clouds: [RegExp, string, string][] = [
  [/^openstack:/, 'OpenStack', 'add the LB IPs to allowed-address-pairs of each node port (or disable port security)'],
  [/^vsphere:/, 'vSphere', 'allow Forged Transmits and MAC address changes on the port group'],
  [/^aws:/, 'AWS', 'layer 2 does not work on a VPC; use BGP or the cloud load balancer'],
  [/^gce:/, 'Google Cloud', 'layer 2 does not work on a VPC; use BGP or the cloud load balancer'],
  [/^azure:/, 'Azure', 'layer 2 does not work on a VNet; use BGP or the cloud load balancer'],
];

export default defineCheck({
  id: 'cloud-antispoofing',
  title: 'Layer 2 on a cloud / hypervisor with anti-spoofing',
  severity: 'info',
  category: 'announcement-l2',
  rank: 15,
  docs: {
    cause: 'Clouds and hypervisors drop traffic for IPs or MACs they did not assign to the VM port (OpenStack port security, VMware forged transmits). The speaker answers ARP but the client never sees the reply.',
    confirm: "kubectl get nodes -o jsonpath='{.items[*].spec.providerID}'\ntcpdump -n -i <iface> arp and host <LB IP>   # replies leave the node, the client does not get them",
    fix: 'Allow the LB IPs on the VM ports (allowed-address-pairs / forged transmits), or use BGP.',
    references: ['metallb/metallb#536', 'metallb/metallb#486', 'metallb/metallb#571', 'metallb/metallb#1901'],
  },
  run(model) {
    if (!model.metallb.l2Advertisements.length) return [];
    const hits = new Map<string, { advice: string; nodes: string[] }>();
    for (const n of model.kube.nodes) {
      const id = n.spec?.providerID ?? '';
      const c = clouds.find(([re]) => re.test(id));
      if (!c) continue;
      const e = hits.get(c[1]) ?? { advice: c[2], nodes: [] };
      e.nodes.push(n.metadata?.name ?? '?');
      hits.set(c[1], e);
    }
    const out: Draft[] = [];
    for (const [cloud, { advice, nodes }] of hits) {
      out.push({
        summary: `Nodes ${nodes.join(', ')} run on ${cloud} and layer 2 is in use: ${advice}`,
        subjects: nodes.map((name) => ({ kind: 'Node', name })),
        evidence: [objectEvidence(clusterPath.nodes, nodes.slice(0, 3).map((name) => ({ metadata: { name }, spec: { providerID: model.kube.nodes.find((x) => x.metadata?.name === name)?.spec?.providerID } })))],
        remediation: { summary: advice.charAt(0).toUpperCase() + advice.slice(1) + '.' },
      });
    }
    return out;
  },
});
