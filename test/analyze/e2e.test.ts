/**
 * End to end on the built-in scenarios: simulator → collect (real HTTPS client) → analyze. Healthy
 * scenarios must produce no error; broken ones must put their root cause first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../helpers/sim.js';
import { collect } from '../../src/collect/index.js';
import { analyzeBundle } from '../../src/analyze/index.js';
import { builtinScenarioNames } from '../../src/sim/scenario/index.js';
import type { Finding } from '../../src/model/finding.js';

const healthy = ['healthy-l2', 'healthy-frr', 'healthy-frr-k8s', 'bgp-password'];

/** scenario → what the first finding must be. */
const rootCause: Record<string, { id: string; summary?: RegExp }> = {
  'bgp-wrong-asn': { id: 'bgp-session-down', summary: /bad peer AS: configured peer AS \d+/ },
  'l2-duplicate-ip': { id: 'l2-duplicate-mac', summary: /2 MACs answer for .* memberlist split brain/ },
  'pending-no-pool': { id: 'service-pending', summary: /there is no IPAddressPool/ },
  'no-advertisement': { id: 'ip-not-advertised' },
  'ipvs-strictarp-off': { id: 'kube-proxy-ipvs-strictarp' },
  'speaker-missing': { id: 'speaker-missing', summary: /no speaker pod; node taints/ },
  'bgp-hold-timer-expired': { id: 'bgp-session-down', summary: /hold timer expired/ },
  'bgp-router-id-clash': { id: 'bgp-session-down', summary: /bad BGP identifier/ },
  'bgp-wrong-password': { id: 'bgp-session-down', summary: /TCP-MD5 password mismatch/ },
  'bfd-down': { id: 'bfd-down', summary: /control detection time expired/ },
  'foreign-bgp-listener': { id: 'foreign-bgp-listener', summary: /bird listens on TCP\/179/ },
  'l2-interface-down': { id: 'l2-announcer-interface-down', summary: /interface eth0 is DOWN/ },
  'bgp-router-one-session': { id: 'bgp-router-single-session', summary: /worker-1 Established, .*worker-2, worker-3 refused with Cease\/Connection Rejected/ },
  'bgp-peer-not-connected': { id: 'bgp-multihop-missing', summary: /BGPPeer edge-loopback \(203\.0\.113\.1\) is not on a subnet of .* the session is Active/ },
  'bgp-vrf-missing': { id: 'bgp-session-down', summary: /→ 192\.0\.2\.254 \(vrf red\) is Idle: last reset: No AFI\/SAFI activated for peer/ },
  'bgp-session-flapping': { id: 'bgp-session-flapping', summary: /worker-1 → 192\.0\.2\.1 dropped 8 times/ },
  'controller-down': { id: 'controller-not-ready', summary: /CrashLoopBackOff/ },
  'crd-conversion-failure': { id: 'crd-conversion-failure', summary: /BGPPeer objects cannot be read: .*service "webhook-service" not found/ },
  'cloud-arp-dropped': { id: 'arp-replies-lost', summary: /speaker logs answering ARP, but arping from .* gets no reply: worker-\d runs on AWS/ },
  'wifi-arp-requests-dropped': { id: 'arp-replies-lost', summary: /wlan0 is a wireless interface without promiscuous mode/ },
  'wifi-ipoib-nodes': { id: 'wireless-interface', summary: /worker-2 has wireless interface wlan0 up without PROMISC/ },
  'no-ready-endpoints': { id: 'service-no-endpoints', summary: /shop\/(api|web) .*MetalLB does not announce it/ },
};

async function analyzeScenario(scenario: string): Promise<Finding[]> {
  const sim = await startSim(scenario);
  const root = await mkdtemp(join(tmpdir(), 'mlb-e2e-'));
  try {
    const collected = await collect({ kubeconfigPath: sim.kubeconfigPath, out: join(root, 'bundle'), captureSeconds: 1, formats: ['json'], timeoutMs: 120_000, renderer: 'silent', tar: false });
    const result = await analyzeBundle(collected.dir);
    await result.dispose();
    return result.findings;
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const show = (f: Finding[]) => f.slice(0, 5).map((x) => `${x.severity} ${x.id}: ${x.summary}`).join('\n');
const available = new Set(builtinScenarioNames());

describe('sim → collect → analyze', { concurrency: 3 }, () => {
  for (const scenario of healthy) {
    test(`${scenario}: no error finding`, { timeout: 120_000, skip: !available.has(scenario) && `scenario ${scenario} not built in` }, async () => {
      const findings = await analyzeScenario(scenario);
      assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => f.summary), [], show(findings));
    });
  }
  for (const [scenario, want] of Object.entries(rootCause)) {
    test(`${scenario}: root cause first is ${want.id}`, { timeout: 120_000, skip: !available.has(scenario) && `scenario ${scenario} not built in` }, async () => {
      const findings = await analyzeScenario(scenario);
      assert.ok(findings.length > 0, 'findings');
      assert.equal(findings[0].id, want.id, show(findings));
      if (want.summary) assert.match(findings[0].summary, want.summary);
      assert.ok(findings[0].evidence.length > 0, 'the root cause cites evidence');
    });
  }
});
