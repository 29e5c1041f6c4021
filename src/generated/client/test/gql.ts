/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query TestBackends {\n  backends {\n    id\n    kind\n    healthy\n  }\n}\n\nquery TestBatch($id: ID!) {\n  batch(id: $id) {\n    id\n    nativeId\n    name\n    state\n    backend {\n      id\n    }\n    progress {\n      percent\n    }\n  }\n}\n\nsubscription TestBatchProgress($id: ID!) {\n  batchProgress(id: $id) {\n    terminal\n    error {\n      code\n      message\n    }\n    batch {\n      id\n      state\n    }\n  }\n}": typeof types.TestBackendsDocument,
};
const documents: Documents = {
    "query TestBackends {\n  backends {\n    id\n    kind\n    healthy\n  }\n}\n\nquery TestBatch($id: ID!) {\n  batch(id: $id) {\n    id\n    nativeId\n    name\n    state\n    backend {\n      id\n    }\n    progress {\n      percent\n    }\n  }\n}\n\nsubscription TestBatchProgress($id: ID!) {\n  batchProgress(id: $id) {\n    terminal\n    error {\n      code\n      message\n    }\n    batch {\n      id\n      state\n    }\n  }\n}": types.TestBackendsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TestBackends {\n  backends {\n    id\n    kind\n    healthy\n  }\n}\n\nquery TestBatch($id: ID!) {\n  batch(id: $id) {\n    id\n    nativeId\n    name\n    state\n    backend {\n      id\n    }\n    progress {\n      percent\n    }\n  }\n}\n\nsubscription TestBatchProgress($id: ID!) {\n  batchProgress(id: $id) {\n    terminal\n    error {\n      code\n      message\n    }\n    batch {\n      id\n      state\n    }\n  }\n}"): typeof import('./graphql.js').TestBackendsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
