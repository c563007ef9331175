/**
 * Case-table helpers for the check tests: small builders for Kubernetes objects, a bundle assembled
 * from them plus real lab outputs (fixtures/checks), and `modelFromFiles` to turn it into the model the
 * checks read — the same path a collected bundle takes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelFromFiles } from '../../src/parse/index.js';
import { runChecks } from '../../src/checks/index.js';
import type { ClusterModel } from '../../src/model/cluster.js';
import type { Finding } from '../../src/model/finding.js';

export const ns = 'metallb-system';

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, '../../fixtures/checks', name), 'utf8');
}

type Obj = Record<string, any>;

export function node(name: string, o: { labels?: Record<string, string>; ip?: string; networkUnavailable?: boolean; notReady?: boolean; taints?: Obj[]; providerID?: string } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.providerID ? { providerID: o.providerID } : {}) },
    status: {
      addresses: o.ip ? [{ type: 'InternalIP', address: o.ip }] : [],
      conditions: [
        { type: 'Ready', status: o.notReady ? 'False' : 'True' },
        ...(o.networkUnavailable !== undefined ? [{ type: 'NetworkUnavailable', status: o.networkUnavailable ? 'True' : 'False', reason: o.networkUnavailable ? 'NoRouteCreated' : 'RouteCreated' }] : []),
      ],
    },
  };
}

export function speaker(nodeName: string, o: { ready?: boolean; restarts?: number; waiting?: string; frr?: boolean } = {}): Obj {
  const ready = o.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `speaker-${nodeName}`, namespace: ns, labels: { app: 'metallb', component: 'speaker' } },
    spec: { nodeName, containers: [{ name: 'speaker', image: 'quay.io/metallb/speaker:v0.14.9' }, ...(o.frr ? [{ name: 'frr', image: 'quay.io/frrouting/frr:9.1.0' }] : [])] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'speaker', ready, restartCount: o.restarts ?? 0, state: o.waiting ? { waiting: { reason: o.waiting } } : { running: {} } }],
    },
  };
}

export function controller(o: { ready?: boolean } = {}): Obj {
  const ready = o.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'controller-5f7', namespace: ns, labels: { app: 'metallb', component: 'controller' } },
    spec: { nodeName: 'n1', containers: [{ name: 'controller', image: 'quay.io/metallb/controller:v0.14.9' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'controller', ready, restartCount: 0, state: ready ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } } }] },
  };
}

export function service(key: string, o: { ip?: string; etp?: 'Local' | 'Cluster'; annotations?: Record<string, string>; labels?: Record<string, string>; ports?: number[]; lbClass?: string; loadBalancerIP?: string; selector?: Record<string, string> | null } = {}): Obj {
  const [namespace, name] = key.split('/');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: o.annotations ?? {}, labels: o.labels ?? {} },
    spec: {
      type: 'LoadBalancer',
      ports: (o.ports ?? [80]).map((port) => ({ port, protocol: 'TCP' })),
      externalTrafficPolicy: o.etp ?? 'Cluster',
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: name } }),
      ...(o.lbClass ? { loadBalancerClass: o.lbClass } : {}),
      ...(o.loadBalancerIP ? { loadBalancerIP: o.loadBalancerIP } : {}),
    },
    status: { loadBalancer: o.ip ? { ingress: [{ ip: o.ip }] } : {} },
  };
}

export function endpoints(key: string, eps: { node?: string; ready?: boolean }[]): Obj {
  const [namespace, name] = key.split('/');
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-abc`, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: eps.map((e, i) => ({ addresses: [`10.244.${i}.10`], conditions: { ready: e.ready ?? true }, ...(e.node ? { nodeName: e.node } : {}) })),
  };
}

export function pool(name: string, addresses: string[], spec: Obj = {}, labels?: Record<string, string>, namespace = ns): Obj {
  return { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec: { addresses, ...spec } };
}

export const l2ad = (name: string, spec: Obj = {}): Obj => ({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name, namespace: ns }, spec });
export const bgpad = (name: string, spec: Obj = {}): Obj => ({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name, namespace: ns }, spec });
export const peer = (name: string, spec: Obj): Obj => ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name, namespace: ns }, spec });

export function l2status(svcKey: string, nodeName: string, i = 0): Obj {
  const [namespace, name] = svcKey.split('/');
  return { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { name: `l2-${i}${nodeName}`, namespace: ns, labels: { 'metallb.io/node': nodeName, 'metallb.io/service-name': name, 'metallb.io/service-namespace': namespace } }, status: { node: nodeName, serviceName: name, serviceNamespace: namespace } };
}

export function event(svcKey: string, reason: string, message: string, type = 'Warning', kind = 'Service'): Obj {
  const [namespace, name] = svcKey.includes('/') ? svcKey.split('/') : [undefined, svcKey];
  return { apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.${reason}`, namespace: namespace ?? 'default' }, involvedObject: { kind, name, ...(namespace ? { namespace } : {}) }, reason, message, type, count: 1 };
}

/** A JSON log line as MetalLB writes it. */
export const logLine = (fields: Obj): string => JSON.stringify({ ts: '2026-11-27T12:00:00Z', level: 'info', caller: 'x.go:1', ...fields });

export interface BundleSpec {
  nodes?: Obj[];
  pods?: Obj[];
  services?: Obj[];
  endpointSlices?: Obj[];
  events?: Obj[];
  daemonSets?: Obj[];
  deployments?: Obj[];
  configMaps?: Obj[];
  webhooks?: Obj[];
  kubeProxy?: string; // config.conf text
  metallb?: Partial<Record<'ipaddresspools' | 'l2advertisements' | 'bgpadvertisements' | 'bgppeers' | 'bfdprofiles' | 'servicel2statuses' | 'configurationstates' | 'communities', Obj[]>>;
  frrk8s?: Partial<Record<'frrnodestates' | 'bgpsessionstates' | 'frrconfigurations', Obj[]>>;
  /** Per node: bundle path below nodes/<node>/ → content. */
  nodeFiles?: Record<string, Record<string, string>>;
  /** `<pod>/<container>[.previous]` → log text. */
  logs?: Record<string, string>;
  manifest?: Obj;
  discovery?: Obj;
  /** Any other bundle file, by bundle-relative path (e.g. `controller/net/ss.txt`). */
  files?: Record<string, string>;
}

const list = (items: Obj[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

export function bundleFiles(spec: BundleSpec): Record<string, string> {
  const files: Record<string, string> = {};
  const put = (path: string, items: Obj[] | undefined) => {
    if (items) files[path] = list(items);
  };
  put('cluster/nodes.json', spec.nodes);
  put('cluster/pods.json', spec.pods);
  put('cluster/services.json', spec.services);
  put('cluster/endpointslices.json', spec.endpointSlices);
  put('cluster/events.json', spec.events);
  put('cluster/daemonsets.json', spec.daemonSets);
  put('cluster/deployments.json', spec.deployments);
  put('cluster/configmaps.json', spec.configMaps);
  put('cluster/validatingwebhookconfigurations.json', spec.webhooks);
  if (spec.kubeProxy !== undefined) files['cluster/kube-proxy-configmap.json'] = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': spec.kubeProxy } });
  for (const [plural, items] of Object.entries(spec.metallb ?? {})) put(`cluster/metallb.io/${plural}.json`, items);
  for (const [plural, items] of Object.entries(spec.frrk8s ?? {})) put(`cluster/frrk8s.metallb.io/${plural}.json`, items);
  for (const [n, map] of Object.entries(spec.nodeFiles ?? {})) for (const [p, c] of Object.entries(map)) files[`nodes/${n}/${p}`] = c;
  for (const [k, text] of Object.entries(spec.logs ?? {})) files[`logs/${k}.log`] = text;
  if (spec.manifest) files['manifest.json'] = JSON.stringify(spec.manifest);
  if (spec.discovery) files['discovery.json'] = JSON.stringify(spec.discovery);
  Object.assign(files, spec.files ?? {});
  return files;
}

export function model(spec: BundleSpec): ClusterModel {
  return modelFromFiles(bundleFiles(spec));
}

export function findingsOf(id: string, m: ClusterModel): Finding[] {
  return runChecks(m, { only: [id] });
}

export interface Case {
  name: string;
  spec: BundleSpec;
  fires: boolean;
  /** Extra assertions on the findings when it fires. */
  check?: (findings: Finding[]) => void;
}

/** Registers one test per case: the check fires (or not) and every finding is well formed. */
export function caseTable(id: string, cases: Case[]): void {
  for (const c of cases) {
    test(`${id}: ${c.fires ? 'fires' : 'silent'} — ${c.name}`, () => {
      const findings = findingsOf(id, model(c.spec));
      assert.equal(findings.length > 0, c.fires, findings.map((f) => f.summary).join('\n') || 'no findings');
      for (const f of findings) {
        assert.equal(f.id, id);
        assert.ok(f.summary.length > 0);
        assert.ok(f.subjects.length > 0, 'a finding names its subjects');
        assert.ok(f.remediation.summary.length > 0, 'a finding says what to change');
        for (const e of f.evidence) assert.ok(e.path && !e.path.startsWith('/') && !e.path.includes('..'), `evidence path is bundle-relative: ${e.path}`);
      }
      c.check?.(findings);
    });
  }
}

/** Base of an L2 setup: three nodes with ready speakers, one pool, one L2Advertisement, one service. */
export function l2Base(over: Partial<BundleSpec> = {}): BundleSpec {
  return {
    nodes: [node('n1', { ip: '192.0.2.11' }), node('n2', { ip: '192.0.2.12' }), node('n3', { ip: '192.0.2.13' })],
    pods: [speaker('n1'), speaker('n2'), speaker('n3'), controller()],
    services: [service('default/web', { ip: '192.0.2.100' })],
    endpointSlices: [endpoints('default/web', [{ node: 'n2' }])],
    metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan')] },
    ...over,
  };
}

/**
 * The BGP lab (fixtures/checks): lc-n1 peers healthily with the router 10.99.0.1 (AS 64513);
 * lc-n2's FRR uses the wrong peer AS 64514 and sits Idle with "OPEN Message Error/Bad Peer AS".
 * Both must announce 10.99.0.200/32 (service default/web-bgp).
 */
export function bgpLab(over: Partial<BundleSpec> = {}, n2Files: Record<string, string> = {}): BundleSpec {
  const hostSel = (n: string) => [{ matchLabels: { 'kubernetes.io/hostname': n } }];
  return {
    nodes: [node('lc-n1', { ip: '10.99.0.11' }), node('lc-n2', { ip: '10.99.0.12' })],
    pods: [speaker('lc-n1', { frr: true }), speaker('lc-n2', { frr: true }), controller()],
    services: [service('default/web-bgp', { ip: '10.99.0.200' })],
    endpointSlices: [endpoints('default/web-bgp', [{ node: 'lc-n1' }, { node: 'lc-n2' }])],
    metallb: {
      ipaddresspools: [pool('bgp', ['10.99.0.200/32'])],
      bgpadvertisements: [bgpad('bgp')],
      bgppeers: [peer('router', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1', nodeSelectors: hostSel('lc-n1') }), peer('router-n2', { myASN: 64512, peerASN: 64514, peerAddress: '10.99.0.1', nodeSelectors: hostSel('lc-n2') })],
    },
    nodeFiles: {
      'lc-n1': { 'frr/bgp-neighbors.json': fixture('frr-lc-n1-bgp-neighbors.json'), 'frr/running-config.txt': fixture('frr-lc-n1-running-config.txt'), 'frr/bfd-peers.json': fixture('frr-lc-n1-bfd-peers.json'), 'net/ip-addr.json': fixture('ip-addr-lc-n1.json') },
      'lc-n2': { 'frr/bgp-neighbors.json': fixture('frr-lc-n2-bgp-neighbors.json'), 'frr/running-config.txt': fixture('frr-lc-n2-running-config.txt'), 'frr/bfd-peers.json': fixture('frr-lc-n2-bfd-peers.json'), 'net/ip-addr.json': fixture('ip-addr-lc-n2.json'), ...n2Files },
    },
    ...over,
  };
}

/** Only lc-n1, the healthy speaker. */
export function bgpHealthy(over: Partial<BundleSpec> = {}): BundleSpec {
  const lab = bgpLab();
  return { ...lab, nodes: lab.nodes!.slice(0, 1), pods: [lab.pods![0], lab.pods![2]], endpointSlices: [endpoints('default/web-bgp', [{ node: 'lc-n1' }])], nodeFiles: { 'lc-n1': lab.nodeFiles!['lc-n1'] }, ...over };
}
