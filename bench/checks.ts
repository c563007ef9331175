/**
 * Checks and ranking on a large hand-built model: N nodes (FRR, one BGP session each, every session
 * down with "Bad Peer AS"), S layer-2 + S BGP services, EndpointSlices, events. Prints the time of
 * runChecks and rankFindings and the number of findings; the goal is well under a second per 1000 nodes.
 * Usage: node --import tsx bench/checks.ts [--nodes 1000] [--services 500]
 */
import { performance } from 'node:perf_hooks';
import { emptyModel, type ClusterModel } from '../src/model/cluster.js';
import { runChecks } from '../src/checks/index.js';
import { rankFindings } from '../src/checks/rank.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

export function bigModel(nodes: number, services: number): ClusterModel {
  const m = emptyModel();
  const ns = 'metallb-system';
  const names = Array.from({ length: nodes }, (_, i) => `node-${i}`);
  m.kube.nodes = names.map((name, i) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { addresses: [{ type: 'InternalIP', address: `10.${(i >> 8) & 255}.${i & 255}.1` }], conditions: [{ type: 'Ready', status: 'True' }] } })) as any;
  m.kube.pods = names.map((n) => ({ metadata: { name: `speaker-${n}`, namespace: ns, labels: { component: 'speaker' } }, spec: { nodeName: n, containers: [{ name: 'speaker' }, { name: 'frr' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'speaker', restartCount: 0 }] } })) as any;
  m.metallb.ipAddressPools = [
    { metadata: { name: 'l2', namespace: ns }, spec: { addresses: ['172.16.0.0/16'] } },
    { metadata: { name: 'bgp', namespace: ns }, spec: { addresses: ['172.17.0.0/16'] } },
  ];
  m.metallb.l2Advertisements = [{ metadata: { name: 'l2', namespace: ns }, spec: { ipAddressPools: ['l2'] } }];
  m.metallb.bgpAdvertisements = [{ metadata: { name: 'bgp', namespace: ns }, spec: { ipAddressPools: ['bgp'] } }];
  m.metallb.bgpPeers = [{ metadata: { name: 'tor', namespace: ns }, spec: { myASN: 64512, peerASN: 64514, peerAddress: '192.0.2.1' } }];
  for (let i = 0; i < services; i++) {
    for (const [pool, prefix] of [['l2', '172.16'], ['bgp', '172.17']] as const) {
      const name = `${pool}-svc-${i}`;
      const ip = `${prefix}.${(i >> 8) & 255}.${i & 255}`;
      m.kube.services.push({ metadata: { name, namespace: 'apps', annotations: { 'metallb.io/ip-allocated-from-pool': pool } }, spec: { type: 'LoadBalancer', externalTrafficPolicy: i % 3 ? 'Cluster' : 'Local', selector: { app: name } }, status: { loadBalancer: { ingress: [{ ip }] } } } as any);
      m.kube.endpointSlices.push({ metadata: { name: `${name}-x`, namespace: 'apps', labels: { 'kubernetes.io/service-name': name } }, endpoints: [0, 1, 2].map((k) => ({ addresses: [`10.244.${k}.${i & 255}`], nodeName: names[(i + k) % nodes], conditions: { ready: true } })) } as any);
      m.kube.events.push({ involvedObject: { kind: 'Service', namespace: 'apps', name }, reason: 'nodeAssigned', message: `announcing from node "${names[i % nodes]}" with protocol "${pool === 'l2' ? 'layer2' : 'bgp'}"`, type: 'Normal' } as any);
    }
  }
  for (const n of names) {
    const path = `nodes/${n}/frr/bgp-neighbors.json`;
    m.nodes[n] = {
      name: n, collected: true, links: [{ ifname: 'eth0', flags: ['BROADCAST', 'UP', 'LOWER_UP'], mac: '02:00:00:00:00:01' }], addresses: [], routes: [], neighbors: [], sockets: [], sysctls: {}, arping: [], paths: {},
      frr: { neighbors: [{ vrf: 'default', address: '192.0.2.1', state: 'Idle', remoteAs: 64514, lastErrorCodeSubcode: '0202', lastNotificationReason: 'OPEN Message Error/Bad Peer AS', path }], routes: [], bfdPeers: [], paths: {}, runningConfig: { path: `nodes/${n}/frr/running-config.txt`, raw: '', routers: [{ asn: 64512, neighbors: [], networks: [] }], prefixLists: {}, bfdProfiles: {}, unparsed: [] } },
    };
  }
  return m;
}

if (process.argv[1]?.endsWith('checks.ts')) {
  const nodes = arg('nodes', 1000);
  const services = arg('services', 500);
  const model = bigModel(nodes, services);
  const t0 = performance.now();
  const findings = runChecks(model);
  const t1 = performance.now();
  const ranked = rankFindings(findings);
  const t2 = performance.now();
  const byId = Object.entries(ranked.reduce<Record<string, number>>((a, f) => ((a[f.id] = (a[f.id] ?? 0) + 1), a), {}));
  console.log(JSON.stringify({ nodes, services: services * 2, findings: ranked.length, runChecksMs: Math.round(t1 - t0), rankMs: Math.round(t2 - t1), first: ranked[0]?.id, byId }, null, 1));
}
