import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseProbes } from '../../src/parse/connect-probes.js';
import { parse as parseNslookup } from '../../src/parse/nslookup.js';
import { connectProbeCommand } from '../../src/catalogue/index.js';
import { hostileInputs } from './helpers.js';

// Lines as curl 7.88 wrote them here (`-w '%{exitcode} %{http_code} %{time_connect} %{remote_ip} %{errormsg}'`):
// a telnet:// connect held open by the server, a closed port, a dropped SYN, and an answered HTTPS GET.
const lines = [
  'memberlist/worker-2 telnet://192.0.2.12:7946 28 000 0.000111 192.0.2.12 Time-out',
  'endpoint/shop/web/0 telnet://10.244.1.9:8080 7 000 0.000000  Failed to connect to 10.244.1.9 port 8080 after 0 ms: Couldn\'t connect to server',
  'lb/shop/web/80 telnet://198.51.100.100:80 28 000 0.000000  Connection timed out after 2004 milliseconds',
  'api/healthz https://10.96.0.1:443/healthz 0 200 0.001163 10.96.0.1 ',
  'api/readyz https://10.96.0.1:443/readyz 0 500 0.001201 10.96.0.1 ',
  'endpoint/shop/v6/0 telnet://[fd00::7]:8080 28 000 0.000200 fd00::7 Time-out',
].join('\n');

test('connect probes: outcome per line (connected, refused, timeout, HTTP 200 / 500), ids split into kind and subject', () => {
  const r = parseProbes(lines, 'nodes/n1/probe/connect.txt');
  assert.deepEqual(r.notes, []);
  assert.deepEqual(
    r.value.map((p) => [p.kind, p.subject, p.host, p.port, p.outcome]),
    [
      ['memberlist', 'worker-2', '192.0.2.12', 7946, 'connected'],
      ['endpoint', 'shop/web/0', '10.244.1.9', 8080, 'refused'],
      ['lb', 'shop/web/80', '198.51.100.100', 80, 'timeout'],
      ['api', 'healthz', '10.96.0.1', 443, 'ok'],
      ['api', 'readyz', '10.96.0.1', 443, 'http-error'],
      ['endpoint', 'shop/v6/0', 'fd00::7', 8080, 'connected'],
    ],
  );
  assert.equal(r.value[1]!.error, "Failed to connect to 10.244.1.9 port 8080 after 0 ms: Couldn't connect to server");
  assert.equal(r.value[2]!.remoteIp, undefined);
  assert.equal(r.value[3]!.httpCode, 200);
});

test('connect probes: lines without curl results (no curl in the image) and hostile input become notes, never throw', () => {
  const r = parseProbes('api/healthz https://10.96.0.1:443/healthz \n', 'p');
  assert.equal(r.value.length, 0);
  assert.match(r.notes[0]!.message, /not a probe line/);
  for (const h of Object.values(hostileInputs)) assert.doesNotThrow(() => parseProbes(h as string, 'p'));
});

test('connect probe command: every probe in the background, URL double-quoted, unsafe ids refused', () => {
  const [sh, c, script] = connectProbeCommand([{ id: 'api/healthz', url: 'https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT}/healthz' }, { id: 'lb/shop/web/80', url: 'telnet://198.51.100.100:80' }]);
  assert.deepEqual([sh, c], ['sh', '-c']);
  assert.match(script!, /^# mlb-report connect probes\n/);
  assert.match(script!, /\np api\/healthz "https:\/\/\$\{KUBERNETES_SERVICE_HOST\}:\$\{KUBERNETES_SERVICE_PORT\}\/healthz" &\n/);
  assert.match(script!, /curl -s -k -m 2 -o \/dev\/null /);
  assert.match(script!, /\nwait$/);
  assert.throws(() => connectProbeCommand([{ id: 'x;rm -rf /', url: 'telnet://1.2.3.4:80' }]), /unsafe probe/);
  assert.throws(() => connectProbeCommand([{ id: 'x', url: 'telnet://1.2.3.4:80"; reboot; "' }]), /unsafe probe/);
});

test('nslookup (BIND): answer, timeout, NXDOMAIN', () => {
  const ok = parseNslookup('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n', 'd').value!;
  assert.deepEqual([ok.server, ok.answeredName, ok.addresses, ok.error], ['10.96.0.10', 'kubernetes.default.svc.cluster.local', ['10.96.0.1'], undefined]);
  const timeout = parseNslookup(';; connection timed out; no servers could be reached\n\n', 'd').value!;
  assert.equal(timeout.error, 'connection timed out; no servers could be reached');
  assert.deepEqual(timeout.addresses, []);
  const nx = parseNslookup("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find kubernetes.default.svc: NXDOMAIN\n\n", 'd').value!;
  assert.equal(nx.error, 'NXDOMAIN');
  assert.equal(nx.name, 'kubernetes.default.svc');
  assert.equal(parseNslookup('', 'd').value, undefined);
  for (const h of Object.values(hostileInputs)) assert.doesNotThrow(() => parseNslookup(h as string, 'd'));
});
