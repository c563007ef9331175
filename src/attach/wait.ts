/**
 * Waits for a container to run by watching (not polling). `PodWatcher` serves every wait of a run
 * in one namespace from a single watch, so attaching to N nodes costs one watch, not N.
 */
import * as k8s from '@kubernetes/client-node';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.js';
import { whenAborted } from '../util/abort.js';
import { backoffMs, connectionFailure, retryableStatus, type Retryable } from '../kube/retry.js';

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

interface Waiter {
  container: string;
  kind: 'ephemeral' | 'regular';
  settle: (o: WaitOutcome) => void;
}

/**
 * What the watch keeps of a pod: what waits, final states and the DaemonSet's lookup read (name,
 * version, labels, node, phase, container states). A MetalLB speaker's full object (seven
 * containers, their mounts and statuses) is tens of kilobytes in memory; at thousands of nodes the
 * watch's copies were a large share of the run's heap.
 */
export function slimPod(pod: V1Pod): V1Pod {
  const m = pod.metadata ?? {};
  const st = pod.status ?? {};
  const states = (list: V1ContainerStatus[] | undefined): V1ContainerStatus[] | undefined =>
    list?.map((c) => ({ name: c.name, state: c.state, ready: c.ready, started: c.started, restartCount: c.restartCount, image: c.image, imageID: c.imageID }));
  return {
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, labels: m.labels, deletionTimestamp: m.deletionTimestamp },
    spec: { nodeName: pod.spec?.nodeName, containers: [] },
    status: {
      phase: st.phase,
      reason: st.reason,
      message: st.message,
      containerStatuses: states(st.containerStatuses),
      initContainerStatuses: states(st.initContainerStatuses),
      ephemeralContainerStatuses: states(st.ephemeralContainerStatuses),
    },
  };
}

function newerPod(a: V1Pod | undefined, b: V1Pod | undefined): V1Pod | undefined {
  if (!a || !b) return a ?? b;
  const ra = Number(a.metadata?.resourceVersion);
  const rb = Number(b.metadata?.resourceVersion);
  if (Number.isFinite(ra) && Number.isFinite(rb)) return rb > ra ? b : a;
  return a;
}

/**
 * One watch on a namespace's pods for every wait of a run. It starts without a resourceVersion,
 * so the server first sends the current state of every pod ("get state and start at most
 * recent") and then each change: a pod patched before the watch began is seen as it is, later
 * changes as they happen. When the stream ends (timeout, 410 Gone, connection loss) it starts
 * again the same way. The latest state of each pod is kept (slimPod), so a wait registered after its pod's
 * event was seen is answered at once.
 */
export class PodWatcher {
  private readonly latest = new Map<string, V1Pod>();
  private readonly deleted = new Set<string>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private controller: AbortController | undefined;
  private running = false;
  private closed = false;
  /** A watch stream is open and has delivered the namespace's state. */
  private streaming = false;

  constructor(
    private readonly kube: Kube,
    readonly namespace: string,
  ) {}

  wait(podName: string, container: string, kind: 'ephemeral' | 'regular', timeoutMs: number, initial?: V1Pod): Promise<WaitOutcome> {
    if (initial) this.latest.set(podName, newerPod(this.latest.get(podName), slimPod(initial))!);
    const known = this.latest.get(podName);
    const first = known ? judge(known, container, kind) : undefined;
    if (first) return Promise.resolve(first);
    if (this.deleted.has(podName) && !initial) return Promise.resolve({ state: 'deleted', reason: `pod ${podName} was deleted` });
    return new Promise<WaitOutcome>((resolve) => {
      let lastWaiting = known ? containerStatus(known, container, kind)?.state?.waiting?.reason : undefined;
      let stopListening = (): void => undefined;
      const waiter: Waiter = {
        container,
        kind,
        settle: (o) => {
          clearTimeout(timer);
          stopListening();
          this.waiters.get(podName)?.delete(waiter);
          resolve(o);
        },
      };
      const timer = setTimeout(() => {
        const p = this.latest.get(podName);
        lastWaiting = (p && containerStatus(p, container, kind)?.state?.waiting?.reason) ?? lastWaiting;
        waiter.settle({ state: 'timeout', reason: `container not running after ${Math.round(timeoutMs / 1000)} s${lastWaiting ? ` (waiting: ${lastWaiting})` : ''}` });
      }, timeoutMs);
      const onAbort = (): void => waiter.settle({ state: 'failed', reason: 'interrupted' });
      if (this.kube.signal.aborted) return onAbort();
      stopListening = whenAborted(this.kube.signal, onAbort);
      if (!this.waiters.has(podName)) this.waiters.set(podName, new Set());
      this.waiters.get(podName)!.add(waiter);
      this.ensureWatching();
    });
  }

  /**
   * What the watch knows of a pod: its latest object, 'deleted', or undefined when it cannot tell
   * (the watch is not streaming right now, so it may have missed a change).
   */
  knownState(podName: string): V1Pod | 'deleted' | undefined {
    if (!this.streaming) return undefined;
    if (this.deleted.has(podName)) return 'deleted';
    return this.latest.get(podName);
  }

  /**
   * The latest pods the watch has seen that `match`: pods a controller names (the debug
   * DaemonSet's), found by label instead of by name. Starts the watch if it is not running.
   */
  podsMatching(match: (pod: V1Pod) => boolean): V1Pod[] {
    this.ensureWatching();
    return [...this.latest.values()].filter(match);
  }

  close(): void {
    this.closed = true;
    this.streaming = false;
    this.controller?.abort();
  }

  private ensureWatching(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    // Consecutive failed starts (429, 5xx, a reset): each waits longer, as any retried request does.
    let failures = 0;
    while (!this.closed && !this.kube.signal.aborted) {
      const started = Date.now();
      let failed: Retryable | undefined;
      await new Promise<void>((done) => {
        let finished = false;
        const end = (err?: unknown): void => {
          if (finished) return;
          finished = true;
          this.streaming = false;
          const code = (err as { statusCode?: unknown } | undefined)?.statusCode;
          failed = typeof code === 'number' ? retryableStatus(code) ?? { cause: `watch ${code}`, maxAttempts: Infinity } : err && connectionFailure(err) ? { cause: connectionFailure(err)!, maxAttempts: Infinity } : undefined;
          done();
        };
        // First in the queue: hundreds of attach patches may be waiting for tokens, and every
        // one of their waits needs this watch.
        this.kube
          .admit(true)
          .then(() =>
            new k8s.Watch(this.kube.kc).watch(
              `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`,
              { allowWatchBookmarks: true },
              (type: string, obj: V1Pod) => this.onEvent(type, obj),
              (err: unknown) => end(err),
            ),
          )
          .then((c) => {
            this.controller = c;
            if (this.closed || finished) c.abort();
          })
          .catch((err: unknown) => end(err));
      });
      if (this.closed) break;
      if (failed) {
        failures++;
        this.kube.retries.scope({ node: undefined, step: 'attach.watch' }, () => this.kube.retries.record(failed!.cause));
        // A watch error carries no Retry-After: back off as for any retried request (429 from 1 s).
        const wait = Math.max(failed.cause.startsWith('429') ? 1000 : 0, backoffMs(failures, failed));
        await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, this.kube.retryOptions.deadline ? this.kube.retryOptions.deadline - Date.now() : wait))));
        continue;
      }
      failures = 0;
      // A server that ends watches at once must not turn this into a busy loop.
      const elapsed = Date.now() - started;
      if (elapsed < 250) await new Promise((r) => setTimeout(r, 250 - elapsed));
    }
    this.running = false;
  }

  private onEvent(type: string, obj: V1Pod): void {
    if (type === 'ERROR') {
      // 410 Expired: the server no longer holds our position; the next start re-lists (no resourceVersion).
      const code = (obj as { code?: unknown }).code;
      this.kube.retries.scope({ node: undefined, step: 'attach.watch' }, () => this.kube.retries.record(code === 410 ? '410 watch expired (re-list)' : `watch error ${String(code ?? '')}`.trim()));
      return;
    }
    this.streaming = true;
    if (type === 'BOOKMARK') return;
    const name = obj.metadata?.name;
    if (!name) return;
    if (type === 'DELETED') {
      this.latest.delete(name);
      this.deleted.add(name);
      for (const w of [...(this.waiters.get(name) ?? [])]) w.settle({ state: 'deleted', reason: `pod ${name} was deleted` });
      return;
    }
    this.deleted.delete(name);
    const pod = newerPod(this.latest.get(name), slimPod(obj))!;
    this.latest.set(name, pod);
    for (const w of [...(this.waiters.get(name) ?? [])]) {
      const verdict = judge(pod, w.container, w.kind);
      if (verdict) w.settle(verdict);
    }
  }
}
