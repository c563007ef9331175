/**
 * End to end on real networking: a built-in scenario in the lab, served by the simulated API
 * server, collected over HTTPS/WebSocket exec by `collect()`, analysed by `analyzeBundle()`; the
 * top finding must name the scenario's failure.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createLabBackend } from '../../src/lab/index.js';
import { loadScenario } from '../../src/sim/scenario/index.js';
import type { ReplayBackend } from '../../src/sim/scenario/replay.js';
import { startSimulator } from '../../src/sim/server/index.js';
import { collect } from '../../src/collect/index.js';
import { analyzeBundle } from '../../src/analyze/index.js';
import { labTest, assertNoLeftovers } from './helpers.js';

/** Healthy scenarios: no error finding. Broken ones: the first finding names the failure. */
const cases: { scenario: string; healthy?: true; firstFinding?: string[]; evidence?: RegExp }[] = [
  { scenario: 'healthy-frr', healthy: true },
  { scenario: 'healthy-l2', healthy: true },
  // The password is configured on both sides: the session comes up, and nothing is wrong.
  { scenario: 'bgp-password', healthy: true },
  // The speakers send NOTIFICATION Bad Peer AS: the session check names it.
  { scenario: 'bgp-wrong-asn', firstFinding: ['bgp-session-down'], evidence: /Bad Peer AS/ },
  // Two nodes hold the L2 IP: ARP replies from two MACs.
  { scenario: 'l2-duplicate-ip', firstFinding: ['l2-duplicate-mac', 'l2-multiple-announcers'], evidence: /02:00:00:00:00:0\d/ },
  // The router's bgpd is frozen after Established: the speakers' hold timers expire.
  { scenario: 'bgp-hold-timer-expired', firstFinding: ['bgp-session-down'], evidence: /hold timer expired/i },
  // Two speakers share a router id: the router refuses the second OPEN.
  { scenario: 'bgp-router-id-clash', firstFinding: ['bgp-session-down'], evidence: /BGP identifier/i },
  // Only the speakers have a TCP-MD5 password: the kernel drops every segment.
  { scenario: 'bgp-wrong-password', firstFinding: ['bgp-session-down'], evidence: /password/i },
  // The router's bfdd is frozen: BFD detection time expires and takes BGP down with it.
  { scenario: 'bfd-down', firstFinding: ['bfd-down'], evidence: /detection time expired|down/i },
  // Something else listens on TCP/179 on a node.
  { scenario: 'foreign-bgp-listener', firstFinding: ['foreign-bgp-listener'], evidence: /179/ },
  // The elected node's interface is down: nobody answers ARP for the IP.
  { scenario: 'l2-interface-down', firstFinding: ['l2-announcer-interface-down'], evidence: /DOWN/ },
];

for (const c of cases) {
  const expectation = c.healthy ? 'no error finding' : `first finding ${c.firstFinding!.join(' or ')}`;
  labTest(`e2e ${c.scenario}: sim with the lab backend → collect → analyze → ${expectation}`, async () => {
    const { world, backend } = await loadScenario(c.scenario);
    await backend.close();
    // What the lab does not build (API server ClusterIP, pods, netfilter) is answered from the scenario.
    const lab = await createLabBackend(world, { model: (backend as ReplayBackend).model });
    const snapshot = lab.describe();
    const dir = await mkdtemp(join(tmpdir(), 'mlb-lab-e2e-'));
    try {
      await lab.ready;
      const sim = await startSimulator({ world, backend: lab, port: 0, closeBackend: false });
      try {
        const kubeConfig = new KubeConfig();
        kubeConfig.loadFromString(sim.kubeconfig());
        const collected = await collect({ kubeConfig, out: join(dir, 'bundle'), captureSeconds: 2, formats: ['json'], renderer: 'silent', tar: false });
        assert.ok(collected.manifest.nodes.every((n) => n.status !== 'failed'), JSON.stringify(collected.manifest.nodes.map((n) => [n.node, n.status])));
        const analysed = await analyzeBundle(collected.dir);
        try {
          const ids = analysed.findings.map((f) => `${f.severity} ${f.id}: ${f.summary}`);
          if (c.healthy) {
            assert.deepEqual(analysed.findings.filter((f) => f.severity === 'error').map((f) => f.summary), [], ids.join('\n'));
          } else {
            assert.ok(analysed.findings.length > 0, 'no findings');
            assert.ok(c.firstFinding!.includes(analysed.findings[0].id), `first finding: ${ids[0]}\nall:\n${ids.join('\n')}`);
            const top = analysed.findings[0];
            assert.match(`${top.summary}\n${JSON.stringify(top.evidence)}`, c.evidence!);
          }
        } finally {
          await analysed.dispose();
        }
      } finally {
        await sim.close();
      }
    } finally {
      await lab.close();
      await rm(dir, { recursive: true, force: true });
      assertNoLeftovers(snapshot);
    }
  }, 180_000);
}
