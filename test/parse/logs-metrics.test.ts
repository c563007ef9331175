import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseMetallbLog } from '../../src/parse/metallb-log.js';
import { parse as parseFrrLog, structure } from '../../src/parse/frr-log.js';
import { parse as parseProm } from '../../src/parse/prometheus.js';
import { parse as parseKube } from '../../src/parse/kube-list.js';
import { fixture, hostileInputs } from './helpers.js';

test('MetalLB JSON logs: go-kit lines, kubectl --timestamps prefixes, zap and klog lines, raw lines', () => {
  const text = [
    '{"caller":"service_controller.go:64","controller":"ServiceReconciler","level":"info","start reconcile":"default/web","ts":"2026-11-27T12:47:20Z"}',
    '2026-11-27T12:47:21.123456789Z {"caller":"main.go:420","event":"serviceAnnounced","ips":["198.51.100.100"],"level":"info","msg":"service has IP, announcing","pool":"default","protocol":"layer2","ts":"2026-11-27T12:47:21Z"}',
    '{"level":"error","ts":1795783640.5,"logger":"controller","msg":"Reconciler error","error":"admission webhook denied"}',
    'I1127 12:47:20.123456       1 leaderelection.go:250] attempting to acquire leader lease metallb-system/abc',
    '<script>alert(1)</script>',
    '{"not": "closed"',
    '',
  ].join('\n');
  const r = parseMetallbLog(text, 'logs/speaker-abc/speaker.log');
  assert.deepEqual(r.notes, []);
  const [a, b, c, d, e, f] = r.value;
  assert.deepEqual(a, { line: 1, fields: { controller: 'ServiceReconciler', 'start reconcile': 'default/web' }, caller: 'service_controller.go:64', level: 'info', ts: '2026-11-27T12:47:20Z' });
  assert.equal(b.streamTs, '2026-11-27T12:47:21.123456789Z');
  assert.equal(b.msg, 'service has IP, announcing');
  assert.deepEqual(b.fields, { event: 'serviceAnnounced', ips: ['198.51.100.100'], pool: 'default', protocol: 'layer2' });
  assert.equal(c.ts, '2026-11-27T12:47:20.500Z');
  assert.equal(c.level, 'error');
  assert.equal(c.fields.error, 'admission webhook denied');
  assert.equal(d.level, 'info');
  assert.equal(d.caller, 'leaderelection.go:250');
  assert.match(d.msg ?? '', /attempting to acquire leader lease/);
  assert.equal(e.raw, '<script>alert(1)</script>');
  assert.equal(f.raw, '{"not": "closed"');
  assert.equal(r.value.length, 6);
});

test('FRR daemon logs keep lines; the structured view finds daemon, time and message id', () => {
  const r = parseFrrLog(fixture('frr-8.4/logs/lc-n2-bgpd.log'), 'x');
  assert.equal(r.value.filter((l) => l.includes('BGP OPEN receipt failed for peer: 10.99.0.1')).length, 9);
  const s = structure(r.value);
  assert.deepEqual(s[1], { line: 2, ts: '2026/11/27 12:47:07', daemon: 'BGP', id: 'HTQD2-0R1WR', message: 'bgp_process_packet: BGP OPEN receipt failed for peer: 10.99.0.1' });
  assert.ok(s.some((l) => l.message.includes('[FSM] Ignoring event BGP_Start in state Connect')));
  assert.deepEqual(structure(['free text']), [{ line: 1, message: 'free text' }]);
  assert.deepEqual(structure(['2026-11-27T12:47:07.1Z 2026/11/27 12:47:07 BGP: [ZW1GY-R46JE] Terminating on signal']), [
    { line: 1, streamTs: '2026-11-27T12:47:07.1Z', ts: '2026/11/27 12:47:07', daemon: 'BGP', id: 'ZW1GY-R46JE', message: 'Terminating on signal' },
  ]);
});

test('Prometheus text: labels with escapes, special values, types, timestamps', () => {
  const text = [
    '# HELP metallb_bgp_session_up BGP session state (1 is up, 0 is down)',
    '# TYPE metallb_bgp_session_up gauge',
    'metallb_bgp_session_up{peer="10.99.0.1:179",vrf="default"} 0',
    'metallb_bgp_session_up{peer="10.99.0.2:179"} 1 1795783640000',
    '# TYPE metallb_bgp_opens_sent counter',
    'metallb_bgp_opens_sent{peer="10.99.0.1:179"} 12',
    'metallb_allocator_addresses_in_use_total{pool="we\\"ird\\\\pool"} +Inf',
    'process_start_time_seconds NaN',
    'broken line here',
  ].join('\n');
  const r = parseProm(text, 'controller/metrics/metrics-7472.txt');
  assert.equal(r.value.length, 5);
  assert.deepEqual(r.value[0], { name: 'metallb_bgp_session_up', labels: { peer: '10.99.0.1:179', vrf: 'default' }, value: 0, type: 'gauge' });
  assert.equal(r.value[1].timestampMs, 1795783640000);
  assert.equal(r.value[2].type, 'counter');
  assert.equal(r.value[3].labels.pool, 'we"ird\\pool');
  assert.equal(r.value[3].value, Infinity);
  assert.ok(Number.isNaN(r.value[4].value));
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0].message, /line 9/);
});

test('Kubernetes lists: typed lists get kind back, Status errors and nameless items are notes', () => {
  const list = parseKube(
    JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'speaker-a', namespace: 'metallb-system' }, spec: { nodeName: 'n1' } }, { metadata: {} }] }),
    'cluster/pods.json',
  );
  assert.equal(list.value.length, 1);
  assert.equal(list.value[0].kind, 'Pod');
  assert.equal(list.value[0].apiVersion, 'v1');
  assert.match(list.notes[0].message, /no metadata.name/);
  const crs = parseKube(JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPoolList', items: [{ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' }, spec: { addresses: ['198.51.100.0/24'] } }] }), 'x');
  assert.deepEqual(crs.value[0].spec, { addresses: ['198.51.100.0/24'] });
  const status = parseKube('{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods is forbidden","reason":"Forbidden","code":403}', 'x');
  assert.deepEqual(status.value, []);
  assert.match(status.notes[0].message, /Forbidden pods is forbidden/);
  assert.equal(parseKube('[{"metadata":{"name":"a"}}]', 'x').value.length, 1);
  assert.equal(parseKube('{"metadata":{"name":"single"},"data":{}}', 'x').value[0].metadata.name, 'single');
});

test('log, metrics and list parsers never throw on hostile input', () => {
  for (const [name, input] of Object.entries(hostileInputs)) {
    assert.ok(Array.isArray(parseMetallbLog(input, name).value), name);
    assert.ok(Array.isArray(parseFrrLog(input, name).value), name);
    assert.ok(Array.isArray(parseProm(input, name).value), name);
    const k = parseKube(input, name);
    assert.deepEqual(k.value, [], name);
    assert.ok(k.notes.length > 0, name);
  }
  const long = parseMetallbLog('y'.repeat(100_000), 'x').value[0];
  assert.ok((long.raw ?? '').length < 70_000);
});

test('FRR %ADJCHANGE lines: neighbour, hostname, VRF, up or down and the reason (FRR 8.4.2 lines from FRRouting/frr#12737)', () => {
  const lines = [
    '2023/02/03 12:38:18 BGP: [HZN6M-XRM1G] %NOTIFICATION: received from neighbor 2602:fed3:7025:d::3 4/0 (Hold Timer Expired) 0 bytes ',
    '2023/02/03 12:38:18 BGP: [PXVXG-TFNNT] %ADJCHANGE: neighbor 2602:fed3:7025:d::3(pf.xiaoyu.net) in vrf default Down BGP Notification received',
    '2023/02/03 12:38:22 BGP: [N9HHH-F8H1M] %ADJCHANGE: neighbor 2602:fed3:7025:d::3(pf.xiaoyu.net) in vrf default Up',
  ];
  const s = structure(lines);
  assert.equal(s[0].adjacency, undefined);
  assert.deepEqual(s[1].adjacency, { neighbor: '2602:fed3:7025:d::3', host: 'pf.xiaoyu.net', vrf: 'default', up: false, reason: 'BGP Notification received' });
  assert.deepEqual(s[2].adjacency, { neighbor: '2602:fed3:7025:d::3', host: 'pf.xiaoyu.net', vrf: 'default', up: true });
  assert.equal(s[2].ts, '2023/02/03 12:38:22');
  assert.equal(s[2].id, 'N9HHH-F8H1M');
});
