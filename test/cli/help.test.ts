/**
 * Conventions every command keeps: `--help` ends with an example (src/cli/examples.ts), and
 * `--version` prints the version and the git commit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/index.js';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/mlb-report.js');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function paths(cmd: Command, path: string[] = []): string[][] {
  return [path, ...cmd.commands.flatMap((c) => paths(c, [...path, c.name()]))];
}

test('--help of every command ends with an example', async () => {
  const all = paths(await buildProgram());
  assert.ok(all.some((p) => p.join(' ') === 'sim record') && all.some((p) => p.join(' ') === 'completion'), all.map((p) => p.join(' ')).join(', '));
  for (const path of all) {
    const r = spawnSync(process.execPath, [bin, ...path, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, `${path.join(' ')} --help: ${r.stderr}`);
    const tail = r.stdout.trimEnd().split('\n');
    const at = tail.findLastIndex((l) => /^Examples?:$/.test(l));
    assert.ok(at > 0, `mlb-report ${path.join(' ')} --help has no example:\n${r.stdout}`);
    assert.ok(tail.slice(at + 1).every((l) => l.startsWith('  $ ')), `the example is the end of mlb-report ${path.join(' ')} --help`);
    assert.ok(tail.slice(at + 1).some((l) => l.includes(`mlb-report ${path.join(' ')}`.trim())), `the example of ${path.join(' ') || 'mlb-report'} runs that command`);
  }
});

test('--version prints the version and the commit (from git in a clone)', () => {
  const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  for (const args of [['--version'], ['-V'], ['collect', '--version']]) {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, MLB_REPORT_FROM_SOURCE: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `mlb-report ${version} (commit ${head || 'unknown'})\n`, args.join(' '));
  }
});
