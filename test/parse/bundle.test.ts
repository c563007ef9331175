import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { loadBundle, modelFromFiles, parseById } from '../../src/parse/index.js';
import { isUserError } from '../../src/util/errors.js';
import { nodeItems } from '../../src/catalogue/index.js';
import { fixture, fixtureBytes } from './helpers.js';

const ns = 'metallb-system';

function manifest(nodes: string[]): string {
  return JSON.stringify({
    schemaVersion: 1,
    tool: { name: 'mlb-report', version: '0.1.0' },
    createdAt: '2026-11-27T12:48:00Z',
    command: ['mlb-report', 'collect'],
    cluster: {},
    options: {},
    timings: { totalMs: 1 },
    redaction: { ips: false, rules: [], count: 0 },
    nodes: nodes.map((node) => ({ node, status: 'ok', steps: [] })),
    clusterSteps: [],
    addedContainers: [],
    files: [],
  });
}

/** A bundle shaped like the collector writes it, from the lab samples: n1 healthy, n2 wrong ASN. */
function sampleBundle(): Record<string, string | Buffer> {
  const pods = {
    kind: 'PodList',
    apiVersion: 'v1',
    items: [
      { metadata: { name: 'speaker-n1', namespace: ns }, spec: { nodeName: 'lc-n1' } },
      { metadata: { name: 'speaker-n2', namespace: ns }, spec: { nodeName: 'worker:2' } },
    ],
  };
  return {
    'manifest.json': manifest(['lc-n1', 'worker:2']),
    'discovery.json': JSON.stringify({ namespace: ns, mode: 'frr', installMethod: 'manifest', speakers: [], frrK8s: [], nodes: ['lc-n1', 'worker:2'] }),
    'cluster/version.json': '{"major":"1","minor":"32","gitVersion":"v1.32.4"}',
    'cluster/pods.json': JSON.stringify(pods),
    'cluster/services.json': JSON.stringify({ kind: 'ServiceList', apiVersion: 'v1', items: [{ metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer' } }] }),
    'cluster/metallb.io/ipaddresspools.json': JSON.stringify({ kind: 'IPAddressPoolList', apiVersion: 'metallb.io/v1beta1', items: [{ metadata: { name: 'pool', namespace: ns }, spec: { addresses: ['10.99.0.100-10.99.0.200'] } }] }),
    'cluster/metallb.io/bgppeers.json': '{"kind":"Status","status":"Failure","reason":"Forbidden","message":"bgppeers.metallb.io is forbidden"}',
    'cluster/frrk8s.metallb.io/frrconfigurations.json': '{"kind":"FRRConfigurationList","items":[]}',
    'cluster/kube-proxy-configmap.json': JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: "ipvs"\nipvs:\n  strictARP: false\n' } }),
    'nodes/lc-n1/net/ip-addr.json': fixture('iproute2/ip-addr-lc-n1.json'),
    'nodes/lc-n1/net/ss.txt': fixture('iproute2/ss-tlnpH-O-lc-n1.txt'),
    'nodes/lc-n1/net/ip-neigh.json': fixture('iproute2/ip-neigh-lc-n1.json'),
    'nodes/lc-n1/frr/running-config.txt': fixture('frr-8.4/vtysh/frr-lc-n1-running-config.txt'),
    'nodes/lc-n1/frr/bgp-neighbors.json': fixture('frr-8.4/vtysh/frr-lc-n1-bgp-neighbors.json'),
    'nodes/lc-n1/frr/bgp-ipv4.json': fixture('frr-8.4/vtysh/frr-lc-n1-bgp-ipv4-unicast.json'),
    'nodes/lc-n1/frr/reload-status.txt': '1795783626 success\n',
    'nodes/worker_2/net/ip-addr.json': fixture('iproute2/ip-addr-lc-n2.json'),
    'nodes/worker_2/net/sysctl.txt': '/proc/sys/net/ipv4/conf/eth0/arp_ignore:0\n',
    'nodes/worker_2/frr/running-config.txt': fixture('frr-8.4/vtysh/frr-lc-n2-running-config.txt'),
    'nodes/worker_2/frr/desired-frr.conf': fixture('frr-8.4/conf/conf-lc-n1-bgpd.conf'),
    'nodes/worker_2/frr/bgp-neighbors.json': fixture('frr-8.4/vtysh/frr-lc-n2-bgp-neighbors.json'),
    'nodes/worker_2/frr/bgp-summary.json': fixture('frr-8.4/vtysh/frr-lc-n2-bgp-summary.json'),
    'nodes/worker_2/frr/bfd-peers.json': fixture('frr-8.4/vtysh/frr-lc-n2-bfd-peers.json'),
    'nodes/worker_2/frr/daemons.txt': ' zebra bgpd bfdd watchfrr\n',
    'nodes/worker_2/capture/capture.pcap': fixtureBytes('tcpdump/arp-conflict.pcap'),
    'nodes/worker_2/capture/capture.txt': fixture('tcpdump/arp-conflict.txt'),
    'nodes/worker_2/probe/arping-10.99.0.100.txt': fixture('arping/arping-duplicate.txt'),
    'logs/speaker-n2/speaker.log': '2026-11-27T12:47:21Z {"caller":"main.go:1","level":"info","msg":"service has IP, announcing","event":"serviceAnnounced","ts":"2026-11-27T12:47:21Z"}\n',
    'logs/speaker-n2/frr.log': fixture('frr-8.4/logs/lc-n2-bgpd.log'),
    'logs/speaker-n2/speaker.previous.log': 'panic: boom\n',
    'controller/metrics/metrics-7472.txt': '# TYPE metallb_allocator_addresses_in_use_total gauge\nmetallb_allocator_addresses_in_use_total{pool="pool"} 2\n',
  };
}

test('modelFromFiles: the wrong-ASN node, the ARP conflict and the healthy node from real samples', () => {
  const model = modelFromFiles(sampleBundle());
  assert.deepEqual(model.notes.map((n) => n.path), ['cluster/metallb.io/bgppeers.json']);
  assert.equal(model.kube.version, 'v1.32.4');
  assert.equal(model.discovery?.namespace, ns);
  assert.equal(model.manifest?.nodes.length, 2);
  assert.deepEqual(model.kube.pods.map((p) => p.metadata?.name), ['speaker-n1', 'speaker-n2']);
  assert.equal(model.kube.services[0].spec?.type, 'LoadBalancer');
  assert.equal(model.metallb.ipAddressPools[0].spec.addresses[0], '10.99.0.100-10.99.0.200');
  assert.deepEqual(model.metallb.bgpPeers, []);
  assert.deepEqual(model.kube.kubeProxy, { mode: 'ipvs', strictARP: false, path: 'cluster/kube-proxy-configmap.json' });

  assert.deepEqual(Object.keys(model.nodes).sort(), ['lc-n1', 'worker:2']);
  const n2 = model.nodes['worker:2'];
  assert.equal(n2.name, 'worker:2');
  assert.equal(n2.collected, true);
  assert.equal(n2.paths['ip-addr'], 'nodes/worker_2/net/ip-addr.json');
  assert.equal(n2.sysctls['net.ipv4.conf.eth0.arp_ignore'], '0');
  const bgp = n2.frr?.neighbors[0];
  assert.equal(bgp?.state, 'Idle');
  assert.equal(bgp?.lastNotificationReason, 'OPEN Message Error/Bad Peer AS');
  assert.equal(bgp?.path, 'nodes/worker_2/frr/bgp-neighbors.json');
  assert.equal(n2.frr?.runningConfig?.routers[0].neighbors[0].remoteAs, 64514);
  assert.equal(n2.frr?.desiredConfig?.routers[0].neighbors[0].remoteAs, 64513);
  assert.equal(n2.frr?.summary?.[0].state, 'Idle');
  assert.equal(n2.frr?.bfdPeers[0].status, 'up');
  assert.deepEqual(n2.frr?.daemons, ['zebra', 'bgpd', 'bfdd', 'watchfrr']);
  assert.equal(n2.frr?.paths['running-config'], 'nodes/worker_2/frr/running-config.txt');
  assert.ok(n2.frr?.logLines?.some((l) => l.includes('BGP OPEN receipt failed')));
  assert.equal(n2.capture?.source, 'text');
  assert.equal(n2.capture?.path, 'nodes/worker_2/capture/capture.txt');
  assert.deepEqual(n2.capture?.arp.filter((a) => a.op === 'reply').map((a) => a.mac), ['02:00:00:00:00:03', '02:00:00:00:00:02']);
  assert.deepEqual(n2.arping[0].macs, ['02:00:00:00:00:03', '02:00:00:00:00:02']);

  const n1 = model.nodes['lc-n1'];
  assert.equal(n1.frr?.neighbors[0].state, 'Established');
  assert.equal(n1.frr?.routes[0].prefix, '10.99.0.200/32');
  assert.equal(n1.frr?.reloadStatus?.status, 'success');
  assert.equal(n1.sockets.find((s) => s.localPort === 179)?.process, 'bgpd');
  assert.equal(n1.neighbors[0].mac, '02:00:00:00:00:04');
  assert.equal(n1.frr?.logLines, undefined);

  const speaker = model.logs.find((l) => l.container === 'speaker' && !l.previous)!;
  assert.equal(speaker.pod, 'speaker-n2');
  assert.equal(speaker.namespace, ns);
  assert.equal(speaker.node, 'worker:2');
  assert.equal(speaker.records[0].fields.event, 'serviceAnnounced');
  assert.equal(model.logs.find((l) => l.previous)?.records[0].raw, 'panic: boom');
  assert.equal(model.metrics?.[0].samples[0].value, 2);
  assert.equal(model.raw?.['nodes/worker_2/net/sysctl.txt'], '/proc/sys/net/ipv4/conf/eth0/arp_ignore:0\n');
  assert.equal(model.raw?.['nodes/worker_2/capture/capture.pcap'], undefined);
});

test('modelFromFiles: an empty map is an empty model; hostile keys are ignored with a note', () => {
  const empty = modelFromFiles({});
  assert.deepEqual(empty.nodes, {});
  assert.deepEqual(empty.notes, []);
  const hostile = modelFromFiles({ '../../etc/passwd': 'root:x:0:0', '/abs/file': 'x', 'nodes/a/../../x': 'y', 'nodes/ok/net/ss.txt': 'junk line\n' });
  assert.deepEqual(hostile.notes.filter((n) => /outside the bundle/.test(n.message)).length, 3);
  assert.deepEqual(Object.keys(hostile.nodes), ['ok']);
  assert.equal(hostile.nodes.ok.sockets.length, 0);
  assert.ok(hostile.notes.some((n) => n.path === 'nodes/ok/net/ss.txt'));
});

test('modelFromFiles: the pcap stands in for a missing or cut text decode; frr-only nodes are not "collected"', () => {
  const text = fixture('tcpdump/bgp-179-steady-decoded.txt');
  const model = modelFromFiles({
    'nodes/x/capture/capture.txt': text,
    'nodes/y/frr/bgp-neighbors.json': fixture('frr-8.4/vtysh/frr-lc-n1-bgp-neighbors.json'),
    'nodes/z/capture/capture.txt': text.slice(0, 2000),
    'nodes/z/capture/capture.pcap': fixtureBytes('tcpdump/bgp-179-steady.pcap'),
    'nodes/w/capture/capture.pcap': fixtureBytes('tcpdump/garp.pcap'),
  });
  assert.equal(model.nodes.x.capture?.source, 'text');
  assert.equal(model.nodes.x.capture?.packets, 27);
  assert.equal(model.nodes.z.capture?.source, 'pcap');
  assert.equal(model.nodes.z.capture?.packets, 27);
  assert.equal(model.nodes.w.capture?.path, 'nodes/w/capture/capture.pcap');
  assert.equal(model.nodes.y.collected, false);
  assert.equal(model.nodes.y.frr?.neighbors.length, 1);
});

test('parseById covers every parser the catalogue names', () => {
  for (const item of nodeItems) {
    const r = parseById(item.parser, '', `nodes/n/${item.file}`);
    assert.ok(r && Array.isArray(r.notes), item.id);
  }
  assert.equal(parseById('pcap', fixtureBytes('tcpdump/garp.pcap'), 'x').value.arp.length, 2);
  assert.equal(parseById('arping', fixture('arping/arping-single.txt'), 'x').value.replies, 3);
});

test('loadBundle reads a directory, ignores symlinks and reports missing or foreign folders as user errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-parse-'));
  try {
    for (const [rel, content] of Object.entries(sampleBundle())) {
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), content);
    }
    await symlink('/etc/passwd', join(dir, 'nodes', 'lc-n1', 'net', 'ip-link.json'));
    const model = await loadBundle(dir);
    assert.equal(model.bundleRoot, dir);
    assert.equal(model.nodes['worker:2'].frr?.neighbors[0].lastNotificationReason, 'OPEN Message Error/Bad Peer AS');
    assert.equal(model.nodes['worker:2'].capture?.packets, 3);
    assert.deepEqual(model.nodes['lc-n1'].links, []);
    assert.ok(model.notes.some((n) => n.path === 'nodes/lc-n1/net/ip-link.json' && /symbolic link/.test(n.message)));

    await assert.rejects(loadBundle(join(dir, 'missing')), (e: unknown) => isUserError(e) && e.exitCode === 2);
    await assert.rejects(loadBundle(join(dir, 'manifest.json')), (e: unknown) => isUserError(e) && /not a bundle directory/.test(e.message));
    const foreign = join(dir, 'logs');
    await assert.rejects(loadBundle(foreign), (e: unknown) => isUserError(e) && /not an mlb-report bundle/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every cluster item the collector writes has a place in the model', async () => {
  const { clusterItems } = await import('../../src/catalogue/index.js');
  const { kubeFiles } = await import('../../src/parse/index.js');
  for (const item of clusterItems) {
    if (item.file === 'cluster/kube-proxy-configmap.json') continue; // read as kube.kubeProxy
    assert.ok(item.file in kubeFiles, `${item.file} is not loaded`);
  }
});

test('secrets (names only), the RBAC preflight and frr-k8s running configs from FRRNodeState', () => {
  const model = modelFromFiles({
    'cluster/secrets.json': JSON.stringify({ kind: 'SecretList', apiVersion: 'v1', items: [{ metadata: { name: 'memberlist', namespace: ns }, type: 'Opaque', data: { secretkey: '' } }] }),
    'rbac.json': JSON.stringify([{ verb: 'create', resource: 'pods', subresource: 'ephemeralcontainers', group: '', namespace: ns, allowed: false }, 'junk']),
    'cluster/frrk8s.metallb.io/frrnodestates.json': JSON.stringify({
      kind: 'FRRNodeStateList',
      apiVersion: 'frrk8s.metallb.io/v1beta1',
      items: [
        { metadata: { name: 'lc-n2' }, status: { runningConfig: fixture('frr-8.4/vtysh/frr-lc-n2-running-config.txt'), lastReloadResult: 'success' } },
        { metadata: { name: 'lc-n1' }, status: { runningConfig: 'router bgp 1\n' } },
      ],
    }),
    'nodes/lc-n1/frr/running-config.txt': fixture('frr-8.4/vtysh/frr-lc-n1-running-config.txt'),
  });
  assert.equal(model.kube.secrets?.[0].metadata.name, 'memberlist');
  assert.equal(model.rbac?.length, 1);
  assert.equal(model.rbac?.[0].allowed, false);
  assert.equal(model.nodes['lc-n2'].frr?.runningConfig?.routers[0].neighbors[0].remoteAs, 64514);
  assert.equal(model.nodes['lc-n2'].frr?.paths['running-config'], 'cluster/frrk8s.metallb.io/frrnodestates.json');
  // The node's own vtysh output wins over the CR copy.
  assert.equal(model.nodes['lc-n1'].frr?.runningConfig?.routers[0].asn, 64512);
});

test('node names and JSON keys such as __proto__ stay data', () => {
  const model = modelFromFiles({
    'manifest.json': manifest(['__proto__', 'constructor']),
    'nodes/constructor/net/sysctl.txt': '/proc/sys/net/ipv4/ip_forward:1\n',
    'logs/p/speaker.log': '{"__proto__":{"polluted":true},"msg":"x","level":"info"}\n',
  });
  assert.deepEqual(Object.keys(model.nodes).sort(), ['__proto__', 'constructor']);
  assert.equal(Object.getPrototypeOf(model.nodes), Object.prototype);
  assert.equal(model.nodes['constructor'].sysctls['net.ipv4.ip_forward'], '1');
  const fields = model.logs[0].records[0].fields;
  assert.equal(Object.getPrototypeOf(fields), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
