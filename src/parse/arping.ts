/**
 * iputils `arping` output:
 *   ARPING 10.99.0.100 from 10.99.0.1 eth0
 *   Unicast reply from 10.99.0.100 [02:00:00:00:00:03]  0.565ms
 *   Sent 1 probes (1 broadcast(s))
 *   Received 2 response(s)
 * The exit status is not a reachability signal (see lab notes); the reply lines are.
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { ArpingResult } from '../model/cluster.js';

const headRe = /^ARPING (\S+)(?: from (\S+))?(?: (\S+))?/;
const replyRe = /^(?:Unicast|Broadcast) reply from (\S+) \[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\]/;

export function parse(text: string, path: string): Parsed<ArpingResult> {
  const notes = new NoteSink(path);
  const result: ArpingResult = { ip: '', macs: [], replies: 0, path };
  const t = cleanText(text);
  if (t.trim() === '') {
    notes.add('empty arping output');
    return notes.result(result);
  }
  if (looksBinary(t)) {
    notes.add('not arping output: binary data');
    return notes.result(result);
  }
  const byMac: Record<string, number> = {};
  for (const raw of t.split(/\r?\n/)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = headRe.exec(line))) {
      result.ip = m[1];
      if (m[2]) result.sourceIp = m[2];
      if (m[3]) result.iface = m[3];
    } else if ((m = replyRe.exec(line))) {
      if (!result.ip) result.ip = m[1];
      const mac = m[2].toLowerCase();
      byMac[mac] = (byMac[mac] ?? 0) + 1;
      result.replies++;
    } else if ((m = /^Sent (\d+) probes?/.exec(line))) result.sent = Number(m[1]);
    else if ((m = /^Received (\d+) response/.exec(line))) result.received = Number(m[1]);
  }
  result.macs = Object.keys(byMac);
  if (result.macs.length > 0) result.repliesByMac = byMac;
  if (!result.ip) notes.add('no ARPING header or reply lines found');
  return notes.result(result);
}
