import assert from 'node:assert/strict';
import { caseTable, l2Base, service } from './helpers.js';

caseTable('deprecated-annotation', [
  { name: 'current annotations', spec: l2Base({ services: [service('default/web', { ip: '192.0.2.100', annotations: { 'metallb.io/address-pool': 'lan' } })] }), fires: false },
  {
    name: 'old prefix, with a hostile value quoted for the shell',
    spec: l2Base({ services: [service('default/web', { ip: '192.0.2.100', annotations: { 'metallb.universe.tf/address-pool': "lan'; rm -rf /" } })] }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'info');
      assert.match(f[0].remediation.snippet ?? '', /'metallb\.io\/address-pool=lan'\\''; rm -rf \/'/);
    },
  },
]);
