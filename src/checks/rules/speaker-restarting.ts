import type { LogRecord, LogStream } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence, objectEvidence } from '../lib/evidence.js';
import { clusterPath, isControllerPod, isSpeakerPod, metallbNamespace } from '../lib/model.js';

const restartThreshold = 3;

export default defineCheck({
  id: 'speaker-restarting',
  title: 'MetalLB pod restarting or crash-looping',
  severity: 'warning',
  category: 'install',
  rank: 70,
  docs: {
    cause: 'A speaker, FRR sidecar or controller container keeps restarting (crash, failed liveness probe, OOM). Each speaker restart drops its announcements and BGP sessions and triggers a layer-2 failover.',
    confirm: 'kubectl get pods -n metallb-system -o wide\nkubectl logs -n metallb-system <pod> -c <container> --previous\nkubectl describe pod -n metallb-system <pod>   # Last State: Terminated, Reason',
    fix: 'Read the previous log and the termination reason: missing memberlist secret, FRR liveness (/livez) failures, OOMKilled (raise limits), or an API server that is unreachable from the node.',
    references: ['metallb/metallb#1544', 'metallb/metallb#977', 'metallb/metallb#2029'],
  },
  run(model) {
    const out: Draft[] = [];
    const ns = metallbNamespace(model);
    for (const pod of model.kube.pods.filter((p) => isSpeakerPod(p) || isControllerPod(p) || p.metadata?.labels?.app === 'frr-k8s')) {
      for (const cs of pod.status?.containerStatuses ?? []) {
        const crashLoop = cs.state?.waiting?.reason === 'CrashLoopBackOff';
        if ((cs.restartCount ?? 0) < restartThreshold && !crashLoop) continue;
        const last = cs.lastState?.terminated;
        const prev = model.logs.find((l) => l.pod === pod.metadata?.name && l.container === cs.name && l.previous);
        const tail: LogRecord[] = prev ? prev.records.filter((r) => /error|fatal|panic|fail/i.test(`${r.level ?? ''} ${r.msg ?? ''} ${r.raw ?? ''}`)).slice(-3) : [];
        const err = tail.length ? ` — last error: ${tail[tail.length - 1].msg ?? tail[tail.length - 1].raw ?? ''}` : '';
        out.push({
          severity: crashLoop ? 'error' : 'warning',
          summary: `${pod.metadata?.name}/${cs.name} on ${pod.spec?.nodeName ?? '?'} restarted ${cs.restartCount ?? 0} times${crashLoop ? ' and is in CrashLoopBackOff' : ''}${last ? ` (last exit: ${last.reason ?? ''} ${last.exitCode ?? ''})` : ''}${err}`,
          subjects: [{ kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name ?? '' }, ...(pod.spec?.nodeName ? [{ kind: 'Node', name: pod.spec.nodeName }] : [])],
          evidence: [
            objectEvidence(clusterPath.pods, { metadata: { name: pod.metadata?.name }, status: { containerStatuses: [{ name: cs.name, restartCount: cs.restartCount, state: cs.state, lastState: cs.lastState }] } }),
            ...(prev && tail.length ? [logEvidence(model, prev as LogStream, tail)] : []),
          ],
          remediation: { summary: 'Read the previous container log and fix what killed it.', snippet: `kubectl logs -n ${ns} ${pod.metadata?.name} -c ${cs.name} --previous`, snippetLanguage: 'shell' },
        });
      }
    }
    return out;
  },
});
