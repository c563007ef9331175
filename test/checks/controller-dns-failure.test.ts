import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';

const answer = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n';
const resolv = 'search metallb-system.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';

caseTable('controller-dns-failure', [
  { name: 'kubernetes.default.svc resolves', spec: l2Base({ files: { 'controller/dns/nslookup-kubernetes.txt': answer, 'controller/dns/resolv.conf': resolv } }), fires: false },
  { name: 'nothing collected in the controller', spec: l2Base(), fires: false },
  {
    name: 'no DNS server answers',
    spec: l2Base({ files: { 'controller/dns/nslookup-kubernetes.txt': ';; connection timed out; no servers could be reached\n\n', 'controller/dns/resolv.conf': resolv } }),
    fires: true,
    check: (f) => {
      assert.match(f[0]!.summary, /cannot resolve kubernetes\.default\.svc: connection timed out; no servers could be reached/);
      assert.deepEqual(f[0]!.evidence.map((e) => e.path), ['controller/dns/nslookup-kubernetes.txt', 'controller/dns/resolv.conf']);
      assert.match(f[0]!.evidence[1]!.excerpt, /nameserver 10\.96\.0\.10/);
    },
  },
  {
    name: 'NXDOMAIN',
    spec: l2Base({ files: { 'controller/dns/nslookup-kubernetes.txt': "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find kubernetes.default.svc: NXDOMAIN\n\n" } }),
    fires: true,
    check: (f) => assert.match(f[0]!.summary, /\(DNS server 10\.96\.0\.10\): NXDOMAIN/),
  },
]);
