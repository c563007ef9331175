import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipRestorer, Redactor, looksBinary } from '../../src/bundle/redact.js';

test('FRR password lines keep the keyword and lose the value; the value is redacted elsewhere too', () => {
  const r = new Redactor({ ips: false });
  const cfg = 'router bgp 64512\n neighbor 10.99.0.1 remote-as 64513\n neighbor 10.99.0.1 password s3cr3tPW\n';
  const out = r.text(cfg);
  assert.match(out, /neighbor 10\.99\.0\.1 password <redacted>/);
  assert.doesNotMatch(out, /s3cr3tPW/);
  // A log line later mentioning the same value is caught by the known-secret rule.
  assert.equal(r.text('reloading with s3cr3tPW applied'), 'reloading with <redacted> applied');
  assert.ok(r.count >= 2);
});

test('JSON objects: password keys are blanked structurally and learnt', () => {
  const r = new Redactor({ ips: false });
  const peer = { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'p' }, spec: { peerAddress: '10.0.0.1', password: 'hunter2-x', passwordSecret: { name: 's' } } };
  const out = r.json(peer);
  assert.equal(out.spec.password, '<redacted>');
  assert.deepEqual(out.spec.passwordSecret, { name: 's' });
  assert.equal(peer.spec.password, 'hunter2-x', 'input not mutated');
  assert.equal(r.text('"x":"hunter2-x"'), '"x":"<redacted>"');
  // A ConfigMap with FRR config inside a JSON string: only the value goes.
  const cm = r.json({ data: { 'bgpextras': 'neighbor 1.2.3.4 password abcdef\nneighbor 1.2.3.4 timers 1 3' } });
  assert.equal(cm.data.bgpextras, 'neighbor 1.2.3.4 password <redacted>\nneighbor 1.2.3.4 timers 1 3');
});

test('raw JSON text and bearer tokens', () => {
  const r = new Redactor({ ips: false });
  assert.equal(r.text('{"password": "abc\\"def", "x": 1}'), '{"password": "<redacted>", "x": 1}');
  assert.equal(r.text('Authorization: Bearer abcdefghijklmnop'), 'Authorization: Bearer <redacted>');
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlLWJ5dGVz';
  assert.equal(r.text(`token=${jwt}`), 'token=<redacted>');
});

test('every rule still applies whatever the case of its word (outputs without one skip the rule passes)', () => {
  const r = new Redactor({ ips: false });
  const cases: [string, string][] = [
    [' NEIGHBOR 10.0.0.1 PASSWORD Upper-Case-1', ' NEIGHBOR 10.0.0.1 PASSWORD <redacted>'],
    ['{"bgpPassword":"from-json-2"}', '{"bgpPassword":"<redacted>"}'],
    ['{"Token":"tok-value-3"}', '{"Token":"<redacted>"}'],
    ['authorization: BEARER abcdefghijkl', 'authorization: BEARER <redacted>'],
    ['a eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlLWJ5dGVz b', 'a <redacted> b'],
    // No rule word: only the secrets learnt above apply.
    ['log: peer up with Upper-Case-1 and from-json-2', 'log: peer up with <redacted> and <redacted>'],
    ['plain output 10.0.0.1', 'plain output 10.0.0.1'],
  ];
  for (const [input, want] of cases) assert.equal(r.text(input), want, input);
});

test('--redact-ips maps addresses consistently and keeps a /24 together', () => {
  const r = new Redactor({ ips: true });
  const a = r.text('node 10.99.0.11/24 peer 10.99.0.1 lb 10.99.0.200/32 other 192.168.5.7 lo 127.0.0.1 any 0.0.0.0/0');
  const [n, p, lb, other] = [r.ip('10.99.0.11'), r.ip('10.99.0.1'), r.ip('10.99.0.200'), r.ip('192.168.5.7')];
  assert.equal(a, `node ${n}/24 peer ${p} lb ${lb}/32 other ${other} lo 127.0.0.1 any 0.0.0.0/0`);
  assert.doesNotMatch(a, /10\.99\.0\.|192\.168/);
  const net = (ip: string): string => ip.split('.').slice(0, 3).join('.');
  assert.equal(net(n), net(p));
  assert.equal(net(n), net(lb));
  assert.notEqual(net(n), net(other));
  assert.equal(n.split('.')[3], '11', 'host part kept');
  // Same input later → same output.
  assert.equal(r.text('10.99.0.11'), n);
  assert.equal(r.ipMapping()['10.99.0.11'], n);
  // IPv6: prefix replaced, link-local and MACs left alone.
  const v6 = r.text('addr 2001:db8:1:2::10/64 ll fe80::1 mac 02:00:00:00:00:04 time 12:47:06');
  assert.match(v6, /^addr fd00:0:0:1:0:0:0:10\/64 ll fe80::1 mac 02:00:00:00:00:04 time 12:47:06$/);
  assert.equal(r.text('version v0.14.9'), 'version v0.14.9');
  // tcpdump prints address.port: the address part is still replaced.
  assert.equal(r.text('10.99.0.11.7946 > 10.99.0.1.179'), `${n}.7946 > ${p}.179`);
});

test('binary data (pcap) is recognised and left untouched', () => {
  const pcap = Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
  assert.equal(looksBinary(pcap), true);
  const r = new Redactor({ ips: false });
  assert.equal(r.bytes(pcap), pcap);
  assert.equal(looksBinary(Buffer.from('plain text')), false);
});

test('--redact-ips: restore is the inverse of the map; a map from an earlier run gives the same replacements', () => {
  const r = new Redactor({ ips: true });
  const raw = 'probe.arping.10.99.0.200 node 10.99.0.11/24 peer 2001:db8:1:2::10 lo 127.0.0.1 ll fe80::1 tcpdump 10.99.0.11.7946';
  const redacted = r.text(raw);
  // Step ids (`probe.arping.<address>`) are addresses too.
  assert.doesNotMatch(redacted, /10\.99\.0\.|2001:db8/);
  assert.equal(r.restore(redacted), raw);
  // Paths as the writer writes them: the same replacement as in the text.
  assert.equal(r.path('nodes/n1/probe/arping-10.99.0.200.txt'), `nodes/n1/probe/arping-${r.ip('10.99.0.200')}.txt`);
  // Restoring does not map anything: no replacement ever becomes an original of its own.
  const map = r.ipMapping();
  for (const v of Object.values(map)) assert.ok(!(v in map), `${v} mapped again`);
  const again = new Redactor({ ips: true, ipMap: map });
  assert.equal(again.addresses('10.99.0.11 and 10.99.0.12'), `${r.ip('10.99.0.11')} and ${r.ip('10.99.0.12')}`, 'same /24, same replacement network');
  const fresh = again.ip('172.16.5.1');
  assert.ok(!Object.values(map).some((v) => v.startsWith(fresh.split('.').slice(0, 3).join('.') + '.')), 'a new network gets a replacement network not used before');
  assert.equal(ipRestorer(map)(redacted), raw);
  // What analysis writes: addresses (values and keys) only; words after "password" are not secrets there.
  const doc = again.addressesIn({ summary: 'BGP password mismatch with 10.99.0.11', byIp: { '10.99.0.200': 'lb' } });
  assert.deepEqual(doc, { summary: `BGP password mismatch with ${r.ip('10.99.0.11')}`, byIp: { [r.ip('10.99.0.200')]: 'lb' } });
});

test('--redact-ips: a site already using 100.64.0.0/10 keeps distinct replacements, so restore stays exact', () => {
  const r = new Redactor({ ips: true });
  // 100.64.0.0/24 is a real network here; the first replacement network would otherwise be itself.
  const raw = 'a 100.64.0.7 b 10.0.0.7 c 100.64.1.7';
  const redacted = r.text(raw);
  assert.doesNotMatch(redacted, /a 100\.64\.0\.7 /, 'the site address is replaced too, not mapped onto itself');
  const values = Object.values(r.ipMapping());
  assert.equal(new Set(values).size, values.length, 'no two addresses share a replacement');
  assert.equal(r.restore(redacted), raw);
});
