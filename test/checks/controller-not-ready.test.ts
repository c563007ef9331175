import assert from 'node:assert/strict';
import { caseTable, controller, l2Base, speaker } from './helpers.js';

caseTable('controller-not-ready', [
  { name: 'controller ready', spec: l2Base(), fires: false },
  { name: 'controller crash-looping', spec: l2Base({ pods: [speaker('n1'), controller({ ready: false })] }), fires: true, check: (f) => assert.match(f[0].summary, /controller-5f7: CrashLoopBackOff/) },
  {
    name: 'no controller pod, Deployment at 0 available',
    spec: l2Base({ pods: [speaker('n1')], deployments: [{ metadata: { name: 'controller', namespace: 'metallb-system' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'controller' }] } } }, status: { availableReplicas: 0 } }] }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /No MetalLB controller pod is running \(Deployment controller: 0\/1 available\)/),
  },
]);
