#!/usr/bin/env node
// Bundles the CLI into dist/mlb-report.mjs at install time (npm's `prepare`, which `npm ci` runs).
// Why: `collect` is timed from the moment it is started, and loading client-node's 2,500 modules
// plus our TypeScript through tsx took about 1.5 s before the first request; the bundle loads in
// about 0.3 s. bin/mlb-report.js uses the bundle only while it is newer than every source file, so
// editing src/ never runs stale code (it falls back to tsx).
// Usage: node scripts/bundle.mjs [outfile]   (default dist/mlb-report.mjs; the bundle finds
// templates/ and fixtures/ one folder above its own, so keep it one level below the package root)
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(process.argv[2] ?? join(root, 'dist/mlb-report.mjs'));
const started = Date.now();
let esbuild;
try {
  esbuild = await import('esbuild');
} catch (e) {
  // Never fail an install over it: bin/mlb-report.js runs the sources through tsx instead.
  console.warn(`mlb-report: not bundled (esbuild not available: ${e.message.split('\n')[0]}); the CLI runs from src/ through tsx`);
  process.exit(0);
}
await esbuild.build({
  entryPoints: [join(root, 'src/cli/index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Puppeteer is loaded only for PDFs and finds its browser relative to its own package.
  external: ['puppeteer', 'puppeteer-core'],
  // Some dependencies are CommonJS and call require() for Node's built-ins.
  banner: { js: "import { createRequire as __mlbCreateRequire } from 'node:module'; const require = __mlbCreateRequire(import.meta.url);" },
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`mlb-report: ${outfile} built in ${Date.now() - started} ms`);
