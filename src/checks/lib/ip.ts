/**
 * Address arithmetic for pools, node addresses and routes. IPs are handled as bigint so IPv4 and
 * IPv6 share one code path; a range is inclusive [first, last] within one family.
 */
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface IpRange {
  family: Family;
  first: bigint;
  last: bigint;
  /** The text it came from, e.g. `192.0.2.0/28` or `192.0.2.10-192.0.2.20`. */
  source: string;
}

export function parseIp(text: string): { family: Family; value: bigint } | undefined {
  const ip = text.trim().replace(/^\[|\]$/g, '').split('%')[0];
  const kind = isIP(ip);
  if (kind === 4) {
    const value = ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (kind === 6) {
    let text6 = ip;
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
    const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text6);
    if (v4tail) {
      const v4 = parseIp(v4tail[1])!.value;
      text6 = text6.slice(0, -v4tail[1].length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text6.includes('::') ? text6.split('::') : [text6, undefined];
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail ? tail.split(':') : [];
    const missing = 8 - headGroups.length - tailGroups.length;
    const groups = tail === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...tailGroups];
    const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
    return { family: 6, value };
  }
  return undefined;
}

// One text form for addresses everywhere (RFC 5952 for IPv6).
export { formatIp } from '../../util/ip-text.js';

const bits = (f: Family): bigint => (f === 4 ? 32n : 128n);

/** Parses `a.b.c.d/n`, `a.b.c.d - e.f.g.h` or a single IP (as a /32 or /128). */
export function parseRange(text: string): IpRange | undefined {
  const source = text.trim();
  if (source.includes('-')) {
    const [a, b] = source.split('-').map((s) => s.trim());
    const pa = parseIp(a);
    const pb = parseIp(b);
    if (!pa || !pb || pa.family !== pb.family || pa.value > pb.value) return undefined;
    return { family: pa.family, first: pa.value, last: pb.value, source };
  }
  const [addr, prefixText] = source.split('/');
  const p = parseIp(addr);
  if (!p) return undefined;
  const prefix = prefixText === undefined ? bits(p.family) : BigInt(Number(prefixText));
  if (prefix < 0n || prefix > bits(p.family)) return undefined;
  const hostBits = bits(p.family) - prefix;
  const first = (p.value >> hostBits) << hostBits;
  return { family: p.family, first, last: first + (1n << hostBits) - 1n, source };
}

export function rangeContains(range: IpRange, ip: string): boolean {
  const p = parseIp(ip);
  return !!p && p.family === range.family && p.value >= range.first && p.value <= range.last;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function rangeSize(range: IpRange, avoidBuggyIPs = false): bigint {
  const size = range.last - range.first + 1n;
  if (!avoidBuggyIPs || range.family !== 4) return size;
  // avoidBuggyIPs skips addresses ending in .0 and .255; count them exactly for small ranges.
  if (size <= 65536n) {
    let n = 0n;
    for (let v = range.first; v <= range.last; v++) {
      const low = v & 0xffn;
      if (low !== 0n && low !== 255n) n++;
    }
    return n;
  }
  return size - (size / 256n) * 2n;
}

/** Whether `ip` lies in the subnet of an interface address `local/prefixlen`. */
export function inSubnet(ip: string, local: string, prefixlen: number): boolean {
  const r = parseRange(`${local}/${prefixlen}`);
  return !!r && rangeContains(r, ip);
}

export function ipFamily(ip: string): Family | undefined {
  return parseIp(ip)?.family;
}
