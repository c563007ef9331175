/**
 * The pipeline in one place, as the tree shows it:
 *   collect (discover → attach → collect → bundle folder) → analyze (parse → checks) → render
 *   → seal the bundle (manifest and tarball, findings and reports included).
 * The CLI's `collect` and `demo` commands run it. Collection knows nothing of the steps after it;
 * a step that fails after collection leaves a note, never a lost bundle.
 */
import { collectBundle, type CollectOptions, type CollectResult } from '../collect/index.js';
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
  const bundle = await collectBundle({ ...options, formats });
  try {
    let analysis: AnalyzeResult | undefined;
    const reportFiles: string[] = [];
    // An interrupted run is sealed as it is: the user asked to stop (`mlb-report analyze` reads it later).
    if (!bundle.interrupted) {
      analysis = await analyze(bundle.dir, bundle.notes);
      if (analysis) reportFiles.push(...(await writeReports(analysis, bundle.dir, formats, bundle.notes)));
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

async function analyze(dir: string, notes: string[]): Promise<AnalyzeResult | undefined> {
  try {
    return await analyzeBundle(dir);
  } catch (e) {
    notes.push(`analysis failed: ${errorMessage(e).split('\n')[0]}; the bundle is complete, run \`mlb-report analyze ${dir}\` to retry`);
    return undefined;
  }
}

/** findings.json (always with json) and the visual reports; a renderer failure is a note. */
async function writeReports(analysis: AnalyzeResult, dir: string, formats: ReportFormat[], notes: string[]): Promise<string[]> {
  const files: string[] = [];
  if (formats.includes('json')) files.push(await writeFindingsJson(findingsDocument(analysis, dir), dir));
  const visual = formats.filter((f) => f !== 'json');
  if (visual.length === 0) return files;
  try {
    const out = await renderReport({ model: analysis.model, findings: analysis.findings, outDir: dir, formats: visual });
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
