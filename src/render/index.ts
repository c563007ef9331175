/**
 * The report: `report.html` (self-contained, inline CSS and SVG) and `report.pdf` (printed from the
 * same templates by Chromium). findings.json belongs to the analyzer; it is written here only when
 * a caller asks for the 'json' format explicitly.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ClusterModel } from '../model/cluster.js';
import type { Finding } from '../model/finding.js';
import { toolVersion } from '../version.js';
import { errorMessage } from '../util/errors.js';
import { renderViewHtml } from './html.js';
import { buildView } from './view.js';
import { chromeHowTo } from './chrome.js';
import { writePdf } from './pdf.js';

export type ReportFormat = 'html' | 'pdf' | 'json';

export interface RenderInput {
  model: ClusterModel;
  findings: Finding[];
  outDir: string;
  formats: ReportFormat[];
  /** Fixed clock for reproducible output (tests). */
  now?: Date;
  /**
   * Applied to every text written (HTML, the HTML printed to PDF, its header): with --redact-ips the
   * report is built from the real addresses and redacted here, with the bundle's own map.
   */
  redact?: (text: string) => string;
  /**
   * The bundle folder when it stays where it is (not a tarball's temporary extraction): the report
   * links the files of the nodes it summarises there, relative to `outDir`.
   */
  bundleDir?: string;
}

export async function renderReport({ model, findings, outDir, formats, now, redact = (t) => t, bundleDir }: RenderInput): Promise<{ files: string[]; notes: string[] }> {
  const files: string[] = [];
  const notes: string[] = [];
  await mkdir(outDir, { recursive: true });
  const wants = new Set(formats);

  if (wants.has('json')) {
    const file = join(outDir, 'findings.json');
    await writeFile(file, redact(`${JSON.stringify({ tool: { name: 'mlb-report', version: toolVersion }, cluster: model.manifest?.cluster ?? {}, findings }, null, 2)}\n`));
    files.push(file);
  }
  // The PDF needs a browser; without one the HTML is the fallback, so write it whenever a PDF was asked for.
  if (wants.has('html') || wants.has('pdf')) {
    const bundleLink = bundleDir === undefined ? undefined : relative(outDir, bundleDir);
    const view = await buildView(model, findings, { now, bundleLink });
    const file = join(outDir, 'report.html');
    await writeFile(file, redact(renderViewHtml(view)));
    files.push(file);
    if (wants.has('pdf')) {
      const printView = await buildView(model, findings, { now, print: true });
      const pdfFile = join(outDir, 'report.pdf');
      try {
        const written = await writePdf(redact(renderViewHtml(printView)), pdfFile, { cluster: redact(view.cluster.name), time: view.collectedAt ?? view.generatedAt });
        if (written) files.push(pdfFile);
        else notes.push(`no Chrome/Chromium found, wrote the HTML only; for the PDF ${chromeHowTo}`);
      } catch (e) {
        // The HTML is already written and is the complete report; a browser failure must not lose it.
        notes.push(`PDF not written (${errorMessage(e).split('\n')[0]}); the HTML report is complete`);
      }
    }
  }
  return { files, notes };
}
