/**
 * The API resources the simulator serves, and the discovery documents built from them
 * (legacy, non-aggregated discovery: /api, /apis, /api/v1, /apis/<group>/<version>).
 */
import type { KubeObject } from '../../model/cluster.js';

export interface SubresourceType {
  name: string;
  kind: string;
  verbs: string[];
}

export interface ResourceType {
  group: string;
  /** Versions served for this resource; objects are stored once and shown in the requested version. */
  versions: string[];
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceType[];
}

const rw = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function core(resource: string, kind: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return { group: '', versions: ['v1'], resource, singular: kind.toLowerCase(), kind, namespaced, verbs: rw, ...extra };
}

function grouped(group: string, versions: string[], resource: string, kind: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return { group, versions, resource, singular: kind.toLowerCase(), kind, namespaced, verbs: rw, ...extra };
}

export const podSubresources: SubresourceType[] = [
  { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  { name: 'binding', kind: 'Binding', verbs: ['create'] },
  { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  { name: 'eviction', kind: 'Eviction', verbs: ['create'] },
  { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { name: 'log', kind: 'Pod', verbs: ['get'] },
  { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
];

export const builtinResources: ResourceType[] = [
  core('pods', 'Pod', true, { shortNames: ['po'], categories: ['all'], subresources: podSubresources }),
  core('nodes', 'Node', false, { shortNames: ['no'], subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }, { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }] }),
  core('namespaces', 'Namespace', false, { shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  core('services', 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: [{ name: 'status', kind: 'Service', verbs: ['get', 'patch', 'update'] }] }),
  core('endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  core('events', 'Event', true, { shortNames: ['ev'] }),
  core('configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  core('secrets', 'Secret', true),
  core('serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  grouped('apps', ['v1'], 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'] }),
  grouped('apps', ['v1'], 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'] }),
  grouped('apps', ['v1'], 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ['all'] }),
  grouped('discovery.k8s.io', ['v1'], 'endpointslices', 'EndpointSlice', true),
  grouped('admissionregistration.k8s.io', ['v1'], 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  grouped('admissionregistration.k8s.io', ['v1'], 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  grouped('apiextensions.k8s.io', ['v1'], 'customresourcedefinitions', 'CustomResourceDefinition', false, { shortNames: ['crd', 'crds'] }),
  grouped('authorization.k8s.io', ['v1'], 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
  grouped('authorization.k8s.io', ['v1'], 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', true, { verbs: ['create'] }),
  grouped('metallb.io', ['v1beta1'], 'ipaddresspools', 'IPAddressPool', true),
  grouped('metallb.io', ['v1beta1'], 'l2advertisements', 'L2Advertisement', true),
  grouped('metallb.io', ['v1beta1'], 'bgpadvertisements', 'BGPAdvertisement', true),
  grouped('metallb.io', ['v1beta1', 'v1beta2'], 'bgppeers', 'BGPPeer', true),
  grouped('metallb.io', ['v1beta1'], 'bfdprofiles', 'BFDProfile', true),
  grouped('metallb.io', ['v1beta1'], 'communities', 'Community', true),
  grouped('metallb.io', ['v1beta1'], 'servicel2statuses', 'ServiceL2Status', true),
  grouped('metallb.io', ['v1beta1'], 'servicebgpstatuses', 'ServiceBGPStatus', true),
  grouped('metallb.io', ['v1beta1'], 'configurationstates', 'ConfigurationState', true),
  grouped('frrk8s.metallb.io', ['v1beta1'], 'frrconfigurations', 'FRRConfiguration', true),
  grouped('frrk8s.metallb.io', ['v1beta1'], 'frrnodestates', 'FRRNodeState', false),
  grouped('frrk8s.metallb.io', ['v1beta1'], 'bgpsessionstates', 'BGPSessionState', true),
];

/** Groups always listed in /apis, even when the world holds none of their objects. */
const alwaysServedGroups = new Set(['apps', 'discovery.k8s.io', 'admissionregistration.k8s.io', 'authorization.k8s.io', 'apiextensions.k8s.io', 'metallb.io', 'frrk8s.metallb.io']);

/** Kubernetes version ordering: GA > beta > alpha, then by number (`k8s.io/apimachinery/pkg/version`). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  return sb - sa || mb - ma || nb - na;
}

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function splitApiVersion(apiVersion: string | undefined): { group: string; version: string } {
  if (!apiVersion) return { group: '', version: 'v1' };
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();

  constructor(
    types: ResourceType[],
    /** Hide a pod subresource (old servers without ephemeral containers). */
    private readonly hiddenPodSubresources: Set<string> = new Set(),
  ) {
    for (const t of types) this.add(t);
  }

  add(t: ResourceType): void {
    this.byKey.set(`${t.group}/${t.resource}`, t);
    this.byKind.set(`${t.group}/${t.kind}`, t);
  }

  /** The resource type of a world object; unknown kinds (other CRDs) are derived from their apiVersion/kind. */
  forObject(obj: KubeObject): ResourceType {
    const { group, version } = splitApiVersion(obj.apiVersion);
    const kind = obj.kind ?? 'Unknown';
    const known = this.byKind.get(`${group}/${kind}`);
    if (known) {
      if (!known.versions.includes(version)) known.versions.push(version);
      return known;
    }
    const derived: ResourceType = { group, versions: [version], resource: pluralOf(kind), singular: kind.toLowerCase(), kind, namespaced: obj.metadata.namespace !== undefined, verbs: rw };
    this.add(derived);
    return derived;
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    const t = this.byKey.get(`${group}/${resource}`);
    return t && t.versions.includes(version) ? t : undefined;
  }

  all(): ResourceType[] {
    return [...this.byKey.values()];
  }

  groups(): { name: string; versions: string[] }[] {
    const versions = new Map<string, Set<string>>();
    for (const t of this.byKey.values()) {
      if (t.group === '') continue;
      const set = versions.get(t.group) ?? new Set<string>();
      for (const v of t.versions) set.add(v);
      versions.set(t.group, set);
    }
    for (const g of alwaysServedGroups) if (!versions.has(g)) versions.set(g, new Set(['v1']));
    return [...versions.entries()]
      .map(([name, vs]) => ({ name, versions: [...vs].sort(compareKubeVersions) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  // ------------------------------------------------------------ discovery documents

  apiVersions(serverAddress: string): object {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  apiGroupList(): object {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups().map((g) => this.apiGroup(g.name, g.versions)),
    };
  }

  apiGroup(name: string, versions = this.groups().find((g) => g.name === name)?.versions ?? []): object {
    const gvs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { kind: 'APIGroup', apiVersion: 'v1', name, versions: gvs, preferredVersion: gvs[0] };
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.groups().some((g) => g.name === group && g.versions.includes(version));
  }

  /**
   * Aggregated discovery (`apidiscovery.k8s.io/v2`, `as=APIGroupDiscoveryList`): `/api` when
   * `legacy`, else `/apis`, everything in one document.
   */
  aggregatedDiscovery(legacy: boolean, apiVersion: 'v2' | 'v2beta1'): object {
    const groups = legacy ? [{ name: '', versions: ['v1'] }] : this.groups();
    const items = groups.map((g) => ({
      metadata: { ...(g.name ? { name: g.name } : {}), creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: this.all()
          .filter((t) => t.group === g.name && t.versions.includes(version))
          .sort((a, b) => a.resource.localeCompare(b.resource))
          .map((t) => {
            const subresources = (t.subresources ?? [])
              .filter((sub) => !(t.resource === 'pods' && this.hiddenPodSubresources.has(sub.name)))
              .map((sub) => ({ subresource: sub.name, responseKind: { group: '', version: 'v1', kind: sub.kind }, verbs: sub.verbs }));
            return {
              resource: t.resource,
              responseKind: { group: t.group, version, kind: t.kind },
              scope: t.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: t.singular,
              verbs: t.verbs,
              ...(t.shortNames ? { shortNames: t.shortNames } : {}),
              ...(t.categories ? { categories: t.categories } : {}),
              ...(subresources.length ? { subresources } : {}),
            };
          }),
      })),
    }));
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
  }

  apiResourceList(group: string, version: string): object {
    const resources: object[] = [];
    const types = this.all()
      .filter((t) => t.group === group && t.versions.includes(version))
      .sort((a, b) => a.resource.localeCompare(b.resource));
    for (const t of types) {
      const entry: Record<string, unknown> = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
      if (t.shortNames) entry.shortNames = t.shortNames;
      if (t.categories) entry.categories = t.categories;
      resources.push(entry);
      for (const s of t.subresources ?? []) {
        if (t.resource === 'pods' && this.hiddenPodSubresources.has(s.name)) continue;
        resources.push({ name: `${t.resource}/${s.name}`, singularName: '', namespaced: t.namespaced, kind: s.kind, verbs: s.verbs });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
  }
}
