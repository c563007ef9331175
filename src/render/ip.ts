/**
 * Just enough IP arithmetic to tell which IPAddressPool an address belongs to. Pools are written as
 * CIDRs (`198.51.100.0/24`) or ranges (`198.51.100.10-198.51.100.20`), IPv4 or IPv6.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IpValue {
  family: 4 | 6;
  value: bigint;
}

export function parseIp(text: string): IpValue | undefined {
  const ip = text.trim();
  if (isIPv4(ip)) {
    const value = ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(ip)) return { family: 6, value: ipv6ToBigInt(ip) };
  return undefined;
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hextets.
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const v4 = parseIp(v4Tail[1])!.value;
    text = text.slice(0, -v4Tail[1].length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail === undefined ? headParts : [...headParts, ...Array<string>(missing).fill('0'), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part || '0', 16)), 0n);
}

/** True when `ip` lies inside a pool entry (CIDR or `start-end` range). Unparseable entries never match. */
export function poolEntryContains(entry: string, ip: string): boolean {
  const address = parseIp(ip);
  if (!address) return false;
  if (entry.includes('-')) {
    const [startText, endText] = entry.split('-');
    const start = parseIp(startText);
    const end = parseIp(endText);
    if (!start || !end || start.family !== address.family || end.family !== address.family) return false;
    return address.value >= start.value && address.value <= end.value;
  }
  const [baseText, prefixText] = entry.split('/');
  const base = parseIp(baseText);
  if (!base || base.family !== address.family) return false;
  const bits = address.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return false;
  const hostBits = BigInt(bits - prefix);
  return address.value >> hostBits === base.value >> hostBits;
}
