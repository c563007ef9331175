import type { StepRecord } from '../../model/bundle.js';
import { defineCheck, type Draft } from '../define.js';

/**
 * The API server's text when its dial to a node's kubelet fails: the proxy's `error dialing
 * backend: dial tcp <ip>:10250: …` (exec, attach, pod proxy) or the kubelet URL with the dial
 * error (log reads). The collection records it in the node's reason and its failed steps.
 */
const dialError = /error dialing backend: [^)]*?(?=\)|$)|dial tcp [^\s]+:10250: [\w/ .-]+/;

/** What a step collects, for "could not be collected": node commands, logs, metrics, capture, probes. */
function kindOf(step: string): string {
  if (step.startsWith('logs.')) return 'logs';
  if (step.startsWith('metrics.')) return 'metrics';
  if (step.startsWith('capture')) return 'packet capture';
  if (step.startsWith('probe.')) return 'ARP probes';
  if (step.startsWith('attach.')) return 'debug container';
  return 'node commands';
}

export default defineCheck({
  id: 'kubelet-unreachable',
  title: 'Kubelet unreachable from the API server: node not collected',
  severity: 'error',
  category: 'collection',
  rank: 99,
  docs: {
    cause:
      'The API server proxies exec, attach, container logs and the pod proxy to the kubelet of the pod’s node (TCP 10250). When it cannot dial it (a firewall or security group that blocks the control plane from the node, a kubelet that is hung or restarting, a node whose address changed) every such request answers `error dialing backend: dial tcp <node>:10250: i/o timeout` after the dial timeout, while the pods still look Running. Nothing from that node’s commands, logs or metrics is in the bundle, so no other check could judge it; the same fault also stops kubectl logs/exec and metrics-server there.',
    confirm: 'kubectl get --raw /api/v1/nodes/<node>/proxy/healthz   # error dialing backend when unreachable\nkubectl logs -n metallb-system <speaker on the node> --tail=1\nnc -vz <node IP> 10250   # from a control-plane host',
    fix: 'Let the control plane reach TCP 10250 on the node (firewall, security group, network policy of a hosted control plane, konnectivity agent) and check the kubelet (`systemctl status kubelet` on the node); then collect again.',
    references: ['https://kubernetes.io/docs/reference/networking/ports-and-protocols/', 'https://kubernetes.io/docs/concepts/architecture/control-plane-node-communication/#control-plane-to-node'],
  },
  run(model) {
    const out: Draft[] = [];
    const m = model.manifest;
    if (!m) return out;
    for (const n of m.nodes) {
      const failedSteps = n.steps.filter((s) => (s.status === 'failed' || s.status === 'skipped' || s.status === 'partial') && dialError.test(s.reason ?? ''));
      const error = dialError.exec(n.reason ?? '')?.[0] ?? failedSteps.map((s) => dialError.exec(s.reason ?? '')?.[0]).find(Boolean);
      if (!error) continue;
      const missing = [...new Set(failedSteps.map((s) => kindOf(s.step)))];
      const collected = n.steps.filter((s) => s.status === 'ok' && !s.step.startsWith('attach.'));
      out.push({
        summary: `Kubelet on ${n.node} unreachable from the API server (${error.trim()}): ${missing.length ? missing.join(', ') : 'exec, logs and metrics'} of node ${n.node} could not be collected (${failedSteps.length} step(s)${collected.length ? `; ${collected.length} other step(s) ok` : ''})`,
        subjects: [{ kind: 'Node', name: n.node }],
        evidence: [
          {
            path: 'manifest.json',
            excerpt: JSON.stringify({ node: n.node, status: n.status, reason: n.reason, steps: failedSteps.slice(0, 6).map((s: StepRecord) => ({ step: s.step, status: s.status, reason: s.reason })) }, null, 1),
          },
        ],
        remediation: {
          summary: `Let the control plane reach TCP 10250 on ${n.node} and check its kubelet, then collect again.`,
          snippet: `kubectl get --raw /api/v1/nodes/${n.node}/proxy/healthz\n# on ${n.node}: systemctl status kubelet`,
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
