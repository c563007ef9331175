import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseAddr } from '../../src/parse/ip-addr.js';
import { parse as parseLink } from '../../src/parse/ip-link.js';
import { parse as parseRoute } from '../../src/parse/ip-route.js';
import { parse as parseNeigh } from '../../src/parse/ip-neigh.js';
import { fixture, hostileInputs } from './helpers.js';

test('ip addr: the duplicate L2 IP shows on lc-n2 and lc-n3 eth0, the BGP IP on lc-n1 lo', () => {
  const n1 = parseAddr(fixture('iproute2/ip-addr-lc-n1.json'), 'n1');
  assert.deepEqual(n1.notes, []);
  const lo = n1.value.find((i) => i.ifname === 'lo')!;
  assert.ok(lo.addrs.some((a) => a.local === '10.99.0.200' && a.prefixlen === 32 && a.family === 'inet'));
  for (const host of ['n2', 'n3']) {
    const r = parseAddr(fixture(`iproute2/ip-addr-lc-${host}.json`), host);
    const eth0 = r.value.find((i) => i.ifname === 'eth0')!;
    assert.deepEqual(
      eth0.addrs.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
      [host === 'n2' ? '10.99.0.12/24' : '10.99.0.13/24', '10.99.0.100/32'],
    );
    assert.equal(eth0.mac, host === 'n2' ? '02:00:00:00:00:02' : '02:00:00:00:00:03');
    assert.equal(eth0.operstate, 'UP');
    assert.ok(eth0.flags.includes('LOWER_UP'));
  }
});

test('ip -d addr from a real host keeps link fields and skips nothing', () => {
  const r = parseAddr(fixture('host/ip-d-addr.json'), 'host');
  assert.deepEqual(r.notes, []);
  assert.ok(r.value.find((i) => i.ifname === 'lo')!.addrs.some((a) => a.local === '127.0.0.1'));
});

test('ip link: bridge ports carry master, MAC and state; -d linkinfo gives kind, slave kind and VLAN id', () => {
  const ports = parseLink(fixture('iproute2/bridge-ports.json'), 'ports');
  assert.equal(ports.value.length, 4);
  const p = ports.value.find((l) => l.ifname === 'p-lc-n2')!;
  assert.equal(p.master, 'br0');
  assert.equal(p.mac, '56:dd:3e:5f:6e:ce');
  assert.equal(p.ifindex, 4);

  const host = parseLink(fixture('host/ip-d-link.json'), 'host');
  assert.equal(host.value.find((l) => l.ifname === 'ifb0')?.kind, 'ifb');

  const detailed = JSON.stringify([
    { ifindex: 5, ifname: 'eth0.100', link: 'eth0', flags: ['BROADCAST', 'UP'], mtu: 1500, operstate: 'UP', address: '02:AA:00:00:00:01', linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1Q', id: 100, flags: ['REORDER_HDR'] } } },
    { ifindex: 6, ifname: 'veth1', master: 'br0', flags: ['UP'], linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge', info_slave_data: { state: 'forwarding' } } },
    { ifindex: 7, flags: [] },
  ]);
  const d = parseLink(detailed, 'd');
  assert.deepEqual(d.value[0], { ifname: 'eth0.100', ifindex: 5, mac: '02:aa:00:00:00:01', operstate: 'UP', flags: ['BROADCAST', 'UP'], mtu: 1500, kind: 'vlan', parent: 'eth0', vlanId: 100 });
  assert.equal(d.value[1].slaveKind, 'bridge');
  assert.equal(d.value[1].kind, 'veth');
  assert.equal(d.value.length, 2);
  assert.match(d.notes[0].message, /no ifname/);
});

test('ip route: BGP route on the router, and -d table all with types and tables', () => {
  const r = parseRoute(fixture('iproute2/ip-route-lc-r.json'), 'r');
  assert.deepEqual(r.value[1], { dst: '10.99.0.200', gateway: '10.99.0.11', dev: 'eth0', protocol: 'bgp', metric: 20 });
  const all = parseRoute(fixture('host/ip-d-route-table-all.json'), 'all');
  const local = all.value.find((x) => x.type === 'local' && x.dst === '127.0.0.1');
  assert.equal(local?.table, 'local');
  assert.equal(all.value.find((x) => x.dst === 'default')?.table, 'main');
  const ecmp = parseRoute('[{"dst":"198.51.100.0/24","protocol":"bgp","metric":20,"flags":[],"nexthops":[{"gateway":"10.0.0.1","dev":"eth0","weight":1,"flags":[]},{"gateway":"10.0.0.2","dev":"eth0","weight":1,"flags":[]}]}]', 'e');
  assert.deepEqual(ecmp.value[0].nexthops?.map((h) => h.gateway), ['10.0.0.1', '10.0.0.2']);
});

test('ip neigh: REACHABLE router entries; empty table is an empty list without notes', () => {
  const r = parseNeigh(fixture('iproute2/ip-neigh-lc-r.json'), 'r');
  assert.deepEqual(r.value, [
    { ip: '10.99.0.11', dev: 'eth0', mac: '02:00:00:00:00:01', state: ['REACHABLE'] },
    { ip: '10.99.0.12', dev: 'eth0', mac: '02:00:00:00:00:02', state: ['REACHABLE'] },
  ]);
  const empty = parseNeigh(fixture('iproute2/ip-neigh-lc-n3.json'), 'n3');
  assert.deepEqual(empty, { value: [], notes: [] });
});

test('truncated ip output keeps the complete entries and says it was truncated', () => {
  const full = fixture('iproute2/ip-addr-lc-n2.json');
  const cut = full.slice(0, full.indexOf('"ifname":"eth0"') + 40);
  const r = parseAddr(cut, 'nodes/n2/net/ip-addr.json');
  assert.deepEqual(r.value.map((i) => i.ifname), ['lo']);
  assert.match(r.notes[0].message, /truncated/);
  assert.equal(r.notes[0].path, 'nodes/n2/net/ip-addr.json');
});

test('ip parsers never throw on hostile input and explain what they saw', () => {
  for (const parse of [parseAddr, parseLink, parseRoute, parseNeigh]) {
    for (const [name, input] of Object.entries(hostileInputs)) {
      const r = parse(input, name);
      assert.ok(Array.isArray(r.value), name);
      if (name !== 'truncatedJson') assert.equal(r.value.length, 0, name);
      assert.ok(r.notes.length > 0, `${parse.name} ${name} should leave a note`);
    }
  }
});
