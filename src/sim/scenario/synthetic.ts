/**
 * `synthetic:nodes=N[,mode=native|frr|frr-k8s][,version=vX.Y.Z][,services=K]` — a generated, healthy
 * cluster of N nodes (1..5000, Kubernetes' own limit) for scale tests and benchmarks. Up to 240 nodes live on the
 * documentation segment 192.0.2.0/24; larger clusters use the benchmarking range 198.18.0.0/15
 * (RFC 2544), which is reserved for exactly this kind of use.
 */
import { UserError } from '../../util/errors.js';
import type { KubeObject } from '../../model/cluster.js';
import type { InstallMode, Scenario } from './types.js';
import { intToIp, ipToInt } from './util.js';

/** Kubernetes supports clusters of up to 5000 nodes. */
export const maxNodes = 5000;

const usage = 'use synthetic:nodes=N with N from 1 to 5000 (the most nodes Kubernetes supports), optionally ,mode=native|frr|frr-k8s ,version=v0.14.9 ,services=K';

export function syntheticScenario(spec: string): Scenario {
  const params = new Map<string, string>();
  for (const part of spec.slice('synthetic:'.length).split(',')) {
    if (!part) continue;
    const [k, v] = part.split('=');
    if (!k || v === undefined) throw new UserError(`bad synthetic scenario parameter ${JSON.stringify(part)} in ${spec}`, usage);
    params.set(k.trim(), v.trim());
  }
  for (const k of params.keys()) {
    if (!['nodes', 'mode', 'version', 'services'].includes(k)) throw new UserError(`unknown synthetic scenario parameter ${JSON.stringify(k)} in ${spec}`, usage);
  }
  const nodesRaw = params.get('nodes');
  const n = Number(nodesRaw);
  if (!nodesRaw || !Number.isInteger(n) || n < 1 || n > maxNodes) throw new UserError(`synthetic scenario needs nodes=N with 1 ≤ N ≤ ${maxNodes}, got ${JSON.stringify(nodesRaw ?? '')}`, usage);
  const mode = (params.get('mode') ?? 'native') as InstallMode;
  if (!['native', 'frr', 'frr-k8s'].includes(mode)) throw new UserError(`synthetic scenario: unknown mode ${JSON.stringify(mode)}`, usage);
  const version = params.get('version') ?? (mode === 'frr-k8s' ? 'v0.16.1' : 'v0.14.9');
  if (!/^v0\.1[3-6]\.\d+$/.test(version)) throw new UserError(`synthetic scenario: unsupported version ${JSON.stringify(version)}`, usage);
  const bgp = mode !== 'native';
  // BGP announces every service from every selected node (one status object and event each), so
  // BGP clusters get fewer services and at most 100 announcing nodes by default.
  const serviceCount = params.has('services') ? Number(params.get('services')) : bgp ? Math.min(n, 50) : Math.min(n * 2, 200);
  if (!Number.isInteger(serviceCount) || serviceCount < 0 || serviceCount > 500) throw new UserError(`synthetic scenario: services must be 0..500, got ${params.get('services')}`, usage);

  const big = n > 240;
  const segment = big ? '198.18.0.0/15' : '192.0.2.0/24';
  const base = ipToInt(big ? '198.18.0.0' : '192.0.2.0');
  const routerAddress = intToIp(base + 1);
  const width = String(n).length < 2 ? 2 : String(n).length;
  const nodes = Array.from({ length: n }, (_, i) => ({
    name: `node-${String(i + 1).padStart(width, '0')}`,
    ip: intToIp(base + 11 + i),
    ...(i === 0 && n >= 3 ? { controlPlane: true } : {}),
    labels: { 'topology.kubernetes.io/zone': `zone-${(i % 3) + 1}`, ...(n <= 100 || i % Math.ceil(n / 100) === 0 ? { 'bgp.example.com/speaker': 'true' } : {}) },
  }));
  const ns = 'metallb-system';
  const objects: KubeObject[] = [
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'default-pool', namespace: ns }, spec: { addresses: ['198.51.100.0/24', '203.0.113.0/24'] } },
  ];
  if (bgp) {
    objects.push(
      { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor', namespace: ns }, spec: { myASN: 64512, peerASN: 64513, peerAddress: routerAddress, nodeSelectors: [{ matchLabels: { 'bgp.example.com/speaker': 'true' } }] } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'default', namespace: ns }, spec: { ipAddressPools: ['default-pool'], nodeSelectors: [{ matchLabels: { 'bgp.example.com/speaker': 'true' } }] } },
    );
  } else {
    objects.push({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'default', namespace: ns }, spec: { ipAddressPools: ['default-pool'] } });
  }
  const services = Array.from({ length: serviceCount }, (_, i) => ({
    name: `svc-${String(i + 1).padStart(3, '0')}`,
    namespace: `team-${(i % 5) + 1}`,
    ip: i < 254 ? `198.51.100.${i + 1}` : `203.0.113.${i - 253}`,
    endpoints: [nodes[(i % Math.max(1, n - 1)) + (n > 1 ? 1 : 0)]!.name],
  }));
  return {
    name: `synthetic-${n}`,
    description: `Generated healthy ${mode} cluster with ${n} nodes and ${serviceCount} services`,
    install: { version, mode },
    nodes,
    services,
    objects,
    dataplane: { segment, routers: bgp ? [{ name: 'tor', address: routerAddress, asn: 64513 }] : [] },
  };
}
