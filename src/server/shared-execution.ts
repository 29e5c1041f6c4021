import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

/**
 * Subscription execution shared between identical subscribers.
 *
 * graphql-js runs a subscription's selection once per event *per subscriber*. When 10,000 clients
 * watch 100 batches with the same query, every change is executed 100 times over the very same
 * event object the hub handed to each subscriber's queue. Here the result is computed once per
 * (event, share key) and reused; graphql-ws still wraps and sends it per subscriber.
 *
 * The share key must capture everything the result depends on besides the event: the query text,
 * operation name, variables and anything from the context that resolvers read (the link origin).
 * Subscribers with no key (none registered) execute as usual. Results are kept in a `WeakMap` on
 * the event, so they go away with it.
 */
export interface SharedSubscribe {
  /** For graphql-ws `useServer({ subscribe })`. */
  subscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  /** Marks a context as shareable with every other context registered under the same key. */
  register(contextValue: object, shareKey: string): void;
}

export function createSharedSubscribe(): SharedSubscribe {
  const keys = new WeakMap<object, string>();
  const results = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();

  const executeFor = (args: ExecutionArgs, event: unknown): ExecutionResult | Promise<ExecutionResult> => {
    const key = typeof args.contextValue === 'object' && args.contextValue !== null ? keys.get(args.contextValue) : undefined;
    if (key === undefined || typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let perEvent = results.get(event);
    if (!perEvent) results.set(event, (perEvent = new Map<string, ExecutionResult | Promise<ExecutionResult>>()));
    let result = perEvent.get(key);
    if (!result) {
      result = execute({ ...args, rootValue: event });
      perEvent.set(key, result);
    }
    return result;
  };

  // A result's JSON, made once however many subscribers it goes to.
  const texts = new WeakMap<object, string>();
  const textOf = (result: ExecutionResult): string => {
    let text = texts.get(result);
    if (text === undefined) texts.set(result, (text = JSON.stringify(result)));
    return text;
  };

  return {
    register(contextValue, shareKey) {
      keys.set(contextValue, shareKey);
    },
    async subscribe(args) {
      const stream = await createSourceEventStream(args);
      if (!isAsyncIterable(stream)) return stream;
      const iterator = stream[Symbol.asyncIterator]();
      // Events differ in fields a subscriber may not select: an answer equal to the last one it
      // got tells it nothing, and is not sent again.
      let lastText: string | null = null;
      const mapped: AsyncIterableIterator<ExecutionResult> = {
        async next() {
          for (;;) {
            const step = await iterator.next();
            if (step.done) return { done: true, value: undefined };
            const value = await executeFor(args, step.value);
            const text = textOf(value);
            if (text === lastText) continue;
            lastText = text;
            return { done: false, value };
          }
        },
        async return() {
          // Completing the subscription must reach the hub's queue, which frees the poller.
          await iterator.return?.();
          return { done: true, value: undefined };
        },
        async throw(error: unknown) {
          if (iterator.throw) await iterator.throw(error);
          throw error;
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return mapped;
    },
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
