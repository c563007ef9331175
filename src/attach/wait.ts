/**
 * Waits for a container to run by watching its pod (not polling): GET the pod, then watch with
 * `fieldSelector=metadata.name=<pod>` from its resourceVersion, re-checking on every event and
 * re-watching when the stream ends, until running, failed, deleted or the deadline.
 */
import * as k8s from '@kubernetes/client-node';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../collect/kube.js';
import { apiError } from '../collect/kube.js';

export type WaitOutcome =
  | { state: 'running'; pod: V1Pod }
  | { state: 'terminated'; pod: V1Pod; reason: string }
  | { state: 'failed'; reason: string; pod?: V1Pod }
  | { state: 'timeout'; reason: string }
  | { state: 'deleted'; reason: string };

/** Waiting reasons that will not resolve by themselves within a collection run. */
const fatalWaitingReasons = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export function containerStatus(pod: V1Pod, container: string, kind: 'ephemeral' | 'regular'): V1ContainerStatus | undefined {
  const list = kind === 'ephemeral' ? pod.status?.ephemeralContainerStatuses : pod.status?.containerStatuses;
  return list?.find((s) => s.name === container);
}

function judge(pod: V1Pod, container: string, kind: 'ephemeral' | 'regular'): WaitOutcome | undefined {
  const s = containerStatus(pod, container, kind);
  if (kind === 'regular' && (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')) {
    return { state: 'failed', reason: `pod ended (phase ${pod.status.phase})`, pod };
  }
  if (!s) return undefined;
  if (s.state?.running) return { state: 'running', pod };
  if (s.state?.terminated) {
    const t = s.state.terminated;
    return { state: 'terminated', pod, reason: `container exited (${t.reason ?? 'terminated'}, exit code ${t.exitCode})` };
  }
  const w = s.state?.waiting;
  if (w?.reason && fatalWaitingReasons.has(w.reason)) {
    return { state: 'failed', reason: `${w.reason}${w.message ? `: ${w.message}` : ''}`, pod };
  }
  return undefined;
}

export async function waitForContainer(kube: Kube, namespace: string, podName: string, container: string, kind: 'ephemeral' | 'regular', timeoutMs: number, initial?: V1Pod): Promise<WaitOutcome> {
  const deadline = Date.now() + timeoutMs;
  let pod = initial;
  if (!pod) {
    try {
      pod = await kube.core.readNamespacedPod({ name: podName, namespace });
    } catch (e) {
      const info = apiError(e);
      return info.code === 404 ? { state: 'deleted', reason: `pod ${podName} was deleted` } : { state: 'failed', reason: info.message };
    }
  }
  const first = judge(pod, container, kind);
  if (first) return first;
  let resourceVersion = pod.metadata?.resourceVersion;
  let lastWaiting = containerStatus(pod, container, kind)?.state?.waiting?.reason;

  while (Date.now() < deadline) {
    if (kube.signal.aborted) return { state: 'failed', reason: 'interrupted' };
    const watchStarted = Date.now();
    const outcome = await new Promise<WaitOutcome | 'rewatch'>((resolve) => {
      let controller: AbortController | undefined;
      let settled = false;
      const settle = (v: WaitOutcome | 'rewatch'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        kube.signal.removeEventListener('abort', onAbort);
        controller?.abort();
        resolve(v);
      };
      const timer = setTimeout(() => settle({ state: 'timeout', reason: `container not running after ${Math.round(timeoutMs / 1000)} s${lastWaiting ? ` (waiting: ${lastWaiting})` : ''}` }), Math.max(0, deadline - Date.now()));
      const onAbort = (): void => settle({ state: 'failed', reason: 'interrupted' });
      kube.signal.addEventListener('abort', onAbort, { once: true });
      kube
        .admit()
        .then(() =>
          new k8s.Watch(kube.kc).watch(
            `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
            { fieldSelector: `metadata.name=${podName}`, resourceVersion, allowWatchBookmarks: true },
            (type: string, obj: V1Pod & { code?: number }) => {
              if (type === 'BOOKMARK') {
                resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
                return;
              }
              if (type === 'ERROR') {
                // 410 Expired: start again from a fresh GET.
                resourceVersion = undefined;
                settle('rewatch');
                return;
              }
              if (type === 'DELETED') {
                settle({ state: 'deleted', reason: `pod ${podName} was deleted` });
                return;
              }
              resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
              lastWaiting = containerStatus(obj, container, kind)?.state?.waiting?.reason ?? lastWaiting;
              const verdict = judge(obj, container, kind);
              if (verdict) settle(verdict);
            },
            () => settle('rewatch'),
          ),
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch(() => settle('rewatch'));
    });
    if (outcome !== 'rewatch') return outcome;
    // A server that ends watches at once must not turn this into a busy loop.
    const elapsed = Date.now() - watchStarted;
    if (elapsed < 250) await new Promise((r) => setTimeout(r, Math.min(250 - elapsed, Math.max(0, deadline - Date.now()))));
    // Stream ended or errored: re-read the pod (also catches changes between watches), then watch again.
    try {
      pod = await kube.core.readNamespacedPod({ name: podName, namespace });
    } catch (e) {
      const info = apiError(e);
      if (info.code === 404) return { state: 'deleted', reason: `pod ${podName} was deleted` };
      if (kube.signal.aborted) return { state: 'failed', reason: 'interrupted' };
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
      continue;
    }
    const verdict = judge(pod, container, kind);
    if (verdict) return verdict;
    resourceVersion = pod.metadata?.resourceVersion;
  }
  return { state: 'timeout', reason: `container not running after ${Math.round(timeoutMs / 1000)} s${lastWaiting ? ` (waiting: ${lastWaiting})` : ''}` };
}
