/** State shared by every task of one collection run. */
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import type { AddedContainer, StepRecord, StepStatus } from '../model/bundle.js';
import type { BundleWriter } from '../bundle/writer.js';
import type { DiscoveryResult } from '../discover/index.js';
import type { RbacResult } from '../discover/rbac.js';
import type { Kube } from '../kube/client.js';
import type { PodWatcher } from '../attach/wait.js';
import type { DebugDaemonSet } from '../attach/daemonset.js';

export interface RunSettings {
  runId: string;
  image: string;
  strategy: 'ephemeral' | 'node-pod' | 'daemonset';
  /** Namespace of the node debug pods; default the MetalLB namespace. */
  debugNamespace?: string;
  capture: boolean;
  captureSeconds: number;
  probe: boolean;
  sinceSeconds: number;
  redactIps: boolean;
  /** Start of the run + --timeout. */
  deadline: number;
  /** How long an ephemeral container / debug pod may take to start. */
  attachTimeoutMs: number;
}

export interface RunContext {
  kube: Kube;
  writer: BundleWriter;
  settings: RunSettings;
  found: DiscoveryResult;
  rbac: RbacResult;
  /** LoadBalancer Services (filled by the cluster step; probes use their IPs). */
  lbServices: V1Service[];
  /** Their EndpointSlices and the MetalLB namespace's (filled by the cluster step; the connect probes use them). */
  lbEndpointSlices?: V1EndpointSlice[];
  /** Resolves once the cluster step has listed the Services (it runs beside the nodes). */
  lbServicesReady: Promise<void>;
  /** Called by the cluster step once it has listed the Services (or failed to). */
  lbServicesLoaded(): void;
  /** The execs that end each node's debug container once its work is done (cleanup awaits them). */
  pendingEnds: Promise<void>[];
  added: AddedContainer[];
  /** --strategy daemonset: the run's debug DaemonSet (created when the first node attaches). */
  debugDaemonSet?: DebugDaemonSet;
  /** The run's shared pod watch of a namespace (attach waits); closed at the end of the run. */
  podWatcher(namespace: string): PodWatcher;
  /**
   * When one node learns that the ephemeral path cannot work cluster-wide (403, 404 unsupported),
   * the others skip the attempt with the same reason instead of repeating it N times.
   */
  ephemeralBlocked?: string;
  /**
   * Stops the run for good: writing the bundle failed (a full disk, a read-only file system). The
   * run aborts like on Ctrl-C, cleans up, and ends with the error (collect/index.ts writeFailure).
   */
  fatal(e: unknown): void;
  /** The capture filter of the nodes that captured with the Services' IPs (the manifest records it). */
  noteCaptureFilter(filter: string): void;
  /** Set by SIGINT: stop starting new work. */
  interrupted: () => boolean;
  timedOut: () => boolean;
}

/** A step under construction; `problem` marks skips that mean missing data (vs. skipped by option). */
export interface Step extends StepRecord {
  problem?: boolean;
}

export function step(id: string, status: StepStatus, durationMs: number, files: string[] = [], reason?: string, extra: Partial<Step> = {}): Step {
  const s: Step = { step: id, status, durationMs, files, ...extra };
  if (reason) s.reason = reason;
  return s;
}

/** Strips internal fields before the manifest is written. */
export function publicStep(s: Step): StepRecord {
  const { problem: _problem, ...rest } = s;
  return rest;
}

export function podName(p: V1Pod | undefined): string {
  return p?.metadata?.name ?? '';
}
