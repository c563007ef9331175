/**
 * Everything collected for one node: attach (ephemeral container or node pod, with the FRR
 * container as fallback), the catalogue's node items, the packet capture, ARP probes, and the
 * logs and metrics of the MetalLB pods on the node. Never throws: every problem becomes a step
 * status with a reason.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { AddedContainer, MetallbMode, NodeRecord, StepStatus } from '../model/bundle.js';
import { attachEphemeral, attachNodePod, endCommand, endDebugContainer, type AttachedTarget, type AttachResult } from '../attach/index.js';
import { describeOutcome, execCapture, type ExecOutcome } from '../attach/exec.js';
import { nodeFilePath, safePathSegment, bundlePath } from '../bundle/paths.js';
import { apiProbeUrl, arpingFile, arpingNoInterfaceExit, arpingProbeCommand, captureCommand, captureFiles, captureFilterWithLbIps, connectProbeCommand, connectProbeFile, dataPathRulesCommand, dataPathRulesFile, nodeItems, probeLimits, probeTimeoutSeconds, tcpProbeUrl, type ConnectProbe, type NodeItem } from '../catalogue/index.js';
import type { RunContext, Step } from './context.js';
import { podName, publicStep, step } from './context.js';
import { collectPodLogs, collectPodMetrics } from './pods.js';
import { BatchDemux, batchCommand, newNonce, type BatchItem, type BatchItemResult } from './batch.js';
import { apiError } from '../kube/client.js';
import type { DebugDaemonSet } from '../attach/daemonset.js';

const captureMarker = '--- mlb-report pcap base64 ---';
const maxProbesPerNode = 16;
/** Consecutive timeouts after which a target counts as not answering (node unresponsive). */
const maxConsecutiveTimeouts = 2;

interface Lane {
  target?: AttachedTarget;
  /** Why the lane has no usable target (or stopped being usable). */
  unusable?: string;
  timeouts: number;
}

export function splitCapture(output: Buffer): { text: string; pcap?: Buffer; complete: boolean } {
  const s = output.toString('latin1');
  const i = s.indexOf(captureMarker);
  if (i < 0) return { text: output.toString('utf8'), complete: false };
  const text = output.subarray(0, i).toString('utf8');
  const b64 = s.slice(i + captureMarker.length).replace(/[^A-Za-z0-9+/=]/g, '');
  const pcap = b64.length ? Buffer.from(b64, 'base64') : undefined;
  return { text, pcap, complete: true };
}

const nodeIpsByRun = new WeakMap<RunContext, Map<string, string>>();

/** A node's InternalIP (else ExternalIP); the map is built once per run (a find per node was quadratic). */
function nodeInternalIp(ctx: RunContext, node: string): string | undefined {
  let ips = nodeIpsByRun.get(ctx);
  if (!ips) {
    ips = new Map();
    for (const n of ctx.found.nodes) {
      const addrs = n.status?.addresses ?? [];
      const ip = addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'ExternalIP')?.address;
      if (n.metadata?.name && ip && !ips.has(n.metadata.name)) ips.set(n.metadata.name, ip);
    }
    nodeIpsByRun.set(ctx, ips);
  }
  return ips.get(node);
}

/** LoadBalancer IPs MetalLB manages (ingress IPs of LoadBalancer Services without a foreign class). */
export function managedLbIps(ctx: RunContext): string[] {
  const ips = new Set<string>();
  for (const svc of ctx.lbServices) {
    const cls = svc.spec?.loadBalancerClass;
    if (cls && !/metallb/i.test(cls)) continue;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip) ips.add(ing.ip);
  }
  return [...ips].sort();
}

/**
 * What every node's probes derive from the listed Services, computed once per run (each node
 * recomputing it made probe planning quadratic in the cluster's size): the managed IPs, which
 * Services and IPv4 addresses each node probes, the EndpointSlices by Service, the rules command.
 */
interface ServicePlan {
  lbIps: string[];
  servicesByKey: Map<string, V1Service>;
  servicesByNode: Map<string, string[]>;
  arpingByNode: Map<string, string[]>;
  slicesByService: Map<string, NonNullable<RunContext['lbEndpointSlices']>>;
  rulesCommand?: string[];
  /** Speaker nodes in name order (the memberlist probe ring). */
  speakerRing: string[];
}

const servicePlans = new WeakMap<RunContext, ServicePlan>();

/** The run's ServicePlan; only once the Services are listed (ctx.lbServicesReady). */
function servicePlan(ctx: RunContext): ServicePlan {
  let plan = servicePlans.get(ctx);
  if (plan) return plan;
  const lbIps = managedLbIps(ctx);
  const services = ctx.lbServices.filter((s) => {
    const cls = s.spec?.loadBalancerClass;
    return (!cls || /metallb/i.test(cls)) && (s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip);
  });
  const slicesByService = new Map<string, NonNullable<RunContext['lbEndpointSlices']>>();
  for (const slice of ctx.lbEndpointSlices ?? []) {
    const k = `${slice.metadata?.namespace}/${slice.metadata?.labels?.['kubernetes.io/service-name']}`;
    slicesByService.set(k, [...(slicesByService.get(k) ?? []), slice]);
  }
  const nodes = ctx.found.discovery.nodes;
  const speakerRing = [...ctx.found.speakerByNode.keys()].sort();
  plan = {
    lbIps,
    servicesByKey: new Map(services.map((s) => [serviceKey(s), s])),
    servicesByNode: probePlan(services.map(serviceKey), nodes),
    arpingByNode: probePlan(lbIps.filter((ip) => !ip.includes(':')), nodes),
    slicesByService,
    rulesCommand: lbIps.length ? dataPathRulesCommand(lbIps) : undefined,
    speakerRing,
  };
  servicePlans.set(ctx, plan);
  return plan;
}

const serviceKey = (s: V1Service): string => `${s.metadata?.namespace}/${s.metadata?.name}`;

/** Below this many node × IP pairs every node probes every IP; above, each IP is probed from a few nodes. */
export const fullProbeMatrixLimit = 256;
export const probesPerIp = 3;

/**
 * Which IPs each node arpings. A broadcast ARP request reaches every responder on the segment, so
 * duplicates show up from any node on it; probing every IP from every node only matters (and is
 * only affordable) in small clusters. Large clusters spread each IP over `probesPerIp` nodes.
 */
export function probePlan(ips: string[], nodes: string[]): Map<string, string[]> {
  const plan = new Map<string, string[]>(nodes.map((n) => [n, []]));
  if (nodes.length === 0) return plan;
  if (ips.length * nodes.length <= fullProbeMatrixLimit) {
    for (const n of nodes) plan.set(n, [...ips]);
    return plan;
  }
  const k = Math.min(probesPerIp, nodes.length);
  ips.forEach((ip, i) => {
    for (let j = 0; j < k; j++) plan.get(nodes[(i * k + j) % nodes.length]!)!.push(ip);
  });
  return plan;
}

function statusOf(o: ExecOutcome): { status: StepStatus; problem: boolean } {
  const hasOutput = o.stdout.length > 0;
  if (o.exitCode === 0 && !o.truncated) return { status: 'ok', problem: false };
  if (o.truncated) return { status: 'partial', problem: true };
  if (o.exitCode !== undefined) return { status: hasOutput ? 'partial' : 'failed', problem: true };
  return { status: hasOutput ? 'partial' : 'failed', problem: true };
}

function targetGone(o: ExecOutcome): boolean {
  return o.httpCode === 404 || /not found|NotFound|does not have a host|is not valid for pod/i.test(o.error ?? '');
}

/**
 * The API server's text when its dial to a node's kubelet fails (upgradeaware.go `error dialing
 * backend: …`; log reads name the kubelet URL and the dial error instead).
 */
const kubeletDialError = /error dialing backend: .*|dial tcp [^\s]+:10250: .*/;

export function collectNode(ctx: RunContext, node: string, progress: (msg: string) => void = () => {}): Promise<NodeRecord> {
  // Retries of this node's requests are recorded under its name (and each step's id).
  return ctx.kube.retries.scope({ node }, () => collectNodeNow(ctx, node, progress));
}

async function collectNodeNow(ctx: RunContext, node: string, progress: (msg: string) => void): Promise<NodeRecord> {
  const run = new NodeCollection(ctx, node, progress);
  // The attach request goes first: it is on the critical path (the container then takes seconds
  // to start), so the FRR lane, logs and metrics start once it has been answered and fill that wait.
  // Lanes never throw by design; one that does could not write the bundle (a full disk): that stops
  // the run (ctx.fatal) instead of crashing it before the cleanup, and this node ends with what it has.
  const stopOn = (p: Promise<void>): Promise<void> => p.catch((e: unknown) => ctx.fatal(e));
  const frrLaneDone = stopOn(run.attachSent.then(async () => void (await run.runLane(run.items.filter((i) => i.runIn === 'frr'), run.frrLane))));
  const logsAndMetrics = stopOn(run.attachSent.then(() => run.collectPodsOnNode()));
  await ctx.kube.retries.scope({ step: `attach.${ctx.settings.strategy}` }, () => run.attach());
  const lanes: Promise<void>[] = [frrLaneDone, logsAndMetrics];
  // When the debug lane falls back to the frr container, its items run there too.
  lanes.push(stopOn(run.runDebugLane()));
  if (ctx.settings.capture) lanes.push(stopOn(ctx.kube.retries.scope({ step: 'capture' }, () => runCapture(ctx, node, run.debugLane, run.debugViaFrr, run.steps, progress))));
  else run.steps.push(step('capture', 'skipped', 0, [], 'disabled (--no-capture)'));
  await Promise.all(lanes);
  // Off the node's critical path: cleanup waits for these before it looks at what is still running.
  ctx.pendingEnds.push(run.endDebugContainer());
  return run.verdict();
}

/**
 * One node's collection: its two lanes (debug container, FRR container) and the steps they record.
 * Catalogue items run in one exec per container (batch.ts), falling back to one exec per item.
 * Outputs go to the bundle as they arrive and are not kept: thousands of nodes are in flight at once.
 */
class NodeCollection {
  readonly mode: MetallbMode;
  readonly speaker: V1Pod | undefined;
  readonly frrK8s: V1Pod | undefined;
  /** Where FRR lives on this node: the speaker's sidecar (FRR mode) or the frr-k8s pod. */
  readonly frrPod: V1Pod | undefined;
  readonly steps: Step[] = [];
  readonly record: NodeRecord;
  readonly frrLane: Lane = { timeouts: 0 };
  readonly debugLane: Lane = { timeouts: 0 };
  readonly items: NodeItem[];
  /** Resolves once the attach request has been answered (or skipped). */
  readonly attachSent: Promise<void>;
  private attachRequested!: () => void;
  private attachReason: string | undefined;
  debugViaFrr = false;
  private nodeTimeouts = 0;
  /** Set when the API server could not reach this node's kubelet (see kubeletDialError). */
  private kubeletDown: string | undefined;
  /** The ephemeral container this run added to the speaker pod, once attached. */
  private ephemeral: AddedContainer | undefined;
  /** Set once the Services are listed (the probes need them). */
  private servicesListed = false;
  /**
   * The FRR pod's `reloader` container when it can run vtysh as well (see vtyshStandIn): the FRR
   * lane then takes one exec instead of two. Cleared when that exec could not start.
   */
  private frrStandIn: string | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly node: string,
    private readonly progress: (msg: string) => void,
  ) {
    this.mode = ctx.found.discovery.mode;
    this.speaker = ctx.found.speakerByNode.get(node);
    this.frrK8s = ctx.found.frrK8sByNode.get(node);
    this.record = { node, status: 'ok', steps: [] };
    if (this.speaker) this.record.speakerPod = podName(this.speaker);
    if (this.mode === 'frr' && this.speaker?.spec?.containers?.some((c) => c.name === 'frr')) this.frrPod = this.speaker;
    if (this.mode === 'frr-k8s' && this.frrK8s?.spec?.containers?.some((c) => c.name === 'frr')) this.frrPod = this.frrK8s;
    if (this.frrPod) {
      this.record.frrPod = podName(this.frrPod);
      const ns = this.frrPod.metadata?.namespace ?? '';
      if (ctx.rbac.allowed('create', '', 'pods', 'exec', ns)) {
        this.frrLane.target = { namespace: ns, pod: podName(this.frrPod), container: 'frr' };
        this.frrStandIn = vtyshStandIn(this.frrPod);
      } else this.frrLane.unusable = `RBAC: not allowed to create pods/exec in ${ns}`;
    } else if (this.mode !== 'native') {
      this.frrLane.unusable = this.mode === 'frr' ? 'no speaker pod with an frr container on this node' : 'no frr-k8s pod on this node';
    }
    this.items = nodeItems.filter((i) => !i.modes || i.modes.includes(this.mode));
    this.attachSent = new Promise<void>((resolve) => (this.attachRequested = resolve));
    void ctx.lbServicesReady.then(() => (this.servicesListed = true));
  }

  private skipReason(lane: Lane): string | undefined {
    if (this.ctx.interrupted() || this.ctx.timedOut()) return this.ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached';
    if (!lane.target || lane.unusable) return lane.unusable ?? 'no container to run it in';
    return undefined;
  }

  private containerFor(item: NodeItem, lane: Lane): string {
    if (item.runIn !== 'frr') return lane.target!.container;
    if (item.container && this.frrPod?.spec?.containers?.some((c) => c.name === item.container)) return item.container;
    return this.frrStandIn ?? lane.target!.container;
  }

  /**
   * The API server cannot reach this node's kubelet: no exec, log or metrics read will work, so
   * both lanes stop at once instead of waiting out a dial timeout per command.
   */
  noteKubelet(error: string | undefined): void {
    const m = error ? kubeletDialError.exec(error) : null;
    if (!m || this.kubeletDown) return;
    this.kubeletDown = `kubelet on ${this.node} unreachable from the API server (${m[0]}): exec, logs and metrics of its pods could not be collected; check that the control plane reaches TCP 10250 on the node and that the kubelet runs`;
    this.debugLane.unusable ??= this.kubeletDown;
    this.frrLane.unusable ??= this.kubeletDown;
  }

  /** Writes an item's output and records its step; counts timeouts towards "not answering". */
  private async recordOutcome(item: NodeItem, lane: Lane, o: ExecOutcome): Promise<void> {
    this.noteKubelet(o.error);
    const file = nodeFilePath(this.node, item.file);
    const { status, problem } = statusOf(o);
    const files: string[] = [];
    if (o.stdout.length > 0 || o.exitCode === 0) {
      await this.ctx.writer.bytes(file, o.stdout, item.binary);
      files.push(file);
    }
    this.steps.push(step(item.id, status, o.durationMs, files, status === 'ok' ? undefined : describeOutcome(o), { exitCode: o.exitCode, problem }));
    if (o.timedOut) {
      lane.timeouts++;
      this.nodeTimeouts++;
      if (lane.timeouts >= maxConsecutiveTimeouts) lane.unusable = `not answering: ${lane.timeouts} commands timed out in ${lane.target!.pod}/${lane.target!.container}`;
      // Both lanes exec through the same kubelet: when it stops answering, stop both.
      if (this.nodeTimeouts >= maxConsecutiveTimeouts) {
        const why = `node not answering: ${this.nodeTimeouts} commands timed out`;
        this.debugLane.unusable ??= why;
        this.frrLane.unusable ??= why;
      }
    } else lane.timeouts = 0;
    if (targetGone(o)) lane.unusable = `container gone: ${describeOutcome(o)}`;
  }

  /** One item, one exec: the fallback when a batch cannot run (no shell or no `timeout`). */
  private async runItem(item: NodeItem, lane: Lane): Promise<void> {
    const skip = this.skipReason(lane);
    if (skip) {
      this.steps.push(step(item.id, 'skipped', 0, [], skip, { problem: true }));
      return;
    }
    this.progress(item.title);
    const remaining = Math.max(1000, this.ctx.settings.deadline - Date.now());
    const container = this.containerFor(item, lane);
    const o = await this.ctx.kube.retries.scope({ step: item.id }, () => execCapture(this.ctx.kube, { ...lane.target!, container, command: item.command, timeoutMs: Math.min(item.timeoutMs, remaining), maxBytes: item.maxBytes }));
    if (o.httpCode === 404 || o.httpCode === 400) o.error = await explainRefusedExec(this.ctx, lane.target!.namespace, lane.target!.pod, container, o.error);
    await this.recordOutcome(item, lane, o);
  }

  /**
   * A lane's items, one exec per container (see batch.ts); falls back to one exec per item.
   * `riders` (probes, the end marker) run at the end of the first group's batch; its run is returned
   * so that their owner can read them (undefined when no batch ran).
   */
  async runLane(laneItems: NodeItem[], lane: Lane, riders: BatchItem[] = []): Promise<BatchRun | undefined> {
    const groups = new Map<string, NodeItem[]>();
    for (const item of laneItems) {
      const key = lane.target && !lane.unusable ? `${item.runIn}/${this.containerFor(item, lane)}` : item.runIn;
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
    let ridden: BatchRun | undefined;
    for (const group of groups.values()) {
      const extra = ridden ? [] : riders;
      const { retry, regroup, batch } = group.length + extra.length > 1 ? await this.runNodeBatch(group, lane, extra) : { retry: group, batch: undefined };
      if (extra.length) ridden = batch;
      for (const item of retry) await this.runItem(item, lane);
      // The reloader could not run the batch (not running, restarting): vtysh's items go to the
      // frr container itself, as they would without a stand-in.
      if (regroup?.length) await this.runLane(regroup, lane);
    }
    return ridden;
  }

  /**
   * Runs `group` (then `riders`) as one batch exec; returns the items that need a plain exec
   * instead (`retry`) and those to run again as a lane of their own (`regroup`: the stand-in failed).
   */
  private async runNodeBatch(group: NodeItem[], lane: Lane, riders: BatchItem[] = []): Promise<{ retry: NodeItem[]; regroup?: NodeItem[]; batch?: BatchRun }> {
    if (this.skipReason(lane)) return { retry: group };
    const container = this.containerFor(group[0]!, lane);
    this.progress(group.map((i) => i.title).join(', '));
    const outcome = await this.ctx.kube.retries.scope({ step: `${group[0]!.runIn}.batch` }, () => execBatch(this.ctx, lane.target!, container, [...group, ...riders]));
    this.noteKubelet(outcome.exec.error);
    if (outcome.noShell) return { retry: group, batch: outcome };
    let recorded = group;
    let regroup: NodeItem[] | undefined;
    if (this.frrStandIn && container === this.frrStandIn && ![...outcome.results.values()].some((r) => r.started) && !this.kubeletDown && !this.skipReason(lane)) {
      // Nothing ran in the stand-in: its own items (the reloader's files) fail as they would have,
      // vtysh's run in frr.
      this.frrStandIn = undefined;
      regroup = group.filter((i) => !i.container);
      recorded = group.filter((i) => i.container);
    }
    for (const [index, item] of recorded.entries()) {
      const r = outcome.results.get(item.id)!;
      // No `timeout` in the image: this item and the rest need a plain exec each.
      if (r.finished && r.exitCode === 127 && /timeout: (applet )?not found|timeout: command not found/.test(r.stderr)) return { retry: recorded.slice(index), regroup, batch: outcome };
      if (!r.started) {
        const skip = this.skipReason(lane);
        this.steps.push(step(item.id, 'skipped', 0, [], skip ?? `not run: ${outcome.why}`, { problem: true }));
        continue;
      }
      await this.recordOutcome(item, lane, batchItemOutcome(r, item, outcome.exec));
    }
    return { retry: [], regroup, batch: outcome };
  }

  /**
   * The debug container's work: the catalogue's items and the probes. Exec round trips are the
   * node's critical path, so the probes ride in the same exec once the Services are listed (the
   * connect probes, kube-proxy's rules and the ARP probes, which find the node IP's interface in
   * their own shell), and, when nothing else will run in the container afterwards (no capture), so
   * does the end marker. What could not ride runs in an exec of its own afterwards, as before.
   */
  async runDebugLane(): Promise<void> {
    const { ctx, node } = this;
    const lane = this.debugLane;
    const inOwnContainer = !!this.ephemeral && lane.target?.container === this.ephemeral.container;
    // Nothing runs in the container after this lane without a capture.
    const endable = inOwnContainer && !ctx.settings.capture;
    const early = ctx.settings.probe && this.servicesListed && inOwnContainer ? planProbes(ctx, node, this.steps) : undefined;
    const riders = [...(early?.items ?? []), ...(early && endable ? [endItem] : [])];
    const batch = await this.runLane(this.items.filter((i) => i.runIn === 'debug'), lane, riders);
    const rode = !!early && !!batch && !batch.noShell && !!batch.results.get(early.connect.id)?.started;
    if (early && rode) await recordProbes(ctx, node, lane, early, outcomesOf(ctx, lane.target!, batch, this.progress), this.steps);
    this.noteEnd(batch);
    if (!ctx.settings.probe) {
      this.steps.push(step('probe.arping', 'skipped', 0, [], 'disabled (--no-probe)'));
      return;
    }
    // Done; an end marker that did not ride is sent by endDebugContainer.
    if (rode) return;
    const end = endable && !this.ephemeral?.endRequested ? endItem : undefined;
    const probes = await ctx.kube.retries.scope({ step: 'probe.arping' }, () => runProbes(ctx, node, lane, this.steps, this.progress, { planned: early, end }));
    this.noteEnd(probes);
  }

  /** Records an end marker that ran at the end of a batch: the container needs no separate exec to end. */
  private noteEnd(batch: BatchRun | undefined): void {
    if (this.ephemeral && endMarkerRan(batch)) this.ephemeral.endRequested = true;
  }

  /** Logs and metrics of the MetalLB pods on the node: they need no attach. */
  async collectPodsOnNode(): Promise<void> {
    for (const pod of [this.speaker, this.frrK8s].filter((p): p is V1Pod => !!p)) {
      const [logs, metrics] = await Promise.all([collectPodLogs(this.ctx, pod), collectPodMetrics(this.ctx, pod, bundlePath('nodes', safePathSegment(this.node)))]);
      for (const s of [...logs, ...metrics]) this.noteKubelet(s.reason);
      this.steps.push(...logs, ...metrics);
    }
    if (!this.speaker) this.steps.push(step('logs.speaker', 'skipped', 0, [], 'no speaker pod on this node', { problem: true }));
  }

  /** The debug container (ephemeral or node pod), else the frr container as a fallback. */
  async attach(): Promise<void> {
    const { ctx } = this;
    this.progress('attaching');
    const attachStep = `attach.${ctx.settings.strategy}`;
    if (ctx.interrupted() || ctx.timedOut()) {
      this.attachReason = ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached';
      this.steps.push(step(attachStep, 'skipped', 0, [], this.attachReason, { problem: true }));
    } else if (ctx.settings.strategy === 'ephemeral') await this.attachEphemeralContainer(attachStep);
    else if (ctx.debugDaemonSet) await this.attachDaemonSetPod(ctx.debugDaemonSet, attachStep);
    else await this.attachDebugPod(attachStep);
    this.attachRequested(); // also when the attach was skipped or failed before its request
    // Fallback: the frr container has ip and ss and sees the node's network namespace (hostNetwork).
    if (!this.debugLane.target) {
      if (this.frrLane.target) {
        this.debugLane.target = this.frrLane.target;
        this.debugViaFrr = true;
        this.record.access = 'frr-exec';
      } else {
        this.debugLane.unusable = `no debug container: ${this.attachReason ?? 'attach failed'}`;
        this.record.access = 'none';
      }
    }
  }

  private lifetimeSeconds(): number {
    return Math.max(60, Math.ceil((this.ctx.settings.deadline - Date.now()) / 1000) + 60);
  }

  private async attachEphemeralContainer(attachStep: string): Promise<void> {
    const { ctx, speaker } = this;
    const ns = ctx.found.discovery.namespace;
    if (!speaker) this.attachReason = 'no speaker pod on this node';
    else if (!ctx.rbac.allowed('patch', '', 'pods', 'ephemeralcontainers', ns)) this.attachReason = `RBAC: not allowed to patch pods/ephemeralcontainers in ${ns}`;
    else if (ctx.ephemeralBlocked) this.attachReason = ctx.ephemeralBlocked;
    if (this.attachReason) {
      this.steps.push(step(attachStep, 'skipped', 0, [], this.attachReason, { problem: true }));
      return;
    }
    const res = await attachEphemeral(ctx.kube, {
      namespace: speaker!.metadata?.namespace ?? ns,
      pod: podName(speaker),
      name: `mlb-report-${ctx.settings.runId}`,
      image: ctx.settings.image,
      lifetimeSeconds: this.lifetimeSeconds(),
      startTimeoutMs: ctx.settings.attachTimeoutMs,
      watcher: ctx.podWatcher(speaker!.metadata?.namespace ?? ns),
      onRequested: this.attachRequested,
    });
    if (res.added) ctx.added.push(res.added);
    if (res.ok) {
      this.ephemeral = res.added;
      this.debugLane.target = res.target;
      this.record.access = 'ephemeral';
      this.steps.push(step(attachStep, 'ok', res.durationMs, [], `${res.target.pod}/${res.target.container}`));
    } else {
      this.attachReason = res.reason;
      if (res.code === 403 || /not supported/.test(res.reason)) ctx.ephemeralBlocked = res.reason;
      if (res.podGone && this.frrPod === speaker) this.frrLane.unusable = res.reason;
      this.steps.push(step(attachStep, 'failed', res.durationMs, [], res.reason, { problem: true }));
    }
  }

  private async attachDebugPod(attachStep: string): Promise<void> {
    const { ctx } = this;
    const ns = ctx.settings.debugNamespace ?? ctx.found.discovery.namespace;
    if (!ctx.rbac.allowed('create', '', 'pods', undefined, ns)) {
      this.attachReason = `RBAC: not allowed to create pods in ${ns}`;
      this.steps.push(step(attachStep, 'skipped', 0, [], this.attachReason, { problem: true }));
      return;
    }
    const res = await attachNodePod(ctx.kube, {
      namespace: ns,
      node: this.node,
      runId: ctx.settings.runId,
      image: ctx.settings.image,
      lifetimeSeconds: this.lifetimeSeconds(),
      startTimeoutMs: ctx.settings.attachTimeoutMs,
      watcher: ctx.podWatcher(ns),
      onRequested: this.attachRequested,
    });
    if (res.added) ctx.added.push(res.added);
    this.recordPodAttach(res, attachStep);
  }

  /** A node debug pod (its own or the DaemonSet's) as the debug lane's target, or why there is none. */
  private recordPodAttach(res: AttachResult, attachStep: string): void {
    if (res.ok) {
      this.debugLane.target = res.target;
      this.record.access = 'node-pod';
      this.steps.push(step(attachStep, 'ok', res.durationMs, [], `${res.target.pod}/${res.target.container}`));
    } else {
      this.attachReason = res.reason;
      this.steps.push(step(attachStep, 'failed', res.durationMs, [], res.reason, { problem: true }));
    }
  }

  /** --strategy daemonset: the run's DaemonSet pod on this node, used like a node debug pod. */
  private async attachDaemonSetPod(ds: DebugDaemonSet, attachStep: string): Promise<void> {
    const { ctx } = this;
    // Not in ctx.added: the DaemonSet's one delete removes every pod of it.
    this.recordPodAttach(await ds.attach(this.node, ctx.settings.attachTimeoutMs, ctx.podWatcher(ds.options.namespace)), attachStep);
  }

  /**
   * The node's work is done: its ephemeral container's main process may end now (see
   * attach/index.ts idleCommand). After Ctrl-C or --timeout the cleanup does it instead.
   */
  async endDebugContainer(): Promise<void> {
    // Already ended by the marker at the end of its last batch (runDebugLane).
    if (!this.ephemeral || this.ephemeral.endRequested || this.ctx.interrupted() || this.ctx.timedOut()) return;
    const target = { namespace: this.ephemeral.namespace, pod: this.ephemeral.pod, container: this.ephemeral.container };
    this.ephemeral.endRequested = await endDebugContainer(this.ctx.kube, target);
  }

  /** The node's status: failed when nothing useful came back, partial when a step had a problem. */
  verdict(): NodeRecord {
    const { steps, record } = this;
    const useful = steps.filter((s) => (s.status === 'ok' || s.status === 'partial') && !s.step.startsWith('attach.'));
    const problems = steps.filter((s) => s.problem);
    record.steps = steps.map(publicStep);
    if (this.kubeletDown) {
      // One cause for every failed step: name it, whatever else the node managed.
      record.status = useful.length === 0 ? 'failed' : 'partial';
      record.reason = this.kubeletDown;
    } else if (useful.length === 0) {
      record.status = 'failed';
      record.reason = this.attachReason ?? problems[0]?.reason ?? 'nothing could be collected';
    } else if (problems.length > 0) {
      record.status = 'partial';
      const first = steps.find((s) => s.problem && s.step.startsWith('attach.')) ?? problems[0]!;
      record.reason = `${first.step}: ${first.reason ?? first.status}`;
    } else {
      record.status = 'ok';
    }
    if (this.debugViaFrr && record.status === 'ok') record.reason = `commands ran in the frr container (${this.attachReason})`;
    return record;
  }
}

/** Time a batch's watchdog grants beyond an item's own `timeout`, for the marker to arrive. */
const batchSlackMs = 5_000;

interface BatchRun {
  results: Map<string, BatchItemResult>;
  /** The exec as a whole. */
  exec: ExecOutcome;
  /** No shell could start (distroless or a refused exec): run the items one exec each. */
  noShell: boolean;
  /** Why items that never started did not (for their step reason). */
  why: string;
}

/**
 * Runs `items` in one exec (batch.ts) with a watchdog per item: the batch is cut when the running
 * item outlives its timeout plus slack, keeping every item that finished before.
 */
export async function execBatch(ctx: RunContext, target: AttachedTarget, container: string, items: BatchItem[]): Promise<BatchRun> {
  const nonce = newNonce();
  const watchdog = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (item: BatchItem | undefined): void => {
    clearTimeout(timer);
    if (!item) return;
    const ms = item.timeoutMs + batchSlackMs;
    timer = setTimeout(() => watchdog.abort(new Error(`timed out after ${ms} ms (${item.id})`)), ms);
  };
  const demux = new BatchDemux(items, nonce, (_id, index) => arm(items[index + 1]));
  const remaining = Math.max(1000, ctx.settings.deadline - Date.now());
  const total = items.reduce((sum, i) => sum + i.timeoutMs + batchSlackMs, 0);
  const exec = await execCapture(ctx.kube, {
    ...target,
    container,
    command: batchCommand(items, nonce),
    timeoutMs: Math.min(total, remaining),
    // Marker lines are small; each item's own cap is applied when the batch is split.
    maxBytes: items.reduce((sum, i) => sum + i.maxBytes, 0) + 64 * 1024,
    onStdout: (c) => demux.pushStdout(c),
    onStderr: (t) => demux.pushStderr(t),
    cancel: watchdog.signal,
    // The watchdog counts from the exec's start, not from the wait for a stream slot.
    onStart: () => {
      demux.start();
      arm(items[0]);
    },
  }).finally(() => clearTimeout(timer));
  if (exec.httpCode === 404 || exec.httpCode === 400) exec.error = await explainRefusedExec(ctx, target.namespace, target.pod, container, exec.error);
  const results = demux.results();
  const anyStarted = [...results.values()].some((r) => r.started);
  // A start failure (no sh in the image) comes back as exit 126/127 or an OCI "executable file not found".
  const noShell = !anyStarted && (exec.exitCode === 126 || exec.exitCode === 127 || /executable file not found|no such file or directory/i.test(`${exec.error ?? ''} ${exec.stderr}`));
  const running = demux.running();
  const why = exec.timedOut && running ? `${running.id} did not finish within its timeout` : exec.truncated ? 'output cap of the batch reached' : describeOutcome(exec);
  return { results, exec, noShell, why };
}

/** One item of a batch as if it had run in its own exec. */
export function batchItemOutcome(r: BatchItemResult, item: BatchItem, batch: ExecOutcome): ExecOutcome {
  if (r.finished) {
    return {
      stdout: r.stdout,
      stderr: r.stderr,
      exitCode: r.timedOut ? undefined : r.exitCode,
      error: r.timedOut ? `timed out after ${Math.ceil(item.timeoutMs / 1000)} s (exit code ${r.exitCode})` : undefined,
      truncated: r.truncated,
      timedOut: r.timedOut,
      durationMs: r.durationMs,
    };
  }
  // Started and cut: by the watchdog (a timeout), the byte cap, or the connection.
  return {
    stdout: r.stdout,
    stderr: r.stderr,
    error: batch.timedOut ? `timed out after ${item.timeoutMs + batchSlackMs} ms` : batch.error ?? 'the exec ended before the command did',
    httpCode: batch.httpCode,
    truncated: r.truncated || batch.truncated,
    timedOut: batch.timedOut,
    durationMs: r.durationMs,
  };
}

/** The exec upgrade error carries no body: ask the API what happened to the pod/container. */
async function explainRefusedExec(ctx: RunContext, namespace: string, pod: string, container: string, original: string | undefined): Promise<string> {
  try {
    const p = await ctx.kube.core.readNamespacedPod({ name: pod, namespace });
    const names = [...(p.spec?.containers ?? []), ...(p.spec?.ephemeralContainers ?? [])].map((c) => c.name);
    if (!names.includes(container)) return `container ${container} not found in pod ${pod} (${original ?? 'exec refused'})`;
    return original ?? 'exec refused';
  } catch (e) {
    const info = apiError(e);
    return info.code === 404 ? `pod ${pod} was deleted during the run` : original ?? info.message;
  }
}

/** How long a capture waits for the Service list before it starts without the LoadBalancer IPs. */
const lbIpWaitMs = 3000;

async function runCapture(ctx: RunContext, node: string, lane: Lane, viaFrr: boolean, steps: Step[], progress: (m: string) => void): Promise<void> {
  if (viaFrr) {
    steps.push(step('capture', 'skipped', 0, [], 'no tcpdump in the FRR image (debug container unavailable)', { problem: true }));
    return;
  }
  if (!lane.target) {
    steps.push(step('capture', 'skipped', 0, [], lane.unusable ?? 'no debug container', { problem: true }));
    return;
  }
  if (ctx.interrupted() || ctx.timedOut()) {
    steps.push(step('capture', 'skipped', 0, [], ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached', { problem: true }));
    return;
  }
  // The Services' own packets need their IPs in the filter. The Service list usually arrives while the
  // container starts; a capture does not wait for it longer than lbIpWaitMs (the window would slip).
  let timer: NodeJS.Timeout | undefined;
  const listed = await Promise.race([ctx.lbServicesReady.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), lbIpWaitMs)))]).finally(() => clearTimeout(timer));
  progress(`capturing ${ctx.settings.captureSeconds} s`);
  const seconds = ctx.settings.captureSeconds;
  const filter = captureFilterWithLbIps(listed ? servicePlan(ctx).lbIps : []);
  if (listed) ctx.noteCaptureFilter(filter);
  const o = await execCapture(ctx.kube, { ...lane.target, command: captureCommand(seconds, filter), timeoutMs: seconds * 1000 + 20_000, maxBytes: 64 * 1024 * 1024, windowed: true });
  if (o.httpCode === 404 || o.httpCode === 400) o.error = await explainRefusedExec(ctx, lane.target.namespace, lane.target.pod, lane.target.container, o.error);
  const files: string[] = [];
  const split = splitCapture(o.stdout);
  if (o.stdout.length > 0) {
    const textFile = nodeFilePath(node, captureFiles.text);
    await ctx.writer.text(textFile, split.text);
    files.push(textFile);
  }
  let note: string | undefined;
  if (split.pcap) {
    if (ctx.settings.redactIps) {
      // Packet bytes carry addresses the text redaction cannot rewrite: keep only the redacted decode.
      note = 'pcap left out because --redact-ips cannot rewrite packet bytes';
    } else {
      const pcapFile = nodeFilePath(node, captureFiles.pcap);
      await ctx.writer.bytes(pcapFile, split.pcap, true);
      files.push(pcapFile);
    }
  }
  let { status, problem } = statusOf(o);
  if (status === 'ok' && !split.complete) {
    status = 'partial';
    problem = true;
  }
  if (!listed) note = [note, `LoadBalancer IPs not in the filter (Services not listed within ${lbIpWaitMs / 1000} s)`].filter(Boolean).join('; ');
  const reason = status === 'ok' ? note : `${describeOutcome(o)}${split.complete ? '' : ' (no pcap in the output)'}`;
  steps.push(step('capture', status, o.durationMs, files, reason, { exitCode: o.exitCode, problem }));
}

/** Services a node probes, endpoints and LB IP included: the connect-probe batch item and what it holds. */
export function connectProbePlan(ctx: RunContext, node: string): { probes: ConnectProbe[]; summary: string } {
  const probes: ConnectProbe[] = [{ id: 'api/healthz', url: apiProbeUrl('/healthz') }];
  // Memberlist: the next speakers in name order (a ring), so every pair is sampled from one side.
  const { speakerRing: speakerNodes } = servicePlan(ctx);
  const at = speakerNodes.indexOf(node);
  const peers: string[] = [];
  if (at >= 0) {
    for (let k = 1; k < speakerNodes.length && peers.length < probeLimits.memberlistPeers; k++) peers.push(speakerNodes[(at + k) % speakerNodes.length]!);
  }
  for (const peer of peers) {
    const ip = nodeInternalIp(ctx, peer);
    if (ip) probes.push({ id: `memberlist/${peer}`, url: tcpProbeUrl(ip, 7946) });
  }
  // Services: every node probes every Service in small clusters, a few nodes per Service above.
  const { servicesByKey, servicesByNode, slicesByService } = servicePlan(ctx);
  const key = serviceKey;
  const mine = (servicesByNode.get(node) ?? []).map((k) => servicesByKey.get(k)!);
  let endpointCount = 0;
  let lbCount = 0;
  const chosen = mine.slice(0, probeLimits.services);
  for (const svc of chosen) {
    const port = (svc.spec?.ports ?? []).find((p) => (p.protocol ?? 'TCP') === 'TCP');
    if (!port) continue;
    const k = key(svc);
    const slices = slicesByService.get(k) ?? [];
    const targets: { ip: string; port: number }[] = [];
    for (const slice of slices) {
      const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '')) ?? slice.ports?.[0];
      if (!sp?.port) continue;
      for (const e of slice.endpoints ?? []) {
        if (e.conditions?.ready === false || !e.addresses?.[0] || targets.length >= probeLimits.endpointsPerService) continue;
        targets.push({ ip: e.addresses[0], port: sp.port });
      }
    }
    targets.forEach((t, i) => probes.push({ id: `endpoint/${k}/${i}`, url: tcpProbeUrl(t.ip, t.port) }));
    endpointCount += targets.length;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      if (!ing.ip) continue;
      probes.push({ id: `lb/${k}/${port.port}`, url: tcpProbeUrl(ing.ip, port.port) });
      lbCount++;
      break;
    }
  }
  const skipped = mine.length - chosen.length;
  const summary = `API /healthz; TCP 7946 to ${peers.length} speaker(s); ${endpointCount} endpoint(s) and ${lbCount} LoadBalancer IP(s) of ${chosen.length} Service(s)${skipped > 0 ? ` (${skipped} more Services not probed, limit ${probeLimits.services})` : ''}`;
  return { probes, summary };
}

/** Ends the debug container's main process (attach/index.ts idleCommand) as the last item of a batch. */
export const endItem: BatchItem = { id: 'end', command: endCommand, timeoutMs: 5000, maxBytes: 4096 };

/** Whether `endItem` ran to success at the end of `batch`: the container is ending, no end exec needed. */
export function endMarkerRan(batch: BatchRun | undefined): boolean {
  const r = batch && !batch.noShell ? batch.results.get(endItem.id) : undefined;
  return !!r?.finished && r.exitCode === 0;
}

/** A node's probes, planned from the listed Services: one batch item each, and what each step records. */
interface PlannedProbes {
  plan: ReturnType<typeof connectProbePlan>;
  connect: BatchItem;
  rules?: BatchItem;
  arpings: { ip: string; item: BatchItem }[];
  items: BatchItem[];
}

/**
 * Plans the node's probes (the Services must be listed): connect probes, kube-proxy's rules for the
 * LB IPs and the ARP probes. Steps for what will not run (no IPs, no node IP, over the limit) are
 * recorded now.
 */
function planProbes(ctx: RunContext, node: string, steps: Step[]): PlannedProbes {
  const plan = connectProbePlan(ctx, node);
  // TCP and HTTPS probes: all at once (about 2 s), inside the capture window.
  const connect: BatchItem = { id: 'connect', command: connectProbeCommand(plan.probes), timeoutMs: (probeTimeoutSeconds + 3) * 1000, maxBytes: 1024 * 1024 };
  const { rulesCommand, lbIps } = servicePlan(ctx);
  // kube-proxy's rules for the LB IPs: they send nothing, and need the IPs too.
  const rules: BatchItem | undefined = rulesCommand ? { id: 'rules', command: rulesCommand, timeoutMs: 15_000, maxBytes: 4 * 1024 * 1024 } : undefined;
  const arpings: PlannedProbes['arpings'] = [];
  if (lbIps.length === 0) steps.push(step('probe.arping', 'skipped', 0, [], 'no LoadBalancer IPs assigned'));
  else {
    const nodeIp = nodeInternalIp(ctx, node);
    // arping speaks IPv4 ARP; IPv6 neighbours are visible in ip neigh and the capture instead.
    const v4 = servicePlan(ctx).arpingByNode.get(node) ?? [];
    if (!nodeIp) steps.push(step('probe.arping', 'skipped', 0, [], 'node has no InternalIP', { problem: true }));
    else if (v4.length === 0) steps.push(step('probe.arping', 'skipped', 0, [], 'no LoadBalancer IP assigned to this node for probing (large cluster: each IP is probed from a few nodes)'));
    else {
      for (const ip of v4.slice(0, maxProbesPerNode)) {
        const command = arpingProbeCommand(ip, nodeIp);
        // Raw address: the manifest is redacted as it is written (a redacted one would be mapped again).
        if (command) arpings.push({ ip, item: { id: `arping-${arpings.length}`, command, timeoutMs: 10_000, maxBytes: 256 * 1024 } });
        else steps.push(step(`probe.arping.${ip}`, 'skipped', 0, [], `not probed: ${ip} or the node IP ${nodeIp} is not a plain IPv4 address`, { problem: true }));
      }
      if (v4.length > maxProbesPerNode) steps.push(step('probe.arping.more', 'skipped', 0, [], `${v4.length - maxProbesPerNode} more LoadBalancer IPs not probed (limit ${maxProbesPerNode} per node)`));
    }
  }
  return { plan, connect, rules, arpings, items: [connect, ...(rules ? [rules] : []), ...arpings.map((a) => a.item)] };
}

/** An item's outcome: from `batch`, or from an exec of its own when no batch could run (no shell). */
type OutcomeOf = (item: BatchItem, label: string) => Promise<ExecOutcome | string>;

function outcomesOf(ctx: RunContext, target: AttachedTarget, batch: BatchRun | undefined, progress: (m: string) => void): OutcomeOf {
  const sequential = !batch || batch.noShell;
  return async (item, label) => {
    if (sequential) {
      progress(label);
      return execCapture(ctx.kube, { ...target, command: item.command, timeoutMs: item.timeoutMs, maxBytes: item.maxBytes });
    }
    const r = batch.results.get(item.id)!;
    if (!r.started) return `not run: ${batch.why}`;
    return batchItemOutcome(r, item, batch.exec);
  };
}

/** Writes the probes' outputs and records their steps. */
async function recordProbes(ctx: RunContext, node: string, lane: Lane, probes: PlannedProbes, outcomeOf: OutcomeOf, steps: Step[]): Promise<void> {
  const stopped = (): string | undefined => (ctx.interrupted() ? 'interrupted' : ctx.timedOut() ? 'run timeout (--timeout) reached' : undefined);
  if (stopped()) steps.push(step('probe.connect', 'skipped', 0, [], stopped()!, { problem: true }));
  else {
    const o = await outcomeOf(probes.connect, 'connect probes');
    if (typeof o === 'string') steps.push(step('probe.connect', 'skipped', 0, [], o, { problem: true }));
    else {
      const file = nodeFilePath(node, connectProbeFile);
      const files: string[] = [];
      if (o.stdout.length > 0) {
        await ctx.writer.bytes(file, o.stdout);
        files.push(file);
      }
      const ok = o.exitCode === 0 && o.stdout.length > 0;
      steps.push(step('probe.connect', ok ? 'ok' : o.stdout.length ? 'partial' : 'failed', o.durationMs, files, ok ? probes.plan.summary : `${describeOutcome(o)}; planned: ${probes.plan.summary}`, { exitCode: o.exitCode, problem: !ok }));
    }
  }
  if (probes.rules && !stopped()) {
    const o = await outcomeOf(probes.rules, 'kube-proxy rules');
    if (typeof o === 'string') steps.push(step('net.kube-proxy-rules', 'skipped', 0, [], o, { problem: true }));
    else {
      const file = nodeFilePath(node, dataPathRulesFile);
      if (o.stdout.length > 0) await ctx.writer.bytes(file, o.stdout);
      const ok = o.exitCode === 0 && o.stdout.length > 0;
      steps.push(step('net.kube-proxy-rules', ok ? 'ok' : o.stdout.length ? 'partial' : 'failed', o.durationMs, o.stdout.length ? [file] : [], ok ? undefined : describeOutcome(o), { exitCode: o.exitCode, problem: !ok }));
    }
  }
  for (const [i, { ip, item }] of probes.arpings.entries()) {
    if (stopped() || lane.unusable) break;
    // Step id and file name carry the raw address: the writer redacts the path, the manifest its text.
    const id = `probe.arping.${ip}`;
    const o = await outcomeOf(item, `arping ${ctx.writer.redactor.ip(ip)}`);
    if (typeof o === 'string') {
      steps.push(step(id, 'skipped', 0, [], o, { problem: true }));
      continue;
    }
    const noInterface = o.exitCode === arpingNoInterfaceExit && /no interface holds the node IP/.test(o.stderr);
    if (noInterface) {
      steps.push(step(id, 'skipped', o.durationMs, [], o.stderr.trim(), { problem: true }));
      continue;
    }
    const file = nodeFilePath(node, arpingFile(ip));
    const files: string[] = [];
    if (o.stdout.length > 0 || o.exitCode !== undefined) {
      await ctx.writer.bytes(file, o.stdout);
      files.push(file);
    }
    // arping exits 1 when nobody answered and 2 when it could not probe from that interface (e.g.
    // link down): both describe the node, not a collection failure — unless it lacked the rights.
    const permission = /not permitted|permission denied/i.test(o.stderr);
    const answered = o.exitCode === 0 || o.exitCode === 1 || (o.exitCode === 2 && !permission);
    if (answered) steps.push(step(id, 'ok', o.durationMs, files, o.exitCode === 1 ? 'no reply' : o.exitCode === 2 ? `arping error: ${describeOutcome(o)}` : undefined, { exitCode: o.exitCode }));
    else steps.push(step(id, o.stdout.length ? 'partial' : 'failed', o.durationMs, files, describeOutcome(o), { exitCode: o.exitCode, problem: true }));
    if (o.timedOut) lane.timeouts++;
    if (lane.timeouts >= maxConsecutiveTimeouts) lane.unusable = 'not answering';
    if (o.exitCode === 127 || o.exitCode === 126) {
      // No arping in this container (e.g. the FRR image after a fallback): the other IPs would fail the same way.
      const rest = probes.arpings.length - i - 1;
      if (rest > 0) steps.push(step('probe.arping.rest', 'skipped', 0, [], `arping not available in ${lane.target?.container ?? 'the container'}; ${rest} more IPs not probed`, { problem: true }));
      break;
    }
  }
}

/**
 * The probes in an exec of their own, when they could not ride in the debug lane's batch: planned
 * now (unless `planned` was, and did not run), with `end` last when given. Returns the batch.
 */
async function runProbes(ctx: RunContext, node: string, lane: Lane, steps: Step[], progress: (m: string) => void, opts: { planned?: PlannedProbes; end?: BatchItem }): Promise<BatchRun | undefined> {
  await ctx.lbServicesReady;
  if (!lane.target || lane.unusable) {
    steps.push(step('probe.arping', 'skipped', 0, [], lane.unusable ?? 'no debug container', { problem: true }));
    steps.push(step('probe.connect', 'skipped', 0, [], lane.unusable ?? 'no debug container', { problem: true }));
    return undefined;
  }
  const target = lane.target;
  const probes = opts.planned ?? planProbes(ctx, node, steps);
  // All probes in one exec (batch.ts); one exec each when no shell can start.
  const batch = !ctx.interrupted() && !ctx.timedOut() ? await execBatch(ctx, target, target.container, [...probes.items, ...(opts.end ? [opts.end] : [])]) : undefined;
  if (batch && !batch.noShell) progress(`probes: connect and arping ${probes.arpings.length} IPs`);
  await recordProbes(ctx, node, lane, probes, outcomesOf(ctx, target, batch, progress), steps);
  return batch;
}

/**
 * The container of the FRR pod that can run vtysh in place of `frr`, so that the FRR lane's vtysh
 * commands and the reloader's files take one exec: MetalLB's `reloader` runs the FRR image (it
 * reloads FRR with vtysh itself) and mounts the FRR daemons' sockets. Required here rather than
 * assumed: the same image as `frr`, and the same volume at the same path as frr's /var/run/frr.
 */
export function vtyshStandIn(pod: V1Pod): string | undefined {
  const containers = pod.spec?.containers ?? [];
  const frr = containers.find((c) => c.name === 'frr');
  const reloader = containers.find((c) => c.name === 'reloader');
  if (!frr || !reloader || !frr.image || reloader.image !== frr.image) return undefined;
  const sockets = frr.volumeMounts?.find((m) => m.mountPath === '/var/run/frr');
  const shared = reloader.volumeMounts?.some((m) => m.mountPath === '/var/run/frr' && m.name === sockets?.name && !m.subPath);
  return sockets && !sockets.subPath && shared ? reloader.name : undefined;
}
