import type { V1Node } from '@kubernetes/client-node';
import type { ClusterModel, KubeObject } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { adSelectsNode, adSelectsService, bgpAdsForPool, clusterPath, isExcluded, metallbServices, networkUnavailable, peersForNode, poolOf, serviceIPs, speakerIgnoresExcludeLabel, svcKey } from '../lib/model.js';

/** Strips the `:port` MetalLB's native metrics put on a peer label (`192.0.2.1:179`, `[2001:db8::1]:179`). */
const peerHost = (label: string) => label.replace(/^\[(.*)\]:\d+$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');

/**
 * What the bundle says about one node's sessions: address → Established or not, from FRR's
 * neighbours (FRR and frr-k8s modes), frr-k8s BGPSessionState objects, and the speakers'
 * `metallb_bgp_session_up` / `frrk8s_bgp_session_up` gauges (the only source in native mode).
 */
function sessionStates(model: ClusterModel): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  const put = (node: string, addr: string, up: boolean) => {
    const m = out.get(node) ?? out.set(node, new Map()).get(node)!;
    m.set(addr, (m.get(addr) ?? false) || up);
  };
  for (const [node, st] of Object.entries(model.nodes)) for (const n of st.frr?.neighbors ?? []) put(node, n.address, n.state === 'Established');
  for (const s of model.frrk8s.bgpSessionStates) {
    const node = s.status?.node ?? s.metadata.labels?.['frrk8s.metallb.io/node'];
    const addr = s.status?.peer ?? s.metadata.labels?.['frrk8s.metallb.io/peer'];
    if (node && addr && s.status?.bgpStatus) put(node, addr, s.status.bgpStatus === 'Established');
  }
  for (const scrape of model.metrics ?? []) {
    if (!scrape.node) continue;
    for (const sample of scrape.samples) {
      if ((sample.name === 'metallb_bgp_session_up' || sample.name === 'frrk8s_bgp_session_up') && sample.labels.peer) put(scrape.node, peerHost(sample.labels.peer), sample.value === 1);
    }
  }
  return out;
}

const adEvidence = (ads: KubeObject[]): Evidence => objectEvidence(clusterPath.metallb('bgpadvertisements'), ads.slice(0, 3).map((a) => ({ metadata: { name: a.metadata.name, namespace: a.metadata.namespace }, spec: a.spec ?? {} })));
const peerEvidence = (peers: KubeObject[]): Evidence =>
  peers.length
    ? objectEvidence(clusterPath.metallb('bgppeers'), peers.slice(0, 4).map((p) => ({ metadata: { name: p.metadata.name }, spec: { peerAddress: p.spec?.peerAddress, peerASN: p.spec?.peerASN, myASN: p.spec?.myASN, nodeSelectors: p.spec?.nodeSelectors } })))
    : { path: clusterPath.metallb('bgppeers'), excerpt: 'items: []   # no BGPPeer in the cluster', label: 'BGPPeers' };

export default defineCheck({
  id: 'bgp-advertisement-without-peer',
  title: 'BGP-advertised pool with no peer to announce it to',
  severity: 'error',
  category: 'bgp',
  rank: 81,
  docs: {
    cause:
      'A BGPAdvertisement selects the pool, so MetalLB announces its IPs over BGP only (unless an L2Advertisement selects it too) — but there is no BGPPeer at all, or no BGPPeer whose nodeSelectors select a node the advertisement allows (and that the advertisement\'s spec.peers names, when set), or none of those sessions is Established. The speakers then announce to nobody: services get an IP from the pool and stay unreachable from outside, with no error anywhere, because an advertisement without a session is valid configuration.',
    confirm:
      "kubectl get bgpadvertisements,bgppeers -n metallb-system -o yaml   # peers, their nodeSelectors, the advertisement's nodeSelectors\nkubectl get nodes --show-labels\nkubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bgp summary'   # FRR mode; frr-k8s: kubectl get bgpsessionstates -A",
    fix: "Create a BGPPeer for the router (peerAddress, peerASN, myASN), make its nodeSelectors match the nodes the BGPAdvertisement allows (or drop the advertisement's nodeSelectors), and bring the session up; if the pool was meant for layer 2, replace the BGPAdvertisement with an L2Advertisement.",
    references: ['metallb/metallb#2586', 'metallb/metallb#1302', 'metallb/metallb#2113', 'metallb/metallb#1958'],
  },
  run(model) {
    const out: Draft[] = [];
    const ignoreExclude = speakerIgnoresExcludeLabel(model);
    const services = metallbServices(model);
    const sessions = sessionStates(model);
    // "No BGPPeer" needs the list itself: a list the collector could not read (RBAC, a failing
    // conversion webhook) says nothing about which peers exist.
    const peersRead = model.raw?.[clusterPath.metallb('bgppeers')] !== undefined || model.metallb.bgpPeers.length > 0;
    if (!peersRead) return [];
    for (const pool of model.metallb.ipAddressPools) {
      const ads = bgpAdsForPool(model, pool);
      if (ads.length === 0) continue;
      // Services holding an IP of this pool that a BGPAdvertisement of it selects: what goes unannounced.
      const affected = services.filter((svc) => serviceIPs(svc).some((ip) => poolOf(model, svc, ip) === pool) && ads.some((a) => adSelectsService(a, svc)));
      const impact = affected.length ? `; ${affected.length} service(s) with an IP from it (${affected.slice(0, 3).map(svcKey).join(', ')}${affected.length > 3 ? ', …' : ''}) are announced to nobody` : '';
      const severity = affected.length ? 'error' : 'warning';
      const peersNamed = [...new Set(ads.flatMap((a) => (Array.isArray(a.spec?.peers) ? (a.spec.peers as string[]) : [])))];
      const subjects = [{ kind: 'IPAddressPool', namespace: pool.metadata.namespace, name: pool.metadata.name }, ...ads.slice(0, 3).map((a) => ({ kind: 'BGPAdvertisement', namespace: a.metadata.namespace, name: a.metadata.name }))];
      const adNames = ads.map((a) => a.metadata.name).join(', ');
      if (model.metallb.bgpPeers.length === 0) {
        out.push({
          severity,
          summary: `Pool ${pool.metadata.name} is advertised over BGP (BGPAdvertisement ${adNames}) but there is no BGPPeer${impact}`,
          subjects,
          evidence: [adEvidence(ads), peerEvidence([])],
          remediation: { summary: `Create a BGPPeer for the router in the MetalLB namespace, or advertise pool ${pool.metadata.name} with an L2Advertisement if it was meant for layer 2.` },
        });
        continue;
      }
      const eligible = (n: V1Node) => (ignoreExclude || !isExcluded(n)) && !networkUnavailable(n);
      const allowed = model.kube.nodes.filter((n) => eligible(n) && ads.some((a) => adSelectsNode(a, n)));
      // Without nodes in the bundle nothing can be said about selectors.
      if (model.kube.nodes.length === 0) continue;
      // A node announces the pool to a peer when an advertisement selects the node and, with
      // `spec.peers` set, names that peer (metallb/metallb#2113).
      const adAllowsPeer = (a: KubeObject, p: KubeObject) => !Array.isArray(a.spec?.peers) || a.spec.peers.length === 0 || a.spec.peers.includes(p.metadata.name);
      const pairs = allowed.flatMap((n) =>
        peersForNode(model, n.metadata?.name ?? '')
          .filter((p) => ads.some((a) => adSelectsNode(a, n) && adAllowsPeer(a, p)))
          .map((p) => ({ node: n.metadata?.name ?? '', peer: p })),
      );
      if (pairs.length === 0) {
        const peers = model.metallb.bgpPeers;
        out.push({
          severity,
          summary: `Pool ${pool.metadata.name} is advertised over BGP but no BGPPeer (${peers.map((p) => p.metadata.name).join(', ')}) ${peersNamed.length ? `named in the advertisement's peers (${peersNamed.join(', ')}) ` : ''}selects a node that may announce it (${allowed.length ? allowed.map((n) => n.metadata?.name).join(', ') : 'none: the advertisement\'s nodeSelectors match no eligible node'})${impact}`,
          subjects,
          evidence: [adEvidence(ads), peerEvidence(peers), objectEvidence(clusterPath.nodes, allowed.slice(0, 4).map((n) => ({ name: n.metadata?.name, labels: n.metadata?.labels })), 'nodes the advertisement allows')],
          remediation: { summary: `Make a BGPPeer's nodeSelectors match the nodes BGPAdvertisement ${adNames} allows (or widen the advertisement's nodeSelectors).` },
        });
        continue;
      }
      // Sessions: only pairs the bundle has a state for can be judged; none known, no judgement.
      const known = pairs.map((p) => ({ ...p, up: sessions.get(p.node)?.get(String(p.peer.spec?.peerAddress ?? '')) })).filter((p) => p.up !== undefined);
      if (known.length === 0 || known.some((p) => p.up)) continue;
      out.push({
        // A consequence of the sessions being down (bgp-session-down names why): ranked below it.
        severity: affected.length ? 'warning' : 'info',
        rank: 40,
        summary: `Pool ${pool.metadata.name} is advertised over BGP but none of its ${known.length} session(s) is Established (${known.slice(0, 4).map((p) => `${p.node} → ${p.peer.spec?.peerAddress}`).join(', ')})${impact}`,
        subjects,
        evidence: [adEvidence(ads), peerEvidence([...new Set(known.map((p) => p.peer))])],
        remediation: { summary: 'Bring at least one BGP session of the nodes that announce this pool up; the bgp-session-down findings name why each one is down.' },
      });
    }
    return out;
  },
});
