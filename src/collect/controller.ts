/**
 * The controller's debug container: an ephemeral container in the controller pod (same image,
 * batching, timeouts and clean-up as the speakers'), which sees the pod's own network namespace and
 * resolv.conf. It runs the catalogue's controller items in one exec: sockets (is the webhook
 * listening on 9443?), addresses, routes, DNS of kubernetes.default.svc, and the API server's
 * /healthz and /readyz through the `kubernetes` Service ClusterIP. Never throws, and a refusal here
 * changes nothing for the speakers: the controller does not mark ephemeral containers as blocked.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { AddedContainer } from '../model/bundle.js';
import { attachEphemeral, endDebugContainer, type AttachedTarget } from '../attach/index.js';
import { describeOutcome, execCapture, type ExecOutcome } from '../attach/exec.js';
import { controllerItems, type ControllerItem } from '../catalogue/index.js';
import type { RunContext, Step } from './context.js';
import { podName, step } from './context.js';
import { batchItemOutcome, endItem, endMarkerRan, execBatch } from './node.js';

/** The container the debug container joins (process namespace) in the controller pod. */
const controllerContainer = 'controller';

export async function collectControllerNet(ctx: RunContext, pod: V1Pod): Promise<Step[]> {
  const steps: Step[] = [];
  const ns = pod.metadata?.namespace ?? ctx.found.discovery.namespace;
  const attachStep = 'controller.attach.ephemeral';
  const skip = (reason: string, problem = true): Step[] => {
    steps.push(step(attachStep, 'skipped', 0, [], reason, { problem }));
    return steps;
  };
  if (ctx.settings.strategy !== 'ephemeral') return skip(`--strategy ${ctx.settings.strategy}: a node pod sees the node, not the controller pod (the webhook and its DNS live in the pod)`, false);
  if (ctx.interrupted() || ctx.timedOut()) return skip(ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached');
  if (!ctx.rbac.allowed('patch', '', 'pods', 'ephemeralcontainers', ns)) return skip(`RBAC: not allowed to patch pods/ephemeralcontainers in ${ns}`);
  if (!pod.spec?.containers?.some((c) => c.name === controllerContainer)) return skip(`pod ${podName(pod)} has no ${controllerContainer} container`);
  const res = await attachEphemeral(ctx.kube, {
    namespace: ns,
    pod: podName(pod),
    name: `mlb-report-${ctx.settings.runId}`,
    image: ctx.settings.image,
    lifetimeSeconds: Math.max(60, Math.ceil((ctx.settings.deadline - Date.now()) / 1000) + 60),
    startTimeoutMs: ctx.settings.attachTimeoutMs,
    watcher: ctx.podWatcher(ns),
    targetContainer: controllerContainer,
  });
  if (res.added) ctx.added.push(res.added);
  if (!res.ok) {
    steps.push(step(attachStep, 'failed', res.durationMs, [], res.reason, { problem: true }));
    return steps;
  }
  steps.push(step(attachStep, 'ok', res.durationMs, [], `${res.target.pod}/${res.target.container}`));
  const ended = await runItems(ctx, res.target, steps);
  if (ended) res.added.endRequested = true;
  else ctx.pendingEnds.push(end(ctx, res.added));
  return steps;
}

/** Runs the controller items in one batch that ends with the end marker; true when the marker ran. */
async function runItems(ctx: RunContext, target: AttachedTarget, steps: Step[]): Promise<boolean> {
  const batch = await execBatch(ctx, target, target.container, [...controllerItems, endItem]);
  for (const item of controllerItems) {
    let o: ExecOutcome;
    if (batch.noShell) {
      o = await execCapture(ctx.kube, { ...target, command: item.command, timeoutMs: item.timeoutMs, maxBytes: item.maxBytes });
    } else {
      const r = batch.results.get(item.id)!;
      if (!r.started) {
        steps.push(step(item.id, 'skipped', 0, [], `not run: ${batch.why}`, { problem: true }));
        continue;
      }
      o = batchItemOutcome(r, item, batch.exec);
    }
    await record(ctx, item, o, steps);
  }
  return endMarkerRan(batch);
}

/**
 * nslookup and the probes exit non-zero when the answer is bad news (no DNS, API down): that is
 * what was observed, not a collection failure, as long as they printed it.
 */
async function record(ctx: RunContext, item: ControllerItem, o: ExecOutcome, steps: Step[]): Promise<void> {
  const files: string[] = [];
  if (o.stdout.length > 0 || o.exitCode === 0) {
    await ctx.writer.bytes(item.file, o.stdout);
    files.push(item.file);
  }
  const observed = item.parser === 'nslookup' || item.parser === 'connect-probes';
  if (o.exitCode === 0 && !o.truncated) steps.push(step(item.id, 'ok', o.durationMs, files, undefined, { exitCode: 0 }));
  else if (observed && o.exitCode !== undefined && o.exitCode !== 126 && o.exitCode !== 127 && o.stdout.length > 0) steps.push(step(item.id, 'ok', o.durationMs, files, `exit ${o.exitCode} (the output says what failed)`, { exitCode: o.exitCode }));
  else steps.push(step(item.id, o.stdout.length ? 'partial' : 'failed', o.durationMs, files, describeOutcome(o), { exitCode: o.exitCode, problem: true }));
}

async function end(ctx: RunContext, added: AddedContainer): Promise<void> {
  if (ctx.interrupted() || ctx.timedOut()) return;
  added.endRequested = await endDebugContainer(ctx.kube, { namespace: added.namespace, pod: added.pod, container: added.container });
}
