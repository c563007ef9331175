/**
 * What the connect probes (`probe/connect.txt` of a node, `controller/probe/connect.txt`) showed,
 * for the data-path checks: failed probes, the lines that prove it, the controller pod.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterModel, ConnectProbeResult } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { rawExcerpt } from './evidence.js';
import { isControllerPod } from './model.js';

/** A probe that did not get what it needs: no connection, or an HTTP answer other than 200. */
export function probeFailed(p: ConnectProbeResult): boolean {
  return p.outcome !== 'ok' && p.outcome !== 'connected';
}

/** `Connection timed out after 2002 milliseconds`, `HTTP 500`, … for a summary. */
export function probeWhy(p: ConnectProbeResult): string {
  if (p.outcome === 'http-error') return `HTTP ${p.httpCode ?? '?'}`;
  if (p.outcome === 'timeout') return `no answer within 2 s (${p.error ?? 'timed out'})`;
  if (p.outcome === 'refused') return p.error ?? 'connection refused';
  return p.error ?? `curl exit ${p.exitCode}`;
}

/** The probe lines themselves, quoted from the file. */
export function probeEvidence(model: ClusterModel, probes: ConnectProbeResult[], label: string): Evidence {
  const path = probes[0]!.path;
  return { path, excerpt: rawExcerpt(model, path, probes.map((p) => `${p.id} `), probes.map((p) => p.line).join('\n'), { maxBlocks: 8 }), label };
}

export function controllerPod(model: ClusterModel): V1Pod | undefined {
  const name = model.discovery?.controller?.name;
  const pods = model.kube.pods.filter(isControllerPod);
  return pods.find((p) => p.metadata?.name === name) ?? pods[0];
}

export const controllerSubject = (model: ClusterModel): { kind: string; name: string; namespace?: string } => {
  const pod = controllerPod(model);
  return { kind: 'Pod', name: pod?.metadata?.name ?? model.discovery?.controller?.name ?? 'controller', namespace: pod?.metadata?.namespace ?? model.discovery?.namespace };
};
