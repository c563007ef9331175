/**
 * BIND `nslookup <name>` (the debug image's), e.g.
 *   Server:		10.96.0.10
 *   Address:	10.96.0.10#53
 *
 *   Name:	kubernetes.default.svc.cluster.local
 *   Address: 10.96.0.1
 * and its failures: `;; connection timed out; no servers could be reached`,
 * `** server can't find kubernetes.default.svc: NXDOMAIN` (or SERVFAIL, REFUSED).
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { DnsLookup } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<DnsLookup | undefined> {
  const notes = new NoteSink(path);
  const t = cleanText(text);
  if (t.trim() === '') return notes.result(undefined);
  if (looksBinary(t)) {
    notes.add('not nslookup output: binary data');
    return notes.result(undefined);
  }
  const r: DnsLookup = { name: '', addresses: [], path };
  let inAnswer = false;
  for (const raw of t.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Server:\s+(\S+)/.exec(line))) r.server = m[1];
    else if ((m = /^Name:\s+(\S+)/.exec(line))) {
      inAnswer = true;
      r.answeredName ??= m[1];
      r.name ||= m[1]!;
    } else if (inAnswer && (m = /^Address:\s+(\S+)/.exec(line))) r.addresses.push(m[1]!);
    else if ((m = /^\*\* server can't find ([^:]+): (\S+)/.exec(line))) {
      r.name ||= m[1]!;
      r.error = m[2];
    } else if ((m = /^;; (connection timed out; no servers could be reached|communications error to .*)$/.exec(line))) r.error ??= m[1];
    else if ((m = /^nslookup: (.*)/.exec(line))) r.error ??= m[1];
  }
  if (!r.error && r.addresses.length === 0) r.error = 'no address in the answer';
  return notes.result(r);
}
