/**
 * The scenario loader: built-in names, synthetic clusters, files, and the errors a scenario author
 * sees; plus the consistency of what a built-in scenario serves (pods as kubectl needs them, logs
 * for every MetalLB container, L2 election, events and status objects).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/util/errors.js';
import { builtinScenarioNames, loadScenario } from '../../src/sim/scenario/index.js';
import { l2Order } from '../../src/sim/scenario/election.js';
import { scenarioSchema } from '../../src/sim/scenario/schema.js';
import type { KubeObject } from '../../src/model/cluster.js';

const required = [
  'healthy-l2',
  'healthy-frr',
  'healthy-frr-k8s',
  'bgp-wrong-asn',
  'bgp-password',
  'l2-duplicate-ip',
  'pending-no-pool',
  'no-advertisement',
  'ipvs-strictarp-off',
  'speaker-missing',
  'mixed-incident',
  'bgp-hold-timer-expired',
  'bfd-down',
  'l2-interface-down',
  'foreign-bgp-listener',
  'bgp-prefix-filtered',
  'bgp-router-id-clash',
  'bgp-wrong-password',
];

function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mlb-scenario-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function rejects(p: Promise<unknown>, check: (e: UserError) => void, what = 'the load'): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `error is one line: ${e.message}`);
    assert.ok(!/\bat \S+ \(/.test(e.message), 'no stack trace in the message');
    check(e);
    return;
  }
  assert.fail(`expected ${what} to fail`);
}

test('all required built-in scenarios exist', () => {
  const names = builtinScenarioNames();
  for (const n of required) assert.ok(names.includes(n), `missing built-in scenario ${n}`);
});

test('an unknown name lists the valid ones', async () => {
  await rejects(loadScenario('healthy-l3'), (e) => {
    assert.match(e.message, /unknown scenario "healthy-l3"/);
    for (const n of ['healthy-l2', 'mixed-incident', 'bgp-wrong-asn']) assert.ok(e.message.includes(n), `lists ${n}`);
    assert.equal(e.exitCode, 2);
  });
});

test('a missing file is reported as such', async () => {
  await rejects(loadScenario('./no/such/scenario.yaml'), (e) => assert.match(e.message, /no\/such\/scenario\.yaml does not exist/));
});

test('malformed files name the file, the YAML path, the line and the reason', async () => {
  await withTempDir(async (dir) => {
    const base = readFileSync(join('fixtures', 'scenarios', 'healthy-l2.yaml'), 'utf8');
    const cases: [string, string, RegExp][] = [
      ['bad-version.yaml', base.replace('version: v0.14.9', 'version: 0.14.9'), /bad-version\.yaml: install\.version \(line 6\): "0\.14\.9" does not match/],
      ['bad-mode.yaml', base.replace('mode: native', 'mode: l2'), /bad-mode\.yaml: install\.mode \(line 7\): must be one of "native", "frr", "frr-k8s", got "l2"/],
      ['missing-nodes.yaml', base.replace(/^nodes:[\s\S]*?(?=^services:)/m, ''), /missing-nodes\.yaml: nodes \(line 1\): is required/],
      ['unknown-field.yaml', base.replace('kubeProxy:', 'kubeProxi:'), /unknown-field\.yaml: kubeProxi \(line \d+\): is not a known field/],
      ['bad-node-ip.yaml', base.replace('  - name: worker-1\n', '  - name: worker-1\n    ip: 192.0.2.300\n'), /nodes\[1\]\.ip \(line \d+\): "192\.0\.2\.300" is not a valid ipv4/],
      ['syntax.yaml', base.replace('nodes:\n', 'nodes:\n  - name: [unclosed\n'), /syntax\.yaml:\d+:\d+: invalid YAML/],
      ['unknown-node.yaml', base.replace('endpoints: [worker-2]', 'endpoints: [worker-9]'), /unknown-node\.yaml: services\[1\]\.endpoints: unknown node "worker-9"/],
      ['bad-fault.yaml', `${base}faults:\n  - { type: exec-cut, afterBytes: -1 }\n`, /faults\[0\]\.afterBytes \(line \d+\): must be >= 0/],
      ['dup-node.yaml', base.replace('  - name: worker-2\n', '  - name: worker-1\n'), /nodes\[2\]\.name: duplicate node name "worker-1"/],
      ['frr-k8s-too-old.yaml', base.replace('mode: native', 'mode: frr-k8s').replace('version: v0.14.9', 'version: v0.13.12'), /install\.mode: frr-k8s mode needs MetalLB v0\.14\.0 or later/],
    ];
    for (const [name, text, re] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      await rejects(loadScenario(file), (e) => assert.match(e.message, re, `${name}: ${e.message}`), name);
    }
  });
});

test('synthetic parameters are checked', async () => {
  await rejects(loadScenario('synthetic:nodes=0'), (e) => assert.match(e.message, /1 ≤ N ≤ 5000/));
  await rejects(loadScenario('synthetic:nodes=5001'), (e) => assert.match(e.message, /1 ≤ N ≤ 5000, got "5001"/));
  await rejects(loadScenario('synthetic:nodes=3,mode=bgp'), (e) => assert.match(e.message, /unknown mode "bgp"/));
  await rejects(loadScenario('synthetic:nodes=3,colour=red'), (e) => assert.match(e.message, /unknown synthetic scenario parameter "colour"/));
});

test('synthetic:nodes=1000 builds a consistent cluster', async () => {
  const { world } = await loadScenario('synthetic:nodes=1000');
  assert.equal(world.name, 'synthetic:nodes=1000');
  const nodes = world.objects.filter((o) => o.kind === 'Node');
  assert.equal(nodes.length, 1000);
  const speakers = world.objects.filter((o) => o.kind === 'Pod' && o.metadata.name.startsWith('speaker-'));
  assert.equal(speakers.length, 1000, 'the speaker tolerates the control-plane taint, so every node has one');
  assert.equal(new Set(speakers.map((p) => p.metadata.name)).size, 1000, 'pod names are unique');
  const ips = nodes.map((n) => n.status.addresses[0].address);
  assert.equal(new Set(ips).size, 1000, 'node addresses are unique');
  const ds = world.objects.find((o) => o.kind === 'DaemonSet')!;
  assert.equal(ds.status.desiredNumberScheduled, 1000);
  assert.equal(ds.status.numberReady, 1000);
});

test('loading the same scenario twice at the same time gives identical worlds', async () => {
  const a = await loadScenario('mixed-incident', { time: '2026-11-27T12:00:00Z' });
  const b = await loadScenario('mixed-incident', { time: '2026-11-27T12:00:00Z' });
  const { clock: clockA, ...worldA } = a.world;
  const { clock: clockB, ...worldB } = b.world;
  assert.deepEqual(worldA, worldB);
  assert.ok(clockA && clockB && Math.abs(clockA.nowMs() - clockB.nowMs()) < 1000);
});

test('pods carry what kubectl and the API conventions require', async () => {
  for (const name of ['healthy-l2', 'healthy-frr', 'healthy-frr-k8s']) {
    const { world } = await loadScenario(name);
    const pods = world.objects.filter((o) => o.kind === 'Pod');
    assert.ok(pods.length >= 4);
    for (const p of pods) {
      for (const f of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']) assert.ok(p.metadata[f], `${name} ${p.metadata.name}: metadata.${f}`);
      assert.ok(p.spec.nodeName, 'spec.nodeName');
      assert.equal(p.spec.restartPolicy, 'Always');
      assert.ok(p.spec.securityContext && typeof p.spec.securityContext === 'object', 'spec.securityContext is never null');
      assert.equal(p.status.phase, 'Running');
      assert.equal(p.status.containerStatuses.length, p.spec.containers.length);
      for (const c of p.status.containerStatuses) assert.equal(typeof c.restartCount, 'number');
      for (const c of p.spec.containers) {
        assert.equal(c.terminationMessagePath, '/dev/termination-log');
        assert.equal(c.imagePullPolicy, 'IfNotPresent');
      }
      if (p.spec.hostNetwork) assert.equal(p.status.podIP, p.status.hostIP, 'hostNetwork pods use the node IP');
    }
  }
});

test('pods follow the release manifest: containers, init containers, env, images', async () => {
  const frr = await loadScenario('healthy-frr');
  const speaker = frr.world.objects.find((o) => o.kind === 'Pod' && o.metadata.labels?.component === 'speaker')!;
  assert.deepEqual(speaker.spec.containers.map((c: { name: string }) => c.name), ['frr', 'reloader', 'frr-metrics', 'speaker']);
  assert.deepEqual(speaker.spec.initContainers.map((c: { name: string }) => c.name), ['cp-frr-files', 'cp-reloader', 'cp-metrics']);
  const sc = speaker.spec.containers.find((c: { name: string }) => c.name === 'speaker');
  assert.equal(sc.image, 'quay.io/metallb/speaker:v0.14.9');
  assert.ok(sc.env.some((e: { name: string; value?: string }) => e.name === 'METALLB_BGP_TYPE' && e.value === 'frr'));
  assert.deepEqual(sc.securityContext.capabilities.add, ['NET_RAW']);
  assert.equal(speaker.spec.hostNetwork, true);
  assert.equal(speaker.spec.shareProcessNamespace, true);

  const k8s = await loadScenario('healthy-frr-k8s');
  const frrk8s = k8s.world.objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.app === 'frr-k8s');
  assert.equal(frrk8s.length, 3);
  assert.deepEqual(frrk8s[0]!.spec.containers.map((c: { name: string }) => c.name).sort(), ['controller', 'frr', 'frr-metrics', 'frr-status', 'reloader']);
  const k8sSpeaker = k8s.world.objects.find((o) => o.kind === 'Pod' && o.metadata.labels?.component === 'speaker')!;
  assert.deepEqual(k8sSpeaker.spec.containers.map((c: { name: string }) => c.name), ['speaker']);
  assert.equal(k8sSpeaker.spec.containers[0].image, 'quay.io/metallb/speaker:v0.16.1');
  assert.ok(k8sSpeaker.spec.containers[0].ports.some((p: { containerPort: number }) => p.containerPort === 9120), 'v0.16 metrics on 9120');
  assert.ok(k8s.world.metrics.every((m) => m.scheme === 'https' && m.requiresToken), 'v0.16 metrics need a token');
});

test('every container of every MetalLB pod has logs; restarted containers have previous logs', async () => {
  for (const name of builtinScenarioNames()) {
    const { world } = await loadScenario(name);
    for (const p of world.objects.filter((o) => o.kind === 'Pod')) {
      for (const c of p.status.containerStatuses) {
        const log = world.logs.find((l) => l.pod === p.metadata.name && l.container === c.name && !l.previous);
        assert.ok(log && log.lines.length > 0, `${name}: ${p.metadata.name}/${c.name} has logs`);
        if (c.restartCount > 0) assert.ok(world.logs.some((l) => l.pod === p.metadata.name && l.container === c.name && l.previous), `${name}: previous log of ${p.metadata.name}/${c.name}`);
      }
    }
  }
});

test('speaker JSON log lines use the MetalLB go-kit format', async () => {
  const { world } = await loadScenario('healthy-l2');
  const lines = world.logs.filter((l) => l.container === 'speaker').flatMap((l) => l.lines);
  for (const l of lines) {
    const rec = JSON.parse(l.text) as Record<string, unknown>;
    assert.ok(typeof rec.ts === 'string' && typeof rec.level === 'string' && typeof rec.caller === 'string', l.text);
    assert.deepEqual(Object.keys(rec), Object.keys(rec).sort(), 'keys sorted like encoding/json');
  }
  assert.ok(lines.some((l) => l.text.includes('"event":"serviceAnnounced"')));
  assert.ok(lines.some((l) => /MetalLB speaker starting version 0\.14\.9/.test(l.text)));
});

function events(world: { objects: KubeObject[] }, reason: string, svc: string): KubeObject[] {
  return world.objects.filter((o) => o.kind === 'Event' && o.reason === reason && (o.involvedObject as { name: string }).name === svc);
}

test('healthy L2: the announcing node is the elected leader, and events, status and data plane agree', async () => {
  const { world } = await loadScenario('healthy-l2');
  const dp = world.dataplane as { announce: Record<string, string[]> };
  // Candidates: nodes with a ready speaker, minus the control plane (exclude-from-external-load-balancers).
  const leader = (ip: string, endpoints: string[]): string => l2Order(['worker-1', 'worker-2'].filter((n) => endpoints.includes(n) || true), ip)[0]!;
  for (const [svc, ip] of [
    ['web', '198.51.100.100'],
    ['api', '198.51.100.101'],
  ] as const) {
    const expected = leader(ip, []);
    assert.deepEqual(dp.announce[ip], [expected], `${svc}: data plane`);
    const assigned = events(world, 'nodeAssigned', svc);
    assert.equal(assigned.length, 1);
    assert.equal(assigned[0]!.message, `announcing from node "${expected}" with protocol "layer2"`);
    const l2 = world.objects.filter((o) => o.kind === 'ServiceL2Status' && o.status.serviceName === svc);
    assert.deepEqual(l2.map((o) => o.status.node), [expected]);
    assert.equal(events(world, 'IPAllocated', svc)[0]!.message, `Assigned IP ["${ip}"]`);
    const service = world.objects.find((o) => o.kind === 'Service' && o.metadata.name === svc)!;
    assert.equal(service.status.loadBalancer.ingress[0].ip, ip);
    assert.equal(service.metadata.annotations?.['metallb.io/ip-allocated-from-pool'], 'default-pool');
  }
});

test('failure scenarios show their failure in the API objects', async () => {
  const dup = await loadScenario('l2-duplicate-ip');
  assert.equal(events(dup.world, 'nodeAssigned', 'web').length, 2, 'split brain: two announcers');
  assert.equal(dup.world.objects.filter((o) => o.kind === 'ServiceL2Status').length, 2);

  const pending = await loadScenario('pending-no-pool');
  const svc = pending.world.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'web')!;
  assert.deepEqual(svc.status.loadBalancer, {});
  assert.match(events(pending.world, 'AllocationFailed', 'web')[0]!.message as string, /Failed to allocate IP for "shop\/web": no available IPs/);
  assert.equal(pending.world.objects.filter((o) => o.kind === 'IPAddressPool').length, 0);

  const noAd = await loadScenario('no-advertisement');
  assert.equal(events(noAd.world, 'IPAllocated', 'web').length, 1);
  assert.equal(events(noAd.world, 'nodeAssigned', 'web').length, 0);
  assert.deepEqual((noAd.world.dataplane as { announce: object }).announce, {});

  const missing = await loadScenario('speaker-missing');
  assert.ok(!missing.world.objects.some((o) => o.kind === 'Pod' && o.spec.nodeName === 'worker-3' && o.metadata.labels?.component === 'speaker'));
  assert.equal(events(missing.world, 'nodeAssigned', 'inference').length, 0, 'eTP Local with the only endpoint on a node without speaker');
  const ds = missing.world.objects.find((o) => o.kind === 'DaemonSet')!;
  assert.equal(ds.status.desiredNumberScheduled, 3, 'the untolerated taint keeps worker-3 out of the DaemonSet');

  const ipvs = await loadScenario('ipvs-strictarp-off');
  const cm = ipvs.world.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kube-proxy') as KubeObject & { data: Record<string, string> };
  assert.match(cm.data['config.conf'], /mode: ipvs/);
  assert.match(cm.data['config.conf'], /strictARP: false/);

  const pw = await loadScenario('bgp-password');
  const secret = pw.world.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'tor-bgp-password') as KubeObject & { data: Record<string, string> };
  assert.equal(Buffer.from(secret.data.password, 'base64').toString(), 's3cr3t-BGP-md5-Pa55');
  assert.equal(secret.stringData, undefined, 'the API never returns stringData');

  const k8s = await loadScenario('healthy-frr-k8s');
  const sessions = k8s.world.objects.filter((o) => o.kind === 'BGPSessionState');
  assert.equal(sessions.length, 3);
  assert.ok(sessions.every((s) => s.status.bgpStatus === 'Established' && s.status.bfdStatus === 'up'));
  assert.equal(k8s.world.objects.filter((o) => o.kind === 'FRRConfiguration').length, 3);
});

test('the editor schema file matches the loader schema', () => {
  const file = JSON.parse(readFileSync(join('fixtures', 'schemas', 'scenario.schema.json'), 'utf8'));
  assert.deepEqual(file, JSON.parse(JSON.stringify(scenarioSchema)));
});

test('synthetic:nodes=5000: every node has its speaker pod, each under its own name (suffixes that collide are drawn again)', async () => {
  const { world } = await loadScenario('synthetic:nodes=5000,mode=frr');
  const speakers = world.objects.filter((o) => o.kind === 'Pod' && (o.spec?.containers as { name: string }[]).some((c) => c.name === 'speaker'));
  const nodes = world.objects.filter((o) => o.kind === 'Node').map((o) => o.metadata.name);
  assert.equal(new Set(speakers.map((p) => p.metadata.name)).size, speakers.length, 'unique pod names');
  assert.deepEqual(new Set(speakers.map((p) => p.spec?.nodeName)), new Set(nodes), 'a speaker on every node');
});
