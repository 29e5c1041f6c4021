import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { GatewayConfig } from '../config/load.js';

type ShapeLimits = Pick<GatewayConfig['limits'], 'maxRootFields' | 'maxSelectionFields' | 'maxFields' | 'maxHeight' | 'maxFieldRepeats'>;

/**
 * Counts a document's fields before it is validated, and says why it is too big (or null).
 *
 * graphql's own validation compares same-named fields pairwise (OverlappingFieldsCanBeMerged), so a
 * few kilobytes of repeated fields cost tens of milliseconds of CPU each; these caps keep any
 * document that gets through to validation cheap. The walk stops as soon as a cap is passed, and
 * fragment spreads count what they spread, so nesting fragments cannot multiply the work unseen.
 */
export function documentShapeError(document: DocumentNode, limits: ShapeLimits): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let total = 0;
  const paths = new Set<string>();
  let problem: string | null = null;

  // Fields of one selection set, fragments inlined (as the validation rules see them merged),
  // counted per response name.
  const directFields = (set: SelectionSetNode, seen: Set<string>, names: Map<string, number>): number => {
    let count = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        count += 1;
        const name = selection.alias?.value ?? selection.name.value;
        names.set(name, (names.get(name) ?? 0) + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) count += directFields(selection.selectionSet, seen, names);
      else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) count += directFields(fragment.selectionSet, new Set([...seen, selection.name.value]), names);
      }
    }
    return count;
  };

  const walk = (set: SelectionSetNode, path: string, seen: Set<string>, root: boolean): void => {
    const names = new Map<string, number>();
    const width = directFields(set, seen, names);
    if (root && width > limits.maxRootFields) problem ??= `The operation selects ${width} root fields; at most ${limits.maxRootFields} are allowed`;
    if (width > limits.maxSelectionFields) problem ??= `A selection set has ${width} fields; at most ${limits.maxSelectionFields} are allowed`;
    // Fields sharing a response name are compared pair by pair, their sub-selections too: the cost
    // multiplies with each level, so repeats are capped where they occur.
    for (const [name, repeats] of names) {
      if (repeats > limits.maxFieldRepeats) problem ??= `A selection set selects "${name.slice(0, 40)}" ${repeats} times; at most ${limits.maxFieldRepeats} are allowed`;
    }
    for (const selection of set.selections) {
      if (problem) return;
      if (selection.kind === Kind.FIELD) {
        total += 1;
        const key = `${path}.${selection.alias?.value ?? selection.name.value}`;
        paths.add(key);
        if (total > limits.maxFields) problem = `The document has more than ${limits.maxFields} fields`;
        else if (paths.size > limits.maxHeight) problem = `The document has more than ${limits.maxHeight} distinct fields`;
        else if (selection.selectionSet) walk(selection.selectionSet, key, seen, false);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, path, seen, false);
      } else if (!seen.has(selection.name.value)) {
        // A fragment spread inside itself is a cycle validation reports; it is not followed here.
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet, path, new Set([...seen, selection.name.value]), false);
      }
    }
  };

  // Fragment definitions too: validation compares their fields even when nothing spreads them.
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) walk(definition.selectionSet, '', new Set(), true);
    else if (definition.kind === Kind.FRAGMENT_DEFINITION) walk(definition.selectionSet, `#${definition.name.value}`, new Set([definition.name.value]), false);
    if (problem) return problem;
  }
  return null;
}
