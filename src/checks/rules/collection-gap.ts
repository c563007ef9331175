import { defineCheck, type Draft } from '../define.js';
import { nodeNames } from '../lib/model.js';
import { missingToolSteps } from './probe-tool-missing.js';

export default defineCheck({
  id: 'collection-gap',
  title: 'Data missing from the bundle',
  severity: 'info',
  category: 'collection',
  rank: 5,
  docs: {
    cause: 'Some nodes or steps were not collected (no speaker to attach to, ephemeral containers not allowed, RBAC, timeouts, interrupted run). Checks that need that data cannot judge those nodes, so an absent finding there does not mean healthy.',
    confirm: 'jq ".nodes[] | {node, status, reason}" manifest.json   # in the bundle\nkubectl auth can-i create pods/ephemeralcontainers -n metallb-system',
    fix: 'Rerun the collection with the missing permission or a longer timeout; for nodes without a speaker allow the node debug pod fallback.',
    references: [],
  },
  run(model) {
    const out: Draft[] = [];
    const m = model.manifest;
    if (m) {
      // A step whose tool is not installed is probe-tool-missing's finding, with the fix for it.
      const toolMissing = missingToolSteps(model);
      const mine = (node: string, s: { step: string }) => toolMissing.has(`${node}|${s.step}`);
      // Skipped steps are usually "not applicable" (no LB IP to arping, metrics behind auth); they are
      // grouped into one info finding so they stay visible without drowning real gaps.
      const skipped = new Map<string, { nodes: string[]; reason: string }>();
      for (const n of m.nodes) {
        if (n.status === 'failed' || n.status === 'skipped') continue;
        for (const s of n.steps.filter((x) => x.status === 'skipped' && !mine(n.node, x))) {
          const key = `${s.step}|${(s.reason ?? '').replace(/\d+\.\d+\.\d+\.\d+/g, '<ip>')}`;
          const e = skipped.get(key) ?? { nodes: [], reason: s.reason ?? 'no reason recorded' };
          e.nodes.push(n.node);
          skipped.set(key, e);
        }
      }
      if (skipped.size)
        out.push({
          severity: 'info',
          summary: `${skipped.size} collection step(s) skipped: ${[...skipped].slice(0, 4).map(([k, e]) => `${k.split('|')[0]} on ${e.nodes.length} node(s) (${e.reason})`).join('; ')}${skipped.size > 4 ? '; …' : ''}`,
          subjects: [{ kind: 'Cluster', name: 'collection' }],
          evidence: [{ path: 'manifest.json', excerpt: JSON.stringify([...skipped].slice(0, 8).map(([k, e]) => ({ step: k.split('|')[0], nodes: e.nodes, reason: e.reason })), null, 1) }],
          remediation: { summary: 'Nothing to do unless the skipped data matters for this incident; the reasons say what would enable it.' },
        });
      for (const n of m.nodes) {
        const bad = n.steps.filter((s) => !mine(n.node, s) && (s.status === 'failed' || s.status === 'partial' || (s.status === 'skipped' && (n.status === 'failed' || n.status === 'skipped'))));
        // A node left partial only by missing tools has nothing else to report here.
        if ((n.status === 'ok' || (n.status === 'partial' && n.steps.some((s) => mine(n.node, s)))) && !bad.length) continue;
        const failedAll = n.status === 'failed' || n.status === 'skipped';
        out.push({
          severity: failedAll ? 'warning' : 'info',
          summary: failedAll
            ? `Node ${n.node} was not collected (${n.status}): ${n.reason ?? 'no reason recorded'}`
            : `Node ${n.node}: ${bad.length} step(s) incomplete: ${bad.slice(0, 4).map((s) => `${s.step} ${s.status}${s.reason ? ` (${s.reason})` : ''}`).join('; ')}`,
          subjects: [{ kind: 'Node', name: n.node }],
          evidence: [{ path: 'manifest.json', excerpt: JSON.stringify({ node: n.node, status: n.status, reason: n.reason, access: n.access, steps: bad.slice(0, 6).map((s) => ({ step: s.step, status: s.status, reason: s.reason })) }, null, 1) }],
          remediation: { summary: n.reason ? `Collection on ${n.node} failed: ${n.reason}. Fix that and collect again.` : `Collect again for node ${n.node}.` },
        });
      }
      const clusterBad = m.clusterSteps.filter((s) => s.status === 'failed' || s.status === 'partial');
      if (clusterBad.length)
        out.push({
          severity: 'warning',
          summary: `${clusterBad.length} cluster-wide step(s) incomplete: ${clusterBad.slice(0, 5).map((s) => `${s.step} ${s.status}${s.reason ? ` (${s.reason})` : ''}`).join('; ')}`,
          subjects: [{ kind: 'Cluster', name: 'collection' }],
          evidence: [{ path: 'manifest.json', excerpt: JSON.stringify(clusterBad.slice(0, 6).map((s) => ({ step: s.step, status: s.status, reason: s.reason })), null, 1) }],
          remediation: { summary: 'Grant the missing permissions (see rbac.json) or raise the timeouts, then collect again.' },
        });
      if (m.interrupted)
        out.push({ severity: 'warning', summary: 'The collection was interrupted; the bundle is partial', subjects: [{ kind: 'Cluster', name: 'collection' }], evidence: [{ path: 'manifest.json', excerpt: '"interrupted": true' }], remediation: { summary: 'Collect again and let it finish.' } });
      const inManifest = new Set(m.nodes.map((n) => n.node));
      const absent = nodeNames(model).filter((n) => !inManifest.has(n));
      // Nodes the user left out with --nodes or --node-selector were not lost: say so, and how to include them.
      const asked = Array.isArray(m.options.nodes) ? new Set((m.options.nodes as unknown[]).map(String)) : undefined;
      const selector = typeof m.options.nodeSelector === 'string' && m.options.nodeSelector ? m.options.nodeSelector : undefined;
      const excluded = absent.filter((n) => (asked ? !asked.has(n) : selector !== undefined));
      const lost = absent.filter((n) => !excluded.includes(n));
      const evidence = [{ path: 'manifest.json', excerpt: `nodes collected: ${[...inManifest].join(', ') || '(none)'}${asked ? `; --nodes ${[...asked].join(',')}` : selector ? `; --node-selector ${selector}` : ''}` }];
      if (excluded.length) {
        const flag = asked ? '--nodes' : `--node-selector ${selector}`;
        out.push({
          summary: `Node(s) ${excluded.join(', ')} excluded by ${flag}: not collected, so no check judged them`,
          subjects: excluded.map((name) => ({ kind: 'Node', name })),
          evidence,
          remediation: { summary: asked ? 'Add these nodes to --nodes (or leave --nodes out) if they matter for this incident.' : 'Widen --node-selector (or leave it out) if these nodes matter for this incident.' },
        });
      }
      if (lost.length)
        out.push({ summary: `Node(s) ${lost.join(', ')} exist in the cluster but have no collection record`, subjects: lost.map((name) => ({ kind: 'Node', name })), evidence, remediation: { summary: 'Collect again with these nodes included.' } });
    } else {
      const uncollected = Object.values(model.nodes).filter((n) => !n.collected).map((n) => n.name);
      if (uncollected.length)
        out.push({ summary: `No manifest, and node data is missing for ${uncollected.join(', ')}`, subjects: uncollected.map((name) => ({ kind: 'Node', name })), evidence: [{ path: 'manifest.json', excerpt: '(missing)' }], remediation: { summary: 'Use a bundle written by mlb-report collect.' } });
    }
    return out;
  },
});
