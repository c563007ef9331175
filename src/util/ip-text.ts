/**
 * The text form of an IP address, written once for the code base: the checks, the lab's FRR
 * configuration, the pcap reader and the simulator's interface listings all print addresses that
 * are compared with what tools and parsers print, so they must agree on one form.
 *
 * IPv6 follows RFC 5952 (the form inet_ntop, iproute2, FRR and Go print):
 *   - lower-case hex, leading zeros of a group dropped (§4.1, §4.3);
 *   - the longest run of two or more zero groups becomes `::`, the first one on a tie (§4.2.2,
 *     §4.2.3); a single zero group stays `0` (§4.2.2);
 *   - an IPv4-mapped address (::ffff:0:0/96) keeps its IPv4 tail dotted: `::ffff:192.0.2.1` (§5).
 */

/** RFC 5952 text of an IPv6 address given as its eight 16-bit groups. */
export function formatIpv6(groups: ArrayLike<number>): string {
  if (groups.length !== 8) throw new RangeError(`an IPv6 address has 8 groups, not ${groups.length}`);
  const g = Array.from(groups, (x) => x & 0xffff);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    // Strictly longer: on a tie the first run wins.
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Text of an address held as a number (IPv4: 32 bits, dotted; IPv6: 128 bits, RFC 5952). */
export function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  return formatIpv6(Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn)));
}
