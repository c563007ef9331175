import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { announcementDuties } from '../lib/announce.js';
import { clusterPath, findNode, isSpeakerPod, metallbNamespace, nodeReady, podReady, speakerByNode, svcKey } from '../lib/model.js';

export default defineCheck({
  id: 'speaker-missing',
  title: 'Speaker missing or not ready on a node that must announce',
  severity: 'error',
  category: 'install',
  rank: 87,
  docs: {
    cause:
      'A node that should announce a service (BGP announcer, layer-2 candidate, or the node hosting the endpoints of an externalTrafficPolicy: Local service) has no running, ready speaker: the DaemonSet does not tolerate its taints, a nodeSelector excludes it, or the pod is crashing / pending.',
    confirm: 'kubectl get ds -n metallb-system speaker\nkubectl get pods -n metallb-system -o wide -l component=speaker\nkubectl describe node <node> | grep -A3 Taints',
    fix: 'Add tolerations for the node taints (Helm speaker.tolerations) or widen the speaker nodeSelector; for a crashing pod read its logs (kubectl logs --previous).',
    references: ['metallb/metallb#1147', 'metallb/metallb#302', 'metallb/metallb#1544'],
  },
  run(model) {
    const out: Draft[] = [];
    const speakers = speakerByNode(model);
    const ns = metallbNamespace(model);
    const ds = model.kube.daemonSets.find((d) => d.spec?.template?.spec?.containers?.some((c) => c.name === 'speaker'));
    const anySpeakers = model.kube.pods.some(isSpeakerPod);
    for (const [node, duties] of announcementDuties(model)) {
      const pod = speakers.get(node);
      if (pod && podReady(pod)) continue;
      const n = findNode(model, node);
      const taints = (n?.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
      const services = [...new Set(duties.map((d) => `${svcKey(d.svc)} (${d.protocol})`))];
      const waiting = pod?.status?.containerStatuses?.map((c) => c.state?.waiting?.reason).filter(Boolean) ?? [];
      const why = !pod
        ? `no speaker pod${taints.length ? `; node taints ${taints.join(', ')}` : ''}${!nodeReady(n) ? '; node is NotReady' : ''}${ds ? `; DaemonSet scheduled ${ds.status?.currentNumberScheduled ?? '?'}/${ds.status?.desiredNumberScheduled ?? '?'}` : ''}`
        : `speaker ${pod.metadata?.name} not ready (${pod.status?.phase ?? '?'}${waiting.length ? `, ${waiting.join(', ')}` : ''})`;
      out.push({
        severity: duties.some((d) => d.essential) || !anySpeakers ? 'error' : 'warning',
        summary: `Speaker missing on ${node}: ${why}; it must announce ${services.join(', ')}`,
        subjects: [{ kind: 'Node', name: node }, ...(pod ? [{ kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name ?? '' }] : [])],
        evidence: [
          pod
            ? objectEvidence(clusterPath.pods, { metadata: { name: pod.metadata?.name }, spec: { nodeName: node }, status: { phase: pod.status?.phase, conditions: pod.status?.conditions?.filter((c) => c.type === 'Ready'), containerStatuses: pod.status?.containerStatuses?.map((c) => ({ name: c.name, ready: c.ready, restartCount: c.restartCount, state: c.state })) } })
            : objectEvidence(clusterPath.nodes, { metadata: { name: node }, spec: { taints: n?.spec?.taints } }),
          ...(ds ? [objectEvidence(clusterPath.daemonSets, { metadata: { name: ds.metadata?.name }, spec: { template: { spec: { nodeSelector: ds.spec?.template?.spec?.nodeSelector, tolerations: ds.spec?.template?.spec?.tolerations } } }, status: ds.status })] : []),
        ],
        remediation: taints.length && !pod
          ? {
              summary: `Let the speaker DaemonSet tolerate the taints of ${node}.`,
              snippet: `spec:\n  template:\n    spec:\n      tolerations:\n${(n?.spec?.taints ?? []).map((t) => `      - key: ${t.key}\n        operator: Exists\n        effect: ${t.effect}`).join('\n')}\n`,
              snippetLanguage: 'yaml',
            }
          : { summary: `Find out why the speaker on ${node} is not running.`, snippet: pod ? `kubectl describe pod -n ${ns} ${pod.metadata?.name}\nkubectl logs -n ${ns} ${pod.metadata?.name} -c speaker --previous` : `kubectl describe ds -n ${ns} ${ds?.metadata?.name ?? 'speaker'}`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
