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
