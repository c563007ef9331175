/**
 * The report's path row per Service: router → announcing node → kube-proxy rule → endpoints, each
 * hop marked with what was observed and linked to the raw output that shows it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../../src/collect/index.js';
import { analyzeBundle } from '../../src/analyze/index.js';
import { renderReport } from '../../src/render/index.js';
import { analyzeServices } from '../../src/checks/lib/services.js';
import { servicePath } from '../../src/checks/lib/paths.js';
import { rawAnchor } from '../../src/render/raw.js';
import { startSim } from '../helpers/sim.js';

test('lb-ip-syn-unanswered: the path shows where shop/web stops, each hop linked to its evidence', { timeout: 90_000 }, async () => {
  const sim = await startSim('lb-ip-syn-unanswered');
  const dir = await mkdtemp(join(tmpdir(), 'mlb-path-'));
  try {
    const collected = await collect({ kubeconfigPath: sim.kubeconfigPath, out: join(dir, 'bundle'), captureSeconds: 1, formats: ['json'], renderer: 'silent', tar: false });
    const analysed = await analyzeBundle(collected.dir);
    try {
      const web = analyzeServices(analysed.model).find((s) => s.name === 'web')!;
      const hops = servicePath(analysed.model, web);
      assert.deepEqual(
        hops.map((h) => [h.kind, h.label, h.state, h.text]),
        [
          ['router', 'ARP 198.51.100.100', 'ok', 'answered by 02:00:00:00:00:02 (worker-1)'],
          ['node', 'worker-1', 'bad', '1 SYN(s) in on eth0, no answer'],
          ['kube-proxy', 'kube-proxy rule', 'ok', '1 line(s) in iptables'],
          ['endpoints', 'endpoints', 'ok', '2/2 connect from worker-1; LB IP:port connects'],
        ],
      );
      assert.deepEqual(hops.map((h) => h.evidence), ['nodes/worker-1/probe/arping-198.51.100.100.txt', 'nodes/worker-1/capture/capture.txt', 'nodes/worker-1/net/kube-proxy-rules.txt', 'nodes/worker-1/probe/connect.txt']);
      const api = servicePath(analysed.model, analyzeServices(analysed.model).find((s) => s.name === 'api')!);
      assert.equal(api[1]!.state, 'ok', 'shop/api answers the same client');
      const { files } = await renderReport({ model: analysed.model, findings: analysed.findings, outDir: join(dir, 'bundle'), formats: ['html'] });
      const html = await readFile(files[0]!, 'utf8');
      const row = [...html.matchAll(/<tr class="path-row">[\s\S]*?<\/tr>/g)].map((m) => m[0]).find((r) => r.includes('<b>ARP 198.51.100.100</b>'))!;
      assert.ok(row, 'a path row for shop/web');
      assert.match(row, /<span class="hop hop-ok" title="router"><b>ARP 198.51.100.100<\/b> answered by 02:00:00:00:00:02 \(worker-1\)/);
      assert.match(row, /<span class="hop hop-bad" title="node"><b>worker-1<\/b> 1 SYN\(s\) in on eth0, no answer/);
      for (const path of hops.map((h) => h.evidence!)) {
        const anchor = rawAnchor(path);
        assert.ok(row.includes(`href="#${anchor}"`), `${path} linked`);
        assert.ok(html.includes(`id="${anchor}"`), `${path} is in the report`);
      }
    } finally {
      await analysed.dispose();
    }
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
