/**
 * findings.json on every built-in scenario: simulator → collect → analyze, then the document is
 * checked against fixtures/schemas/findings-v2.schema.json, its entries are flattened back to the
 * analysis, and a v1 file of the same incident diffs against it with no change.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../helpers/sim.js';
import { findingsDocumentV1, schemaProblems } from '../helpers/findings-v1.js';
import { collect } from '../../src/collect/index.js';
import { analyzeBundle, findingsDocument } from '../../src/analyze/index.js';
import { entryFindings, groupByCause } from '../../src/checks/group.js';
import { runDiff } from '../../src/diff/index.js';
import { builtinScenarioNames } from '../../src/sim/scenario/index.js';
import type { Finding } from '../../src/model/finding.js';

/** Everything of a finding but the order of its evidence, which flattening puts shared-last. */
const comparable = (f: Finding) => JSON.stringify({ ...f, evidence: f.evidence.map((e) => JSON.stringify(e)).sort(), explains: f.explains ?? [] });

describe('findings.json v2 for every built-in scenario', { concurrency: 3 }, () => {
  for (const scenario of builtinScenarioNames()) {
    test(scenario, { timeout: 180_000 }, async () => {
      const root = await mkdtemp(join(tmpdir(), 'mlb-findings-schema-'));
      const sim = await startSim(scenario);
      try {
        const collected = await collect({ kubeconfigPath: sim.kubeconfigPath, out: join(root, 'bundle'), captureSeconds: 1, formats: ['json'], timeoutMs: 120_000, renderer: 'silent', tar: false });
        const result = await analyzeBundle(collected.dir);
        const doc = JSON.parse(JSON.stringify(findingsDocument(result, collected.dir)));

        assert.deepEqual(schemaProblems(2, doc), []);
        assert.equal(doc.schemaVersion, 2);
        assert.equal(doc.findings.length, groupByCause(result.findings).length, 'one entry per check and cause, as the report has cards');
        assert.equal(doc.summary.error + doc.summary.warning + doc.summary.info, doc.findings.length);
        assert.equal(doc.summary.instances, result.findings.length);
        assert.deepEqual(doc.findings.flatMap(entryFindings).map(comparable).sort(), result.findings.map(comparable).sort(), 'the instances are the analysis, nothing lost');

        // An old reader's file of the same incident: valid v1, and diff sees the same findings.
        const v1 = findingsDocumentV1(result, collected.dir);
        assert.deepEqual(schemaProblems(1, v1), []);
        await writeFile(join(root, 'v1.json'), JSON.stringify(v1));
        await writeFile(join(root, 'v2.json'), JSON.stringify(doc));
        const diff = await runDiff(join(root, 'v1.json'), join(root, 'v2.json'));
        assert.deepEqual({ fixed: diff.fixed, new: diff.new, changed: diff.changed }, { fixed: [], new: [], changed: [] });
        assert.equal(diff.unchanged.length, result.findings.length);
        assert.deepEqual(diff.nodes, [], 'the collection status reads the same from both versions');
        assert.deepEqual([diff.a.findings, diff.a.instances], [diff.b.findings, diff.b.instances]);
        await result.dispose();
      } finally {
        await sim.stop();
        await rm(root, { recursive: true, force: true });
      }
    });
  }
});
