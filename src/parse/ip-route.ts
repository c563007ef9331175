/** `ip -j -d route show table all` → routes. */
import { cleanText, isRecord, num, str, compact } from './json.js';
import { ipJsonArray } from './iproute.js';
import { NoteSink, type Parsed } from './result.js';
import { looksLikeIpJson, parseRouteText } from './iproute-text.js';
import type { Route } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<Route[]> {
  const notes = new NoteSink(path);
  // A pasted `ip route` (text) reads into the same model; the collector's `ip -j` is JSON.
  if (!looksLikeIpJson(cleanText(text)) && cleanText(text).trim() !== '') return notes.result(parseRouteText(cleanText(text), notes));
  const routes: Route[] = [];
  ipJsonArray(text, notes, 'route').forEach((e, i) => {
    const dst = str(e.dst);
    if (!dst) {
      notes.add(`route entry ${i} has no dst`);
      return;
    }
    const nexthops = Array.isArray(e.nexthops)
      ? e.nexthops.filter(isRecord).map((h) => compact({ gateway: str(h.gateway), dev: str(h.dev), weight: num(h.weight) }))
      : undefined;
    routes.push(
      compact({
        dst,
        gateway: str(e.gateway),
        dev: str(e.dev),
        protocol: str(e.protocol),
        scope: str(e.scope),
        prefsrc: str(e.prefsrc),
        metric: num(e.metric),
        // `ip route show table all` names the table only for non-main tables.
        table: str(e.table),
        type: str(e.type),
        nexthops: nexthops && nexthops.length > 0 ? nexthops : undefined,
      }),
    );
  });
  return notes.result(routes);
}
