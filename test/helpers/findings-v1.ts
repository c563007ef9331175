/**
 * findings.json as schema version 1 wrote it (one finding per occurrence, each with its check docs),
 * for the readers that must still accept old files: diff, and analyze over an old bundle folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../src/model/finding.js';
import { findingDocs } from '../../src/checks/docs.js';
import { findingsDocument, type AnalyzeResult } from '../../src/analyze/index.js';
import { validateSchema, formatPath, type JsonSchema } from '../../src/sim/scenario/jsonschema.js';
import { packageRoot } from '../../src/version.js';

export function findingsDocumentV1(result: Pick<AnalyzeResult, 'model' | 'findings' | 'extraction'>, inputPath: string, now = new Date()): Record<string, unknown> {
  const current = findingsDocument(result, inputPath, { now });
  const count = (severity: Finding['severity']) => result.findings.filter((f) => f.severity === severity).length;
  return {
    ...current,
    schemaVersion: 1,
    summary: { error: count('error'), warning: count('warning'), info: count('info'), checksRun: current.summary.checksRun },
    findings: result.findings.map((f) => ({ ...f, docs: findingDocs(f.id) })),
    // Version 1 listed every step of every node (no nodeSteps).
    collection: {
      available: current.collection.available,
      ...(current.collection.interrupted ? { interrupted: true } : {}),
      nodes: current.collection.nodes.map((n) => ({ ...n, steps: (result.model.manifest?.nodes.find((r) => r.node === n.node)?.steps ?? []).map((s) => ({ step: s.step, status: s.status, ...(s.reason ? { reason: s.reason } : {}), durationMs: s.durationMs })) })),
      clusterSteps: current.collection.clusterSteps,
      parseNotes: current.collection.parseNotes,
    },
  };
}

export function findingsSchema(version: 1 | 2): JsonSchema {
  return JSON.parse(readFileSync(join(packageRoot, 'fixtures', 'schemas', `findings-v${version}.schema.json`), 'utf8')) as JsonSchema;
}

/** Every schema violation of `doc`, one line each ("findings[3].instances[0].summary: is required"). */
export function schemaProblems(version: 1 | 2, doc: unknown): string[] {
  const schema = findingsSchema(version);
  return validateSchema(schema, doc, schema).map((e) => `${formatPath(e.path)}: ${e.message}`);
}
