/**
 * Shared reading of iproute2 JSON (`ip -j [-d] link|addr|route|neigh`): a top-level array of objects.
 */
import { isRecord, num, parseJsonTolerant, str, strArray, compact } from './json.js';
import type { NoteSink } from './result.js';
import type { Link } from '../model/cluster.js';

/** The array of objects in an `ip -j` output; anything else becomes a note. */
export function ipJsonArray(text: string, notes: NoteSink, what: string): Record<string, unknown>[] {
  const data = parseJsonTolerant(text, notes, `ip -j ${what} JSON`);
  if (data === undefined) return [];
  if (!Array.isArray(data)) {
    notes.add(`expected a JSON array from ip -j ${what}, got ${typeof data}`);
    return [];
  }
  const out: Record<string, unknown>[] = [];
  data.forEach((entry, i) => {
    if (isRecord(entry)) out.push(entry);
    else notes.add(`entry ${i} is not an object`);
  });
  return out;
}

export function normalizeMac(mac: unknown): string | undefined {
  const s = str(mac);
  return s ? s.toLowerCase() : undefined;
}

/** The link part shared by `ip link` and `ip addr` entries. */
export function linkFromEntry(e: Record<string, unknown>): Link | undefined {
  const ifname = str(e.ifname);
  if (!ifname) return undefined;
  const linkinfo = isRecord(e.linkinfo) ? e.linkinfo : undefined;
  const infoData = linkinfo && isRecord(linkinfo.info_data) ? linkinfo.info_data : undefined;
  const kind = str(linkinfo?.info_kind);
  return compact({
    ifname,
    ifindex: num(e.ifindex),
    mac: normalizeMac(e.address),
    operstate: str(e.operstate),
    flags: strArray(e.flags),
    mtu: num(e.mtu),
    master: str(e.master),
    kind,
    slaveKind: str(linkinfo?.info_slave_kind),
    parent: str(e.link),
    vlanId: kind === 'vlan' ? num(infoData?.id) : undefined,
    linkType: str(e.link_type),
  });
}
