/** Names shared by the tcpdump text and pcap readers, so both describe packets the same way. */

/**
 * BGP NOTIFICATION error codes and subcodes (RFC 4271 §4.5, RFC 4486, RFC 8203) with the names
 * FRR uses in `lastNotificationReason` (bgpd/bgp_debug.c), so capture findings read like vtysh.
 */
export const bgpErrorNames: Record<number, string> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Neighbor Events Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired',
};

/** Codes whose subcode carries no meaning (FRR prints no subcode text for them). */
const codesWithoutSubcode = new Set([4, 8]);

export const bgpSubcodeNames: Record<number, Record<number, string>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    11: 'Role Mismatch',
  },
  3: {
    0: 'Unspecific',
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  5: {
    0: 'Unspecific',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    0: 'Unspecific',
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: { 0: 'Unspecific', 1: 'Invalid Message Length' },
};

export const bgpMessageTypes: Record<number, string> = { 1: 'OPEN', 2: 'UPDATE', 3: 'NOTIFICATION', 4: 'KEEPALIVE', 5: 'ROUTE-REFRESH' };

/**
 * `OPEN Message Error/Bad Peer AS`, the form of FRR's `lastNotificationReason`. FRR's names win;
 * `fallback` (e.g. tcpdump's wording) is used for codes FRR does not name.
 */
export function notificationReason(code: number, subcode: number | undefined, fallback?: { code?: string; subcode?: string }): string {
  const c = bgpErrorNames[code] ?? fallback?.code ?? `Unrecognized Error Code ${code}`;
  if (codesWithoutSubcode.has(code) || subcode === undefined) return c;
  const s = bgpSubcodeNames[code]?.[subcode] ?? fallback?.subcode ?? `Unrecognized Error Subcode ${subcode}`;
  return `${c}/${s}`;
}

export const bfdStates = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export const bfdDiagnostics: Record<number, string> = {
  0: 'No Diagnostic',
  1: 'Control Detection Time Expired',
  2: 'Echo Function Failed',
  3: 'Neighbor Signaled Session Down',
  4: 'Forwarding Plane Reset',
  5: 'Path Down',
  6: 'Concatenated Path Down',
  7: 'Administratively Down',
  8: 'Reverse Concatenated Path Down',
};

export const bfdPorts = new Set([3784, 3785, 4784]);
export const bgpPort = 179;
