import { parse, type ExecutionResult } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { createSharedSubscribe } from './shared-execution.js';

function fixture(events: Array<{ value: number; other?: number }> = [{ value: 1 }, { value: 2 }]) {
  let resolved = 0;
  const schema = makeExecutableSchema({
    typeDefs: 'type Query { x: Int } type Subscription { tick: Int }',
    resolvers: {
      Subscription: {
        tick: {
          subscribe: async function* () {
            yield* events;
          },
          resolve: (event: { value: number }) => {
            resolved += 1;
            return event.value;
          },
        },
      },
    },
  });
  return { schema, resolved: () => resolved };
}

async function drain(stream: unknown): Promise<ExecutionResult[]> {
  const out: ExecutionResult[] = [];
  for await (const result of stream as AsyncIterable<ExecutionResult>) out.push(result);
  return out;
}

describe('shared subscription execution', () => {
  it('does not send a subscriber an answer equal to the last one it got (events differing only in fields it did not select)', async () => {
    const { schema } = fixture([{ value: 1 }, { value: 1, other: 5 }, { value: 2 }, { value: 2, other: 6 }, { value: 1 }]);
    const shared = createSharedSubscribe();
    const contextValue = {};
    shared.register(contextValue, 'one');
    const results = await drain(await shared.subscribe({ schema, document: parse('subscription { tick }'), contextValue }));
    expect(results).toEqual([{ data: { tick: 1 } }, { data: { tick: 2 } }, { data: { tick: 1 } }]);
  });

  it('executes an event once for every subscriber registered under the same key', async () => {
    const { schema, resolved } = fixture();
    const shared = createSharedSubscribe();
    const document = parse('subscription { tick }');
    const contexts = [{}, {}, {}];
    for (const context of contexts) shared.register(context, 'same');
    const streams = await Promise.all(contexts.map((contextValue) => shared.subscribe({ schema, document, contextValue })));
    const results = await Promise.all(streams.map(drain));
    expect(results).toEqual(contexts.map(() => [{ data: { tick: 1 } }, { data: { tick: 2 } }]));
    expect(resolved()).toBe(2);
  });

  it('executes separately for different keys and for unregistered contexts', async () => {
    const { schema, resolved } = fixture();
    const shared = createSharedSubscribe();
    const document = parse('subscription { tick }');
    const a = {};
    const b = {};
    shared.register(a, 'a');
    shared.register(b, 'b');
    const streams = await Promise.all([a, b, {}].map((contextValue) => shared.subscribe({ schema, document, contextValue })));
    await Promise.all(streams.map(drain));
    expect(resolved()).toBe(6);
  });

  it('answers a subscription that fails validation of its root field with the error result', async () => {
    const { schema } = fixture();
    const result = await createSharedSubscribe().subscribe({ schema, document: parse('subscription { nope }'), contextValue: {} });
    expect((result as ExecutionResult).errors?.length).toBe(1);
  });
});
