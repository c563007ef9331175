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
/**
 * What a shell or the container runtime prints when the probe's binary is not in the image:
 * `sh: arping: not found` (busybox), `sh: 1: arping: not found` (dash), `bash: arping: command not
 * found`, `exec: "arping": executable file not found in $PATH` (runc/containerd). Shared with the
 * probe-tool-missing check, which reads the same text from the collection record.
 */
export const missingToolRe = /(?:^|\s)(?:\/bin\/)?(?:sh|bash|ash|dash)(?:: \d+)?: (\S+): (?:command )?not found|exec: "([^"]+)": executable file not found in \$PATH/;

/** The binary a missing-tool message names, without its directory. */
export function missingTool(text: string): string | undefined {
  const m = missingToolRe.exec(text);
  const tool = m?.[1] ?? m?.[2];
  return tool?.split('/').pop();
}
const replyRe = /^(?:Unicast|Broadcast) reply from (\S+) \[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\]/;
/**
 * Thomas Habets' arping (the `arping` package of Debian/Ubuntu, Homebrew's), which users often run
 * from their workstation: `60 bytes from d6:d2:0f:d8:0f:62 (10.255.255.210): index=0 time=728.075 usec`
 * and `3 packets transmitted, 3 packets received,   0% unanswered (0 extra)`.
 */
const habetsReplyRe = /^\d+ bytes from ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}) \(([^)]+)\): index=\d+/;
const habetsSummaryRe = /^(\d+) packets transmitted, (\d+) packets received/;

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
  // The probe never ran: that is a missing tool (reported by its own check), not unreadable output.
  const missing = t.split(/\r?\n/).find((l) => missingToolRe.test(l) && /arping/.test(l));
  if (missing) {
    result.missingTool = missing.trim();
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
    } else if ((m = replyRe.exec(line)) || (m = habetsReplyRe.exec(line))) {
      const [ip, macText] = m[0].includes(' bytes from ') ? [m[2], m[1]] : [m[1], m[2]];
      if (!result.ip) result.ip = ip;
      const mac = macText.toLowerCase();
      byMac[mac] = (byMac[mac] ?? 0) + 1;
      result.replies++;
    } else if ((m = habetsSummaryRe.exec(line))) {
      result.sent = Number(m[1]);
      result.received = Number(m[2]);
    } else if ((m = /^Sent (\d+) probes?/.exec(line))) result.sent = Number(m[1]);
    else if ((m = /^Received (\d+) response/.exec(line))) result.received = Number(m[1]);
  }
  result.macs = Object.keys(byMac);
  if (result.macs.length > 0) result.repliesByMac = byMac;
  if (!result.ip) notes.add('no ARPING header or reply lines found');
  return notes.result(result);
}
