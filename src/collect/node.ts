/**
 * Everything collected for one node: attach (ephemeral container or node pod, with the FRR
 * container as fallback), the catalogue's node items, the packet capture, ARP probes, and the
 * logs and metrics of the MetalLB pods on the node. Never throws: every problem becomes a step
 * status with a reason.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { NodeRecord, StepStatus } from '../model/bundle.js';
import { attachEphemeral, attachNodePod, type AttachedTarget } from '../attach/index.js';
import { describeOutcome, execCapture, type ExecOutcome } from '../attach/exec.js';
import { nodeFilePath, safePathSegment, bundlePath } from '../bundle/paths.js';
import { arpingCommand, arpingFile, captureCommand, captureFiles, nodeItems, type NodeItem } from './catalogue.js';
import type { RunContext, Step } from './context.js';
import { podName, publicStep, step } from './context.js';
import { collectPodLogs, collectPodMetrics } from './pods.js';
import { apiError } from './kube.js';

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

/** Interface that holds `ip` in `ip -j addr` output. */
export function interfaceWithAddress(ipAddrJson: string, ip: string): string | undefined {
  try {
    const links = JSON.parse(ipAddrJson) as { ifname?: string; addr_info?: { local?: string }[] }[];
    return links.find((l) => (l.addr_info ?? []).some((a) => a.local === ip))?.ifname;
  } catch {
    return undefined;
  }
}

function nodeInternalIp(ctx: RunContext, node: string): string | undefined {
  const n = ctx.found.nodes.find((x) => x.metadata?.name === node);
  const addrs = n?.status?.addresses ?? [];
  return addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'ExternalIP')?.address;
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

export async function collectNode(ctx: RunContext, node: string, progress: (msg: string) => void = () => {}): Promise<NodeRecord> {
  const mode = ctx.found.discovery.mode;
  const speaker = ctx.found.speakerByNode.get(node);
  const frrK8s = ctx.found.frrK8sByNode.get(node);
  const steps: Step[] = [];
  const record: NodeRecord = { node, status: 'ok', steps: [] };
  if (speaker) record.speakerPod = podName(speaker);

  // Where FRR lives on this node: the speaker's sidecar (FRR mode) or the frr-k8s pod.
  let frrPod: V1Pod | undefined;
  if (mode === 'frr' && speaker?.spec?.containers?.some((c) => c.name === 'frr')) frrPod = speaker;
  if (mode === 'frr-k8s' && frrK8s?.spec?.containers?.some((c) => c.name === 'frr')) frrPod = frrK8s;
  if (frrPod) record.frrPod = podName(frrPod);
  const frrLane: Lane = { timeouts: 0 };
  if (frrPod) {
    const ns = frrPod.metadata?.namespace ?? '';
    if (ctx.rbac.allowed('create', '', 'pods', 'exec', ns)) frrLane.target = { namespace: ns, pod: podName(frrPod), container: 'frr' };
    else frrLane.unusable = `RBAC: not allowed to create pods/exec in ${ns}`;
  } else if (mode !== 'native') {
    frrLane.unusable = mode === 'frr' ? 'no speaker pod with an frr container on this node' : 'no frr-k8s pod on this node';
  }

  // 1. Attach.
  progress('attaching');
  const debugLane: Lane = { timeouts: 0 };
  const ns = ctx.found.discovery.namespace;
  const attachStep = `attach.${ctx.settings.strategy}`;
  let attachReason: string | undefined;
  if (ctx.interrupted() || ctx.timedOut()) {
    attachReason = ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached';
    steps.push(step(attachStep, 'skipped', 0, [], attachReason, { problem: true }));
  } else if (ctx.settings.strategy === 'ephemeral') {
    if (!speaker) attachReason = 'no speaker pod on this node';
    else if (!ctx.rbac.allowed('patch', '', 'pods', 'ephemeralcontainers', ns)) attachReason = `RBAC: not allowed to patch pods/ephemeralcontainers in ${ns}`;
    else if (ctx.ephemeralBlocked) attachReason = ctx.ephemeralBlocked;
    if (attachReason) {
      steps.push(step(attachStep, 'skipped', 0, [], attachReason, { problem: true }));
    } else {
      const res = await attachEphemeral(ctx.kube, {
        namespace: speaker!.metadata?.namespace ?? ns,
        pod: podName(speaker),
        name: `mlb-report-${ctx.settings.runId}`,
        image: ctx.settings.image,
        lifetimeSeconds: Math.max(60, Math.ceil((ctx.settings.deadline - Date.now()) / 1000) + 60),
        startTimeoutMs: ctx.settings.attachTimeoutMs,
      });
      if (res.added) ctx.added.push(res.added);
      if (res.ok) {
        debugLane.target = res.target;
        record.access = 'ephemeral';
        steps.push(step(attachStep, 'ok', res.durationMs, [], `${res.target.pod}/${res.target.container}`));
      } else {
        attachReason = res.reason;
        if (res.code === 403 || /not supported/.test(res.reason)) ctx.ephemeralBlocked = res.reason;
        if (res.podGone) frrLane.unusable = frrPod === speaker ? res.reason : frrLane.unusable;
        steps.push(step(attachStep, 'failed', res.durationMs, [], res.reason, { problem: true }));
      }
    }
  } else {
    if (!ctx.rbac.allowed('create', '', 'pods', undefined, ns)) {
      attachReason = `RBAC: not allowed to create pods in ${ns}`;
      steps.push(step(attachStep, 'skipped', 0, [], attachReason, { problem: true }));
    } else {
      const res = await attachNodePod(ctx.kube, {
        namespace: ns,
        node,
        runId: ctx.settings.runId,
        image: ctx.settings.image,
        lifetimeSeconds: Math.max(60, Math.ceil((ctx.settings.deadline - Date.now()) / 1000) + 60),
        startTimeoutMs: ctx.settings.attachTimeoutMs,
      });
      if (res.added) ctx.added.push(res.added);
      if (res.ok) {
        debugLane.target = res.target;
        record.access = 'node-pod';
        steps.push(step(attachStep, 'ok', res.durationMs, [], `${res.target.pod}/${res.target.container}`));
      } else {
        attachReason = res.reason;
        steps.push(step(attachStep, 'failed', res.durationMs, [], res.reason, { problem: true }));
      }
    }
  }
  // Fallback: the frr container has ip and ss and sees the node's network namespace (hostNetwork).
  let debugViaFrr = false;
  if (!debugLane.target) {
    if (frrLane.target) {
      debugLane.target = frrLane.target;
      debugViaFrr = true;
      record.access = 'frr-exec';
    } else {
      debugLane.unusable = `no debug container: ${attachReason ?? 'attach failed'}`;
      record.access = 'none';
    }
  }

  // 2. Catalogue items in two lanes (debug container, FRR container) plus the capture, in parallel.
  const rawOutputs = new Map<string, Buffer>();
  let nodeTimeouts = 0;
  const items = nodeItems.filter((i) => !i.modes || i.modes.includes(mode));
  const runItem = async (item: NodeItem, lane: Lane): Promise<void> => {
    const file = nodeFilePath(node, item.file);
    if (ctx.interrupted() || ctx.timedOut()) {
      steps.push(step(item.id, 'skipped', 0, [], ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached', { problem: true }));
      return;
    }
    if (!lane.target || lane.unusable) {
      steps.push(step(item.id, 'skipped', 0, [], lane.unusable ?? 'no container to run it in', { problem: true }));
      return;
    }
    progress(item.title);
    const remaining = Math.max(1000, ctx.settings.deadline - Date.now());
    const container = item.runIn === 'frr' && item.container && frrPod?.spec?.containers?.some((c) => c.name === item.container) ? item.container : lane.target.container;
    const o = await execCapture(ctx.kube, { ...lane.target, container, command: item.command, timeoutMs: Math.min(item.timeoutMs, remaining), maxBytes: item.maxBytes });
    if (o.httpCode === 404 || o.httpCode === 400) o.error = await explainRefusedExec(ctx, lane.target.namespace, lane.target.pod, container, o.error);
    const { status, problem } = statusOf(o);
    const files: string[] = [];
    if (o.stdout.length > 0 || o.exitCode === 0) {
      await ctx.writer.bytes(file, o.stdout, item.binary);
      files.push(file);
      rawOutputs.set(item.id, o.stdout);
    }
    steps.push(step(item.id, status, o.durationMs, files, status === 'ok' ? undefined : describeOutcome(o), { exitCode: o.exitCode, problem }));
    if (o.timedOut) {
      lane.timeouts++;
      nodeTimeouts++;
      if (lane.timeouts >= maxConsecutiveTimeouts) lane.unusable = `not answering: ${lane.timeouts} commands timed out in ${lane.target.pod}/${lane.target.container}`;
      // Both lanes exec through the same kubelet: when it stops answering, stop both.
      if (nodeTimeouts >= maxConsecutiveTimeouts) {
        const why = `node not answering: ${nodeTimeouts} commands timed out`;
        debugLane.unusable ??= why;
        frrLane.unusable ??= why;
      }
    } else lane.timeouts = 0;
    if (targetGone(o)) lane.unusable = `container gone: ${describeOutcome(o)}`;
  };

  const debugItems = items.filter((i) => i.runIn === 'debug');
  const frrItems = items.filter((i) => i.runIn === 'frr');
  const lanes: Promise<void>[] = [];
  // When the debug lane falls back to the frr container, both share one target and run in one lane.
  if (debugViaFrr) {
    lanes.push((async () => { for (const i of [...debugItems, ...frrItems]) await runItem(i, i.runIn === 'frr' ? frrLane : debugLane); })());
  } else {
    lanes.push((async () => { for (const i of debugItems) await runItem(i, debugLane); })());
    lanes.push((async () => { for (const i of frrItems) await runItem(i, frrLane); })());
  }
  if (ctx.settings.capture) lanes.push(runCapture(ctx, node, debugLane, debugViaFrr, steps, progress));
  else steps.push(step('capture', 'skipped', 0, [], 'disabled (--no-capture)'));
  await Promise.all(lanes);

  // 3. ARP probes for every MetalLB IP, from the interface holding the node IP, while the logs and
  // metrics of the MetalLB pods on this node (API only, independent of attach) are fetched beside them.
  const logTimeoutMs = nodeTimeouts >= maxConsecutiveTimeouts ? 5_000 : undefined;
  const probes = (async () => {
    if (ctx.settings.probe) await runProbes(ctx, node, debugLane, rawOutputs.get('net.ip-addr'), steps, progress);
    else steps.push(step('probe.arping', 'skipped', 0, [], 'disabled (--no-probe)'));
  })();
  const logsAndMetrics = (async () => {
    progress('logs and metrics');
    // A node whose kubelet does not answer execs will not serve logs either: fail those fast.
    for (const pod of [speaker, frrK8s].filter((p): p is V1Pod => !!p)) {
      steps.push(...(await collectPodLogs(ctx, pod, logTimeoutMs)));
      steps.push(...(await collectPodMetrics(ctx, pod, bundlePath('nodes', safePathSegment(node)))));
    }
    if (!speaker) steps.push(step('logs.speaker', 'skipped', 0, [], 'no speaker pod on this node', { problem: true }));
  })();
  await Promise.all([probes, logsAndMetrics]);

  // Node verdict.
  const useful = steps.filter((s) => (s.status === 'ok' || s.status === 'partial') && !s.step.startsWith('attach.'));
  const problems = steps.filter((s) => s.problem);
  record.steps = steps.map(publicStep);
  if (useful.length === 0) {
    record.status = 'failed';
    record.reason = attachReason ?? problems[0]?.reason ?? 'nothing could be collected';
  } else if (problems.length > 0) {
    record.status = 'partial';
    const first = steps.find((s) => s.problem && s.step.startsWith('attach.')) ?? problems[0]!;
    record.reason = `${first.step}: ${first.reason ?? first.status}`;
  } else {
    record.status = 'ok';
  }
  if (debugViaFrr && record.status === 'ok') record.reason = `commands ran in the frr container (${attachReason})`;
  return record;
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
  progress(`capturing ${ctx.settings.captureSeconds} s`);
  const seconds = ctx.settings.captureSeconds;
  const o = await execCapture(ctx.kube, { ...lane.target, command: captureCommand(seconds), timeoutMs: seconds * 1000 + 20_000, maxBytes: 64 * 1024 * 1024 });
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
  const reason = status === 'ok' ? note : `${describeOutcome(o)}${split.complete ? '' : ' (no pcap in the output)'}`;
  steps.push(step('capture', status, o.durationMs, files, reason, { exitCode: o.exitCode, problem }));
}

async function runProbes(ctx: RunContext, node: string, lane: Lane, ipAddr: Buffer | undefined, steps: Step[], progress: (m: string) => void): Promise<void> {
  const ips = managedLbIps(ctx);
  if (ips.length === 0) {
    steps.push(step('probe.arping', 'skipped', 0, [], 'no LoadBalancer IPs assigned'));
    return;
  }
  if (!lane.target || lane.unusable) {
    steps.push(step('probe.arping', 'skipped', 0, [], lane.unusable ?? 'no debug container', { problem: true }));
    return;
  }
  const nodeIp = nodeInternalIp(ctx, node);
  const iface = nodeIp && ipAddr ? interfaceWithAddress(ipAddr.toString('utf8'), nodeIp) : undefined;
  if (!iface) {
    steps.push(step('probe.arping', 'skipped', 0, [], nodeIp ? `no interface holds the node IP ${ctx.writer.redactor.ip(nodeIp)} (ip addr not collected?)` : 'node has no InternalIP', { problem: true }));
    return;
  }
  // arping speaks IPv4 ARP; IPv6 neighbours are visible in ip neigh and the capture instead.
  const v4 = probePlan(ips.filter((ip) => !ip.includes(':')), ctx.found.discovery.nodes).get(node) ?? [];
  if (v4.length === 0) {
    steps.push(step('probe.arping', 'skipped', 0, [], 'no LoadBalancer IP assigned to this node for probing (large cluster: each IP is probed from a few nodes)'));
    return;
  }
  for (const ip of v4.slice(0, maxProbesPerNode)) {
    if (ctx.interrupted() || ctx.timedOut() || lane.unusable) break;
    progress(`arping ${ctx.writer.redactor.ip(ip)}`);
    const file = nodeFilePath(node, arpingFile(ctx.writer.redactor.ip(ip)));
    const o = await execCapture(ctx.kube, { ...lane.target, command: arpingCommand(ip, iface), timeoutMs: 10_000, maxBytes: 256 * 1024 });
    const files: string[] = [];
    if (o.stdout.length > 0 || o.exitCode !== undefined) {
      await ctx.writer.bytes(file, o.stdout);
      files.push(file);
    }
    // arping exits 1 when nobody answered and 2 when it could not probe from that interface (e.g.
    // link down): both describe the node, not a collection failure — unless it lacked the rights.
    const permission = /not permitted|permission denied/i.test(o.stderr);
    const answered = o.exitCode === 0 || o.exitCode === 1 || (o.exitCode === 2 && !permission);
    const id = `probe.arping.${ctx.writer.redactor.ip(ip)}`;
    if (answered) steps.push(step(id, 'ok', o.durationMs, files, o.exitCode === 1 ? 'no reply' : o.exitCode === 2 ? `arping error: ${describeOutcome(o)}` : undefined, { exitCode: o.exitCode }));
    else steps.push(step(id, o.stdout.length ? 'partial' : 'failed', o.durationMs, files, describeOutcome(o), { exitCode: o.exitCode, problem: true }));
    if (o.timedOut) lane.timeouts++;
    if (lane.timeouts >= maxConsecutiveTimeouts) lane.unusable = 'not answering';
    if (o.exitCode === 127 || o.exitCode === 126) {
      // No arping in this container (e.g. the FRR image after a fallback): the other IPs would fail the same way.
      if (v4.length > 1) steps.push(step('probe.arping.rest', 'skipped', 0, [], `arping not available in ${lane.target.container}; ${v4.length - 1} more IPs not probed`, { problem: true }));
      break;
    }
  }
  if (v4.length > maxProbesPerNode) steps.push(step('probe.arping.more', 'skipped', 0, [], `${v4.length - maxProbesPerNode} more LoadBalancer IPs not probed (limit ${maxProbesPerNode} per node)`));
}
