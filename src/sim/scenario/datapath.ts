/**
 * The path from a node or the controller to what MetalLB's traffic needs: the API server, the other
 * speakers' memberlist port, the Services' endpoints and LoadBalancer IPs, and the controller's DNS
 * and webhook. Scenario field `dataPath` (docs/scenarios.md) breaks pieces of it; the replay backend
 * answers the collector's connect probes (`curl`), `nslookup` and the controller pod's resolv.conf
 * from here, in the formats the debug image's tools print (curl 8 write-out and error texts, BIND
 * nslookup).
 */
import { UserError } from '../../util/errors.js';
import type { KubeObject } from '../../model/cluster.js';
import type { SimModel, SimNode } from './model.js';
import type { DataPathSpec, Scenario } from './types.js';
import { cidrContains, sha256Hex } from './util.js';

/** The `kubernetes` Service ClusterIP and the cluster DNS Service (kubeadm's defaults). */
export const kubernetesServiceIp = '10.96.0.1';
export const kubernetesServicePort = 443;
export const clusterDnsIp = '10.96.0.10';
export const clusterDomain = 'cluster.local';
const memberlistPort = 7946;

export function dataPathOf(model: SimModel): DataPathSpec {
  return model.scenario.dataPath ?? {};
}

/** Node names in `dataPath` must exist: a typo would silently leave the path healthy. */
export function validateDataPath(scenario: Scenario, requireNode: (name: string, path: string) => unknown): void {
  const dp = scenario.dataPath;
  if (!dp) return;
  (dp.memberlistBlocked ?? []).forEach((pair, i) => {
    pair.forEach((n) => requireNode(n, `dataPath.memberlistBlocked[${i}]`));
    if (pair[0] === pair[1]) throw new UserError(`dataPath.memberlistBlocked[${i}]: a node cannot be blocked from itself (${pair[0]})`, 'name two different nodes');
  });
  for (const n of dp.apiUnreachableFrom ?? []) requireNode(n, 'dataPath.apiUnreachableFrom');
  for (const n of dp.endpointsUnreachableFrom ?? []) requireNode(n, 'dataPath.endpointsUnreachableFrom');
  for (const n of dp.lbIpsNotForwardedOn ?? []) requireNode(n, 'dataPath.lbIpsNotForwardedOn');
  for (const n of Object.keys(dp.defaultRoutes ?? {})) requireNode(n, 'dataPath.defaultRoutes');
}

/** Is the controller's webhook server listening on 9443? */
export function webhookListening(model: SimModel): boolean {
  return dataPathOf(model).controller?.webhookListening !== false;
}

/** `/etc/resolv.conf` of a ClusterFirst pod in `namespace`. */
export function resolvConf(namespace: string): string {
  return `search ${namespace}.svc.${clusterDomain} svc.${clusterDomain} ${clusterDomain}\nnameserver ${clusterDnsIp}\noptions ndots:5\n`;
}

/** BIND nslookup from a pod of the cluster (only the controller's view differs by scenario). */
export function nslookup(model: SimModel, name: string, fromController: boolean): { stdout: string; exitCode: number } {
  const dns = fromController ? dataPathOf(model).controller?.dns ?? 'ok' : 'ok';
  if (dns === 'timeout') return { stdout: ';; connection timed out; no servers could be reached\n\n', exitCode: 1 };
  const head = `Server:\t\t${clusterDnsIp}\nAddress:\t${clusterDnsIp}#53\n\n`;
  const fqdn = /^kubernetes(\.default(\.svc(\.cluster\.local\.?)?)?)?$/.test(name) ? `kubernetes.default.svc.${clusterDomain}` : undefined;
  if (dns === 'nxdomain' || !fqdn) return { stdout: `${head}** server can't find ${name}: NXDOMAIN\n\n`, exitCode: 1 };
  return { stdout: `${head}Name:\t${fqdn}\nAddress: ${kubernetesServiceIp}\n\n`, exitCode: 0 };
}

/** The webhook Service's EndpointSlice: the controller pod, ready when the controller is. */
export function webhookEndpointSlices(model: SimModel, controllerReady: boolean): KubeObject[] {
  const ctrl = model.install.pods.find((p) => p.component === 'controller');
  if (!ctrl) return [];
  const out: KubeObject[] = [];
  for (const svc of model.install.objects) {
    if (svc.kind !== 'Service' || svc.metadata.namespace !== model.namespace || !/webhook/.test(svc.metadata.name)) continue;
    const sel = (svc.spec?.selector ?? {}) as Record<string, string>;
    const labels = (ctrl.pod.metadata.labels ?? {}) as Record<string, string>;
    if (!Object.keys(sel).length || !Object.entries(sel).every(([k, v]) => labels[k] === v)) continue;
    const name = `${svc.metadata.name}-${sha256Hex(`${model.name}/${svc.metadata.name}`).slice(0, 5)}`;
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name,
        namespace: model.namespace,
        generateName: `${svc.metadata.name}-`,
        creationTimestamp: ctrl.pod.metadata.creationTimestamp,
        labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': svc.metadata.name },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: [ctrl.pod.status.podIP],
          conditions: { ready: controllerReady, serving: controllerReady, terminating: false },
          nodeName: ctrl.node,
          targetRef: { kind: 'Pod', namespace: model.namespace, name: ctrl.pod.metadata.name, uid: ctrl.pod.metadata.uid },
        },
      ],
      ports: ((svc.spec?.ports ?? []) as { name?: string; targetPort?: number | string; protocol?: string }[]).map((p) => ({ name: p.name ?? '', port: typeof p.targetPort === 'number' ? p.targetPort : 9443, protocol: p.protocol ?? 'TCP' })),
    });
  }
  return out;
}

interface ProbeLine {
  id: string;
  url: string;
}

/** The probe lines of the catalogue's connect-probe script (`p <id> "<url>" &`). */
export function probeLines(script: string): ProbeLine[] {
  const out: ProbeLine[] = [];
  for (const line of script.split('\n')) {
    const m = /^p (\S+) "([^"]+)" &$/.exec(line.trim());
    if (m) out.push({ id: m[1]!, url: m[2]! });
  }
  return out;
}

/** kube-proxy's chain suffix: base32 of sha256(`<ns>/<name>:<port name>` + protocol), 16 characters. */
function chainHash(servicePortName: string, protocol: string): string {
  const bytes = Buffer.from(sha256Hex(servicePortName + protocol.toLowerCase()), 'hex');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i + 5 <= bits.length && out.length < 16; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

/**
 * The catalogue's data-path rules script on `node`: what kube-proxy in the scenario's mode programs
 * for the LoadBalancer IPs the script asks about, in the text iptables-save, nft and ipvsadm print
 * (filtered as the script filters). A node in `dataPath.lbIpsNotForwardedOn` has kube-proxy's other
 * rules but none for the LoadBalancer IPs (a kube-proxy that stopped before they were assigned).
 */
export function answerRules(model: SimModel, node: SimNode, script: string): string {
  // re='(^|<before>)(<ip>|<ip>)(<after>|$)': the middle group lists the addresses.
  const m = /^re='\(\^\|[^)]*\)\((.*)\)\([^)]*\|\$\)'$/m.exec(script);
  const asked = new Set((m?.[1] ?? '').split('|').map((x) => x.replace(/\\\./g, '.')));
  const missing = (dataPathOf(model).lbIpsNotForwardedOn ?? []).includes(node.name);
  const services = missing ? [] : model.services.filter((s) => s.ip && asked.has(s.ip));
  const mode = model.kubeProxy.mode;
  const out: string[] = [];
  if (mode === 'iptables') {
    out.push('--- iptables-save -t nat');
    const jumps: string[] = [];
    for (const s of services) {
      for (const p of s.ports) {
        const proto = (p.protocol || 'TCP').toLowerCase();
        const spn = `${s.namespace}/${s.name}${p.name ? `:${p.name}` : ''}`;
        const h = chainHash(spn, proto);
        out.push(`-A KUBE-SERVICES -d ${s.ip}/32 -p ${proto} -m comment --comment "${spn} loadbalancer IP" -m ${proto} --dport ${p.port} -j KUBE-EXT-${h}`);
        jumps.push(`-A KUBE-EXT-${h} -m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ`, `-A KUBE-EXT-${h} -j ${s.externalTrafficPolicy === 'Local' ? 'KUBE-SVL' : 'KUBE-SVC'}-${h}`);
      }
    }
    out.push(...jumps);
  } else if (mode === 'nftables') {
    out.push('--- nft list table ip kube-proxy');
    services.forEach((s) =>
      s.ports.forEach((p) => out.push(`\t\t\t     ${s.ip} . ${(p.protocol || 'TCP').toLowerCase()} . ${p.port} : goto external-${chainHash(`${s.namespace}/${s.name}:${p.name ?? ''}`, (p.protocol || 'TCP').toLowerCase()).slice(0, 8)}-${s.namespace}/${s.name}/${(p.protocol || 'TCP').toLowerCase()}/${p.name ?? ''},`)),
    );
  } else {
    out.push('--- ipvsadm -Ln');
    services.forEach((s) => s.ports.forEach((p) => out.push(`${(p.protocol || 'TCP').toUpperCase().padEnd(5)}${s.ip}:${p.port} rr`)));
  }
  return out.map((l) => `${l}\n`).join('');
}

type Outcome = { kind: 'http'; code: number } | { kind: 'connected' } | { kind: 'refused' } | { kind: 'timeout' };

/**
 * Answers the connect-probe script from `node` (or from the controller pod on it): one line per
 * probe as curl's write-out prints it, and how long the batch takes (the limit when a SYN is dropped).
 */
export function answerProbes(model: SimModel, node: SimNode, fromController: boolean, script: string, limitSeconds = 2): { stdout: string; seconds: number } {
  let seconds = 0;
  const lines = probeLines(script).map(({ id, url }) => {
    const expanded = url.replace('${KUBERNETES_SERVICE_HOST}', kubernetesServiceIp).replace('${KUBERNETES_SERVICE_PORT}', String(kubernetesServicePort));
    const m = /^(https|telnet):\/\/(\[[^\]]+\]|[^:/]+):(\d+)/.exec(expanded);
    if (!m) return `${id} ${expanded} 3 000 0.000000  URL rejected: Bad hostname`;
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const port = Number(m[3]);
    const o = outcome(model, node, fromController, m[1]!, host, port);
    const t = `0.000${String(100 + (parseInt(sha256Hex(`${node.name}/${id}`).slice(0, 3), 16) % 800)).padStart(3, '0')}`;
    // A dropped SYN costs the whole limit. A connected telnet:// also holds until the limit on a real
    // node, but the world does not wait for it: every healthy collection would pay 2 s for nothing.
    if (o.kind === 'timeout') seconds = limitSeconds;
    const ms = limitSeconds * 1000 + 1 + (parseInt(sha256Hex(id).slice(0, 2), 16) % 3);
    switch (o.kind) {
      case 'http':
        return `${id} ${expanded} 0 ${o.code} ${t} ${host} `;
      case 'connected':
        return `${id} ${expanded} 28 000 ${t} ${host} Time-out`;
      case 'refused':
        return `${id} ${expanded} 7 000 0.000000  Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`;
      case 'timeout':
        return `${id} ${expanded} 28 000 0.000000  Connection timed out after ${ms} milliseconds`;
    }
  });
  return { stdout: lines.map((l) => `${l}\n`).join(''), seconds };
}

function outcome(model: SimModel, node: SimNode, fromController: boolean, scheme: string, host: string, port: number): Outcome {
  const dp = dataPathOf(model);
  if (host === kubernetesServiceIp) {
    const down = fromController ? dp.controller?.apiReachable === false : (dp.apiUnreachableFrom ?? []).includes(node.name);
    if (down) return { kind: 'timeout' };
    return scheme === 'https' && port === kubernetesServicePort ? { kind: 'http', code: 200 } : { kind: 'refused' };
  }
  const target = model.nodes.find((n) => n.ip === host);
  if (target) {
    if (port !== memberlistPort) return { kind: 'refused' };
    const blocked = (dp.memberlistBlocked ?? []).some(([a, b]) => (a === node.name && b === target.name) || (b === node.name && a === target.name));
    if (blocked) return { kind: 'timeout' };
    return model.install.pods.some((p) => p.component === 'speaker' && p.node === target.name) ? { kind: 'connected' } : { kind: 'refused' };
  }
  const cut = !fromController && (dp.endpointsUnreachableFrom ?? []).includes(node.name);
  const podNode = host.includes(':') ? undefined : model.nodes.find((n) => n.podCIDR && cidrContains(n.podCIDR, host));
  if (podNode) return cut && podNode.name !== node.name ? { kind: 'timeout' } : { kind: 'connected' };
  const svc = model.services.find((s) => s.ip === host);
  if (svc) {
    if (!svc.ports.some((p) => p.port === port)) return { kind: 'refused' };
    if (svc.endpoints.length === 0) return { kind: 'refused' };
    // Without a rule the packet leaves by the default route and nobody answers it.
    if (!fromController && (dp.lbIpsNotForwardedOn ?? []).includes(node.name)) return { kind: 'timeout' };
    // From a node, kube-proxy sends LB IP traffic to any ready endpoint, whatever the traffic policy.
    return cut && svc.endpoints.every((e) => e !== node.name) ? { kind: 'timeout' } : { kind: 'connected' };
  }
  return { kind: 'timeout' };
}
