/**
 * findings.json v2 of one analysed bundle: the document is checked against
 * fixtures/schemas/findings-v2.schema.json, its entries are flattened back to the analysis, and a
 * v1 file of the same incident diffs against it with no change. The analysis end-to-end test runs
 * it on every built-in scenario it collects (one collection per scenario serves both).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findingsDocumentV1, schemaProblems } from './findings-v1.js';
import { findingsDocument, type AnalyzeResult } from '../../src/analyze/index.js';
import { entryFindings, groupByCause } from '../../src/checks/group.js';
import { runDiff } from '../../src/diff/index.js';
import type { Finding } from '../../src/model/finding.js';

/** Everything of a finding but the order of its evidence, which flattening puts shared-last. */
const comparable = (f: Finding) => JSON.stringify({ ...f, evidence: f.evidence.map((e) => JSON.stringify(e)).sort(), explains: f.explains ?? [] });

/** `scratch` is a folder the check may write its two files into. */
export async function assertFindingsDocuments(result: AnalyzeResult, bundleDir: string, scratch: string): Promise<void> {
  const doc = JSON.parse(JSON.stringify(findingsDocument(result, bundleDir)));
  assert.deepEqual(schemaProblems(2, doc), []);
  assert.equal(doc.schemaVersion, 2);
  assert.equal(doc.findings.length, groupByCause(result.findings).length, 'one entry per check and cause, as the report has cards');
  assert.equal(doc.summary.error + doc.summary.warning + doc.summary.info, doc.findings.length);
  assert.equal(doc.summary.instances, result.findings.length);
  assert.deepEqual(doc.findings.flatMap(entryFindings).map(comparable).sort(), result.findings.map(comparable).sort(), 'the instances are the analysis, nothing lost');

  // An old reader's file of the same incident: valid v1, and diff sees the same findings.
  const v1 = findingsDocumentV1(result, bundleDir);
  assert.deepEqual(schemaProblems(1, v1), []);
  await writeFile(join(scratch, 'v1.json'), JSON.stringify(v1));
  await writeFile(join(scratch, 'v2.json'), JSON.stringify(doc));
  const diff = await runDiff(join(scratch, 'v1.json'), join(scratch, 'v2.json'));
  assert.deepEqual({ fixed: diff.fixed, new: diff.new, changed: diff.changed }, { fixed: [], new: [], changed: [] });
  assert.equal(diff.unchanged.length, result.findings.length);
  assert.deepEqual(diff.nodes, [], 'the collection status reads the same from both versions');
  assert.deepEqual([diff.a.findings, diff.a.instances], [diff.b.findings, diff.b.instances]);
}
