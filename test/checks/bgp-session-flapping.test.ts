import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture, logLine } from './helpers.js';

const dropped = (n: number) => fixture('frr-lc-n1-bgp-neighbors.json').replace('"connectionsDropped":0', `"connectionsDropped":${n}`);

// One real drop and recovery as FRR 8.4.2 logs it, verbatim from FRRouting/frr#12737.
const realDrop = [
  '2023/02/03 12:38:18 BGP: [HZN6M-XRM1G] %NOTIFICATION: received from neighbor 2602:fed3:7025:d::3 4/0 (Hold Timer Expired) 0 bytes ',
  '2023/02/03 12:38:18 BGP: [PXVXG-TFNNT] %ADJCHANGE: neighbor 2602:fed3:7025:d::3(pf.xiaoyu.net) in vrf default Down BGP Notification received',
  '2023/02/03 12:38:22 BGP: [N9HHH-F8H1M] %ADJCHANGE: neighbor 2602:fed3:7025:d::3(pf.xiaoyu.net) in vrf default Up',
];
// The same drop with the lab's neighbour address, so it meets the counter of lc-n1's session.
const labDrop = realDrop.map((l) => l.replaceAll('2602:fed3:7025:d::3', '10.99.0.1'));
// The reloader's lines (frr-tools/reloader/frr-reloader.sh; docs/metallb.md §3.2).
const reload = ['Caught SIGHUP and acquired lock! Reloading FRR..', 'Checking the configuration file syntax', 'Applying the configuration file', 'FRR reloaded successfully! 3 seconds'];

caseTable('bgp-session-flapping', [
  { name: 'no drops (real output)', spec: bgpHealthy(), fires: false },
  { name: 'seven drops', spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': dropped(7) } } }), fires: true, check: (f) => assert.match(f[0].summary, /lc-n1 → 10\.99\.0\.1 dropped 7 times/) },
  {
    name: 'native speaker logs three session-downs',
    spec: bgpHealthy({ nodeFiles: {}, logs: { 'speaker-lc-n1/speaker': Array.from({ length: 3 }, () => logLine({ level: 'warn', event: 'sessionDown', peer: '10.99.0.1:179', msg: 'BGP session down' })).join('\n') } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /logged 3 BGP session-down events for 10\.99\.0\.1:179/),
  },
  { name: 'one %ADJCHANGE Down and Up: a reset, not a flap', spec: bgpHealthy({ logs: { 'speaker-lc-n1/frr': realDrop.join('\n') } }), fires: false },
  {
    name: 'three %ADJCHANGE Down in the frr log',
    spec: bgpHealthy({ logs: { 'speaker-lc-n1/frr': [...realDrop, ...realDrop, ...realDrop].join('\n') } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].summary, 'BGP session lc-n1 → 2602:fed3:7025:d::3 went down 3 times in the frr log (BGP Notification received ×3)');
      assert.deepEqual(f[0].subjects, [{ kind: 'Node', name: 'lc-n1' }, { kind: 'Neighbor', name: '2602:fed3:7025:d::3' }]);
      assert.match(f[0].evidence[0].excerpt, /%ADJCHANGE: neighbor 2602:fed3:7025:d::3\(pf\.xiaoyu\.net\) in vrf default Down BGP Notification received/);
      assert.doesNotMatch(f[0].evidence[0].excerpt, / Up$/m, 'only the Down lines are evidence');
    },
  },
  {
    name: 'three %ADJCHANGE Down and three reloads in the reloader log',
    spec: bgpHealthy({ logs: { 'speaker-lc-n1/frr': [...realDrop, ...realDrop, ...realDrop].join('\n'), 'speaker-lc-n1/reloader': [...reload, ...reload, ...reload].join('\n') } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /the reloader log of speaker-lc-n1 shows 3 FRR reload\(s\) for 3 drops — a drop per reload points at the reload$/);
      assert.equal(f[0].evidence[1].path, 'logs/speaker-lc-n1/reloader.log');
      assert.match(f[0].evidence[1].excerpt, /Caught SIGHUP and acquired lock! Reloading FRR\.\./);
      assert.match(f[0].remediation.summary, /v0\.14\.6/);
    },
  },
  {
    name: 'three %ADJCHANGE Down and a single reload',
    spec: bgpHealthy({ logs: { 'speaker-lc-n1/frr': [...realDrop, ...realDrop, ...realDrop].join('\n'), 'speaker-lc-n1/reloader': reload.join('\n') } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /shows only 1 FRR reload\(s\) for 3 drops — reloads do not explain most of them$/);
      assert.doesNotMatch(f[0].remediation.summary, /v0\.14\.6/);
    },
  },
  {
    name: 'counter and %ADJCHANGE for the same session: one finding with both',
    spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': dropped(4) } }, logs: { 'speaker-lc-n1/frr': labDrop.join('\n') } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /dropped 4 times .*; FRR logged 1 %ADJCHANGE Down \(BGP Notification received\)$/);
      assert.ok(f[0].evidence.some((e) => e.path === 'logs/speaker-lc-n1/frr.log'));
    },
  },
]);
