import type { FrrConfig } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';

function summarise(cfg: FrrConfig): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of cfg.routers) {
    const key = `router bgp ${r.asn}${r.vrf ? ` vrf ${r.vrf}` : ''}`;
    const lines = new Set<string>();
    if (r.routerId) lines.add(`bgp router-id ${r.routerId}`);
    for (const n of r.neighbors) {
      lines.add(`neighbor ${n.address} remote-as ${n.remoteAs ?? '?'}`);
      if (n.hasPassword) lines.add(`neighbor ${n.address} password <redacted>`);
      if (n.bfd) lines.add(`neighbor ${n.address} bfd`);
      if (n.ebgpMultihop) lines.add(`neighbor ${n.address} ebgp-multihop`);
    }
    for (const nw of r.networks) lines.add(`network ${nw.prefix}`);
    out.set(key, lines);
  }
  return out;
}

export default defineCheck({
  id: 'frr-config-drift',
  title: 'FRR running config differs from what MetalLB asked for',
  severity: 'error',
  category: 'frr',
  rank: 64,
  docs: {
    cause: 'The configuration MetalLB rendered (/etc/frr_reloader/frr.conf) is not what FRR runs: a reload failed or is still pending, someone changed FRR by hand (vtysh), or extra config conflicts. Peers, passwords or prefixes in the desired config are then missing.',
    confirm: "kubectl exec -n metallb-system <speaker> -c reloader -- cat /etc/frr_reloader/frr.conf > desired.conf\nkubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show running-config' > running.conf\ndiff desired.conf running.conf",
    fix: 'Let the reloader apply the desired file (fix the reload error, or restart the speaker pod to re-render); never edit FRR by hand in MetalLB-managed pods.',
    references: ['metallb/metallb#2029', 'metallb/metallb#1537'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      const desired = st.frr?.desiredConfig;
      const running = st.frr?.runningConfig;
      if (!desired || !running || !desired.routers.length) continue;
      const want = summarise(desired);
      const have = summarise(running);
      const missing: string[] = [];
      const extra: string[] = [];
      for (const [router, lines] of want) {
        const h = have.get(router);
        if (!h) { missing.push(router); continue; }
        for (const l of lines) if (!h.has(l)) missing.push(`${router}: ${l}`);
      }
      for (const [router, lines] of have) {
        const w = want.get(router);
        if (!w) { extra.push(router); continue; }
        for (const l of lines) if (!w.has(l)) extra.push(`${router}: ${l}`);
      }
      if (!missing.length && !extra.length) continue;
      const needles = [...missing, ...extra].map((l) => l.split(': ').pop()!.replace(' <redacted>', '')).slice(0, 4);
      out.push({
        summary: `FRR on ${node} does not run the desired config: ${missing.length ? `missing ${missing.slice(0, 3).join('; ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.slice(0, 3).join('; ')}` : ''}`,
        subjects: [{ kind: 'Node', name: node }],
        evidence: [
          { path: desired.path, excerpt: rawExcerpt(model, desired.path, needles, missing.join('\n') || '(desired)'), label: 'desired (reloader input)' },
          { path: running.path, excerpt: rawExcerpt(model, running.path, needles.concat(['router bgp']), extra.join('\n') || '(running)'), label: 'running config' },
        ],
        remediation: { summary: `Get the reloader on ${node} to apply the desired config (see its log), or restart the speaker pod.`, snippet: `kubectl delete pod -n metallb-system <speaker on ${node}>`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
