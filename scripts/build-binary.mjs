#!/usr/bin/env node
// `npm run build:binary`: a single-file executable (Node's single executable applications) at
// dist/mlb-report-<platform>-<arch>, made from the Node that runs this script. It needs neither
// Node nor npm nor anything on PATH: the CLI and all its dependencies (puppeteer-core included) are
// one CommonJS script, and templates, built-in scenarios, replay data and upstream manifests are
// embedded assets that src/version.ts hands to the code as a folder (see seaPackageRoot there).
// Another platform: run this script with that platform's Node (same major version) on that platform.
// Usage: node scripts/build-binary.mjs [outfile]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(process.argv[2] ?? join(root, 'dist', `mlb-report-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`));
const work = join(root, 'dist', 'sea');
const started = Date.now();
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
} catch {
  // Not a checkout (a source tarball): `--version` says unknown.
}

// 1. The CLI as one CommonJS script: the only kind a single executable runs as its main script.
const script = join(work, 'mlb-report.cjs');
await esbuild.build({
  stdin: {
    contents: [
      "import { setFlagsFromString } from 'node:v8';",
      "import { main } from './src/cli/index.ts';",
      // As bin/mlb-report.js does for the commands that collect (see the reason there).
      "const command = process.argv.slice(2).find((a) => !a.startsWith('-'));",
      "if (command === 'collect' || command === 'demo') setFlagsFromString('--heap-growing-percent=60');",
      'main(process.argv).catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
    sourcefile: 'sea-main.ts',
  },
  outfile: script,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: {
    __MLB_REPORT_COMMIT__: JSON.stringify(commit),
    // CommonJS has no import.meta. Nothing reads it inside the binary (packageRoot comes from the
    // assets); a URL that is no file keeps "am I the main module?" comparisons false.
    'import.meta.url': JSON.stringify('file:///mlb-report-single-executable'),
  },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'error',
});
// esbuild leaves `import('node:fs')` as it is in CommonJS output, and a single executable's main
// script has no dynamic import(): Node's built-ins come from require() there, wrapped as the
// namespace import() would have given (named exports plus default).
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
let code = readFileSync(script, 'utf8').replace(/\bimport\((["'])([^"']+)\1\)/g, (call, _q, name) =>
  builtins.has(name) ? `Promise.resolve().then(()=>{const m=require(${JSON.stringify(name)});return{...m,default:m}})` : call,
);
// Optional dependencies a bundled package tries and does without (ws: bufferutil, utf-8-validate;
// node-fetch: encoding) are not in the bundle; the binary's require() would warn on each one before
// failing. Failing as a missing module does, without the warning, is the same answer.
code = code.replace(/\brequire\((["'])([^"']+)\1\)/g, (call, _q, name) =>
  builtins.has(name) ? call : `(()=>{throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${name}'`)}),{code:'MODULE_NOT_FOUND'})})()`,
);
const leftover = /\bimport\((["'])([@a-z][\w@./-]*)\1\)/.exec(code);
if (leftover) throw new Error(`the binary's script still has a dynamic import of ${leftover[2]}: bundle it or add it to the built-ins rewrite`);
writeFileSync(script, code);

// 2. The files the CLI reads at run time, as assets (key = path from the package root).
const assetRoots = ['package.json', 'templates', 'fixtures/scenarios', 'fixtures/replay', 'fixtures/upstream', 'fixtures/schemas'];
function walk(path) {
  return statSync(path).isDirectory() ? readdirSync(path).sort().flatMap((e) => walk(join(path, e))) : [path];
}
const files = assetRoots.flatMap((r) => walk(join(root, r))).map((f) => relative(root, f));
const hash = createHash('sha256');
for (const f of files) hash.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
hash.update(readFileSync(script));
const index = join(work, 'sea-index.json');
writeFileSync(index, JSON.stringify({ hash: hash.digest('hex'), files }));
const assets = Object.fromEntries([['sea-index.json', index], ...files.map((f) => [f, join(root, f)])]);

// 3. The preparation blob, then a copy of this Node with the blob injected.
const blob = join(work, 'sea-prep.blob');
const config = join(work, 'sea-config.json');
writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
rmSync(outfile, { force: true });
copyFileSync(process.execPath, outfile);
const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
const postjectArgs = [postject, outfile, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'];
if (process.platform === 'darwin') {
  // macOS: the copy's signature no longer matches; drop it, inject, and sign ad hoc.
  execFileSync('codesign', ['--remove-signature', outfile]);
  postjectArgs.push('--macho-segment-name', 'NODE_SEA');
}
// postject warns about ELF note sections it does not parse on every build: shown only if it fails.
const injected = spawnSync(process.execPath, postjectArgs, { encoding: 'utf8' });
if (injected.status !== 0) throw new Error(`postject failed (exit ${injected.status}):\n${injected.stdout}${injected.stderr}`);
if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', outfile]);
const size = (statSync(outfile).size / 1024 / 1024).toFixed(0);
console.log(`mlb-report: ${outfile} (${size} MB, ${files.length} embedded files) built in ${Date.now() - started} ms`);
