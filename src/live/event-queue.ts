/**
 * A push-to-pull bridge for one subscriber: pollers push events, graphql-ws pulls them. A slow
 * consumer never makes memory grow: events not yet pulled are replaced by newer ones for the same
 * batch (only the latest state matters), and a terminal event is never dropped.
 */
export interface EventQueue<T> extends AsyncIterableIterator<T> {
  push(event: T): void;
  /** Ends the stream after the events already queued. */
  end(): void;
  /** Ends the stream with an error after the events already queued. */
  fail(error: Error): void;
  readonly closed: boolean;
}

export function createEventQueue<T>(options: { keyOf: (event: T) => string; onClose: () => void }): EventQueue<T> {
  const pending = new Map<string, T>();
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let rejectWaiting: ((error: Error) => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    options.onClose();
  };

  const queue: EventQueue<T> = {
    push(event) {
      if (ended || closed) return;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        rejectWaiting = null;
        resolve({ value: event, done: false });
        return;
      }
      const key = options.keyOf(event);
      pending.delete(key); // re-insert so the newest event goes to the back of the line
      pending.set(key, event);
    },
    end() {
      ended = true;
      if (waiting && pending.size === 0) {
        const resolve = waiting;
        waiting = null;
        close();
        resolve({ value: undefined, done: true });
      }
    },
    fail(error) {
      failure = error;
      ended = true;
      if (waiting && pending.size === 0) {
        const reject = rejectWaiting!;
        waiting = null;
        rejectWaiting = null;
        close();
        reject(error);
      }
    },
    get closed() {
      return closed;
    },
    next() {
      const first = pending.entries().next();
      if (!first.done) {
        pending.delete(first.value[0]);
        return Promise.resolve({ value: first.value[1], done: false });
      }
      if (ended || closed) {
        close();
        if (failure) {
          const error = failure;
          failure = null;
          return Promise.reject(error);
        }
        return Promise.resolve({ value: undefined, done: true });
      }
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = resolve;
        rejectWaiting = reject;
      });
    },
    return() {
      pending.clear();
      ended = true;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value: undefined, done: true });
      }
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      void queue.return?.();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
