/**
 * Evidence excerpts as the report prints them: minified JSON laid out one value per line, strings
 * with newlines as blocks, cut ends at token boundaries, long excerpts cut at whole lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capLines, readableExcerpt } from '../../src/render/excerpt.js';
import { words } from '../../src/render/view.js';

test('a window cut out of one minified JSON line starts and ends at a key, one value per line', () => {
  // What a check cuts from `ip -j addr` on a node: one line, both ends in the middle of a token.
  const excerpt = '…ables":0}},"num_tx_queues":1,"addr_info":[{"family":"inet","local":"198.51.100.200","prefixlen":32,"label":"kube-ipvs0"},{"family":"inet","l…';
  const text = readableExcerpt(excerpt, 'nodes/cp-1/net/ip-addr.json');
  const lines = text.split('\n');
  assert.equal(lines[0], '…');
  assert.equal(lines[1], '"num_tx_queues": 1,');
  assert.ok(lines.includes('    "local": "198.51.100.200",'), text);
  assert.ok(lines.includes('    "label": "kube-ipvs0"'), text);
  assert.equal(lines.at(-1), '…');
  assert.ok(!text.includes('ables"'), 'the half key before the first comma is gone');
  assert.ok(!/"l\s*$/m.test(text), 'the half key at the end is gone');
});

test('a JSON string holding lines is shown as a block, not with escaped \\n; \\/ reads as /', () => {
  const excerpt = '    "config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\\nipvs:\\n  strictARP: false\\nmode: ipvs\\n",';
  assert.equal(readableExcerpt(excerpt, 'cluster/kube-proxy-configmap.json'), ['    "config.conf": |', '      apiVersion: kubeproxy.config.k8s.io/v1alpha1', '      ipvs:', '        strictARP: false', '      mode: ipvs'].join('\n'));
  assert.equal(readableExcerpt('    "lastNotificationReason":"OPEN Message Error\\/Bad Peer AS",', 'nodes/w/frr/bgp-neighbors.json'), '    "lastNotificationReason":"OPEN Message Error/Bad Peer AS",');
});

test('JSON log records and plain text keep their lines; a cut word in text moves to the next space', () => {
  const record = '{"caller":"speakerlist.go:349","level":"warn","msg":"memberlist: UDP probes failed, network may be misconfigured","ts":"2026-12-04T06:05:14.092Z"}';
  assert.equal(readableExcerpt(record, 'logs/speaker-1/speaker.json'), record);
  assert.equal(readableExcerpt(`${record}\n${record}`, 'logs/speaker-1/speaker.log'), `${record}\n${record}`);
  assert.equal(readableExcerpt('…eply from 203.0.113.10 [02:00:00:00:00:05]', 'nodes/a/probe/arping.txt'), '… from 203.0.113.10 [02:00:00:00:00:05]');
});

test('long excerpts are cut at whole lines and say how many are left', () => {
  const text = Array.from({ length: 30 }, (_, i) => `line ${i} 192.0.2.${i}`).join('\n');
  const capped = capLines(text, 20);
  assert.equal(capped.omitted, 10);
  assert.equal(capped.text.split('\n').length, 20);
  assert.equal(capped.text.split('\n').at(-1), 'line 19 192.0.2.19');
  assert.deepEqual(capLines('a\nb', 20), { text: 'a\nb', omitted: 0 });
});

test('words: names with hyphens, IPs and MACs stay whole; paths may break after their slashes', () => {
  const parts = words('Speaker missing on worker-3 at 192.0.2.13 for monitoring/metrics-gateway.');
  const by = (t: string) => parts.find((p) => p.t === t);
  assert.equal(by('worker-3')?.nw, true);
  assert.equal(by('192.0.2.13')?.nw, true);
  assert.equal(by('Speaker')?.nw, false);
  assert.deepEqual(by('monitoring/'), { t: 'monitoring/', nw: false, wb: true, sp: '' });
  assert.deepEqual(by('metrics-gateway.'), { t: 'metrics-gateway.', nw: true, wb: false, sp: '' });
  assert.equal(parts.map((p) => `${p.t}${p.sp}`).join(''), 'Speaker missing on worker-3 at 192.0.2.13 for monitoring/metrics-gateway.');
});
