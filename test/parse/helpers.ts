/** Fixture access for parser tests: copies of the lab samples live in fixtures/parse. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const fixtureRoot = join(process.cwd(), 'fixtures', 'parse');

export function fixture(path: string): string {
  return readFileSync(join(fixtureRoot, path), 'utf8');
}

export function fixtureBytes(path: string): Buffer {
  return readFileSync(join(fixtureRoot, path));
}

export function fixtureNames(dir: string): string[] {
  return readdirSync(join(fixtureRoot, dir)).sort();
}

/** Inputs every parser must survive without throwing. */
export const hostileInputs: Record<string, string> = {
  empty: '',
  whitespace: '   \n\n ',
  binary: '\u0000\u0001\u0002\u00ff\u00fe\u0007garbage\u0000\u0000\u0003\u0004\u0005\u0006\u0008\u000e\u000f',
  jsonWrongShape: '{"unexpected": [1, 2, {"deep": null}]}',
  jsonScalar: '42',
  truncatedJson: '[{"ifname":"eth0","addr_info":[{"family":"inet","local":"10.0',
  html: '<script>alert(1)</script>\n<img src=x onerror=alert(1)>',
  longLine: 'x'.repeat(200_000),
};
