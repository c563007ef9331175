/**
 * Every built-in scenario through the real pipeline: simulator → collect (HTTPS + WebSocket) →
 * analyze → render. Asserts the report shows what the bundle holds: the first finding first, every
 * node, every LoadBalancer service, evidence links that resolve, and nothing unescaped.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { infrastructureScenarios } from '../helpers/scenarios.js';
import { collect } from '../../src/collect/index.js';
import { analyzeBundle } from '../../src/analyze/index.js';
import { renderReport } from '../../src/render/index.js';
import { startSim } from '../helpers/sim.js';

let workDir: string;
before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'mlb-report-scenario-reports-'));
});
after(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function decode(text: string): string {
  return text.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

async function reportFor(scenario: string): Promise<void> {
  const sim = await startSim(scenario);
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(sim.kubeconfigPath);
    const out = join(workDir, scenario);
    const collected = await collect({ kubeConfig, out, captureSeconds: 1, formats: ['json'], renderer: 'silent', tar: false });
    const { model, findings } = await analyzeBundle(collected.dir);
    const { files } = await renderReport({ model, findings, outDir: out, formats: ['html'] });
    const html = await readFile(files[0], 'utf8');
    const text = decode(html);

    assert.ok(!/<script/i.test(html), `${scenario}: no script element`);
    const findingsAt = html.indexOf('id="findings"');
    const topologyAt = html.indexOf('id="topology"');
    assert.ok(findingsAt > 0 && topologyAt > findingsAt, `${scenario}: findings come before the topology`);
    if (findings.length > 0) {
      const firstCard = html.indexOf('id="finding-1"');
      assert.ok(firstCard > findingsAt && firstCard < topologyAt, `${scenario}: finding 1 is in the findings section`);
      assert.ok(text.slice(firstCard, topologyAt).includes(findings[0].title), `${scenario}: finding 1 is ${findings[0].id}`);
    } else {
      assert.match(html, /No problems found by the checks/);
    }
    for (const record of collected.manifest.nodes) assert.ok(text.includes(record.node), `${scenario}: node ${record.node} in the report`);
    for (const service of model.kube.services) {
      if (service.spec?.type !== 'LoadBalancer') continue;
      assert.ok(text.includes(`${service.metadata?.namespace}/${service.metadata?.name}`), `${scenario}: service ${service.metadata?.name}`);
    }
    // Every internal link lands on an element of the page.
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const targets = [...html.matchAll(/ href="#([^"]+)"/g)].map((m) => m[1]);
    for (const target of targets) assert.ok(ids.has(target), `${scenario}: link #${target} has a target`);
    // Evidence that points at a file of the bundle links to its raw output.
    const bundleFiles = new Set(collected.manifest.files.map((f) => f.path));
    const cited = findings.flatMap((f) => f.evidence.map((e) => e.path)).filter((p) => bundleFiles.has(p) && !p.endsWith('.pcap'));
    for (const path of cited) assert.ok(text.includes(`<summary><span class="mono">${path}</span>`), `${scenario}: raw output for ${path}`);
  } finally {
    await sim.stop();
  }
}

const scenarios = infrastructureScenarios();

test('there are built-in scenarios to render', () => {
  assert.ok(scenarios.length >= 10, `found ${scenarios.length}`);
});

// One at a time: two collections at once in one process sometimes fail the TLS handshake with the
// second simulator ("unable to verify the first certificate"), which is not what this file tests.
for (const scenario of scenarios) {
  test(`report of ${scenario}`, () => reportFor(scenario));
}
