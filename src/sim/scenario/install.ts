/**
 * Derives what a MetalLB installation looks like in the API from the release's real manifest
 * (fixtures/upstream/metallb/manifests/<tag>/): Namespace, ConfigMaps, Secrets, Services,
 * webhook configurations, CRDs, the speaker DaemonSet, the controller Deployment (and in frr-k8s
 * mode the frr-k8s DaemonSet and status cleaner), their ReplicaSets and one Pod per node / replica
 * with the manifest's labels, containers, init containers, env, securityContext, ports and images,
 * plus the server-side defaults and status a real cluster shows.
 *
 * A requested patch version (e.g. v0.14.3) uses the manifest of the same minor release with the
 * MetalLB image tags rewritten. Helm and operator installs are derived from the same manifest with
 * the naming and labels those methods use (docs/metallb.md §1.4, §1.5).
 */
 
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../model/cluster.js';
import { UserError } from '../../util/errors.js';
import { packageRoot } from '../../version.js';
import type { InstallMethod, InstallMode, LogLevel, PodHealth } from './types.js';
import { daemonPodTolerations, defaultDaemonSet, defaultDeployment, defaultPodSpec, defaultPodTolerations, defaultService, tolerates } from './defaults.js';
import { atLeast, deepClone, isoBefore, nameSuffix, sha256Hex, stableUid, templateHash } from './util.js';

/** The package root (src/version.ts knows it for both the sources and the install-time bundle). */
export const repoRoot = packageRoot;
export const upstreamDir = join(repoRoot, 'fixtures', 'upstream');

/** The manifest tag used for each minor release. */
const manifestTags: Record<string, string> = { '13': 'v0.13.12', '14': 'v0.14.9', '15': 'v0.15.3', '16': 'v0.16.1' };

const manifestCache = new Map<string, KubeObject[]>();

/**
 * JSON twin of a tag's manifests (`manifests.json` beside the YAML files): the same objects, with
 * CRDs stored once per tag. YAML-parsing the CRDs costs ~0.5 s per manifest; JSON.parse costs ~10 ms.
 * test/sim/scenario-upstream.test.ts checks that the twin equals the YAML; regenerate with
 * `node --import tsx src/sim/scenario/install.ts --write-json`.
 */
export interface ManifestTwin {
  crds: Record<string, KubeObject>;
  manifests: Record<string, (KubeObject | { $crd: string })[]>;
}

export const installModes: InstallMode[] = ['native', 'frr', 'frr-k8s'];

export function manifestFile(tag: string, mode: InstallMode): string {
  return join(upstreamDir, 'metallb', 'manifests', tag, `metallb-${mode}.yaml`);
}

export function parseManifestYaml(tag: string, mode: InstallMode): KubeObject[] {
  return parseAllDocuments(readFileSync(manifestFile(tag, mode), 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && !!o.kind);
}

export function buildManifestTwin(tag: string): ManifestTwin {
  const twin: ManifestTwin = { crds: {}, manifests: {} };
  for (const mode of installModes) {
    if (!existsSync(manifestFile(tag, mode))) continue;
    twin.manifests[mode] = parseManifestYaml(tag, mode).map((o) => {
      if (o.kind !== 'CustomResourceDefinition') return o;
      const prev = twin.crds[o.metadata.name];
      if (prev && JSON.stringify(prev) !== JSON.stringify(o)) return o; // differs between modes: keep inline
      twin.crds[o.metadata.name] = o;
      return { $crd: o.metadata.name };
    });
  }
  return twin;
}

export const twinFile = (tag: string): string => join(upstreamDir, 'metallb', 'manifests', tag, 'manifests.json');

/** Parsed objects of one upstream manifest file (cached; callers must clone before mutating). */
export function upstreamManifest(tag: string, mode: InstallMode): KubeObject[] {
  const key = `${tag}/${mode}`;
  let objs = manifestCache.get(key);
  if (!objs) {
    const file = twinFile(tag);
    if (existsSync(file)) {
      const twin = JSON.parse(readFileSync(file, 'utf8')) as ManifestTwin;
      objs = (twin.manifests[mode] ?? []).map((o) => (typeof o.$crd === 'string' ? twin.crds[o.$crd]! : (o as KubeObject)));
    } else objs = parseManifestYaml(tag, mode);
    manifestCache.set(key, objs);
  }
  return objs;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--write-json')) {
  for (const tag of Object.values(manifestTags)) writeFileSync(twinFile(tag), JSON.stringify(buildManifestTwin(tag)) + '\n');
}

export interface NodeInfo {
  name: string;
  ip: string;
  index: number;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  podCIDR: string;
  speaker: 'absent' | PodHealth;
  frrk8s?: PodHealth;
  ready: boolean;
}

export interface InstallInput {
  scenario: string;
  version: string;
  mode: InstallMode;
  method: InstallMethod;
  namespace: string;
  release: string;
  logLevel: LogLevel;
  nodes: NodeInfo[];
  controllerNode: string;
  controller?: PodHealth;
  now: Date;
  /** Seconds the install has been running (creation times lie this far before `now`). */
  ageSeconds: number;
  nextResourceVersion: () => string;
}

export interface DerivedPod {
  pod: any;
  node: string;
  component: 'speaker' | 'controller' | 'frr-k8s' | 'frr-k8s-statuscleaner' | 'operator';
}

export interface DerivedInstall {
  tag: string;
  objects: KubeObject[];
  pods: DerivedPod[];
  /** Speaker/controller images are distroless (≥ v0.14.6): exec into them cannot start a process. */
  distroless: boolean;
  images: { speaker: string; controller: string; frr?: string; frrk8s?: string };
  /** Metrics ports of this release. */
  ports: { metrics: number; frrMetrics?: number; https: boolean };
  /** Labels that select speaker / controller pods for this install method. */
  speakerSelector: Record<string, string>;
  controllerSelector: Record<string, string>;
  /** Workload names after renaming (helm prefixes). */
  names: { speakerDs: string; controllerDeploy: string; frrk8sDs?: string; memberlistSecret: string };
  frrVersion?: string;
}

export function manifestTagFor(version: string, mode: InstallMode, path = 'install.version'): string {
  const m = /^v0\.(\d+)\.(\d+)$/.exec(version);
  const tag = m ? manifestTags[m[1]!] : undefined;
  if (!tag) throw new UserError(`${path}: unsupported MetalLB version ${JSON.stringify(version)}`, 'use a release from v0.13.0 to v0.16.x, e.g. v0.14.9');
  if (mode === 'frr-k8s' && !atLeast(version, 'v0.14.0')) {
    throw new UserError(`install.mode: frr-k8s mode needs MetalLB v0.14.0 or later, got ${version}`, 'use mode frr, or a version from v0.14.0 on');
  }
  return tag;
}

const isNamespaced = (kind: string): boolean =>
  !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].includes(kind);

/** Replace every `namespace: metallb-system` value (objects, webhook clientConfigs, RBAC subjects). */
function renamespace(v: any, ns: string): void {
  if (Array.isArray(v)) v.forEach((x) => renamespace(x, ns));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'namespace' && x === 'metallb-system') v[k] = ns;
      else renamespace(x, ns);
    }
  }
}

function retagImages(spec: any, version: string): void {
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    if (typeof c.image === 'string' && /^quay\.io\/metallb\/(speaker|controller):/.test(c.image)) {
      c.image = c.image.replace(/:[^:]+$/, `:${version}`);
    }
  }
}

function setLogLevel(spec: any, level: LogLevel): void {
  for (const c of spec.containers ?? []) {
    if ((c.name === 'speaker' || c.name === 'controller') && Array.isArray(c.args)) {
      c.args = c.args.map((a: string) => (a.startsWith('--log-level=') ? `--log-level=${level}` : a));
    }
  }
}

const helmLabelMap = (release: string, component: string, version: string): Record<string, string> => ({
  'app.kubernetes.io/name': 'metallb',
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/version': version,
  'app.kubernetes.io/managed-by': 'Helm',
  'helm.sh/chart': `metallb-${version.replace(/^v/, '')}`,
});

const helmSelector = (release: string, component: string): Record<string, string> => ({
  'app.kubernetes.io/name': 'metallb',
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/component': component,
});

/** Helm fullname: the release name when it contains "metallb", else `<release>-metallb`. */
export function helmFullname(release: string): string {
  return release.includes('metallb') ? release : `${release}-metallb`;
}

export function deriveInstall(input: InstallInput): DerivedInstall {
  const { version, mode, method, namespace: ns, now } = input;
  const tag = manifestTagFor(version, mode);
  const created = isoBefore(now, input.ageSeconds);
  // CRDs are large and only get metadata/status here: share their spec instead of cloning it.
  const objects = upstreamManifest(tag, mode).map((o: any) =>
    o.kind === 'CustomResourceDefinition' && ns === 'metallb-system' ? { ...o, metadata: { ...o.metadata } } : deepClone(o),
  );
  const fullname = helmFullname(input.release);
  const helm = method === 'helm';
  const names = {
    speakerDs: helm ? `${fullname}-speaker` : 'speaker',
    controllerDeploy: helm ? `${fullname}-controller` : 'controller',
    frrk8sDs: mode === 'frr-k8s' ? (helm ? `${input.release}-frr-k8s` : 'frr-k8s-daemon') : undefined,
    memberlistSecret: helm ? `${fullname}-memberlist` : 'memberlist',
  };
  const speakerSelector = helm ? helmSelector(input.release, 'speaker') : { app: 'metallb', component: 'speaker' };
  const controllerSelector = helm ? helmSelector(input.release, 'controller') : { app: 'metallb', component: 'controller' };

  let speakerDs: any;
  let controllerDeploy: any;
  let frrk8sDs: any;
  let statusCleaner: any;
  const out: KubeObject[] = [];
  for (const o of objects as any[]) {
    renamespace(o, ns);
    if (o.kind === 'Namespace') o.metadata.name = ns;
    if (o.kind === 'DaemonSet' && o.metadata.name === 'speaker') speakerDs = o;
    if (o.kind === 'Deployment' && o.metadata.name === 'controller') controllerDeploy = o;
    if (o.kind === 'DaemonSet' && o.metadata.name === 'frr-k8s-daemon') frrk8sDs = o;
    if (o.kind === 'Deployment' && o.metadata.name === 'frr-k8s-statuscleaner') statusCleaner = o;
    out.push(o);
  }
  if (!speakerDs || !controllerDeploy) throw new Error(`manifest ${tag}/${mode} has no speaker DaemonSet or controller Deployment`);

  for (const w of [speakerDs, controllerDeploy]) {
    retagImages(w.spec.template.spec, version);
    setLogLevel(w.spec.template.spec, input.logLevel);
  }

  if (helm) {
    for (const [w, component, name] of [
      [speakerDs, 'speaker', names.speakerDs],
      [controllerDeploy, 'controller', names.controllerDeploy],
    ] as const) {
      w.metadata.name = name;
      w.metadata.labels = helmLabelMap(input.release, component, version);
      w.metadata.annotations = { 'meta.helm.sh/release-name': input.release, 'meta.helm.sh/release-namespace': ns };
      w.spec.selector = { matchLabels: helmSelector(input.release, component) };
      w.spec.template.metadata.labels = helmSelector(input.release, component);
      const spec = w.spec.template.spec;
      spec.serviceAccountName = `${fullname}-${component}`;
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          if (e.name === 'METALLB_ML_LABELS') e.value = `app.kubernetes.io/name=metallb,app.kubernetes.io/component=speaker`;
          if (e.name === 'METALLB_ML_SECRET_NAME') e.value = names.memberlistSecret;
        }
      }
      for (const v of spec.volumes ?? []) if (v.secret?.secretName === 'memberlist') v.secret.secretName = names.memberlistSecret;
    }
    for (const o of out as any[]) {
      if (o.kind === 'ServiceAccount' && (o.metadata.name === 'speaker' || o.metadata.name === 'controller')) o.metadata.name = `${fullname}-${o.metadata.name}`;
      if (o.kind === 'Service' && o.spec?.selector?.component === 'controller') o.spec.selector = helmSelector(input.release, 'controller');
      if (o.metadata && isNamespaced(o.kind) && o.kind !== 'CustomResourceDefinition') {
        o.metadata.labels = { ...(o.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'Helm' };
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'meta.helm.sh/release-name': input.release, 'meta.helm.sh/release-namespace': ns };
      }
    }
    if (frrk8sDs) {
      frrk8sDs.metadata.name = names.frrk8sDs;
      const sel = { 'app.kubernetes.io/name': 'frr-k8s', 'app.kubernetes.io/instance': input.release, 'app.kubernetes.io/component': 'frr-k8s' };
      frrk8sDs.metadata.labels = { ...sel, 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'frr-k8s-0.0.25' };
      frrk8sDs.spec.selector = { matchLabels: sel };
      frrk8sDs.spec.template.metadata.labels = { ...sel, app: 'frr-k8s' };
    }
  }

  // Secrets the manifest declares empty are filled by the controller / cert rotator at run time.
  for (const o of out as any[]) {
    if (o.kind === 'Secret') {
      o.type ??= 'Opaque';
      if (/webhook/.test(o.metadata.name)) {
        o.data ??= { 'ca.crt': b64(`-----BEGIN CERTIFICATE-----\nsimulated CA for ${o.metadata.name}\n-----END CERTIFICATE-----\n`), 'ca.key': b64('simulated'), 'tls.crt': b64('simulated'), 'tls.key': b64('simulated') };
      }
    }
    if (o.kind === 'ValidatingWebhookConfiguration') {
      const secretCa = b64(`-----BEGIN CERTIFICATE-----\nsimulated CA for ${o.metadata.name.startsWith('frr-k8s') ? 'frr-k8s-webhook-server-cert' : 'metallb-webhook-cert'}\n-----END CERTIFICATE-----\n`);
      for (const w of o.webhooks ?? []) {
        w.clientConfig.caBundle ??= secretCa;
        w.matchPolicy ??= 'Equivalent';
        w.namespaceSelector ??= {};
        w.objectSelector ??= {};
        w.timeoutSeconds ??= 10;
        for (const r of w.rules ?? []) r.scope ??= '*';
      }
    }
  }
  out.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.memberlistSecret, namespace: ns },
    type: 'Opaque',
    data: { secretkey: b64(sha256Hex(`memberlist:${input.scenario}`).slice(0, 44)) },
  });

  const speakerContainer = speakerDs.spec.template.spec.containers.find((c: any) => c.name === 'speaker');
  const speakerImage: string = speakerContainer.image;
  const controllerImage: string = controllerDeploy.spec.template.spec.containers.find((c: any) => c.name === 'controller').image;
  const frrImage: string | undefined = (speakerDs.spec.template.spec.containers.find((c: any) => c.name === 'frr') ?? frrk8sDs?.spec.template.spec.containers.find((c: any) => c.name === 'frr'))?.image;
  const frrk8sImage: string | undefined = frrk8sDs?.spec.template.spec.containers.find((c: any) => c.name === 'controller')?.image;
  const https = atLeast(tag, 'v0.16.0');

  // Server-side defaults and metadata on every object.
  for (const o of out as any[]) {
    o.metadata.uid = stableUid(`${input.scenario}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    o.metadata.resourceVersion = input.nextResourceVersion();
    o.metadata.creationTimestamp = created;
    if (o.kind === 'Deployment') {
      defaultDeployment(o);
      o.metadata.generation = 1;
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': '1' };
    }
    if (o.kind === 'DaemonSet') {
      defaultDaemonSet(o);
      o.metadata.generation = 1;
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'deprecated.daemonset.template.generation': '1' };
    }
    if (o.kind === 'Service') defaultService(o, `10.96.${(parseInt(sha256Hex(o.metadata.name).slice(0, 2), 16) % 200) + 1}.${(parseInt(sha256Hex(o.metadata.name).slice(2, 4), 16) % 250) + 2}`);
    if (o.kind === 'Namespace') {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns };
      o.spec = { finalizers: ['kubernetes'] };
      o.status = { phase: 'Active' };
    }
    if (o.kind === 'CustomResourceDefinition') {
      o.status = {
        acceptedNames: o.spec.names,
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: created },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: created },
        ],
        storedVersions: (o.spec.versions ?? []).filter((v: any) => v.storage).map((v: any) => v.name),
      };
    }
  }

  const pods: DerivedPod[] = [];
  /**
   * A DaemonSet pod's name: `<ds>-<5 characters>`, derived from the node so a scenario always has
   * the same names. Five characters collide by 5000 pods (the birthday bound of 27^5); the API
   * server's generateName then tries another suffix, and so does this.
   */
  const usedPodNames = new Set<string>();
  const daemonPodName = (ds: string, node: string): string => {
    for (let attempt = 0; ; attempt++) {
      const name = `${ds}-${nameSuffix(`${input.scenario}/${ds}/${node}${attempt ? `#${attempt}` : ''}`)}`;
      if (!usedPodNames.has(name)) {
        usedPodNames.add(name);
        return name;
      }
    }
  };
  const schedulable = (spec: any, node: NodeInfo): boolean => {
    const tolerations = [...(spec.tolerations ?? []), ...daemonPodTolerations(!!spec.hostNetwork)];
    if (node.taints.some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t))) return false;
    for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (node.labels[k] !== v) return false;
    return true;
  };

  // DaemonSets: speaker (+ frr-k8s).
  const daemonSets: [any, 'speaker' | 'frr-k8s'][] = [[speakerDs, 'speaker']];
  if (frrk8sDs) daemonSets.push([frrk8sDs, 'frr-k8s']);
  for (const [ds, component] of daemonSets) {
    const spec = ds.spec.template.spec;
    let desired = 0;
    let ready = 0;
    let current = 0;
    for (const node of input.nodes) {
      if (!schedulable(spec, node)) continue;
      desired++;
      const health = component === 'speaker' ? node.speaker : (node.frrk8s ?? {});
      if (health === 'absent') continue;
      current++;
      const podName = daemonPodName(ds.metadata.name, node.name);
      const pod = makePod(input, ds, podName, node, component, health, created, {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: ds.metadata.name,
        uid: ds.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      });
      pod.metadata.labels['controller-revision-hash'] = templateHash(`${input.scenario}/${ds.metadata.name}`).slice(0, 10);
      pod.metadata.labels['pod-template-generation'] = '1';
      pod.spec.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.name] }] }],
          },
        },
      };
      pod.spec.tolerations = [...(spec.tolerations ?? []), ...daemonPodTolerations(!!spec.hostNetwork)];
      if (pod.status.containerStatuses.every((c: any) => c.ready)) ready++;
      pods.push({ pod, node: node.name, component });
    }
    ds.status = {
      currentNumberScheduled: current,
      desiredNumberScheduled: desired,
      numberAvailable: ready,
      numberMisscheduled: 0,
      numberReady: ready,
      observedGeneration: 1,
      updatedNumberScheduled: current,
      ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
    };
  }

  // Deployments: controller (+ frr-k8s status cleaner), each through a ReplicaSet.
  const deployments: [any, DerivedPod['component'], PodHealth | undefined][] = [[controllerDeploy, 'controller', input.controller]];
  if (statusCleaner) deployments.push([statusCleaner, 'frr-k8s-statuscleaner', undefined]);
  for (const [deploy, component, health] of deployments) {
    const hash = templateHash(`${input.scenario}/${deploy.metadata.name}`);
    const rsName = `${deploy.metadata.name}-${hash}`;
    const rs: any = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: ns,
        labels: { ...deploy.spec.template.metadata.labels, 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/desired-replicas': '1', 'deployment.kubernetes.io/max-replicas': '2', 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deploy.metadata.name, uid: deploy.metadata.uid, controller: true, blockOwnerDeletion: true }],
        uid: stableUid(`${input.scenario}/ReplicaSet/${ns}/${rsName}`),
        resourceVersion: input.nextResourceVersion(),
        creationTimestamp: created,
        generation: 1,
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...deploy.spec.selector.matchLabels, 'pod-template-hash': hash } },
        template: deepClone(deploy.spec.template),
      },
    };
    rs.spec.template.metadata.labels = { ...rs.spec.template.metadata.labels, 'pod-template-hash': hash };
    const nodeName = input.controllerNode;
    const node = input.nodes.find((n) => n.name === nodeName) ?? input.nodes[0]!;
    const podName = `${rsName}-${nameSuffix(`${input.scenario}/${rsName}`)}`;
    const pod = makePod(input, rs, podName, node, component, health ?? {}, created, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: rsName,
      uid: rs.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    pod.spec.tolerations = [...(deploy.spec.template.spec.tolerations ?? []), ...defaultPodTolerations()];
    const isReady = pod.status.containerStatuses.every((c: any) => c.ready);
    rs.status = { replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1, ...(isReady ? { readyReplicas: 1, availableReplicas: 1 } : {}) };
    deploy.status = {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      ...(isReady ? { readyReplicas: 1, availableReplicas: 1 } : { unavailableReplicas: 1 }),
      conditions: [
        isReady
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: created, lastTransitionTime: created }
          : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: created, lastTransitionTime: created },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
          lastUpdateTime: created,
          lastTransitionTime: created,
        },
      ],
    };
    out.push(rs);
    pods.push({ pod, node: node.name, component });
  }

  // Operator installs: the operator's own Deployment and the MetalLB CR it reconciles.
  if (method === 'operator') {
    out.push({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'MetalLB',
      metadata: {
        name: 'metallb',
        namespace: ns,
        uid: stableUid(`${input.scenario}/MetalLB`),
        resourceVersion: input.nextResourceVersion(),
        creationTimestamp: created,
        generation: 1,
      },
      spec: { logLevel: input.logLevel, bgpBackend: mode },
      status: {
        conditions: [
          { type: 'Available', status: 'True', reason: 'Available', message: '', lastTransitionTime: created },
          { type: 'Degraded', status: 'False', reason: 'Available', message: '', lastTransitionTime: created },
        ],
      },
    });
  }

  for (const p of pods) out.push(p.pod);
  return {
    tag,
    objects: out,
    pods,
    distroless: atLeast(version, 'v0.14.6'),
    images: { speaker: speakerImage, controller: controllerImage, frr: frrImage, frrk8s: frrk8sImage },
    ports: { metrics: https ? 9120 : 7472, frrMetrics: mode === 'frr' ? (https ? 9121 : 7473) : mode === 'frr-k8s' ? 9141 : undefined, https },
    speakerSelector,
    controllerSelector,
    names,
    frrVersion: frrImage?.split(':')[1],
  };
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

function makePod(input: InstallInput, owner: any, name: string, node: NodeInfo, component: DerivedPod['component'], health: PodHealth, created: string, ownerRef: any): any {
  const template = deepClone(owner.spec.template);
  const spec = template.spec;
  spec.nodeName = node.name;
  spec.enableServiceLinks = true;
  spec.preemptionPolicy = 'PreemptLowerPriority';
  spec.priority = 0;
  defaultPodSpec(spec);
  // The ServiceAccount token volume the admission plugin injects into every pod.
  const tokenVolume = `kube-api-access-${nameSuffix(`${name}/token`)}`;
  spec.volumes = [
    ...(spec.volumes ?? []),
    {
      name: tokenVolume,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ];
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: tokenVolume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }];
  }
  const hostNetwork = !!spec.hostNetwork;
  const podIP = hostNetwork ? node.ip : podIpFor(node, name);
  const started = created;
  const restarts = health.restarts ?? 0;
  const ready = health.ready ?? true;
  const restartedContainer = health.container ?? (component === 'speaker' ? 'speaker' : component === 'controller' ? 'controller' : spec.containers[0].name);
  const containerStatuses = spec.containers.map((c: any) => {
    const isRestarted = c.name === restartedContainer && restarts > 0;
    const cReady = ready || c.name !== restartedContainer;
    const id = `containerd://${sha256Hex(`${name}/${c.name}/${restarts}`)}`;
    const st: any = {
      name: c.name,
      image: c.image,
      imageID: `${c.image.split(':')[0]}@sha256:${sha256Hex(c.image)}`,
      containerID: id,
      ready: cReady,
      started: cReady,
      restartCount: isRestarted ? restarts : 0,
      state: cReady
        ? { running: { startedAt: isRestarted ? isoBefore(input.now, 120) : started } }
        : { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=${c.name} pod=${name}_${input.namespace}(${stableUid(`${input.scenario}/Pod/${name}`)})` } },
      lastState: isRestarted
        ? {
            terminated: {
              exitCode: 1,
              reason: health.lastTerminationReason ?? 'Error',
              startedAt: isoBefore(input.now, 900),
              finishedAt: isoBefore(input.now, cReady ? 125 : 30),
              containerID: `containerd://${sha256Hex(`${name}/${c.name}/${restarts - 1}`)}`,
            },
          }
        : {},
      volumeMounts: (c.volumeMounts ?? []).map((m: any) => ({ name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}) })),
    };
    return st;
  });
  const initContainerStatuses = (spec.initContainers ?? []).map((c: any) => ({
    name: c.name,
    image: c.image,
    imageID: `${c.image.split(':')[0]}@sha256:${sha256Hex(c.image)}`,
    containerID: `containerd://${sha256Hex(`${name}/${c.name}/init`)}`,
    ready: true,
    started: false,
    restartCount: 0,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: created, finishedAt: created, containerID: `containerd://${sha256Hex(`${name}/${c.name}/init`)}` } },
    lastState: {},
  }));
  const allReady = containerStatuses.every((c: any) => c.ready);
  const cond = (type: string, status: boolean, extra: Record<string, unknown> = {}): any => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: created, ...extra });
  const pod: any = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: name.slice(0, name.lastIndexOf('-') + 1),
      namespace: input.namespace,
      uid: stableUid(`${input.scenario}/Pod/${name}`),
      resourceVersion: input.nextResourceVersion(),
      creationTimestamp: created,
      labels: { ...(template.metadata?.labels ?? {}) },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRef],
    },
    spec,
    status: {
      phase: 'Running',
      conditions: [
        cond('PodReadyToStartContainers', true),
        cond('Initialized', true),
        cond('Ready', allReady, allReady ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containerStatuses.filter((c: any) => !c.ready).map((c: any) => c.name).join(' ')}]` }),
        cond('ContainersReady', allReady, allReady ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containerStatuses.filter((c: any) => !c.ready).map((c: any) => c.name).join(' ')}]` }),
        cond('PodScheduled', true),
      ],
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: created,
      containerStatuses,
      ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
      qosClass: spec.containers.every((c: any) => !c.resources?.requests && !c.resources?.limits) ? 'BestEffort' : 'Burstable',
    },
  };
  return pod;
}

function podIpFor(node: NodeInfo, podName: string): string {
  const base = node.podCIDR.split('/')[0]!.split('.').map(Number);
  const host = (parseInt(sha256Hex(podName).slice(0, 2), 16) % 250) + 2;
  return `${base[0]}.${base[1]}.${base[2]}.${host}`;
}
