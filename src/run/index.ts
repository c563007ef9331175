/**
 * The pipeline in one place, as the tree shows it:
 *   collect (discover → attach → collect → bundle folder) → analyze (parse → checks) → render
 *   → seal the bundle (manifest and tarball, findings and reports included).
 * The CLI's `collect` and `demo` commands run it. Collection knows nothing of the steps after it;
 * a step that fails after collection leaves a note, never a lost bundle.
 */
import { collectBundle, endWaitMs, type CollectOptions, type CollectResult, type OpenBundle } from '../collect/index.js';
import { analyzeBundle, exitCodeFor, findingsDocument, writeFindingsJson, type AnalyzeResult, type FailOn } from '../analyze/index.js';
import { renderReport, type ReportFormat } from '../render/index.js';
import { errorMessage } from '../util/errors.js';
import { logsMissingNote } from '../checks/rules/logs-missing.js';
import { captureEmptyNote } from '../checks/rules/capture-empty.js';

export type { ReportFormat } from '../render/index.js';

export interface RunOptions extends CollectOptions {
  /** What to write beside the raw data: findings.json (json), report.html, report.pdf. Default json, html. */
  formats?: ReportFormat[];
}

export interface RunResult extends CollectResult {
  /** findings.json and the reports, inside the bundle folder. */
  reportFiles: string[];
  /** The collected model and its ranked findings; absent when the run was interrupted or analysis failed. */
  analysis?: Pick<AnalyzeResult, 'model' | 'findings'>;
}

export async function collectAndReport(options: RunOptions): Promise<RunResult> {
  const formats = options.formats ?? ['json', 'html'];
  // Analysis reads the folder before the bundle is sealed: it needs a manifest there (not for --format none).
  const bundle = await collectBundle({ ...options, formats, draftManifest: formats.length > 0 });
  try {
    let analysis: AnalyzeResult | undefined;
    const reportFiles: string[] = [];
    // An interrupted run is sealed as it is: the user asked to stop (`mlb-report analyze` reads it later).
    // `--format none`: the raw bundle alone, the quickest collection (`mlb-report analyze` later).
    if (!bundle.interrupted && formats.length > 0) {
      // A report shows each debug container's real end: the kubelet reports it while analysis runs.
      const settled = formats.some((f) => f !== 'json') ? bundle.settleDebugContainers(endWaitMs) : undefined;
      analysis = await analyze(bundle, bundle.notes);
      await settled;
      if (analysis?.model.manifest) analysis.model.manifest.addedContainers = bundle.manifest.addedContainers;
      if (analysis) reportFiles.push(...(await writeReports(analysis, bundle, formats, bundle.notes)));
      // Missing evidence is easy to overlook among findings: say it on the terminal too.
      if (analysis) for (const note of evidenceNotes(analysis.findings, bundle.manifest.options)) bundle.notes.push(note);
    }
    const sealed = await bundle.seal(reportFiles);
    return { ...sealed, reportFiles, analysis: analysis && { model: analysis.model, findings: analysis.findings } };
  } catch (e) {
    await bundle.abandon();
    throw e;
  }
}

function evidenceNotes(findings: AnalyzeResult['findings'], options: Record<string, unknown>): string[] {
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 ? v : fallback);
  const notes = [logsMissingNote(findings, num(options.sinceSeconds, 86_400)), captureEmptyNote(findings, num(options.captureSeconds, 10))];
  return notes.filter((n): n is string => n !== undefined);
}

/**
 * With --redact-ips the folder holds replacement addresses: analysis reads it through the inverse
 * of the run's map, so the checks see the real ones (the layer-2 leader is elected by
 * sha256(node#ip): a replaced address elects another node).
 */
async function analyze(bundle: OpenBundle, notes: string[]): Promise<AnalyzeResult | undefined> {
  const dir = bundle.dir;
  const { redactor } = bundle;
  try {
    return await analyzeBundle(dir, redactor.options.ips ? { restore: (text) => redactor.restore(text) } : {});
  } catch (e) {
    notes.push(`analysis failed: ${errorMessage(e).split('\n')[0]}; the bundle is complete, run \`mlb-report analyze ${dir}\` to retry`);
    return undefined;
  }
}

/**
 * findings.json (always with json) and the visual reports; a renderer failure is a note. Both are
 * built from the real addresses and redacted as they are written, by the run's own Redactor, so
 * their addresses and file paths are the bundle's.
 */
async function writeReports(analysis: AnalyzeResult, bundle: OpenBundle, formats: ReportFormat[], notes: string[]): Promise<string[]> {
  const { dir, redactor } = bundle;
  const ips = redactor.options.ips;
  const files: string[] = [];
  if (formats.includes('json')) {
    const doc = findingsDocument(analysis, dir);
    // Addresses only: secrets never came back from the bundle, and the secret rules would rewrite
    // plain words of a summary such as "password mismatch".
    files.push(await writeFindingsJson(ips ? redactor.addressesIn(doc) : doc, dir));
  }
  const visual = formats.filter((f) => f !== 'json');
  if (visual.length === 0) return files;
  try {
    const out = await renderReport({ model: analysis.model, findings: analysis.findings, outDir: dir, formats: visual, bundleDir: dir, ...(ips ? { redact: (text: string) => redactor.addresses(text) } : {}) });
    files.push(...out.files);
    notes.push(...out.notes);
  } catch (e) {
    notes.push(`report failed: ${errorMessage(e).split('\n')[0]}; findings.json and the raw data are in the bundle`);
  }
  return files;
}

/** Exit code for --fail-on: 1 when a finding is at or above the threshold. */
export function failOnExitCode(findings: { severity: 'error' | 'warning' | 'info' }[] | undefined, failOn: string | undefined): number {
  if (!failOn || !findings) return 0;
  return exitCodeFor(findings, failOn as FailOn);
}
