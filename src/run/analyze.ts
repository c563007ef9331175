/** The `mlb-report analyze` command body: analyse, write findings.json, render, print a summary. */
import { mkdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Finding } from '../model/finding.js';
import { analyzeBundle, exitCodeFor, findingsDocument, loadIpMap, writeFindingsJson, type FailOn } from '../analyze/index.js';
import { leaderUnknownNote } from '../checks/rules/l2-leader-mismatch.js';
import { errorMessage } from '../util/errors.js';
import { formatSummary, reportFilesByKind } from './summary.js';

export interface RunAnalyzeOptions {
  bundle: string;
  out?: string;
  formats: ('json' | 'html' | 'pdf')[];
  failOn: FailOn;
  only?: string[];
  /** `<dir>.ip-map.json` of a bundle collected with --redact-ips: analyse the real addresses. */
  ipMap?: string;
  write?: (line: string) => void;
}

/** Findings listed with their fix; findings.json has them all. */
const listed = 5;

export async function runAnalyze(o: RunAnalyzeOptions): Promise<number> {
  if (!o.write) {
    // `mlb-report analyze … | head` closes the pipe early; that is not an error of the analysis.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  const write = o.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  // With the map the checks read the real addresses, and what is written is redacted with the same
  // replacements: the outputs may go into the redacted bundle itself.
  const mapping = o.ipMap ? await loadIpMap(o.ipMap) : undefined;
  const result = await analyzeBundle(o.bundle, { only: o.only, ...(mapping ? { restore: mapping.restore } : {}) });
  const redactor = mapping?.redactor;
  try {
    const isDir = (await stat(o.bundle)).isDirectory();
    const outDir = resolve(o.out ?? (isDir ? o.bundle : `${basename(o.bundle).replace(/\.(tar\.gz|tgz|tar)$/i, '')}-analysis`));
    await mkdir(outDir, { recursive: true });
    const files: string[] = [];
    const notes: string[] = [];
    if (result.model.addresses === 'redacted') notes.push(`IP addresses in this bundle are replacements (--redact-ips): ${leaderUnknownNote}`);
    if (o.formats.includes('json')) {
      const doc = findingsDocument(result, o.bundle, { only: o.only });
      files.push(await writeFindingsJson(redactor ? redactor.addressesIn(doc) : doc, outDir));
    }
    const visual = o.formats.filter((f) => f !== 'json');
    if (visual.length) {
      let render: { renderReport?: (i: { model: unknown; findings: Finding[]; outDir: string; formats: string[]; redact?: (text: string) => string; bundleDir?: string }) => Promise<{ files: string[]; notes: string[] }> } | undefined;
      try {
        // A build without the renderer still writes findings.json. (A literal specifier, so the
        // install-time bundle includes the module.)
        render = (await import('../render/index.js')) as unknown as typeof render;
      } catch (e) {
        notes.push(`HTML/PDF report not available in this build (${errorMessage(e).split('\n')[0]}); wrote findings.json only`);
      }
      if (render?.renderReport) {
        // The renderer reads raw outputs from the bundle, so it runs before a tarball's folder is removed.
        const out = await render.renderReport({ model: { ...result.model, bundleRoot: result.bundleDir }, findings: result.findings, outDir, formats: visual, ...(result.extraction ? {} : { bundleDir: result.bundleDir }), ...(redactor ? { redact: (text: string) => redactor.addresses(text) } : {}) });
        files.push(...out.files);
        notes.push(...out.notes);
      }
    }
    for (const r of result.extraction?.refused ?? []) notes.push(`refused tarball entry ${JSON.stringify(r.name)}: ${r.reason}`);
    // The summary collect and demo print too: findings grouped as findings.json groups them.
    const text = formatSummary({ findings: result.findings, notes, files: { ...(isDir ? { bundle: resolve(o.bundle) } : { tarball: resolve(o.bundle) }), ...reportFilesByKind(files) }, top: listed });
    for (const line of text.trimEnd().split('\n')) write(line);
    return exitCodeFor(result.findings, o.failOn);
  } finally {
    await result.dispose();
  }
}
