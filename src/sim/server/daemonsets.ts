/**
 * The DaemonSet controller in miniature: a created DaemonSet gets one pod per eligible node
 * (nodeSelector, required node affinity, taints it does not tolerate), created in the controller's
 * slow-start batches (1, 2, 4, … pods, at most `burstReplicas` per sync), each pod then starting
 * with the kubelet's container-start and image-pull latency. Deleting the DaemonSet deletes its pods
 * the way the garbage collector does: Background (the default of apps/v1) removes the DaemonSet at
 * once and its pods after; Foreground answers 202 and keeps the DaemonSet, marked, until its pods
 * are gone; Orphan leaves the pods.
 */
import type { KubeObject } from '../../model/cluster.js';
import type { ContainerRuntime } from './kubelet.js';
import { createPod, deletePod, randomSuffix } from './pods.js';
import type { ResourceType } from './resources.js';
import type { SimState } from './state.js';
import { badRequest, invalid, type FieldError } from './status.js';

/** kube-controller-manager's `BurstReplicas` for DaemonSets: pods created per sync at most. */
const burstReplicas = 250;
/** The API round trip of one slow-start batch of creates, before the next, larger batch. */
const batchRoundTripMs = 15;
/** How often the controller refreshes a DaemonSet's status while its pods start. */
const statusEveryMs = 250;

const appsGroup = 'apps';

function matchLabels(labels: Record<string, string>, selector: any): boolean {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** One nodeSelectorTerm: its matchExpressions on labels and matchFields on metadata.name. */
function termMatches(node: KubeObject, term: any): boolean {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  const test = (value: string | undefined, e: any): boolean => {
    const values: string[] = e.values ?? [];
    switch (e.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Gt':
        return value !== undefined && Number(value) > Number(values[0]);
      case 'Lt':
        return value !== undefined && Number(value) < Number(values[0]);
      default:
        return false;
    }
  };
  const exprs: any[] = term?.matchExpressions ?? [];
  const fields: any[] = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false; // an empty term matches nothing
  return exprs.every((e) => test(labels[e.key], e)) && fields.every((f) => f.key === 'metadata.name' && test(node.metadata.name, f));
}

function tolerates(tolerations: any[], taint: any): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** Whether the DaemonSet's pod template would run on the node. */
export function nodeEligible(node: KubeObject, podSpec: any): boolean {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(podSpec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms: any[] | undefined = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !terms.some((t) => termMatches(node, t))) return false;
  const tolerations: any[] = podSpec?.tolerations ?? [];
  return (node.spec?.taints ?? []).filter((t: any) => t.effect === 'NoSchedule' || t.effect === 'NoExecute').every((t: any) => tolerates(tolerations, t));
}

function validate(ds: KubeObject): void {
  const name = ds.metadata.name ?? '';
  const errors: FieldError[] = [];
  const selector = ds.spec?.selector;
  const templateLabels: Record<string, string> = ds.spec?.template?.metadata?.labels ?? {};
  if (!selector) errors.push({ type: 'FieldValueRequired', field: 'spec.selector' });
  else if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.selector', value: selector, detail: 'empty selector is invalid for daemonset' });
  } else if (!matchLabels(templateLabels, selector)) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.template.metadata.labels', value: templateLabels, detail: '`selector` does not match template `labels`' });
  }
  const containers: any[] = ds.spec?.template?.spec?.containers ?? [];
  if (containers.length === 0) errors.push({ type: 'FieldValueRequired', field: 'spec.template.spec.containers' });
  containers.forEach((c, i) => {
    if (!c?.name) errors.push({ type: 'FieldValueRequired', field: `spec.template.spec.containers[${i}].name` });
    if (!c?.image) errors.push({ type: 'FieldValueRequired', field: `spec.template.spec.containers[${i}].image` });
  });
  const restart = ds.spec?.template?.spec?.restartPolicy;
  if (restart !== undefined && restart !== 'Always') {
    errors.push({ type: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', value: restart, detail: 'supported values: "Always"' });
  }
  if (errors.length > 0) throw invalid('DaemonSet', name, errors, appsGroup);
}

export class DaemonSetController {
  constructor(
    private readonly state: SimState,
    private readonly runtime: ContainerRuntime,
  ) {}

  private get dsType(): ResourceType {
    return this.state.registry.lookup(appsGroup, 'v1', 'daemonsets')!;
  }

  /** POST apps/v1 daemonsets: validate, default, store, then start creating its pods. */
  create(namespace: string, input: any): KubeObject {
    if (!input || typeof input !== 'object') throw badRequest('the body of the request was not a DaemonSet');
    if (input.metadata?.namespace && input.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const ds: KubeObject = { ...input, apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { ...(input.metadata ?? {}), namespace } };
    if (!ds.metadata.name && ds.metadata.generateName) ds.metadata.name = `${ds.metadata.generateName}${randomSuffix()}`;
    if (!ds.metadata.name) throw invalid('DaemonSet', '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }], appsGroup);
    validate(ds);
    delete ds.metadata.resourceVersion;
    delete ds.metadata.uid;
    delete ds.metadata.creationTimestamp;
    ds.metadata.generation = 1;
    ds.spec = {
      ...ds.spec,
      revisionHistoryLimit: ds.spec.revisionHistoryLimit ?? 10,
      updateStrategy: ds.spec.updateStrategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    };
    ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    const stored = this.state.store.create(this.dsType, ds);
    const nodes = this.state.store
      .list(this.state.nodeType)
      .filter((n) => nodeEligible(n, stored.spec.template.spec))
      .map((n) => n.metadata.name as string);
    this.setStatus(namespace, stored.metadata.name, stored.metadata.uid!, nodes.length);
    this.state.later(batchRoundTripMs, () => this.createBatches(namespace, stored.metadata.name, stored.metadata.uid!, nodes, 0, 1));
    return stored;
  }

  /** True while the DaemonSet with this uid exists and is not being deleted. */
  private live(namespace: string, name: string, uid: string): KubeObject | undefined {
    const ds = this.state.store.get(this.dsType, namespace, name);
    return ds && ds.metadata.uid === uid && !ds.metadata.deletionTimestamp ? ds : undefined;
  }

  /** slowStartBatch: 1, 2, 4, … pods per batch, a new sync after `burstReplicas` pods. */
  private createBatches(namespace: string, name: string, uid: string, nodes: string[], from: number, size: number): void {
    const ds = this.live(namespace, name, uid);
    if (!ds || from >= nodes.length) return;
    const syncEnd = (Math.floor(from / burstReplicas) + 1) * burstReplicas;
    const end = Math.min(from + size, nodes.length, syncEnd);
    for (const node of nodes.slice(from, end)) this.createPodOn(ds, node);
    this.setStatus(namespace, name, uid, nodes.length);
    const nextSize = end === syncEnd ? 1 : size * 2;
    this.state.later(batchRoundTripMs, () => this.createBatches(namespace, name, uid, nodes, end, nextSize));
  }

  private createPodOn(ds: KubeObject, node: string): void {
    const template = ds.spec.template ?? {};
    // The template's required node terms are replaced below: not copied first (a run's DaemonSet
    // names every collected node there, and a copy per pod made 5000 pods copy 25 million names).
    const source = template.spec ?? {};
    const nodeAffinity = source.affinity?.nodeAffinity;
    const spec = structuredClone(nodeAffinity ? { ...source, affinity: { ...source.affinity, nodeAffinity: { ...nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: undefined } } } : source);
    // The controller pins each pod to its node by replacing the affinity's matchFields (ReplaceDaemonSetPodNodeNameNodeAffinity).
    spec.affinity = {
      ...(spec.affinity ?? {}),
      nodeAffinity: {
        ...(spec.affinity?.nodeAffinity ?? {}),
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
      },
    };
    spec.nodeName = node;
    const tolerations: any[] = (spec.tolerations ??= []);
    // Added to every DaemonSet pod (util.AddOrUpdateDaemonPodTolerations).
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      if (!tolerations.some((t) => t.key === key && t.effect === 'NoExecute')) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute' });
    }
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`,
        labels: { ...(template.metadata?.labels ?? {}), 'controller-revision-hash': ds.metadata.uid!.slice(0, 10).replace(/-/g, ''), 'pod-template-generation': '1' },
        annotations: { ...(template.metadata?.annotations ?? {}) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
    };
    // Pod Security admission judges the controller's pods, not the DaemonSet: its create succeeded,
    // its pods are refused, and the controller reports that as a FailedCreate event on the DaemonSet.
    const rejected = this.state.apiFaults.admitPod(ds.metadata.namespace!, pod);
    if (rejected) {
      this.failedCreate(ds, rejected.status.message ?? rejected.message);
      return;
    }
    try {
      const created = createPod(this.state, this.runtime, ds.metadata.namespace!, pod);
      let names = this.podsOf.get(ds.metadata.uid!);
      if (!names) this.podsOf.set(ds.metadata.uid!, (names = new Set()));
      names.add(created.metadata.name);
    } catch (e) {
      this.failedCreate(ds, (e as Error).message);
    }
  }

  /** The controller's Warning event for a pod it could not create (one per DaemonSet: the real one aggregates them). */
  private failedCreate(ds: KubeObject, message: string): void {
    if (this.reported.has(ds.metadata.uid!)) return;
    this.reported.add(ds.metadata.uid!);
    const now = this.state.clock.rfc3339();
    const eventType = this.state.registry.lookup('', 'v1', 'events')!;
    try {
      this.state.store.create(eventType, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${ds.metadata.name}.${randomSuffix(10)}`, namespace: ds.metadata.namespace },
        involvedObject: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, namespace: ds.metadata.namespace, uid: ds.metadata.uid, resourceVersion: ds.metadata.resourceVersion },
        reason: 'FailedCreate',
        message: `Error creating: ${message}`,
        source: { component: 'daemonset-controller' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type: 'Warning',
        reportingComponent: 'daemonset-controller',
        reportingInstance: '',
      });
    } catch {
      // events are best effort
    }
  }

  private readonly reported = new Set<string>();

  /** Names of the pods created for each DaemonSet (by uid): its status is refreshed every 250 ms. */
  private readonly podsOf = new Map<string, Set<string>>();

  /**
   * The pods the DaemonSet owns. Looked up by the names it created, not by listing the namespace:
   * at 5000 nodes a list re-sorted 10,000 pod keys after every creation, four times a second.
   */
  private owned(namespace: string, uid: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const name of this.podsOf.get(uid) ?? []) {
      const p = this.state.store.get(this.state.podType, namespace, name);
      if (p && ((p.metadata.ownerReferences ?? []) as any[]).some((r: any) => r.uid === uid)) out.push(p);
    }
    return out;
  }

  /** DaemonSets (by uid) whose next status refresh is already scheduled: one refresh loop each. */
  private readonly refreshing = new Set<string>();

  /** Refreshes the status now, and every `statusEveryMs` until every pod is ready (one loop per DaemonSet). */
  private setStatus(namespace: string, name: string, uid: string, desired: number): void {
    if (!this.live(namespace, name, uid)) return;
    const pods = this.owned(namespace, uid).filter((p) => !p.metadata.deletionTimestamp);
    const ready = pods.filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
    const status = {
      currentNumberScheduled: pods.length,
      numberMisscheduled: 0,
      desiredNumberScheduled: desired,
      numberReady: ready,
      numberAvailable: ready,
      ...(ready < desired ? { numberUnavailable: desired - ready } : {}),
      updatedNumberScheduled: pods.length,
      observedGeneration: 1,
    };
    const current = this.state.store.get(this.dsType, namespace, name);
    if (JSON.stringify(current?.status) !== JSON.stringify(status)) {
      this.state.store.update(this.dsType, namespace, name, (draft) => {
        draft.status = status;
      });
    }
    // Every creation batch refreshes too: each used to start a loop of its own (160 loops over
    // every pod, four times a second, at 5000 nodes).
    if (ready < desired && !this.refreshing.has(uid)) {
      this.refreshing.add(uid);
      this.state.later(statusEveryMs, () => {
        this.refreshing.delete(uid);
        this.setStatus(namespace, name, uid, desired);
      });
    }
  }

  /**
   * DELETE apps/v1 daemonsets/NAME with `propagationPolicy` (query or DeleteOptions body): the
   * answer's status code and body, as the real server sends them.
   */
  delete(namespace: string, name: string, propagation: string | undefined): { code: number; body: KubeObject } {
    const rt = this.dsType;
    const ds = this.state.store.mustGet(rt, namespace, name);
    const policy = propagation ?? 'Background';
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    const uid = ds.metadata.uid!;
    if (policy === 'Orphan') {
      for (const pod of this.owned(namespace, uid)) {
        this.state.store.update(this.state.podType, namespace, pod.metadata.name, (draft) => {
          const kept = ((draft.metadata.ownerReferences ?? []) as any[]).filter((r) => r.uid !== uid);
          if (kept.length === 0) delete draft.metadata.ownerReferences;
          else draft.metadata.ownerReferences = kept;
        });
      }
      return { code: 200, body: this.state.store.delete(rt, namespace, name) };
    }
    if (policy === 'Background') {
      const removed = this.state.store.delete(rt, namespace, name);
      this.state.later(batchRoundTripMs, () => this.collectGarbage(namespace, uid));
      return { code: 200, body: removed };
    }
    if (ds.metadata.deletionTimestamp) return { code: 202, body: ds };
    const marked = this.state.store.update(rt, namespace, name, (draft) => {
      draft.metadata.deletionTimestamp = this.state.clock.rfc3339();
      draft.metadata.deletionGracePeriodSeconds = 0;
      draft.metadata.finalizers = [...new Set([...((draft.metadata.finalizers ?? []) as string[]), 'foregroundDeletion'])];
    });
    this.state.later(batchRoundTripMs, () => this.collectGarbage(namespace, uid, name));
    return { code: 202, body: marked };
  }

  /** The garbage collector: delete the owner's pods; a foreground-deleted owner goes once they are gone. */
  private collectGarbage(namespace: string, uid: string, foregroundOwner?: string): void {
    const pods = this.owned(namespace, uid);
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      try {
        deletePod(this.state, this.runtime, namespace, pod.metadata.name, undefined);
      } catch {
        // already gone
      }
    }
    if (!foregroundOwner) return;
    if (this.owned(namespace, uid).length > 0) {
      this.state.later(statusEveryMs, () => this.collectGarbage(namespace, uid, foregroundOwner));
      return;
    }
    const owner = this.state.store.get(this.dsType, namespace, foregroundOwner);
    if (owner && owner.metadata.uid === uid) {
      try {
        this.state.store.delete(this.dsType, namespace, foregroundOwner);
      } catch {
        // already gone
      }
    }
  }
}
