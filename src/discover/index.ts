/**
 * Finds MetalLB wherever and however it is installed: by images (`quay.io/metallb/speaker|controller`,
 * `frr-k8s`) and container names, not only by the `component=speaker` label (Helm installs use
 * `app.kubernetes.io/*`). Produces the `Discovery` written to discovery.json plus the raw objects
 * the collector needs (pods per node, metrics ports, restart counts).
 */
import type { V1Container, V1DaemonSet, V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { DiscoveredPod, Discovery, InstallMethod, MetallbMode } from '../model/bundle.js';
import { ExitCode, UserError } from '../util/errors.js';
import type { Kube } from '../kube/client.js';
import { apiError } from '../kube/client.js';
import { getJson, listJson } from '../kube/http-text.js';

export interface DiscoveryResult {
  discovery: Discovery;
  /** The pods collection works with, as `podForCollection` keeps them. */
  speakerByNode: Map<string, V1Pod>;
  frrK8sByNode: Map<string, V1Pod>;
  controllerPod?: V1Pod;
  /** The selected nodes, as `nodeForCollection` keeps them. */
  nodes: V1Node[];
  daemonSets: V1DaemonSet[];
  deployments: V1Deployment[];
  /** Namespaces that hold MetalLB or frr-k8s workloads. */
  namespaces: string[];
  notes: string[];
  /**
   * Lists discovery already made, as the API returned them, keyed like the cluster step's items
   * (`group/resource/scope`): the cluster step writes these instead of listing again. At 500
   * nodes the pods and nodes alone are 15 MB of JSON the server would serialise twice. The cluster
   * step takes each list out once written: the full objects are not held for the whole run.
   */
  listed: Record<string, Array<{ metadata?: { namespace?: string } }>>;
}

export interface DiscoverOptions {
  /** -n: only look in this namespace. */
  namespace?: string;
  /** --nodes a,b */
  nodes?: string[];
  /** --node-selector label selector */
  nodeSelector?: string;
}

const speakerImage = /(^|\/)metallb\/speaker(:|@|$)/;
const controllerImage = /(^|\/)metallb\/controller(:|@|$)/;
const frrK8sImage = /(^|\/)(metallb\/)?frr-k8s(:|@|$)/;

function containersOf(spec: { containers?: V1Container[] } | undefined): V1Container[] {
  return spec?.containers ?? [];
}

export function isSpeakerWorkload(containers: V1Container[], labels: Record<string, string> = {}): boolean {
  if (containers.some((c) => speakerImage.test(c.image ?? ''))) return true;
  const metallbLabels = labels['app'] === 'metallb' || labels['app.kubernetes.io/name'] === 'metallb';
  return containers.some((c) => c.name === 'speaker') && (metallbLabels || containers.some((c) => /metallb/.test(c.image ?? '')));
}

export function isControllerWorkload(containers: V1Container[], labels: Record<string, string> = {}): boolean {
  if (containers.some((c) => controllerImage.test(c.image ?? ''))) return true;
  const metallbLabels = labels['app'] === 'metallb' || labels['app.kubernetes.io/name'] === 'metallb';
  return metallbLabels && (labels['component'] === 'controller' || labels['app.kubernetes.io/component'] === 'controller') && containers.some((c) => c.name === 'controller');
}

export function isFrrK8sWorkload(containers: V1Container[], labels: Record<string, string> = {}): boolean {
  // The frr-k8s daemon runs a `controller` container with the frr-k8s image next to an `frr` container;
  // the statuscleaner / webhook deployment also uses the image but has no `frr` container.
  const hasFrr = containers.some((c) => c.name === 'frr');
  if (containers.some((c) => frrK8sImage.test(c.image ?? '')) && hasFrr) return true;
  return hasFrr && (labels['app'] === 'frr-k8s' || labels['app.kubernetes.io/component'] === 'frr-k8s');
}

/** Version from an image reference: the tag (`v0.14.9`), or undefined for digests/latest. */
export function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon <= lastSlash) return undefined;
  return noDigest.slice(colon + 1);
}

function toDiscoveredPod(pod: V1Pod): DiscoveredPod {
  const statuses = pod.status?.containerStatuses ?? [];
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    node: pod.spec?.nodeName,
    ready: statuses.length > 0 && statuses.every((s) => s.ready),
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    containers: containersOf(pod.spec).map((c) => c.name),
  };
}

export function modeFrom(speakers: V1Pod[], frrK8s: V1Pod[]): MetallbMode {
  for (const pod of speakers) {
    const speaker = containersOf(pod.spec).find((c) => c.name === 'speaker');
    const bgpType = speaker?.env?.find((e) => e.name === 'METALLB_BGP_TYPE')?.value;
    if (bgpType === 'frr-k8s' || bgpType === 'frr-k8s-external') return 'frr-k8s';
    if (bgpType === 'frr') return 'frr';
    if (containersOf(pod.spec).some((c) => c.name === 'frr')) return 'frr';
  }
  return frrK8s.length > 0 ? 'frr-k8s' : 'native';
}

export function installMethodFrom(objects: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind?: string; apiVersion?: string }[] } }[]): InstallMethod {
  for (const o of objects) {
    const owners = o.metadata?.ownerReferences ?? [];
    if (owners.some((r) => r.kind === 'MetalLB' || /metallb\.io/.test(r.apiVersion ?? ''))) return 'operator';
  }
  for (const o of objects) {
    const labels = o.metadata?.labels ?? {};
    const annotations = o.metadata?.annotations ?? {};
    if (labels['app.kubernetes.io/managed-by'] === 'Helm' || labels['helm.sh/chart'] || annotations['meta.helm.sh/release-name']) return 'helm';
  }
  for (const o of objects) {
    const labels = o.metadata?.labels ?? {};
    if (labels['app'] === 'metallb' && labels['component']) return 'manifest';
  }
  return 'unknown';
}

export function kubeProxyFrom(data: Record<string, string> | undefined): { mode: 'iptables' | 'ipvs' | 'nftables' | 'unknown'; strictARP?: boolean } {
  const text = data?.['config.conf'] ?? Object.values(data ?? {})[0];
  if (!text) return { mode: 'unknown' };
  try {
    const cfg = parseYaml(text) as { mode?: string; ipvs?: { strictARP?: boolean } } | null;
    const raw = (cfg?.mode ?? '').trim();
    const mode = raw === '' ? 'iptables' : raw === 'ipvs' || raw === 'iptables' || raw === 'nftables' ? raw : 'unknown';
    return { mode, strictARP: typeof cfg?.ipvs?.strictARP === 'boolean' ? cfg.ipvs.strictARP : undefined };
  } catch {
    return { mode: 'unknown' };
  }
}

function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  for (const raw of selector.split(',').map((s) => s.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(raw))) {
      if (labels[m[1]!] === m[2]!.trim()) return false;
    } else if ((m = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(raw))) {
      if (labels[m[1]!] !== m[2]!.trim()) return false;
    } else if ((m = /^!(\S+)$/.exec(raw))) {
      if (m[1]! in labels) return false;
    } else if (!(raw in labels)) {
      return false;
    }
  }
  return true;
}

/**
 * Discovery lists as plain JSON (no client-node models: 500 pods are 13 MB), each allowed at least
 * a minute, as big lists take a while on a loaded API server.
 */
const discoveryTimeoutMs = 60_000;

export async function discover(kube: Kube, options: DiscoverOptions): Promise<DiscoveryResult> {
  const notes: string[] = [];
  const list = <T>(path: string, query: Record<string, string> = {}): Promise<T[]> => listJson<T>(kube, path, query, Math.max(kube.requestTimeoutMs, discoveryTimeoutMs), `list ${path}`);
  const enc = encodeURIComponent;
  let workloadsListed = false;
  const labelsOf = (o: { metadata?: { labels?: Record<string, string> } }): Record<string, string> => o.metadata?.labels ?? {};

  // 1. Workloads: cluster-wide when allowed, else the given namespace or metallb-system.
  let daemonSets: V1DaemonSet[] = [];
  let deployments: V1Deployment[] = [];
  const candidateNamespaces = options.namespace ? [options.namespace] : undefined;
  try {
    if (candidateNamespaces) {
      for (const namespace of candidateNamespaces) {
        daemonSets.push(...(await list<V1DaemonSet>(`/apis/apps/v1/namespaces/${enc(namespace)}/daemonsets`)));
        deployments.push(...(await list<V1Deployment>(`/apis/apps/v1/namespaces/${enc(namespace)}/deployments`)));
      }
    } else {
      [daemonSets, deployments] = await Promise.all([list<V1DaemonSet>('/apis/apps/v1/daemonsets'), list<V1Deployment>('/apis/apps/v1/deployments')]);
    }
    workloadsListed = true;
  } catch (e) {
    const info = apiError(e);
    if (info.code !== 403) throw e;
    notes.push(`cannot list DaemonSets/Deployments (${info.message}); looking for MetalLB pods in ${options.namespace ?? 'metallb-system'} only`);
    daemonSets = [];
    deployments = [];
  }
  const speakerDs = daemonSets.filter((d) => isSpeakerWorkload(containersOf(d.spec?.template?.spec), { ...labelsOf(d), ...(d.spec?.template?.metadata?.labels ?? {}) }));
  const frrK8sDs = daemonSets.filter((d) => isFrrK8sWorkload(containersOf(d.spec?.template?.spec), { ...labelsOf(d), ...(d.spec?.template?.metadata?.labels ?? {}) }));
  const controllerDeploy = deployments.filter((d) => isControllerWorkload(containersOf(d.spec?.template?.spec), { ...labelsOf(d), ...(d.spec?.template?.metadata?.labels ?? {}) }));

  const namespaces = new Set<string>();
  for (const w of [...speakerDs, ...controllerDeploy, ...frrK8sDs]) if (w.metadata?.namespace) namespaces.add(w.metadata.namespace);
  if (namespaces.size === 0) namespaces.add(options.namespace ?? 'metallb-system');

  // 2. Pods in those namespaces, classified by their own containers (works without workload access).
  const pods: V1Pod[] = [];
  for (const namespace of namespaces) {
    try {
      pods.push(...(await list<V1Pod>(`/api/v1/namespaces/${enc(namespace)}/pods`)));
    } catch (e) {
      const info = apiError(e);
      if (info.code === 403) {
        throw new UserError(`not allowed to list pods in namespace ${namespace}: ${info.message}`, 'grant "list" on pods in the MetalLB namespace (see rbac.json of a previous run or docs), or use a kubeconfig with more rights', ExitCode.cluster);
      }
      throw e;
    }
  }
  const speakers = pods.filter((p) => isSpeakerWorkload(containersOf(p.spec), labelsOf(p)));
  const controllers = pods.filter((p) => isControllerWorkload(containersOf(p.spec), labelsOf(p)) && !speakers.includes(p));
  const frrK8s = pods.filter((p) => isFrrK8sWorkload(containersOf(p.spec), labelsOf(p)) && !speakers.includes(p));

  if (speakers.length === 0 && controllers.length === 0) {
    throw new UserError(
      `no MetalLB found${options.namespace ? ` in namespace ${options.namespace}` : ''}: no speaker or controller pods (images quay.io/metallb/speaker|controller)`,
      options.namespace ? 'check the namespace (-n) or omit -n to search every namespace' : 'check the kubeconfig context (--context), or pass -n with the namespace MetalLB runs in',
      ExitCode.cluster,
    );
  }
  const namespace = speakers[0]?.metadata?.namespace ?? controllers[0]?.metadata?.namespace ?? [...namespaces][0]!;
  // The running controller, preferring a ready one (a rollout can leave two).
  const controllerPod = [...controllers].sort((a, b) => Number(toDiscoveredPod(b).ready) - Number(toDiscoveredPod(a).ready))[0];

  // 3. Nodes, narrowed by --nodes / --node-selector.
  const allNodes = await list<V1Node>('/api/v1/nodes', options.nodeSelector ? { labelSelector: options.nodeSelector } : {});
  let nodes = allNodes;
  if (options.nodeSelector) nodes = nodes.filter((n) => matchesSelector(n.metadata?.labels ?? {}, options.nodeSelector!));
  if (options.nodes?.length) {
    const known = new Set(nodes.map((n) => n.metadata?.name));
    const unknown = options.nodes.filter((n) => !known.has(n));
    if (unknown.length === options.nodes.length) {
      throw new UserError(`none of the nodes given with --nodes exist: ${unknown.join(', ')}`, 'list node names with `kubectl get nodes` and pass them comma-separated', ExitCode.usage);
    }
    if (unknown.length) notes.push(`unknown nodes ignored: ${unknown.join(', ')}`);
    const wanted = new Set(options.nodes);
    nodes = nodes.filter((n) => wanted.has(n.metadata?.name ?? ''));
  }
  const nodeNames = nodes.map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
  const selected = new Set(nodeNames);

  const speakerByNode = new Map<string, V1Pod>();
  for (const p of speakers) {
    const node = p.spec?.nodeName;
    if (!node || !selected.has(node)) continue;
    // Prefer a running pod when a node briefly has two (rolling update).
    const prev = speakerByNode.get(node);
    if (!prev || (prev.status?.phase !== 'Running' && p.status?.phase === 'Running')) speakerByNode.set(node, podForCollection(p));
  }
  const frrK8sByNode = new Map<string, V1Pod>();
  for (const p of frrK8s) {
    const node = p.spec?.nodeName;
    if (!node || !selected.has(node)) continue;
    const prev = frrK8sByNode.get(node);
    if (!prev || (prev.status?.phase !== 'Running' && p.status?.phase === 'Running')) frrK8sByNode.set(node, podForCollection(p));
  }

  // 4. kube-proxy mode and strictARP.
  let kubeProxy: ReturnType<typeof kubeProxyFrom> = { mode: 'unknown' };
  let kubeProxyConfigMap: { metadata?: { namespace?: string }; data?: Record<string, string> } | undefined;
  try {
    kubeProxyConfigMap = await getJson(kube, '/api/v1/namespaces/kube-system/configmaps/kube-proxy', {}, Math.max(kube.requestTimeoutMs, discoveryTimeoutMs), 'read kube-proxy ConfigMap');
    kubeProxy = kubeProxyFrom(kubeProxyConfigMap?.data);
  } catch (e) {
    notes.push(`kube-proxy ConfigMap not read: ${apiError(e).message}`);
  }

  const speakerImageRef = speakers.flatMap((p) => containersOf(p.spec)).find((c) => c.name === 'speaker' || speakerImage.test(c.image ?? ''))?.image;
  const controllerImageRef = controllers.flatMap((p) => containersOf(p.spec)).find((c) => controllerImage.test(c.image ?? '') || c.name === 'controller')?.image;
  const mode = modeFrom(speakers, frrK8s);
  const installMethod = installMethodFrom([...speakerDs, ...controllerDeploy, ...speakers, ...controllers]);

  const discovery: Discovery = {
    namespace,
    version: imageTag(speakerImageRef) ?? imageTag(controllerImageRef),
    mode,
    installMethod,
    kubeProxyMode: kubeProxy.mode,
    strictARP: kubeProxy.strictARP,
    speakers: speakers.filter((p) => !p.spec?.nodeName || selected.has(p.spec.nodeName)).map(toDiscoveredPod),
    controller: controllerPod ? toDiscoveredPod(controllerPod) : undefined,
    frrK8s: frrK8s.filter((p) => !p.spec?.nodeName || selected.has(p.spec.nodeName)).map(toDiscoveredPod),
    nodes: nodeNames,
  };
  return {
    discovery,
    speakerByNode,
    frrK8sByNode,
    controllerPod: controllerPod && podForCollection(controllerPod),
    nodes: nodes.map(nodeForCollection),
    daemonSets: [...speakerDs, ...frrK8sDs],
    deployments: controllerDeploy,
    namespaces: [...namespaces],
    notes,
    listed: {
      '/pods/metallb-namespace': pods,
      // The cluster step wants every node, also when --node-selector narrowed discovery's list.
      ...(options.nodeSelector ? {} : { '/nodes/cluster': allNodes }),
      ...(workloadsListed
        ? {
            'apps/daemonsets/metallb-namespace': daemonSets.filter((d) => namespaces.has(d.metadata?.namespace ?? '')),
            'apps/deployments/metallb-namespace': deployments.filter((d) => namespaces.has(d.metadata?.namespace ?? '')),
          }
        : {}),
      ...(kubeProxyConfigMap ? { '/configmaps/cluster': [kubeProxyConfigMap] } : {}),
    },
  };
}

/** Parses `vX.Y.Z` into a comparable tuple (undefined for non-semver tags such as `main`). */
export function parseVersion(tag: string | undefined): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/**
 * What collection reads of a MetalLB pod: identity, node, phase, each container's name, image,
 * ports and mounts, and each container's state and restarts. A speaker's full object is tens of
 * kilobytes in memory and the cluster step writes it as listed; at thousands of nodes, holding
 * every full object for the whole run was a large share of its memory.
 */
export function podForCollection(pod: V1Pod): V1Pod {
  const m = pod.metadata ?? {};
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, labels: m.labels },
    spec: {
      nodeName: pod.spec?.nodeName,
      containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, ports: c.ports, volumeMounts: c.volumeMounts })),
    },
    status: {
      phase: pod.status?.phase,
      containerStatuses: pod.status?.containerStatuses?.map((c) => ({ name: c.name, image: c.image, imageID: c.imageID, ready: c.ready, started: c.started, restartCount: c.restartCount, state: c.state, lastState: c.lastState })),
    },
  };
}

/** What collection reads of a node: its name, labels and addresses. */
export function nodeForCollection(node: V1Node): V1Node {
  return { metadata: { name: node.metadata?.name, labels: node.metadata?.labels }, status: { addresses: node.status?.addresses } };
}
