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
  ipJsonArray(withTypeKeys(text, notes), notes, 'route').forEach((e, i) => {
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

/**
 * iproute2 around 5.9 printed a route's type as a bare string, `[{"broadcast","dst":...}]`, for the
 * local table (iproute2/iproute2#37): invalid JSON. `{"<type>",` cannot start a valid object, so it
 * is read as `{"type":"<type>",` and a note says so.
 */
const bareTypeRe = /\{"(unicast|local|broadcast|blackhole|unreachable|prohibit|throw|multicast|anycast|nat)",/g;

function withTypeKeys(text: string, notes: NoteSink): string {
  if (!bareTypeRe.test(text)) return text;
  bareTypeRe.lastIndex = 0;
  notes.add('ip -j route printed route types without a key ({"local",...}, an iproute2 bug); read them as "type"');
  return text.replace(bareTypeRe, '{"type":"$1",');
}
