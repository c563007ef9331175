/**
 * Everything one simulator instance knows: the store, the resource registry, faults, the exec
 * backend and the container runtime, plus the helpers handlers share (authorization, container
 * lookup, tracked timers that stop with the server).
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../../model/cluster.js';
import type { ExecBackend, ExecTarget, World } from '../world.js';
import { Faults, type RequestAttributes } from './faults.js';
import { ApiFaults } from './api-faults.js';
import { builtinResources, ResourceRegistry, type ResourceType } from './resources.js';
import { ObjectStore } from './store.js';
import { badRequest, forbidden } from './status.js';
import { SimClock } from '../clock.js';

export interface ContainerRef {
  spec: any;
  kind: 'container' | 'init' | 'ephemeral';
}

export interface SimStateOptions {
  world: World;
  backend: ExecBackend;
  /** Bearer token the kubeconfig carries; requests without it get 401. */
  token?: string;
  /** User name shown in Forbidden messages. */
  user?: string;
  /** Upper bound for deletion grace periods, so created pods vanish quickly in tests. */
  maxGraceMs?: number;
}

/** Distroless MetalLB images (speaker/controller ≥ v0.14.6) have no shell or tools. */
export function isDistrolessImage(image: string): boolean {
  const m = /metallb\/(speaker|controller)(?::v?(\d+)\.(\d+)\.(\d+))?(?:@.*)?$/.exec(image);
  if (!m) return false;
  if (m[2] === undefined) return true; // untagged / main builds are distroless today
  const [major, minor, patch] = [Number(m[2]), Number(m[3]), Number(m[4])];
  return major > 0 || minor > 14 || (minor === 14 && patch >= 6);
}

export class SimState {
  readonly store: ObjectStore;
  readonly clock: SimClock;
  readonly registry: ResourceRegistry;
  readonly faults: Faults;
  /** Throttling, outages, resets, expiring watches, unreachable kubelets, Pod Security (api-faults.ts). */
  readonly apiFaults: ApiFaults;
  readonly world: World;
  readonly backend: ExecBackend;
  readonly token: string;
  readonly user: string;
  readonly maxGraceMs: number;
  readonly podType: ResourceType;
  readonly nodeType: ResourceType;
  readonly eventType: ResourceType;
  /** UIDs of pods created through the API (node debug pods and the like). */
  readonly createdPods = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly stopController = new AbortController();
  private eventCounter = 0;

  constructor(opts: SimStateOptions) {
    this.world = opts.world;
    this.clock = opts.world.clock ?? new SimClock();
    this.store = new ObjectStore({ clock: this.clock });
    this.backend = opts.backend;
    this.token = opts.token ?? randomBytes(24).toString('hex');
    this.user = opts.user ?? 'mlb-report-sim-user';
    this.maxGraceMs = opts.maxGraceMs ?? 1000;
    this.faults = new Faults(opts.world.faults ?? [], opts.world.latency);
    this.apiFaults = new ApiFaults(opts.world.faults ?? []);
    this.registry = new ResourceRegistry(builtinResources, this.faults.ephemeralUnsupported ? new Set(['ephemeralcontainers']) : new Set());
    this.podType = this.registry.lookup('', 'v1', 'pods')!;
    this.nodeType = this.registry.lookup('', 'v1', 'nodes')!;
    this.eventType = this.registry.lookup('', 'v1', 'events')!;
    // Every container, stream and watch listens for the stop: thousands in a big world.
    setMaxListeners(0, this.stopController.signal);
  }

  private requestTotal = 0;
  private streamTotal = 0;
  /** Requests per second, keyed by `Math.floor(performance.now() / 1000)`. */
  private readonly requestsPerSecond = new Map<number, number>();
  /** Of those, streams (exec, attach, log, pod proxy): what a real API server does not rate-limit. */
  private readonly streamsPerSecond = new Map<number, number>();

  /** Commands run by exec, by program (`sh`, `touch`…), for tests and benchmarks. */
  readonly execsByProgram = new Map<string, number>();
  /** Execs by container (`namespace/pod/container`), for tests and benchmarks. */
  readonly execsByContainer = new Map<string, number>();

  /** Counts one API request (HTTP or stream upgrade), for benchmarks. */
  countRequest(stream = false): void {
    this.requestTotal++;
    const second = Math.floor(performance.now() / 1000);
    this.requestsPerSecond.set(second, (this.requestsPerSecond.get(second) ?? 0) + 1);
    if (stream) {
      this.streamTotal++;
      this.streamsPerSecond.set(second, (this.streamsPerSecond.get(second) ?? 0) + 1);
    }
  }

  /**
   * Requests served so far (`total`) and the busiest second at or after `sinceMs`
   * (a `performance.now()` value), for benchmarks comparing API load; `streams` and
   * `maxStreamsPerSecond` count exec/attach/log/proxy streams, `maxLimitedPerSecond` the busiest
   * second of everything else (what API Priority and Fairness budgets).
   */
  requestStats(sinceMs = 0): { total: number; maxPerSecond: number; streams: number; maxStreamsPerSecond: number; maxLimitedPerSecond: number } {
    const from = Math.floor(sinceMs / 1000);
    let maxPerSecond = 0;
    let maxStreamsPerSecond = 0;
    let maxLimitedPerSecond = 0;
    for (const [second, count] of this.requestsPerSecond) {
      if (second < from) continue;
      const streams = this.streamsPerSecond.get(second) ?? 0;
      maxPerSecond = Math.max(maxPerSecond, count);
      maxStreamsPerSecond = Math.max(maxStreamsPerSecond, streams);
      maxLimitedPerSecond = Math.max(maxLimitedPerSecond, count - streams);
    }
    return { total: this.requestTotal, maxPerSecond, streams: this.streamTotal, maxStreamsPerSecond, maxLimitedPerSecond };
  }

  /** Aborted when the server stops: every process, watch and timer listens to it. */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  /** setTimeout that is cleared when the server stops. */
  later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  stop(): void {
    this.stopController.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Throws the real RBAC 403 when an rbac-deny fault matches. */
  authorize(attrs: RequestAttributes): void {
    if (!this.faults.denies(attrs)) return;
    const resourceText = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
    throw forbidden(attrs.resource, attrs.name, attrs.group, `User "${this.user}" cannot ${attrs.verb} resource "${resourceText}" in API group "${attrs.group}" ${scope}`);
  }

  getPod(namespace: string, name: string): KubeObject {
    return this.store.mustGet(this.podType, namespace, name);
  }

  findContainer(pod: KubeObject, name: string): ContainerRef | undefined {
    const spec = pod.spec ?? {};
    const c = (spec.containers ?? []).find((x: any) => x.name === name);
    if (c) return { spec: c, kind: 'container' };
    const i = (spec.initContainers ?? []).find((x: any) => x.name === name);
    if (i) return { spec: i, kind: 'init' };
    const e = (spec.ephemeralContainers ?? []).find((x: any) => x.name === name);
    if (e) return { spec: e, kind: 'ephemeral' };
    return undefined;
  }

  /**
   * Container resolution shared by exec, attach and logs (apiserver `validateContainer`):
   * an explicit name must exist; no name picks the only container or fails listing them all.
   */
  resolveContainer(pod: KubeObject, requested: string | null): ContainerRef {
    const podName = pod.metadata.name;
    if (requested) {
      const found = this.findContainer(pod, requested);
      if (!found) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
      return found;
    }
    const spec = pod.spec ?? {};
    const regular: any[] = spec.containers ?? [];
    if (regular.length === 1) return { spec: regular[0], kind: 'container' };
    const all = [...(spec.initContainers ?? []), ...regular, ...(spec.ephemeralContainers ?? [])].map((c: any) => c.name);
    if (all.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${all.join(' ')}]`);
  }

  /** What the backend needs to know to run a command in a container. */
  execTarget(pod: KubeObject, ref: ContainerRef): ExecTarget {
    const created = this.createdPods.has(pod.metadata.uid ?? '');
    const kind: ExecTarget['kind'] = ref.kind === 'ephemeral' ? 'ephemeral' : created ? 'debug-pod' : 'container';
    const image: string = ref.spec.image ?? '';
    return {
      namespace: pod.metadata.namespace ?? 'default',
      pod: pod.metadata.name,
      container: ref.spec.name,
      node: pod.spec?.nodeName ?? '',
      image,
      kind,
      distroless: kind === 'container' && isDistrolessImage(image),
      hostNetwork: Boolean(pod.spec?.hostNetwork),
    };
  }

  /** Records a core/v1 Event about a pod (what `kubectl describe` shows). */
  recordPodEvent(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const now = this.clock.rfc3339();
    const ns = pod.metadata.namespace ?? 'default';
    const name = `${pod.metadata.name}.${(this.clock.nowMs() * 1000 + this.eventCounter++).toString(16)}`;
    try {
      this.store.create(this.eventType, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Pod',
          name: pod.metadata.name,
          namespace: ns,
          uid: pod.metadata.uid,
          resourceVersion: pod.metadata.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        source: { component: 'kubelet', host: pod.spec?.nodeName },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        reportingComponent: 'kubelet',
        reportingInstance: pod.spec?.nodeName ?? '',
      });
    } catch {
      // An event name collision is harmless: events are best effort, as on a real cluster.
    }
  }
}
