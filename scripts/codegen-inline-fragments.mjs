// A document transform for `npm run codegen` (codegen.yml): each operation's typed document gets its
// fragments' fields inlined. The gateway's cost limit charges a fragment spread as one more level of
// depth, so documents stay within it exactly as if the fields were written out; the fragments keep
// their types for the code that shares them.
import { optimizeDocuments } from '@graphql-tools/relay-operation-optimizer';
import { buildASTSchema } from 'graphql';

/** Codegen calls it with the schema as SDL (a DocumentNode) and the files of documents. */
export function transform({ schema, documents }) {
  const locationOf = new Map();
  for (const file of documents) {
    for (const definition of file.document?.definitions ?? []) {
      if ('name' in definition && definition.name) locationOf.set(definition.name.value, file.location);
    }
  }
  const optimized = optimizeDocuments(
    buildASTSchema(schema, { assumeValidSDL: true }),
    documents.flatMap((file) => (file.document ? [file.document] : [])),
    { includeFragments: true, noLocation: true },
  );
  return optimized.map((document) => {
    const [definition] = document.definitions;
    const name = definition && 'name' in definition && definition.name ? definition.name.value : undefined;
    return { document, location: (name && locationOf.get(name)) ?? documents[0]?.location };
  });
}
