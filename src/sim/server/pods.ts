/**
 * Pods beyond reading: server-side defaults every returned pod carries, creating pods (JSON or
 * kubectl's protobuf body) with the Pending → Running lifecycle, deletion with a grace period,
 * and the node-not-ready fault applied to nodes and their pods.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../model/cluster.js';
import { defaultContainer } from './ephemeral.js';
import { setCondition, type ContainerRuntime } from './kubelet.js';
import { decodeProtobufPod } from './protobuf.js';
import type { SimState } from './state.js';
import { badRequest, invalid, type FieldError } from './status.js';

/** Defaults the real apiserver shows on every pod (core/v1 defaults.go). */
export function defaultPod(pod: KubeObject): KubeObject {
  pod.spec ??= {};
  const spec = pod.spec;
  spec.containers = (spec.containers ?? []).map(defaultContainer);
  if (spec.initContainers) spec.initContainers = spec.initContainers.map(defaultContainer);
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  return pod;
}

/** Random suffix alphabet of `k8s.io/apimachinery/pkg/util/rand` (no vowels, no confusable digits). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  return [...bytes].map((b) => suffixAlphabet[b % suffixAlphabet.length]).join('');
}

function nodeAddress(node: KubeObject | undefined): string | undefined {
  return (node?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address;
}

export function decodePodBody(contentType: string, body: Buffer): any {
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeProtobufPod(body);
    } catch (e) {
      throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

let podIpCounter = 1;

export function createPod(state: SimState, runtime: ContainerRuntime, namespace: string, input: any): KubeObject {
  if (!input || typeof input !== 'object') throw badRequest('the body of the request was not a Pod');
  const pod: KubeObject = { ...input, apiVersion: 'v1', kind: 'Pod', metadata: { ...(input.metadata ?? {}) } };
  delete pod.status;
  if (pod.metadata.namespace && pod.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  pod.metadata.namespace = namespace;
  if (!pod.metadata.name && pod.metadata.generateName) pod.metadata.name = `${pod.metadata.generateName}${randomSuffix()}`;
  const name = pod.metadata.name ?? '';
  const errors: FieldError[] = [];
  if (!name) errors.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  if (!Array.isArray(pod.spec?.containers) || pod.spec.containers.length === 0) errors.push({ type: 'FieldValueRequired', field: 'spec.containers' });
  (pod.spec?.containers ?? []).forEach((c: any, i: number) => {
    if (!c?.name) errors.push({ type: 'FieldValueRequired', field: `spec.containers[${i}].name` });
    if (!c?.image) errors.push({ type: 'FieldValueRequired', field: `spec.containers[${i}].image` });
  });
  if (pod.spec?.ephemeralContainers?.length) errors.push({ type: 'FieldValueForbidden', field: 'spec.ephemeralContainers', detail: 'cannot be set on create' });
  if (errors.length > 0) throw invalid('Pod', name, errors);
  delete pod.metadata.resourceVersion;
  delete pod.metadata.uid;
  delete pod.metadata.creationTimestamp;
  defaultPod(pod);
  const spec = pod.spec;
  spec.serviceAccountName ??= 'default';
  if (!spec.nodeName) {
    // The scheduler in miniature: the first Ready node.
    const ready = state.store.list(state.nodeType).find((n) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
    if (ready) spec.nodeName = ready.metadata.name;
  }
  const node = spec.nodeName ? state.store.get(state.nodeType, undefined, spec.nodeName) : undefined;
  const hostIP = nodeAddress(node);
  const podIP = spec.hostNetwork ? hostIP : `10.244.${200 + Math.floor(podIpCounter / 250)}.${(podIpCounter++ % 250) + 2}`;
  const now = state.clock.rfc3339();
  pod.status = {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: spec.nodeName ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now }],
    qosClass: 'BestEffort',
    ...(spec.nodeName ? { hostIP, hostIPs: hostIP ? [{ ip: hostIP }] : [], podIP, podIPs: podIP ? [{ ip: podIP }] : [], startTime: now } : {}),
  };
  if (spec.nodeName) {
    setCondition(pod, 'Initialized', true, now);
    setCondition(pod, 'Ready', false, now);
    setCondition(pod, 'ContainersReady', false, now);
  }
  const stored = state.store.create(state.podType, pod);
  state.createdPods.add(stored.metadata.uid!);
  if (spec.nodeName) {
    state.recordPodEvent(stored, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${stored.metadata.name} to ${spec.nodeName}`);
    runtime.startPod(stored);
  }
  return stored;
}

/** DELETE with a grace period: deletionTimestamp first (MODIFIED), removal after the (capped) grace. */
export function deletePod(state: SimState, runtime: ContainerRuntime, namespace: string, name: string, graceSeconds: number | undefined): KubeObject {
  const pod = state.getPod(namespace, name);
  const grace = graceSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  if (grace <= 0 || finished || !pod.spec?.nodeName) {
    runtime.stopPod(namespace, name);
    return state.store.delete(state.podType, namespace, name);
  }
  if (pod.metadata.deletionTimestamp) return pod;
  const updated = state.store.update(state.podType, namespace, name, (draft) => {
    draft.metadata.deletionTimestamp = state.clock.rfc3339(grace * 1000);
    draft.metadata.deletionGracePeriodSeconds = grace;
  });
  state.later(Math.min(grace * 1000, state.maxGraceMs), () => {
    runtime.stopPod(namespace, name);
    try {
      state.store.delete(state.podType, namespace, name);
    } catch {
      // already gone
    }
  });
  return updated;
}

/** node-not-ready: the node stops posting status; its pods lose readiness. */
export function applyNodeNotReady(pod: KubeObject | undefined, node: KubeObject | undefined, since: string): void {
  if (node) {
    node.status ??= {};
    const conditions: any[] = (node.status.conditions ??= []);
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = conditions.find((x) => x.type === type) ?? (conditions.push({ type }), conditions[conditions.length - 1]);
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = since;
      c.lastHeartbeatTime ??= since;
    }
    node.spec ??= {};
    const taints: any[] = (node.spec.taints ??= []);
    for (const effect of ['NoSchedule', 'NoExecute']) {
      if (!taints.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === effect)) taints.push({ key: 'node.kubernetes.io/unreachable', effect, timeAdded: since });
    }
  }
  if (pod) {
    pod.status ??= {};
    for (const cond of pod.status.conditions ?? []) {
      if (cond.type === 'Ready' || cond.type === 'ContainersReady') {
        cond.status = 'False';
        cond.lastTransitionTime = since;
      }
    }
    if (!(pod.status.conditions ?? []).some((c: any) => c.type === 'Ready')) setCondition(pod, 'Ready', false, since);
    for (const cs of pod.status.containerStatuses ?? []) cs.ready = false;
  }
}
