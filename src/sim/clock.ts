/**
 * The simulated world's one clock. A scenario's times (creation, log lines, events, restarts, FRR
 * uptimes, capture timestamps) are placed relative to the moment the world is built, and every
 * time-based API answer (logs `sinceSeconds`/`sinceTime`, table ages, events, container state
 * times) reads the same clock, so a collection sees the scenario's logs whatever day it runs on.
 *
 * Without a pinned time the clock is the machine's clock. A scenario that pins `time:` (a
 * recording) starts at that instant and then advances in real time: filters and stamps stay
 * consistent with the scenario's own timestamps.
 */
export class SimClock {
  /** Added to the machine's clock: zero unless the scenario pins its time. */
  private readonly offsetMs: number;
  readonly pinned: boolean;
  /** The world's time when the clock was made: what a scenario's times are placed before. */
  readonly startedAt: Date;

  constructor(pinnedTime?: string | Date) {
    this.pinned = pinnedTime !== undefined;
    const anchor = pinnedTime === undefined ? Date.now() : new Date(pinnedTime).getTime();
    if (Number.isNaN(anchor)) throw new Error(`invalid scenario time ${JSON.stringify(pinnedTime)}`);
    this.offsetMs = pinnedTime === undefined ? 0 : anchor - Date.now();
    this.startedAt = new Date(anchor);
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** RFC 3339 with whole seconds, as metav1.Time serialises. */
  rfc3339(offsetMs = 0): string {
    return new Date(this.nowMs() + offsetMs).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  /** RFC 3339 with nine fractional digits, as the kubelet stamps log lines (RFC3339NanoFixed). */
  rfc3339Nano(): string {
    return this.now().toISOString().replace('Z', '000000Z');
  }
}
