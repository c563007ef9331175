#!/usr/bin/env node
// `npm pack` / `npm publish` ship package.json as it is on disk. Its `prepare` script is for clones
// (`npm ci` builds the bundle there); in the published package it is wrong twice over: the
// package already carries the bundle, and npm 11 warns on install about a script it did not run.
// `prepack` runs `strip` (prepare removed, the original kept beside it), `postpack` runs `restore`.
// A pack that fails in between leaves the backup: the next `strip` or `restore` puts it back first.
import { cpSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const backup = join(root, '.package.json.packing');
const action = process.argv[2];

if (existsSync(backup)) renameSync(backup, manifest);
if (action === 'strip') {
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  delete pkg.scripts.prepare;
  // The copy keeps the original's time: restored, package.json is not newer than the bundle, which
  // bin/mlb-report.js would take for a stale bundle in a clone.
  cpSync(manifest, backup, { preserveTimestamps: true });
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (action !== 'restore') {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
