/**
 * deploy/: the manifests that run `mlb-report collect` inside a cluster, the image they run and the
 * krew plugin template. Every object must be one a real API server accepts (the same validator
 * and Kubernetes schemas as the simulator's served objects), the RBAC must be the README's, the Job
 * and the CronJob must run the same pod, and the pod must be able to use what the CLI needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import type { KubeObject } from '../../src/model/cluster.js';
import { problemsOf } from '../helpers/kube-schema.js';

const root = join(import.meta.dirname, '../..');
const deployDir = join(root, 'deploy');

function objectsOf(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(deployDir, file), 'utf8')).map((d) => d.toJS() as KubeObject);
}
const files = readdirSync(deployDir).filter((f) => f.endsWith('.yaml'));
const all = files.flatMap((f) => objectsOf(f).map((o) => ({ file: f, o })));
const find = (kind: string, name: string, namespace?: string): KubeObject => {
  const hit = all.find(({ o }) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  assert.ok(hit, `deploy/ has no ${kind} ${namespace ? `${namespace}/` : ''}${name}`);
  return hit.o;
};

test('every object in deploy/*.yaml validates against the Kubernetes schemas', async () => {
  assert.deepEqual(files.sort(), ['cronjob.yaml', 'job.yaml', 'rbac.yaml', 'volume.yaml']);
  const problems: string[] = [];
  for (const { file, o } of all) for (const p of await problemsOf(o)) problems.push(`${file}: ${p}`);
  assert.deepEqual(problems, []);
  const kinds = new Set(all.map(({ o }) => o.kind));
  for (const k of ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'PersistentVolumeClaim', 'Job', 'CronJob']) assert.ok(kinds.has(k), `no ${k}`);
});

test('the validator catches a broken Job (so the test above means something)', async () => {
  const job = structuredClone(find('Job', 'mlb-report'));
  job.spec.template.spec.containers[0].args = 'collect';
  job.spec.template.spec.restartPolicy = 42;
  job.spec.backofLimit = 1;
  const problems = (await problemsOf(job)).join('\n');
  assert.match(problems, /args/);
  assert.match(problems, /restartPolicy/);
  assert.match(problems, /backofLimit: unknown field/);
});

/** The rules of a README YAML object, for comparing with deploy/rbac.yaml. */
function readmeRbac(): KubeObject[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Permissions'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README has the RBAC YAML under Permissions');
  return parseAllDocuments(block[1]!).map((d) => d.toJS() as KubeObject);
}

test("deploy/rbac.yaml grants exactly the README's permissions, bound to the Job's ServiceAccount", () => {
  for (const documented of readmeRbac()) {
    const deployed = find(documented.kind!, documented.metadata.name, documented.metadata.namespace);
    assert.deepEqual(deployed.rules, documented.rules, `${documented.kind} ${documented.metadata.name}`);
    const binding = find(documented.kind === 'ClusterRole' ? 'ClusterRoleBinding' : 'RoleBinding', documented.metadata.name, documented.metadata.namespace);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: documented.kind, name: documented.metadata.name });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'mlb-report', namespace: 'mlb-report' }]);
  }
  find('ServiceAccount', 'mlb-report', 'mlb-report');
});

test('the Job runs collect as the ServiceAccount, on the volume, failing at --fail-on; the CronJob runs the same pod', () => {
  const job = find('Job', 'mlb-report', 'mlb-report');
  const pod = job.spec.template.spec;
  assert.equal(pod.serviceAccountName, 'mlb-report');
  assert.notEqual(pod.automountServiceAccountToken, false, 'collect reads the mounted token');
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(job.spec.backoffLimit, 0, 'a finding is an answer: no retries');
  const [container] = pod.containers;
  assert.equal(container.args[0], 'collect');
  assert.equal(container.args[container.args.indexOf('--fail-on') + 1], 'error');
  assert.ok(!container.args.includes('--out'), 'default --out: a dated folder in the working directory');
  const reports = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === container.workingDir);
  assert.ok(reports, 'the working directory is a mounted volume');
  const volume = pod.volumes.find((v: { name: string }) => v.name === reports.name);
  find('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName, 'mlb-report');
  // Read-only root: Chromium and the PDF need a writable /tmp and HOME.
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.ok(container.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/tmp'));
  assert.equal(container.env.find((e: { name: string }) => e.name === 'HOME')?.value, '/tmp');

  const cron = find('CronJob', 'mlb-report', 'mlb-report');
  assert.deepEqual(cron.spec.jobTemplate.spec, job.spec);
  assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
});

test('the image installs the packed npm package with Chromium, not as root, running mlb-report', () => {
  const dockerfile = readFileSync(join(deployDir, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:20-[a-z]+-slim/m, 'Debian slim with Node 20');
  assert.match(dockerfile, /apt-get install[^\n]*chromium/);
  assert.match(dockerfile, /npm pack/);
  assert.match(dockerfile, /npm install -g [^\n]*mlb-report-\*\.tgz/);
  assert.match(dockerfile, /^USER 10001/m);
  assert.match(dockerfile, /^ENTRYPOINT \["mlb-report"\]/m);
  const job = find('Job', 'mlb-report', 'mlb-report');
  assert.equal(job.spec.template.spec.securityContext.runAsUser, 10001, 'the Job runs as the image user');
});

test('the krew template: one archive per binary that build:binary makes, installed as kubectl-mlb_report', () => {
  const template = readFileSync(join(deployDir, 'krew', 'mlb-report.yaml'), 'utf8');
  // What krew-release-bot does: the tag in, each addURIAndSha call out as uri + sha256.
  const rendered = template
    .replace(/\{\{ addURIAndSha "([^"]+)" \.TagName \}\}/g, (_, uri: string) => `uri: ${uri.replace('{{ .TagName }}', 'v0.1.0')}\n    sha256: ${'ab'.repeat(32)}`)
    .replaceAll('{{ .TagName }}', 'v0.1.0');
  assert.doesNotMatch(rendered, /\{\{/);
  const plugin = parse(rendered);
  assert.equal(plugin.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  assert.equal(plugin.kind, 'Plugin');
  assert.equal(plugin.metadata.name, 'mlb-report');
  assert.equal(plugin.spec.version, 'v0.1.0');
  const arch: Record<string, string> = { amd64: 'x64', arm64: 'arm64' };
  for (const p of plugin.spec.platforms) {
    const { os, arch: a } = p.selector.matchLabels;
    const binary = `mlb-report-${os}-${arch[a]}`;
    assert.equal(p.bin, 'kubectl-mlb_report', 'kubectl mlb-report runs kubectl-mlb_report');
    assert.deepEqual(p.files, [{ from: binary, to: 'kubectl-mlb_report' }]);
    assert.ok(p.uri.endsWith(`/v0.1.0/${binary}.tar.gz`), p.uri);
    assert.match(p.sha256, /^[0-9a-f]{64}$/);
  }
  assert.ok(plugin.spec.platforms.length >= 2);
});
