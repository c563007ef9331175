import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChrome } from '../../src/render/chrome.js';
import { renderReport } from '../../src/render/index.js';
import { loadFixture } from './fixture.js';

async function withEnv<T>(name: string, value: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

test('PUPPETEER_EXECUTABLE_PATH wins when it is executable, and is not second-guessed when it is not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-chrome-'));
  try {
    const fake = join(dir, 'my-chrome');
    await writeFile(fake, '#!/bin/sh\n');
    await chmod(fake, 0o755);
    assert.equal(await withEnv('PUPPETEER_EXECUTABLE_PATH', fake, async () => findChrome()), fake);
    assert.equal(await withEnv('PUPPETEER_EXECUTABLE_PATH', join(dir, 'missing'), async () => findChrome()), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('without a browser the HTML is still written and one note says how to get the PDF', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-nochrome-'));
  try {
    const { model, findings } = loadFixture();
    const result = await withEnv('PUPPETEER_EXECUTABLE_PATH', join(dir, 'no-such-chrome'), () => renderReport({ model, findings, outDir: dir, formats: ['pdf'] }));
    assert.deepEqual(result.files, [join(dir, 'report.html')]);
    assert.equal(existsSync(join(dir, 'report.pdf')), false);
    assert.equal(result.notes.length, 1);
    assert.match(result.notes[0], /^no Chrome\/Chromium found, wrote the HTML only; for the PDF install Chromium .* PUPPETEER_EXECUTABLE_PATH/);
    assert.ok(!result.notes[0].includes('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('json format writes findings.json only when asked, with the findings as given', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-json-'));
  try {
    const { model, findings } = loadFixture();
    const html = await renderReport({ model, findings, outDir: join(dir, 'a'), formats: ['html'] });
    assert.equal(existsSync(join(dir, 'a', 'findings.json')), false);
    assert.deepEqual(html.files, [join(dir, 'a', 'report.html')]);
    const json = await renderReport({ model, findings, outDir: join(dir, 'b'), formats: ['json'] });
    assert.deepEqual(json.files, [join(dir, 'b', 'findings.json')]);
    const { readFile } = await import('node:fs/promises');
    const doc = JSON.parse(await readFile(join(dir, 'b', 'findings.json'), 'utf8'));
    assert.deepEqual(doc.findings.map((f: { id: string }) => f.id), findings.map((f) => f.id));
    assert.equal(doc.cluster.context, 'prod-eu-1');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the PDF header escapes the cluster name it is given', async () => {
  const { escapeHtml } = await import('../../src/render/pdf.js');
  assert.equal(escapeHtml(`<img src=x onerror="alert('1')">&`), '&#60;img src&#61;x onerror&#61;&#34;alert(&#39;1&#39;)&#34;&#62;&#38;');
});
