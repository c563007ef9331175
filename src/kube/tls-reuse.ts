/**
 * client-node builds a new https.Agent for every request, WebSocket and watch, and with it a new
 * TLS context (the CA parsed again) and a full handshake: at hundreds of execs and log reads that
 * was a large share of the run's CPU on both ends. `withSharedTls` returns a view of a KubeConfig
 * whose agents are shared per TLS identity, with one prebuilt SecureContext and a session cache,
 * so later connections resume the TLS session.
 *
 * Only public API is used: the view wraps the three public methods through which client-node
 * hands out an agent (`applySecurityAuthentication` for the generated clients, `applyToFetchOptions`
 * for watches and log streams, `applyToHTTPSOptions` for WebSockets), lets client-node build its
 * options and agent as usual, and swaps a plain https.Agent for the shared one of the same options
 * (`agent.options`). test/kube/tls-reuse.test.ts checks against the simulator that connections
 * made through all three resume one TLS session.
 *
 * Connections are not kept alive: node-fetch 2 (under client-node) reports false "Premature
 * close" errors on chunked responses over reused sockets (node-fetch issue #1767), and every log
 * read is chunked. Proxy agents (kubeconfig proxy-url) and plain HTTP are left as they are.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type * as k8s from '@kubernetes/client-node';

type AnyAgent = http.Agent | https.Agent;
type RequestContext = Parameters<k8s.KubeConfig['applySecurityAuthentication']>[0];

export function withSharedTls(kc: k8s.KubeConfig): k8s.KubeConfig {
  /** One shared agent per TLS identity; a run has two or three (generated clients, fetch, WebSocket). */
  const identities: { options: Record<string, unknown>; agent: https.Agent }[] = [];
  const shared = new Set<https.Agent>();

  /** The shared agent for the TLS options `agent` was built with; anything else unchanged. */
  const share = <A extends AnyAgent | undefined>(agent: A): A | https.Agent => {
    // Exactly https.Agent: proxy agents (hpagent, socks) subclass it or http.Agent.
    if (!agent || agent.constructor !== https.Agent || shared.has(agent as https.Agent)) return agent;
    // Every option client-node set is part of the identity: CA, client certificate and key,
    // verification, server name, ciphers… (Buffers compared by content). Options left undefined
    // are dropped: the generated clients' agents name fewer options than the WebSocket's.
    const options = Object.fromEntries(Object.entries((agent as https.Agent).options).filter(([, v]) => v !== undefined)) as https.AgentOptions & Record<string, unknown>;
    // Compared option by option (this runs for every request: no serialising of certificates).
    let one = identities.find((i) => sameOptions(i.options, options))?.agent;
    if (!one) {
      const secureContext = tls.createSecureContext(options as tls.SecureContextOptions);
      one = new https.Agent({ ...options, secureContext, keepAlive: false, maxCachedSessions: 100 });
      identities.push({ options, agent: one });
      shared.add(one);
    }
    return one;
  };

  // A view, not a copy: reads and the kubeconfig's own state stay on `kc`; client-node's methods
  // run with the view as `this`, so its own internal calls go through the wrappers as well.
  const view = Object.create(kc) as k8s.KubeConfig;
  const { applySecurityAuthentication, applyToFetchOptions, applyToHTTPSOptions } = kc;
  view.applySecurityAuthentication = async (context: RequestContext) => {
    await applySecurityAuthentication.call(view, context);
    const agent = context.getAgent();
    if (agent) context.setAgent(share(agent));
  };
  view.applyToFetchOptions = async (opts) => {
    const init = await applyToFetchOptions.call(view, opts);
    // RequestInit's agent is node-fetch's (an Agent or a function choosing one per URL).
    if (typeof init.agent === 'object') init.agent = share(init.agent as AnyAgent) as typeof init.agent;
    return init;
  };
  view.applyToHTTPSOptions = async (opts) => {
    await applyToHTTPSOptions.call(view, opts);
    if (typeof opts.agent === 'object') opts.agent = share(opts.agent as AnyAgent);
  };
  return view;
}

/** Same keys, and the same value under each (Buffers and arrays by content). */
function sameOptions(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => k in b && sameValue(a[k], b[k]));
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (Buffer.isBuffer(x) && Buffer.isBuffer(y)) return x.equals(y);
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => sameValue(v, y[i]));
  // Callbacks (checkServerIdentity) are made anew per request and never differ in what they check.
  if (typeof x === 'function' && typeof y === 'function') return true;
  if (x && y && typeof x === 'object' && typeof y === 'object') return JSON.stringify(x) === JSON.stringify(y);
  return false;
}
