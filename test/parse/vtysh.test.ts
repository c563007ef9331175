import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseNeighbors } from '../../src/parse/vtysh-bgp-neighbors.js';
import { parse as parseSummary } from '../../src/parse/vtysh-bgp-summary.js';
import { parse as parseRoutes } from '../../src/parse/vtysh-bgp-routes.js';
import { parse as parseBfd } from '../../src/parse/vtysh-bfd-peers.js';
import { parse as parseDaemons } from '../../src/parse/vtysh-daemons.js';
import { parse as parseReload } from '../../src/parse/frr-reload-status.js';
import { fixture, hostileInputs } from './helpers.js';

/** `show bgp vrf all ...` wraps the plain answer per VRF; build that form from the real plain output. */
function vrfAll(plain: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ default: { vrfId: 0, vrfName: 'default', ...JSON.parse(plain) }, ...extra });
}

test('neighbors: n2 is Idle with OPEN Message Error/Bad Peer AS while BFD is Up', () => {
  const r = parseNeighbors(fixture('frr-8.4/vtysh/frr-lc-n2-bgp-neighbors.json'), 'nodes/n2/frr/bgp-neighbors.json');
  assert.deepEqual(r.notes, []);
  assert.equal(r.value.length, 1);
  const n = r.value[0];
  assert.equal(n.vrf, 'default');
  assert.equal(n.address, '10.99.0.1');
  assert.equal(n.state, 'Idle');
  assert.equal(n.remoteAs, 64514);
  assert.equal(n.localAs, 64512);
  assert.equal(n.lastNotificationReason, 'OPEN Message Error/Bad Peer AS');
  assert.equal(n.lastErrorCodeSubcode, '0202');
  assert.equal(n.lastResetDueTo, 'BGP Notification send');
  assert.equal(n.bfdStatus, 'Up');
  assert.equal(n.connectionsEstablished, 0);
  assert.deepEqual(n.messages, {
    notificationsSent: 4,
    notificationsReceived: 0,
    updatesSent: 0,
    updatesReceived: 0,
    opensSent: 4,
    opensReceived: 4,
    keepalivesSent: 0,
    keepalivesReceived: 0,
  });
  assert.equal(n.path, 'nodes/n2/frr/bgp-neighbors.json');
});

test('neighbors: n1 is Established and advertised one prefix; the router sees both speakers', () => {
  const n1 = parseNeighbors(fixture('frr-8.4/vtysh/frr-lc-n1-bgp-neighbors.json'), 'n1').value[0];
  assert.equal(n1.state, 'Established');
  assert.deepEqual(n1.sentPrefixes, { ipv4Unicast: 1 });
  assert.equal(n1.bfdStatus, 'Up');
  assert.equal(n1.connectionsEstablished, 1);
  assert.ok((n1.uptimeMs ?? 0) > 0);
  const r = parseNeighbors(fixture('frr-8.4/vtysh/frr-lc-r-bgp-neighbors.json'), 'r').value;
  assert.deepEqual(r.map((n) => `${n.address}:${n.state}`), ['10.99.0.11:Established', '10.99.0.12:Idle']);
  assert.equal(r[1].lastNotificationReason, 'Cease/Connection Collision Resolution');
  assert.equal(r[1].lastErrorCodeSubcode, '0607');
  assert.equal(r[0].lastResetDueTo, 'No AFI/SAFI activated for peer');
});

test('neighbors: the `vrf all` form nests peers under VRF names', () => {
  const n2 = fixture('frr-8.4/vtysh/frr-lc-n2-bgp-neighbors.json');
  const red = { red: { vrfId: 5, vrfName: 'red', '10.2.2.254': { ...JSON.parse(n2)['10.99.0.1'], bgpState: 'Active' } } };
  const r = parseNeighbors(vrfAll(n2, red), 'x');
  assert.deepEqual(r.notes, []);
  assert.deepEqual(r.value.map((n) => `${n.vrf}/${n.address}/${n.state}`), ['default/10.99.0.1/Idle', 'red/10.2.2.254/Active']);
  assert.deepEqual(parseNeighbors('{"default":{"vrfId":0,"vrfName":"default"}}', 'x'), { value: [], notes: [] });
});

test('summary: both plain and `vrf all` forms give per-peer rows', () => {
  const plain = parseSummary(fixture('frr-8.4/vtysh/frr-lc-n2-bgp-summary.json'), 'n2');
  assert.deepEqual(plain.value, [
    {
      vrf: 'default',
      afi: 'ipv4Unicast',
      address: '10.99.0.1',
      routerId: '10.99.0.12',
      localAs: 64512,
      remoteAs: 64514,
      state: 'Idle',
      uptime: 'never',
      uptimeMs: 0,
      prefixesReceived: 0,
      prefixesSent: 0,
      messagesReceived: 4,
      messagesSent: 8,
      connectionsEstablished: 0,
      connectionsDropped: 0,
      path: 'n2',
    },
  ]);
  const router = parseSummary(vrfAll(fixture('frr-8.4/vtysh/frr-lc-r-bgp-summary.json')), 'r').value;
  assert.deepEqual(router.map((p) => `${p.vrf}/${p.address}/${p.state}/${p.prefixesReceived}`), ['default/10.99.0.11/Established/1', 'default/10.99.0.12/Idle/0']);
  assert.equal(router[0].hostname, 'lc-n1');
});

test('routes: locally originated on n1, learned from n1 on the router; vrf all form', () => {
  const n1 = parseRoutes(fixture('frr-8.4/vtysh/frr-lc-n1-bgp-ipv4-unicast.json'), 'nodes/n1/frr/bgp-ipv4.json');
  assert.deepEqual(n1.notes, []);
  assert.deepEqual(n1.value, [
    { vrf: 'default', afi: 'ipv4', prefix: '10.99.0.200/32', nexthops: ['0.0.0.0'], local: true, best: true, valid: true, asPath: '', origin: 'IGP', weight: 32768, path: 'nodes/n1/frr/bgp-ipv4.json' },
  ]);
  const r = parseRoutes(fixture('frr-8.4/vtysh/frr-lc-r-bgp-ipv4-unicast.json'), 'r').value[0];
  assert.equal(r.local, false);
  assert.equal(r.peer, '10.99.0.11');
  assert.deepEqual(r.nexthops, ['10.99.0.11']);
  assert.equal(r.asPath, '64512');
  const both = parseRoutes(vrfAll(fixture('frr-8.4/vtysh/frr-lc-r-bgp-ipv4-unicast.json'), { red: { vrfId: 3, vrfName: 'red', routes: {} } }), 'x');
  assert.equal(both.value.length, 1);
  const v6 = parseRoutes('{"vrfName":"default","routes":{"2001:db8::/64":[{"valid":true,"bestpath":{"overall":true},"peerId":"(unspec)","weight":32768,"nexthops":[{"ip":"::","afi":"ipv6"}]}]}}', 'nodes/n1/frr/bgp-ipv6.json');
  assert.equal(v6.value[0].afi, 'ipv6');
  assert.equal(v6.value[0].best, true);
  assert.equal(v6.value[0].local, true);
  const learned = parseRoutes('{"routes":{"2001:db8:1::/64":[{"valid":true,"bestpath":true,"peerId":"2001:db8::1","nexthops":[{"ip":"2001:db8::1","scope":"global","afi":"ipv6"},{"ip":"fe80::1","scope":"link-local","afi":"ipv6"}]}]}}', 'x');
  assert.deepEqual(learned.value[0].nexthops, ['2001:db8::1']);
});

test('BFD peers: n2 up without local/interface; router has two peers', () => {
  const n2 = parseBfd(fixture('frr-8.4/vtysh/frr-lc-n2-bfd-peers.json'), 'n2').value;
  assert.equal(n2.length, 1);
  assert.equal(n2[0].peer, '10.99.0.1');
  assert.equal(n2[0].status, 'up');
  assert.equal(n2[0].local, undefined);
  assert.equal(n2[0].iface, undefined);
  const n1 = parseBfd(fixture('frr-8.4/vtysh/frr-lc-n1-bfd-peers.json'), 'n1').value[0];
  assert.equal(n1.local, '10.99.0.11');
  assert.equal(n1.iface, 'eth0');
  assert.equal(n1.diagnostic, 'ok');
  assert.equal(n1.receiveIntervalMs, 300);
  assert.equal(n1.remoteDetectMultiplier, 3);
  assert.equal(parseBfd(fixture('frr-8.4/vtysh/frr-lc-r-bfd-peers.json'), 'r').value.length, 2);
  assert.deepEqual(parseBfd('[]', 'x'), { value: [], notes: [] });
});

test('show daemons and reload status', () => {
  assert.deepEqual(parseDaemons(' zebra bgpd bfdd staticd watchfrr\n', 'x'), { value: ['zebra', 'bgpd', 'bfdd', 'staticd', 'watchfrr'], notes: [] });
  const err = parseDaemons('% Unknown command: show daemons', 'x');
  assert.deepEqual(err.value, []);
  assert.match(err.notes[0].message, /vtysh error/);
  const ok = parseReload('1795783626 success\n', 'nodes/n1/frr/reload-status.txt');
  assert.deepEqual(ok.value, { status: 'success', raw: '1795783626 success', path: 'nodes/n1/frr/reload-status.txt', epoch: 1795783626, at: '2026-11-27T12:47:06.000Z' });
  assert.equal(parseReload('1795783626 failure', 'x').value.status, 'failure');
  const junk = parseReload('cat: /etc/frr_reloader/.status: No such file or directory', 'x');
  assert.equal(junk.value.status, 'unknown');
  assert.equal(junk.notes.length, 1);
});

test('vtysh errors instead of JSON are notes, not exceptions', () => {
  const r = parseNeighbors('% No BGP process is configured\n', 'x');
  assert.deepEqual(r.value, []);
  assert.match(r.notes[0].message, /No BGP process/);
});

test('truncated neighbors JSON keeps the peers that were complete', () => {
  const full = fixture('frr-8.4/vtysh/frr-lc-r-bgp-neighbors.json');
  const cut = full.slice(0, full.indexOf('"10.99.0.12"') + 200);
  const r = parseNeighbors(cut, 'x');
  assert.deepEqual(r.value.map((n) => n.address), ['10.99.0.11']);
  assert.match(r.notes[0].message, /truncated/);
});

test('vtysh parsers never throw on hostile input', () => {
  for (const [name, input] of Object.entries(hostileInputs)) {
    for (const parse of [parseNeighbors, parseSummary, parseRoutes, parseBfd, parseDaemons]) {
      const r = parse(input, name);
      assert.ok(Array.isArray(r.value), `${name}`);
      assert.equal(r.value.length, 0, `${parse.name} ${name}`);
    }
    assert.equal(parseReload(input, name).value.status, 'unknown');
  }
  // Wrong shapes: neighbors as an array, routes with a non-object table.
  assert.ok(parseNeighbors('[1,2]', 'x').notes.length > 0);
  assert.deepEqual(parseRoutes('{"routes": 5}', 'x').value, []);
});

test('real `vrf all` output (lab recordings): hold timer expiry, BFD down', () => {
  const hold = parseNeighbors(fixture('vrf-all/bgp-hold-timer-expired-bgp-neighbors.json'), 'x');
  assert.deepEqual(hold.notes, []);
  assert.deepEqual(hold.value.map((n) => [n.vrf, n.address, n.state, n.lastNotificationReason, n.hostname]), [['default', '192.0.2.1', 'OpenSent', 'Hold Timer Expired', 'tor']]);
  const summary = parseSummary(fixture('vrf-all/bgp-hold-timer-expired-bgp-summary.json'), 'x');
  assert.deepEqual(summary.notes, []);
  assert.deepEqual(summary.value.map((p) => [p.vrf, p.afi, p.address, p.state, p.remoteAs]), [['default', 'ipv4Unicast', '192.0.2.1', 'OpenSent', 64513]]);
  const v4 = parseRoutes(fixture('vrf-all/bgp-hold-timer-expired-bgp-ipv4.json'), 'nodes/worker-1/frr/bgp-ipv4.json');
  assert.deepEqual(v4.value.map((r) => [r.vrf, r.afi, r.prefix, r.local]), [['default', 'ipv4', '198.51.100.200/32', true]]);
  assert.deepEqual(parseRoutes(fixture('vrf-all/bgp-hold-timer-expired-bgp-ipv6.json'), 'nodes/worker-1/frr/bgp-ipv6.json'), { value: [], notes: [] });
  assert.deepEqual(parseBfd(fixture('vrf-all/bgp-hold-timer-expired-bfd-peers.json'), 'x'), { value: [], notes: [] });

  const bfdDown = parseNeighbors(fixture('vrf-all/bfd-down-bgp-neighbors.json'), 'x').value[0];
  assert.equal(bfdDown.lastNotificationReason, 'Cease/BFD Down');
  const peer = parseBfd(fixture('vrf-all/bfd-down-bfd-peers.json'), 'x').value[0];
  assert.deepEqual([peer.peer, peer.status, peer.diagnostic, peer.downtimeS], ['192.0.2.1', 'down', 'control detection time expired', 18]);
});
