/**
 * Small Worlds for lab tests, built in code so the lab tests do not depend on the scenario loader:
 * three nodes on 192.0.2.0/24, speakers in FRR mode, one router, LB IPs from 198.51.100.0/24.
 */
import type { KubeObject } from '../../src/model/cluster.js';
import type { World } from '../../src/sim/world.js';
import type { Dataplane } from '../../src/sim/scenario/dataplane.js';

const ns = 'metallb-system';

function node(name: string, ip: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { addresses: [{ type: 'InternalIP', address: ip }] } };
}

function speakerPod(nodeName: string, frr: boolean): KubeObject {
  const containers: any[] = [{ name: 'speaker', image: 'quay.io/metallb/speaker:v0.14.9', args: ['--port=7472', '--log-level=info'] }];
  if (frr) containers.push({ name: 'frr', image: 'quay.io/frrouting/frr:9.1.0' }, { name: 'reloader', image: 'quay.io/frrouting/frr:9.1.0' });
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `speaker-${nodeName}`, namespace: ns }, spec: { nodeName, hostNetwork: true, containers } };
}

export interface TestWorldOptions {
  frr?: boolean;
  l2?: boolean;
  peerAsn?: number;
  password?: string;
  bfd?: boolean;
  holdTime?: string;
  dataplane?: Partial<Dataplane>;
}

export function testWorld(name: string, o: TestWorldOptions = {}): World {
  const frr = o.frr ?? true;
  const objects: KubeObject[] = [node('n1', '192.0.2.11'), node('n2', '192.0.2.12'), node('n3', '192.0.2.13')];
  for (const n of ['n1', 'n2', 'n3']) objects.push(speakerPod(n, frr));
  objects.push({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'pool', namespace: ns }, spec: { addresses: ['198.51.100.0/24'] } });
  const lbIp = o.l2 ? '198.51.100.100' : '198.51.100.200';
  if (o.l2) {
    objects.push({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: ns }, spec: {} });
  } else {
    objects.push({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'router', namespace: ns },
      spec: {
        myASN: 64512,
        peerASN: o.peerAsn ?? 64513,
        peerAddress: '192.0.2.1',
        holdTime: o.holdTime ?? '9s',
        keepaliveTime: '3s',
        connectTime: '2s',
        ...(o.password ? { password: o.password } : {}),
        ...(o.bfd ? { bfdProfile: 'fast' } : {}),
      },
    });
    objects.push({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'bgp', namespace: ns }, spec: {} });
    if (o.bfd) objects.push({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'fast', namespace: ns }, spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 } });
  }
  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', annotations: { 'metallb.io/ip-allocated-from-pool': 'pool' } },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: [{ ip: lbIp }] } },
  });
  const dataplane: Dataplane = {
    segment: '192.0.2.0/24',
    interface: 'eth0',
    routers: o.l2 ? [] : [{ name: 'tor', address: '192.0.2.1', asn: 64513, bfd: o.bfd }],
    announce: { [lbIp]: o.l2 ? ['n1'] : ['n1', 'n2', 'n3'] },
    nodes: {},
    ...o.dataplane,
  };
  return { name, kubernetesVersion: 'v1.32.4', objects, logs: [], metrics: [], faults: [], dataplane };
}
