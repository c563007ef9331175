/** --help through the real binary: the usage line a user copies, and the values an option accepts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

test('sim record --help names the whole command: Usage: mlb-report sim record', async () => {
  const { stdout } = await run(process.execPath, [bin, 'sim', 'record', '--help']);
  assert.match(stdout, /^Usage: mlb-report sim record \[options\] \[scenarios\.\.\.\]$/m);
  assert.doesNotMatch(stdout, /^Usage: sim /m);
});

test('collect --help documents --fail-on never, which collect accepts', async () => {
  const { stdout } = await run(process.execPath, [bin, 'collect', '--help']);
  // commander wraps long descriptions: read the option's text as one line.
  const text = stdout.replace(/\s+/g, ' ');
  assert.match(text, /--fail-on <severity> exit 1 when a finding has at least this severity: error \| warning \| info \| never/);
  const bad = await run(process.execPath, [bin, 'collect', '--fail-on', 'sometimes']).then(
    () => assert.fail('an unknown --fail-on must be refused'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^fix: use error, warning, info or never$/m);
});

test('the README lists every --fail-on value the commands accept, never included', async () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  assert.match(readme, /--fail-on error\\\|warning\\\|info\\\|never/);
  const { stdout } = await run(process.execPath, [bin, 'analyze', '--help']);
  assert.match(stdout.replace(/\s+/g, ' '), /error \| warning \| info \| never/);
});
