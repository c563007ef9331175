import assert from 'node:assert/strict';
import { caseTable, l2Base, service } from './helpers.js';

const controllerDeploy = (args: string[]) => ({ metadata: { name: 'controller', namespace: 'metallb-system' }, spec: { template: { spec: { containers: [{ name: 'controller', args }] } } } });

caseTable('load-balancer-class-mismatch', [
  { name: 'no class, no --lb-class', spec: l2Base({ services: [service('default/web')] }), fires: false },
  { name: 'class set, MetalLB has no --lb-class', spec: l2Base({ services: [service('default/web', { lbClass: 'io.cilium/l2' })] }), fires: true, check: (f) => assert.match(f[0].summary, /io\.cilium\/l2, MetalLB serves only services without a class/) },
  { name: 'class matches --lb-class', spec: l2Base({ services: [service('default/web', { lbClass: 'metallb' })], deployments: [controllerDeploy(['--lb-class=metallb'])] }), fires: false },
  { name: 'no class but --lb-class set', spec: l2Base({ services: [service('default/web')], deployments: [controllerDeploy(['--lb-class', 'metallb'])] }), fires: true },
]);
