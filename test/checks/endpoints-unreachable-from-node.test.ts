import assert from 'node:assert/strict';
import { caseTable, endpoints, l2Base } from './helpers.js';
import { announcerOf, lines, probe } from './probe-lines.js';

const two = { endpointSlices: [endpoints('default/web', [{ node: 'n2' }, { node: 'n3' }])] };
const leader = announcerOf(l2Base(two), 'default/web');
const other = ['n1', 'n2', 'n3'].find((n) => n !== leader)!;
const ep0 = 'telnet://10.244.0.10:80';
const ep1 = 'telnet://10.244.1.10:80';

caseTable('endpoints-unreachable-from-node', [
  { name: 'the announcer connects to both endpoints', spec: l2Base({ ...two, nodeFiles: { [leader]: { 'probe/connect.txt': lines(probe.connected('endpoint/default/web/0', ep0), probe.connected('endpoint/default/web/1', ep1)) } } }), fires: false },
  { name: 'a node that does not announce cannot reach them', spec: l2Base({ ...two, nodeFiles: { [other]: { 'probe/connect.txt': lines(probe.timeout('endpoint/default/web/0', ep0), probe.timeout('endpoint/default/web/1', ep1)) } } }), fires: false },
  {
    name: 'the announcer reaches neither endpoint',
    spec: l2Base({ ...two, nodeFiles: { [leader]: { 'probe/connect.txt': lines(probe.timeout('endpoint/default/web/0', ep0), probe.timeout('endpoint/default/web/1', ep1)) } } }),
    fires: true,
    check: (f) => {
      assert.equal(f[0]!.severity, 'error');
      assert.match(f[0]!.summary, new RegExp(`^${leader} announces 192\\.0\\.2\\.100 but cannot reach any probed endpoint\\(s\\) of default/web \\(10\\.244\\.0\\.10:80, 10\\.244\\.1\\.10:80: no answer within 2 s`));
      assert.deepEqual(f[0]!.subjects, [{ kind: 'Service', namespace: 'default', name: 'web' }, { kind: 'Node', name: leader }]);
    },
  },
  {
    name: 'one of two refused: a warning',
    spec: l2Base({ ...two, nodeFiles: { [leader]: { 'probe/connect.txt': lines(probe.connected('endpoint/default/web/0', ep0), probe.refused('endpoint/default/web/1', ep1)) } } }),
    fires: true,
    check: (f) => {
      assert.equal(f[0]!.severity, 'warning');
      assert.match(f[0]!.summary, /cannot reach 1 of 2 probed endpoint\(s\) .*10\.244\.1\.10:80: Failed to connect/);
    },
  },
]);
