/**
 * The text forms of `ip addr`, `ip neigh` and `ip route` (what users paste; the collector runs
 * `ip -j`), read into the same model as the JSON. Lines that fit none of the forms become notes.
 */
import { looksBinary } from './json.js';
import type { NoteSink } from './result.js';
import type { InterfaceAddresses, Neighbor, Route } from '../model/cluster.js';

/** `ip -j` output: a JSON array (or object), unlike a paste that starts with a `[root@host ~]#` prompt. */
export function looksLikeIpJson(text: string): boolean {
  return /^\s*(?:\{|\[\s*(?:[{\]]|$))/.test(text) || /^\s*(?:-?\d+(?:\.\d+)?|"[^"]*"|true|false|null)\s*$/.test(text) || looksBinary(text);
}

/** An IPv4 or IPv6 address, with an optional prefix length. */
const ipRe = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:.]*)(?:\/\d{1,3})?$/;

/** A shell prompt with the command that a paste often starts with: `[root@n1 ~]# ip neigh`, `$ ip a`. */
const promptRe = /^\s*(?:\[[^\]]*\]\s*)?\S*[#$%]\s*(?:sudo\s+)?ip\b/;

const lines = (text: string): { line: string; no: number }[] =>
  text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.replace(/\s+$/, ''), no: i + 1 }))
    .filter(({ line }) => line.trim() !== '' && !promptRe.test(line));

const macRe = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})+$/;

/** Address flags `ip addr` prints between the scope and the IPv4 label. */
const addrFlags = new Set(['secondary', 'temporary', 'dynamic', 'noprefixroute', 'deprecated', 'tentative', 'permanent', 'mngtmpaddr', 'nodad', 'optimistic', 'home', 'stable-privacy', 'dadfailed', 'autojoin']);

/**
 * `ip addr`: `2: ens18: <BROADCAST,...> mtu 1500 ... state UP ...`, then `link/ether <mac> brd ...`
 * and `inet|inet6 <addr>/<len> [brd ..] scope <s> [flags] [label]` lines (`valid_lft` lines skipped).
 */
export function parseAddrText(text: string, notes: NoteSink): InterfaceAddresses[] {
  const out: InterfaceAddresses[] = [];
  let cur: InterfaceAddresses | undefined;
  for (const { line, no } of lines(text)) {
    let m: RegExpExecArray | null;
    if ((m = /^\d+:\s+([^:@\s]+)(?:@\S+?)?:\s+<([^>]*)>(.*)$/.exec(line))) {
      cur = { ifname: m[1], flags: m[2] === '' ? [] : m[2].split(','), addrs: [] };
      const state = /\bstate (\S+)/.exec(m[3]);
      if (state) cur.operstate = state[1];
      out.push(cur);
      continue;
    }
    const t = line.trim();
    if (!cur) {
      notes.add(`line ${no}: not an ip addr line: ${t.slice(0, 100)}`);
      continue;
    }
    if ((m = /^link\/\S+\s+(\S+)/.exec(t))) {
      if (macRe.test(m[1])) cur.mac = m[1].toLowerCase();
    } else if ((m = /^(inet6?) ([0-9a-fA-F.:]+)(?:\/(\d+))?(?: peer \S+)?(.*)$/.exec(t))) {
      const words = m[4].trim().split(/\s+/);
      const addr: InterfaceAddresses['addrs'][number] = { family: m[1] as 'inet' | 'inet6', local: m[2], prefixlen: m[3] !== undefined ? Number(m[3]) : m[1] === 'inet' ? 32 : 128 };
      const scope = words.indexOf('scope');
      if (scope >= 0 && words[scope + 1]) addr.scope = words[scope + 1];
      const last = words[words.length - 1];
      // IPv4 addresses end with their label (the interface name, or `eth0:1`).
      if (m[1] === 'inet' && scope >= 0 && words.length > scope + 2 && !addrFlags.has(last)) addr.label = last;
      cur.addrs.push(addr);
    } else if (!/^(?:valid_lft|altname|alias|link-netns|link-netnsid|vrf_slave|bridge_slave|bond_slave|prog\/|\S+ promiscuity)\b/.test(t)) {
      notes.add(`line ${no}: not an ip addr line: ${t.slice(0, 100)}`);
    }
  }
  return out;
}

/** `ip neigh`: `<ip> dev <dev> [lladdr <mac>] [router] [proxy] <STATE...>` (`FAILED` and `INCOMPLETE` have no lladdr). */
export function parseNeighText(text: string, notes: NoteSink): Neighbor[] {
  const out: Neighbor[] = [];
  for (const { line, no } of lines(text)) {
    const t = line.trim().split(/\s+/);
    const dev = t.indexOf('dev');
    if (t.length < 2 || !ipRe.test(t[0]) || t[0].includes('/') || (dev !== 1 && dev !== -1)) {
      notes.add(`line ${no}: not an ip neigh line: ${line.trim().slice(0, 100)}`);
      continue;
    }
    const n: Neighbor = { ip: t[0], state: t.filter((w) => /^[A-Z]+$/.test(w)) };
    if (dev === 1) n.dev = t[2];
    const ll = t.indexOf('lladdr');
    if (ll >= 0 && t[ll + 1]) n.mac = t[ll + 1].toLowerCase();
    out.push(n);
  }
  return out;
}

const routeTypes = new Set(['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'multicast', 'anycast', 'nat']);
const routeKeys: Record<string, keyof Route> = { via: 'gateway', dev: 'dev', proto: 'protocol', scope: 'scope', src: 'prefsrc', table: 'table' };

/** `ip route`: `[type] <dst> [via <gw>] [dev <dev>] [proto <p>] [scope <s>] [src <a>] [metric <n>] [table <t>]`, multipath `nexthop` lines. */
export function parseRouteText(text: string, notes: NoteSink): Route[] {
  const out: Route[] = [];
  for (const { line, no } of lines(text)) {
    const t = line.trim().split(/\s+/);
    if (t[0] === 'nexthop' && out.length > 0) {
      const hop: NonNullable<Route['nexthops']>[number] = {};
      for (let i = 1; i < t.length - 1; i++) {
        if (t[i] === 'via') hop.gateway = t[i + 1];
        else if (t[i] === 'dev') hop.dev = t[i + 1];
        else if (t[i] === 'weight') hop.weight = Number(t[i + 1]);
      }
      (out[out.length - 1].nexthops ??= []).push(hop);
      continue;
    }
    let i = 0;
    let type: string | undefined;
    if (routeTypes.has(t[0])) type = t[i++];
    const dst = t[i++];
    if (!dst || !(dst === 'default' || ipRe.test(dst))) {
      notes.add(`line ${no}: not an ip route line: ${line.trim().slice(0, 100)}`);
      continue;
    }
    const r: Route = { dst };
    if (type) r.type = type;
    for (; i < t.length - 1; i++) {
      const key = routeKeys[t[i]];
      if (key) (r as unknown as Record<string, string>)[key] = t[++i];
      else if (t[i] === 'metric') r.metric = Number(t[++i]);
    }
    out.push(r);
  }
  return out;
}
