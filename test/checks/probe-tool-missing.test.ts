import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../helpers/sim.js';
import { collectAndReport } from '../../src/run/index.js';
import { caseTable, findingsOf, fixture, l2Base, model } from './helpers.js';
import { missingTool } from '../../src/parse/arping.js';

const manifest = (nodes: object[], image = 'busybox:1.36') => ({ schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: [], cluster: {}, options: { image }, timings: { totalMs: 1 }, redaction: { ips: false, rules: [], count: 0 }, nodes, clusterSteps: [], addedContainers: [], files: [] });
const probeFile = 'nodes/n1/probe/arping-192.0.2.100.txt';
const node = (name: string, steps: object[], access = 'ephemeral', status = 'partial') => ({ node: name, status, access, steps: [{ step: 'net.ip-addr', status: 'ok', durationMs: 3, files: [] }, ...steps] });
// What the collector records when the shell cannot find arping (batched probes run under sh).
const shNotFound = { step: 'probe.arping.192.0.2.100', status: 'failed', exitCode: 127, reason: 'exit code 127: sh: arping: not found', durationMs: 4, files: [probeFile] };
// What the runtime says for a lone exec of a binary the image lacks (the replay backend's wording, after containerd's).
const ociNotFound = { step: 'probe.arping.192.0.2.100', status: 'failed', reason: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "arping": executable file not found in $PATH: unknown', durationMs: 9, files: [] };
const okProbe = { step: 'probe.arping.192.0.2.100', status: 'ok', exitCode: 0, durationMs: 1200, files: [probeFile] };

const shBundle = () => l2Base({ manifest: manifest([node('n1', [shNotFound]), node('n2', [], 'ephemeral', 'ok'), node('n3', [], 'ephemeral', 'ok')]), nodeFiles: { n1: { 'probe/arping-192.0.2.100.txt': '' } } });

caseTable('probe-tool-missing', [
  { name: 'arping ran (real output)', spec: l2Base({ manifest: manifest([node('n1', [okProbe], 'ephemeral', 'ok')]), nodeFiles: { n1: { 'probe/arping-192.0.2.100.txt': fixture('arping-single.txt') } } }), fires: false },
  { name: 'arping answered nobody (exit 1 is not a missing tool)', spec: l2Base({ manifest: manifest([node('n1', [{ ...okProbe, exitCode: 1, reason: 'no reply' }], 'ephemeral', 'ok')]) }), fires: false },
  {
    name: 'sh: arping: not found, exit 127',
    spec: shBundle(),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].summary, 'arping is not installed in the debug image busybox:1.36 on n1: 1 ARP probe(s) could not run; use --image with nicolaka/netshoot or another image that ships arping');
      assert.equal(f[0].remediation.snippet, 'mlb-report collect --image nicolaka/netshoot:v0.13');
      assert.match(f[0].evidence[0].excerpt, /sh: arping: not found/);
    },
  },
  {
    name: 'executable file not found in $PATH on two nodes',
    spec: l2Base({ manifest: manifest([node('n1', [ociNotFound]), node('n2', [{ ...ociNotFound, step: 'probe.arping.192.0.2.101' }])]) }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /^arping is not installed in the debug image busybox:1\.36 on n1, n2: 2 ARP probe\(s\) could not run/),
  },
  {
    name: 'fallen back to the frr container',
    spec: l2Base({ manifest: manifest([node('n1', [shNotFound, { step: 'probe.arping.rest', status: 'skipped', reason: 'arping not available in frr; 2 more IPs not probed', durationMs: 0, files: [] }], 'frr-exec')]) }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /^arping is not installed in the frr container .* on n1: 3 ARP probe\(s\) could not run; allow ephemeral containers or the node debug pod/);
    },
  },
  {
    name: 'a bundle without a manifest whose probe output holds the shell message',
    spec: l2Base({ nodeFiles: { n1: { 'probe/arping-192.0.2.100.txt': 'sh: arping: not found\n' } } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /^arping is not installed in the debug image nicolaka\/netshoot \(default\) on n1/);
      assert.equal(f[0].evidence[0].path, probeFile);
    },
  },
]);

test('probe-tool-missing: the empty probe output is neither a parse note finding nor a collection gap', () => {
  const m = model(shBundle());
  assert.ok(m.notes.some((n) => n.path === probeFile), 'the parser did note the empty file');
  assert.deepEqual(findingsOf('parse-notes', m), []);
  assert.deepEqual(findingsOf('collection-gap', m), []);
  assert.equal(findingsOf('probe-tool-missing', m).length, 1);
});

test('missingTool: the shell and runtime messages, verbatim from real reports', () => {
  // nigelpoulton/TheK8sBook#30 (dash in a slim image; kubectl exec of a binary containerd cannot find).
  assert.equal(missingTool('sh: 1: apk: not found'), 'apk');
  assert.equal(missingTool('error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "fc7ef1a745ffd71b0d28376f80ab706bf896fb8e13c501e66a2889286eda97f9": OCI runtime exec failed: exec failed: unable to start container process: exec: "ps": executable file not found in $PATH: unknown'), 'ps');
  // istio/tools#552 (bash's own wording).
  assert.equal(missingTool('bash: /etc/istio/proxy/get_perfdata.sh: No such file or directory'), undefined);
  assert.equal(missingTool('exit code 127: sh: arping: not found'), 'arping');
  assert.equal(missingTool('Unicast reply from 10.99.0.100 [02:00:00:00:00:02]  0.565ms'), undefined);
});

test('probe-tool-missing end to end: without debug containers the probes fall back to the frr container, which has no arping or tcpdump', { timeout: 120_000 }, async () => {
  const sim = await startSim('healthy-frr', { mutateWorld: (w) => w.faults.push({ type: 'rbac-deny', verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' }, { type: 'rbac-deny', verb: 'create', resource: 'pods' }) });
  const root = await mkdtemp(join(tmpdir(), 'mlb-probe-tool-'));
  try {
    const ran = await collectAndReport({ kubeconfigPath: sim.kubeconfigPath, out: join(root, 'bundle'), captureSeconds: 1, formats: ['json'], timeoutMs: 120_000, renderer: 'silent', tar: false });
    assert.ok(ran.manifest.nodes.every((n) => n.access === 'frr-exec'), 'the commands ran in the frr container');
    const findings = ran.analysis?.findings ?? [];
    const show = findings.map((f) => `${f.id}: ${f.summary}`).join('\n');
    const tools = findings.filter((f) => f.id === 'probe-tool-missing');
    assert.match(tools.find((f) => f.summary.startsWith('arping'))?.summary ?? '', /^arping is not installed in the frr container .* on cp-1, worker-1, worker-2: 3 ARP probe\(s\) could not run; allow ephemeral containers or the node debug pod/, show);
    assert.match(tools.find((f) => f.summary.startsWith('tcpdump'))?.summary ?? '', /^tcpdump is not installed in the frr container .*: the packet capture could not run/, show);
    assert.ok(!findings.some((f) => f.id === 'parse-notes'), `the empty probe outputs are not parse problems:\n${show}`);
    assert.ok(!findings.some((f) => f.id === 'collection-gap' && /probe\.arping|capture/.test(f.summary)), show);
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
});
