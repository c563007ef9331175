/**
 * Child process for the signal test: brings a lab up, prints its description, then waits to be
 * interrupted. Run as `node --import tsx test/lab/lab-child.ts <prefix>`.
 */
import { createLabBackend } from '../../src/lab/index.js';
import { testWorld } from './worlds.js';

const lab = await createLabBackend(testWorld('signal', { l2: true }), { prefix: process.argv[2] });
await lab.ready;
process.stdout.write(`${JSON.stringify(lab.describe())}\n`);
setInterval(() => undefined, 60_000);
