import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSchema } from '../src/graphql/schema.js';

describe('the GraphQL schema', () => {
  it('keeps every type, field, argument and enum value the contract names', () => {
    const contract = buildSchema(readFileSync(new URL('./fixtures/contract.graphql', import.meta.url), 'utf8'));
    const breaking = findBreakingChanges(contract, createSchema()).map((change) => `${change.type}: ${change.description}`);
    expect(breaking).toEqual([]);
  });
});
