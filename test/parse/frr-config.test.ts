import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseAsn, redactPasswords } from '../../src/parse/frr-config.js';
import { fixture, fixtureNames, hostileInputs } from './helpers.js';

test('running config of the healthy speaker: router, neighbor options, network, BFD profile', () => {
  const r = parse(fixture('frr-8.4/vtysh/frr-lc-n1-running-config.txt'), 'nodes/n1/frr/running-config.txt');
  assert.deepEqual(r.notes, []);
  const c = r.value;
  assert.equal(c.version, '8.4.4');
  assert.equal(c.hostname, 'lc-n1');
  assert.deepEqual(c.unparsed, []);
  assert.equal(c.routers.length, 1);
  const router = c.routers[0];
  assert.equal(router.asn, 64512);
  assert.equal(router.routerId, '10.99.0.11');
  assert.equal(router.vrf, undefined);
  assert.equal(router.ebgpRequiresPolicy, false);
  assert.equal(router.defaultIpv4Unicast, false);
  assert.deepEqual(router.networks, [{ afi: 'ipv4', prefix: '10.99.0.200/32' }]);
  assert.deepEqual(router.neighbors, [
    {
      address: '10.99.0.1',
      remoteAs: 64513,
      hasPassword: false,
      bfd: true,
      bfdProfile: 'metallb-bfd',
      timers: { keepalive: 30, hold: 90, connect: 5 },
      connectTimer: 5,
      activatedAfis: ['ipv4'],
      routeMapsIn: [],
      routeMapsOut: [],
    },
  ]);
  assert.deepEqual(c.bfdProfiles, { 'metallb-bfd': {} });
});

test('running config of the wrong-ASN speaker has remote-as 64514', () => {
  const r = parse(fixture('frr-8.4/vtysh/frr-lc-n2-running-config.txt'), 'n2');
  assert.equal(r.value.routers[0].neighbors[0].remoteAs, 64514);
  assert.equal(r.value.routers[0].routerId, '10.99.0.12');
});

test('peer-group members inherit remote-as, bfd, connect timer and activation (router lc-r)', () => {
  const r = parse(fixture('frr-8.4/vtysh/frr-lc-r-running-config.txt'), 'r');
  const router = r.value.routers[0];
  assert.deepEqual(router.neighbors.map((n) => n.address), ['10.99.0.11', '10.99.0.12']);
  for (const n of router.neighbors) {
    assert.equal(n.peerGroup, 'SPEAKERS');
    assert.equal(n.remoteAs, 64512);
    assert.equal(n.bfd, true);
    assert.equal(n.connectTimer, 5);
    assert.deepEqual(n.activatedAfis, ['ipv4']);
  }
  assert.deepEqual(router.peerGroups?.map((g) => g.address), ['SPEAKERS']);
});

test('daemon config files (bgpd.conf, bfdd.conf) parse the same statements', () => {
  const bgpd = parse(fixture('frr-8.4/conf/conf-lc-n1-bgpd.conf'), 'bgpd');
  assert.deepEqual(bgpd.value.unparsed, []);
  assert.equal(bgpd.value.routers[0].neighbors[0].bfdProfile, 'metallb-bfd');
  assert.deepEqual(bgpd.value.routers[0].neighbors[0].timers, { keepalive: 30, hold: 90, connect: 5 });
  const bfdd = parse(fixture('frr-8.4/conf/conf-lc-n1-bfdd.conf'), 'bfdd');
  assert.deepEqual(bfdd.value.bfdProfiles, { 'metallb-bfd': { 'receive-interval': '300', 'transmit-interval': '300', 'detect-multiplier': '3' } });
});

test('every MetalLB-rendered config parses without unknown statements (except the deliberately wrong one)', () => {
  const names = fixtureNames('frr-rendered');
  assert.equal(names.length, 50);
  for (const name of names) {
    const r = parse(fixture(`frr-rendered/${name}`), name);
    if (name === 'TestDockerTestfails.conf') assert.deepEqual(r.value.unparsed, ['line 18: wrong line']);
    else assert.deepEqual(r.value.unparsed, [], name);
    // Golden files carry literal passwords; the model must never hold them.
    assert.ok(!/password password/.test(r.value.raw), name);
    for (const router of r.value.routers) {
      for (const n of router.neighbors) assert.ok(!JSON.stringify(n).includes('password password'), name);
    }
  }
});

test('MetalLB render: VRF router, password, port, route-maps in/out, allowed prefix-lists, route-map entries', () => {
  const c = parse(fixture('frr-rendered/TestSingleAdvertisementVRF.conf'), 'x').value;
  const router = c.routers[0];
  assert.equal(router.asn, 100);
  assert.equal(router.vrf, 'red');
  assert.equal(router.routerId, '10.1.1.254');
  const n = router.neighbors[0];
  assert.equal(n.address, '10.2.2.254');
  assert.equal(n.remoteAs, 200);
  assert.equal(n.hasPassword, true);
  assert.equal(n.port, 179);
  assert.deepEqual(n.timers, { keepalive: 1, hold: 1 });
  assert.equal(n.updateSource, '10.1.1.254');
  assert.deepEqual(n.activatedAfis, ['ipv4']);
  assert.deepEqual(n.routeMapsIn, ['10.2.2.254-red-in']);
  assert.deepEqual(n.routeMapsOut, ['10.2.2.254-red-out']);
  assert.deepEqual(router.networks, [{ afi: 'ipv4', prefix: '172.16.1.10/24' }]);
  assert.deepEqual(c.prefixLists['10.2.2.254-red-allowed-ipv4'], [{ seq: 1, action: 'permit', prefix: '172.16.1.10/24', afi: 'ipv4' }]);
  assert.deepEqual(c.prefixLists['10.2.2.254-red-allowed-ipv6'], [{ seq: 1, action: 'deny', prefix: 'any', afi: 'ipv6' }]);
  const out = c.routeMaps?.['10.2.2.254-red-out'];
  assert.equal(out?.length, 5);
  assert.deepEqual(out?.[0], {
    action: 'permit',
    seq: 1,
    match: ['ip address prefix-list 10.2.2.254-red-300-ip-localpref-prefixes'],
    set: ['local-preference 300'],
    other: ['on-match next'],
  });
  assert.deepEqual(c.routeMaps?.['10.2.2.254-red-in'], [{ action: 'deny', seq: 20, match: [], set: [], other: [] }]);
});

test('MetalLB render: dual stack, multihop without count, unnumbered, local-as, external/internal ASN, BFD profiles', () => {
  const dual = parse(fixture('frr-rendered/TestIPv4AndIPv6SessionsDualStackFamily.conf'), 'x').value;
  assert.equal(dual.routers.length, 2);
  assert.deepEqual(dual.routers[0].neighbors[0].activatedAfis, ['ipv4', 'ipv6']);
  assert.equal(dual.routers[1].neighbors[0].ebgpMultihop, 255);
  assert.equal(dual.routers[0].neighbors[0].ebgpMultihop, undefined);

  const unnumbered = parse(fixture('frr-rendered/TestUnnumberedSession.conf'), 'x').value.routers[0].neighbors[0];
  assert.equal(unnumbered.address, 'net0');
  assert.equal(unnumbered.interface, true);
  assert.equal(unnumbered.remoteAs, 'external');

  const localAs = parse(fixture('frr-rendered/TestSingleSessionWithLocalASN.conf'), 'x').value.routers[0].neighbors[0];
  assert.equal(localAs.localAs, 65410);
  assert.equal(parse(fixture('frr-rendered/TestSingleSessionWithInternalASN.conf'), 'x').value.routers[0].neighbors[0].remoteAs, 'internal');

  const bfd = parse(fixture('frr-rendered/TestBFDWithSession.conf'), 'x').value;
  assert.equal(bfd.routers[0].neighbors[0].bfd, true);
  assert.equal(bfd.routers[0].neighbors[0].bfdProfile, 'foo');
  const corner = parse(fixture('frr-rendered/TestBFDProfileCornerCases.conf'), 'x').value.bfdProfiles.foo;
  assert.deepEqual(corner, {
    'receive-interval': '60',
    'transmit-interval': '70',
    'detect-multiplier': '5',
    'echo-mode': 'true',
    'echo-receive-interval': '90',
    'echo-transmit-interval': '90',
    'passive-mode': 'true',
    'minimum-ttl': '60',
  });
  // Two profiles back to back without `exit`.
  assert.deepEqual(Object.keys(parse(fixture('frr-rendered/TestBFDProfileAllDefault.conf'), 'x').value.bfdProfiles).sort(), ['bar', 'foo']);

  const twoVrf = parse(fixture('frr-rendered/TestTwoSessionsSameIPVRF.conf'), 'x').value.routers;
  assert.deepEqual(twoVrf.map((r) => `${r.asn}/${r.vrf ?? 'default'}/${r.neighbors[0].address}`), ['100/default/10.2.2.254', '300/red/10.2.2.254']);
  // A neighbor never activated in a family, with default ipv4-unicast off.
  assert.deepEqual(parse(fixture('frr-rendered/TestSingleAdvertisementInvalid.conf'), 'x').value.routers[0].neighbors[0].activatedAfis, []);
});

test('redacted configs keep hasPassword and never expose a value', () => {
  const text = [
    'router bgp 64512',
    ' neighbor 192.0.2.1 remote-as 64513',
    ' neighbor 192.0.2.1 password <redacted>',
    ' neighbor 192.0.2.2 remote-as 64513',
    ' neighbor 192.0.2.2 password s3cr3t-value',
    ' neighbor 192.0.2.3 remote-as 64513',
    'exit',
  ].join('\n');
  const c = parse(text, 'x').value;
  assert.deepEqual(c.routers[0].neighbors.map((n) => n.hasPassword), [true, true, false]);
  assert.ok(!c.raw.includes('s3cr3t-value'));
  assert.ok(c.raw.includes('neighbor 192.0.2.1 password <redacted>'));
  assert.ok(!JSON.stringify(c).includes('s3cr3t'));
  assert.equal(redactPasswords('neighbor X password abc'), 'neighbor X password <redacted>');
});

test('default ipv4-unicast activates neighbors implicitly; `no neighbor activate` removes it; shutdown and asdot', () => {
  const text = [
    'router bgp 1.10',
    ' neighbor 192.0.2.1 remote-as 64513',
    ' neighbor 192.0.2.2 remote-as 64513',
    ' neighbor 192.0.2.2 shutdown',
    ' neighbor 192.0.2.2 ebgp-multihop 3',
    ' address-family ipv4 unicast',
    '  no neighbor 192.0.2.2 activate',
    ' exit-address-family',
    ' address-family l2vpn evpn',
    '  neighbor 192.0.2.1 activate',
    '  advertise-all-vni',
    ' exit-address-family',
    'exit',
  ].join('\n');
  const r = parse(text, 'x');
  const router = r.value.routers[0];
  assert.equal(router.asn, 65546);
  assert.equal(router.ebgpRequiresPolicy, true);
  assert.deepEqual(router.neighbors.map((n) => n.activatedAfis), [['ipv4'], []]);
  assert.equal(router.neighbors[1].shutdown, true);
  assert.equal(router.neighbors[1].ebgpMultihop, 3);
  assert.deepEqual(r.value.unparsed, []);
  assert.equal(parseAsn('4294967296'), undefined);
});

test('unknown statements are kept with line numbers; malformed router lines become notes', () => {
  const r = parse('router bgp notanumber\n neighbor 1.2.3.4 remote-as 1\nexit\nfoo bar baz\nrouter bgp 1\n neighbor 1.2.3.4 remote-as abc\n frobnicate\n', 'x');
  assert.deepEqual(r.value.unparsed, ['line 1: router bgp notanumber', 'line 4: foo bar baz', 'line 7: frobnicate']);
  assert.equal(r.value.routers.length, 1);
  assert.ok(r.notes.some((n) => /remote-as is not an AS number/.test(n.message)));
});

test('truncated config keeps what was complete', () => {
  const full = fixture('frr-rendered/TestTwoSessions.conf');
  const cut = full.slice(0, full.indexOf('router bgp 300') + 60);
  const c = parse(cut, 'x').value;
  assert.equal(c.routers.length, 2);
  assert.equal(c.routers[0].neighbors[0].address, '10.2.2.254');
});

test('FRR config parser never throws on hostile input', () => {
  for (const [name, input] of Object.entries(hostileInputs)) {
    const r = parse(input, name);
    assert.ok(Array.isArray(r.value.routers), name);
    assert.equal(r.value.routers.length, 0, name);
    if (name === 'empty' || name === 'whitespace' || name === 'binary') assert.ok(r.notes.length > 0, name);
    else assert.ok(r.value.unparsed.length > 0, name);
  }
});

test('names that collide with Object.prototype members are plain data', () => {
  const text = [
    'ip prefix-list __proto__ seq 1 permit any',
    'ip prefix-list constructor seq 1 deny any',
    'route-map toString permit 1',
    ' match ip address prefix-list constructor',
    'bfd',
    ' profile hasOwnProperty',
    '  __proto__ 5',
    ' exit',
    'exit',
  ].join('\n');
  const c = parse(text, 'x').value;
  assert.deepEqual(Object.keys(c.prefixLists).sort(), ['__proto__', 'constructor']);
  assert.equal(c.prefixLists['constructor'][0].action, 'deny');
  assert.equal(Object.getPrototypeOf(c.prefixLists), Object.prototype);
  assert.equal(c.routeMaps?.['toString'][0].match[0], 'ip address prefix-list constructor');
  assert.equal(Object.getOwnPropertyDescriptor(c.bfdProfiles['hasOwnProperty'], '__proto__')?.value, '5');
});
