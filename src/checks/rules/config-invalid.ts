import { defineCheck, type Draft } from '../define.js';
import { logEvidence, objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { clusterPath, logRecords, metallbNamespace } from '../lib/model.js';

export default defineCheck({
  id: 'config-invalid',
  title: 'MetalLB configuration rejected or stale',
  severity: 'error',
  category: 'install',
  rank: 86,
  docs: {
    cause:
      'A component could not load the configuration (overlapping pools, invalid CIDR, conflicting peers...). MetalLB then keeps running the last valid configuration, so recent changes have no effect. A leftover ConfigMap "config" means a pre-v0.13 configuration that current versions ignore.',
    confirm: 'kubectl get configurationstates -n metallb-system -o yaml   # v0.15.3+\nkubectl logs -n metallb-system deploy/controller | grep "failed to parse the configuration"\nkubectl get cm -n metallb-system config',
    fix: 'Correct the objects named in the error (or convert the legacy ConfigMap to CRs with the configmaptocrs tool), then check that ConfigurationState reports Valid.',
    references: ['metallb/metallb#1473'],
    threads: ['https://github.com/metallb/metallb/issues/608'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const st of model.metallb.configurationStates) {
      if (st.status?.result !== 'Invalid') continue;
      out.push({
        summary: `ConfigurationState ${st.metadata.name} is Invalid: ${st.status?.errorSummary ?? 'no error summary'}`,
        subjects: [{ kind: 'ConfigurationState', namespace: st.metadata.namespace, name: st.metadata.name }],
        evidence: [objectEvidence(clusterPath.metallb('configurationstates'), { metadata: { name: st.metadata.name }, status: st.status })],
        remediation: { summary: `Fix the configuration error: ${st.status?.errorSummary ?? 'see the component logs'}.` },
      });
    }
    const byStream = new Map<string, { stream: any; records: any[] }>();
    for (const { stream, record, text } of logRecords(model, ['controller', 'speaker'])) {
      // v0.13+ CRs, and the ConfigMap of earlier versions (configStale: "config (re)load failed").
      if (!/failed to parse the configuration|reload failed, no retry|config \(re\)load failed|could not parse config/.test(text)) continue;
      const e = byStream.get(stream.path) ?? { stream, records: [] };
      e.records.push(record);
      byStream.set(stream.path, e);
    }
    if (byStream.size && !out.length) {
      const first = [...byStream.values()][0];
      const err = String(first.records[first.records.length - 1].fields.error ?? first.records[first.records.length - 1].msg ?? '');
      out.push({
        summary: `MetalLB rejected its configuration (${byStream.size} container log(s)): ${err}`,
        subjects: [{ kind: 'Cluster', name: 'metallb' }],
        evidence: [...byStream.values()].slice(0, 3).map((e) => logEvidence(model, e.stream, e.records)),
        remediation: { summary: 'Fix the object named in the error; the last valid configuration stays active until then.' },
      });
    }
    // metallb_k8s_client_config_stale_bool == 1: the component runs an older config than the cluster has.
    const stale = (model.metrics ?? []).filter((m) => m.samples.some((x) => x.name === 'metallb_k8s_client_config_stale_bool' && x.value === 1));
    if (stale.length && !out.length) {
      out.push({
        summary: `${stale.length} MetalLB component(s) run a stale configuration (metallb_k8s_client_config_stale_bool 1): the latest configuration failed to load${stale.some((m) => m.node) ? ` on ${[...new Set(stale.map((m) => m.node).filter(Boolean))].join(', ')}` : ''}`,
        subjects: [{ kind: 'Cluster', name: 'metallb' }, ...[...new Set(stale.map((m) => m.node).filter((n): n is string => !!n))].map((name) => ({ kind: 'Node', name }))],
        evidence: stale.slice(0, 3).map((m) => ({ path: m.path, excerpt: rawExcerpt(model, m.path, ['metallb_k8s_client_config_stale_bool 1'], 'metallb_k8s_client_config_stale_bool 1', { exclude: /^#/ }) })),
        remediation: { summary: 'Read the component logs for "failed to parse the configuration" and fix the object they name.', snippet: 'kubectl logs -n metallb-system -l component=speaker -c speaker | grep -i "failed to parse"', snippetLanguage: 'shell' },
      });
    }
    const ns = metallbNamespace(model);
    const legacy = model.kube.configMaps.find((c) => c.metadata?.name === 'config' && (c.metadata?.namespace ?? ns) === ns && typeof c.data?.config === 'string');
    if (legacy) {
      out.push({
        severity: model.metallb.ipAddressPools.length ? 'warning' : 'error',
        summary: `Legacy ConfigMap ${ns}/config found${model.metallb.ipAddressPools.length ? '' : ' and no IPAddressPool: MetalLB ≥ v0.13 ignores the ConfigMap'}`,
        subjects: [{ kind: 'ConfigMap', namespace: ns, name: 'config' }],
        evidence: [objectEvidence(clusterPath.configMaps, { metadata: { name: 'config', namespace: ns }, data: { config: String(legacy.data?.config).slice(0, 400) } })],
        remediation: {
          summary: 'Convert the ConfigMap to CRs and delete it.',
          snippet: `docker run -v $(pwd):/var/input quay.io/metallb/configmaptocrs\nkubectl delete cm -n ${ns} config`,
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
