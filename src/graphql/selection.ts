import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the query selects any of `names` on the object at `path` below the resolved field
 * (through fragments and inline fragments; `@skip`/`@include` are not evaluated, so a field they
 * may drop counts as selected). Used to tell a live poll what its watchers will read.
 */
export function selectsAnyBelow(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[], names: ReadonlySet<string>): boolean {
  let level: SelectionSetNode[] = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const step of path) {
    level = fieldsOf(level, info.fragments)
      .filter((field) => field.name.value === step)
      .flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return fieldsOf(level, info.fragments).some((field) => names.has(field.name.value));
}

function fieldsOf(sets: SelectionSetNode[], fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const set of sets) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...fieldsOf([selection.selectionSet], fragments, seen));
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) fields.push(...fieldsOf([fragment.selectionSet], fragments, seen));
      }
    }
  }
  return fields;
}
