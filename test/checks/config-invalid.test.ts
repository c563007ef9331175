import assert from 'node:assert/strict';
import { caseTable, l2Base, logLine, ns } from './helpers.js';

caseTable('config-invalid', [
  { name: 'valid ConfigurationState', spec: l2Base({ metallb: { ...l2Base().metallb, configurationstates: [{ metadata: { name: 'controller', namespace: ns }, status: { result: 'Valid' } }] } }), fires: false },
  {
    name: 'ConfigurationState Invalid',
    spec: l2Base({ metallb: { ...l2Base().metallb, configurationstates: [{ metadata: { name: 'speaker-n1', namespace: ns }, status: { result: 'Invalid', errorSummary: 'peer p1 has myAsn different from 64512' } }] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /speaker-n1 is Invalid: peer p1 has myAsn/),
  },
  {
    name: 'controller log says it failed to parse the configuration',
    spec: l2Base({ logs: { 'controller-5f7/controller': [logLine({ controller: 'ConfigReconciler', level: 'error', error: 'CIDR "192.0.2.0/24" in pool "b" overlaps with already defined CIDR "192.0.2.0/24"', msg: 'failed to parse the configuration' })].join('\n') } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /overlaps with already defined CIDR/);
      assert.ok(f[0].evidence[0].excerpt.includes('failed to parse the configuration'));
    },
  },
  { name: 'legacy ConfigMap config without pools', spec: l2Base({ metallb: {}, configMaps: [{ metadata: { name: 'config', namespace: ns }, data: { config: 'address-pools:\n- name: default\n' } }] }), fires: true, check: (f) => assert.equal(f[0].severity, 'error') },
]);

const staleMetrics = (v: number) => `# HELP metallb_k8s_client_config_stale_bool 1 if running on a stale configuration, because the latest config failed to load.\n# TYPE metallb_k8s_client_config_stale_bool gauge\nmetallb_k8s_client_config_stale_bool ${v}\n`;

caseTable('config-invalid', [
  { name: 'speaker metrics: config not stale', spec: l2Base({ nodeFiles: { n1: { 'metrics/metrics-7472.txt': staleMetrics(0) } } }), fires: false },
  {
    name: 'speaker metrics: config stale',
    spec: l2Base({ nodeFiles: { n1: { 'metrics/metrics-7472.txt': staleMetrics(1) } } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /1 MetalLB component\(s\) run a stale configuration .* on n1/);
      assert.equal(f[0].evidence[0].excerpt, 'metallb_k8s_client_config_stale_bool 1');
    },
  },
]);

// Before v0.13 the configuration was a ConfigMap; a YAML error left the controller without one (metallb/metallb#608).
caseTable('config-invalid', [
  {
    name: 'legacy ConfigMap that is not YAML (configStale)',
    spec: {
      logs: {
        'controller/controller': `${JSON.stringify({ caller: 'k8s.go:387', configmap: 'metallb-system/config', error: "could not parse config: yaml: line 2: did not find expected '-' indicator", event: 'configStale', msg: 'config (re)load failed, config marked stale', ts: '2020-05-29T07:05:42.474694772Z' })}\n`,
      },
    },
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /MetalLB rejected its configuration .*could not parse config: yaml: line 2/);
      assert.equal(f[0].evidence[0].path, 'logs/controller/controller.log');
    },
  },
  { name: 'a config that loaded (configLoaded)', spec: { logs: { 'controller/controller': `${logLine({ caller: 'main.go:159', configmap: 'metallb-system/config', event: 'configLoaded', msg: 'config (re)loaded' })}\n` } }, fires: false },
]);
