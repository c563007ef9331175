/**
 * Finding a Chrome/Chromium without downloading one, and the launch flags that work for root in a
 * container without a sandbox (measured in shared/docs/lab.md §8).
 */
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const chromeLaunchArgs = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'];

const wellKnownPaths = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Browsers in puppeteer's cache (a puppeteer install, or `npx @puppeteer/browsers install chrome --path ~/.cache/puppeteer`); never downloaded by us. */
function puppeteerCacheBrowsers(): string[] {
  const cacheRoot = process.env.PUPPETEER_CACHE_DIR ?? join(homedir(), '.cache', 'puppeteer');
  const found: string[] = [];
  for (const product of ['chrome', 'chrome-headless-shell']) {
    const dir = join(cacheRoot, product);
    if (!existsSync(dir)) continue;
    for (const version of readdirSync(dir).sort().reverse()) {
      for (const candidate of [
        join(dir, version, 'chrome-linux64', 'chrome'),
        join(dir, version, 'chrome-headless-shell-linux64', 'chrome-headless-shell'),
        join(dir, version, 'chrome-mac-x64', 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'),
        join(dir, version, 'chrome-mac-arm64', 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'),
      ]) {
        found.push(candidate);
      }
    }
  }
  return found;
}

function onPath(names: string[]): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return names.flatMap((name) => dirs.map((dir) => join(dir, name)));
}

/** The first usable browser: PUPPETEER_EXECUTABLE_PATH, puppeteer's cache, PATH, then usual places. */
export function findChrome(): string | undefined {
  const fromEnv = process.env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) return executable(fromEnv) ? fromEnv : undefined;
  const candidates = [...puppeteerCacheBrowsers(), ...onPath(['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome']), ...wellKnownPaths];
  return candidates.find(executable);
}

export const chromeHowTo =
  'install Chromium (e.g. `apt-get install chromium`) or set PUPPETEER_EXECUTABLE_PATH to a Chrome binary, then run `mlb-report analyze <bundle> --format pdf`';
