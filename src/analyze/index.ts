/**
 * The analyze pipeline: load a bundle (directory or tarball) → parse → run every check → rank.
 * `analyzeBundle` is what `analyze`, `collect`, `demo` and `diff` call; `findingsDocument` is the
 * findings.json schema documented in docs/findings.md.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterModel } from '../model/cluster.js';
import type { Finding, Severity } from '../model/finding.js';
import type { NodeRecord, StepRecord } from '../model/bundle.js';
import { allChecks, checkById, runChecks } from '../checks/index.js';
import { rankFindings } from '../checks/rank.js';
import { findingEntries, type FindingEntry } from '../checks/group.js';
import { findingDocs } from '../checks/docs.js';
import { extractBundle, type ExtractOptions, type ExtractResult } from '../bundle/extract.js';
import { ipRestorer, Redactor } from '../bundle/redact.js';
import { metallbNamespace, mode } from '../checks/lib/model.js';
import { toolVersion } from '../version.js';
import { ExitCode, UserError } from '../util/errors.js';

export interface AnalyzeOptions {
  /** Only these check ids (default: all). */
  only?: string[];
  /** Where to extract a tarball (default: a temporary folder removed by dispose() or at exit). */
  extractTo?: string;
  extract?: ExtractOptions;
  /** Accepted for callers that pass it through; the exit code is theirs to compute (see exitCodeFor). */
  failOn?: string;
  /**
   * For a bundle collected with --redact-ips: gives file contents and paths their real addresses
   * back (the inverse of the run's IP map), so the checks see what the cluster saw.
   */
  restore?: (text: string) => string;
}

export interface AnalyzeResult {
  model: ClusterModel;
  /** Ranked: most likely root cause first. */
  findings: Finding[];
  /** The directory the bundle was read from (the extraction folder for a tarball). */
  bundleDir: string;
  extraction?: ExtractResult;
  /** Removes a temporary extraction folder (no-op for directories). */
  dispose(): Promise<void>;
}

const pendingCleanups = new Set<string>();
let exitHookInstalled = false;
function removeAtExit(dir: string): void {
  pendingCleanups.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Callers that never dispose (diff, demo) still must not leave extracted bundles behind.
  process.once('exit', () => {
    for (const d of pendingCleanups) rmSync(d, { recursive: true, force: true });
  });
}

/** A tarball written by collect holds one top folder; accept both that and a flat archive. */
async function bundleRootIn(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name === 'manifest.json')) return dir;
  const dirs = entries.filter((e) => e.isDirectory());
  if (dirs.length === 1 && entries.length === 1) return join(dir, dirs[0].name);
  return dir;
}

export async function analyzeBundle(path: string, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(`bundle not found: ${path}`, 'Pass a bundle directory or the .tar.gz written by `mlb-report collect`.', ExitCode.usage);
  }
  for (const id of opts.only ?? []) if (!checkById(id)) throw new UserError(`unknown check: ${id}`, 'List the check ids with `mlb-report checks`.', ExitCode.usage);
  let bundleDir = path;
  let extraction: ExtractResult | undefined;
  let temp: string | undefined;
  if (info.isFile()) {
    const target = opts.extractTo ?? (temp = await mkdtemp(join(tmpdir(), 'mlb-report-bundle-')));
    if (temp) removeAtExit(temp);
    extraction = await extractBundle(path, target, opts.extract);
    bundleDir = await bundleRootIn(target);
  } else if (!info.isDirectory()) {
    throw new UserError(`not a bundle: ${path}`, 'Pass a bundle directory or the .tar.gz written by `mlb-report collect`.', ExitCode.usage);
  }
  const { loadBundle } = await import('../parse/index.js');
  const model = await loadBundle(bundleDir, { restore: opts.restore });
  if (extraction?.refused.length) {
    for (const r of extraction.refused) model.notes.push({ path: r.name, message: `not extracted from the tarball: ${r.reason}` });
  }
  const findings = rankFindings(runChecks(model, { only: opts.only }));
  return {
    model,
    findings,
    bundleDir,
    extraction,
    async dispose() {
      if (temp) {
        await rm(temp, { recursive: true, force: true });
        pendingCleanups.delete(temp);
      }
    },
  };
}

// ---------------------------------------------------------------- --ip-map

/**
 * The map `collect --redact-ips` writes beside a bundle (original → replacement), for reading the
 * bundle with its real addresses (`restore`) and redacting what is written from them with the same
 * replacements (`redactor`), so outputs placed beside or into the bundle match it.
 */
export async function loadIpMap(path: string): Promise<{ restore: (text: string) => string; redactor: Redactor }> {
  let map: unknown;
  try {
    map = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the IP map ${path}: ${(e as Error).message.split('\n')[0]}`, 'Pass the <bundle>.ip-map.json that `mlb-report collect --redact-ips` wrote.', ExitCode.usage);
  }
  const entries = map && typeof map === 'object' && !Array.isArray(map) ? Object.entries(map) : undefined;
  if (!entries || entries.some(([k, v]) => !isIP(k) || typeof v !== 'string' || !isIP(v))) {
    throw new UserError(`not an IP map: ${path}`, 'Pass the <bundle>.ip-map.json that `mlb-report collect --redact-ips` wrote (address → replacement).', ExitCode.usage);
  }
  const ipMap = Object.fromEntries(entries) as Record<string, string>;
  return { restore: ipRestorer(ipMap), redactor: new Redactor({ ips: true, ipMap }) };
}

// ---------------------------------------------------------------- findings.json

/**
 * 2: one entry per check and cause with its instances (fixtures/schemas/findings-v2.schema.json);
 * 1 listed one finding per node (findings-v1.schema.json), `diff` still reads it.
 */
export const findingsSchemaVersion = 2;

export interface FindingsDocument {
  schemaVersion: 2;
  tool: { name: 'mlb-report'; version: string };
  generatedAt: string;
  bundle: { path: string; createdAt?: string; finishedAt?: string; refusedEntries?: { name: string; reason: string }[]; truncated?: boolean };
  cluster: { server?: string; context?: string; kubernetesVersion?: string; metallbVersion?: string; mode: string; namespace: string; installMethod?: string; nodes: string[] };
  /** Entries per severity, and their instances in all. */
  summary: { error: number; warning: number; info: number; instances: number; checksRun: number };
  findings: FindingEntry[];
  collection: {
    available: boolean;
    interrupted?: boolean;
    /**
     * Every node; `steps` holds only its steps that failed or were cut (partial). Steps that ended ok
     * or skipped are counted once for all nodes in `nodeSteps`: per node they were boilerplate
     * (1.5 MB of a healthy 500-node cluster's file).
     */
    nodes: { node: string; status: string; reason?: string; access?: string; steps: Pick<StepRecord, 'step' | 'status' | 'reason' | 'durationMs'>[] }[];
    nodeSteps: NodeStepOutcome[];
    clusterSteps: Pick<StepRecord, 'step' | 'status' | 'reason' | 'durationMs'>[];
    parseNotes: { path: string; message: string }[];
  };
}

/** One step's outcome on many nodes: ok (whatever the per-node detail), or skipped for one reason. */
export interface NodeStepOutcome {
  step: string;
  status: 'ok' | 'skipped';
  reason?: string;
  /** On how many nodes, and the longest it took on one of them. */
  nodes: number;
  maxDurationMs: number;
}

const routineStep = (s: StepRecord): boolean => s.status === 'ok' || s.status === 'skipped';

function nodeStepOutcomes(nodes: NodeRecord[]): NodeStepOutcome[] {
  const outcomes = new Map<string, NodeStepOutcome>();
  for (const n of nodes) {
    for (const s of n.steps) {
      if (!routineStep(s)) continue;
      const status = s.status as NodeStepOutcome['status'];
      // An ok step's reason is per-node detail (the pod it ran in); a skip's reason is why.
      const reason = status === 'skipped' ? s.reason : undefined;
      const key = `${s.step}\u0000${status}\u0000${reason ?? ''}`;
      const outcome = outcomes.get(key) ?? { step: s.step, status, ...(reason ? { reason } : {}), nodes: 0, maxDurationMs: 0 };
      outcome.nodes += 1;
      outcome.maxDurationMs = Math.max(outcome.maxDurationMs, s.durationMs);
      outcomes.set(key, outcome);
    }
  }
  return [...outcomes.values()];
}

const stepView = (s: StepRecord) => ({ step: s.step, status: s.status, ...(s.reason ? { reason: s.reason } : {}), durationMs: s.durationMs });

export function findingsDocument(result: Pick<AnalyzeResult, 'model' | 'findings' | 'extraction'>, inputPath: string, opts: { now?: Date; only?: string[] } = {}): FindingsDocument {
  const { model, findings } = result;
  const m = model.manifest;
  const entries = findingEntries(findings, findingDocs);
  const count = (s: Severity) => entries.filter((e) => e.severity === s).length;
  return {
    schemaVersion: findingsSchemaVersion,
    tool: { name: 'mlb-report', version: toolVersion },
    generatedAt: (opts.now ?? new Date()).toISOString(),
    bundle: {
      path: inputPath,
      ...(m?.createdAt ? { createdAt: m.createdAt } : {}),
      ...(m?.finishedAt ? { finishedAt: m.finishedAt } : {}),
      ...(result.extraction ? { refusedEntries: result.extraction.refused, truncated: result.extraction.truncated } : {}),
    },
    cluster: {
      ...(m?.cluster.server ? { server: m.cluster.server } : {}),
      ...(m?.cluster.context ? { context: m.cluster.context } : {}),
      ...((m?.cluster.version ?? model.kube.version) ? { kubernetesVersion: m?.cluster.version ?? model.kube.version } : {}),
      ...(model.discovery?.version ? { metallbVersion: model.discovery.version } : {}),
      mode: mode(model),
      namespace: metallbNamespace(model),
      ...(model.discovery?.installMethod ? { installMethod: model.discovery.installMethod } : {}),
      nodes: model.kube.nodes.map((n) => n.metadata?.name ?? '').filter(Boolean),
    },
    summary: { error: count('error'), warning: count('warning'), info: count('info'), instances: findings.length, checksRun: opts.only?.length ?? allChecks.length },
    findings: entries,
    collection: {
      available: !!m,
      ...(m?.interrupted ? { interrupted: true } : {}),
      nodes: (m?.nodes ?? []).map((n: NodeRecord) => ({ node: n.node, status: n.status, ...(n.reason ? { reason: n.reason } : {}), ...(n.access ? { access: n.access } : {}), steps: n.steps.filter((s) => !routineStep(s)).map(stepView) })),
      nodeSteps: nodeStepOutcomes(m?.nodes ?? []),
      clusterSteps: (m?.clusterSteps ?? []).map(stepView),
      parseNotes: model.notes.slice(0, 500),
    },
  };
}

export async function writeFindingsJson(doc: FindingsDocument, outDir: string): Promise<string> {
  const file = join(outDir, 'findings.json');
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}

export type FailOn = 'error' | 'warning' | 'info' | 'never';

/** 1 when a finding is at or above the threshold, else 0. */
export function exitCodeFor(findings: Pick<Finding, 'severity'>[], failOn: FailOn): number {
  if (failOn === 'never') return ExitCode.ok;
  const weight: Record<Severity, number> = { info: 1, warning: 2, error: 3 };
  return findings.some((f) => weight[f.severity] >= weight[failOn]) ? ExitCode.findings : ExitCode.ok;
}
