import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Repository / package root (holds package.json, templates/, fixtures/). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export const toolVersion: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;
