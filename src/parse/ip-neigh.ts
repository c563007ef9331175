/** `ip -j neigh show` → neighbour (ARP/NDP) entries. */
import { cleanText, str, strArray, compact } from './json.js';
import { ipJsonArray, normalizeMac } from './iproute.js';
import { NoteSink, type Parsed } from './result.js';
import { looksLikeIpJson, parseNeighText } from './iproute-text.js';
import type { Neighbor } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<Neighbor[]> {
  const notes = new NoteSink(path);
  // A pasted `ip neigh` (text) reads into the same model; the collector's `ip -j` is JSON.
  if (!looksLikeIpJson(cleanText(text)) && cleanText(text).trim() !== '') return notes.result(parseNeighText(cleanText(text), notes));
  const out: Neighbor[] = [];
  ipJsonArray(text, notes, 'neigh').forEach((e, i) => {
    const ip = str(e.dst);
    if (!ip) {
      notes.add(`neighbour entry ${i} has no dst`);
      return;
    }
    // Older iproute2 prints state as a string, newer as an array.
    const state = typeof e.state === 'string' ? [e.state] : strArray(e.state);
    out.push(compact({ ip, dev: str(e.dev), mac: normalizeMac(e.lladdr), state }));
  });
  return notes.result(out);
}
