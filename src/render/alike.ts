/**
 * Nodes whose outputs raise no finding, summarised together: on a big healthy cluster their
 * sections and raw outputs were most of the report (11.7 MB of a 14.4 MB HTML at 500 nodes), and a
 * reader wants to know what they have in common and where their files are, not to read each one.
 */

/**
 * Names as short as a reader can still expand in their head: "node-001…node-250, node-252…node-500,
 * edge-a". Runs of consecutive numbers with one prefix and width become ranges; order is kept.
 */
export function compactNames(names: string[]): string {
  const parts: string[] = [];
  let run: { prefix: string; width: number; first: number; last: number; firstName: string; lastName: string } | undefined;
  const flush = (): void => {
    if (!run) return;
    if (run.last === run.first) parts.push(run.firstName);
    else if (run.last === run.first + 1) parts.push(run.firstName, run.lastName);
    else parts.push(`${run.firstName}…${run.lastName}`);
    run = undefined;
  };
  for (const name of names) {
    const match = /^(.*?)(\d+)$/.exec(name);
    if (!match) {
      flush();
      parts.push(name);
      continue;
    }
    const [, prefix, digits] = match;
    const number = Number(digits);
    // Numbers too long to be exact (a hash-like suffix) are names, not counters.
    if (!Number.isSafeInteger(number)) {
      flush();
      parts.push(name);
      continue;
    }
    if (run && run.prefix === prefix && run.width === digits.length && number === run.last + 1) {
      run.last = number;
      run.lastName = name;
      continue;
    }
    flush();
    run = { prefix, width: digits.length, first: number, last: number, firstName: name, lastName: name };
  }
  flush();
  return parts.join(', ');
}

/** Nodes sharing every trait, in name order. */
export interface AlikeGroup<T> {
  traits: string[];
  members: T[];
}

/** Groups items by the traits that describe them; the biggest group first, then by first member. */
export function groupAlike<T>(items: T[], traitsOf: (item: T) => string[]): AlikeGroup<T>[] {
  const groups = new Map<string, AlikeGroup<T>>();
  for (const item of items) {
    const traits = traitsOf(item);
    const key = traits.join('\u0000');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { traits, members: [] }));
    group.members.push(item);
  }
  return [...groups.values()].sort((a, b) => b.members.length - a.members.length);
}
