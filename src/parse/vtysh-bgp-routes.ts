/**
 * `vtysh -c 'show bgp [vrf all] ipv4|ipv6 [unicast] json'`: `{"vrfName":..,"routes":{prefix:[path..]}}`,
 * or one such block per VRF name for `vrf all`. One BgpRoute per path.
 */
import { isRecord, num, parseJsonTolerant, str, bool, compact } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { BgpRoute } from '../model/cluster.js';

function hasRoutes(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && isRecord(v.routes);
}

export function parse(text: string, path: string): Parsed<BgpRoute[]> {
  const notes = new NoteSink(path);
  const data = parseJsonTolerant(text, notes, 'vtysh routes JSON');
  const out: BgpRoute[] = [];
  if (data === undefined) return notes.result(out);
  if (!isRecord(data)) {
    notes.add('expected a JSON object with routes');
    return notes.result(out);
  }
  const fileAfi = /ipv6/i.test(path) ? 'ipv6' : /ipv4/i.test(path) ? 'ipv4' : undefined;
  const table = (block: Record<string, unknown>, vrfHint: string): void => {
    const vrf = str(block.vrfName) ?? vrfHint;
    for (const [prefix, paths] of Object.entries(block.routes as Record<string, unknown>)) {
      const list = Array.isArray(paths) ? paths : isRecord(paths) && Array.isArray(paths.paths) ? paths.paths : [];
      for (const p of list) {
        if (!isRecord(p)) continue;
        // An IPv6 path lists its global next hop and the link-local one; the link-local one only
        // matters when it is all there is (as MetalLB's own parsing does).
        const hops = Array.isArray(p.nexthops) ? p.nexthops.filter(isRecord).filter((h) => str(h.ip) !== undefined) : [];
        const global = hops.filter((h) => h.scope !== 'link-local');
        const nexthops = (global.length > 0 ? global : hops).map((h) => str(h.ip)!);
        const peerId = str(p.peerId);
        const weight = num(p.weight);
        // Detailed output has bestpath as an object ({"overall":true}).
        const best = isRecord(p.bestpath) ? p.bestpath.overall === true : p.bestpath === true;
        const local = peerId === '(unspec)' || weight === 32768 || nexthops.every((ip) => ip === '0.0.0.0' || ip === '::') && nexthops.length > 0;
        out.push(
          compact({
            vrf,
            afi: fileAfi ?? (prefix.includes(':') ? 'ipv6' : 'ipv4'),
            prefix,
            nexthops,
            local,
            best,
            peer: peerId && peerId !== '(unspec)' ? peerId : undefined,
            valid: bool(p.valid),
            stale: bool(p.stale),
            asPath: str(p.path),
            origin: str(p.origin),
            localPref: num(p.locPrf),
            weight,
            path,
          }),
        );
      }
    }
  };
  if (hasRoutes(data)) table(data, 'default');
  else {
    let found = false;
    for (const [vrf, block] of Object.entries(data)) {
      if (hasRoutes(block)) {
        found = true;
        table(block, vrf);
      }
    }
    if (!found && Object.keys(data).length > 0 && !('vrfId' in data)) notes.add('no routes table in the JSON');
  }
  return notes.result(out);
}
