/**
 * The pod proxy subresource (`/api/v1/namespaces/{ns}/pods/{[scheme:]name[:port]}/proxy/{path}`),
 * serving the scenario's metrics endpoints. Like the real apiserver proxy it does not forward the
 * caller's token, so an endpoint that needs one answers 401 as kube-rbac-proxy does.
 */
import type { ServerResponse } from 'node:http';
import type { SimState } from './state.js';
import { ApiError, badRequest } from './status.js';

export function parseProxyTarget(spec: string): { scheme?: string; pod: string; port?: number } {
  const parts = spec.split(':');
  if (parts.length === 3) return { scheme: parts[0], pod: parts[1]!, port: Number(parts[2]) };
  if (parts.length === 2) return { pod: parts[0]!, port: Number(parts[1]) };
  return { pod: spec };
}

function serviceUnavailable(message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'ServiceUnavailable', code: 503 });
}

export function servePodProxy(state: SimState, namespace: string, targetSpec: string, path: string, res: ServerResponse): void {
  const target = parseProxyTarget(targetSpec);
  if (target.port !== undefined && !Number.isInteger(target.port)) throw badRequest(`invalid port in ${targetSpec}`);
  const pod = state.getPod(namespace, target.pod);
  const podIP: string = pod.status?.podIP ?? '';
  const endpoints = state.world.metrics.filter((m) => m.namespace === namespace && m.pod === target.pod);
  const port = target.port ?? endpoints[0]?.port ?? 80;
  const endpoint = endpoints.find((m) => m.port === port);
  if (!podIP) throw serviceUnavailable(`address not allowed`);
  if (!endpoint) throw serviceUnavailable(`error trying to reach service: dial tcp ${podIP}:${port}: connect: connection refused`);
  const scheme = target.scheme ?? 'http';
  if (endpoint.scheme === 'https' && scheme !== 'https') {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Client sent an HTTP request to an HTTPS server.\n');
    return;
  }
  if (endpoint.scheme === 'http' && scheme === 'https') {
    throw serviceUnavailable(`error trying to reach service: tls: first record does not look like a TLS handshake`);
  }
  if (endpoint.requiresToken) {
    // The apiserver proxy drops the caller's credentials; kube-rbac-proxy answers without a token.
    res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Unauthorized\n');
    return;
  }
  const wanted = `/${path.replace(/^\/+/, '')}`;
  if (wanted !== endpoint.path) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(endpoint.body);
}
