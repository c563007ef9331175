import assert from 'node:assert/strict';
import { podSecurityReason } from '../../src/attach/index.js';
import { caseTable, l2Base } from './helpers.js';

const manifest = (nodes: object[], extra: object = {}) => ({ schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: [], cluster: {}, options: {}, timings: { totalMs: 1 }, redaction: { ips: false, rules: [], count: 0 }, nodes, clusterSteps: [], addedContainers: [], files: [], ...extra });
const admission = 'pods "speaker-abc" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "mlb-report-x1" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add), host namespaces (hostNetwork=true)';
const node = (name: string, reason: string) => ({
  node: name,
  status: 'partial',
  access: 'frr-exec',
  reason: `attach.ephemeral: ${reason}`,
  steps: [
    { step: 'attach.ephemeral', status: 'skipped', reason, durationMs: 0, files: [] },
    { step: 'net.ip-addr', status: 'ok', durationMs: 3, files: [] },
  ],
});

caseTable('debug-container-pod-security', [
  {
    name: 'Pod Security rejected the ephemeral container on every node: one finding naming the namespace, its label and both fixes',
    spec: l2Base({ manifest: manifest(['n1', 'n2', 'n3'].map((n) => node(n, podSecurityReason('metallb-system', admission, 'ephemeral')))) }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'warning');
      assert.equal(
        f[0].summary,
        'Pod Security "baseline" on namespace metallb-system (pod-security.kubernetes.io/enforce=baseline) rejected the debug container (NET_ADMIN, NET_RAW) on 3 node(s): capture, ARP probes and node tools are missing; label the namespace privileged or use --strategy node-pod --debug-namespace <privileged namespace>',
      );
      assert.match(f[0].remediation.snippet ?? '', /^kubectl label namespace metallb-system pod-security\.kubernetes\.io\/enforce=privileged --overwrite$/m);
    },
  },
  {
    name: 'RBAC refused the patch: not a Pod Security finding',
    spec: l2Base({ manifest: manifest(['n1', 'n2', 'n3'].map((n) => node(n, 'forbidden to add ephemeral containers: pods "speaker-abc" is forbidden: User "x" cannot patch resource "pods/ephemeralcontainers"'))) }),
    fires: false,
  },
  { name: 'attached fine', spec: l2Base({ manifest: manifest([{ node: 'n1', status: 'ok', steps: [{ step: 'attach.ephemeral', status: 'ok', durationMs: 800, files: [] }] }]) }), fires: false },
]);
