/** How findings are grouped into one card (the report) or one line (the demo summary). Dependency-free: the CLI imports it eagerly. */

/**
 * A fix with the names of its own subjects and any IP address blanked out: "Resolve why worker-2
 * does not send 198.51.100.201" and "... worker-4 ... 198.51.100.200" are the same fix for a card.
 */
export function fixShape(fix: string, subjectNames: string[]): string {
  let shape = fix;
  for (const name of [...subjectNames].filter((n) => n.length >= 3).sort((a, b) => b.length - a.length)) shape = shape.split(name).join('\u0000');
  return shape.replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+)?\b/g, '\u0001').replace(/\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\/\d+)?/gi, '\u0001');
}
