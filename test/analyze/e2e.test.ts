/**
 * End to end on the built-in scenarios: simulator → collect (real HTTPS client) → analyze. Healthy
 * scenarios must produce no error; broken ones must put their root cause first; every scenario's
 * findings.json v2 validates and diffs clean against its v1 form (helpers/findings-v2-check.ts).
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
import { assertFindingsDocuments } from '../helpers/findings-v2-check.js';

const healthy = ['healthy-l2', 'healthy-frr', 'healthy-frr-k8s', 'bgp-password', 'healthy-bgp-flap-recovered', 'healthy-unused-pool', 'healthy-clusterip-mix', 'healthy-helm-custom-namespace'];

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
  'memberlist-port-blocked': { id: 'memberlist-port-blocked', summary: /^TCP 7946 from worker-1 to worker-2 \(192\.0\.2\.13\) gets no answer within 2 s/ },
  'endpoints-unreachable': { id: 'endpoints-unreachable-from-node', summary: /^worker-1 announces 198\.51\.100\.100 but cannot reach any probed endpoint\(s\) of shop\/web/ },
  'controller-dns-failure': { id: 'controller-dns-failure', summary: /cannot resolve kubernetes\.default\.svc: connection timed out; no servers could be reached/ },
  'api-unreachable-from-node': { id: 'api-unreachable-from-node', summary: /^worker-2 cannot reach the API server through the kubernetes Service \(https:\/\/10\.96\.0\.1:443\/healthz/ },
  'webhook-not-listening': { id: 'controller-webhook-not-listening', summary: /Nothing listens on 9443 in the controller pod/ },
  'rp-filter-asymmetric-route': { id: 'rp-filter-asymmetric-route', summary: /^worker-1 answers ARP for shop\/web \(198\.51\.100\.100\) on eth0 with strict rp_filter, but its default route leaves by eth1/ },
  'lb-ip-syn-unanswered': { id: 'lb-ip-syn-unanswered', summary: /^worker-1 receives 1 SYN\(s\) for 198\.51\.100\.100:80 \(shop\/web\) from 203\.0\.113\.50 on eth0 and nothing answers/ },
  'lb-ip-not-forwarded': { id: 'kube-proxy-rule-missing', summary: /^worker-2 announces 198\.51\.100\.101 \(shop\/api\) but its kube-proxy rules have nothing for it \(looked in iptables\)/ },
  // Written from public threads (each scenario's description names its source).
  'pending-autoassign-false': { id: 'service-pending', summary: /every pool has autoAssign: false and the service names no pool or IP/ },
  'pending-empty-service-allocation': { id: 'service-pending', summary: /serviceAllocation: \{\} pins the pool to no service/ },
  'pending-namespace-not-allowed': { id: 'service-pending', summary: /serviceAllocation \(namespaces istio-qa, qa\) does not admit istio-prod\/prod-gateway/ },
  'pending-requested-ip-outside-pool': { id: 'service-pending', summary: /requested IP 198\.51\.100\.40 is not in any IPAddressPool/ },
  'pending-requested-ip-family-mismatch': { id: 'service-pending', summary: /does not match the ipFamily of the service/ },
  'pending-dual-stack-ipv4-pool': { id: 'service-pending', summary: /IP family .*no suitable pool for DualStack IPFamily/ },
  'pending-sharing-key-mismatch': { id: 'ip-sharing-error', summary: /sharing keys differ \("pihole" vs "pihole-svc"\)/ },
  'pending-sharing-local-selectors': { id: 'ip-sharing-error', summary: /externalTrafficPolicy Local with different selectors/ },
  'pending-shared-ip-without-key': { id: 'ip-sharing-error', summary: /cannot share 198\.51\.100\.2 with default\/ekvm-busybox: .*has no metallb\.io\/allow-shared-ip/ },
  'pending-pool-exhausted': { id: 'pool-exhausted', summary: /Pool my-ip-space is exhausted: 3\/3 .*\(apps\/svc4\)/ },
  'l2-advertisement-nodeselector-no-match': { id: 'announcer-eligibility', summary: /production\/web 198\.51\.100\.100: .*advertisement nodeSelectors removed the last 3 nodes/ },
  'l2-advertisement-interface-missing': { id: 'l2-interface-missing', summary: /elected node worker-1 has none of the interfaces ens192/ },
  'single-node-exclude-label': { id: 'node-excluded-from-lb', summary: /kind-control-plane/ },
  'network-unavailable-after-reboot': { id: 'node-network-unavailable', summary: /NetworkUnavailable=True .*ingress-nginx\/ingress/ },
  'etp-local-speakers-on-subset': { id: 'speaker-missing', summary: /pve1: no speaker pod; node taints dedicated=ingress:NoSchedule/ },
  'k3s-servicelb-conflict': { id: 'conflicting-lb-implementation', summary: /joplin\/joplin-sync .*192\.0\.2\.12 is in no MetalLB pool/ },
  'pool-overlaps-node-ips': { id: 'pool-overlaps-node-ip', summary: /192\.0\.2\.12 \(InternalIP of node worker-1\)/ },
  'bgp-peer-nodeselector-mismatch': { id: 'bgp-advertisement-without-peer', summary: /no BGPPeer \(test\) selects a node that may announce it \(worker-2, worker-3\)/ },
  'frr-k8s-peer-zone-unlabelled': { id: 'bgp-advertisement-without-peer', summary: /no BGPPeer \(bgp-bird-am4, bgp-bird-am6\)/ },
  'frr-container-probe-restarts': { id: 'speaker-restarting', summary: /\/frr on worker-2 restarted 31 times/ },
  // The router is not collected: what the nodes see is the prefix sent and no client packet arriving.
  'bgp-prefix-filtered': { id: 'bgp-advertised-no-traffic', summary: /^198\.51\.100\.200 \(shop\/web\) is advertised to 192\.0\.2\.1 over Established sessions from worker-1, worker-2 .*no packet for it reached any announcing node/ },
};

/**
 * mixed-incident has five causes on purpose. Root cause first means: each declared cause has its
 * finding, and every finding of a cause ranks above every finding of a symptom (each symptom
 * explained by a finding above it).
 */
const mixedCauses: { cause: string; id: string; summary: RegExp }[] = [
  { cause: 'wrong peer ASN', id: 'bgp-session-down', summary: /→ 192\.0\.2\.2 is Idle: bad peer AS/ },
  { cause: 'exhausted pool', id: 'pool-exhausted', summary: /^Pool l2-office is exhausted/ },
  { cause: 'crash-looping speaker', id: 'speaker-restarting', summary: /on worker-3 restarted 17 times and is in CrashLoopBackOff/ },
  { cause: 'memberlist split brain', id: 'l2-duplicate-mac', summary: /answer for 203\.0\.113\.10 .*memberlist split brain/ },
  { cause: 'IPVS without strictARP', id: 'kube-proxy-ipvs-strictarp', summary: /IPVS mode with strictARP false/ },
];
const mixedSymptoms = ['service-pending', 'speaker-missing', 'bgp-prefix-not-advertised', 'l2-multiple-announcers', 'memberlist-join-failures'];

async function analyzeScenario(scenario: string): Promise<Finding[]> {
  const sim = await startSim(scenario);
  const root = await mkdtemp(join(tmpdir(), 'mlb-e2e-'));
  try {
    const collected = await collect({ kubeconfigPath: sim.kubeconfigPath, out: join(root, 'bundle'), captureSeconds: 1, formats: ['json'], timeoutMs: 120_000, renderer: 'silent', tar: false });
    const result = await analyzeBundle(collected.dir);
    // findings.json v2 of every built-in scenario, from the same collection.
    await assertFindingsDocuments(result, collected.dir, root);
    await result.dispose();
    return result.findings;
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const show = (f: Finding[]) => f.slice(0, 5).map((x) => `${x.severity} ${x.id}: ${x.summary}`).join('\n');
const available = new Set(builtinScenarioNames());

describe('sim → collect → analyze', { concurrency: 4 }, () => {
  test('mixed-incident: every declared cause is found and ranked above every symptom', { timeout: 120_000 }, async () => {
    const findings = await analyzeScenario('mixed-incident');
    const isCause = (f: Finding) => mixedCauses.some((c) => c.id === f.id);
    for (const c of mixedCauses) assert.ok(findings.some((f) => f.id === c.id && c.summary.test(f.summary)), `${c.cause}: no ${c.id} finding matching ${c.summary}\n${show(findings)}`);
    const lastCause = findings.map(isCause).lastIndexOf(true);
    const firstSymptom = findings.findIndex((f) => mixedSymptoms.includes(f.id));
    assert.ok(firstSymptom > lastCause, `a symptom (${findings[firstSymptom]?.id}) ranks above a cause (${findings[lastCause]?.id})`);
    assert.ok(findings.slice(0, mixedCauses.length).every(isCause), show(findings));
    findings.forEach((f, i) => {
      if (mixedSymptoms.includes(f.id)) assert.ok(findings.slice(0, i).some((above) => above.explains?.includes(f.id)), `${f.id} (${f.summary}) is explained by nothing above it`);
    });
  });
  for (const scenario of healthy) {
    test(`${scenario}: no error finding`, { timeout: 120_000, skip: !available.has(scenario) && `scenario ${scenario} not built in` }, async () => {
      const findings = await analyzeScenario(scenario);
      assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => f.summary), [], show(findings));
      // Client traffic reaches the announcing node of a healthy BGP scenario: no "nothing arrives" warning.
      assert.deepEqual(findings.filter((f) => f.id === 'bgp-advertised-no-traffic').map((f) => f.summary), []);
    });
  }
  for (const [scenario, want] of Object.entries(rootCause)) {
    test(`${scenario}: root cause first is ${want.id}`, { timeout: 120_000, skip: !available.has(scenario) && `scenario ${scenario} not built in` }, async () => {
      const findings = await analyzeScenario(scenario);
      assert.ok(findings.length > 0, 'findings');
      assert.equal(findings[0].id, want.id, show(findings));
      if (want.summary) assert.match(findings[0].summary, want.summary);
      assert.ok(findings[0].evidence.length > 0, 'the root cause cites evidence');
      // The simulated routers deliver client traffic wherever they took the route: only a rejected prefix is silent.
      if (want.id !== 'bgp-advertised-no-traffic') assert.deepEqual(findings.filter((f) => f.id === 'bgp-advertised-no-traffic').map((f) => f.summary), []);
    });
  }
});

test('every built-in scenario is in the tables above (so each is analysed and its findings.json checked)', () => {
  const listed = new Set([...healthy, ...Object.keys(rootCause), 'mixed-incident']);
  assert.deepEqual([...available].filter((n) => !listed.has(n)), []);
});
