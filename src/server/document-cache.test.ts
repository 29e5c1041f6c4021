import { makeExecutableSchema } from '@graphql-tools/schema';
import type { ValidationContext, ValidationRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createDocumentCache } from './document-cache.js';

const schema = makeExecutableSchema({ typeDefs: 'type Query { x: Int } type Subscription { tick(n: Int): Int }' });

/** A rule that only counts how often validation ran. */
function countingRule(): { rule: ValidationRule; runs: () => number } {
  let runs = 0;
  const rule = (_context: ValidationContext) => {
    runs += 1;
    return {};
  };
  return { rule, runs: () => runs };
}

describe('createDocumentCache', () => {
  it('validates an identical subscription text once and hands every caller the same document', () => {
    const counting = countingRule();
    const cache = createDocumentCache({ schema, rules: [counting.rule], maxTokens: 100 });
    const first = cache.check('subscription { tick(n: 1) }');
    const again = Array.from({ length: 1000 }, () => cache.check('subscription { tick(n: 1) }'));
    expect(first.document).toBeDefined();
    expect(again.every((checked) => checked.document === first.document)).toBe(true);
    expect(counting.runs()).toBe(1);
  });

  it('remembers failures with their codes: parse, token cap and validation', () => {
    const counting = countingRule();
    const cache = createDocumentCache({ schema, rules: [counting.rule], maxTokens: 10 });
    const codes = (query: string) => cache.check(query).errors?.map((error) => error.extensions['code']);
    expect(codes('subscription {')).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codes('subscription { tick(n: 1) tick(n: 1) tick(n: 1) }')).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codes('subscription { nope }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes('subscription { nope }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(counting.runs()).toBe(1);
  });

  it('forgets the least recently used text beyond maxEntries and never keeps texts over maxQueryLength', () => {
    const counting = countingRule();
    const cache = createDocumentCache({ schema, rules: [counting.rule], maxTokens: 100, maxEntries: 2, maxQueryLength: 40 });
    cache.check('subscription { tick(n: 1) }');
    cache.check('subscription { tick(n: 2) }');
    cache.check('subscription { tick(n: 1) }'); // used again: n: 2 is now the oldest
    cache.check('subscription { tick(n: 3) }');
    expect(cache.size).toBe(2);
    cache.check('subscription { tick(n: 1) }');
    expect(counting.runs()).toBe(3);
    cache.check('subscription { tick(n: 2) }');
    expect(counting.runs()).toBe(4);

    const long = `subscription { tick(n: ${'1'.repeat(40)}) }`;
    cache.check(long);
    cache.check(long);
    expect(counting.runs()).toBe(6);
    expect(cache.size).toBe(2);
  });
});
