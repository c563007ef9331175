import type { LogRecord, LogStream } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence, objectEvidence } from '../lib/evidence.js';
import { annotation, clusterPath, logRecords, metallbServices, poolContains, serviceIPs, svcKey, svcSubject } from '../lib/model.js';

const foreignMarkers: [RegExp, string][] = [
  [/^kube-vip\.io\//, 'kube-vip'],
  [/^svccontroller\.k3s\.cattle\.io\//, 'k3s servicelb (Klipper)'],
  [/^io\.cilium\//, 'Cilium LB-IPAM'],
  [/^lbipam\.cilium\.io\//, 'Cilium LB-IPAM'],
];
const hotLoopThreshold = 20;

export default defineCheck({
  id: 'conflicting-lb-implementation',
  title: 'Another load-balancer implementation manages the same services',
  severity: 'error',
  category: 'install',
  rank: 84,
  docs: {
    cause: 'kube-vip, k3s servicelb (Klipper), Cilium LB-IPAM/L2 or a cloud controller also write Service status: IPs outside every MetalLB pool appear, the controller keeps rewriting the status (hot loop), or two systems answer for the VIP.',
    confirm: "kubectl get pods -A | grep -E 'kube-vip|svclb-|cilium'\nkubectl get svc -A -o wide   # EXTERNAL-IP outside the MetalLB pools\nkubectl logs -n metallb-system deploy/controller | grep -c serviceUpdated",
    fix: 'Run one implementation per service: disable k3s servicelb (--disable servicelb), kube-vip services mode, or Cilium LB-IPAM; or split services with spec.loadBalancerClass.',
    references: ['metallb/metallb#2177', 'metallb/metallb#2396', 'metallb/metallb#2641', 'k3s-io/k3s#2323'],
  },
  run(model) {
    const out: Draft[] = [];
    const pools = model.metallb.ipAddressPools;
    for (const svc of metallbServices(model)) {
      const keys = [...Object.keys(svc.metadata?.annotations ?? {}), ...Object.keys(svc.metadata?.labels ?? {})];
      const others = [...new Set(keys.flatMap((k) => foreignMarkers.filter(([re]) => re.test(k)).map(([, n]) => n)))];
      const outside = pools.length ? serviceIPs(svc).filter((ip) => !pools.some((p) => poolContains(p, ip))) : [];
      const fromMetallb = annotation(svc, 'ip-allocated-from-pool');
      if (!others.length && !outside.length) continue;
      out.push({
        summary: `${svcKey(svc)} is also managed by ${others.join(', ') || 'another implementation'}${outside.length ? `: ${outside.join(', ')} is in no MetalLB pool${fromMetallb ? ` although MetalLB allocated from ${fromMetallb}` : ''}` : ''}`,
        subjects: [svcSubject(svc)],
        evidence: [objectEvidence(clusterPath.services, { metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace, annotations: svc.metadata?.annotations, labels: svc.metadata?.labels }, status: svc.status?.loadBalancer })],
        remediation: { summary: 'Disable the other implementation for this service (or give it a loadBalancerClass the other one owns).', snippet: '# k3s: start the server with --disable servicelb\n# kube-vip: run without --services (svc_enable=false)', snippetLanguage: 'shell' },
      });
    }
    // Controller hot loop: the same service updated over and over.
    const updates = new Map<string, { stream: LogStream; records: LogRecord[] }>();
    let current = '';
    for (const { stream, record, text } of logRecords(model, 'controller')) {
      const start = record.fields['start reconcile'];
      if (typeof start === 'string') current = start;
      if (!/serviceUpdated|updated service object/.test(text)) continue;
      const key = String(record.fields.service ?? current ?? '');
      const e = updates.get(key) ?? { stream, records: [] };
      e.records.push(record);
      updates.set(key, e);
    }
    for (const [svc, { stream, records }] of updates) {
      if (records.length < hotLoopThreshold || !svc) continue;
      const [ns, name] = svc.split('/');
      if (out.some((f) => f.subjects.some((s) => s.kind === 'Service' && s.namespace === ns && s.name === name))) continue;
      out.push({
        severity: 'warning',
        summary: `The MetalLB controller updated ${svc} ${records.length} times: something else keeps rewriting its status`,
        subjects: [{ kind: 'Service', namespace: ns, name: name ?? svc }],
        evidence: [logEvidence(model, stream, records)],
        remediation: { summary: 'Find the other controller writing the Service status (kube-vip, servicelb, Cilium, cloud CCM) and disable it for this service.' },
      });
    }
    return out;
  },
});
