#!/usr/bin/env node
// Entry point for `mlb-report` and the kubectl plugin `kubectl-mlb_report`.
// The CLI is shipped as TypeScript and loaded through tsx, so `npx mlb-report` works
// straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
await main(process.argv);
