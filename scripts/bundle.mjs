#!/usr/bin/env node
// Bundles the CLI and its pure-JS dependencies into dist/mlb-report.mjs (esbuild).
// When: `npm pack`/`npm publish` (`prepack`), so the published package carries the bundle and
// installing it runs no script of ours; and `npm ci` in a clone (`prepare`), so a clone starts fast.
// Why: the installed package then needs none of client-node's, commander's, handlebars', yaml's …
// files (smaller install), and loads one file instead of about 2,500 modules: `collect` is timed
// from the moment it starts, and the sources through tsx took about 1.5 s before the first request.
// bin/mlb-report.js uses the bundle in a clone only while it is newer than every source file, so
// editing src/ never runs stale code (it falls back to tsx there).
// Usage: node scripts/bundle.mjs [outfile]   (default dist/mlb-report.mjs; the bundle finds
// templates/ and fixtures/ one folder above its own, so keep it one level below the package root)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, resolve } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(process.argv[2] ?? join(root, 'dist/mlb-report.mjs'));
// npm runs `prepack` and then `prepare` for `npm pack`: the bundle prepack just built is current.
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');
if (packing && process.env.npm_lifecycle_event === 'prepare' && existsSync(outfile)) process.exit(0);

const started = Date.now();
let esbuild;
try {
  esbuild = await import('esbuild');
} catch (e) {
  // A package without its bundle would not run: packing must fail. In a clone, the CLI can still
  // run the sources through tsx, so an install is not failed over it.
  if (packing) throw e;
  console.warn(`mlb-report: not bundled (esbuild not available: ${e.message.split('\n')[0]}); the CLI runs from src/ through tsx`);
  process.exit(0);
}

/** The commit `--version` prints: MLB_REPORT_COMMIT (an image build has no .git), else git, else `unknown`. */
function gitCommit(dir) {
  if (process.env.MLB_REPORT_COMMIT) return process.env.MLB_REPORT_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

// Code splitting: each command's implementation (client-node, the simulator, handlebars,
// puppeteer-core …) is a chunk that its action imports on demand, so `--version`, `--help` or
// `checks` parse a fraction of the code. Old chunks go first: their names carry content hashes.
const outdir = dirname(outfile);
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: { [basename(outfile).replace(/\.mjs$/, '')]: join(root, 'src/cli/index.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // puppeteer-core is bundled too (a chunk loaded only for PDFs): the package then has no
  // dependencies, and its 50 MB of installed helpers (browser downloader, BiDi, zod) stay out.
  define: { __MLB_REPORT_COMMIT__: JSON.stringify(gitCommit(root)) },
  // Some dependencies are CommonJS and call require() for Node's built-ins.
  banner: { js: "import { createRequire as __mlbCreateRequire } from 'node:module'; const require = __mlbCreateRequire(import.meta.url);" },
  // Whitespace and syntax only: names stay readable in stack traces (MLB_REPORT_DEBUG=1).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

// The bundle carries other packages' code: their licences go beside it (MIT, ISC, Apache-2.0 ask
// for the notice to travel with the code).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m && !packages.has(m[1])) packages.set(m[1], resolve(root, m[1]));
}
const notices = [...packages.values()].sort().map((dir) => {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenceFile = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\.|$)/i.test(f));
  const text = licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim() : `License: ${pkg.license ?? 'see the package'}`;
  return `${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}\n`;
});
writeFileSync(join(outdir, 'THIRD-PARTY-NOTICES.txt'), `Packages bundled into ${basename(outfile)} and chunks/:\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`);
console.log(`mlb-report: ${outfile} built in ${Date.now() - started} ms`);
