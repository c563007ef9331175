import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseTable, controller, endpoints, l2Base, l2status, l2ad, model, pool, service, speaker } from './helpers.js';
import { runChecks } from '../../src/checks/index.js';
import { rankFindings } from '../../src/checks/rank.js';

const local = (eps: { node?: string; ready?: boolean }[], over = {}) => l2Base({ services: [service('default/web', { ip: '192.0.2.100', etp: 'Local' })], endpointSlices: [endpoints('default/web', eps)], ...over });

caseTable('etp-local-no-endpoint', [
  { name: 'endpoint on a speaker node', spec: local([{ node: 'n2' }]), fires: false },
  { name: 'endpoint only on a node without speaker', spec: local([{ node: 'n2' }], { pods: [speaker('n1'), speaker('n3'), controller()] }), fires: true, check: (f) => assert.match(f[0].summary, /announced nowhere: ready endpoints on n2, ready speakers on n1, n3/) },
  { name: 'endpoint not ready', spec: local([{ node: 'n2', ready: false }]), fires: true },
  { name: 'manual endpoints without nodeName', spec: local([{}]), fires: true, check: (f) => assert.match(f[0].summary, /\+1 without nodeName/) },
  {
    name: 'announcer has no local endpoint',
    spec: local([{ node: 'n2' }], { metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan')], servicel2statuses: [l2status('default/web', 'n1')] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /announced by n1, which has no ready endpoint/),
  },
  { name: 'Cluster policy is not concerned', spec: l2Base({ endpointSlices: [endpoints('default/web', [{ node: 'n2', ready: false }])] }), fires: false },
]);

test('speaker-missing on the only endpoint node is ranked as the cause of etp-local-no-endpoint', () => {
  const findings = rankFindings(runChecks(model(local([{ node: 'n2' }], { pods: [speaker('n1'), speaker('n3'), controller()] }))));
  const etp = findings.find((f) => f.id === 'etp-local-no-endpoint');
  const missing = findings.find((f) => f.id === 'speaker-missing');
  assert.ok(etp && missing, findings.map((f) => f.id).join(', '));
  assert.ok(etp.subjects.some((s) => s.kind === 'Node' && s.name === 'n2'), 'the endpoint node is a subject');
  assert.deepEqual(missing.explains, ['etp-local-no-endpoint']);
  assert.ok(findings.indexOf(missing) < findings.indexOf(etp), 'the cause comes first');
});
