import assert from 'node:assert/strict';
import { caseTable, l2Base, logLine } from './helpers.js';

caseTable('memberlist-join-failures', [
  { name: 'clean join', spec: l2Base({ logs: { 'speaker-n1/speaker': logLine({ op: 'Member detection', msg: 'memberlist join successfully' }) } }), fires: false },
  {
    name: 'partial join and failed join',
    spec: l2Base({
      logs: {
        'speaker-n1/speaker': [
          logLine({ op: 'memberDiscovery', level: 'error', msg: 'partial join', joined: 1, expected: 3, error: 'dial tcp 192.0.2.12:7946: i/o timeout' }),
          logLine({ component: 'Memberlist', level: 'warn', msg: 'memberlist: Failed to join 192.0.2.13: dial tcp 192.0.2.13:7946: connect: connection refused' }),
        ].join('\n'),
      },
    }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /Speaker speaker-n1 on n1: memberlist partial join, failed to join \(2 line\(s\)\)/);
      assert.ok(f[0].evidence[0].excerpt.includes('partial join'));
    },
  },
  { name: 'suspect churn only', spec: l2Base({ logs: { 'speaker-n2/speaker': logLine({ component: 'Memberlist', level: 'info', msg: 'memberlist: Suspect n3 has failed, no acks received' }) } }), fires: true, check: (f) => assert.equal(f[0].severity, 'warning') },
]);
