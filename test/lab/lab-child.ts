/**
 * Child process for the signal test: brings a lab up, prints its description, then waits to be
 * interrupted. Run as `node --import tsx test/lab/lab-child.ts <prefix> [exit]`.
 */
import { createLabBackend } from '../../src/lab/index.js';
import { testWorld } from './worlds.js';

const lab = await createLabBackend(testWorld('signal', { l2: true }), { prefix: process.argv[2] });
await lab.ready;
process.stdout.write(`${JSON.stringify(lab.describe())}\n`);
// `exit`: leave without close(), as a crashing caller would; the exit hook must still clean up.
if (process.argv[3] === 'exit') setTimeout(() => process.exit(3), 100);
else setInterval(() => undefined, 60_000);
