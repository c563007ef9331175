/**
 * The replay routers' client traffic: one client connection per BGP-announced LoadBalancer IP,
 * delivered to one announcing node and answered there when the router took the route, none when its
 * inbound filter rejects the prefix (what bgp-advertised-no-traffic reads in the captures).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureCommand } from '../../src/catalogue/index.js';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { ReplayBackend } from '../../src/sim/scenario/replay.js';
import type { ExecTarget } from '../../src/sim/world.js';

/** Each node's capture text (tcpdump's decode, before the pcap marker), synthesised from the scenario. */
async function captures(name: string): Promise<Map<string, string>> {
  const loaded = await loadScenario(name);
  // Synthesis only: recordings in fixtures/replay would take precedence.
  const replay = new ReplayBackend((loaded.backend as ReplayBackend).model);
  replay.timeScale = 0;
  const out = new Map<string, string>();
  await Promise.all(
    replay.model.nodes.map(async (n) => {
      let stdout = '';
      const target: ExecTarget = { namespace: 'metallb-system', pod: `node-debugger-${n.name}`, container: 'debugger', node: n.name, image: 'nicolaka/netshoot:v0.13', kind: 'debug-pod', distroless: false, hostNetwork: true };
      const r = await replay.run(target, captureCommand(2), { stdin: null, stdout: (c) => (stdout += String(c)), stderr: () => {}, signal: new AbortController().signal });
      assert.equal(r.exitCode, 0);
      out.set(n.name, stdout.split('--- mlb-report pcap base64 ---')[0]!);
    }),
  );
  return out;
}

test('a router that took the route delivers one client connection to one announcing node, which answers it', async () => {
  const caps = await captures('healthy-frr');
  const seen = [...caps].filter(([, text]) => / 203\.0\.113\.50\.\d+ > 198\.51\.100\.\d+\.80: Flags \[S\]/.test(text));
  assert.equal(seen.length, 1, [...caps.keys()].join(', '));
  assert.match(seen[0]![1], / 198\.51\.100\.\d+\.80 > 203\.0\.113\.50\.\d+: Flags \[S\.\]/, 'the node answers with a SYN-ACK');
});

test('a router whose inbound prefix list rejects the prefix delivers nothing for it', async () => {
  const caps = await captures('bgp-prefix-filtered');
  assert.ok([...caps.values()].some((t) => t.length > 0), 'the captures hold other packets');
  for (const [node, text] of caps) assert.doesNotMatch(text, /198\.51\.100\.200/, `${node} sees traffic for the rejected prefix`);
});
