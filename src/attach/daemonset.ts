/**
 * `--strategy daemonset`: one privileged hostNetwork, hostPID DaemonSet of debug pods, limited to
 * the collected nodes by a required node affinity on their names and tolerating every taint. One
 * create and one delete per run whatever the node count; its pods are found by the run's label in
 * the run's pod watch of the namespace (no request per node, no list) and each node's pod is then
 * waited for like a node debug pod. It carries the owner label and an expiry annotation, so `mlb-report cleanup` finds it
 * when the run could not delete it (a killed process).
 */
import * as k8s from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import type { AddedContainer } from '../model/bundle.js';
import { apiError, type Kube } from '../kube/client.js';
import { nodePodContainer, nodePodContainerSpec, type AttachResult } from './index.js';
import { ownerMetadata, runLabel } from './owner.js';
import type { PodWatcher } from './wait.js';

export interface DaemonSetOptions {
  namespace: string;
  runId: string;
  image: string;
  nodes: string[];
  lifetimeSeconds: number;
}

export function debugDaemonSetName(runId: string): string {
  return `mlb-report-${runId}`;
}

export function debugDaemonSetSpec(o: DaemonSetOptions): k8s.V1DaemonSet {
  const owner = ownerMetadata(o.runId, o.lifetimeSeconds);
  const selector = { [runLabel]: o.runId };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: debugDaemonSetName(o.runId), namespace: o.namespace, ...owner },
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: owner.labels, annotations: owner.annotations },
        spec: {
          hostNetwork: true,
          hostPID: true,
          terminationGracePeriodSeconds: 0,
          tolerations: [{ operator: 'Exists' }],
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: o.nodes }] }] } },
          },
          // A DaemonSet restarts its pods; the sleep outlives the run, and the delete ends it.
          containers: [nodePodContainerSpec(o.image, o.lifetimeSeconds)],
        },
      },
    },
  };
}

/** How often the watch's pods are scanned for the pods of nodes still waiting (no request). */
const scanMs = 100;

/** The run's debug DaemonSet: created once, its pods found by label, deleted once. */
export class DebugDaemonSet {
  private created: Promise<string | undefined> | undefined;
  /** Pod name by node, from the label-selected lists. */
  private readonly podByNode = new Map<string, V1Pod>();
  private scanning: Promise<void> | undefined;
  /** Nodes waiting for their pod, each with the call that wakes it (pod seen, stop, timeout). */
  private readonly waiting = new Map<string, () => void>();
  private stopped = false;
  /** Whether the create was sent (the cleanup then deletes). */
  requested = false;
  deleted = false;

  constructor(
    private readonly kube: Kube,
    readonly options: DaemonSetOptions,
  ) {}

  get name(): string {
    return debugDaemonSetName(this.options.runId);
  }

  /** Creates the DaemonSet once; undefined when it exists, else why not. */
  ensure(): Promise<string | undefined> {
    return (this.created ??= this.create());
  }

  private async create(): Promise<string | undefined> {
    const apps = this.kube.kc.makeApiClient(k8s.AppsV1Api);
    const { namespace } = this.options;
    try {
      await this.kube.admit(true);
      this.requested = true;
      await apps.createNamespacedDaemonSet({ namespace, body: debugDaemonSetSpec(this.options) });
      return undefined;
    } catch (e) {
      const info = apiError(e);
      if (info.code === 409) return undefined; // a retried create found the one its first attempt made
      // The server refused it: nothing to delete. (Without an answer it may exist: cleanup deletes.)
      if (info.code !== undefined) this.requested = false;
      if (info.code === 403) {
        return `forbidden to create daemonsets (apps) in ${namespace}: ${info.message}; grant create and delete on daemonsets in ${namespace}, or rerun with --strategy node-pod or --strategy ephemeral`;
      }
      return `debug DaemonSet not created: ${info.message}`;
    }
  }

  /** Scans the watch's pods for the run's, while some node still waits for its pod. */
  private scan(watcher: PodWatcher): Promise<void> {
    return (this.scanning ??= (async () => {
      const mine = (p: V1Pod): boolean => p.metadata?.labels?.[runLabel] === this.options.runId && !p.metadata?.deletionTimestamp;
      while (!this.stopped && this.waiting.size > 0 && !this.kube.signal.aborted) {
        for (const pod of watcher.podsMatching(mine)) {
          const node = pod.spec?.nodeName;
          if (node) this.podByNode.set(node, pod);
        }
        for (const [node, wake] of this.waiting) if (this.podByNode.has(node)) wake();
        if (this.waiting.size === 0) break;
        await new Promise((r) => setTimeout(r, scanMs));
      }
      this.scanning = undefined;
      // Stopped or interrupted: nobody is left waiting for a pod that will not come.
      for (const wake of this.waiting.values()) wake();
    })());
  }

  /** The node's debug pod once its container runs, or why not within `timeoutMs`. */
  async attach(node: string, timeoutMs: number, watcher: PodWatcher): Promise<AttachResult> {
    const started = Date.now();
    const elapsed = (): number => Date.now() - started;
    const refused = await this.ensure();
    if (refused) return { ok: false, reason: refused, code: refused.startsWith('forbidden') ? 403 : undefined, durationMs: elapsed() };
    // One scan loop serves every node; each node sleeps until it wakes it. (Each node polling the
    // loop with Promise.race pinned a reaction per node and tick on the loop's promise: gigabytes
    // at 5000 nodes.)
    if (!this.podByNode.has(node) && !this.stopped && !this.kube.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => wake(), Math.max(0, timeoutMs - elapsed()));
        const wake = (): void => {
          clearTimeout(timer);
          this.waiting.delete(node);
          resolve();
        };
        this.waiting.set(node, wake);
        void this.scan(watcher);
      });
    }
    const pod = this.podByNode.get(node);
    if (!pod) {
      const why = await (this.refusedPods ??= this.failedCreate());
      const base = `the debug DaemonSet ${this.options.namespace}/${this.name} had no pod on this node after ${Math.round(elapsed() / 1000)} s`;
      return { ok: false, reason: why ? `${base}: ${why}` : base, durationMs: elapsed() };
    }
    const name = pod.metadata!.name!;
    const added: AddedContainer = { namespace: this.options.namespace, pod: name, container: nodePodContainer, image: this.options.image, kind: 'pod', finalState: 'running' };
    const waited = await watcher.wait(name, nodePodContainer, 'regular', Math.max(1000, timeoutMs - elapsed()), pod);
    if (waited.state === 'running') return { ok: true, target: { namespace: this.options.namespace, pod: name, container: nodePodContainer }, added, durationMs: elapsed() };
    return { ok: false, reason: waited.reason, durationMs: elapsed() };
  }

  private refusedPods: Promise<string | undefined> | undefined;

  /**
   * Why the DaemonSet controller could not create pods (its FailedCreate event: a Pod Security level
   * that refuses privileged pods, a quota), asked once per run by the first node left without a pod.
   */
  private async failedCreate(): Promise<string | undefined> {
    const { namespace } = this.options;
    try {
      await this.kube.admit();
      const events = await this.kube.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=DaemonSet,involvedObject.name=${this.name},reason=FailedCreate` });
      const last = events.items.sort((a, b) => String(a.lastTimestamp ?? '').localeCompare(String(b.lastTimestamp ?? ''))).pop();
      if (!last?.message) return undefined;
      const podSecurity = /violates PodSecurity/.test(last.message);
      return `${last.message}${podSecurity ? `; label the namespace privileged, or rerun with --debug-namespace <a namespace whose pod-security.kubernetes.io/enforce is privileged>` : ''}`;
    } catch {
      return undefined;
    }
  }

  /** Deletes the DaemonSet (its pods go with it: Background propagation); NotFound counts as deleted. */
  async remove(kube: Kube): Promise<string | undefined> {
    this.stopped = true;
    if (!this.requested || this.deleted) return undefined;
    try {
      await kube.kc.makeApiClient(k8s.AppsV1Api).deleteNamespacedDaemonSet({ name: this.name, namespace: this.options.namespace, propagationPolicy: 'Background' });
      this.deleted = true;
      return undefined;
    } catch (e) {
      const info = apiError(e);
      if (info.code === 404) {
        this.deleted = true;
        return undefined;
      }
      return `debug DaemonSet ${this.options.namespace}/${this.name} not deleted: ${info.message}; run mlb-report cleanup`;
    }
  }
}
