/**
 * The install-time bundle (scripts/bundle.mjs → dist/mlb-report.mjs) is what `npx mlb-report`
 * runs after `npm ci`. Built here into a scratch folder one level below the package root (where it
 * finds templates/ and fixtures/, as dist/ does) and run end to end: a demo through the simulator,
 * collect, analysis and the HTML report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '../..');

test('the bundled CLI runs a demo end to end (simulator, collect, analysis, HTML)', { timeout: 120_000 }, () => {
  const buildDir = mkdtempSync(join(root, '.bundle-test-'));
  const out = mkdtempSync(join(tmpdir(), 'mlb-bundle-'));
  try {
    const bundle = join(buildDir, 'mlb-report.mjs');
    const built = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs'), bundle], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    assert.ok(existsSync(bundle), built.stdout + built.stderr);
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(bundle).href)}); await main(process.argv);`, 'mlb-report', ...args], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', CI: '1' },
      });

    // The commit is embedded at build time (git in this clone).
    const version = run(['--version']);
    const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim() || 'unknown';
    assert.equal(version.stdout.trim(), `mlb-report ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} (commit ${head})`);

    const dir = join(out, 'demo');
    const demo = run(['demo', '--scenario', 'ipvs-strictarp-off', '--format', 'json,html', '--out', dir, '--capture-seconds', '1']);
    assert.equal(demo.status === 0 || demo.status === 3, true, `exit ${demo.status}: ${demo.stderr.slice(-2000)}`);
    const findings = JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8')) as { findings: { id: string }[] };
    assert.ok(findings.findings.some((f) => f.id === 'kube-proxy-ipvs-strictarp'), `the analysis ran and found the scenario's problem: ${findings.findings.map((f) => f.id).join(', ')}`);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<html/i, 'templates were found next to the bundle');
    assert.ok(existsSync(`${dir}.tar.gz`), 'the tarball was written');
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});
