/** Loads the hand-built report fixture (fixtures/render/) as fresh objects for each test. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterModel } from '../../src/model/cluster.js';
import type { Finding } from '../../src/model/finding.js';
import { packageRoot } from '../../src/version.js';

export const fixtureDir = join(packageRoot, 'fixtures', 'render');

export function loadFixture(): { model: ClusterModel; findings: Finding[] } {
  const model = JSON.parse(readFileSync(join(fixtureDir, 'model.json'), 'utf8')) as ClusterModel;
  model.bundleRoot = join(fixtureDir, 'bundle');
  const findings = JSON.parse(readFileSync(join(fixtureDir, 'findings.json'), 'utf8')) as Finding[];
  return { model, findings };
}
