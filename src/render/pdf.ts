/**
 * PDF from the same HTML (printed with the print view: every section open, raw outputs shortened)
 * through puppeteer-core and the system's Chrome/Chromium (puppeteer-core never downloads a browser).
 */
import type { Browser } from 'puppeteer-core';
import { chromeLaunchArgs, findChrome } from './chrome.js';

export interface PdfHeader {
  cluster: string;
  time: string;
}

/** For puppeteer's header/footer templates, which are HTML we build by hand. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function launchChrome(executablePath: string): Promise<Browser> {
  const puppeteer = (await import('puppeteer-core')).default;
  return puppeteer.launch({ executablePath, headless: true, args: chromeLaunchArgs });
}

/**
 * Prints `html` to `outFile`. Returns false (writes nothing) when no browser is installed.
 * Pass `browser` to reuse one (tests); otherwise one is launched and closed.
 */
export async function writePdf(html: string, outFile: string, header: PdfHeader, browser?: Browser): Promise<boolean> {
  let ownBrowser: Browser | undefined;
  if (!browser) {
    const executablePath = findChrome();
    if (!executablePath) return false;
    ownBrowser = await launchChrome(executablePath);
  }
  const active = (browser ?? ownBrowser)!;
  try {
    const page = await active.newPage();
    try {
      // The report is self-contained; refuse anything that would leave the page anyway.
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        if (request.url().startsWith('data:')) void request.continue();
        else void request.abort();
      });
      await page.setJavaScriptEnabled(false);
      // Big clusters make long documents; Chromium's default 30 s is too short for a few hundred pages.
      await page.setContent(html, { waitUntil: 'load', timeout: 180_000 });
      const small = 'font-size:8px;color:#5f6b7a;width:100%;padding:0 10mm;font-family:sans-serif;display:flex;justify-content:space-between';
      await page.pdf({
        path: outFile,
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: `<div style="${small}"><span>MetalLB report · ${escapeHtml(header.cluster)}</span><span>${escapeHtml(header.time)}</span></div>`,
        footerTemplate: `<div style="${small}"><span>mlb-report</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
        margin: { top: '16mm', bottom: '14mm', left: '10mm', right: '10mm' },
        timeout: 600_000,
      });
    } finally {
      await page.close();
    }
  } finally {
    await ownBrowser?.close();
  }
  return true;
}
