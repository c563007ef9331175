/**
 * `meta.k8s.io/v1` Table responses for `kubectl get`, with the columns the real server prints
 * (`kubernetes/pkg/printers/internalversion/printers.go` for built-ins, additionalPrinterColumns
 * for MetalLB CRDs, Name/Age for anything else).
 */
import type { KubeObject } from '../../model/cluster.js';
import type { ResourceType } from './resources.js';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;

interface Printer {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: number): Cell[];
}

const col = (name: string, type = 'string', priority = 0, format = ''): ColumnDefinition => ({ name, type, format, description: '', priority });

/** `k8s.io/apimachinery/pkg/util/duration.HumanDuration`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: string | undefined, now: number): string {
  if (!ts) return '<unknown>';
  return humanDuration(now - Date.parse(ts));
}

const nameAge: Printer = {
  columns: [col('Name', 'string', 0, 'name'), col('Age')],
  cells: (o, now) => [o.metadata.name, age(o.metadata.creationTimestamp, now)],
};

// ---------------------------------------------------------------- pods

function podReasonAndReady(pod: KubeObject, now: number): { reason: string; ready: number; restarts: string } {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let reason: string = status.reason || status.phase || 'Unknown';
  let restarts = 0;
  let ready = 0;
  let lastRestart: number | undefined;
  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  initStatuses.forEach((c, i) => {
    restarts += c.restartCount ?? 0;
    if (c.state?.terminated?.exitCode === 0) return;
    if (c.state?.terminated) reason = c.state.terminated.reason ? `Init:${c.state.terminated.reason}` : `Init:ExitCode:${c.state.terminated.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
  });
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt;
      if (finished) {
        const t = Date.parse(finished);
        if (lastRestart === undefined || t > lastRestart) lastRestart = t;
      }
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = (status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
      reason = readyCond ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  const restartsText = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { reason, ready, restarts: restartsText };
}

const podPrinter: Printer = {
  columns: [
    col('Name', 'string', 0, 'name'),
    col('Ready'),
    col('Status'),
    col('Restarts'),
    col('Age'),
    col('IP', 'string', 1),
    col('Node', 'string', 1),
    col('Nominated Node', 'string', 1),
    col('Readiness Gates', 'string', 1),
  ],
  cells(pod, now) {
    const { reason, ready, restarts } = podReasonAndReady(pod, now);
    const total = (pod.spec?.containers ?? []).length;
    const gates: any[] = pod.spec?.readinessGates ?? [];
    let gatesText = '<none>';
    if (gates.length > 0) {
      const trueConds = new Set((pod.status?.conditions ?? []).filter((c: any) => c.status === 'True').map((c: any) => c.type));
      gatesText = `${gates.filter((g) => trueConds.has(g.conditionType)).length}/${gates.length}`;
    }
    return [
      pod.metadata.name,
      `${ready}/${total}`,
      reason,
      restarts,
      age(pod.metadata.creationTimestamp, now),
      pod.status?.podIP || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      gatesText,
    ];
  },
};

// ---------------------------------------------------------------- nodes

const nodePrinter: Printer = {
  columns: [
    col('Name', 'string', 0, 'name'),
    col('Status'),
    col('Roles'),
    col('Age'),
    col('Version'),
    col('Internal-IP', 'string', 1),
    col('External-IP', 'string', 1),
    col('OS-Image', 'string', 1),
    col('Kernel-Version', 'string', 1),
    col('Container-Runtime', 'string', 1),
  ],
  cells(node, now) {
    const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    let status = ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
    if (node.spec?.unschedulable) status += ',SchedulingDisabled';
    const labels = node.metadata.labels ?? {};
    const roles = Object.keys(labels)
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .concat(labels['kubernetes.io/role'] ? [labels['kubernetes.io/role']] : [])
      .filter((r) => r.length > 0)
      .sort();
    const addr = (type: string): string => (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name,
      status,
      roles.length ? roles.join(',') : '<none>',
      age(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      addr('InternalIP'),
      addr('ExternalIP'),
      info.osImage ?? '<unknown>',
      info.kernelVersion ?? '<unknown>',
      info.containerRuntimeVersion ?? '<unknown>',
    ];
  },
};

// ---------------------------------------------------------------- services

const servicePrinter: Printer = {
  columns: [col('Name', 'string', 0, 'name'), col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), col('Selector', 'string', 1)],
  cells(svc, now) {
    const spec = svc.spec ?? {};
    const type: string = spec.type ?? 'ClusterIP';
    const lbIps: string[] = (svc.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip ?? i.hostname).filter(Boolean);
    const extIps: string[] = spec.externalIPs ?? [];
    let external: string;
    if (type === 'LoadBalancer') external = [...lbIps, ...extIps].join(',') || '<pending>';
    else if (type === 'ExternalName') external = spec.externalName ?? '<none>';
    else external = extIps.join(',') || '<none>';
    const ports = (spec.ports ?? []).map((p: any) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`));
    const selector = Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`);
    return [
      svc.metadata.name,
      type,
      spec.clusterIP || '<none>',
      external,
      ports.join(',') || '<none>',
      age(svc.metadata.creationTimestamp, now),
      selector.join(',') || '<none>',
    ];
  },
};

// ---------------------------------------------------------------- other built-ins

const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);
const selectorText = (sel: any): string => {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) parts.push(`${e.key} ${String(e.operator).toLowerCase()} (${(e.values ?? []).join(',')})`);
  return parts.join(',') || '<none>';
};
const containerNames = (o: KubeObject): string => (o.spec?.template?.spec?.containers ?? []).map((c: any) => c.name).join(',');
const containerImages = (o: KubeObject): string => (o.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).join(',');

const eventPrinter: Printer = {
  columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Subobject', 'string', 1), col('Source', 'string', 1), col('Message'), col('First Seen', 'string', 1), col('Count', 'string', 1), col('Name', 'string', 1, 'name')],
  cells(e: any, now) {
    const last = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    const first = e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
    const obj = e.involvedObject ?? {};
    const source = [e.source?.component, e.source?.host].filter(Boolean).join(', ');
    return [age(last, now), e.type ?? '', e.reason ?? '', `${String(obj.kind ?? '').toLowerCase()}/${obj.name ?? ''}`, obj.fieldPath ?? '', source, (e.message ?? '').trim(), age(first, now), String(e.count ?? 1), e.metadata.name];
  },
};

const daemonSetPrinter: Printer = {
  columns: [col('Name', 'string', 0, 'name'), col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
  cells(o, now) {
    const st = o.status ?? {};
    const nodeSelector = Object.entries(o.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
    return [o.metadata.name, st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, nodeSelector, age(o.metadata.creationTimestamp, now), containerNames(o), containerImages(o), selectorText(o.spec?.selector)];
  },
};

const deploymentPrinter: Printer = {
  columns: [col('Name', 'string', 0, 'name'), col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
  cells(o, now) {
    const st = o.status ?? {};
    return [o.metadata.name, `${st.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(o.metadata.creationTimestamp, now), containerNames(o), containerImages(o), selectorText(o.spec?.selector)];
  },
};

const replicaSetPrinter: Printer = {
  columns: [col('Name', 'string', 0, 'name'), col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Age'), col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
  cells(o, now) {
    const st = o.status ?? {};
    return [o.metadata.name, o.spec?.replicas ?? 0, st.replicas ?? 0, st.readyReplicas ?? 0, age(o.metadata.creationTimestamp, now), containerNames(o), containerImages(o), selectorText(o.spec?.selector)];
  },
};

const simplePrinter = (extra: { name: string; type?: string; cell: (o: any) => Cell }[]): Printer => ({
  columns: [col('Name', 'string', 0, 'name'), ...extra.map((e) => col(e.name, e.type ?? 'string')), col('Age')],
  cells: (o, now) => [o.metadata.name, ...extra.map((e) => e.cell(o)), age(o.metadata.creationTimestamp, now)],
});

// ---------------------------------------------------------------- CRDs (additionalPrinterColumns of the upstream MetalLB CRDs)

interface PrinterColumn {
  name: string;
  jsonPath: string;
  type: 'string' | 'boolean' | 'integer' | 'date';
  priority?: number;
}

function crdPrinter(columns: PrinterColumn[]): Printer {
  return {
    columns: [col('Name', 'string', 0, 'name'), ...columns.map((c) => col(c.name, c.type, c.priority ?? 0))],
    cells(obj, now) {
      return [
        obj.metadata.name,
        ...columns.map((c): Cell => {
          let v: any = obj;
          for (const part of c.jsonPath.split('.').filter(Boolean)) v = v?.[part];
          if (v === undefined || v === null) return null;
          if (c.type === 'date') return age(String(v), now);
          if (c.type === 'boolean' || c.type === 'integer') return typeof v === 'object' ? JSON.stringify(v) : v;
          return typeof v === 'object' ? JSON.stringify(v) : String(v);
        }),
      ];
    },
  };
}

const advertisementColumns = (third: PrinterColumn): PrinterColumn[] => [
  { name: 'IPAddressPools', jsonPath: '.spec.ipAddressPools', type: 'string' },
  { name: 'IPAddressPool Selectors', jsonPath: '.spec.ipAddressPoolSelectors', type: 'string' },
  third,
  { name: 'Node Selectors', jsonPath: '.spec.nodeSelectors', type: 'string', priority: 10 },
];

const statusColumns = (nodeTitle: string): PrinterColumn[] => [
  { name: nodeTitle, jsonPath: '.status.node', type: 'string' },
  { name: 'Service Name', jsonPath: '.status.serviceName', type: 'string' },
  { name: 'Service Namespace', jsonPath: '.status.serviceNamespace', type: 'string' },
];

const printers: Record<string, Printer> = {
  '/pods': podPrinter,
  '/nodes': nodePrinter,
  '/services': servicePrinter,
  '/events': eventPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  '/configmaps': simplePrinter([{ name: 'Data', type: 'integer', cell: (o) => count(o.data) + count(o.binaryData) }]),
  '/secrets': simplePrinter([
    { name: 'Type', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => count(o.data) },
  ]),
  '/namespaces': simplePrinter([{ name: 'Status', cell: (o) => o.status?.phase ?? 'Active' }]),
  '/serviceaccounts': simplePrinter([{ name: 'Secrets', type: 'integer', cell: (o) => (o.secrets ?? []).length }]),
  'discovery.k8s.io/endpointslices': simplePrinter([
    { name: 'AddressType', cell: (o) => o.addressType ?? '' },
    { name: 'Ports', cell: (o) => (o.ports ?? []).map((p: any) => p.port).join(',') || '<unset>' },
    { name: 'Endpoints', cell: (o) => (o.endpoints ?? []).flatMap((e: any) => e.addresses ?? []).slice(0, 3).join(',') || '<unset>' },
  ]),
  'metallb.io/ipaddresspools': crdPrinter([
    { name: 'Auto Assign', jsonPath: '.spec.autoAssign', type: 'boolean' },
    { name: 'Avoid Buggy IPs', jsonPath: '.spec.avoidBuggyIPs', type: 'boolean' },
    { name: 'Addresses', jsonPath: '.spec.addresses', type: 'string' },
  ]),
  'metallb.io/l2advertisements': crdPrinter(advertisementColumns({ name: 'Interfaces', jsonPath: '.spec.interfaces', type: 'string' })),
  'metallb.io/bgpadvertisements': crdPrinter(advertisementColumns({ name: 'Peers', jsonPath: '.spec.peers', type: 'string' })),
  'metallb.io/bgppeers': crdPrinter([
    { name: 'Address', jsonPath: '.spec.peerAddress', type: 'string' },
    { name: 'ASN', jsonPath: '.spec.peerASN', type: 'string' },
    { name: 'BFD Profile', jsonPath: '.spec.bfdProfile', type: 'string' },
    { name: 'Multi Hops', jsonPath: '.spec.ebgpMultiHop', type: 'string' },
  ]),
  'metallb.io/bfdprofiles': crdPrinter([
    { name: 'Passive Mode', jsonPath: '.spec.passiveMode', type: 'boolean' },
    { name: 'Transmit Interval', jsonPath: '.spec.transmitInterval', type: 'integer' },
    { name: 'Receive Interval', jsonPath: '.spec.receiveInterval', type: 'integer' },
    { name: 'Multiplier', jsonPath: '.spec.detectMultiplier', type: 'integer' },
  ]),
  'metallb.io/configurationstates': crdPrinter([
    { name: 'Result', jsonPath: '.status.result', type: 'string' },
    { name: 'ErrorSummary', jsonPath: '.status.errorSummary', type: 'string' },
    { name: 'Age', jsonPath: '.metadata.creationTimestamp', type: 'date' },
  ]),
  'metallb.io/servicel2statuses': crdPrinter(statusColumns('Allocated Node')),
  'metallb.io/servicebgpstatuses': crdPrinter(statusColumns('Node')),
};

/** True when the Accept header asks for a meta.k8s.io Table (any version kubectl offers). */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io') {
      const v = params.get('v');
      if (v === 'v1' || v === 'v1beta1') return v;
    }
  }
  return undefined;
}

function partialObjectMetadata(obj: KubeObject, tableVersion: string): object {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${tableVersion}`, metadata: obj.metadata };
}

export function toTable(
  rt: ResourceType,
  objects: KubeObject[],
  listMeta: Record<string, unknown>,
  tableVersion: 'v1' | 'v1beta1',
  /** The world's clock (ages are relative to it). */
  now: number,
): object {
  const printer = printers[`${rt.group}/${rt.resource}`] ?? nameAge;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${tableVersion}`,
    metadata: listMeta,
    columnDefinitions: printer.columns,
    rows: objects.map((o) => ({ cells: printer.cells(o, now), object: partialObjectMetadata(o, tableVersion) })),
  };
}
