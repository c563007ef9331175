/**
 * A bundle as a simulator World: every object the bundle holds (its `cluster/` lists, in the
 * catalogue's files), the container logs of `logs/`, the metrics of `nodes/<node>/metrics` and
 * `controller/metrics`, and the bundle's own clock. Objects are served as they are on disk: what
 * collection redacted (Secret values, BGP passwords, with `--redact-ips` the addresses) stays so.
 */
import type { Discovery, Manifest } from '../model/bundle.js';
import type { KubeObject } from '../model/cluster.js';
import { clusterItems, metricsFile, metricsPorts } from '../catalogue/index.js';
import { logFilePath, nodeFilePath } from '../bundle/paths.js';
import { SimClock } from '../sim/clock.js';
import type { ContainerLog, MetricsEndpoint, World } from '../sim/world.js';
import type { BundleFiles } from './files.js';

export interface BundleWorld {
  world: World;
  manifest?: Manifest;
  discovery?: Discovery;
}

interface ListDoc {
  apiVersion?: string;
  kind?: string;
  items?: unknown[];
}

const isObject = (v: unknown): v is KubeObject =>
  typeof v === 'object' && v !== null && typeof (v as KubeObject).metadata === 'object' && (v as KubeObject).metadata !== null && typeof (v as KubeObject).metadata.name === 'string';

/**
 * The objects of one `cluster/` file: a List (items may lack apiVersion and kind, as a real API
 * server's lists do: they come from the list, else from the catalogue item) or a single object
 * (the kube-proxy ConfigMap).
 */
function objectsOf(doc: unknown, fallback: { apiVersion: string; kind?: string }): KubeObject[] {
  if (!doc || typeof doc !== 'object') return [];
  const list = doc as ListDoc;
  if (!Array.isArray(list.items)) return isObject(doc) ? [{ ...doc, apiVersion: doc.apiVersion ?? fallback.apiVersion, kind: doc.kind ?? fallback.kind }] : [];
  const kind = typeof list.kind === 'string' && list.kind.endsWith('List') ? list.kind.slice(0, -4) : fallback.kind;
  const apiVersion = typeof list.apiVersion === 'string' ? list.apiVersion : fallback.apiVersion;
  return list.items.filter(isObject).map((o) => ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind }));
}

/**
 * Collection keeps Secret names, types and data keys (`keys`), never values: served as a Secret
 * whose data has those keys with empty values, so `kubectl get secrets` counts them, and an
 * annotation says why they are empty.
 */
function secretFromBundle(o: KubeObject): KubeObject {
  const { keys, ...rest } = o as KubeObject & { keys?: unknown };
  const data: Record<string, string> = {};
  if (Array.isArray(keys)) for (const k of keys) if (typeof k === 'string') data[k] = '';
  return { ...rest, metadata: { ...rest.metadata, annotations: { ...rest.metadata.annotations, 'mlb-report/secret-values': 'not collected' } }, data };
}

const kindByResource: Record<string, string> = {
  nodes: 'Node',
  pods: 'Pod',
  services: 'Service',
  endpointslices: 'EndpointSlice',
  events: 'Event',
  daemonsets: 'DaemonSet',
  deployments: 'Deployment',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  validatingwebhookconfigurations: 'ValidatingWebhookConfiguration',
};

export function bundleObjects(files: BundleFiles): KubeObject[] {
  const out: KubeObject[] = [];
  for (const item of clusterItems) {
    const doc = files.json(item.file);
    const apiVersion = item.group ? `${item.group}/${item.versions[0]}` : item.versions[0]!;
    for (const o of objectsOf(doc, { apiVersion, kind: kindByResource[item.resource] })) {
      if (!o.kind) continue;
      out.push(o.kind === 'Secret' ? secretFromBundle(o) : o);
    }
  }
  return out;
}

// ---------------------------------------------------------------- logs

/**
 * Collection stores log text without the kubelet's timestamps; a served line needs one for
 * `--since`, `--since-time` and `--timestamps`. Taken from the line itself where it says: MetalLB's
 * JSON `"ts"`, FRR's `YYYY/MM/DD HH:MM:SS.mmm` prefix (FRR logs in UTC in these images), an
 * RFC 3339 prefix; a line without a time takes the one before it (the first dated line for lines
 * before any), and a log without any takes the moment the bundle was written.
 */
export function lineTime(text: string): string | undefined {
  let m = /"ts":"([^"]{10,40})"/.exec(text);
  if (m) {
    const t = Date.parse(m[1]!);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,9})?)/.exec(text);
  if (m) {
    const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))/.exec(text);
  if (m) {
    const t = Date.parse(m[1]!);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return undefined;
}

/** RFC 3339 with nine fractional digits, as the kubelet stamps log lines (`--timestamps`). */
const nano = (iso: string): string => iso.replace(/\.(\d{3})Z$/, '.$1000000Z');

export function logLines(content: string, fallbackTs: string): ContainerLog['lines'] {
  if (content === '') return [];
  const texts = content.replace(/\n$/, '').split('\n');
  const times = texts.map((t) => {
    const at = lineTime(t);
    return at === undefined ? undefined : nano(at);
  });
  fallbackTs = nano(fallbackTs);
  let last = times.find((t) => t !== undefined) ?? fallbackTs;
  return texts.map((text, i) => {
    last = times[i] ?? last;
    return { ts: last, text };
  });
}

function podLogs(files: BundleFiles, pods: KubeObject[], fallbackTs: string): ContainerLog[] {
  const out: ContainerLog[] = [];
  for (const pod of pods) {
    const containers = [...((pod.spec?.initContainers ?? []) as { name?: unknown }[]), ...((pod.spec?.containers ?? []) as { name?: unknown }[])];
    for (const c of containers) {
      if (typeof c.name !== 'string') continue;
      for (const previous of [false, true]) {
        const text = files.text(logFilePath(pod.metadata.name, c.name, previous));
        if (text === undefined) continue;
        out.push({ namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name, container: c.name, ...(previous ? { previous } : {}), lines: logLines(text, fallbackTs) });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- metrics

/**
 * Scrapes the bundle holds, served again through the pod proxy: per node the speaker's (and the
 * FRR exporter's, in the speaker pod or the frr-k8s pod) plain-HTTP ports, and the controller's.
 * The v0.16 HTTPS ports were never scraped (the pod proxy cannot pass a token), so they are not here.
 */
function bundleMetrics(files: BundleFiles, manifest: Manifest | undefined, discovery: Discovery | undefined): MetricsEndpoint[] {
  const out: MetricsEndpoint[] = [];
  const ns = discovery?.namespace ?? 'metallb-system';
  const add = (pod: string | undefined, port: number, file: string): void => {
    const body = pod ? files.text(file) : undefined;
    if (pod && body !== undefined) out.push({ namespace: ns, pod, port, scheme: 'http', path: '/metrics', body });
  };
  for (const n of manifest?.nodes ?? []) {
    add(n.speakerPod, metricsPorts.legacy.speaker, nodeFilePath(n.node, metricsFile(metricsPorts.legacy.speaker)));
    add(n.frrPod ?? n.speakerPod, metricsPorts.legacy.frr, nodeFilePath(n.node, metricsFile(metricsPorts.legacy.frr)));
  }
  add(discovery?.controller?.name, metricsPorts.legacy.controller, `controller/${metricsFile(metricsPorts.legacy.controller)}`);
  return out;
}

// ---------------------------------------------------------------- the world

export function bundleWorld(files: BundleFiles, name: string): BundleWorld {
  const manifest = files.json<Manifest>('manifest.json');
  const discovery = files.json<Discovery>('discovery.json');
  const version = files.json<{ gitVersion?: unknown }>('cluster/version.json');
  const createdAt = typeof manifest?.createdAt === 'string' && !Number.isNaN(Date.parse(manifest.createdAt)) ? manifest.createdAt : undefined;
  const objects = bundleObjects(files);
  const pods = objects.filter((o) => o.kind === 'Pod');
  const world: World = {
    name,
    description: `support bundle${createdAt ? ` collected ${createdAt}` : ''}`,
    kubernetesVersion: typeof version?.gitVersion === 'string' && /^v\d+\.\d+/.test(version.gitVersion) ? version.gitVersion : 'v1.32.4',
    objects,
    logs: podLogs(files, pods, createdAt ?? new Date().toISOString()),
    metrics: bundleMetrics(files, manifest, discovery),
    faults: [],
    // The cluster as it was: ages, restarts "ago" and log --since count from the moment of
    // collection (advancing in real time from it), not from today.
    clock: new SimClock(createdAt),
  };
  return { world, manifest, discovery };
}
