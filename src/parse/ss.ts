/**
 * `ss` socket listings without header (`-H`). Handles the layouts ss picks by itself:
 * `Netid State Recv-Q Send-Q Local Peer [Process]` (`-tuanpH`), without Netid when only one
 * socket type is shown (`-tlnpH -O`), and without State when a state filter is given
 * (`ss -tnpH state established`). Lines may carry trailing spaces.
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { Socket } from '../model/cluster.js';

const lineRe = /^(?:(tcp|udp|raw|sctp|mptcp|u_str|u_dgr|u_seq|nl|p_raw|p_dgr|v_str|v_dgr|tipc|xdp)\s+)?(?:([A-Z][A-Z0-9-]*)\s+)?(\d+)\s+(\d+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/;
const udpStates = new Set(['UNCONN']);

export interface SocketAddress {
  address: string;
  port?: number;
  iface?: string;
}

/** `0.0.0.0:179`, `[::]:179`, `*:*`, `10.0.0.1%eth0:53`, `[fe80::1]%eth0:123`, `[::ffff:10.0.0.1]:179`. */
export function parseSocketAddress(text: string): SocketAddress | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  let iface: string | undefined;
  const pct = host.lastIndexOf('%');
  if (pct > 0 && !host.endsWith(']')) {
    iface = host.slice(pct + 1);
    host = host.slice(0, pct);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = portText === '*' ? undefined : /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (Number.isNaN(port)) return undefined;
  const out: SocketAddress = { address: host };
  if (port !== undefined) out.port = port;
  if (iface) out.iface = iface;
  return out;
}

/** `users:(("bgpd",pid=28715,fd=20),("x",pid=1,fd=3))`; names may contain escaped quotes. */
export function parseUsers(text: string): { name: string; pid?: number; fd?: number }[] {
  const out: { name: string; pid?: number; fd?: number }[] = [];
  const re = /\("((?:[^"\\]|\\.)*)"((?:,[a-z]+=\d+)*)\)/g;
  for (const m of text.matchAll(re)) {
    const entry: { name: string; pid?: number; fd?: number } = { name: m[1].replace(/\\(.)/g, '$1') };
    for (const kv of m[2].matchAll(/,([a-z]+)=(\d+)/g)) {
      if (kv[1] === 'pid') entry.pid = Number(kv[2]);
      else if (kv[1] === 'fd') entry.fd = Number(kv[2]);
    }
    out.push(entry);
  }
  return out;
}

export function parse(text: string, path: string): Parsed<Socket[]> {
  const notes = new NoteSink(path);
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not ss output: binary data');
    return notes.result([]);
  }
  const sockets: Socket[] = [];
  const lines = t.split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '') return;
    // A header line appears when -H was not honoured (old ss); skip it.
    if (/^(Netid|State|Recv-Q)\s/.test(line)) return;
    const m = lineRe.exec(line);
    if (!m) {
      notes.add(`line ${i + 1}: not a socket line: ${line.slice(0, 80)}`);
      return;
    }
    const [, netid, state, , , localText, peerText, rest] = m;
    let proto: 'tcp' | 'udp';
    if (netid === 'tcp' || netid === 'udp') proto = netid;
    else if (netid) return; // unix, raw, netlink...: not relevant here
    else proto = state && udpStates.has(state) ? 'udp' : 'tcp';
    const local = parseSocketAddress(localText);
    const peer = parseSocketAddress(peerText);
    if (!local) {
      notes.add(`line ${i + 1}: unreadable local address ${localText.slice(0, 60)}`);
      return;
    }
    const processes = rest ? parseUsers(rest) : [];
    const socket: Socket = { proto, localAddress: local.address, localPort: local.port ?? 0 };
    // Without a State column (a state filter was given) the state is unknown here.
    if (state) socket.state = state;
    if (local.iface) socket.localInterface = local.iface;
    // A listener's peer is the wildcard `0.0.0.0:*` / `[::]:*`: not a peer.
    if (peer && peer.address !== '*' && peer.port !== undefined) socket.peerAddress = peer.address;
    if (peer?.port !== undefined) socket.peerPort = peer.port;
    if (processes.length > 0) {
      socket.process = processes[0].name;
      if (processes[0].pid !== undefined) socket.pid = processes[0].pid;
      socket.processes = processes;
    }
    sockets.push(socket);
  });
  return notes.result(sockets);
}
