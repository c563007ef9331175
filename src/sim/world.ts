/**
 * The contract between the scenario loader (src/sim/scenario) and the API server (src/sim/server):
 * a loaded scenario becomes a World — every Kubernetes object to serve, container logs, metrics,
 * faults — plus an ExecBackend that answers commands run in containers.
 */
import type { KubeObject } from '../model/cluster.js';
import type { SimClock } from './clock.js';

export interface World {
  /** Scenario name, e.g. `healthy-frr` or `synthetic:nodes=200`. */
  name: string;
  description?: string;
  /** Served at /version, e.g. `v1.32.4`. */
  kubernetesVersion: string;
  /** Every object to serve (Nodes, Pods, Services, DaemonSets, CRs, ...), with apiVersion and kind. */
  objects: KubeObject[];
  logs: ContainerLog[];
  metrics: MetricsEndpoint[];
  faults: Fault[];
  /** Per-request latency model used by the server (benchmarks); zero by default. */
  latency?: LatencyModel;
  /**
   * The world's one clock (see clock.ts): every time the server stamps or filters on reads it.
   * Hand-built worlds may omit it and get the machine's clock.
   */
  clock?: SimClock;
  /** The declared data plane (routers, peers, announced IPs); used by the lab backend. Opaque to the server. */
  dataplane?: unknown;
}

export interface ContainerLog {
  namespace: string;
  pod: string;
  container: string;
  /** Log of the previous (restarted) instance. */
  previous?: boolean;
  /** RFC3339Nano timestamp + text; the server renders `timestamps=true` from `ts`. */
  lines: { ts: string; text: string }[];
}

export interface MetricsEndpoint {
  namespace: string;
  pod: string;
  port: number;
  scheme: 'http' | 'https';
  path: string;
  /** Prometheus text exposition format. */
  body: string;
  /** v0.16 HTTPS metrics need a bearer token allowed to GET /metrics. */
  requiresToken?: boolean;
}

export interface LatencyModel {
  /** Added to every API request. */
  requestMs: number;
  /** Ephemeral container start when the image is present / must be pulled. */
  containerStartMs: number;
  imagePullMs: number;
  /** Added to every exec round trip. */
  execMs: number;
  /** Images every node already has (no imagePullMs for them), e.g. the debug image on a second incident. */
  presentImages?: string[];
}

/** Faults a scenario can declare; the server (and backend) apply them. */
export type Fault =
  /** `name`: only requests about that object (an RBAC rule with resourceNames; the preflight, which asks per namespace, does not see it). */
  | { type: 'rbac-deny'; verb: string; resource: string; subresource?: string; group?: string; namespace?: string; name?: string }
  | { type: 'ephemeral-unsupported' }
  | { type: 'image-pull-failure'; image?: string; nodes?: string[] }
  | { type: 'slow-container-start'; ms: number; nodes?: string[] }
  | { type: 'exec-cut'; nodes?: string[]; containers?: string[]; commandContains?: string; afterBytes: number }
  | { type: 'exec-hang'; nodes?: string[]; containers?: string[]; commandContains?: string }
  | { type: 'pod-deleted'; pod: string; namespace?: string; when: 'on-ephemeral-patch' | 'on-first-exec' | { afterMs: number } }
  | { type: 'node-not-ready'; node: string }
  | { type: 'node-unresponsive'; node: string }
  | { type: 'api-latency'; ms: number; jitterMs?: number }
  /**
   * Reading a multi-version CRD (list, get, watch) fails in the API server's conversion webhook
   * call: objects stored in one version cannot be converted to the one requested. `service`: the
   * Service the CRD's conversion clientConfig names (default: the manifest's); `error`: why the call
   * fails (default from the world: `service "<name>" not found` when it does not exist, `no endpoints
   * available for service "<name>"` when the controller is down). The loader fills `kind`,
   * `versions` and `url` from the CRD.
   */
  | { type: 'conversion-webhook-failure'; resource: string; group?: string; service?: string; error?: string; kind?: string; versions?: string[]; url?: string }
  /**
   * A busy control plane (API Priority and Fairness queues full): this fraction of rate-limited
   * requests (get, list, watch, create, patch, update, delete; `verbs` narrows them) answers 429 with
   * `Retry-After`. Which requests is drawn from a seeded generator (`seed`), so a run repeats.
   */
  | { type: 'api-throttle'; fraction: number; retryAfterSeconds?: number; verbs?: string[]; seed?: number }
  /** This fraction of rate-limited requests answers 500 (etcd timeout), 503 or 504 (request timeout). */
  | { type: 'api-unavailable'; fraction: number; status?: 500 | 503 | 504; verbs?: string[]; seed?: number }
  /** This fraction of rate-limited requests has its TCP connection reset before any answer. */
  | { type: 'connection-reset'; fraction: number; verbs?: string[]; seed?: number }
  /**
   * Watches end after `afterMs` with an ERROR event carrying 410 Expired; list `continue` tokens
   * older than `afterMs` answer 410 with a fresh token in the Status.
   */
  | { type: 'watch-expired'; afterMs: number }
  /**
   * The API server cannot reach the kubelet of these nodes (port 10250 firewalled, kubelet hung):
   * exec, attach, logs and the pod proxy of their pods answer 502 after the dial timeout
   * (`dialTimeoutMs`, 30 s on a real API server). The pods still look Running.
   */
  | { type: 'kubelet-unreachable'; nodes: string[]; dialTimeoutMs?: number }
  /**
   * Pod Security Admission enforces `level` in these namespaces (every namespace when omitted; the
   * namespaces carry the `pod-security.kubernetes.io/enforce` label): pod creates and
   * ephemeral-container updates whose pod then violates the level answer 403.
   */
  | { type: 'pod-security'; level: 'baseline' | 'restricted'; namespaces?: string[] };

// ---------------------------------------------------------------- exec

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  node: string;
  image: string;
  /** Regular container, ephemeral debug container, or a node debug pod's container. */
  kind: 'container' | 'ephemeral' | 'debug-pod';
  /**
   * Distroless images (speaker/controller ≥ v0.14.6) have no shell and no tools: any exec fails as
   * the runtime does (`exec: "sh": executable file not found in $PATH`, exit 128 / StartError).
   */
  distroless: boolean;
  /** hostNetwork pods and debug containers targeting a hostNetwork container see the node's namespace. */
  hostNetwork: boolean;
}

export interface ExecIO {
  /** Client stdin, or null when not requested. */
  stdin: AsyncIterable<Buffer> | null;
  stdout(chunk: Buffer | string): void;
  stderr(chunk: Buffer | string): void;
  /** Aborted when the client goes away or the server stops; the backend must stop the command. */
  signal: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  /**
   * Set when the command could not start (no such executable in a distroless image): the server
   * answers with a Failure status whose reason is the runtime's message instead of NonZeroExitCode.
   */
  startError?: string;
}

export interface ExecBackend {
  readonly kind: 'replay' | 'lab';
  run(target: ExecTarget, argv: string[], io: ExecIO): Promise<ExecResult>;
  close(): Promise<void>;
}
