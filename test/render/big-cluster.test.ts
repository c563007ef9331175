/**
 * Services on a big cluster: per-node lists in the services table are abbreviated. Full lists of
 * hundreds of nodes made cells Chromium squeezed to one letter a line (a 1,238-page PDF at 500).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeBundle } from '../../src/analyze/index.js';
import { buildView } from '../../src/render/view.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

test('a 40-node cluster: the services table names at most 8 nodes per list and counts the rest', { timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'mlb-big-'));
  try {
    const dir = join(out, 'demo');
    const demo = spawnSync(process.execPath, [bin, 'demo', '--scenario', 'synthetic:nodes=40,mode=frr', '--format', 'json', '--out', dir, '--capture-seconds', '1'], { encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1' } });
    assert.ok(demo.status === 0 || demo.status === 1, `exit ${demo.status}: ${demo.stderr.slice(-1500)}`);
    const result = await analyzeBundle(dir, {});
    const view = await buildView(result.model, result.findings, { print: true });
    const bgp = view.services.filter((s) => s.modeText.includes('bgp'));
    assert.ok(bgp.length > 0, 'the synthetic cluster has BGP services');
    for (const s of view.services) {
      assert.ok(s.observedLines.length <= 12, `${s.name}: ${s.observedLines.length} observed lines`);
      for (const text of [s.expectedText, s.endpointText, ...s.observedLines]) {
        const named = text.match(/node-\d+/g) ?? [];
        assert.ok(named.length <= 8, `${s.name}: ${named.length} nodes named in "${text.slice(0, 120)}…"`);
      }
    }
    assert.ok(
      bgp.some((s) => s.observedLines.some((l) => /^event nodeAssigned on \d+ nodes \(bgp\): .*\(\+\d+ more\)$/.test(l))),
      `assignments are counted: ${bgp[0]!.observedLines.join(' | ')}`,
    );
    assert.ok(bgp.some((s) => /BGP: .*\(\+\d+ more\)/.test(s.expectedText)), `expected nodes are counted: ${bgp[0]!.expectedText}`);

    // Healthy nodes are summarised, not shown in full, and their outputs are not embedded.
    const screen = await buildView(result.model, result.findings, { bundleLink: '' });
    assert.ok(screen.alikeCount >= 30, `${screen.alikeCount} of 40 nodes alike`);
    assert.equal(screen.alikeCount + screen.nodes.length, 40);
    const alikeNodes = new Set(screen.alike.flatMap((g) => g.nodes.map((n) => n.name)));
    assert.ok(screen.alike.every((g) => g.namesText.length < g.nodes.length * 9), `names are compact: ${screen.alike[0]!.namesText}`);
    assert.ok(!screen.raw.some((r) => r.citedBy.length === 0 && alikeNodes.has(r.path.split('/')[1]!)), 'no uncited output of a node alike is embedded');
    assert.ok(screen.raw.some((r) => r.path.startsWith('cluster/') && r.text.length > 0), 'cluster objects are still embedded');
    // findings.json: no list of ok steps per node.
    const doc = JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8')) as { collection: { nodes: { steps: { status: string }[] }[]; nodeSteps: { nodes: number }[] } };
    assert.equal(doc.collection.nodes.length, 40);
    assert.ok(doc.collection.nodes.every((n) => n.steps.every((s) => s.status === 'failed' || s.status === 'partial')));
    assert.ok(doc.collection.nodeSteps.some((o) => o.nodes === 40));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
