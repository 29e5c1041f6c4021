import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsAnyBelow } from './selection.js';

const NAMES = new Set(['executions', 'steps']);

/** The root field of `document` as a resolver's `info` shows it. */
function infoOf(document: string) {
  const parsed = parse(document);
  const operation = parsed.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    parsed.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

describe('selectsAnyBelow', () => {
  it.each([
    ['a plain field', 'subscription { w { batch { id executions { totalCount } } } }', true],
    ['no such field', 'subscription { w { batch { id progress { percent } } } }', false],
    ['the name elsewhere than under batch', 'subscription { w { executions batch { id } } }', false],
    ['a fragment spread', 'subscription { w { batch { ...F } } } fragment F on Batch { steps { name } }', true],
    ['a fragment on the event', 'subscription { w { ...E } } fragment E on Event { batch { ... on Batch { executions { totalCount } } } }', true],
    ['an inline fragment', 'subscription { w { batch { ... on Batch { id } } } }', false],
    ['an alias (the field name counts)', 'subscription { w { batch { rows: executions { totalCount } } } }', true],
    ['a self-referencing fragment', 'subscription { w { batch { ...F } } } fragment F on Batch { id ...F }', false],
  ])('%s', (_what, document, expected) => {
    expect(selectsAnyBelow(infoOf(document), ['batch'], NAMES)).toBe(expected);
  });
});
