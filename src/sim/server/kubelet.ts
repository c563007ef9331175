/**
 * A kubelet in miniature for containers the simulator starts itself: ephemeral debug containers
 * and pods created through the API (node debug pods). It publishes the real status progression
 * (ContainerCreating → running → terminated, or ErrImagePull → ImagePullBackOff), runs each
 * container's main process through the ExecBackend, and keeps its output as the container log
 * and attach stream.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { KubeObject } from '../../model/cluster.js';
import type { ExecResult, ExecTarget } from '../world.js';
import type { SimState } from './state.js';
import type { SimClock } from '../clock.js';
import { AsyncQueue, shellWords, sleep } from './stream-util.js';

export interface LogLine {
  ts: string;
  text: string;
}

type ChunkListener = (stream: 1 | 2, chunk: Buffer) => void;

/** A process the runtime started: main process of an ephemeral container or created pod container. */
export class ContainerProcess {
  readonly lines: LogLine[] = [];
  private partial = '';
  private readonly chunkListeners = new Set<ChunkListener>();
  private readonly lineListeners = new Set<(line: LogLine) => void>();
  private readonly exitListeners = new Set<(r: ExecResult) => void>();
  readonly stdin: AsyncQueue<Buffer> | null;
  readonly abort = new AbortController();
  result: ExecResult | undefined;
  private attached = false;
  private releaseGate: (() => void) | undefined;
  /** Resolves on the first attach (or a timeout): interactive containers wait so no output is lost. */
  readonly attachGate: Promise<void>;

  constructor(
    readonly namespace: string,
    readonly pod: string,
    readonly container: string,
    withStdin: boolean,
    private readonly clock: SimClock,
  ) {
    this.stdin = withStdin ? new AsyncQueue<Buffer>() : null;
    this.attachGate = new Promise((resolve) => (this.releaseGate = resolve));
  }

  get finished(): boolean {
    return this.result !== undefined;
  }

  write(stream: 1 | 2, chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (buf.length === 0) return;
    for (const l of this.chunkListeners) l(stream, buf);
    const text = this.partial + buf.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.emitLine(p);
  }

  private emitLine(text: string): void {
    const line = { ts: this.clock.rfc3339Nano(), text };
    this.lines.push(line);
    for (const l of this.lineListeners) l(line);
  }

  finish(result: ExecResult): void {
    if (this.result) return;
    if (this.partial) {
      this.emitLine(this.partial);
      this.partial = '';
    }
    this.result = result;
    this.stdin?.end();
    this.releaseGate?.();
    for (const l of this.exitListeners) l(result);
    this.chunkListeners.clear();
    this.lineListeners.clear();
    this.exitListeners.clear();
  }

  /** Subscribes an attach client; the first one releases the start gate. */
  attach(onChunk: ChunkListener, onExit: (r: ExecResult) => void): () => void {
    this.chunkListeners.add(onChunk);
    this.exitListeners.add(onExit);
    if (!this.attached) {
      this.attached = true;
      this.releaseGate?.();
    }
    return () => {
      this.chunkListeners.delete(onChunk);
      this.exitListeners.delete(onExit);
    };
  }

  followLines(onLine: (line: LogLine) => void, onExit: () => void): () => void {
    this.lineListeners.add(onLine);
    this.exitListeners.add(onExit);
    return () => {
      this.lineListeners.delete(onLine);
      this.exitListeners.delete(onExit);
    };
  }

  releaseAttachGate(): void {
    this.releaseGate?.();
  }
}

/** `docker.io/library/busybox:latest` for `busybox`, as the container runtime reports images. */
export function normalizeImage(image: string): string {
  let ref = image;
  const firstSlash = ref.indexOf('/');
  const domain = firstSlash < 0 ? '' : ref.slice(0, firstSlash);
  if (firstSlash < 0) ref = `docker.io/library/${ref}`;
  else if (!domain.includes('.') && !domain.includes(':') && domain !== 'localhost') ref = `docker.io/${ref}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !ref.includes('@')) ref += ':latest';
  return ref;
}

function imageId(image: string): string {
  const repo = normalizeImage(image).replace(/:[^/:@]+$/, '');
  return `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/**
 * A container lifecycle can only fail when its pod vanished or the server stopped mid-way;
 * neither must crash the process hosting the simulator.
 */
function ignoreStopped(): void {}

const containerId = (): string => `containerd://${randomBytes(32).toString('hex')}`;

/** How long an interactive (`stdin: true`) container waits for its first attach before running anyway. */
const attachWaitMs = 1500;
const idleLoop = /^i=0; while \[ \$i -lt (\d+) \] && \[ ! -e (\S+) \]; do sleep 1; i=\$\(\(i\+1\)\); done$/;

export class ContainerRuntime {
  private readonly processes = new Map<string, ContainerProcess>();
  /** Images already pulled per node (the first pull costs latency.imagePullMs). */
  private readonly pulled = new Map<string, Set<string>>();

  constructor(private readonly state: SimState) {}

  process(namespace: string, pod: string, container: string): ContainerProcess | undefined {
    return this.processes.get(`${namespace}/${pod}/${container}`);
  }

  private readonly podStopListeners = new Set<(namespace: string, pod: string) => void>();

  /** Called when a pod's containers are killed (exec streams into it end then). */
  onPodStopped(listener: (namespace: string, pod: string) => void): () => void {
    this.podStopListeners.add(listener);
    return () => this.podStopListeners.delete(listener);
  }

  /** Stops every process of a pod (deleted pod). */
  stopPod(namespace: string, pod: string): void {
    for (const l of this.podStopListeners) l(namespace, pod);
    for (const [key, p] of this.processes) {
      if (key.startsWith(`${namespace}/${pod}/`)) {
        p.abort.abort();
        p.finish({ exitCode: 137 });
      }
    }
  }

  stopAll(): void {
    for (const p of this.processes.values()) {
      p.abort.abort();
      p.finish({ exitCode: 137 });
    }
  }

  private updatePod(namespace: string, name: string, change: (pod: KubeObject) => void): KubeObject | undefined {
    try {
      return this.state.store.update(this.state.podType, namespace, name, change);
    } catch {
      return undefined; // the pod was deleted meanwhile
    }
  }

  private setEphemeralStatus(namespace: string, pod: string, status: any): KubeObject | undefined {
    return this.updatePod(namespace, pod, (draft) => {
      draft.status ??= {};
      const list: any[] = (draft.status.ephemeralContainerStatuses ??= []);
      const i = list.findIndex((s) => s.name === status.name);
      if (i >= 0) list[i] = status;
      else list.push(status);
    });
  }

  private setContainerStatus(namespace: string, pod: string, status: any, phase?: string): KubeObject | undefined {
    return this.updatePod(namespace, pod, (draft) => {
      draft.status ??= {};
      const list: any[] = (draft.status.containerStatuses ??= []);
      const i = list.findIndex((s) => s.name === status.name);
      if (i >= 0) list[i] = status;
      else list.push(status);
      if (phase) draft.status.phase = phase;
      const allReady = list.length > 0 && list.every((s) => s.ready);
      const now = this.state.clock.rfc3339();
      setCondition(draft, 'Ready', allReady, now);
      setCondition(draft, 'ContainersReady', allReady, now);
    });
  }

  /**
   * Runs the start sequence of a container and returns when it is running (or stuck). `publish`
   * writes its status entry into the pod.
   */
  private async startContainer(
    pod: KubeObject,
    spec: any,
    publish: (status: any) => KubeObject | undefined,
    fieldPath: string,
  ): Promise<{ started: boolean; startedAt?: string; containerID?: string }> {
    const node: string = pod.spec?.nodeName ?? '';
    const image: string = spec.image ?? '';
    const base = { name: spec.name, lastState: {}, ready: false, restartCount: 0, image: normalizeImage(image), imageID: '', started: false };
    const signal = this.state.stopSignal;
    await sleep(20, signal);
    if (!publish({ ...base, state: { waiting: { reason: 'ContainerCreating' } } })) return { started: false };
    // An unresponsive node never reports anything else.
    if (this.state.faults.nodeUnresponsive(node)) return { started: false };
    const nodeImages = this.pulled.get(node) ?? new Set<string>((this.state.world.latency?.presentImages ?? []).map(normalizeImage));
    this.pulled.set(node, nodeImages);
    const needsPull = spec.imagePullPolicy === 'Always' || !nodeImages.has(normalizeImage(image));
    if (this.state.faults.imagePullFails(image, node)) {
      this.state.recordPodEvent(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
      await sleep(Math.max(50, this.state.faults.imagePullMs), signal);
      const ref = normalizeImage(image);
      const detail = `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
      if (!publish({ ...base, state: { waiting: { reason: 'ErrImagePull', message: detail } } })) return { started: false };
      this.state.recordPodEvent(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${detail}`, fieldPath);
      await sleep(300, signal);
      if (!publish({ ...base, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } })) return { started: false };
      this.state.recordPodEvent(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, fieldPath);
      return { started: false };
    }
    let delay = this.state.faults.containerStartMs + this.state.faults.slowStartMs(node);
    if (needsPull) {
      delay += this.state.faults.imagePullMs;
      this.state.recordPodEvent(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
    }
    await sleep(delay, signal);
    if (signal.aborted) return { started: false };
    nodeImages.add(normalizeImage(image));
    if (needsPull) this.state.recordPodEvent(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}"`, fieldPath);
    this.state.recordPodEvent(pod, 'Normal', 'Created', `Created container ${spec.name}`, fieldPath);
    const startedAt = this.state.clock.rfc3339();
    const cid = containerId();
    const ok = publish({ ...base, state: { running: { startedAt } }, imageID: imageId(image), containerID: cid, started: true, ready: fieldPath.startsWith('spec.containers') });
    if (!ok) return { started: false };
    this.state.recordPodEvent(pod, 'Normal', 'Started', `Started container ${spec.name}`, fieldPath);
    return { started: true, startedAt, containerID: cid };
  }

  /** The lifecycle of a newly added ephemeral container. */
  startEphemeral(pod: KubeObject, name: string): void {
    const spec = (pod.spec?.ephemeralContainers ?? []).find((c: any) => c.name === name);
    if (!spec) return;
    const ns = pod.metadata.namespace ?? 'default';
    const podName = pod.metadata.name;
    const publish = (status: any): KubeObject | undefined => this.setEphemeralStatus(ns, podName, status);
    void (async () => {
      const started = await this.startContainer(pod, spec, publish, `spec.ephemeralContainers{${name}}`);
      if (!started.started) return;
      const current = this.state.store.get(this.state.podType, ns, podName);
      if (!current) return;
      const target = this.state.execTarget(current, { spec, kind: 'ephemeral' });
      const result = await this.runMain(target, spec);
      const exitCode = result.startError ? 128 : result.exitCode;
      publish({
        name,
        state: {
          terminated: {
            exitCode,
            reason: result.startError ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error',
            ...(result.startError ? { message: result.startError } : {}),
            startedAt: started.startedAt,
            finishedAt: this.state.clock.rfc3339(),
            containerID: started.containerID,
          },
        },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: normalizeImage(spec.image ?? ''),
        imageID: imageId(spec.image ?? ''),
        containerID: started.containerID,
        started: false,
      });
    })().catch(ignoreStopped);
  }

  /** Pending → Running → Succeeded/Failed for a pod created through the API. */
  startPod(pod: KubeObject): void {
    const ns = pod.metadata.namespace ?? 'default';
    const podName = pod.metadata.name;
    const containers: any[] = pod.spec?.containers ?? [];
    const results: (number | undefined)[] = containers.map(() => undefined);
    containers.forEach((spec, index) => {
      const publish = (status: any): KubeObject | undefined => this.setContainerStatus(ns, podName, status, status.state?.running ? 'Running' : undefined);
      void (async () => {
        const started = await this.startContainer(pod, spec, publish, `spec.containers{${spec.name}}`);
        if (!started.started) return;
        const current = this.state.store.get(this.state.podType, ns, podName);
        if (!current) return;
        const target = this.state.execTarget(current, { spec, kind: 'container' });
        const result = await this.runMain(target, this.copiedDaemon(spec) ? { ...spec, command: ['sleep', 'infinity'], args: [], stdin: false } : spec);
        const exitCode = result.startError ? 128 : result.exitCode;
        results[index] = exitCode;
        const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
        const allDone = results.every((r) => r !== undefined);
        let phase: string | undefined;
        if (allDone && restartPolicy !== 'Always') phase = results.every((r) => r === 0) ? 'Succeeded' : 'Failed';
        this.setContainerStatus(
          ns,
          podName,
          {
            name: spec.name,
            state: {
              terminated: {
                exitCode,
                reason: result.startError ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error',
                startedAt: started.startedAt,
                finishedAt: this.state.clock.rfc3339(),
                containerID: started.containerID,
              },
            },
            lastState: {},
            ready: false,
            restartCount: 0,
            image: normalizeImage(spec.image ?? ''),
            imageID: imageId(spec.image ?? ''),
            containerID: started.containerID,
            started: false,
          },
          phase,
        );
      })().catch(ignoreStopped);
    });
  }

  /**
   * A container copied unchanged from a pod of the world (`kubectl debug --copy-to`) is one of the
   * cluster's daemons (speaker, FRR, controller): it keeps running instead of asking the backend
   * to run a daemon binary it knows nothing about.
   */
  private copiedDaemon(spec: any): boolean {
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
    return this.state.world.objects.some(
      (o) => o.kind === 'Pod' && (o.spec?.containers ?? []).some((c: any) => c.name === spec.name && c.image === spec.image && same(c.command, spec.command) && same(c.args, spec.args)),
    );
  }

  /**
   * The container's main process: `command` + `args`, or (none given) the image's shell, which
   * reads commands from stdin when stdin is attached and exits at end of input.
   */
  private async runMain(target: ExecTarget, spec: any): Promise<ExecResult> {
    const argv: string[] = [...(spec.command ?? []), ...(spec.args ?? [])];
    const proc = new ContainerProcess(target.namespace, target.pod, target.container, Boolean(spec.stdin), this.state.clock);
    const key = `${target.namespace}/${target.pod}/${target.container}`;
    this.processes.set(key, proc);
    const stopOnServerStop = (): void => proc.abort.abort();
    this.state.stopSignal.addEventListener('abort', stopOnServerStop, { once: true });
    try {
      if (spec.stdin) {
        // Interactive containers (kubectl debug -i) start their process once the client attaches.
        await Promise.race([proc.attachGate, sleep(attachWaitMs, proc.abort.signal)]);
      }
      let result: ExecResult;
      if (argv.length === 0) result = await this.runShell(target, proc);
      else result = await this.runCommand(target, argv, proc, proc.stdin);
      proc.finish(result);
      return result;
    } catch (e) {
      const result = { exitCode: 1 };
      proc.write(2, `${(e as Error).message}\n`);
      proc.finish(result);
      return result;
    } finally {
      this.state.stopSignal.removeEventListener('abort', stopOnServerStop);
    }
  }

  /**
   * Files created by `touch` in a container (exec): the containers' filesystems are not modelled
   * beyond these flags, which a debug container's idle loop waits for (`until [ -e FILE ]`).
   */
  private readonly touched = new Map<string, Set<string>>();
  private readonly touchListeners = new Set<() => void>();

  touch(target: Pick<ExecTarget, 'namespace' | 'pod' | 'container'>, paths: string[]): void {
    const key = `${target.namespace}/${target.pod}/${target.container}`;
    const files = this.touched.get(key) ?? new Set<string>();
    for (const p of paths) files.add(p);
    this.touched.set(key, files);
    for (const l of [...this.touchListeners]) l();
  }

  private exists(target: ExecTarget, path: string): boolean {
    return this.touched.get(`${target.namespace}/${target.pod}/${target.container}`)?.has(path) ?? false;
  }

  /**
   * `sh -c 'i=0; while [ $i -lt N ] && [ ! -e FILE ]; do sleep 1; i=$((i+1)); done'`: idles until
   * FILE is touched in the container or N seconds pass, then exits 0 (what the collector's debug
   * containers run).
   */
  private async idleUntilTouched(target: ExecTarget, seconds: number, path: string, proc: ContainerProcess): Promise<ExecResult> {
    if (this.exists(target, path)) return { exitCode: 0 };
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.touchListeners.delete(onTouch);
        proc.abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const onTouch = (): void => {
        if (this.exists(target, path)) done();
      };
      const timer = setTimeout(done, seconds * 1000);
      this.touchListeners.add(onTouch);
      proc.abort.signal.addEventListener('abort', done, { once: true });
    });
    return { exitCode: proc.abort.signal.aborted ? 137 : 0 };
  }

  /** Runs one command: `sleep` and the idle loop are built in (debug containers idle with them), everything else goes to the backend. */
  private async runCommand(target: ExecTarget, argv: string[], proc: ContainerProcess, stdin: AsyncIterable<Buffer> | null): Promise<ExecResult> {
    const idle = argv.length === 3 && argv[0] === 'sh' && argv[1] === '-c' ? idleLoop.exec(argv[2]!) : null;
    if (idle) return this.idleUntilTouched(target, Number(idle[1]), idle[2]!, proc);
    if (argv[0] === 'sleep' && argv.length === 2) {
      const seconds = argv[1] === 'infinity' ? Infinity : Number(argv[1]);
      if (Number.isFinite(seconds) || seconds === Infinity) {
        await sleep(seconds === Infinity ? 2 ** 31 - 1 : seconds * 1000, proc.abort.signal);
        return { exitCode: proc.abort.signal.aborted ? 137 : 0 };
      }
    }
    return this.state.backend.run(target, argv, {
      stdin,
      stdout: (c) => proc.write(1, c),
      stderr: (c) => proc.write(2, c),
      signal: proc.abort.signal,
    });
  }

  private async runShell(target: ExecTarget, proc: ContainerProcess): Promise<ExecResult> {
    if (!proc.stdin) return { exitCode: 0 };
    let pending = '';
    let last: ExecResult = { exitCode: 0 };
    for await (const chunk of proc.stdin) {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line === '') continue;
        const words = shellWords(line);
        if (words[0] === 'exit') return { exitCode: Number(words[1] ?? last.exitCode) || 0 };
        last = await this.runCommand(target, words, proc, null);
        if (last.startError) proc.write(2, `sh: ${words[0]}: not found\n`);
        if (proc.abort.signal.aborted) return { exitCode: 137 };
      }
    }
    return last;
  }
}

export function setCondition(pod: KubeObject, type: string, value: boolean, now: string): void {
  pod.status ??= {};
  const conditions: any[] = (pod.status.conditions ??= []);
  const existing = conditions.find((c) => c.type === type);
  const status = value ? 'True' : 'False';
  if (existing) {
    if (existing.status !== status) {
      existing.status = status;
      existing.lastTransitionTime = now;
    }
  } else conditions.push({ type, status, lastProbeTime: null, lastTransitionTime: now });
}
