/**
 * One 'abort' listener per signal, however many callers wait on it. A run's signal is watched by
 * every queued request, exec and attach wait at once (thousands at 500 nodes), and Node's
 * EventTarget walks its whole listener list on each add and remove, so listening directly made
 * registering them quadratic (about 0.4 s of CPU per 500-node run).
 */
const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `fn` once when `signal` aborts; returns the function that stops listening. */
export function whenAborted(signal: AbortSignal, fn: () => void): () => void {
  let set = callbacks.get(signal);
  if (!set) {
    const created = new Set<() => void>();
    callbacks.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        const due = [...created];
        created.clear();
        for (const f of due) f();
      },
      { once: true },
    );
    set = created;
  }
  const mine = set;
  mine.add(fn);
  return () => {
    mine.delete(fn);
  };
}
