/**
 * The support bundle: the contract between collect (writes it) and analyze/render (read it).
 * Layout (all paths relative to the bundle root; `<node>` and `<pod>` are sanitised with
 * `safePathSegment` from src/bundle/paths.ts):
 *
 *   manifest.json                       Manifest (below)
 *   discovery.json                      Discovery (below)
 *   rbac.json                           RbacCheck[]
 *   cluster/version.json                GET /version
 *   cluster/<resource>.json             a List per kind: nodes, pods (MetalLB namespace), services
 *                                       (type LoadBalancer, all namespaces), endpointslices, events,
 *                                       daemonsets, deployments, configmaps (MetalLB namespace),
 *                                       kube-proxy-configmap, validatingwebhookconfigurations
 *   cluster/metallb.io/<plural>.json    every metallb.io resource (ipaddresspools, l2advertisements,
 *                                       bgpadvertisements, bgppeers, bfdprofiles, communities,
 *                                       servicel2statuses, servicebgpstatuses, configurationstates)
 *   cluster/frrk8s.metallb.io/<plural>.json
 *   logs/<pod>/<container>.log          current log; `<container>.previous.log` when restarted
 *   nodes/<node>/<item file>            per-node outputs, file names from the collection catalogue
 *                                       (src/catalogue/index.ts), e.g. net/ip-addr.json, frr/running-config.txt
 *   controller/<item file>              controller outputs (metrics)
 *
 * Every raw output is stored exactly as received, after redaction (src/bundle/redact.ts).
 */

export type StepStatus = 'ok' | 'partial' | 'failed' | 'skipped';

export interface StepRecord {
  /** Catalogue item id, e.g. `net.ip-addr`, `frr.running-config`, `attach.ephemeral`, `cluster.services`. */
  step: string;
  status: StepStatus;
  /** Why it is not ok (or a note when ok). */
  reason?: string;
  durationMs: number;
  /** Files this step wrote, relative to the bundle root. */
  files: string[];
  exitCode?: number;
}

export interface NodeRecord {
  node: string;
  status: StepStatus;
  reason?: string;
  speakerPod?: string;
  frrPod?: string;
  /** Where commands ran: the ephemeral container, the node debug pod, or the frr container only. */
  access?: 'ephemeral' | 'node-pod' | 'frr-exec' | 'none';
  steps: StepRecord[];
  /** Requests of this node that were tried again (429, 5xx, a reset, an expired watch), by step and cause. */
  retries?: RetryRecord[];
}

/** Retries of one step: how many, and why (cause → count, e.g. `429 Too Many Requests`). */
export interface RetryRecord {
  step: string;
  count: number;
  causes: Record<string, number>;
}

export interface AddedContainer {
  namespace: string;
  pod: string;
  container: string;
  image: string;
  kind: 'ephemeral' | 'pod';
  /** What happened to it at the end of the run. */
  finalState: 'terminated' | 'deleted' | 'running' | 'unknown';
  /** The run told its main process to end (ephemeral containers; see attach/index.ts idleCommand). */
  endRequested?: boolean;
  /** When it ended: the container status's finishedAt, as the pod reported it. */
  endedAt?: string;
}

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  schemaVersion: 1;
  tool: { name: 'mlb-report'; version: string };
  createdAt: string;
  finishedAt?: string;
  /** argv with secrets (tokens, passwords) removed; never the kubeconfig contents. */
  command: string[];
  cluster: { server?: string; context?: string; version?: string };
  options: Record<string, unknown>;
  timings: { totalMs: number; [phase: string]: number };
  interrupted?: boolean;
  redaction: { ips: boolean; rules: string[]; count: number };
  nodes: NodeRecord[];
  /** Cluster-wide steps (object lists, logs, controller). */
  clusterSteps: StepRecord[];
  /** Every retry of the run (a stressed control plane): total, by cause, and the cluster-wide steps' own. */
  retries?: { total: number; causes: Record<string, number>; cluster: RetryRecord[] };
  addedContainers: AddedContainer[];
  files: ManifestFile[];
}

export type MetallbMode = 'native' | 'frr' | 'frr-k8s';
export type InstallMethod = 'manifest' | 'helm' | 'operator' | 'unknown';

export interface DiscoveredPod {
  name: string;
  namespace: string;
  node?: string;
  ready: boolean;
  restarts: number;
  containers: string[];
}

export interface Discovery {
  namespace: string;
  version?: string;
  mode: MetallbMode;
  installMethod: InstallMethod;
  kubeProxyMode?: 'iptables' | 'ipvs' | 'nftables' | 'unknown';
  strictARP?: boolean;
  speakers: DiscoveredPod[];
  controller?: DiscoveredPod;
  frrK8s: DiscoveredPod[];
  nodes: string[];
}

export interface RbacCheck {
  verb: string;
  resource: string;
  subresource?: string;
  group: string;
  namespace?: string;
  allowed: boolean;
  /** The Role/ClusterRole rule that would grant it, as YAML. */
  grantingRule?: string;
}
