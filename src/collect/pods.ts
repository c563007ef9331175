/**
 * Per-pod API collection: container logs (with --previous when restarted) and Prometheus metrics
 * through the API server's pod proxy.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { logFilePath, bundlePath } from '../bundle/paths.js';
import { logMaxBytes, metricsFile } from '../catalogue/index.js';
import type { RunContext, Step } from './context.js';
import { step } from './context.js';
import { apiError } from '../kube/client.js';
import { getText } from '../kube/http-text.js';

const logTimeoutMs = 20_000;
const metricsTimeoutMs = 15_000;
const metricsMaxBytes = 8 * 1024 * 1024;

/** Logs of every regular container of a MetalLB pod; ephemeral (ours) and init containers are left out. */
export async function collectPodLogs(ctx: RunContext, pod: V1Pod, timeoutMs = logTimeoutMs): Promise<Step[]> {
  const steps: Step[] = [];
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const statuses = pod.status?.containerStatuses ?? [];
  if (!ctx.rbac.allowed('get', '', 'pods', 'log', namespace)) {
    return [step(`logs.${name}`, 'skipped', 0, [], `RBAC: not allowed to get pods/log in ${namespace}`, { problem: true })];
  }
  // Each read is a stream the API server hands to the kubelet: they run side by side (bounded by
  // the run's stream slots), and steps keep the containers' order.
  const reads = (pod.spec?.containers ?? []).flatMap((container) => {
    const restarted = (statuses.find((s) => s.name === container.name)?.restartCount ?? 0) > 0;
    return (restarted ? [false, true] : [false]).map((previous) => ({ container: container.name, previous }));
  });
  const results = await Promise.all(
    reads.map(async ({ container, previous }): Promise<Step> => {
      const id = `logs.${container}${previous ? '.previous' : ''}`;
      const file = logFilePath(name, container, previous);
      const started = Date.now();
      if (ctx.interrupted() || ctx.timedOut()) return step(id, 'skipped', 0, [], ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached', { problem: true });
      try {
        const { text: content, truncated: cut } = await ctx.kube.stream(() =>
          ctx.kube.retries.scope({ step: id }, () => getText(ctx.kube, {
            path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log`,
            query: { container, previous, sinceSeconds: ctx.settings.sinceSeconds, limitBytes: logMaxBytes },
            timeoutMs,
            what: 'log read',
            maxBytes: logMaxBytes,
          })),
        );
        await ctx.writer.text(file, content);
        const truncated = cut || Buffer.byteLength(content) >= logMaxBytes;
        return step(id, truncated ? 'partial' : 'ok', Date.now() - started, [file], truncated ? `log cut at ${logMaxBytes} bytes` : undefined);
      } catch (e) {
        const info = apiError(e);
        return step(id, 'failed', Date.now() - started, [], info.message, { problem: true });
      }
    }),
  );
  steps.push(...results);
  return steps;
}

interface MetricsPort {
  port: number;
  https: boolean;
  container: string;
}

/** HTTP(S) metrics ports a pod declares (container ports named like monitoring/metrics). */
export function metricsPortsOf(pod: V1Pod): MetricsPort[] {
  const out: MetricsPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const name = (p.name ?? '').toLowerCase();
      if (!/monitoring|metrics/.test(name)) continue;
      out.push({ port: p.containerPort, https: /https/.test(name) || [9120, 9121, 9140, 9141].includes(p.containerPort), container: c.name });
    }
  }
  return out;
}

/** Scrapes each declared metrics port through the pod proxy; writes below `dir` (a bundle folder). */
export async function collectPodMetrics(ctx: RunContext, pod: V1Pod, dir: string): Promise<Step[]> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const ports = metricsPortsOf(pod);
  if (ports.length === 0) return [step(`metrics.${name}`, 'skipped', 0, [], 'the pod declares no metrics port')];
  if (!ctx.rbac.allowed('get', '', 'pods', 'proxy', namespace)) {
    return [step(`metrics.${name}`, 'skipped', 0, [], `RBAC: not allowed to get pods/proxy in ${namespace}`)];
  }
  const steps: Step[] = [];
  for (const p of ports) {
    const id = `metrics.${p.container}.${p.port}`;
    const started = Date.now();
    if (ctx.interrupted() || ctx.timedOut()) {
      steps.push(step(id, 'skipped', 0, [], ctx.interrupted() ? 'interrupted' : 'run timeout (--timeout) reached'));
      continue;
    }
    try {
      const { text } = await ctx.kube.stream(() =>
        ctx.kube.retries.scope({ step: id }, () => getText(ctx.kube, {
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(`${p.https ? 'https:' : ''}${name}:${p.port}`)}/proxy/metrics`,
          timeoutMs: metricsTimeoutMs,
          what: 'metrics scrape',
          maxBytes: metricsMaxBytes,
        })),
      );
      const file = bundlePath(dir, metricsFile(p.port));
      await ctx.writer.text(file, text);
      steps.push(step(id, 'ok', Date.now() - started, [file]));
    } catch (e) {
      const info = apiError(e);
      if (p.https && (info.code === 401 || info.code === 403)) {
        steps.push(step(id, 'skipped', Date.now() - started, [], `HTTPS metrics on ${p.port} (MetalLB ≥ v0.16) need a bearer token allowed to GET /metrics; the API server's pod proxy does not forward one (${info.code})`));
      } else {
        // Metrics are best effort: an unreachable endpoint is reported but does not mark the node broken.
        steps.push(step(id, 'skipped', Date.now() - started, [], `metrics not reachable through the pod proxy: ${info.message}`));
      }
    }
  }
  return steps;
}
