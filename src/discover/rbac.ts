/**
 * RBAC preflight: one SelfSubjectAccessReview per permission the collection plan needs, so a run
 * with partial rights says up front what it cannot do and which Role rule would fix it, and then
 * continues with what is allowed.
 */
import type { RbacCheck } from '../model/bundle.js';
import type { Kube } from '../kube/client.js';
import { apiError } from '../kube/client.js';

export interface Permission {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Namespaced permission in this namespace; undefined = cluster-wide (all namespaces / cluster-scoped). */
  namespace?: string;
  /** Plan steps that need it, for the report. */
  neededFor: string;
}

export function plannedPermissions(opts: { namespace: string; frrK8sNamespaces: string[]; strategy: 'ephemeral' | 'node-pod' | 'daemonset'; metrics: boolean; debugNamespace?: string }): Permission[] {
  const ns = opts.namespace;
  const p: Permission[] = [
    { verb: 'list', group: '', resource: 'nodes', neededFor: 'cluster.nodes' },
    { verb: 'list', group: '', resource: 'pods', namespace: ns, neededFor: 'discovery, cluster.pods' },
    { verb: 'watch', group: '', resource: 'pods', namespace: ns, neededFor: 'waiting for debug containers' },
    { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: ns, neededFor: 'logs' },
    { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: ns, neededFor: 'node commands, FRR' },
    { verb: 'list', group: '', resource: 'services', neededFor: 'cluster.services' },
    { verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices', neededFor: 'cluster.endpointslices' },
    { verb: 'list', group: '', resource: 'events', neededFor: 'cluster.events' },
    { verb: 'list', group: 'apps', resource: 'daemonsets', namespace: ns, neededFor: 'cluster.daemonsets' },
    { verb: 'list', group: 'apps', resource: 'deployments', namespace: ns, neededFor: 'cluster.deployments' },
    { verb: 'list', group: '', resource: 'configmaps', namespace: ns, neededFor: 'cluster.configmaps' },
    { verb: 'list', group: '', resource: 'secrets', namespace: ns, neededFor: 'cluster.secrets (names and keys only)' },
    { verb: 'get', group: '', resource: 'configmaps', namespace: 'kube-system', neededFor: 'cluster.kube-proxy' },
    { verb: 'list', group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', neededFor: 'cluster.webhooks' },
    { verb: 'list', group: 'metallb.io', resource: '*', neededFor: 'metallb.io resources' },
    { verb: 'list', group: 'frrk8s.metallb.io', resource: '*', neededFor: 'frrk8s.metallb.io resources' },
  ];
  for (const other of opts.frrK8sNamespaces.filter((n) => n !== ns)) {
    p.push({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: other, neededFor: 'FRR (frr-k8s)' });
    p.push({ verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: other, neededFor: 'logs (frr-k8s)' });
  }
  if (opts.strategy === 'ephemeral') {
    p.push({ verb: 'patch', group: '', resource: 'pods', subresource: 'ephemeralcontainers', namespace: ns, neededFor: 'attach.ephemeral' });
  } else {
    // --debug-namespace: the debug pods run in a namespace whose Pod Security level allows them.
    const debugNs = opts.debugNamespace ?? ns;
    if (opts.strategy === 'daemonset') {
      p.push({ verb: 'create', group: 'apps', resource: 'daemonsets', namespace: debugNs, neededFor: 'attach.daemonset' });
      p.push({ verb: 'delete', group: 'apps', resource: 'daemonsets', namespace: debugNs, neededFor: 'attach.daemonset cleanup' });
      if (debugNs !== ns) p.push({ verb: 'list', group: '', resource: 'pods', namespace: debugNs, neededFor: 'finding the DaemonSet pods' });
    } else {
      p.push({ verb: 'create', group: '', resource: 'pods', namespace: debugNs, neededFor: 'attach.node-pod' });
      p.push({ verb: 'delete', group: '', resource: 'pods', namespace: debugNs, neededFor: 'attach.node-pod cleanup' });
    }
    if (debugNs !== ns) {
      p.push({ verb: 'watch', group: '', resource: 'pods', namespace: debugNs, neededFor: 'waiting for debug pods' });
      p.push({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: debugNs, neededFor: 'node commands in debug pods' });
    }
  }
  if (opts.metrics) p.push({ verb: 'get', group: '', resource: 'pods', subresource: 'proxy', namespace: ns, neededFor: 'metrics' });
  return p;
}

/** The Role (namespaced) or ClusterRole rule that grants one permission, as YAML. */
export function grantingRule(p: Permission): string {
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  const kind = p.namespace ? `Role in namespace ${p.namespace}` : 'ClusterRole';
  return [
    `# ${kind} (needed for ${p.neededFor})`,
    `- apiGroups: ["${p.group}"]`,
    `  resources: ["${resource}"]`,
    `  verbs: ["${p.verb}"]`,
    '',
  ].join('\n');
}

export function permissionKey(p: { verb: string; group: string; resource: string; subresource?: string; namespace?: string }): string {
  return `${p.verb} ${p.group}/${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.namespace ? ` ns=${p.namespace}` : ''}`;
}

export class RbacResult {
  constructor(readonly checks: RbacCheck[]) {}

  /** False only when the preflight said "denied"; unknown (review failed) counts as allowed. */
  allowed(verb: string, group: string, resource: string, subresource?: string, namespace?: string): boolean {
    const check = this.checks.find(
      (c) => c.verb === verb && c.group === group && (c.resource === resource || c.resource === '*') && (c.subresource ?? '') === (subresource ?? '') && (c.namespace === undefined || c.namespace === namespace),
    );
    return check ? check.allowed : true;
  }

  denied(): RbacCheck[] {
    return this.checks.filter((c) => !c.allowed);
  }
}

export async function preflight(kube: Kube, permissions: Permission[]): Promise<RbacResult> {
  const checks = await Promise.all(
    permissions.map(async (p): Promise<RbacCheck> => {
      const base: RbacCheck = { verb: p.verb, resource: p.resource, subresource: p.subresource, group: p.group, namespace: p.namespace, allowed: true };
      try {
        const review = await kube.authz.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb: p.verb, group: p.group, resource: p.resource, subresource: p.subresource, namespace: p.namespace } },
          },
        });
        const allowed = review.status?.allowed === true;
        return allowed ? base : { ...base, allowed: false, grantingRule: grantingRule(p) };
      } catch (e) {
        // No review API (or no right to create reviews): assume allowed and let the real call decide.
        const info = apiError(e);
        if (info.code === 403 || info.code === 404) return base;
        throw e;
      }
    }),
  );
  return new RbacResult(checks);
}
