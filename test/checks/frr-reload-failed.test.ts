import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture, logLine } from './helpers.js';

const files = (extra: Record<string, string>) => ({ 'lc-n1': { 'frr/bgp-neighbors.json': fixture('frr-lc-n1-bgp-neighbors.json'), ...extra } });

caseTable('frr-reload-failed', [
  { name: 'status success', spec: bgpHealthy({ nodeFiles: files({ 'frr/reload-status.txt': '1795352826 success\n' }) }), fires: false },
  { name: 'status failure', spec: bgpHealthy({ nodeFiles: files({ 'frr/reload-status.txt': '1795352826 failure\n' }) }), fires: true, check: (f) => assert.ok(f[0].evidence.some((e) => e.path === 'nodes/lc-n1/frr/reload-status.txt' && e.excerpt.includes('failure'))) },
  {
    name: 'reloader log shows a syntax error',
    spec: bgpHealthy({ logs: { 'speaker-lc-n1/reloader': 'Caught SIGHUP and acquired lock! Reloading FRR..\nChecking the configuration file syntax\nSyntax error spotted: aborting.. 1 seconds\n' } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /FRR reload failed on lc-n1: Syntax error spotted/),
  },
  { name: 'speaker reload-validate error', spec: bgpHealthy({ logs: { 'speaker-lc-n1/speaker': logLine({ level: 'error', op: 'reload-validate', error: 'reload failure', cause: 'frr reload failed', msg: 'reload failed' }) } }), fires: true },
  { name: 'frr-k8s FRRNodeState reports a reload error', spec: bgpHealthy({ frrk8s: { frrnodestates: [{ metadata: { name: 'lc-n1' }, status: { lastConversionResult: 'success', lastReloadResult: 'error: line 12: % Unknown command' } }] } }), fires: true, check: (f) => assert.match(f[0].summary, /Unknown command/) },
]);

// metallb/metallb#1241: the reloader log alone (no pod list, so no node), FRR printing an empty domainname.
const domainnameLog = [
  'Caught SIGHUP and acquired lock! Reloading FRR..',
  '2022-02-27 00:01:35,531  INFO: Loading Config object from vtysh show running',
  'line 4: % Command incomplete: domainname',
  '',
  'Traceback (most recent call last):',
  '  File "/usr/lib/frr/frr-reload.py", line 1390, in <module>',
].join('\n');
caseTable('frr-reload-failed', [
  {
    name: 'reloader log of a pod the bundle has no node for',
    spec: { logs: { 'speaker-x1/reloader': `${domainnameLog}\n` } },
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /FRR reload failed \(reloader log of speaker-x1, node not known\): line 4: % Command incomplete: domainname/);
      assert.match(f[0].remediation.summary, /empty `domainname`/);
      assert.deepEqual(f[0].subjects.map((s) => s.kind), ['Pod']);
    },
  },
  { name: 'a reloader log of a clean reload', spec: { logs: { 'speaker-x1/reloader': 'Caught SIGHUP and acquired lock! Reloading FRR..\nChecking the configuration file syntax\n' } }, fires: false },
]);
