/**
 * Prometheus endpoints of the speaker, controller and FRR exporter pods (docs/metallb.md §7),
 * consistent with the services and BGP sessions of the scenario, plus the author's `metrics`.
 * ≤ v0.15: plain HTTP 7472/7473; v0.16+: HTTPS 9120/9121 behind a bearer token.
 */
 
import { UserError } from '../../util/errors.js';
import type { MetricsEndpoint } from '../world.js';
import { bfdTornDown, nodeSessions } from './bgp.js';
import type { SimModel } from './model.js';
import { poolEntryAddresses } from './util.js';

class Exposition {
  private readonly families = new Map<string, { help: string; type: string; samples: string[] }>();
  add(name: string, type: 'gauge' | 'counter', help: string, labels: Record<string, string | number>, value: number): void {
    let f = this.families.get(name);
    if (!f) {
      f = { help, type, samples: [] };
      this.families.set(name, f);
    }
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',');
    f.samples.push(`${name}${l ? `{${l}}` : ''} ${value}`);
  }
  text(): string {
    let out = '';
    for (const [name, f] of this.families) out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${f.samples.join('\n')}\n`;
    return out;
  }
}

function poolSize(pool: any): number {
  let n = 0;
  for (const a of (pool.spec?.addresses ?? []) as string[]) {
    if (a.includes(':')) continue;
    if (a.includes('/')) n += 2 ** (32 - Number(a.split('/')[1]));
    else n += poolEntryAddresses(a, 1 << 16).length;
  }
  return n;
}

export function buildMetrics(model: SimModel): MetricsEndpoint[] {
  const out: MetricsEndpoint[] = [];
  const { https, metrics: port, frrMetrics } = model.install.ports;
  const scheme = https ? 'https' : 'http';
  const common = (e: Exposition): void => {
    e.add('metallb_k8s_client_config_loaded_bool', 'gauge', '1 if the MetalLB configuration was successfully loaded at least once.', {}, model.pools.length ? 1 : 0);
    e.add('metallb_k8s_client_config_stale_bool', 'gauge', '1 if running on a stale configuration, because the latest config failed to load.', {}, 0);
    e.add('metallb_k8s_client_updates_total', 'counter', 'Number of k8s object updates that have been processed.', {}, 40 + model.services.length * 3);
    e.add('metallb_k8s_client_update_errors_total', 'counter', 'Number of k8s object updates that failed for some reason.', {}, 0);
  };
  for (const p of model.install.pods) {
    const name = p.pod.metadata.name;
    if (p.component === 'controller') {
      const e = new Exposition();
      common(e);
      for (const pool of model.pools as any[]) {
        const total = poolSize(pool);
        const used = model.services.filter((s) => s.pool === pool.metadata.name && s.ip).length;
        e.add('metallb_allocator_addresses_total', 'gauge', 'Number of usable IP addresses, per pool', { pool: pool.metadata.name }, total);
        e.add('metallb_allocator_addresses_in_use_total', 'gauge', 'Number of IP addresses in use, per pool', { pool: pool.metadata.name }, used);
      }
      out.push({ namespace: model.namespace, pod: name, port, scheme, path: '/metrics', body: e.text(), ...(https ? { requiresToken: true } : {}) });
    }
    if (p.component === 'speaker') {
      const e = new Exposition();
      common(e);
      for (const s of model.services) {
        if (!s.ip) continue;
        for (const proto of ['layer2', 'bgp'] as const) {
          const announcing = proto === 'layer2' ? s.l2Announcers.includes(p.node) : s.bgpAnnouncers.includes(p.node);
          if (!announcing) continue;
          e.add('metallb_speaker_announced', 'gauge', 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.', { ip: s.ip, node: p.node, protocol: proto, service: `${s.namespace}/${s.name}` }, 1);
        }
        if (s.l2Announcers.includes(p.node)) {
          e.add('metallb_layer2_requests_received', 'counter', 'Number of layer2 requests received for owned IPs', { ip: s.ip }, 118);
          e.add('metallb_layer2_responses_sent', 'counter', 'Number of layer2 responses sent for owned IPs', { ip: s.ip }, 118);
          e.add('metallb_layer2_gratuitous_sent', 'counter', 'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers', { ip: s.ip }, 5);
        }
      }
      if (model.mode === 'native') {
        const node = model.nodeByName.get(p.node)!;
        for (const s of nodeSessions(model, node)) {
          e.add('metallb_bgp_session_up', 'gauge', 'BGP session state (1 is up, 0 is down)', { peer: s.address }, s.state === 'Established' ? 1 : 0);
          e.add('metallb_bgp_announced_prefixes_total', 'gauge', 'Number of prefixes currently being advertised on the BGP session', { peer: s.address }, s.state === 'Established' ? s.prefixes.length : 0);
        }
      }
      out.push({ namespace: model.namespace, pod: name, port, scheme, path: '/metrics', body: e.text(), ...(https ? { requiresToken: true } : {}) });
      if (model.mode === 'frr' && frrMetrics) out.push({ namespace: model.namespace, pod: name, port: frrMetrics, scheme, path: '/metrics', body: frrExporter(model, p.node, 'metallb'), ...(https ? { requiresToken: true } : {}) });
    }
    if (p.component === 'frr-k8s' && frrMetrics) {
      out.push({ namespace: model.namespace, pod: name, port: frrMetrics, scheme: 'https', path: '/metrics', body: frrExporter(model, p.node, 'frrk8s'), requiresToken: true });
      // The frr-k8s controller's controller-runtime metrics (--metrics-bind-address=0.0.0.0:9140, HTTPS).
      const e = new Exposition();
      e.add('controller_runtime_reconcile_total', 'counter', 'Total number of reconciliations per controller', { controller: 'frrconfiguration', result: 'success' }, 42);
      e.add('controller_runtime_reconcile_total', 'counter', 'Total number of reconciliations per controller', { controller: 'frrconfiguration', result: 'error' }, 0);
      e.add('controller_runtime_reconcile_errors_total', 'counter', 'Total number of reconciliation errors per controller', { controller: 'frrconfiguration' }, 0);
      out.push({ namespace: model.namespace, pod: name, port: 9140, scheme: 'https', path: '/metrics', body: e.text(), requiresToken: true });
    }
  }
  applyUserMetrics(model, out);
  return out;
}

function frrExporter(model: SimModel, nodeName: string, prefix: 'metallb' | 'frrk8s'): string {
  const e = new Exposition();
  const node = model.nodeByName.get(nodeName)!;
  for (const s of nodeSessions(model, node)) {
    const peer = prefix === 'metallb' ? `${s.address}:${s.port}` : s.address;
    const labels: Record<string, string> = prefix === 'metallb' ? { peer, vrf: s.vrf } : { peer };
    const up = s.state === 'Established';
    e.add(`${prefix}_bgp_session_up`, 'gauge', 'BGP session state (1 is up, 0 is down)', labels, up ? 1 : 0);
    e.add(`${prefix}_bgp_announced_prefixes_total`, 'gauge', 'Number of prefixes currently being advertised on the BGP session', labels, up ? s.prefixes.length : 0);
    e.add(`${prefix}_bgp_opens_sent`, 'counter', 'Number of BGP open messages sent', labels, up ? 1 + s.connectionsDropped : 41);
    e.add(`${prefix}_bgp_opens_received`, 'counter', 'Number of BGP open messages received', labels, up ? 1 + s.connectionsDropped : s.notification ? 20 : 0);
    e.add(`${prefix}_bgp_notifications_sent`, 'counter', 'Number of BGP notification messages sent', labels, s.notificationDirection === 'sent' ? 20 : 0);
    e.add(`${prefix}_bgp_updates_total`, 'counter', 'Number of BGP UPDATE messages sent', labels, up ? s.prefixes.length + 1 : 0);
    e.add(`${prefix}_bgp_keepalives_sent`, 'counter', 'Number of BGP keepalive messages sent', labels, up ? Math.floor(s.uptimeSeconds / s.keepalive) : 0);
    e.add(`${prefix}_bgp_keepalives_received`, 'counter', 'Number of BGP keepalive messages received', labels, up ? Math.floor(s.uptimeSeconds / s.keepalive) : 0);
    if (s.bfdProfile) {
      const bl: Record<string, string> = prefix === 'metallb' ? { peer: s.address, vrf: s.vrf } : { peer: s.address };
      e.add(`${prefix}_bfd_session_up`, 'gauge', 'BFD session state (1 is up, 0 is down)', bl, s.bfdStatus === 'up' ? 1 : 0);
      e.add(`${prefix}_bfd_session_down_events`, 'counter', 'Number of BFD session down events', bl, bfdTornDown(s) ? 1 : 0);
    }
  }
  return e.text();
}

function applyUserMetrics(model: SimModel, out: MetricsEndpoint[]): void {
  (model.scenario.metrics ?? []).forEach((m, i) => {
    const path = `metrics[${i}]`;
    const pod = m.pod ?? model.install.pods.find((p) => p.component === (m.component ?? 'speaker') && (!m.node || p.node === m.node))?.pod.metadata.name;
    if (!pod) throw new UserError(`${path}: no ${m.component ?? 'speaker'} pod${m.node ? ` on node ${m.node}` : ''}`, 'check pod, component and node');
    const port = m.port ?? model.install.ports.metrics;
    let ep = out.find((e) => e.pod === pod && e.port === port);
    if (!ep) {
      ep = { namespace: model.namespace, pod, port, scheme: model.install.ports.https ? 'https' : 'http', path: '/metrics', body: '', ...(model.install.ports.https ? { requiresToken: true } : {}) };
      out.push(ep);
    }
    const body = m.body.endsWith('\n') ? m.body : `${m.body}\n`;
    ep.body = m.mode === 'replace' ? body : ep.body + body;
  });
}
