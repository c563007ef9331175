import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { clusterPath, isControllerPod, metallbNamespace, podReady } from '../lib/model.js';

export default defineCheck({
  id: 'controller-not-ready',
  title: 'MetalLB controller not running or not ready',
  severity: 'error',
  category: 'install',
  rank: 89,
  docs: {
    cause: 'The controller allocates every IP and serves the validating webhooks. Without a ready controller, new services stay pending and applying MetalLB CRs fails with webhook errors.',
    confirm: 'kubectl get deploy,pods -n metallb-system -l component=controller\nkubectl describe pod -n metallb-system -l component=controller\nkubectl logs -n metallb-system deploy/controller',
    fix: 'Fix the reason the pod does not start or become ready (image pull, scheduling, crash: see its events and logs).',
    references: ['metallb/metallb#1597', 'metallb/metallb#1540'],
  },
  run(model) {
    const ns = metallbNamespace(model);
    const deploy = model.kube.deployments.find((d) => d.spec?.template?.spec?.containers?.some((c) => c.name === 'controller') && d.metadata?.labels?.app !== 'frr-k8s');
    const pods = model.kube.pods.filter(isControllerPod);
    if (!deploy && !pods.length) {
      // Nothing collected about the controller at all: only say so when MetalLB objects exist.
      if (!model.kube.pods.length || !model.metallb.ipAddressPools.length) return [];
    }
    if (pods.some(podReady)) return [];
    const out: Draft[] = [];
    const states = pods.flatMap((p) => (p.status?.containerStatuses ?? []).map((c) => `${p.metadata?.name}: ${c.state?.waiting?.reason ?? c.state?.terminated?.reason ?? (c.ready ? 'ready' : 'not ready')}`));
    out.push({
      summary: pods.length ? `MetalLB controller is not ready (${states.join(', ') || pods.map((p) => p.status?.phase).join(', ')})` : `No MetalLB controller pod is running${deploy ? ` (Deployment ${deploy.metadata?.name}: ${deploy.status?.availableReplicas ?? 0}/${deploy.spec?.replicas ?? 1} available)` : ''}`,
      subjects: [{ kind: 'Deployment', namespace: ns, name: deploy?.metadata?.name ?? 'controller' }],
      evidence: [
        ...(deploy ? [objectEvidence(clusterPath.deployments, { metadata: { name: deploy.metadata?.name }, status: deploy.status })] : []),
        ...pods.slice(0, 2).map((p) => objectEvidence(clusterPath.pods, { metadata: { name: p.metadata?.name }, status: { phase: p.status?.phase, containerStatuses: p.status?.containerStatuses?.map((c) => ({ name: c.name, ready: c.ready, state: c.state })) } })),
      ],
      remediation: { summary: 'Get the controller running.', snippet: `kubectl describe deploy -n ${ns} ${deploy?.metadata?.name ?? 'controller'}\nkubectl logs -n ${ns} deploy/${deploy?.metadata?.name ?? 'controller'}`, snippetLanguage: 'shell' },
    });
    return out;
  },
});
