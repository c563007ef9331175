/**
 * FRR configuration text: `vtysh -c 'show running-config'` output, `/etc/frr/frr.conf`, and the
 * config MetalLB renders for its reloader (`/etc/frr_reloader/frr.conf`, see
 * upstream internal/bgp/frr/templates). Understands `router bgp <asn> [vrf <name>]` with its
 * neighbors (incl. peer-groups and unnumbered `interface` peers), address families, `network`
 * lines, `ip|ipv6 prefix-list`, `route-map` blocks and `bfd` profiles.
 *
 * Context comes from keywords, not indentation alone: running configs indent by one space,
 * MetalLB's render by two and leaves blank lines, and FRR itself accepts unindented bodies.
 * A line at column 0 that starts a top-level command leaves any block.
 *
 * Passwords: only `hasPassword` is kept, and `raw`/`unparsed` have password values replaced, so a
 * config that was not redacted upstream still never leaks through the model.
 */
import { cleanText, looksBinary, ownEntry, setOwn } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { FrrConfig, FrrNeighborConfig, FrrRouterBgp, FrrRouteMapEntry } from '../model/cluster.js';

type Afi = 'ipv4' | 'ipv6';
type Context =
  | { kind: 'top' }
  | { kind: 'router'; router: FrrRouterBgp }
  | { kind: 'af'; router: FrrRouterBgp; afi: Afi | undefined }
  | { kind: 'route-map'; entry: FrrRouteMapEntry }
  | { kind: 'bfd' }
  | { kind: 'bfd-profile'; name: string }
  | { kind: 'bfd-peer' }
  | { kind: 'block' }; // interface, vrf, line, key chain, ...: bodies not modelled

/** Top-level commands that end whatever block came before when written at column 0. */
const topLevelWords = new Set([
  'router', 'route-map', 'ip', 'ipv6', 'bfd', 'log', 'hostname', 'frr', 'interface', 'line', 'vrf',
  'debug', 'service', 'agentx', 'end', 'password', 'enable', 'segment-routing', 'mpls', 'key', 'access-list',
  'bgp', 'nexthop-group', 'fpm', 'zebra', 'allow-external-route-update', 'table', 'pbr-map', 'domainname',
  'rpki', 'username', 'banner', 'watchfrr', 'mac', 'evpn', 'no',
]);

/** Commands valid inside `router bgp` / its address families besides bgp/neighbor/network. */
const routerWords = new Set([
  'timers', 'maximum-paths', 'redistribute', 'aggregate-address', 'distance', 'table-map', 'coalesce-time',
  'write-quanta', 'read-quanta', 'update-delay', 'import', 'export', 'rd', 'rt', 'label', 'segment-routing',
  'sid', 'bmp', 'vnc', 'vrf-policy', 'auto-summary', 'synchronization', 'advertise-all-vni', 'advertise',
  'route-target', 'nexthop', 'sid-export', 'default-originate', 'flowspec', 'dampening', 'bgp', 'neighbor', 'network',
]);

/** Top-level statements that are valid FRR but carry nothing the model needs. */
const ignoredTopLevel = [
  /^log\s/, /^hostname\b/, /^frr\s/, /^service\s/, /^debug\s/, /^no\s/, /^ipv?6?\s+nht\s/, /^ip\s+nht\s/,
  /^ipv6?\s+forwarding\b/, /^ip\s+route\s/, /^ipv6\s+route\s/, /^ip\s+router-id\s/, /^ip\s+protocol\s/,
  /^ipv6\s+protocol\s/, /^agentx\b/, /^password\s/, /^enable\s/, /^bgp\s/, /^access-list\s/, /^ip\s+access-list\s/,
  /^ipv6\s+access-list\s/, /^mpls\s/, /^zebra\s/, /^fpm\s/, /^allow-external-route-update\b/, /^table\s/,
  /^domainname\s/, /^username\s/, /^banner\s/, /^watchfrr\s/, /^mac\s/, /^ip\s+import-table\s/, /^end$/,
  /^ip\s+community-list\s/, /^ip\s+extcommunity-list\s/, /^ip\s+large-community-list\s/, /^ip\s+as-path\s/,
];

const passwordRe = /(\bpassword\s+)(\S+)/g;

export function redactPasswords(line: string): string {
  return line.replace(passwordRe, (_m, kw: string, value: string) => (value === '<redacted>' ? `${kw}${value}` : `${kw}<redacted>`));
}

/** ASN as FRR accepts it: plain or asdot `hi.lo`. */
export function parseAsn(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 4294967295 ? n : undefined;
  }
  const dot = /^(\d+)\.(\d+)$/.exec(text);
  if (dot) {
    const hi = Number(dot[1]);
    const lo = Number(dot[2]);
    if (hi <= 65535 && lo <= 65535) return hi * 65536 + lo;
  }
  return undefined;
}

function newNeighbor(address: string): FrrNeighborConfig {
  return { address, hasPassword: false, activatedAfis: [], routeMapsOut: [], routeMapsIn: [] };
}

/** Per-router bookkeeping while parsing, resolved into the model at the end. */
interface RouterDraft {
  router: FrrRouterBgp;
  neighbors: Map<string, FrrNeighborConfig>;
  groups: Map<string, FrrNeighborConfig>;
  /** Neighbors/groups explicitly deactivated per AFI (`no neighbor X activate`). */
  deactivated: Set<string>;
}

export function parse(text: string, path: string): Parsed<FrrConfig> {
  const notes = new NoteSink(path);
  const t = cleanText(text);
  const config: FrrConfig = { path, raw: '', routers: [], prefixLists: {}, bfdProfiles: {}, unparsed: [], routeMaps: {} };
  if (t.trim() === '') {
    notes.add('empty FRR configuration');
    return notes.result(config);
  }
  if (looksBinary(t)) {
    notes.add('not an FRR configuration: binary data');
    return notes.result(config);
  }
  const lines = t.split(/\r?\n/);
  config.raw = lines.map(redactPasswords).join('\n');

  const drafts: RouterDraft[] = [];
  const draftOf = new Map<FrrRouterBgp, RouterDraft>();
  let ctx: Context = { kind: 'top' };
  const unparsed = (lineNo: number, line: string): void => {
    config.unparsed.push(`line ${lineNo}: ${redactPasswords(line)}`);
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const rawLine = lines[i].replace(/\s+$/, '');
    const line = rawLine.trim();
    if (line === '' || line === '!' || line.startsWith('!') || line.startsWith('#')) continue;
    if (line === 'Building configuration...' || line === 'Current configuration:') continue;
    const indented = /^\s/.test(rawLine);
    const words = line.split(/\s+/);
    const first = words[0];

    // Block ends.
    if (line === 'exit-address-family') {
      if (ctx.kind === 'af') ctx = { kind: 'router', router: ctx.router };
      continue;
    }
    if (line === 'exit' || line === 'exit-vrf' || line === 'quit') {
      ctx = exitContext(ctx);
      continue;
    }
    if (line === 'end') {
      ctx = { kind: 'top' };
      continue;
    }
    if (!indented && ctx.kind !== 'top' && topLevelWords.has(first) && !continuesBlock(ctx, words)) ctx = { kind: 'top' };

    switch (ctx.kind) {
      case 'top':
        ctx = topLevel(words, line, lineNo);
        break;
      case 'router':
      case 'af':
        routerLine(ctx, words, line, lineNo);
        break;
      case 'route-map':
        routeMapLine(ctx.entry, words, line);
        break;
      case 'bfd':
        if (first === 'profile' && words[1]) {
          ownEntry(config.bfdProfiles, words[1], () => ({}));
          ctx = { kind: 'bfd-profile', name: words[1] };
        } else if (first === 'peer') ctx = { kind: 'bfd-peer' };
        else unparsed(lineNo, line);
        break;
      case 'bfd-profile': {
        if (first === 'profile' && words[1]) {
          // MetalLB's template starts the next profile without an `exit`.
          ownEntry(config.bfdProfiles, words[1], () => ({}));
          ctx = { kind: 'bfd-profile', name: words[1] };
          break;
        }
        if (first === 'peer') {
          ctx = { kind: 'bfd-peer' };
          break;
        }
        const profile = ownEntry(config.bfdProfiles, ctx.name, () => ({}));
        const last = words[words.length - 1];
        if (words.length > 1 && /^\d+$/.test(last)) setOwn(profile, words.slice(0, -1).join('-'), last);
        else if (first === 'no' && words.length > 1) setOwn(profile, words.slice(1).join('-'), 'false');
        else setOwn(profile, words.join('-'), 'true');
        break;
      }
      case 'bfd-peer':
      case 'block':
        break;
    }
  }

  function topLevel(w: string[], line: string, lineNo: number): Context {
    const first = w[0];
    if (first === 'router' && w[1] === 'bgp') {
      const asn = parseAsn(w[2]);
      if (asn === undefined) {
        notes.add(`line ${lineNo}: router bgp without a valid AS number`);
        unparsed(lineNo, line);
        return { kind: 'block' };
      }
      const router: FrrRouterBgp = { asn, neighbors: [], networks: [], statements: [] };
      const vrfAt = w.indexOf('vrf');
      if (vrfAt > 0 && w[vrfAt + 1]) router.vrf = w[vrfAt + 1];
      const draft: RouterDraft = { router, neighbors: new Map(), groups: new Map(), deactivated: new Set() };
      drafts.push(draft);
      draftOf.set(router, draft);
      return { kind: 'router', router };
    }
    if (first === 'router') return { kind: 'block' }; // router ospf/isis/...: not modelled
    if ((first === 'ip' || first === 'ipv6') && w[1] === 'prefix-list') {
      prefixListLine(first === 'ip' ? 'ipv4' : 'ipv6', w.slice(2), line, lineNo);
      return { kind: 'top' };
    }
    if (first === 'route-map' && w[1] && (w[2] === 'permit' || w[2] === 'deny')) {
      const entry: FrrRouteMapEntry = { action: w[2], seq: Number(w[3] ?? 0) || 0, match: [], set: [], other: [] };
      ownEntry(config.routeMaps!, w[1], () => []).push(entry);
      return { kind: 'route-map', entry };
    }
    if (first === 'bfd' && w.length === 1) return { kind: 'bfd' };
    if (first === 'hostname' && w[1]) config.hostname = w[1];
    if (first === 'frr' && w[1] === 'version' && w[2]) config.version = w[2];
    if (first === 'interface' || first === 'vrf' || first === 'line' || (first === 'key' && w[1] === 'chain') || first === 'segment-routing' || first === 'nexthop-group' || first === 'pbr-map' || first === 'rpki' || first === 'evpn') {
      return { kind: 'block' };
    }
    if (ignoredTopLevel.some((re) => re.test(line))) return { kind: 'top' };
    unparsed(lineNo, line);
    return { kind: 'top' };
  }

  function prefixListLine(afi: Afi, w: string[], line: string, lineNo: number): void {
    const name = w[0];
    if (!name) {
      unparsed(lineNo, line);
      return;
    }
    let k = 1;
    if (w[k] === 'description') return;
    if (w[k] === 'seq' && w.length > 2) {
      k += 2;
    }
    const seq = w[1] === 'seq' ? Number(w[2]) : undefined;
    const action = w[k];
    const prefix = w[k + 1];
    if ((action !== 'permit' && action !== 'deny') || !prefix) {
      unparsed(lineNo, line);
      return;
    }
    const entry: FrrConfig['prefixLists'][string][number] = { action, prefix, afi };
    if (seq !== undefined && Number.isFinite(seq)) entry.seq = seq;
    for (let j = k + 2; j + 1 < w.length; j += 2) {
      if (w[j] === 'le') entry.le = Number(w[j + 1]);
      else if (w[j] === 'ge') entry.ge = Number(w[j + 1]);
    }
    ownEntry(config.prefixLists, name, () => []).push(entry);
  }

  function routeMapLine(entry: FrrRouteMapEntry, w: string[], line: string): void {
    if (w[0] === 'match') entry.match.push(w.slice(1).join(' '));
    else if (w[0] === 'set') entry.set.push(w.slice(1).join(' '));
    else entry.other.push(line);
  }

  function routerLine(c: Extract<Context, { kind: 'router' | 'af' }>, w: string[], line: string, lineNo: number): void {
    const draft = draftOf.get(c.router)!;
    const router = c.router;
    const first = w[0];
    if (first === 'address-family') {
      const afi = w[1] === 'ipv4' || w[1] === 'ipv6' ? w[1] : undefined;
      // Only unicast is modelled; other SAFIs (vpn, flowspec, evpn) are tracked as an unknown family.
      const unicast = w[2] === undefined || w[2] === 'unicast';
      ctx = { kind: 'af', router, afi: afi && unicast ? afi : undefined };
      return;
    }
    if (first === 'bgp' && w[1] === 'router-id' && w[2]) {
      router.routerId = w[2];
      return;
    }
    if (first === 'bgp' || (first === 'no' && w[1] === 'bgp')) {
      router.statements!.push(line);
      return;
    }
    if (first === 'network' && w[1]) {
      const afi: Afi = c.kind === 'af' && c.afi ? c.afi : w[1].includes(':') ? 'ipv6' : 'ipv4';
      if (c.kind === 'af' && c.afi === undefined) return;
      router.networks.push({ afi, prefix: w[1] });
      return;
    }
    const negated = first === 'no' && w[1] === 'neighbor';
    const nw = negated ? w.slice(1) : w;
    if (nw[0] === 'neighbor' && nw[1]) {
      neighborLine(draft, c, nw[1], nw.slice(2), negated, line, lineNo);
      return;
    }
    if (c.kind === 'af' && c.afi === undefined) return; // statements of unmodelled families
    // Other valid router/address-family commands are kept verbatim; anything else is not FRR.
    if (routerWords.has(first) || (first === 'no' && routerWords.has(w[1] ?? ''))) router.statements!.push(line);
    else unparsed(lineNo, line);
  }

  function neighborLine(
    draft: RouterDraft,
    c: Extract<Context, { kind: 'router' | 'af' }>,
    name: string,
    rest: string[],
    negated: boolean,
    line: string,
    lineNo: number,
  ): void {
    const opt = rest[0];
    // `neighbor 10.0.0.1 GROUP` (the peer-group keyword left out) is not FRR syntax: FRR rejects the
    // line, so the neighbour does not exist. A common hand-written mistake (FRRouting/frr#12735).
    if (!negated && c.kind === 'router' && rest.length === 1 && draft.groups.has(opt)) {
      config.unparsed.push(`line ${lineNo}: ${redactPasswords(line)} (missing the peer-group keyword: neighbor ${name} peer-group ${opt})`);
      return;
    }
    // `neighbor X peer-group` (no group name) defines a group.
    if (opt === 'peer-group' && rest.length === 1 && !negated) {
      if (!draft.groups.has(name)) draft.groups.set(name, newNeighbor(name));
      draft.neighbors.delete(name);
      return;
    }
    const target = draft.groups.get(name) ?? getOrCreate(draft.neighbors, name);
    if (c.kind === 'af') {
      if (c.afi === undefined) return;
      const afi = c.afi;
      if (opt === 'activate') {
        if (negated) {
          target.activatedAfis = target.activatedAfis.filter((a) => a !== afi);
          draft.deactivated.add(`${name}|${afi}`);
        } else if (!target.activatedAfis.includes(afi)) target.activatedAfis.push(afi);
        return;
      }
      if (opt === 'route-map' && rest[1] && (rest[2] === 'in' || rest[2] === 'out')) {
        const list = rest[2] === 'in' ? target.routeMapsIn : target.routeMapsOut;
        if (!negated && !list.includes(rest[1])) list.push(rest[1]);
        return;
      }
      (target.extra ??= []).push(`${afi}: ${redactPasswords(rest.join(' '))}`);
      return;
    }
    if (negated) {
      (target.extra ??= []).push(`no ${redactPasswords(rest.join(' '))}`);
      return;
    }
    switch (opt) {
      case 'interface': {
        target.interface = true;
        const rem = rest.slice(1).filter((x) => x !== 'v6only');
        if (rem[0] === 'remote-as') setRemoteAs(target, rem[1], lineNo);
        else if (rem[0] === 'peer-group' && rem[1]) target.peerGroup = rem[1];
        return;
      }
      case 'remote-as':
        setRemoteAs(target, rest[1], lineNo);
        return;
      case 'peer-group':
        if (rest[1]) target.peerGroup = rest[1];
        return;
      case 'password':
        target.hasPassword = true;
        return;
      case 'bfd':
        if (rest[1] === 'profile' && rest[2]) {
          target.bfd = true;
          target.bfdProfile = rest[2];
        } else if (rest.length === 1) target.bfd = true;
        else (target.extra ??= []).push(rest.join(' ')); // bfd check-control-plane-failure, ...
        return;
      case 'ebgp-multihop':
        // Without a count FRR uses the maximum TTL.
        target.ebgpMultihop = rest[1] && /^\d+$/.test(rest[1]) ? Number(rest[1]) : 255;
        return;
      case 'timers':
        if (rest[1] === 'connect' && rest[2] && /^\d+$/.test(rest[2])) target.connectTimer = Number(rest[2]);
        else if (rest[1] && rest[2] && /^\d+$/.test(rest[1]) && /^\d+$/.test(rest[2])) target.timers = { keepalive: Number(rest[1]), hold: Number(rest[2]) };
        else (target.extra ??= []).push(rest.join(' '));
        return;
      case 'port':
        if (rest[1] && /^\d+$/.test(rest[1])) target.port = Number(rest[1]);
        return;
      case 'shutdown':
        target.shutdown = true;
        return;
      case 'update-source':
        if (rest[1]) target.updateSource = rest[1];
        return;
      case 'local-as':
        target.localAs = parseAsn(rest[1]);
        (target.extra ??= []).push(rest.join(' '));
        return;
      case 'description':
        target.description = rest.slice(1).join(' ');
        return;
      case undefined:
        unparsed(lineNo, line);
        return;
      default:
        (target.extra ??= []).push(redactPasswords(rest.join(' ')));
    }
  }

  function setRemoteAs(target: FrrNeighborConfig, value: string | undefined, lineNo: number): void {
    if (value === 'internal' || value === 'external') target.remoteAs = value;
    else {
      const asn = parseAsn(value);
      if (asn === undefined) notes.add(`line ${lineNo}: neighbor ${target.address} remote-as is not an AS number`);
      else target.remoteAs = asn;
    }
  }

  for (const draft of drafts) resolveRouter(draft);
  for (const r of config.routers) {
    for (const n of [...r.neighbors, ...(r.peerGroups ?? [])]) if (n.timers && n.connectTimer !== undefined) n.timers.connect = n.connectTimer;
  }
  if (Object.keys(config.routeMaps!).length === 0) delete config.routeMaps;
  // FRR rejects such statements: say so, or the report would silently show a config without them.
  if (config.unparsed.length > 0) {
    const shown = config.unparsed.slice(0, 3).join('; ');
    notes.add(`${config.unparsed.length} statement(s) are not FRR syntax and were not read: ${shown}${config.unparsed.length > 3 ? '; …' : ''}`);
  }
  return notes.result(config);

  function resolveRouter(draft: RouterDraft): void {
    const router = draft.router;
    const statements = router.statements ?? [];
    router.defaultIpv4Unicast = !statements.includes('no bgp default ipv4-unicast');
    router.ebgpRequiresPolicy = !statements.includes('no bgp ebgp-requires-policy');
    for (const n of draft.neighbors.values()) {
      const group = n.peerGroup ? draft.groups.get(n.peerGroup) : undefined;
      if (group) inherit(n, group);
      // With `bgp default ipv4-unicast` (FRR's default) every neighbor is active in IPv4 unicast
      // unless `no neighbor X activate` says otherwise.
      if (
        router.defaultIpv4Unicast &&
        !n.activatedAfis.includes('ipv4') &&
        !draft.deactivated.has(`${n.address}|ipv4`) &&
        !(n.peerGroup && draft.deactivated.has(`${n.peerGroup}|ipv4`))
      ) {
        n.activatedAfis.unshift('ipv4');
      }
      router.neighbors.push(n);
    }
    if (draft.groups.size > 0) router.peerGroups = [...draft.groups.values()];
    config.routers.push(router);
  }
}

function exitContext(ctx: Context): Context {
  switch (ctx.kind) {
    case 'af':
      return { kind: 'router', router: ctx.router };
    case 'bfd-profile':
    case 'bfd-peer':
      return { kind: 'bfd' };
    default:
      return { kind: 'top' };
  }
}

/** Column-0 words that still belong to the current block (FRR accepts unindented bodies). */
function continuesBlock(ctx: Context, w: string[]): boolean {
  if (ctx.kind === 'router' || ctx.kind === 'af') {
    if (w[0] === 'bgp' && w[1] !== 'community-list' && w[1] !== 'as-path' && w[1] !== 'extcommunity-list' && w[1] !== 'large-community-list') return true;
    if (w[0] === 'no' && (w[1] === 'bgp' || w[1] === 'neighbor')) return true;
  }
  return false;
}

function getOrCreate(map: Map<string, FrrNeighborConfig>, name: string): FrrNeighborConfig {
  let n = map.get(name);
  if (!n) {
    n = newNeighbor(name);
    map.set(name, n);
  }
  return n;
}

function inherit(member: FrrNeighborConfig, group: FrrNeighborConfig): void {
  member.remoteAs ??= group.remoteAs;
  if (!member.hasPassword && group.hasPassword) member.hasPassword = true;
  member.bfd ??= group.bfd;
  member.bfdProfile ??= group.bfdProfile;
  member.ebgpMultihop ??= group.ebgpMultihop;
  member.timers ??= group.timers ? { ...group.timers } : undefined;
  member.connectTimer ??= group.connectTimer;
  member.port ??= group.port;
  member.shutdown ??= group.shutdown;
  member.updateSource ??= group.updateSource;
  member.localAs ??= group.localAs;
  for (const afi of group.activatedAfis) if (!member.activatedAfis.includes(afi)) member.activatedAfis.push(afi);
  if (member.routeMapsIn.length === 0) member.routeMapsIn = [...group.routeMapsIn];
  if (member.routeMapsOut.length === 0) member.routeMapsOut = [...group.routeMapsOut];
}
