/**
 * `mlb-report completion bash|zsh|fish`: generated from the program, so every command and option
 * completes. The bash script is run in bash with the words a user has typed; zsh and fish scripts
 * are checked for every command and option they must name (and parsed when the shell is installed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/index.js';
import { commandSpecs, completionScript } from '../../src/cli/commands/completion.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');
const dir = mkdtempSync(join(tmpdir(), 'mlb-completion-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function script(shell: string): string {
  const r = spawnSync(process.execPath, [bin, 'completion', shell], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** What bash offers after `words` (the last one is the word being completed). */
function bashComplete(source: string, words: string[]): string[] {
  const file = join(dir, 'mlb-report.bash');
  writeFileSync(file, source);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['-c', `source ${file}; cd ${dir}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _mlb_report; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash: commands, subcommands, options and option values complete', () => {
  const bash = script('bash');
  assert.match(bash, /complete -o default -F _mlb_report mlb-report kubectl-mlb_report/);
  assert.deepEqual(bashComplete(bash, ['mlb-report', 'co']), ['collect', 'completion']);
  assert.deepEqual(bashComplete(bash, ['mlb-report', 'collect', '--fail']), ['--fail-on']);
  assert.deepEqual(bashComplete(bash, ['mlb-report', 'collect', '--strategy', '']), ['daemonset', 'ephemeral', 'node-pod']);
  assert.ok(bashComplete(bash, ['mlb-report', 'demo', '--scenario', 'bgp-wrong-a']).includes('bgp-wrong-asn'));
  assert.deepEqual(bashComplete(bash, ['mlb-report', 'sim', 're']), ['record']);
  assert.deepEqual(bashComplete(bash, ['mlb-report', '--vers']), ['--version']);
  // An option of one command is not offered for another.
  assert.deepEqual(bashComplete(bash, ['mlb-report', 'diff', '--qp']), []);
  writeFileSync(join(dir, 'bundle-a.tar.gz'), '');
  assert.deepEqual(bashComplete(bash, ['mlb-report', 'collect', '--kubeconfig', 'bundle-']), ['bundle-a.tar.gz'], 'file names for a file option');
});

test('zsh and fish name every command and every option of the program', async () => {
  const specs = commandSpecs(await buildProgram());
  assert.ok(specs.length >= 8, `commands: ${specs.map((s) => s.path.join(' ')).join(', ')}`);
  for (const shell of ['zsh', 'fish'] as const) {
    const text = script(shell);
    for (const s of specs) {
      if (s.path.length) assert.ok(text.includes(s.path.at(-1)!), `${shell}: command ${s.path.join(' ')}`);
      for (const o of s.options) for (const f of o.flags) {
        const word = shell === 'fish' ? (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`) : f;
        assert.ok(text.includes(word), `${shell}: ${s.path.join(' ')} ${f}`);
      }
    }
    const shellBin = spawnSync('sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' }).stdout.trim();
    if (shellBin) {
      const file = join(dir, `completion.${shell}`);
      writeFileSync(file, text);
      const r = spawnSync(shellBin, ['-n', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${shell} -n: ${r.stderr}`);
    }
  }
  assert.match(completionScript('zsh', specs), /^#compdef mlb-report kubectl-mlb_report/);
  assert.match(completionScript('fish', specs), /complete -c kubectl-mlb_report /);
});

test('an unknown shell is bad input (exit 2) with the shells named', () => {
  const r = spawnSync(process.execPath, [bin, 'completion', 'tcsh'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^error: unknown shell "tcsh"\nfix: use one of: bash, zsh, fish/);
});
