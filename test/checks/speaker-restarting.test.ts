import assert from 'node:assert/strict';
import { caseTable, l2Base, logLine, speaker, controller } from './helpers.js';

caseTable('speaker-restarting', [
  { name: 'a single restart', spec: l2Base({ pods: [speaker('n1', { restarts: 1 }), controller()] }), fires: false },
  {
    name: 'five restarts with a previous log naming the error',
    spec: l2Base({
      pods: [speaker('n1', { restarts: 5 }), controller()],
      logs: { 'speaker-n1/speaker.previous': [logLine({ msg: 'starting' }), logLine({ level: 'error', msg: 'failed to read memberlist secret key file', error: 'open /etc/ml_secret_key/secretkey: no such file' })].join('\n') },
    }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /speaker-n1\/speaker on n1 restarted 5 times — last error: failed to read memberlist secret key file/);
      assert.ok(f[0].evidence.some((e) => e.path === 'logs/speaker-n1/speaker.previous.log'));
    },
  },
  { name: 'CrashLoopBackOff', spec: l2Base({ pods: [speaker('n1', { restarts: 2, waiting: 'CrashLoopBackOff' }), controller()] }), fires: true, check: (f) => assert.equal(f[0].severity, 'error') },
]);
