/**
 * Offline recomputation of MetalLB's layer-2 leader (speaker/layer2_controller.go ShouldAnnounce):
 * the candidate nodes are the usable speakers, restricted to the nodes an L2Advertisement for the
 * pool selects, minus excluded / NetworkUnavailable nodes, and (externalTrafficPolicy: Local) to
 * nodes with a ready endpoint; the leader is the first candidate ordered by sha256(node + "#" + ip).
 */
import { createHash } from 'node:crypto';
import type { V1Service } from '@kubernetes/client-node';
import type { ClusterModel, KubeObject } from '../../model/cluster.js';
import {
  adSelectsNode,
  adSelectsService,
  findNode,
  hasReadyEndpoint,
  isExcluded,
  l2AdsForPool,
  networkUnavailable,
  readyEndpointNodes,
  readySpeakerNodes,
  speakerByNode,
  speakerIgnoresExcludeLabel,
} from './model.js';

export interface LeaderComputation {
  ip: string;
  /** Candidates in election order; the leader is the first. */
  candidates: string[];
  leader?: string;
  /** Why each non-candidate node was dropped. */
  dropped: Record<string, string>;
}

export function electionOrder(nodes: string[], ip: string): string[] {
  const keys = new Map(nodes.map((n) => [n, createHash('sha256').update(`${n}#${ip}`).digest('hex')]));
  return [...nodes].sort((a, b) => (keys.get(a)! < keys.get(b)! ? -1 : keys.get(a)! > keys.get(b)! ? 1 : 0));
}

export function computeL2Leader(model: ClusterModel, svc: V1Service, pool: KubeObject, ip: string): LeaderComputation {
  const dropped: Record<string, string> = {};
  const ready = readySpeakerNodes(model);
  const speakers = speakerByNode(model);
  const ignoreExclude = speakerIgnoresExcludeLabel(model);
  const local = svc.spec?.externalTrafficPolicy === 'Local';
  const epNodes = readyEndpointNodes(model, svc);
  const ads = l2AdsForPool(model, pool).filter((a) => adSelectsService(a, svc));
  const anyEndpoint = hasReadyEndpoint(model, svc);
  const names = new Set([...model.kube.nodes.map((n) => n.metadata?.name ?? ''), ...speakers.keys()].filter(Boolean));
  const candidates: string[] = [];
  for (const name of names) {
    const node = findNode(model, name);
    if (!anyEndpoint) dropped[name] = 'the service has no ready endpoint';
    else if (!speakers.has(name)) dropped[name] = 'no speaker pod';
    else if (!ready.has(name)) dropped[name] = 'speaker not ready';
    else if (!ads.some((a) => adSelectsNode(a, node))) dropped[name] = 'no L2Advertisement selects this node';
    else if (!ignoreExclude && isExcluded(node)) dropped[name] = 'labelled node.kubernetes.io/exclude-from-external-load-balancers';
    else if (networkUnavailable(node)) dropped[name] = 'NetworkUnavailable condition';
    else if (local && !epNodes.has(name)) dropped[name] = 'externalTrafficPolicy Local and no ready endpoint here';
    else candidates.push(name);
  }
  const ordered = electionOrder(candidates, ip);
  return { ip, candidates: ordered, leader: ordered[0], dropped };
}
