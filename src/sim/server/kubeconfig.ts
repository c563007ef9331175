/** The kubeconfig a simulator hands out: its CA as certificate-authority-data and a token user. */
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  /** World name; becomes part of the cluster/context names. */
  name: string;
  namespace?: string;
  contextName?: string;
}

export function renderKubeconfig(k: KubeconfigInput): string {
  const safe = k.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'world';
  const cluster = `mlb-sim-${safe}`;
  const context = k.contextName ?? cluster;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: cluster, cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caPem).toString('base64') } }],
    users: [{ name: `${cluster}-user`, user: { token: k.token } }],
    contexts: [{ name: context, context: { cluster, user: `${cluster}-user`, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
    'current-context': context,
  });
}
