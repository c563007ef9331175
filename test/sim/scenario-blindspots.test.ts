/**
 * Node and Kubernetes facts the scenario format states and every output derives from: services
 * without a ready endpoint, a stopped controller, an unlistable MetalLB resource, node MACs and
 * extra interfaces, ARP dropped on the wire. Each test reads the World and the replay backend the
 * way a collection would and checks that the outputs agree with each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { api, startSim } from '../helpers/sim.js';
import { arpingCommand, captureCommand } from '../../src/catalogue/index.js';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario/index.js';
import { ReplayBackend } from '../../src/sim/scenario/replay.js';
import type { ExecTarget } from '../../src/sim/world.js';

async function load(name: string): Promise<LoadedScenario & { replay: ReplayBackend }> {
  const loaded = await loadScenario(name);
  // Synthesis only: recordings in fixtures/replay would take precedence.
  const replay = new ReplayBackend((loaded.backend as ReplayBackend).model);
  replay.timeScale = 0;
  return { ...loaded, replay };
}

async function debugRun(l: { replay: ReplayBackend }, node: string, argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const target: ExecTarget = { namespace: 'metallb-system', pod: `node-debugger-${node}`, container: 'debugger', node, image: 'nicolaka/netshoot:v0.13', kind: 'debug-pod', distroless: false, hostNetwork: true };
  const r = await l.replay.run(target, argv, { stdin: null, stdout: (c) => (stdout += String(c)), stderr: (c) => (stderr += String(c)), signal: new AbortController().signal });
  return { stdout, stderr, exitCode: r.exitCode };
}

const speakerLines = (l: LoadedScenario, re: RegExp): string[] =>
  l.world.logs.filter((x) => x.container === 'speaker' && !x.previous).flatMap((x) => x.lines.map((y) => y.text)).filter((t) => re.test(t));

test('no ready endpoint: neither the Cluster nor the Local service is announced, and every output agrees', async () => {
  const l = await load('no-ready-endpoints');
  const { announce } = l.replay.model.dataplane;
  assert.equal(announce['198.51.100.100'], undefined, 'Cluster service with unready endpoints is not held by any node');
  assert.equal(announce['198.51.100.200'], undefined, 'Local service without endpoints is not held by any node');
  assert.ok(announce['198.51.100.101']?.length === 1, 'the healthy service next to them is announced');

  const slice = l.world.objects.find((o: any) => o.kind === 'EndpointSlice' && o.metadata.labels['kubernetes.io/service-name'] === 'web') as any;
  assert.deepEqual(slice.endpoints.map((e: any) => [e.nodeName, e.conditions.ready, e.conditions.serving]), [['worker-1', false, false], ['worker-2', false, false]]);

  const assigned = l.world.objects.filter((o: any) => o.kind === 'Event' && o.reason === 'nodeAssigned' && ['web', 'api'].includes(o.involvedObject.name));
  assert.deepEqual(assigned, [], 'no speaker emits nodeAssigned');
  const statuses = l.world.objects.filter((o: any) => (o.kind === 'ServiceL2Status' || o.kind === 'ServiceBGPStatus') && ['web', 'api'].includes(o.status.serviceName));
  assert.deepEqual(statuses, []);

  const withdrawn = speakerLines(l, /"event":"serviceWithdrawn"/);
  assert.ok(withdrawn.some((t) => t.includes('"198.51.100.100"') && t.includes('"reason":"notOwner"') && t.includes('"protocol":"layer2"')), withdrawn.join('\n'));
  assert.ok(withdrawn.some((t) => t.includes('"198.51.100.200"') && t.includes('"reason":"noLocalEndpoints"') && t.includes('"protocol":"bgp"')), withdrawn.join('\n'));

  const arping = await debugRun(l, 'worker-1', arpingCommand('198.51.100.100', 'eth0'));
  assert.equal(arping.exitCode, 1);
  assert.match(arping.stdout, /Received 0 response\(s\)/);
  const routes = await debugRun(l, 'worker-1', ['ip', '-j', 'addr', 'show', 'dev', 'lo']);
  assert.match(routes.stdout, /"ifname":"lo"/);
  assert.doesNotMatch(routes.stdout, /198\.51\.100\.200/, 'the BGP IP is not on lo of any node');
  const bgp = await l.replay.run({ namespace: 'metallb-system', pod: 'speaker', container: 'frr', node: 'worker-1', image: 'quay.io/frrouting/frr:9.1.0', kind: 'container', distroless: false, hostNetwork: true }, ['vtysh', '-c', 'show bgp ipv4 json'], {
    stdin: null,
    stdout: (c) => void assert.doesNotMatch(String(c), /198\.51\.100\.200/),
    stderr: () => {},
    signal: new AbortController().signal,
  });
  assert.equal(bgp.exitCode, 0);
});

test('controller down: the pending service has no AllocationFailed event and no allocation log line', async () => {
  const l = await load('controller-down');
  const events = l.world.objects.filter((o: any) => o.kind === 'Event' && o.involvedObject?.kind === 'Service');
  assert.deepEqual(events.filter((e: any) => e.involvedObject.name === 'checkout').map((e: any) => e.reason), [], 'nobody reconciled checkout');
  assert.ok(events.some((e: any) => e.involvedObject.name === 'web' && e.reason === 'IPAllocated'), 'web was allocated before the crash');
  const svc = l.world.objects.find((o: any) => o.kind === 'Service' && o.metadata.name === 'checkout') as any;
  assert.deepEqual(svc.status.loadBalancer, {});

  const pod = l.world.objects.find((o: any) => o.kind === 'Pod' && o.metadata.labels?.component === 'controller') as any;
  assert.equal(pod.status.containerStatuses[0].state.waiting.reason, 'CrashLoopBackOff');
  const logs = l.world.logs.filter((x) => x.pod === pod.metadata.name);
  assert.equal(logs.length, 2, 'current and previous instance');
  for (const log of logs) {
    const text = log.lines.map((x) => x.text).join('\n');
    assert.match(text, /"logger":"cert-rotation","msg":"secret is not well-formed, cannot update webhook configurations"/);
    assert.doesNotMatch(text, /ipAllocated|IP allocation failed|start reconcile/);
  }
  // The speakers still announce what was allocated before.
  assert.equal(l.replay.model.dataplane.announce['198.51.100.100']?.length, 1);
  // Nothing listens in the crashed controller: no metrics endpoint for the pod proxy to reach.
  assert.deepEqual(l.world.metrics.filter((m) => m.pod === pod.metadata.name), []);
  assert.ok(l.world.metrics.some((m) => m.pod.startsWith('speaker-')), 'the speakers still serve theirs');
});

const conversionText = 'conversion webhook for metallb.io/v1beta1, Kind=BGPPeer failed: Post "https://webhook-service.metallb-system.svc:443/convert?timeout=30s": service "webhook-service" not found';

test('unlistable CRD: reads of bgppeers answer 500 with the conversion webhook Status; the CRD and the informers agree', async () => {
  const sim = await startSim('crd-conversion-failure');
  try {
    const get = async (path: string) => {
      const r = await api(sim, 'GET', path);
      return { status: r.status, json: async () => r.json };
    };
    const res = await get('/apis/metallb.io/v1beta2/namespaces/metallb-system/bgppeers');
    assert.equal(res.status, 500);
    // apierrors.ErrorToAPIStatus for an error that is not a Status: no reason, no details.
    assert.deepEqual(await res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: conversionText, code: 500 });
    const v1 = await (await get('/apis/metallb.io/v1beta1/bgppeers')).json();
    assert.match(v1.message, /^conversion webhook for metallb\.io\/v1beta2, Kind=BGPPeer failed/, 'reading v1beta1 converts the v1beta2 objects');
    assert.equal((await get('/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools')).status, 200, 'single-version CRDs are unaffected');
    const crd = await (await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/bgppeers.metallb.io')).json();
    assert.equal(crd.spec.conversion.webhook.clientConfig.service.name, 'webhook-service', 'the CRD names the Service the error names');
    const svc = await get('/api/v1/namespaces/metallb-system/services/webhook-service');
    assert.equal(svc.status, 404, 'and that Service does not exist');
    if (existsSync('/usr/bin/kubectl')) {
      // Asynchronously: the simulator answers from this process.
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile('/usr/bin/kubectl', ['--cache-dir', join(sim.dir, 'kc'), 'get', 'bgppeers.metallb.io', '-A'], { env: { ...process.env, KUBECONFIG: sim.kubeconfigPath, HOME: sim.dir }, timeout: 30_000 }, (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }));
      });
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `Error from server: ${conversionText}`);
    }
  } finally {
    await sim.stop();
  }
  const l = await load('crd-conversion-failure');
  const reflector = speakerLines(l, /Failed to watch \*v1beta2\.BGPPeer: failed to list \*v1beta2\.BGPPeer: conversion webhook for metallb\.io\/v1beta1, Kind=BGPPeer failed/);
  assert.ok(reflector.length >= 2, 'the informer of every speaker logs the failure');
});

test('node MACs, providerID and extra interfaces show in the Node, ip -j link/addr, arping and the capture', async () => {
  const l = await load('wifi-ipoib-nodes');
  const link = JSON.parse((await debugRun(l, 'worker-1', ['ip', '-j', '-d', 'link', 'show'])).stdout) as any[];
  const byName = new Map(link.map((i) => [i.ifname, i]));
  assert.deepEqual([...byName.keys()], ['lo', 'eth0', 'eth1', 'ib0']);
  assert.equal(byName.get('eth0').address, '52:54:00:6b:21:01', 'the scenario MAC');
  const ib = byName.get('ib0');
  assert.equal(ib.link_type, 'infiniband');
  assert.equal(ib.address.split(':').length, 20, 'IPoIB hardware addresses are 20 bytes');
  assert.equal(ib.broadcast, '00:ff:ff:ff:ff:12:40:1b:ff:ff:00:00:00:00:00:00:ff:ff:ff:ff');
  assert.equal(ib.linkinfo.info_kind, 'ipoib');
  assert.equal(byName.get('eth1').linkinfo, undefined, 'a physical NIC has no linkinfo');
  const addr = JSON.parse((await debugRun(l, 'worker-1', ['ip', '-j', 'addr', 'show'])).stdout) as any[];
  assert.deepEqual(addr.find((i) => i.ifname === 'ib0').addr_info.map((a: any) => `${a.local}/${a.prefixlen}`), ['198.51.100.21/24']);

  const pi = JSON.parse((await debugRun(l, 'worker-2', ['ip', '-j', '-d', 'link', 'show'])).stdout) as any[];
  const wlan = pi.find((i) => i.ifname === 'wlan0');
  assert.equal(wlan.linkmode, 'DORMANT');
  assert.equal(wlan.promiscuity, 0);
  assert.deepEqual(wlan.flags, ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
  assert.match((await debugRun(l, 'worker-2', ['ip', 'addr'])).stdout, /: wlan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DORMANT group default qlen 1000\n {4}link\/ether dc:a6:32:0f:4e:03 /);

  // worker-2 is the elected announcer: its MAC answers ARP and is in the capture.
  assert.deepEqual(l.replay.model.dataplane.announce['192.0.2.240'], ['worker-2']);
  const arping = await debugRun(l, 'worker-1', arpingCommand('192.0.2.240', 'eth0'));
  assert.equal(arping.exitCode, 0);
  assert.match(arping.stdout, /Unicast reply from 192\.0\.2\.240 \[DC:A6:32:0F:4E:02\]/, 'iputils prints the MAC in upper case');
  const cap = await debugRun(l, 'worker-2', captureCommand(2));
  assert.match(cap.stdout, /Reply 192\.0\.2\.240 is-at dc:a6:32:0f:4e:02/);

  // A bond: slaves carry SLAVE, master and the bond's MAC and no address; the bond is MASTER with the address.
  const server = JSON.parse((await debugRun(l, 'server-1', ['ip', '-j', '-d', 'addr', 'show'])).stdout) as any[];
  const [eth1, eth2, bond0] = ['eth1', 'eth2', 'bond0'].map((n) => server.find((i) => i.ifname === n));
  for (const slave of [eth1, eth2]) {
    assert.deepEqual([slave.flags, slave.master, slave.address, slave.addr_info], [['BROADCAST', 'MULTICAST', 'SLAVE', 'UP', 'LOWER_UP'], 'bond0', bond0.address, []]);
    assert.equal(slave.linkinfo.info_slave_kind, 'bond');
  }
  assert.notEqual(eth2.linkinfo.info_slave_data.perm_hwaddr, bond0.address, 'the second slave keeps its own permanent MAC');
  assert.deepEqual([bond0.flags, bond0.linkinfo.info_kind, bond0.addr_info[0].local], [['BROADCAST', 'MULTICAST', 'MASTER', 'UP', 'LOWER_UP'], 'bond', '203.0.113.20']);

  const cloud = await load('cloud-arp-dropped');
  const nodes = cloud.world.objects.filter((o: any) => o.kind === 'Node') as any[];
  assert.deepEqual(nodes.map((n) => n.spec.providerID), ['aws:///eu-west-1a/i-0c1f5e2a7b9d30011', 'aws:///eu-west-1a/i-0c1f5e2a7b9d30012', 'aws:///eu-west-1b/i-0c1f5e2a7b9d30013']);
});

test('ARP replies dropped: arping gets none, the announcer captures its reply leaving, its speaker logs answering', async () => {
  const l = await load('cloud-arp-dropped');
  const [holder] = l.replay.model.dataplane.announce['192.0.2.240']!;
  assert.ok(holder);
  const mac = l.replay.model.nodeByName.get(holder)!.mac;
  assert.match(mac, /^0a:3f:1c:00:00:1\d$/);
  for (const other of ['cp-1', 'worker-1', 'worker-2'].filter((n) => n !== holder)) {
    const r = await debugRun(l, other, arpingCommand('192.0.2.240', 'eth0'));
    assert.equal(r.exitCode, 1);
    // Real iputils-arping output with nobody answering (-c 2 -w 2).
    assert.equal(r.stdout, `ARPING 192.0.2.240 from ${l.replay.model.nodeByName.get(other)!.ip} eth0\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n`);
    const cap = await debugRun(l, other, captureCommand(2));
    assert.match(cap.stdout, /Request who-has 192\.0\.2\.240 tell/);
    assert.doesNotMatch(cap.stdout, /Reply 192\.0\.2\.240 is-at/);
  }
  const own = await debugRun(l, holder, captureCommand(2));
  assert.match(own.stdout, new RegExp(`Reply 192\\.0\\.2\\.240 is-at ${mac}`));
  const answered = speakerLines(l, /"msg":"got ARP request for service IP, sending response"/);
  assert.ok(answered.length > 0 && answered.every((t) => t.includes(`"responseMAC":"${mac}"`)), answered.join('\n'));
});

test('ARP requests dropped on a Wi-Fi segment: no reply, no request in the announcer capture, no answer logged', async () => {
  const l = await load('wifi-arp-requests-dropped');
  const [holder] = l.replay.model.dataplane.announce['192.0.2.240']!;
  assert.ok(holder);
  const link = JSON.parse((await debugRun(l, holder, ['ip', '-j', '-d', 'link', 'show'])).stdout) as any[];
  const wlan = link.find((i) => i.ifname === 'wlan0');
  assert.deepEqual([wlan.ifindex, wlan.linkmode, wlan.link_index, wlan.linkinfo, wlan.address], [2, 'DORMANT', undefined, undefined, l.replay.model.nodeByName.get(holder)!.mac], 'the segment interface is a wireless station, not a veth');
  for (const other of ['pi-1', 'pi-2', 'pi-3'].filter((n) => n !== holder)) {
    const r = await debugRun(l, other, arpingCommand('192.0.2.240', 'wlan0'));
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /Received 0 response\(s\)\n$/);
  }
  const cap = await debugRun(l, holder, captureCommand(2));
  assert.doesNotMatch(cap.stdout, /who-has 192\.0\.2\.240/);
  assert.deepEqual(speakerLines(l, /got ARP request for service IP/), [], 'no speaker ever sees a request');
});
