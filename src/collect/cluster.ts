/**
 * Cluster-wide object lists from the catalogue (`clusterItems`): each list is fetched with its own
 * timeout, filtered (LoadBalancer Services, their slices and events, Secret names only), redacted
 * structurally and written as a List under `cluster/`.
 */
import type { V1EndpointSlice, V1Service, CoreV1Event } from '@kubernetes/client-node';
import { clusterItems, type ClusterItem } from '../catalogue/index.js';
import type { RunContext, Step } from './context.js';
import { step } from './context.js';
import { apiError } from '../kube/client.js';
import { getJson, listJson } from '../kube/http-text.js';

type Obj = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown }; [k: string]: unknown };

/**
 * Lists as plain JSON through our own HTTP client (http-text.ts): no client-node models, which
 * cost most of a big cluster's CPU and drop fields they do not know.
 */
async function fetchItem(ctx: RunContext, item: ClusterItem, version: string): Promise<Obj[]> {
  const ns = ctx.found.discovery.namespace;
  const namespaces = [...new Set([ns, ...ctx.found.namespaces])];
  const list = (path: string, query: Record<string, string> = {}): Promise<Obj[]> => listJson<Obj>(ctx.kube, path, query, item.timeoutMs, item.id);
  const perNamespace = async (path: (n: string) => string): Promise<Obj[]> => (await Promise.all(namespaces.map((n) => list(path(n))))).flat();
  const enc = encodeURIComponent;
  const key = `${item.group}/${item.resource}/${item.scope}`;
  // Discovery listed these moments ago; listing again would double the biggest responses.
  const listed = ctx.found.listed?.[key];
  if (listed) {
    // Taken out: once written, the run need not hold the full objects (collection keeps slim copies).
    delete ctx.found.listed[key];
    return listed as Obj[];
  }
  switch (key) {
    case '/nodes/cluster':
      return list('/api/v1/nodes');
    case '/pods/metallb-namespace':
      return perNamespace((n) => `/api/v1/namespaces/${enc(n)}/pods`);
    case '/services/all-namespaces':
      return list('/api/v1/services');
    case 'discovery.k8s.io/endpointslices/all-namespaces':
      return list('/apis/discovery.k8s.io/v1/endpointslices', { labelSelector: 'kubernetes.io/service-name' });
    case '/events/all-namespaces': {
      // Events about Services anywhere, plus everything in the MetalLB namespace(s).
      const [svcEvents, nsEvents] = await Promise.all([list('/api/v1/events', { fieldSelector: 'involvedObject.kind=Service' }), perNamespace((n) => `/api/v1/namespaces/${enc(n)}/events`)]);
      const seen = new Set<string>();
      return [...svcEvents, ...nsEvents].filter((e) => {
        const key = (e.metadata?.['uid'] as string | undefined) ?? `${e.metadata?.namespace}/${e.metadata?.name}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    case 'apps/daemonsets/metallb-namespace':
      return perNamespace((n) => `/apis/apps/v1/namespaces/${enc(n)}/daemonsets`);
    case 'apps/deployments/metallb-namespace':
      return perNamespace((n) => `/apis/apps/v1/namespaces/${enc(n)}/deployments`);
    case '/configmaps/metallb-namespace':
      return perNamespace((n) => `/api/v1/namespaces/${enc(n)}/configmaps`);
    case '/secrets/metallb-namespace':
      // Values never leave this function: names, types and keys only.
      return (await perNamespace((n) => `/api/v1/namespaces/${enc(n)}/secrets`)).map(secretSummary);
    case '/configmaps/cluster':
      return [await getJson<Obj>(ctx.kube, '/api/v1/namespaces/kube-system/configmaps/kube-proxy', {}, item.timeoutMs, item.id)];
    case 'admissionregistration.k8s.io/validatingwebhookconfigurations/cluster':
      return list('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations');
    default: {
      if (item.group === '' || item.group === 'apps') throw new Error(`no lister for ${item.id}`);
      return list(`/apis/${enc(item.group)}/${enc(version)}/${enc(item.resource)}`);
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
      // The MetalLB namespace's own Services too: the webhook Service without endpoints refuses every MetalLB object.
      const metallbNs = ctx.found.discovery.namespace;
      const kept = items.filter((e) => e.metadata?.namespace === metallbNs || lb.has(`${e.metadata?.namespace}/${(e as unknown as V1EndpointSlice).metadata?.labels?.['kubernetes.io/service-name']}`));
      ctx.lbEndpointSlices = kept as unknown as V1EndpointSlice[];
      return kept;
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
      const items = await withTimeout(ctx.kube.retries.scope({ step: item.id }, () => fetchItem(ctx, item, version)), item.timeoutMs, item.id);
      if (item.filter === 'loadbalancer-services') ctx.lbServices = items.filter((s) => (s as V1Service).spec?.type === 'LoadBalancer') as V1Service[];
      const kept = applyFilter(ctx, item, items);
      // The nodes' probes need the Services and their EndpointSlices, not the rest (pods, events):
      // with the slices listed they need not wait, and ride in each node's first exec.
      if (item.filter === 'loadbalancer-endpointslices') ctx.lbServicesLoaded();
      const apiVersion = item.group ? `${item.group}/${version}` : version;
      const body = item.filter === 'kube-proxy' ? kept[0] : { apiVersion, kind: listKind(item), metadata: {}, items: kept };
      await ctx.writer.json(item.file, body);
      // Steps list raw paths, like every other step; the manifest lists them as written.
      return step(item.id, 'ok', Date.now() - started, [item.file], kept.length === 0 ? 'none found' : undefined);
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
