import { defineCheck, type Draft } from '../define.js';
import { objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { clusterPath, metallbNamespace } from '../lib/model.js';
import { controllerSubject } from '../lib/probes.js';
import { webhookPort } from '../../catalogue/index.js';

export default defineCheck({
  id: 'controller-webhook-not-listening',
  title: 'Controller webhook not listening, or its Service without endpoints',
  severity: 'error',
  category: 'install',
  rank: 66,
  docs: {
    cause:
      'Every create or update of a MetalLB object (IPAddressPool, L2Advertisement, BGPPeer, …) goes through the validating webhook served by the controller on 9443, behind the webhook Service, with failurePolicy Fail. When the webhook server did not start (certificate not yet written, port taken) or the Service has no ready endpoint, the API server refuses every change with "failed calling webhook … connection refused" or "no endpoints available for service".',
    confirm:
      'kubectl debug -n metallb-system <controller-pod> -it --image=nicolaka/netshoot --target=controller -- ss -tlnp | grep 9443\nkubectl get endpointslices -n metallb-system -l kubernetes.io/service-name=metallb-webhook-service\nkubectl logs -n metallb-system deploy/controller | grep -iE "webhook|cert"',
    fix: 'Restart the controller once its webhook certificate Secret exists (the cert rotator writes it), free 9443 in the pod, and make sure the webhook Service selects the controller pod and that pod is ready.',
    references: ['metallb/metallb#1597', 'metallb/metallb#1540', 'metallb/metallb#2486'],
  },
  run(model) {
    const out: Draft[] = [];
    const ctrl = model.controller;
    const ssPath = ctrl?.paths['net.ss'];
    // An empty socket list proves nothing (the command may have printed nothing at all).
    if (ctrl && ssPath && ctrl.sockets.length > 0 && !ctrl.sockets.some((s) => s.proto === 'tcp' && s.localPort === webhookPort && /LISTEN/i.test(s.state ?? ''))) {
      out.push({
        summary: `Nothing listens on ${webhookPort} in the controller pod (its sockets: ${[...new Set(ctrl.sockets.filter((s) => /LISTEN/i.test(s.state ?? '')).map((s) => s.localPort))].join(', ') || 'none listening'}): the API server refuses every MetalLB object change`,
        subjects: [controllerSubject(model)],
        evidence: [{ path: ssPath, excerpt: rawExcerpt(model, ssPath, ['LISTEN'], ctrl.sockets.map((s) => `${s.proto} ${s.state ?? ''} ${s.localAddress}:${s.localPort} ${s.process ?? ''}`).join('\n')), label: 'ss -tuanp in the controller pod' }],
        remediation: { summary: `Get the controller's webhook server listening on ${webhookPort} (restart it once the webhook certificate Secret exists).` },
      });
    }
    // The webhook configurations name the Service; its EndpointSlice says whether anything serves it.
    const ns = metallbNamespace(model);
    const services = new Set<string>();
    for (const w of model.kube.webhooks) for (const h of w.webhooks ?? []) if (h.clientConfig?.service?.name) services.add(`${h.clientConfig.service.namespace ?? ns}/${h.clientConfig.service.name}`);
    for (const key of services) {
      const [svcNs, name] = key.split('/') as [string, string];
      const slices = model.kube.endpointSlices.filter((e) => e.metadata?.namespace === svcNs && e.metadata?.labels?.['kubernetes.io/service-name'] === name);
      // Bundles of older versions did not collect these slices: only a slice that is there can say "no endpoints".
      if (!slices.length) continue;
      const ready = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false);
      if (ready.length) continue;
      out.push({
        summary: `The webhook Service ${key} has no ready endpoint: the API server answers "no endpoints available for service" to every MetalLB object change`,
        subjects: [{ kind: 'Service', namespace: svcNs, name }, controllerSubject(model)],
        evidence: [objectEvidence(clusterPath.endpointSlices, slices.map((s) => ({ metadata: { name: s.metadata?.name, namespace: s.metadata?.namespace }, endpoints: s.endpoints ?? [] })), 'EndpointSlice of the webhook Service')],
        remediation: { summary: `Make the controller pod ready and selected by ${key}.` },
      });
    }
    return out;
  },
});
