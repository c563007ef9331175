/**
 * Shared reading of vtysh's human-readable output (what users paste when they leave off `json`):
 * FRR's uptime strings and the address-family titles of `show bgp ... summary`.
 */

/**
 * FRR's `peer_uptime()` text as milliseconds: `00:00:37` (under a day), `6d22h55m` (under a week),
 * `05w2d05h` (longer), `never` (0, as `peerUptimeMsec` says in the JSON form). Undefined for anything else.
 */
export function frrUptimeMs(text: string): number | undefined {
  const t = text.trim();
  if (t === 'never') return 0;
  let m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(t);
  if (m) return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
  m = /^(\d+)d(\d{1,2})h(\d{1,2})m$/.exec(t);
  if (m) return ((Number(m[1]) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60_000;
  m = /^(\d+)w(\d)d(\d{1,2})h$/.exec(t);
  if (m) return ((Number(m[1]) * 7 + Number(m[2])) * 24 + Number(m[3])) * 3_600_000;
  return undefined;
}

/** `IPv4 Unicast` → `ipv4Unicast`, the key the JSON forms use for an address family. */
export function afiKey(title: string): string {
  const words = title.trim().split(/\s+/);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join('');
}

/** Leading prompt or command echo a paste often starts with (`r1# show bgp summary`, `$ vtysh -c '...'`). */
export const promptLineRe = /^\s*(?:\S*[#>$]\s*(?:show|sh|vtysh)\b|vtysh\s+-c\b)/;
