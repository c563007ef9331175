import type { LogRecord, LogStream } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence } from '../lib/evidence.js';
import { logRecords } from '../lib/model.js';

/**
 * client-go's words when a request to the API server never gets an answer: the URL it asked
 * (`https://<host>[:port]/api…`) and the dial error (`dial tcp <ip>:<port>: i/o timeout`,
 * `connect: no route to host`, `connect: connection refused`, `connect: network is unreachable`).
 */
const apiUrl = /https:\/\/([\w.-]+|\[[0-9a-f:]+\])(?::(\d+))?\/(?:api|apis|version)\b/i;
const dialError = /dial tcp (\S+?): (i\/o timeout|connect: no route to host|connect: connection refused|connect: network is unreachable)/;

export default defineCheck({
  id: 'api-requests-failing',
  title: 'MetalLB pods log that their requests to the API server get no answer',
  severity: 'error',
  category: 'install',
  rank: 95,
  docs: {
    cause:
      'The controller and the speakers read their configuration, Services and nodes through the API server, normally via the kubernetes Service (10.96.0.1:443 on kubeadm). When their own logs show requests that time out or are refused before any answer (i/o timeout, no route to host, connection refused), the pod runs but is blind: the controller loads no pools and assigns no IPs, creates no memberlist secret and serves no webhooks, and speakers announce nothing new. The cause is outside MetalLB: a host firewall (firewalld, ufw) on the nodes dropping pod traffic, kube-proxy or the CNI not programming the Service VIP, or a pod CIDR that overlaps the node network. This check reads the logs; api-server-unreachable reads the collection’s own probes.',
    confirm:
      'kubectl logs -n metallb-system deploy/controller | grep -E "dial tcp .*:443"\nkubectl run -it --rm apitest --image=curlimages/curl --restart=Never -- curl -sk https://10.96.0.1:443/version\nsudo firewall-cmd --state; sudo ufw status   # on the nodes',
    fix: 'Make pods reach the API server: allow pod and Service traffic in the node firewall (or disable it), fix kube-proxy/CNI so the kubernetes Service VIP is programmed, and keep the pod CIDR apart from the node network. Then restart the MetalLB pods.',
    references: ['metallb/metallb#673', 'metallb/metallb#888', 'metallb/metallb#281', 'metallb/metallb#1540', 'projectcalico/calico#5926'],
    threads: ['https://github.com/metallb/metallb/issues/673', 'https://github.com/metallb/metallb/issues/888'],
  },
  run(model) {
    const byStream = new Map<string, { stream: LogStream; records: LogRecord[]; target: string; error: string }>();
    for (const { stream, record, text } of logRecords(model, ['controller', 'speaker', 'frr-k8s'])) {
      const dial = dialError.exec(text);
      if (!dial || !apiUrl.test(text)) continue;
      const e = byStream.get(stream.path) ?? { stream, records: [], target: dial[1]!, error: dial[2]! };
      e.records.push(record);
      byStream.set(stream.path, e);
    }
    const out: Draft[] = [];
    for (const { stream, records, target, error } of byStream.values()) {
      out.push({
        summary: `${stream.container} ${stream.pod}${stream.node ? ` on ${stream.node}` : ''} gets no answer from the Kubernetes API at ${target} (${error}, ${records.length} request(s)): it runs without the objects it needs`,
        subjects: [{ kind: 'Cluster', name: 'kubernetes API' }, { kind: 'Pod', namespace: stream.namespace || undefined, name: stream.pod }],
        evidence: [logEvidence(model, stream, records)],
        remediation: {
          summary: /timeout/.test(error)
            ? `Packets from the pod to ${target} go unanswered: check the node firewall, kube-proxy and the CNI on the pod's node.`
            : `The pod's node rejects or cannot route traffic to ${target}: check the node firewall (firewalld/ufw reject with "no route to host") and kube-proxy.`,
          snippet: `kubectl run -it --rm apitest --image=curlimages/curl --restart=Never -- curl -sk https://${target}/version`,
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
