import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { allChecks, runChecks } from '../../src/checks/index.js';
import { checksMarkdown } from '../../src/checks/docs.js';
import { explanations } from '../../src/checks/rank.js';
import { emptyModel } from '../../src/model/cluster.js';

const root = join(import.meta.dirname, '../..');
const categories = ['allocation', 'announcement-l2', 'bgp', 'bfd', 'frr', 'memberlist', 'install', 'kube-proxy', 'collection'];

test('every rule file is registered once, with a unique id matching its file name', () => {
  const files = readdirSync(join(root, 'src/checks/rules')).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
  assert.ok(allChecks.length >= 30, `${allChecks.length} checks`);
  assert.deepEqual([...allChecks.map((c) => c.id)].sort(), [...files].sort());
  assert.equal(new Set(allChecks.map((c) => c.id)).size, allChecks.length);
});

test('every check is documented and has its own case-table test', () => {
  for (const c of allChecks) {
    assert.ok(categories.includes(c.category), `${c.id}: category ${c.category}`);
    assert.ok(c.rank >= 0 && c.rank <= 100, `${c.id}: rank`);
    for (const k of ['cause', 'confirm', 'fix'] as const) assert.ok(c.docs[k].length > 20, `${c.id}: docs.${k}`);
    assert.ok(existsSync(join(root, `test/checks/${c.id}.test.ts`)), `test/checks/${c.id}.test.ts`);
  }
});

test('explanations only name existing checks', () => {
  const ids = new Set(allChecks.map((c) => c.id));
  for (const [cause, symptoms] of Object.entries(explanations)) {
    assert.ok(ids.has(cause), cause);
    for (const s of symptoms) assert.ok(ids.has(s), `${cause} → ${s}`);
  }
});

test('an empty model produces no findings and no crash', () => {
  assert.deepEqual(runChecks(emptyModel()), []);
});

test('docs/checks.md is up to date (regenerate: mlb-report checks --markdown > docs/checks.md)', async () => {
  assert.equal(readFileSync(join(root, 'docs/checks.md'), 'utf8'), await checksMarkdown());
});
