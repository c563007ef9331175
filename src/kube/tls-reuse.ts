/**
 * client-node builds a new https.Agent for every request, WebSocket and watch, and with it a new
 * TLS context (the CA parsed again) and a full handshake: at hundreds of execs and log reads that
 * was a large share of the run's CPU on both ends. `withSharedTls` returns a view of a KubeConfig
 * whose agents are shared per TLS identity, with one prebuilt SecureContext and a session cache,
 * so later connections resume the TLS session.
 *
 * Connections are not kept alive: node-fetch 2 (under client-node) reports false "Premature
 * close" errors on chunked responses over reused sockets (node-fetch issue #1767), and every log
 * read is chunked. Proxy agents (kubeconfig proxy-url) and plain HTTP are left as they are.
 */
import https from 'node:https';
import tls from 'node:tls';
import type * as k8s from '@kubernetes/client-node';

type AgentOptions = https.AgentOptions & { pfx?: unknown; passphrase?: string };

export function withSharedTls(kc: k8s.KubeConfig): k8s.KubeConfig {
  const agents = new Map<string, https.Agent>();
  // A view, not a copy: reads and the kubeconfig's own state stay on `kc`.
  const view = Object.create(kc) as k8s.KubeConfig;
  // createAgent is private in the typings; it is the one place every request gets its agent.
  const hook = view as unknown as { createAgent(cluster: k8s.Cluster | null, options: AgentOptions): unknown };
  const original = hook.createAgent.bind(view);
  hook.createAgent = (cluster: k8s.Cluster | null, options: AgentOptions) => {
    if (!cluster?.server?.startsWith('https:') || cluster.proxyUrl) return original(cluster, options);
    const identity = [options.ca, options.cert, options.key, options.pfx, options.passphrase, options.rejectUnauthorized, options.servername];
    const key = JSON.stringify(identity.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
    let agent = agents.get(key);
    if (!agent) {
      const secureContext = tls.createSecureContext({ ca: options.ca, cert: options.cert, key: options.key, pfx: options.pfx as never, passphrase: options.passphrase });
      agent = new https.Agent({
        secureContext,
        ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
        ...(options.servername ? { servername: options.servername } : {}),
        keepAlive: false,
        maxCachedSessions: 100,
      });
      agents.set(key, agent);
    }
    return agent;
  };
  return view;
}
