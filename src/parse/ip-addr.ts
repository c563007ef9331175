/** `ip -j -d addr show` → addresses per interface. */
import { cleanText, isRecord, num, str, compact } from './json.js';
import { linkFromEntry, ipJsonArray } from './iproute.js';
import { NoteSink, type Parsed } from './result.js';
import { looksLikeIpJson, parseAddrText } from './iproute-text.js';
import type { InterfaceAddresses } from '../model/cluster.js';

type Addr = InterfaceAddresses['addrs'][number];

export function parse(text: string, path: string): Parsed<InterfaceAddresses[]> {
  const notes = new NoteSink(path);
  // A pasted `ip addr` (text) reads into the same model; the collector's `ip -j` is JSON.
  if (!looksLikeIpJson(cleanText(text)) && cleanText(text).trim() !== '') return notes.result(parseAddrText(cleanText(text), notes));
  const out: InterfaceAddresses[] = [];
  ipJsonArray(text, notes, 'addr').forEach((entry, i) => {
    const link = linkFromEntry(entry);
    if (!link) {
      notes.add(`addr entry ${i} has no ifname`);
      return;
    }
    const addrs: Addr[] = [];
    const info = Array.isArray(entry.addr_info) ? entry.addr_info : [];
    for (const a of info) {
      if (!isRecord(a)) continue;
      const family = a.family === 'inet' || a.family === 'inet6' ? a.family : undefined;
      const local = str(a.local);
      const prefixlen = num(a.prefixlen);
      // ip prints bare `{}` entries for addresses filtered out by -j quirks; skip them quietly.
      if (!family || !local || prefixlen === undefined) continue;
      addrs.push(compact({ family, local, prefixlen, scope: str(a.scope), label: str(a.label) }));
    }
    out.push(compact({ ifname: link.ifname, mac: link.mac, operstate: link.operstate, flags: link.flags, addrs }));
  });
  return notes.result(out);
}
