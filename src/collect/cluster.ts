/**
 * Cluster-wide object lists from the catalogue (`clusterItems`): each list is fetched with its own
 * timeout, filtered (LoadBalancer Services, their slices and events, Secret names only), redacted
 * structurally and written as a List under `cluster/`.
 */
import type { V1EndpointSlice, V1Service, CoreV1Event } from '@kubernetes/client-node';
import { clusterItems, type ClusterItem } from './catalogue.js';
import type { RunContext, Step } from './context.js';
import { step } from './context.js';
import { apiError } from './kube.js';
import { listAll } from '../discover/index.js';

type Obj = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown }; [k: string]: unknown };

async function fetchItem(ctx: RunContext, item: ClusterItem, version: string): Promise<Obj[]> {
  const { core, apps, admission, discoveryApi, custom } = ctx.kube;
  const ns = ctx.found.discovery.namespace;
  const page = { limit: 500 };
  switch (`${item.group}/${item.resource}/${item.scope}`) {
    case '/nodes/cluster':
      return (await listAll((c) => core.listNode({ ...page, _continue: c }))) as Obj[];
    case '/pods/metallb-namespace': {
      const out: Obj[] = [];
      for (const n of new Set([ns, ...ctx.found.namespaces])) out.push(...((await listAll((c) => core.listNamespacedPod({ namespace: n, ...page, _continue: c }))) as Obj[]));
      return out;
    }
    case '/services/all-namespaces':
      return (await listAll((c) => core.listServiceForAllNamespaces({ ...page, _continue: c }))) as Obj[];
    case 'discovery.k8s.io/endpointslices/all-namespaces':
      return (await listAll((c) => discoveryApi.listEndpointSliceForAllNamespaces({ ...page, _continue: c, labelSelector: 'kubernetes.io/service-name' }))) as unknown as Obj[];
    case '/events/all-namespaces': {
      // Events about Services anywhere, plus everything in the MetalLB namespace(s).
      const svcEvents = await listAll((c) => core.listEventForAllNamespaces({ ...page, _continue: c, fieldSelector: 'involvedObject.kind=Service' }));
      const nsEvents: CoreV1Event[] = [];
      for (const n of new Set([ns, ...ctx.found.namespaces])) nsEvents.push(...(await listAll((c) => core.listNamespacedEvent({ namespace: n, ...page, _continue: c }))));
      const seen = new Set<string>();
      return [...svcEvents, ...nsEvents].filter((e) => {
        const key = e.metadata?.uid ?? `${e.metadata?.namespace}/${e.metadata?.name}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }) as unknown as Obj[];
    }
    case 'apps/daemonsets/metallb-namespace': {
      const out: Obj[] = [];
      for (const n of new Set([ns, ...ctx.found.namespaces])) out.push(...((await listAll((c) => apps.listNamespacedDaemonSet({ namespace: n, ...page, _continue: c }))) as Obj[]));
      return out;
    }
    case 'apps/deployments/metallb-namespace': {
      const out: Obj[] = [];
      for (const n of new Set([ns, ...ctx.found.namespaces])) out.push(...((await listAll((c) => apps.listNamespacedDeployment({ namespace: n, ...page, _continue: c }))) as Obj[]));
      return out;
    }
    case '/configmaps/metallb-namespace': {
      const out: Obj[] = [];
      for (const n of new Set([ns, ...ctx.found.namespaces])) out.push(...((await listAll((c) => core.listNamespacedConfigMap({ namespace: n, ...page, _continue: c }))) as Obj[]));
      return out;
    }
    case '/secrets/metallb-namespace': {
      const out: Obj[] = [];
      for (const n of new Set([ns, ...ctx.found.namespaces])) {
        const secrets = await listAll((c) => core.listNamespacedSecret({ namespace: n, ...page, _continue: c }));
        // Values never leave this function: names, types and keys only.
        out.push(...secrets.map((s) => secretSummary(s as Obj)));
      }
      return out;
    }
    case '/configmaps/cluster':
      return [(await core.readNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system' })) as Obj];
    case 'admissionregistration.k8s.io/validatingwebhookconfigurations/cluster':
      return (await listAll((c) => admission.listValidatingWebhookConfiguration({ ...page, _continue: c }))) as Obj[];
    default: {
      if (item.group === '' || item.group === 'apps') throw new Error(`no lister for ${item.id}`);
      const res = (await custom.listClusterCustomObject({ group: item.group, version, plural: item.resource })) as { items?: Obj[] };
      return res.items ?? [];
    }
  }
}

export function secretSummary(s: Obj): Obj {
  const data = (s['data'] ?? {}) as Record<string, unknown>;
  const stringData = (s['stringData'] ?? {}) as Record<string, unknown>;
  const md = s.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: md.name, namespace: md.namespace, labels: md.labels, creationTimestamp: md['creationTimestamp'] },
    type: s['type'],
    keys: [...new Set([...Object.keys(data), ...Object.keys(stringData)])].sort(),
  };
}

function applyFilter(ctx: RunContext, item: ClusterItem, items: Obj[]): Obj[] {
  switch (item.filter) {
    case 'loadbalancer-services':
      return items.filter((s) => (s as V1Service).spec?.type === 'LoadBalancer');
    case 'loadbalancer-endpointslices': {
      const lb = new Set(ctx.lbServices.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`));
      return items.filter((e) => lb.has(`${e.metadata?.namespace}/${(e as unknown as V1EndpointSlice).metadata?.labels?.['kubernetes.io/service-name']}`));
    }
    case 'loadbalancer-events': {
      const lb = new Set(ctx.lbServices.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`));
      const metallbNs = new Set([ctx.found.discovery.namespace, ...ctx.found.namespaces]);
      return items.filter((e) => {
        const ev = e as unknown as CoreV1Event;
        const io = ev.involvedObject;
        if (io?.kind === 'Service') return lb.has(`${io.namespace}/${io.name}`);
        return metallbNs.has(ev.metadata?.namespace ?? '');
      });
    }
    case 'metallb-webhooks':
      return items.filter((w) => {
        const webhooks = (w['webhooks'] ?? []) as { name?: string; clientConfig?: { service?: { namespace?: string; name?: string } } }[];
        return /metallb|frr-k8s/i.test(w.metadata?.name ?? '') || webhooks.some((h) => /metallb\.io/.test(h.name ?? '') || h.clientConfig?.service?.namespace === ctx.found.discovery.namespace);
      });
    default:
      return items;
  }
}

function listKind(item: ClusterItem): string {
  return item.resource.replace(/s$/, '').replace(/^./, (c) => c.toUpperCase()) + 'List';
}

/** Fetches every cluster item; Services come first because other filters need them. */
export async function collectCluster(ctx: RunContext, only?: (item: ClusterItem) => boolean): Promise<Step[]> {
  const steps: Step[] = [];
  const ordered = [...clusterItems].filter((i) => !only || only(i));
  const first = ordered.filter((i) => i.filter === 'loadbalancer-services' || i.group.endsWith('metallb.io'));
  const rest = ordered.filter((i) => !first.includes(i));
  // CRs first: BGPPeer passwords found there are then redacted everywhere else (logs, configs).
  for (const batch of [first, rest]) {
    const results = await Promise.all(batch.map((item) => collectItem(ctx, item)));
    steps.push(...results);
  }
  return steps;
}

async function collectItem(ctx: RunContext, item: ClusterItem): Promise<Step> {
  const started = Date.now();
  const verb = item.filter === 'kube-proxy' ? 'get' : 'list';
  const rbacNs = item.scope === 'metallb-namespace' ? ctx.found.discovery.namespace : item.filter === 'kube-proxy' ? 'kube-system' : undefined;
  if (!ctx.rbac.allowed(verb, item.group, item.resource, undefined, rbacNs)) {
    return step(item.id, 'skipped', 0, [], `RBAC: not allowed to ${verb} ${item.group ? `${item.resource}.${item.group}` : item.resource}`, { problem: true });
  }
  if (ctx.interrupted() || ctx.timedOut()) return step(item.id, 'skipped', 0, [], ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached', { problem: true });
  let lastError: ReturnType<typeof apiError> | undefined;
  for (const version of item.versions) {
    try {
      const items = await withTimeout(fetchItem(ctx, item, version), item.timeoutMs, item.id);
      if (item.filter === 'loadbalancer-services') ctx.lbServices = items.filter((s) => (s as V1Service).spec?.type === 'LoadBalancer') as V1Service[];
      const kept = applyFilter(ctx, item, items);
      const apiVersion = item.group ? `${item.group}/${version}` : version;
      const body = item.filter === 'kube-proxy' ? kept[0] : { apiVersion, kind: listKind(item), metadata: {}, items: kept };
      const file = await ctx.writer.json(item.file, body);
      return step(item.id, 'ok', Date.now() - started, [file.path], kept.length === 0 ? 'none found' : undefined);
    } catch (e) {
      lastError = apiError(e);
      if (lastError.code !== 404) break;
    }
  }
  if (lastError?.code === 404 && item.optional) {
    return step(item.id, 'skipped', Date.now() - started, [], item.filter === 'kube-proxy' ? 'no kube-proxy ConfigMap (kube-proxy replaced or managed elsewhere)' : 'resource not installed in this cluster (CRD absent for this MetalLB version/mode)');
  }
  return step(item.id, 'failed', Date.now() - started, [], lastError?.message ?? 'unknown error', { problem: true });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
