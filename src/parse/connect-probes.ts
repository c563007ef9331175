/**
 * `probe/connect.txt`: one line per probe, as the catalogue's connectProbeCommand prints them:
 *   <id> <url> <curl exit> <http code> <connect seconds> <remote ip> <curl error text>
 * e.g.
 *   api/healthz https://10.96.0.1:443/healthz 0 200 0.001163 10.96.0.1
 *   memberlist/worker-2 telnet://192.0.2.12:7946 28 000 0.000412 192.0.2.12 Time-out
 *   endpoint/shop/web/0 telnet://10.244.1.7:8080 28 000 0.000000  Connection timed out after 2002 milliseconds
 * The remote IP is empty when no connection was made (two spaces in a row).
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { ConnectProbeResult } from '../model/cluster.js';

const urlRe = /^(https|telnet):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?/;

export function classify(exitCode: number, httpCode: number | undefined, connectSeconds: number, scheme: string): ConnectProbeResult['outcome'] {
  if (scheme === 'https') {
    if (exitCode === 0) return httpCode === 200 ? 'ok' : 'http-error';
  } else if (exitCode === 0 || connectSeconds > 0) return 'connected';
  if (exitCode === 7) return 'refused';
  if (exitCode === 28) return connectSeconds > 0 ? 'connected' : 'timeout';
  return 'error';
}

export function parse(text: string, path: string): Parsed<ConnectProbeResult[]> {
  const notes = new NoteSink(path);
  const out: ConnectProbeResult[] = [];
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not probe output: binary data');
    return notes.result(out);
  }
  for (const line of t.split('\n')) {
    if (line.trim() === '') continue;
    const f = line.split(' ');
    const [id, url, exit, http, connect, remote] = f;
    const u = urlRe.exec(url ?? '');
    if (!id || !u || !/^\d+$/.test(exit ?? '') || !/^\d+$/.test(http ?? '') || !/^\d+(\.\d+)?$/.test(connect ?? '')) {
      notes.add(`not a probe line: ${line.slice(0, 120)}`);
      continue;
    }
    const slash = id.indexOf('/');
    const exitCode = Number(exit);
    const httpCode = Number(http) || undefined;
    const connectSeconds = Number(connect);
    const error = f.slice(6).join(' ').trim();
    const r: ConnectProbeResult = {
      id,
      kind: slash > 0 ? id.slice(0, slash) : id,
      subject: slash > 0 ? id.slice(slash + 1) : '',
      url: url!,
      host: u[2]!.replace(/^\[|\]$/g, ''),
      exitCode,
      connectSeconds,
      outcome: classify(exitCode, httpCode, connectSeconds, u[1]!),
      path,
      line,
    };
    if (u[3]) r.port = Number(u[3]);
    else if (u[1] === 'https') r.port = 443;
    if (httpCode) r.httpCode = httpCode;
    if (remote) r.remoteIp = remote;
    if (error) r.error = error;
    out.push(r);
  }
  return notes.result(out);
}
