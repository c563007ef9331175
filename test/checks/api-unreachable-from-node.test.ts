import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';
import { apiUrl, lines, probe } from './probe-lines.js';

const readyz = 'https://10.96.0.1:443/readyz';

caseTable('api-unreachable-from-node', [
  { name: 'every node and the controller get HTTP 200', spec: l2Base({ nodeFiles: { n1: { 'probe/connect.txt': lines(probe.ok('api/healthz', apiUrl)) }, n2: { 'probe/connect.txt': lines(probe.ok('api/healthz', apiUrl)) } }, files: { 'controller/probe/connect.txt': lines(probe.ok('api/healthz', apiUrl), probe.ok('api/readyz', readyz)) } }), fires: false },
  { name: 'no probes collected (older bundle)', spec: l2Base(), fires: false },
  {
    name: 'n2 times out on the kubernetes ClusterIP',
    spec: l2Base({ nodeFiles: { n1: { 'probe/connect.txt': lines(probe.ok('api/healthz', apiUrl)) }, n2: { 'probe/connect.txt': lines(probe.timeout('api/healthz', apiUrl), probe.connected('memberlist/n3', 'telnet://192.0.2.13:7946')) } } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0]!.summary, /^n2 cannot reach the API server through the kubernetes Service \(https:\/\/10\.96\.0\.1:443\/healthz: no answer within 2 s \(Connection timed out after 2002 milliseconds\)\)/);
      assert.deepEqual(f[0]!.subjects, [{ kind: 'Node', name: 'n2' }]);
      assert.equal(f[0]!.evidence[0]!.path, 'nodes/n2/probe/connect.txt');
      assert.match(f[0]!.evidence[0]!.excerpt, /api\/healthz .* 28 000/);
      assert.doesNotMatch(f[0]!.evidence[0]!.excerpt, /memberlist/);
    },
  },
  {
    name: 'the controller gets HTTP 500 from /readyz',
    spec: l2Base({ files: { 'controller/probe/connect.txt': lines(probe.ok('api/healthz', apiUrl), probe.http('api/readyz', readyz, 500)) } }),
    fires: true,
    check: (f) => {
      assert.match(f[0]!.summary, /The controller pod cannot reach the API server .*readyz: HTTP 500/);
      assert.equal(f[0]!.subjects[0]!.kind, 'Pod');
      assert.equal(f[0]!.subjects[0]!.name, 'controller-5f7');
    },
  },
]);
