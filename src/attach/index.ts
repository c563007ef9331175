/**
 * Getting a shell-capable process into each node's network namespace:
 * - `ephemeral`: an ephemeral container (netshoot) in the speaker pod targeting `speaker`, with
 *   kubectl's netadmin capabilities; its main process idles until the run tells it to end (or its
 *   lifetime runs out, so it ends by itself even if this tool dies); commands run by exec into it.
 * - `node-pod`: a hostNetwork, privileged debug pod per node (like `kubectl debug node/X`), deleted
 *   at the end of the run, also on Ctrl-C.
 */
import type { V1Pod } from '@kubernetes/client-node';
import * as k8s from '@kubernetes/client-node';
import type { AddedContainer } from '../model/bundle.js';
import type { Kube } from '../kube/client.js';
import { apiError } from '../kube/client.js';
import { listJson, sendJson } from '../kube/http-text.js';
import { connectionFailure, retryableStatus, withRetries } from '../kube/retry.js';
import { containerStatus, type PodWatcher } from './wait.js';
import { execCapture } from './exec.js';
import { ownerMetadata } from './owner.js';

export const defaultDebugImage = 'nicolaka/netshoot:v0.13';

export interface AttachedTarget {
  namespace: string;
  pod: string;
  container: string;
}

export type AttachResult =
  | { ok: true; target: AttachedTarget; added: AddedContainer; durationMs: number }
  | { ok: false; reason: string; code?: number; added?: AddedContainer; durationMs: number; podGone?: boolean };

export interface EphemeralOptions {
  namespace: string;
  pod: string;
  /** Container name, unique per run: mlb-report-<runid>. */
  name: string;
  image: string;
  /** The sleep of the main process: how long the container may live at most. */
  lifetimeSeconds: number;
  /** How long to wait for it to run. */
  startTimeoutMs: number;
  /** The run's shared watch of the pod's namespace. */
  watcher: PodWatcher;
  /** Called once the patch (or create) has been answered, before the wait for the container. */
  onRequested?: () => void;
  /** The container whose process namespace the debug container joins. Default `speaker`. */
  targetContainer?: string;
}

/** The file whose creation ends a debug container's main process (in the container's own filesystem). */
export const endMarker = '/tmp/mlb-report.end';

/**
 * The debug container's main process: idle until the run creates `endMarker`, at most
 * `lifetimeSeconds`, then exit 0. Ephemeral containers cannot be removed from a pod; ended this
 * way, NET_ADMIN and NET_RAW are released seconds after the work instead of minutes later, and
 * the pod shows the container as Completed.
 */
export function idleCommand(lifetimeSeconds: number): string[] {
  const n = Math.max(1, Math.ceil(lifetimeSeconds));
  return ['sh', '-c', `i=0; while [ $i -lt ${n} ] && [ ! -e ${endMarker} ]; do sleep 1; i=$((i+1)); done`];
}

/** The exec that ends the main process of `idleCommand`. */
export const endCommand = ['touch', endMarker];

/** Tells a debug container to end (see idleCommand); true when the exec succeeded. */
export async function endDebugContainer(kube: Kube, target: AttachedTarget, timeoutMs = 5000): Promise<boolean> {
  const o = await execCapture(kube, { ...target, command: endCommand, timeoutMs, maxBytes: 4096 });
  return o.exitCode === 0;
}

export function ephemeralContainerSpec(o: Pick<EphemeralOptions, 'name' | 'image' | 'lifetimeSeconds' | 'targetContainer'>): k8s.V1EphemeralContainer {
  return {
    name: o.name,
    image: o.image,
    command: idleCommand(o.lifetimeSeconds),
    targetContainerName: o.targetContainer ?? 'speaker',
    // kubectl debug --profile=netadmin: enough for tcpdump and arping, no privileged mode.
    securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
    terminationMessagePolicy: 'File',
    stdin: false,
    tty: false,
  };
}

export async function attachEphemeral(kube: Kube, o: EphemeralOptions): Promise<AttachResult> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const added: AddedContainer = { namespace: o.namespace, pod: o.pod, container: o.name, image: o.image, kind: 'ephemeral', finalState: 'unknown' };
  let patched: V1Pod;
  try {
    // Strategic merge, as kubectl debug sends it: the list is merged by name, so other ephemeral
    // containers (earlier runs, other users) stay.
    patched = await sendJson<V1Pod>(
      kube,
      'PATCH',
      `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.pod)}/ephemeralcontainers`,
      'application/strategic-merge-patch+json',
      { spec: { ephemeralContainers: [ephemeralContainerSpec(o)] } },
      kube.requestTimeoutMs,
      'ephemeral container patch',
      // Merged by container name: a patch repeated after a broken connection changes nothing.
      { idempotent: true },
    ).finally(() => o.onRequested?.());
  } catch (e) {
    const info = apiError(e);
    let reason = info.message;
    let podGone = false;
    if (info.code === 403 && podSecurityRejection(info.message)) reason = podSecurityReason(o.namespace, info.message, 'ephemeral');
    else if (info.code === 403) reason = `forbidden to add ephemeral containers: ${info.message}`;
    else if (info.code === 404) {
      const details = parseDetailsName(e);
      if (details) {
        reason = `pod ${o.pod} not found (deleted during the run)`;
        podGone = true;
      } else reason = 'ephemeral containers are not supported by this cluster (404 on pods/ephemeralcontainers)';
    } else if (info.code === 422) reason = `ephemeral container rejected: ${info.message}`;
    return { ok: false, reason, code: info.code, durationMs: elapsed(), podGone };
  }
  if (!patched.spec?.ephemeralContainers?.some((c) => c.name === o.name)) {
    return { ok: false, reason: 'the server accepted the patch but did not add the ephemeral container', durationMs: elapsed() };
  }
  added.finalState = 'running';
  const waited = await o.watcher.wait(o.pod, o.name, 'ephemeral', o.startTimeoutMs, patched);
  if (waited.state === 'running') return { ok: true, target: { namespace: o.namespace, pod: o.pod, container: o.name }, added, durationMs: elapsed() };
  if (waited.state === 'deleted') added.finalState = 'deleted';
  if (waited.state === 'terminated') added.finalState = 'terminated';
  const reason = waited.state === 'failed' && /ImagePull|ErrImage|InvalidImageName/.test(waited.reason) ? `image ${o.image} could not be pulled: ${waited.reason}` : waited.reason;
  return { ok: false, reason, added, durationMs: elapsed(), podGone: waited.state === 'deleted' };
}

/** `violates PodSecurity "baseline:latest": …` in a 403 from Pod Security Admission → level and violations. */
export function podSecurityRejection(message: string): { level: string; version: string; violations: string } | undefined {
  const m = /violates PodSecurity "(\w+):([\w.]+)": (.*)$/.exec(message);
  return m ? { level: m[1]!, version: m[2]!, violations: m[3]! } : undefined;
}

/** The label Pod Security Admission reads on a namespace for the level it enforces. */
export const podSecurityEnforceLabel = 'pod-security.kubernetes.io/enforce';

/**
 * One line naming the cause and both ways out: the namespace's enforce label (set it to
 * privileged), or node debug pods in a namespace that allows them.
 */
export function podSecurityReason(namespace: string, message: string, strategy: 'ephemeral' | 'node-pod'): string {
  const r = podSecurityRejection(message)!;
  const what = strategy === 'ephemeral' ? 'the debug container (NET_ADMIN, NET_RAW)' : 'the privileged node debug pod';
  return (
    `Pod Security "${r.level}:${r.version}" (namespace ${namespace}, label ${podSecurityEnforceLabel}=${r.level}) rejects ${what}: ${r.violations}; ` +
    `fix: kubectl label namespace ${namespace} ${podSecurityEnforceLabel}=privileged --overwrite, or rerun with --strategy node-pod --debug-namespace <a namespace whose ${podSecurityEnforceLabel} is privileged>`
  );
}

function parseDetailsName(e: unknown): string | undefined {
  const body = (e as { body?: unknown }).body;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { details?: { name?: string } } | undefined;
    return status?.details?.name || undefined;
  } catch {
    return undefined;
  }
}

export interface NodePodOptions {
  namespace: string;
  node: string;
  runId: string;
  image: string;
  lifetimeSeconds: number;
  startTimeoutMs: number;
  watcher: PodWatcher;
  onRequested?: () => void;
}

export const nodePodContainer = 'debugger';

/** The privileged container of a node debug pod (own or a DaemonSet's): it sleeps for the run's lifetime; the delete ends it. */
export function nodePodContainerSpec(image: string, lifetimeSeconds: number): k8s.V1Container {
  return {
    name: nodePodContainer,
    image,
    command: ['sleep', String(Math.max(1, Math.ceil(lifetimeSeconds)))],
    securityContext: { privileged: true },
    terminationMessagePolicy: 'File',
  };
}

export function nodePodName(node: string, runId: string): string {
  // DNS-1123 subdomain, ≤ 63 chars so it also works as a label value.
  const clean = node.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  const suffix = `-${runId}`;
  return `mlb-report-${clean}`.slice(0, 63 - suffix.length).replace(/-+$/, '') + suffix;
}

export function nodePodSpec(o: Omit<NodePodOptions, 'watcher' | 'onRequested'>): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: nodePodName(o.node, o.runId),
      namespace: o.namespace,
      // Owner label and expiry: `mlb-report cleanup` finds the pod if this run cannot delete it.
      ...ownerMetadata(o.runId, o.lifetimeSeconds),
    },
    spec: {
      nodeName: o.node,
      hostNetwork: true,
      hostPID: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [nodePodContainerSpec(o.image, o.lifetimeSeconds)],
    },
  };
}

export async function attachNodePod(kube: Kube, o: NodePodOptions): Promise<AttachResult> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  const body = nodePodSpec(o);
  const name = body.metadata!.name!;
  const added: AddedContainer = { namespace: o.namespace, pod: name, container: nodePodContainer, image: o.image, kind: 'pod', finalState: 'unknown' };
  let created: V1Pod;
  try {
    created = await kube.core.createNamespacedPod({ namespace: o.namespace, body }).finally(() => o.onRequested?.());
  } catch (e) {
    const info = apiError(e);
    // A create retried after a broken connection finds the pod its first attempt made.
    const mine = info.code === 409 ? await kube.core.readNamespacedPod({ name, namespace: o.namespace }).catch(() => undefined) : undefined;
    if (mine?.metadata?.labels?.['mlb-report/run'] === o.runId) created = mine;
    else {
      const reason = info.code === 403 && podSecurityRejection(info.message) ? podSecurityReason(o.namespace, info.message, 'node-pod') : info.code === 403 ? `forbidden to create debug pods: ${info.message}` : `debug pod not created: ${info.message}`;
      return { ok: false, reason, code: info.code, durationMs: elapsed() };
    }
  }
  added.finalState = 'running';
  const waited = await o.watcher.wait(name, nodePodContainer, 'regular', o.startTimeoutMs, created);
  if (waited.state === 'running') return { ok: true, target: { namespace: o.namespace, pod: name, container: nodePodContainer }, added, durationMs: elapsed() };
  if (waited.state === 'deleted') added.finalState = 'deleted';
  return { ok: false, reason: waited.reason, added, durationMs: elapsed() };
}

/** Deletes a debug pod (grace 0); NotFound counts as deleted. */
export async function deleteNodePod(kube: Kube, added: AddedContainer, signalFree = false): Promise<void> {
  try {
    // Cleanup must still happen after Ctrl-C aborted the run's signal, so it goes around the limiter;
    // not around the retries: on a throttled control plane a delete answered 429 would leave the pod.
    if (signalFree) {
      const core = kube.kc.makeApiClient(k8s.CoreV1Api);
      await withRetries(
        { signal: AbortSignal.timeout(30_000), ledger: kube.retries },
        (e) => {
          const err = e as { code?: unknown; headers?: Record<string, string> };
          if (typeof err.code === 'number') return retryableStatus(err.code, err.headers?.['retry-after']);
          const broken = connectionFailure(e);
          return broken ? { cause: broken, maxAttempts: 12 } : undefined;
        },
        () => core.deleteNamespacedPod({ name: added.pod, namespace: added.namespace, gracePeriodSeconds: 0 }),
      );
    } else {
      await kube.core.deleteNamespacedPod({ name: added.pod, namespace: added.namespace, gracePeriodSeconds: 0 });
    }
    added.finalState = 'deleted';
  } catch (e) {
    if (apiError(e).code === 404) added.finalState = 'deleted';
  }
}

/**
 * Final state of the ephemeral containers a run added. The run's pod watch knows it when it is
 * still streaming (no request at all); otherwise one list per namespace (not one GET per pod), as
 * plain JSON (500 pods are 13 MB). A pod that is gone counts as deleted; a failed list leaves the
 * states unknown.
 */
export async function refreshEphemeralStates(kube: Kube, added: AddedContainer[], watchers: ReadonlyMap<string, PodWatcher> = new Map()): Promise<void> {
  const namespaces = [...new Set(added.map((a) => a.namespace))];
  await Promise.all(
    namespaces.map(async (namespace) => {
      const mine = added.filter((x) => x.namespace === namespace);
      const watcher = watchers.get(namespace);
      let lookup: (pod: string) => V1Pod | 'deleted';
      if (watcher && mine.every((a) => watcher.knownState(a.pod) !== undefined)) {
        lookup = (pod) => watcher.knownState(pod)!;
      } else {
        let pods: V1Pod[];
        try {
          pods = await listJson<V1Pod>(kube, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, {}, kube.requestTimeoutMs, 'final container states');
        } catch {
          return;
        }
        const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
        lookup = (pod) => byName.get(pod) ?? 'deleted';
      }
      for (const a of mine) {
        const pod = lookup(a.pod);
        if (pod === 'deleted') {
          a.finalState = 'deleted';
          continue;
        }
        const s = containerStatus(pod, a.container, 'ephemeral');
        if (s?.state?.terminated?.finishedAt) a.endedAt = String(s.state.terminated.finishedAt instanceof Date ? s.state.terminated.finishedAt.toISOString() : s.state.terminated.finishedAt);
        if (s?.state?.terminated) a.finalState = 'terminated';
        else if (s?.state?.running) a.finalState = 'running';
        else if (s) a.finalState = 'unknown';
      }
    }),
  );
}

/**
 * Waits (at most `timeoutMs`) until the ephemeral containers told to end show as terminated in the
 * run's pod watch: the kubelet reports the exit a moment after it, and the report should show the
 * real end rather than "running". Containers in namespaces without a streaming watch are not waited for.
 */
export async function waitForEnded(added: AddedContainer[], watchers: ReadonlyMap<string, PodWatcher>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ended = (a: AddedContainer): boolean => {
    const pod = watchers.get(a.namespace)?.knownState(a.pod);
    if (pod === undefined) return true; // nothing to watch with: do not wait
    return pod === 'deleted' || Boolean(containerStatus(pod, a.container, 'ephemeral')?.state?.terminated);
  };
  const pending = added.filter((a) => a.kind === 'ephemeral' && a.endRequested);
  while (Date.now() < deadline && !pending.every(ended)) await new Promise((r) => setTimeout(r, 100));
}
