#!/usr/bin/env node
// Entry point for `mlb-report` and the kubectl plugin `kubectl-mlb_report`.
// Installed from npm (no src/ in the package) it runs the bundle the package was packed with
// (dist/mlb-report.mjs, scripts/bundle.mjs at `prepack`). In a clone, `npm ci` builds the same
// bundle (`prepare`); it is used while it is newer than every source file, otherwise the sources run
// through tsx (a devDependency, present in a clone only), so a clone never runs code older than src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (command === 'collect' || command === 'demo') {
  // A big collection allocates fast and keeps little (about 100 MB live at 500 nodes). V8 then lets
  // the old generation grow to several times the live set between full collections: 500+ MB of
  // resident memory, mostly garbage. Growing it by at most 1.6x keeps the peak near 400 MB for some
  // more GC work. This is a growth factor, not a cap: a bigger cluster still gets the heap it needs.
  setFlagsFromString('--heap-growing-percent=60');
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'mlb-report.mjs');

/** Newest modification time under `dir` (the sources and templates the bundle was built from). */
function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const sources = join(root, 'src');
const fromClone = existsSync(sources);

/** In a clone: the bundle `npm ci` built, unless a source file changed after it was built. */
function freshBundle() {
  if (process.env.MLB_REPORT_FROM_SOURCE) return false;
  try {
    return statSync(bundle).mtimeMs >= Math.max(newestMtime(sources), statSync(join(root, 'package.json')).mtimeMs);
  } catch {
    return false;
  }
}

let main;
if (!fromClone || freshBundle()) {
  ({ main } = await import(bundle));
} else {
  // Commands that talk to a cluster load client-node (about 2,500 modules). Loaded before tsx's
  // hooks are registered, Node's own loader takes it in about 0.6 s instead of 1.1 s; the later
  // imports from the TypeScript sources find it already loaded.
  if (command === 'collect' || command === 'demo') await import('@kubernetes/client-node');
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('error: the sources are newer than dist/mlb-report.mjs and tsx is not installed\nfix: run `npm ci` in this clone (it installs tsx and rebuilds the bundle)\n');
    process.exit(2);
  }
  register();
  ({ main } = await import('../src/cli/index.ts'));
}
await main(process.argv);
