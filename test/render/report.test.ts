/**
 * The report in a real headless Chromium: first screen, no network, no console errors, hostile
 * content stays text, and the PDF carries the first finding on page 1. One browser for the file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'puppeteer-core';
import { renderReport } from '../../src/render/index.js';
import { findChrome } from '../../src/render/chrome.js';
import { launchChrome } from '../../src/render/pdf.js';
import { templatesDir } from '../../src/render/html.js';
import { loadFixture } from './fixture.js';

let browser: Browser;
let workDir: string;

before(async () => {
  const chrome = findChrome();
  assert.ok(chrome, 'a Chrome/Chromium must be installed for the report tests (e.g. /usr/bin/chromium)');
  browser = await launchChrome(chrome);
  workDir = await mkdtemp(join(tmpdir(), 'mlb-report-render-'));
});

after(async () => {
  await browser?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  externalRequests: string[];
  consoleErrors: string[];
  dialogs: string[];
}

/** Opens a report file with JavaScript on (so anything injected would run) and records what it tries. */
async function open(file: string): Promise<Opened> {
  const page = await browser.newPage();
  const opened: Opened = { page, externalRequests: [], consoleErrors: [], dialogs: [] };
  await page.setViewport({ width: 1280, height: 800 });
  await page.setRequestInterception(true);
  const fileUrl = pathToFileURL(file).href;
  page.on('request', (request) => {
    const url = request.url();
    if (url === fileUrl || url.startsWith('data:')) void request.continue();
    else {
      opened.externalRequests.push(url);
      void request.abort();
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') opened.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => opened.consoleErrors.push(String(error)));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(fileUrl, { waitUntil: 'load' });
  return opened;
}

test('report.html: first finding on the first screen, self-contained, sections and links intact', async () => {
  const { model, findings } = loadFixture();
  const outDir = join(workDir, 'fixture');
  const result = await renderReport({ model, findings, outDir, formats: ['html'] });
  assert.deepEqual(result.files, [join(outDir, 'report.html')]);
  const { page, externalRequests, consoleErrors, dialogs } = await open(join(outDir, 'report.html'));
  try {
    const shot = await page.screenshot({ path: join(outDir, 'first-screen.png') });
    assert.ok(shot.length > 10_000, 'the screenshot has content');

    const first = await page.$eval('#finding-1 h3', (el) => {
      const box = el.getBoundingClientRect();
      return { text: el.textContent, top: box.top, bottom: box.bottom, visible: box.height > 0 && el.ownerDocument.defaultView!.getComputedStyle(el).visibility !== 'hidden' };
    });
    assert.equal(first.text, findings[0].title);
    assert.ok(first.visible && first.top >= 0 && first.bottom <= 800, `first finding title within the 1280×800 viewport (bottom at ${first.bottom}px)`);

    const header = await page.$eval('header', (el) => el.textContent ?? '');
    for (const expected of ['prod-eu-1', 'v0.14.9', 'frr mode', 'helm', '2026-11-27 12:47:30 UTC', '2 of 3 nodes fully collected, 1 partially']) {
      assert.ok(header.includes(expected), `header shows ${expected}`);
    }
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (el) => el.getAttribute('content'));
    assert.equal(csp, "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    assert.equal(await page.$$eval('script, link[rel="stylesheet"], iframe', (els) => els.length), 0);

    // Ranked order, severities and the one-line fix are on the page as given.
    const titles = await page.$$eval('.finding h3', (els) => els.map((el) => el.textContent));
    assert.deepEqual(titles, findings.map((f) => f.title));
    assert.equal(await page.$eval('#finding-1 .pill', (el) => el.textContent), 'Error');
    assert.match(await page.$eval('#finding-1 .fix', (el) => el.textContent ?? ''), /peerASN/);

    // Every evidence link lands on an existing raw output that shows the file.
    const evidenceTargets = await page.$$eval('.evidence a[href^="#"]', (els) => els.map((el) => el.getAttribute('href')!.slice(1)));
    assert.ok(evidenceTargets.length >= 4, 'evidence links to raw outputs');
    for (const id of evidenceTargets) {
      const text = await page.$eval(`[id="${id}"] pre`, (el) => el.textContent ?? '');
      assert.ok(text.length > 0, `raw output ${id} has content`);
    }
    assert.match(await page.$eval(`[id="${evidenceTargets[0]}"] pre`, (el) => el.textContent ?? ''), /Bad Peer AS/);

    // Topology: the Idle session is drawn as a down edge, the conflicting IP is flagged.
    assert.ok((await page.$$('#topology svg .edge.down')).length >= 1);
    assert.ok((await page.$$('#topology svg .edge.up')).length >= 1);
    const badges = await page.$$eval('#topology svg .badge', (els) => els.map((el) => el.textContent));
    assert.ok(badges.includes('2 MACs'));

    const webRow = await page.$$eval('#services tbody tr', (rows) => rows.map((r) => r.textContent ?? '').find((t) => t.includes('default/web')) ?? '');
    assert.match(webRow, /L2: worker-2/);
    assert.match(webRow, /conflict/);

    const nodeSections = await page.$$eval('#nodes details.node', (els) => els.map((el) => ({ open: (el as unknown as { open: boolean }).open, text: el.querySelector('summary')?.textContent ?? '' })));
    // worker-1 raises nothing: summarised among the nodes alike, its folder linked, not a section.
    assert.equal(nodeSections.length, 2);
    assert.match(await page.$eval('#nodes .alike', (el) => el.textContent ?? ''), /1 node alike:.*worker-1/s);
    assert.ok(nodeSections.find((n) => n.text.includes('worker-2'))?.open, 'a node with findings starts open');
    assert.match(await page.$eval('#nodes', (el) => el.textContent ?? ''), /OPEN Message Error\/Bad Peer AS/);
    const steps = await page.$eval('#collection', (el) => el.textContent ?? '');
    assert.match(steps, /ErrImagePull: nicolaka\/netshoot:v0\.13/);
    assert.match(steps, /mlb-report-k3x9/);

    assert.deepEqual(externalRequests, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(dialogs, []);
  } finally {
    await page.close();
  }
});

test('hostile names and log lines render as text and nothing executes', async () => {
  const { model, findings } = loadFixture();
  const hostileName = '<img src=x onerror=alert(1)>';
  const hostileLine = '</script><script>alert(2)</script><style>body{display:none}</style>';
  const bundleRoot = join(workDir, 'hostile-bundle');
  await mkdir(join(bundleRoot, 'logs', 'evil'), { recursive: true });
  await writeFile(join(bundleRoot, 'logs', 'evil', 'speaker.log'), `${hostileLine}\n"><svg onload=alert(3)>\n`);
  model.bundleRoot = bundleRoot;
  model.manifest!.files = [{ path: 'logs/evil/speaker.log', size: 100, sha256: '0' }];
  model.manifest!.cluster.context = `ctx${hostileName}`;
  model.kube.services.push({ metadata: { name: hostileName, namespace: 'default' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '198.51.100.100' }] } } });
  model.nodes['worker-1'].sockets.push({ proto: 'tcp', state: 'LISTEN', localAddress: '0.0.0.0', localPort: 179, process: hostileName });
  findings.unshift({
    id: 'hostile',
    severity: 'error',
    category: 'install',
    title: `Service ${hostileName}`,
    summary: `log says ${hostileLine}`,
    subjects: [{ kind: 'Service', name: hostileName, namespace: 'default' }],
    evidence: [{ path: 'logs/evil/speaker.log', excerpt: hostileLine }, { path: '../../etc/passwd', excerpt: 'x' }],
    remediation: { summary: `kubectl delete svc '${hostileName}'`, snippet: hostileLine },
  });
  const outDir = join(workDir, 'hostile');
  await renderReport({ model, findings, outDir, formats: ['html'] });
  const html = await readFile(join(outDir, 'report.html'), 'utf8');
  assert.ok(!html.includes('<img'), 'no img tag in the markup');
  assert.ok(!/<script/i.test(html), 'no script tag in the markup');
  assert.ok(!html.includes('root:x:0'), 'nothing read outside the bundle');

  const { page, externalRequests, consoleErrors, dialogs } = await open(join(outDir, 'report.html'));
  try {
    assert.equal(await page.$$eval('img', (els) => els.length), 0);
    assert.equal(await page.$$eval('script', (els) => els.length), 0);
    assert.equal(await page.$$eval('svg [onload]', (els) => els.length), 0);
    assert.equal(await page.$eval('#finding-1 h3', (el) => el.textContent), `Service ${hostileName}`);
    const bodyText = await page.$eval('body', (el) => el.textContent ?? '');
    assert.ok(bodyText.includes(hostileLine), 'the log line is shown as text');
    assert.ok(bodyText.includes(`ctx${hostileName}`));
    assert.equal(await page.$eval('body', (el) => el.ownerDocument.defaultView!.getComputedStyle(el).display), 'block', 'the injected style did not apply');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(externalRequests, []);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await page.close();
  }
});

test('report.pdf: pdftotext shows the first finding on page 1 and the header carries the cluster', async () => {
  const { model, findings } = loadFixture();
  const outDir = join(workDir, 'pdf');
  const result = await renderReport({ model, findings, outDir, formats: ['pdf'] });
  assert.deepEqual(result.notes, []);
  assert.deepEqual(result.files.sort(), [join(outDir, 'report.html'), join(outDir, 'report.pdf')].sort());
  const pdf = join(outDir, 'report.pdf');
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  const page1 = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-'], { encoding: 'utf8' });
  assert.match(page1, new RegExp(findings[0].title));
  assert.match(page1, /MetalLB report · prod-eu-1/);
  assert.match(page1, /page 1 of \d+/);
  const all = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  // Print view: evidence is open, raw outputs cited by findings are printed.
  assert.match(all, /Unicast reply from 198\.51\.100\.101 \[02:00:00:00:00:03\]/);
  assert.match(all, /Raw outputs/);
});

test('templates never use the unescaped triple-stash', () => {
  const files = ['report.hbs', ...readdirSync(join(templatesDir, 'partials')).map((f) => join('partials', f))];
  for (const file of files) {
    const text = readFileSync(join(templatesDir, file), 'utf8');
    assert.ok(!text.includes('{{{'), `${file} has no {{{ }}}`);
    assert.ok(!text.includes('{{&'), `${file} has no {{& }}`);
  }
});
