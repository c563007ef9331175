/**
 * What a run may leave behind when it cannot clean up (a killed process, a lost connection): node
 * debug pods and debug DaemonSets carrying the owner label. `mlb-report cleanup` finds them by that
 * label and removes them; by default only those whose expiry annotation has passed, so a cleanup
 * does not pull the debug pods from under a collection still running. Ephemeral containers cannot
 * be removed (the API has no call for it); they end with their idle loop's lifetime.
 */
import * as k8s from '@kubernetes/client-node';
import { expiresAnnotation, ownerLabel, ownerValue, runLabel } from '../attach/owner.js';
import { apiError, type Kube } from '../kube/client.js';
import { ExitCode, UserError } from '../util/errors.js';

/** Objects without the expiry annotation count as expired this long after their creation. */
export const unannotatedExpiryMs = 60 * 60 * 1000;

export interface Leftover {
  kind: 'DaemonSet' | 'Pod';
  namespace: string;
  name: string;
  runId?: string;
  /** When it expires (the annotation, else creation + unannotatedExpiryMs). */
  expiresAt?: string;
  expired: boolean;
  /** Already being deleted (deletionTimestamp set). */
  deleting: boolean;
}

function expiry(meta: k8s.V1ObjectMeta | undefined, now: number): { expiresAt?: string; expired: boolean } {
  const annotated = meta?.annotations?.[expiresAnnotation];
  const at = annotated ? Date.parse(annotated) : meta?.creationTimestamp ? new Date(meta.creationTimestamp).getTime() + unannotatedExpiryMs : NaN;
  // An unreadable expiry is no reason to keep an object that carries the owner label.
  if (!Number.isFinite(at)) return { expired: true };
  return { expiresAt: new Date(at).toISOString(), expired: at <= now };
}

function describe(kind: Leftover['kind'], o: { metadata?: k8s.V1ObjectMeta }, now: number): Leftover {
  const meta = o.metadata;
  return { kind, namespace: meta?.namespace ?? '', name: meta?.name ?? '', runId: meta?.labels?.[runLabel], ...expiry(meta, now), deleting: !!meta?.deletionTimestamp };
}

/**
 * Lists the DaemonSets and pods carrying the owner label, in `namespaces` or, when none are given,
 * in all namespaces. Pods a DaemonSet owns are not listed: deleting the DaemonSet removes them.
 */
export async function findLeftovers(kube: Kube, namespaces: string[], now = Date.now()): Promise<Leftover[]> {
  const labelSelector = `${ownerLabel}=${ownerValue}`;
  const apps = kube.kc.makeApiClient(k8s.AppsV1Api);
  const where = namespaces.length > 0 ? namespaces : [undefined];
  const found: Leftover[] = [];
  for (const namespace of where) {
    try {
      const [sets, pods] = await Promise.all([
        namespace ? apps.listNamespacedDaemonSet({ namespace, labelSelector }) : apps.listDaemonSetForAllNamespaces({ labelSelector }),
        namespace ? kube.core.listNamespacedPod({ namespace, labelSelector }) : kube.core.listPodForAllNamespaces({ labelSelector }),
      ]);
      for (const ds of sets.items) found.push(describe('DaemonSet', ds, now));
      for (const pod of pods.items) {
        if ((pod.metadata?.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet')) continue;
        found.push(describe('Pod', pod, now));
      }
    } catch (e) {
      const info = apiError(e);
      const scope = namespace ? `in namespace ${namespace}` : 'in all namespaces';
      if (info.code === 403) {
        throw new UserError(
          `not allowed to list the debug DaemonSets and pods ${scope}: ${info.message}`,
          namespace ? 'ask for list on daemonsets (apps) and pods in that namespace' : 'name the debug namespace(s) with --namespace, or ask for list on daemonsets (apps) and pods cluster-wide',
          ExitCode.cluster,
        );
      }
      throw new UserError(`cannot list the debug DaemonSets and pods ${scope}: ${info.message}`, 'check that the cluster is reachable (kubectl get pods)', ExitCode.cluster);
    }
  }
  return found.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** Deletes one leftover: a DaemonSet with its pods (Background), a pod at once. Undefined when it is gone, else why not. */
export async function deleteLeftover(kube: Kube, l: Leftover): Promise<string | undefined> {
  try {
    if (l.kind === 'DaemonSet') {
      await kube.kc.makeApiClient(k8s.AppsV1Api).deleteNamespacedDaemonSet({ name: l.name, namespace: l.namespace, propagationPolicy: 'Background' });
    } else {
      await kube.core.deleteNamespacedPod({ name: l.name, namespace: l.namespace, gracePeriodSeconds: 0 });
    }
    return undefined;
  } catch (e) {
    const info = apiError(e);
    if (info.code === 404) return undefined;
    return info.code === 403 ? `forbidden: ${info.message}` : info.message;
  }
}
