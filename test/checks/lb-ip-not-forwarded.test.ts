import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';
import { announcerOf, lines, probe } from './probe-lines.js';

const leader = announcerOf(l2Base(), 'default/web');
const ep = 'telnet://10.244.0.10:80';
const lb = 'telnet://192.0.2.100:80';

caseTable('lb-ip-not-forwarded', [
  { name: 'endpoint and LB IP both connect', spec: l2Base({ nodeFiles: { [leader]: { 'probe/connect.txt': lines(probe.connected('endpoint/default/web/0', ep), probe.connected('lb/default/web/80', lb)) } } }), fires: false },
  { name: 'the endpoint is unreachable too (the pod network is the problem)', spec: l2Base({ nodeFiles: { [leader]: { 'probe/connect.txt': lines(probe.timeout('endpoint/default/web/0', ep), probe.timeout('lb/default/web/80', lb)) } } }), fires: false },
  {
    name: 'the endpoint answers, the LB IP does not',
    spec: l2Base({ nodeFiles: { [leader]: { 'probe/connect.txt': lines(probe.connected('endpoint/default/web/0', ep), probe.timeout('lb/default/web/80', lb)) } } }),
    fires: true,
    check: (f) => {
      assert.match(f[0]!.summary, new RegExp(`^${leader} announces 192\\.0\\.2\\.100:80 \\(default/web\\) and reaches its endpoints, but a connect to the LoadBalancer IP itself gets no answer`));
      assert.ok(f[0]!.subjects.some((s) => s.kind === 'IP' && s.name === '192.0.2.100'));
      assert.match(f[0]!.evidence[0]!.excerpt, /lb\/default\/web\/80 .*\n.*endpoint\/default\/web\/0|endpoint\/default\/web\/0 .*\n.*lb\/default\/web\/80/);
    },
  },
]);
