import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';

const ipvsAddr = JSON.stringify([{ ifindex: 9, ifname: 'kube-ipvs0', flags: ['BROADCAST', 'NOARP'], operstate: 'DOWN', address: 'aa:bb:cc:00:00:09', addr_info: [{ family: 'inet', local: '192.0.2.100', prefixlen: 32, scope: 'global', label: 'kube-ipvs0' }] }]);

caseTable('kube-proxy-ipvs-strictarp', [
  { name: 'iptables mode', spec: l2Base({ kubeProxy: 'mode: iptables\n' }), fires: false },
  { name: 'ipvs with strictARP true', spec: l2Base({ kubeProxy: 'mode: ipvs\nipvs:\n  strictARP: true\n' }), fires: false },
  {
    name: 'ipvs with strictARP false, LB IP on kube-ipvs0',
    spec: l2Base({ kubeProxy: 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nmode: ipvs\nipvs:\n  strictARP: false\n', nodeFiles: { n1: { 'net/ip-addr.json': ipvsAddr } } }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /IPVS mode with strictARP false; LB IPs are bound to kube-ipvs0 on n1/);
      assert.ok(f[0].evidence[0].excerpt.includes('strictARP: false'));
    },
  },
  { name: 'ipvs, strictARP unset, BGP only', spec: l2Base({ kubeProxy: 'mode: ipvs\n', metallb: { ipaddresspools: [], bgpadvertisements: [] } }), fires: true, check: (f) => assert.equal(f[0].severity, 'warning') },
]);
