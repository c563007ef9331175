import { defineCheck, type Draft } from '../define.js';

/** The collection's reason for an attach that Pod Security Admission rejected (attach/index.ts podSecurityReason). */
const rejected = /Pod Security "(\w+):[\w.]+" \(namespace ([^,]+), label ([^)]+)\) rejects (.*?): (.*?); fix: (.*)$/;

export default defineCheck({
  id: 'debug-container-pod-security',
  title: 'Pod Security Admission rejected the debug container',
  severity: 'warning',
  category: 'collection',
  rank: 80,
  docs: {
    cause:
      'The namespace carries `pod-security.kubernetes.io/enforce: baseline` (or restricted). Pod Security Admission evaluates the whole pod when an ephemeral container is added: the debug container’s NET_ADMIN and NET_RAW, and the speaker’s own hostNetwork and capabilities, violate the level, so the API server answers 403 `violates PodSecurity "baseline:latest": …`. A privileged node debug pod is rejected the same way. Commands then ran in the FRR container where possible: no packet capture, no ARP probes, fewer node tools.',
    confirm: 'kubectl get namespace metallb-system --show-labels\nkubectl debug -n metallb-system <speaker> --profile=netadmin --image=nicolaka/netshoot:v0.13 -- true   # Error from server (Forbidden): … violates PodSecurity',
    fix: 'Label the namespace privileged (MetalLB’s own manifests do: the speakers need hostNetwork and NET_RAW), or collect with `--strategy node-pod --debug-namespace <a namespace whose level is privileged>`.',
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-admission/', 'https://metallb.universe.tf/installation/#installation-by-manifest'],
  },
  run(model) {
    const out: Draft[] = [];
    const m = model.manifest;
    if (!m) return out;
    // One finding per namespace and level: every node hit the same rule.
    const seen = new Map<string, { nodes: string[]; match: RegExpExecArray; reason: string }>();
    const steps = [...m.nodes.flatMap((n) => n.steps.map((s) => ({ node: n.node, s }))), ...m.clusterSteps.map((s) => ({ node: undefined, s }))];
    for (const { node, s } of steps) {
      if (!s.step.startsWith('attach.') && !s.step.endsWith('attach.ephemeral')) continue;
      const match = rejected.exec(s.reason ?? '');
      if (!match) continue;
      const key = `${match[2]}|${match[1]}`;
      const e = seen.get(key) ?? { nodes: [], match, reason: s.reason! };
      if (node && !e.nodes.includes(node)) e.nodes.push(node);
      seen.set(key, e);
    }
    for (const { nodes, match, reason } of seen.values()) {
      const [, level, namespace, label, what] = match;
      out.push({
        summary: `Pod Security "${level}" on namespace ${namespace} (${label}) rejected ${what} on ${nodes.length} node(s): capture, ARP probes and node tools are missing; label the namespace privileged or use --strategy node-pod --debug-namespace <privileged namespace>`,
        subjects: [{ kind: 'Namespace', name: namespace! }],
        evidence: [{ path: 'manifest.json', excerpt: reason }],
        remediation: {
          summary: `Label ${namespace} privileged, or collect with node debug pods in a namespace that allows them.`,
          snippet: `kubectl label namespace ${namespace} pod-security.kubernetes.io/enforce=privileged --overwrite\n# or: mlb-report collect --strategy node-pod --debug-namespace <namespace with pod-security.kubernetes.io/enforce=privileged>`,
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
