/**
 * What every parser returns: the data it could read plus notes about what it could not.
 * Parsers never throw on bad input (empty, truncated, binary, wrong shape); a damaged file
 * yields partial data and notes, so one broken output never hides the rest of a bundle.
 */
import type { ParseNote } from '../model/cluster.js';

export type { ParseNote };

export interface Parsed<T> {
  value: T;
  notes: ParseNote[];
}

/** Collects notes for one file; keeps the first few identical messages only, so junk cannot flood a report. */
export class NoteSink {
  readonly notes: ParseNote[] = [];
  private readonly seen = new Map<string, number>();
  constructor(readonly path: string, private readonly maxPerMessage = 5, private readonly maxTotal = 50) {}

  add(message: string): void {
    const key = message.replace(/\d+/g, '#');
    const count = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, count);
    if (this.notes.length >= this.maxTotal) return;
    if (count > this.maxPerMessage) return;
    this.notes.push({ path: this.path, message: count === this.maxPerMessage ? `${message} (further similar notes omitted)` : message });
  }

  result<T>(value: T): Parsed<T> {
    return { value, notes: this.notes };
  }
}
