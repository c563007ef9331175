/**
 * Credentials inside a pod (the deploy/ Job and CronJob): the ServiceAccount token and CA that the
 * kubelet mounts, and the API server from KUBERNETES_SERVICE_HOST/PORT, as client-node's
 * loadFromCluster reads them. client-node only takes a prefix before the fixed mount path
 * (/var/run/secrets/kubernetes.io/serviceaccount); MLB_REPORT_SERVICEACCOUNT_DIR names the folder
 * itself instead, for a token projected elsewhere (and for the tests, which have no such mount).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { ExitCode, UserError } from '../util/errors.js';

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Loads the in-cluster config into `kc`; a missing token or CA is bad input (exit 2), named. */
export function loadInCluster(kc: k8s.KubeConfig, env: NodeJS.ProcessEnv = process.env): void {
  const dir = env.MLB_REPORT_SERVICEACCOUNT_DIR || serviceAccountDir;
  for (const file of ['token', 'ca.crt']) {
    if (!existsSync(join(dir, file))) {
      throw new UserError(
        `running in a cluster (KUBERNETES_SERVICE_HOST is set) but ${join(dir, file)} does not exist`,
        'run the pod with a ServiceAccount token mounted (automountServiceAccountToken), set MLB_REPORT_SERVICEACCOUNT_DIR to the folder holding token and ca.crt, or pass --kubeconfig',
        ExitCode.usage,
      );
    }
  }
  if (!env.KUBERNETES_SERVICE_PORT) {
    throw new UserError('KUBERNETES_SERVICE_HOST is set but KUBERNETES_SERVICE_PORT is not', 'set both (the kubelet sets them in every pod), or pass --kubeconfig', ExitCode.usage);
  }
  kc.loadFromCluster();
  // Same cluster, user and context, with the files read from `dir`. The token stays a file that is
  // read again for each request, so a rotated projected token keeps working in a long run.
  const namespaceFile = join(dir, 'namespace');
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, caFile: join(dir, 'ca.crt') })),
    users: kc.users.map((u) => ({ ...u, authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } })),
    contexts: kc.contexts.map((c) => ({ ...c, namespace: existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : c.namespace })),
    currentContext: kc.currentContext,
  });
}
