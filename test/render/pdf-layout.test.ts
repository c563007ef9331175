/**
 * The demo's PDF as an SRE attaches it to a ticket: a summary on pages 1–3, no IP or name split
 * across lines, no table wider than the page, a services table that agrees with the checks, and
 * the run's duration as the manifest has it. One demo run (simulator → collect → analyse → report
 * with its PDF) and one browser serve every assertion.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { formatDemoSummary, runDemo, type DemoResult } from '../../src/cli/commands/demo.js';
import { analyzeBundle } from '../../src/analyze/index.js';
import { buildView, formatDuration, type ReportView } from '../../src/render/view.js';
import { renderViewHtml } from '../../src/render/html.js';
import { findChrome } from '../../src/render/chrome.js';
import { launchChrome } from '../../src/render/pdf.js';
import type { Manifest } from '../../src/model/bundle.js';

let dir: string;
let demo: DemoResult;
let pdf: string;
let manifest: Manifest;
/** The print view of the sealed bundle, as `mlb-report analyze` would print it. */
let printView: ReportView;
let browser: Browser;

const pdftotext = (...args: string[]): string => execFileSync('pdftotext', [...args, pdf, '-'], { encoding: 'utf8' });
const squash = (text: string): string => text.replace(/\s+/g, ' ');

before(async () => {
  const chrome = findChrome();
  assert.ok(chrome, 'a Chrome/Chromium must be installed for the PDF tests (e.g. /usr/bin/chromium)');
  dir = await mkdtemp(join(tmpdir(), 'mlb-report-pdf-layout-'));
  demo = await runDemo({ scenario: 'mixed-incident', out: join(dir, 'demo'), formats: ['json', 'html', 'pdf'], captureSeconds: 1 });
  pdf = join(dir, 'demo', 'report.pdf');
  assert.ok(demo.reportFiles.includes(pdf), `the demo wrote a PDF: ${demo.reportFiles.join(', ')} ${demo.notes.join('; ')}`);
  manifest = JSON.parse(readFileSync(join(dir, 'demo', 'manifest.json'), 'utf8')) as Manifest;
  const analysed = await analyzeBundle(join(dir, 'demo'));
  printView = await buildView(analysed.model, analysed.findings, { print: true });
  browser = await launchChrome(chrome);
});

after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('pages 1–3 are the summary: every finding with its fix, every service, what was collected', () => {
  const summary = squash(pdftotext('-f', '1', '-l', '3'));
  assert.ok(printView.findings.length > 3, 'the scenario has findings to summarise');
  for (const card of printView.findings) {
    assert.ok(summary.includes(squash(card.title)), `pages 1–3 name "${card.title}"`);
    assert.ok(summary.includes(squash(card.remediation.summary)), `pages 1–3 carry the fix "${card.remediation.summary}"`);
  }
  for (const service of printView.services) assert.ok(summary.includes(`${service.namespace}/${service.name}`), `pages 1–3 list ${service.namespace}/${service.name}`);
  assert.match(summary, /What was collected/);
  assert.match(summary, /5 of 5 nodes fully collected/);
  // The details come after the summary, not before it.
  assert.doesNotMatch(summary, /Evidence and remedies/);
  assert.match(squash(pdftotext('-f', '4', '-l', '4')), /Evidence and remedies/);
});

test('no IPv4 address is split by a space or a line break', () => {
  const known = new Set<string>();
  for (const s of printView.services) for (const ip of s.ips) known.add(ip);
  for (const node of Object.values(demo.model.nodes)) for (const iface of node.addresses) for (const a of iface.addrs) if (a.local.includes('.')) known.add(a.local);
  for (const peer of demo.model.metallb.bgpPeers) known.add(String(peer.spec?.peerAddress));
  assert.ok(known.size > 8, `addresses to look for: ${[...known].join(', ')}`);
  for (const text of [pdftotext('-layout'), pdftotext()]) {
    assert.doesNotMatch(text, /\b\d{1,3}\.\d{1,3}\.\d{1,3} +\.\d{1,3}\b/, 'an address split by a space');
    for (const ip of known) {
      const parts = ip.split('.');
      for (let cut = 1; cut < parts.length; cut++) {
        // The address with whitespace that holds a line break at one of its dots.
        const split = new RegExp(`(^|[^\\d.])${parts.slice(0, cut).join('\\.')}(\\.\\s*\\n\\s*|\\s*\\n\\s*\\.)${parts.slice(cut).join('\\.')}($|[^\\d])`);
        assert.doesNotMatch(text, split, `${ip} split across lines`);
      }
    }
  }
});

test('names with hyphens are not split across lines in the summary', () => {
  const summary = pdftotext('-f', '1', '-l', '3');
  for (const node of Object.keys(demo.model.nodes)) {
    const [head, tail] = node.split('-');
    if (!tail) continue;
    assert.doesNotMatch(summary, new RegExp(`\\b${head}-\\s*\\n\\s*${tail}\\b`), `${node} split after its hyphen`);
  }
});

test('no table is wider than the printed page', async () => {
  const page = await browser.newPage();
  try {
    await page.setJavaScriptEnabled(false);
    // A4 (210 mm) less the 10 mm side margins writePdf prints with, at 96 px per inch.
    const contentWidth = Math.floor((190 / 25.4) * 96);
    await page.setViewport({ width: contentWidth, height: 1000 });
    await page.emulateMediaType('print');
    await page.setContent(renderViewHtml(printView), { waitUntil: 'load' });
    const tables = await page.$$eval('table', (elements) => elements.map((t) => ({ cls: t.className, scroll: t.scrollWidth, right: t.getBoundingClientRect().right })));
    assert.ok(tables.length >= 10, `the print view has tables (${tables.length})`);
    for (const t of tables) {
      assert.ok(t.scroll <= contentWidth, `table.${t.cls || '(grid)'} is ${t.scroll}px wide, the page ${contentWidth}px`);
      assert.ok(t.right <= contentWidth + 1, `table.${t.cls || '(grid)'} ends at ${t.right}px`);
    }
    const pageWidth = await page.$eval('html', (el) => el.scrollWidth);
    assert.ok(pageWidth <= contentWidth, `the document is ${pageWidth}px wide`);
  } finally {
    await page.close();
  }
});

test('a service announced only over BGP never shows an ARP conflict, as the duplicate-MAC check ignores it', () => {
  const bgpOnly = printView.services.filter((s) => s.modes.length === 1 && s.modes[0] === 'bgp');
  assert.ok(bgpOnly.length >= 2, 'the scenario has BGP-only services');
  // kube-proxy IPVS without strictARP makes every node answer ARP for these IPs in this scenario.
  const answered = Object.values(demo.model.nodes).some((n) => n.arping.some((a) => bgpOnly.some((s) => s.ips.includes(a.ip)) && a.macs.length > 1));
  assert.ok(answered, 'several MACs answer ARP for a BGP-only IP, so the rule is exercised');
  const duplicateIps = demo.findings.filter((f) => f.id === 'l2-duplicate-mac').flatMap((f) => f.subjects.filter((s) => s.kind === 'IP').map((s) => s.name));
  for (const s of bgpOnly) {
    assert.notEqual(s.verdict, 'conflict', `${s.namespace}/${s.name}: ${s.verdictText}`);
    assert.deepEqual(s.observed.macs, []);
    assert.ok(!s.observedLines.some((l) => /ARP/.test(l)), `${s.name}: ${s.observedLines.join(' | ')}`);
    for (const ip of s.ips) assert.ok(!duplicateIps.includes(ip), `l2-duplicate-mac does not name ${ip} either`);
  }
  // Nor "as expected" beside a finding that says its prefix does not reach a peer.
  const notAdvertised = new Set(demo.findings.filter((f) => f.id === 'bgp-prefix-not-advertised').flatMap((f) => f.subjects.filter((x) => x.kind === 'Service').map((x) => x.name)));
  const named = bgpOnly.filter((s) => notAdvertised.has(`${s.namespace}/${s.name}`) || notAdvertised.has(s.name));
  assert.ok(named.length > 0, `bgp-prefix-not-advertised names a BGP-only service: ${[...notAdvertised].join(', ')}`);
  for (const s of named) assert.equal(s.verdict, 'mismatch', `${s.namespace}/${s.name}: ${s.verdictText}`);
  // An L2 service with the same answers is still a conflict: the rule is per protocol, not a blanket.
  assert.ok(printView.services.some((s) => s.modes.includes('layer2') && s.verdict === 'conflict'));
});

test('topology: lines for expected and observed announcers only; several MACs are a mark on the IP', () => {
  const lines = printView.topology.lines.filter((l) => l.cls.startsWith('announce'));
  const ipCount = printView.services.reduce((n, s) => n + s.ips.length, 0);
  const nodeCount = Object.keys(demo.model.nodes).length;
  assert.ok(lines.length > 0 && lines.length < ipCount * nodeCount, `${lines.length} announcement lines, not a mesh of ${ipCount * nodeCount}`);
  for (const line of lines) assert.match(line.cls, /^announce (l2|bgp) (ok|expected|unexpected|down)$/);
  const marked = printView.topology.boxes.filter((b) => b.cls.includes('conflict'));
  assert.ok(marked.length > 0 && marked.every((b) => b.cls.startsWith('ip') && /MACs/.test(b.badge ?? '')));
});

test("the report's duration is the manifest's, labelled, and the CLI's count of findings adds up to the cards", () => {
  const collectionMs = Date.parse(manifest.finishedAt!) - Date.parse(manifest.createdAt);
  // Written during the run, before the bundle was sealed: the collection's time.
  const html = readFileSync(join(dir, 'demo', 'report.html'), 'utf8');
  assert.match(html, new RegExp(`collection took</span> ${formatDuration(collectionMs).replace('.', '\\.')}`));
  assert.match(squash(pdftotext('-f', '1', '-l', '1')), new RegExp(`collection took ${formatDuration(collectionMs).replace('.', '\\.')}`));
  // Read back from the sealed bundle: the whole run as the manifest's totalMs.
  assert.equal(printView.collectionDuration, formatDuration(collectionMs));
  assert.equal(printView.runDuration, formatDuration(manifest.timings.totalMs));
  assert.match(renderViewHtml(printView), new RegExp(`whole run \\(collection, analysis, report\\)</span> ${formatDuration(manifest.timings.totalMs).replace('.', '\\.')}`));

  const cards = (html.match(/<li class="finding sev-/g) ?? []).length;
  const summary = formatDemoSummary(demo);
  const count = Number(/^(\d+) finding\(s\)/m.exec(summary)?.[1]);
  const shown = summary.split('\n').filter((l) => /^ {2}\d+\. \[/.test(l)).length;
  const more = Number(/… and (\d+) more/.exec(summary)?.[1] ?? 0);
  assert.equal(count, cards, summary);
  assert.equal(shown + more, cards, summary);
});
