/**
 * Which nodes announce a Service, the way MetalLB decides it: L2 elects one leader per IP
 * (first candidate sorted by sha256(node + "#" + ip), speaker/layer2_controller.go), BGP announces
 * from every eligible node. Candidate filters follow docs/metallb.md §5–§6: speaker present and
 * ready, no NetworkUnavailable condition, no exclude-from-external-load-balancers label, the
 * advertisement's nodeSelectors, and for externalTrafficPolicy Local a ready endpoint on the node.
 */
 
import type { KubeObject } from '../../model/cluster.js';
import { poolEntryContains, sha256Hex } from './util.js';
import { anySelectorMatches, selectorMatches, type LabelSelector } from '../../util/label-selectors.js';

// The same selector semantics as the checks and the report use.
export { anySelectorMatches, selectorMatches, type LabelSelector } from '../../util/label-selectors.js';

/** The L2 leader order of `nodes` for `ip`. */
export function l2Order(nodes: string[], ip: string): string[] {
  const keyed = nodes.map((n) => ({ n, h: sha256Hex(`${n}#${ip}`) }));
  keyed.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  return keyed.map((k) => k.n);
}

export function poolForIp(pools: KubeObject[], ip: string): KubeObject | undefined {
  return pools.find((p) => ((p.spec?.addresses ?? []) as string[]).some((a) => poolEntryContains(a, ip)));
}

/** Does an L2Advertisement / BGPAdvertisement apply to a pool? */
export function advertisementSelectsPool(ad: KubeObject, pool: KubeObject): boolean {
  const names: string[] = ad.spec?.ipAddressPools ?? [];
  const sels: LabelSelector[] = ad.spec?.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && sels.length === 0) return true;
  if (names.includes(pool.metadata.name)) return true;
  return sels.some((s) => selectorMatches(s, pool.metadata.labels ?? {}));
}

export interface CandidateNode {
  name: string;
  labels: Record<string, string>;
  speakerReady: boolean;
  networkUnavailable: boolean;
  hasEndpoint: boolean;
}

export const excludeLabel = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Nodes that may announce a service through the given advertisements. */
export function eligibleNodes(nodes: CandidateNode[], ads: KubeObject[], etpLocal: boolean, ignoreExcludeLabel = false): string[] {
  return nodes
    .filter((n) => n.speakerReady && !n.networkUnavailable)
    .filter((n) => ignoreExcludeLabel || !(excludeLabel in n.labels))
    .filter((n) => !etpLocal || n.hasEndpoint)
    .filter((n) => ads.some((ad: any) => anySelectorMatches(ad.spec?.nodeSelectors, n.labels)))
    .map((n) => n.name);
}
