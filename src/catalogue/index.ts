/**
 * What mlb-report collects, declared as data: which command, in which container, with which
 * timeout, into which bundle file, read by which parser. The collector (src/collect) runs these;
 * the analyzer (src/parse) finds outputs by `file`; the simulator's replay data is keyed by the
 * exact `command` argv (joined with spaces), so changing a command here means re-recording scenarios
 * (`mlb-report sim record`).
 */
import type { MetallbMode } from '../model/bundle.js';

/** Where a node item runs: the debug container (node network namespace) or the FRR container. */
export type RunIn = 'debug' | 'frr';

export interface NodeItem {
  id: string;
  title: string;
  runIn: RunIn;
  command: string[];
  /** Path below `nodes/<node>/`. */
  file: string;
  timeoutMs: number;
  /** Output cap; longer output is truncated and the step marked partial. */
  maxBytes: number;
  /** Parser id in src/parse (see parseById). */
  parser: ParserId;
  /** Only for these modes (default: all). */
  modes?: MetallbMode[];
  /** Output is binary (pcap); never decoded as text. */
  binary?: boolean;
  /**
   * For runIn 'frr': the container of the FRR pod to exec into when it is not `frr` — the files of
   * the reload pipeline (/etc/frr_reloader) are only mounted in `reloader` (and the speaker).
   * Items without one run in `frr`, or with these in `reloader` when it can run vtysh too
   * (collect/node.ts vtyshStandIn), so that the FRR lane takes one exec.
   */
  container?: string;
}

export type ParserId =
  | 'ip-link'
  | 'ip-addr'
  | 'ip-route'
  | 'ip-neigh'
  | 'ss'
  | 'sysctl'
  | 'frr-config'
  | 'frr-reload-status'
  | 'vtysh-bgp-neighbors'
  | 'vtysh-bgp-routes'
  | 'vtysh-bgp-summary'
  | 'vtysh-bfd-peers'
  | 'vtysh-daemons'
  | 'frr-log'
  | 'tcpdump-text'
  | 'arping'
  | 'pcap'
  | 'prometheus'
  | 'nslookup'
  | 'connect-probes';

const MiB = 1024 * 1024;
const vtysh = (cmd: string): string[] => ['vtysh', '-c', cmd];

/** FRR is present in these modes (sidecar in the speaker pod, or the frr-k8s pod on the node). */
export const frrModes: MetallbMode[] = ['frr', 'frr-k8s'];

export const nodeItems: NodeItem[] = [
  { id: 'net.ip-link', title: 'Links', runIn: 'debug', command: ['ip', '-j', '-d', 'link', 'show'], file: 'net/ip-link.json', timeoutMs: 10_000, maxBytes: 4 * MiB, parser: 'ip-link' },
  { id: 'net.ip-addr', title: 'Addresses', runIn: 'debug', command: ['ip', '-j', '-d', 'addr', 'show'], file: 'net/ip-addr.json', timeoutMs: 10_000, maxBytes: 4 * MiB, parser: 'ip-addr' },
  { id: 'net.ip-route', title: 'Routes', runIn: 'debug', command: ['ip', '-j', '-d', 'route', 'show', 'table', 'all'], file: 'net/ip-route.json', timeoutMs: 10_000, maxBytes: 8 * MiB, parser: 'ip-route' },
  { id: 'net.ip-neigh', title: 'Neighbour (ARP/NDP) table', runIn: 'debug', command: ['ip', '-j', 'neigh', 'show'], file: 'net/ip-neigh.json', timeoutMs: 10_000, maxBytes: 4 * MiB, parser: 'ip-neigh' },
  { id: 'net.ss', title: 'Listening and established sockets', runIn: 'debug', command: ['ss', '-tuanpH'], file: 'net/ss.txt', timeoutMs: 10_000, maxBytes: 4 * MiB, parser: 'ss' },
  {
    id: 'net.sysctl',
    title: 'ARP and reverse-path sysctls',
    runIn: 'debug',
    command: ['sh', '-c', 'grep -H . /proc/sys/net/ipv4/conf/*/arp_ignore /proc/sys/net/ipv4/conf/*/arp_announce /proc/sys/net/ipv4/conf/*/rp_filter /proc/sys/net/ipv4/ip_forward'],
    file: 'net/sysctl.txt',
    timeoutMs: 10_000,
    maxBytes: MiB,
    parser: 'sysctl',
  },
  { id: 'frr.running-config', title: 'FRR running config', runIn: 'frr', command: vtysh('show running-config'), file: 'frr/running-config.txt', timeoutMs: 15_000, maxBytes: 4 * MiB, parser: 'frr-config', modes: frrModes },
  { id: 'frr.desired-config', title: 'Config MetalLB asked for (reloader input)', runIn: 'frr', command: ['cat', '/etc/frr_reloader/frr.conf'], container: 'reloader', file: 'frr/desired-frr.conf', timeoutMs: 10_000, maxBytes: 4 * MiB, parser: 'frr-config', modes: frrModes },
  { id: 'frr.reload-status', title: 'Last reload result', runIn: 'frr', command: ['cat', '/etc/frr_reloader/.status'], container: 'reloader', file: 'frr/reload-status.txt', timeoutMs: 10_000, maxBytes: 64 * 1024, parser: 'frr-reload-status', modes: frrModes },
  { id: 'frr.bgp-summary', title: 'BGP summary', runIn: 'frr', command: vtysh('show bgp vrf all summary json'), file: 'frr/bgp-summary.json', timeoutMs: 15_000, maxBytes: 8 * MiB, parser: 'vtysh-bgp-summary', modes: frrModes },
  { id: 'frr.bgp-neighbors', title: 'BGP neighbors', runIn: 'frr', command: vtysh('show bgp vrf all neighbors json'), file: 'frr/bgp-neighbors.json', timeoutMs: 15_000, maxBytes: 16 * MiB, parser: 'vtysh-bgp-neighbors', modes: frrModes },
  { id: 'frr.bgp-ipv4', title: 'BGP IPv4 routes', runIn: 'frr', command: vtysh('show bgp vrf all ipv4 json'), file: 'frr/bgp-ipv4.json', timeoutMs: 15_000, maxBytes: 16 * MiB, parser: 'vtysh-bgp-routes', modes: frrModes },
  { id: 'frr.bgp-ipv6', title: 'BGP IPv6 routes', runIn: 'frr', command: vtysh('show bgp vrf all ipv6 json'), file: 'frr/bgp-ipv6.json', timeoutMs: 15_000, maxBytes: 16 * MiB, parser: 'vtysh-bgp-routes', modes: frrModes },
  { id: 'frr.bfd-peers', title: 'BFD peers', runIn: 'frr', command: vtysh('show bfd peers json'), file: 'frr/bfd-peers.json', timeoutMs: 15_000, maxBytes: 4 * MiB, parser: 'vtysh-bfd-peers', modes: frrModes },
  { id: 'frr.daemons', title: 'FRR daemons', runIn: 'frr', command: vtysh('show daemons'), file: 'frr/daemons.txt', timeoutMs: 10_000, maxBytes: 64 * 1024, parser: 'vtysh-daemons', modes: frrModes },
];

/** Packet capture: filter for ARP, BGP, memberlist and BFD (peer ports are added at run time). */
export const captureFilter = 'arp or tcp port 179 or port 7946 or udp port 3784 or udp port 3785';
export const captureMaxPackets = 2000;
/** Above this many LoadBalancer IPs the filter names their prefixes instead of each address. */
export const captureMaxHostTerms = 64;

/**
 * The capture filter with the Services' own traffic: every LoadBalancer IP as a host term (clients'
 * SYNs, the answers, RSTs, ICMP errors quoting them), or beyond `captureMaxHostTerms` the /24 (IPv4)
 * or /64 (IPv6) prefixes they fall in, at most `captureMaxHostTerms` of them.
 */
export function captureFilterWithLbIps(ips: string[]): string {
  const valid = ips.filter((ip) => /^[0-9a-fA-F.:]+$/.test(ip));
  if (valid.length === 0) return captureFilter;
  let terms: string[];
  if (valid.length <= captureMaxHostTerms) terms = valid.map((ip) => `host ${ip}`);
  else {
    const nets = new Set(valid.map((ip) => (ip.includes(':') ? `${ip.split(':').slice(0, 4).join(':')}::/64` : `${ip.split('.').slice(0, 3).join('.')}.0/24`)));
    terms = [...nets].slice(0, captureMaxHostTerms).map((n) => `net ${n}`);
  }
  return `${captureFilter} or ${terms.join(' or ')}`;
}

/**
 * The capture runs in the debug container and prints the pcap (base64, so it survives text
 * channels) after a marker line, then the decoded text. See src/collect for the split.
 */
export function captureCommand(seconds: number, filter = captureFilter): string[] {
  return [
    'sh',
    '-c',
    `timeout ${seconds} tcpdump -i any -nn -U -c ${captureMaxPackets} -s 256 -w /tmp/mlb-report.pcap '${filter}' 2>/dev/null; ` +
      `tcpdump -nn -e -v -r /tmp/mlb-report.pcap 2>/dev/null; echo '--- mlb-report pcap base64 ---'; base64 /tmp/mlb-report.pcap; rm -f /tmp/mlb-report.pcap`,
  ];
}

/** arping of one MetalLB IP from the node (at most 2 requests), so duplicate responders show up. */
export function arpingCommand(ip: string, iface: string): string[] {
  return ['arping', '-c', '2', '-w', '2', '-I', iface, ip];
}

/** Exit status of `arpingProbeCommand` when no interface holds the node IP. */
export const arpingNoInterfaceExit = 3;
/** First line of `arpingProbeCommand`'s script, by which the simulator and `serve` know it. */
export const arpingProbeHeader = '# mlb-report arping';
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * `arpingCommand` from the interface that holds `nodeIp`, found in the same shell: the probe then
 * needs no `ip addr` beforehand and rides in the node's first batch (one exec less per node).
 * Undefined unless both are plain IPv4 addresses: they come from the cluster's objects and go into
 * a shell script.
 */
export function arpingProbeCommand(ip: string, nodeIp: string): string[] | undefined {
  if (!ipv4.test(ip) || !ipv4.test(nodeIp)) return undefined;
  const script = [
    arpingProbeHeader,
    `dev=$(ip -o -4 addr show | awk -v want=${nodeIp} '{ split($4, a, "/"); if (a[1] == want) { print $2; exit } }')`,
    `[ -n "$dev" ] || { echo "no interface holds the node IP ${nodeIp}" >&2; exit ${arpingNoInterfaceExit}; }`,
    `exec arping -c 2 -w 2 -I "$dev" ${ip}`,
  ].join('\n');
  return ['sh', '-c', script];
}

/** The LoadBalancer IP and node IP of an `arpingProbeCommand`, for those that answer it. */
export function parseArpingProbe(script: string): { ip: string; nodeIp: string } | undefined {
  if (!script.startsWith(arpingProbeHeader)) return undefined;
  const nodeIp = /awk -v want=(\S+) /.exec(script)?.[1];
  const ip = /exec arping -c 2 -w 2 -I "\$dev" (\S+)$/.exec(script)?.[1];
  return ip && nodeIp && ipv4.test(ip) && ipv4.test(nodeIp) ? { ip, nodeIp } : undefined;
}

export const captureFiles = { pcap: 'capture/capture.pcap', text: 'capture/capture.txt' } as const;
export const arpingFile = (ip: string): string => `probe/arping-${ip.replace(/[^0-9a-fA-F.:]/g, '_').replace(/:/g, '_')}.txt`;

// ---------------------------------------------------------------- connect probes

/**
 * A TCP or HTTPS probe from a debug container. Every probe is one `curl` with a 2 s limit, all of
 * a batch at once in the background, so the batch takes about 2 s however many it holds.
 * `telnet://` opens a TCP connection and sends nothing (stdin is empty), so a target that accepts
 * holds it until curl gives up: exit 28 with a non-zero connect time means "connected".
 */
export interface ConnectProbe {
  /** `api/healthz`, `memberlist/<node>`, `endpoint/<ns>/<svc>/<n>`, `lb/<ns>/<svc>/<port>`: a shell word. */
  id: string;
  url: string;
}

export const probeTimeoutSeconds = 2;
/** Per node: other speakers probed on TCP 7946 (a ring), Services probed, endpoints per Service. */
export const probeLimits = { memberlistPeers: 3, services: 50, endpointsPerService: 3 } as const;

/** The API server through the `kubernetes` Service ClusterIP, from the variables the kubelet sets in every container. */
export const apiProbeUrl = (path: '/healthz' | '/readyz'): string => `https://\${KUBERNETES_SERVICE_HOST}:\${KUBERNETES_SERVICE_PORT}${path}`;

/** `telnet://` URL of a TCP endpoint (IPv6 in brackets). */
export const tcpProbeUrl = (ip: string, port: number): string => `telnet://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;

const probeSafe = /^[A-Za-z0-9_.:/@%+=,-]+$/;

/**
 * One `sh -c` running every probe in the background and printing one line each:
 * `<id> <url> <curl exit> <http code> <connect seconds> <remote ip> <curl error text>`.
 * The URL is double-quoted so the shell expands the API server variables and nothing else.
 */
export function connectProbeCommand(probes: ConnectProbe[]): string[] {
  for (const p of probes) {
    if (!probeSafe.test(p.id) || !/^(https|telnet):\/\/[A-Za-z0-9_.:[\]/${}-]+$/.test(p.url)) throw new Error(`unsafe probe ${p.id} ${p.url}`);
  }
  const lines = [
    '# mlb-report connect probes',
    // An image without curl says so (exit 127, the shell's words), instead of lines without results.
    "command -v curl >/dev/null 2>&1 || { echo 'sh: curl: not found' >&2; exit 127; }",
    `p() { r=$(curl -s -k -m ${probeTimeoutSeconds} -o /dev/null -w '%{exitcode} %{http_code} %{time_connect} %{remote_ip} %{errormsg}' "$2" </dev/null 2>/dev/null); echo "$1 $2 $r"; }`,
    ...probes.map((p) => `p ${p.id} "${p.url}" &`),
    'wait',
  ];
  return ['sh', '-c', lines.join('\n')];
}

export const connectProbeFile = 'probe/connect.txt';

// ---------------------------------------------------------------- data-path rules

/** The node's kube-proxy rules for the LoadBalancer IPs, whatever its mode (`net/kube-proxy-rules.txt`). */
export const dataPathRulesFile = 'net/kube-proxy-rules.txt';
export const dataPathRulesMarker = '# mlb-report data-path rules';

/**
 * One `sh -c` that prints, each after a `--- <command>` line, what every kube-proxy mode would have
 * programmed for `ips`: the nat table lines mentioning them plus the chains those lines jump to
 * (iptables), the lines of the kube-proxy nftables table mentioning them, and the IPVS virtual
 * servers on them with their real servers; `--- none` names what was looked for when no tool
 * printed anything (Cilium's kube-proxy replacement, kube-router), `--- unavailable` says the
 * container has none of the tools. Only these lines reach the bundle.
 */
export function dataPathRulesCommand(ips: string[]): string[] {
  const safe = ips.filter((ip) => /^[0-9a-fA-F.:]+$/.test(ip)).slice(0, 256);
  const re = safe.map((ip) => ip.replace(/\./g, '\\.')).join('|') || '^$';
  const lines = [
    dataPathRulesMarker,
    `re='(^|[^0-9a-fA-F.:])(${re})([^0-9a-fA-F]|$)'`,
    'found=; tools=',
    'for t in iptables-save nft ipvsadm; do command -v $t >/dev/null 2>&1 && tools=1; done',
    'if command -v iptables-save >/dev/null 2>&1 && iptables-save -t nat > /tmp/mlb-report-nat 2>/dev/null && grep -q KUBE- /tmp/mlb-report-nat; then',
    "  found=1; echo '--- iptables-save -t nat'",
    '  grep -E "$re" /tmp/mlb-report-nat > /tmp/mlb-report-nat-hits',
    '  cat /tmp/mlb-report-nat-hits',
    "  for c in $(sed -n 's/.* -j \\(KUBE-[A-Z]*-[A-Z0-9]*\\).*/\\1/p' /tmp/mlb-report-nat-hits | sort -u); do grep -E -- \"^-A $c \" /tmp/mlb-report-nat; done",
    'fi',
    'rm -f /tmp/mlb-report-nat /tmp/mlb-report-nat-hits',
    'if command -v nft >/dev/null 2>&1 && nft list table ip kube-proxy > /tmp/mlb-report-nft 2>/dev/null; then',
    "  found=1; echo '--- nft list table ip kube-proxy'; grep -E \"$re\" /tmp/mlb-report-nft",
    'fi',
    'rm -f /tmp/mlb-report-nft',
    "if command -v ipvsadm >/dev/null 2>&1 && ipvsadm -Ln > /tmp/mlb-report-ipvs 2>/dev/null && grep -qE '^(TCP|UDP|SCTP) ' /tmp/mlb-report-ipvs; then",
    "  found=1; echo '--- ipvsadm -Ln'",
    "  awk -v re=\"$re\" '/^(TCP|UDP|SCTP) /{show = ($2 ~ re)} show' /tmp/mlb-report-ipvs",
    'fi',
    'rm -f /tmp/mlb-report-ipvs',
    // Without the tools nothing can be said about kube-proxy: "unavailable", not "none".
    `[ -n "$tools" ] || echo '--- unavailable: no iptables-save, nft or ipvsadm in this container'`,
    `[ -n "$found" ] || [ -z "$tools" ] || echo '--- none: looked for KUBE- chains in iptables-save -t nat, nft table ip kube-proxy, IPVS virtual servers'`,
  ];
  return ['sh', '-c', lines.join('\n')];
}

// ---------------------------------------------------------------- controller

/**
 * What runs in the debug container added to the controller pod. The controller is not
 * hostNetwork: these see the pod's own network namespace and resolv.conf, where the webhook
 * listens and where the controller resolves and reaches the API server. Files below `controller/`.
 */
export interface ControllerItem {
  id: string;
  title: string;
  command: string[];
  file: string;
  timeoutMs: number;
  maxBytes: number;
  /** Absent: kept as evidence only. */
  parser?: ParserId;
}

export const controllerItems: ControllerItem[] = [
  { id: 'controller.net.ss', title: 'Controller sockets', command: ['ss', '-tuanpH'], file: 'controller/net/ss.txt', timeoutMs: 10_000, maxBytes: MiB, parser: 'ss' },
  { id: 'controller.net.ip-addr', title: 'Controller addresses', command: ['ip', '-j', '-d', 'addr', 'show'], file: 'controller/net/ip-addr.json', timeoutMs: 10_000, maxBytes: MiB, parser: 'ip-addr' },
  { id: 'controller.net.ip-route', title: 'Controller routes', command: ['ip', '-j', '-d', 'route', 'show', 'table', 'all'], file: 'controller/net/ip-route.json', timeoutMs: 10_000, maxBytes: MiB, parser: 'ip-route' },
  { id: 'controller.dns.resolv-conf', title: "Controller pod's resolv.conf", command: ['cat', '/etc/resolv.conf'], file: 'controller/dns/resolv.conf', timeoutMs: 5_000, maxBytes: 64 * 1024 },
  { id: 'controller.dns.kubernetes', title: 'DNS: kubernetes.default.svc', command: ['nslookup', 'kubernetes.default.svc'], file: 'controller/dns/nslookup-kubernetes.txt', timeoutMs: 15_000, maxBytes: 64 * 1024, parser: 'nslookup' },
  {
    id: 'controller.probe.api',
    title: 'API server /healthz and /readyz',
    command: connectProbeCommand([
      { id: 'api/healthz', url: apiProbeUrl('/healthz') },
      { id: 'api/readyz', url: apiProbeUrl('/readyz') },
    ]),
    file: `controller/${connectProbeFile}`,
    timeoutMs: (probeTimeoutSeconds + 3) * 1000,
    maxBytes: 64 * 1024,
    parser: 'connect-probes',
  },
];

/** The controller's validating webhook port (metallb-webhook-service targets it). */
export const webhookPort = 9443;

// ---------------------------------------------------------------- cluster items

/**
 * Which objects a cluster item lists:
 * - `cluster`: a cluster-scoped resource (nodes, webhook configurations);
 * - `all-namespaces`: every namespace (Services, EndpointSlices, MetalLB CRs, which may live outside
 *   the MetalLB namespace);
 * - `metallb-namespace`: the namespace MetalLB was discovered in.
 */
export type ClusterScope = 'cluster' | 'all-namespaces' | 'metallb-namespace';

/**
 * Post-processing a cluster item needs before it is written:
 * - `loadbalancer-services`: keep Services of type LoadBalancer;
 * - `loadbalancer-endpointslices`: keep EndpointSlices of those Services;
 * - `loadbalancer-events`: keep Events about those Services, MetalLB objects and nodes;
 * - `secret-names`: keep Secret names, types and data keys — never values;
 * - `metallb-webhooks`: keep webhook configurations that point at MetalLB's services;
 * - `kube-proxy`: a single ConfigMap, `kube-system/kube-proxy`.
 */
export type ClusterFilter =
  | 'loadbalancer-services'
  | 'loadbalancer-endpointslices'
  | 'loadbalancer-events'
  | 'secret-names'
  | 'metallb-webhooks'
  | 'kube-proxy';

export interface ClusterItem {
  id: string;
  title: string;
  /** API group ('' = core) and version; alternatives are tried in order when a version is not served. */
  group: string;
  versions: string[];
  /** Plural resource name, e.g. `ipaddresspools`. */
  resource: string;
  scope: ClusterScope;
  /** Path below the bundle root. */
  file: string;
  timeoutMs: number;
  filter?: ClusterFilter;
  /** A CRD that only some versions/modes install: a 404 means "not installed", not a failure. */
  optional?: boolean;
}

const clusterTimeout = 20_000;
const metallbCr = (resource: string, versions = ['v1beta1']): ClusterItem => ({
  id: `metallb.${resource}`,
  title: `metallb.io ${resource}`,
  group: 'metallb.io',
  versions,
  resource,
  scope: 'all-namespaces',
  file: `cluster/metallb.io/${resource}.json`,
  timeoutMs: clusterTimeout,
  optional: true,
});
const frrk8sCr = (resource: string): ClusterItem => ({
  id: `frrk8s.${resource}`,
  title: `frrk8s.metallb.io ${resource}`,
  group: 'frrk8s.metallb.io',
  versions: ['v1beta1'],
  resource,
  scope: 'all-namespaces',
  file: `cluster/frrk8s.metallb.io/${resource}.json`,
  timeoutMs: clusterTimeout,
  optional: true,
});

/** Object lists written under `cluster/` (layout in src/model/bundle.ts). */
export const clusterItems: ClusterItem[] = [
  { id: 'cluster.nodes', title: 'Nodes', group: '', versions: ['v1'], resource: 'nodes', scope: 'cluster', file: 'cluster/nodes.json', timeoutMs: clusterTimeout },
  { id: 'cluster.pods', title: 'MetalLB pods', group: '', versions: ['v1'], resource: 'pods', scope: 'metallb-namespace', file: 'cluster/pods.json', timeoutMs: clusterTimeout },
  { id: 'cluster.services', title: 'LoadBalancer Services', group: '', versions: ['v1'], resource: 'services', scope: 'all-namespaces', file: 'cluster/services.json', timeoutMs: clusterTimeout, filter: 'loadbalancer-services' },
  { id: 'cluster.endpointslices', title: 'EndpointSlices of LoadBalancer Services', group: 'discovery.k8s.io', versions: ['v1'], resource: 'endpointslices', scope: 'all-namespaces', file: 'cluster/endpointslices.json', timeoutMs: clusterTimeout, filter: 'loadbalancer-endpointslices' },
  { id: 'cluster.events', title: 'Events about Services, nodes and MetalLB', group: '', versions: ['v1'], resource: 'events', scope: 'all-namespaces', file: 'cluster/events.json', timeoutMs: clusterTimeout, filter: 'loadbalancer-events' },
  { id: 'cluster.daemonsets', title: 'MetalLB DaemonSets', group: 'apps', versions: ['v1'], resource: 'daemonsets', scope: 'metallb-namespace', file: 'cluster/daemonsets.json', timeoutMs: clusterTimeout },
  { id: 'cluster.deployments', title: 'MetalLB Deployments', group: 'apps', versions: ['v1'], resource: 'deployments', scope: 'metallb-namespace', file: 'cluster/deployments.json', timeoutMs: clusterTimeout },
  { id: 'cluster.configmaps', title: 'MetalLB ConfigMaps', group: '', versions: ['v1'], resource: 'configmaps', scope: 'metallb-namespace', file: 'cluster/configmaps.json', timeoutMs: clusterTimeout },
  { id: 'cluster.secrets', title: 'MetalLB Secrets (names and keys only)', group: '', versions: ['v1'], resource: 'secrets', scope: 'metallb-namespace', file: 'cluster/secrets.json', timeoutMs: clusterTimeout, filter: 'secret-names', optional: true },
  { id: 'cluster.kube-proxy', title: 'kube-proxy ConfigMap', group: '', versions: ['v1'], resource: 'configmaps', scope: 'cluster', file: 'cluster/kube-proxy-configmap.json', timeoutMs: clusterTimeout, filter: 'kube-proxy', optional: true },
  { id: 'cluster.webhooks', title: 'MetalLB validating webhook configuration', group: 'admissionregistration.k8s.io', versions: ['v1'], resource: 'validatingwebhookconfigurations', scope: 'cluster', file: 'cluster/validatingwebhookconfigurations.json', timeoutMs: clusterTimeout, filter: 'metallb-webhooks' },
  metallbCr('ipaddresspools'),
  metallbCr('l2advertisements'),
  metallbCr('bgpadvertisements'),
  metallbCr('bgppeers', ['v1beta2', 'v1beta1']),
  metallbCr('bfdprofiles'),
  metallbCr('communities'),
  metallbCr('servicel2statuses'),
  metallbCr('servicebgpstatuses'),
  metallbCr('configurationstates'),
  frrk8sCr('frrconfigurations'),
  frrk8sCr('frrnodestates'),
  frrk8sCr('bgpsessionstates'),
];

/** MetalLB containers whose logs are collected (plus any container of a discovered MetalLB pod). */
export const logContainers = ['speaker', 'controller', 'frr', 'reloader', 'frr-metrics', 'frr-status'] as const;
/** Per-container log cap (bytes) and default --since. */
export const logMaxBytes = 16 * MiB;
export const defaultLogSinceSeconds = 24 * 3600;

/**
 * Metrics endpoints by version: ≤ v0.15 plain HTTP 7472 (speaker/controller) and 7473 (FRR exporter)
 * via the pod proxy; v0.16+ serves HTTPS on 9120/9121 behind TokenReview, which the pod proxy cannot
 * pass a token to, so those are recorded as skipped with the reason.
 */
export const metricsPorts = {
  legacy: { speaker: 7472, frr: 7473, controller: 7472 },
  secure: { speaker: 9120, frr: 9121, controller: 9120 },
} as const;
export const metricsFile = (port: number): string => `metrics/metrics-${port}.txt`;
