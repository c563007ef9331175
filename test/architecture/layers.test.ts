/**
 * The layers of docs/architecture.md, held against the code: every relative import in src/ goes
 * to a folder its layer may use. A new arrow upward (collection importing the checks, the
 * simulator importing collection, ...) fails here with the file and the import that break it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** Top-level folder (or file) of src/ → the ones it may import. */
const mayImport: Record<string, string[]> = {
  util: [],
  version: [],
  model: ['util'],
  kube: ['util', 'model'],
  catalogue: ['util', 'model'],
  discover: ['util', 'model', 'kube'],
  attach: ['util', 'model', 'kube'],
  bundle: ['util', 'model'],
  collect: ['util', 'version', 'model', 'kube', 'catalogue', 'discover', 'attach', 'bundle'],
  parse: ['util', 'model', 'catalogue', 'bundle'],
  checks: ['util', 'model', 'catalogue', 'parse'],
  analyze: ['util', 'version', 'model', 'bundle', 'parse', 'checks'],
  render: ['util', 'version', 'model', 'checks'],
  diff: ['util', 'model', 'checks', 'analyze'],
  run: ['util', 'version', 'model', 'checks', 'collect', 'analyze', 'render'],
  sim: ['util', 'version', 'model', 'catalogue'],
  lab: ['util', 'version', 'model', 'catalogue', 'sim'],
  serve: ['util', 'version', 'model', 'bundle', 'catalogue', 'parse', 'sim'],
  cli: Object.keys({ util: 1, version: 1, model: 1, kube: 1, catalogue: 1, discover: 1, attach: 1, bundle: 1, collect: 1, parse: 1, checks: 1, analyze: 1, render: 1, diff: 1, run: 1, sim: 1, lab: 1, serve: 1 }),
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const layerOf = (file: string): string => relative('src', file).split(sep)[0]!.replace(/\.(ts|js)$/, '');
const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

test('every layer imports only the layers below it', () => {
  const files = sources('src');
  assert.ok(files.length > 100, 'the sources are there');
  const wrong: string[] = [];
  const layers = new Set<string>();
  for (const file of files) {
    const from = layerOf(file);
    layers.add(from);
    for (const m of readFileSync(file, 'utf8').matchAll(importPattern)) {
      const target = layerOf(normalize(join(dirname(file), m[1] ?? m[2]!)));
      if (target === from) continue;
      if (!(mayImport[from] ?? []).includes(target)) wrong.push(`${file} imports ${target}/ (${m[1] ?? m[2]})`);
    }
  }
  for (const layer of layers) assert.ok(layer in mayImport, `src/${layer} has a place in the layer table (docs/architecture.md)`);
  assert.deepEqual(wrong, []);
});

test('collection knows nothing of checks or reports, and nothing below it imports collection', () => {
  // The same rule, spelled out as the architecture states it, so a change of the table above
  // cannot quietly allow it.
  for (const [layer, allowed] of Object.entries(mayImport)) {
    if (layer === 'collect') for (const above of ['analyze', 'checks', 'render', 'run']) assert.ok(!allowed.includes(above), `collect may not import ${above}`);
    if (!['run', 'cli'].includes(layer)) assert.ok(!allowed.includes('collect'), `${layer} may not import collect`);
  }
});
