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
    "fragment CliBatch on Batch {\n  id\n  nativeId\n  name\n  state\n  nativeStatus\n  backend {\n    id\n  }\n  progress {\n    percent\n    completedItems\n    totalItems\n    failedItems\n    message\n  }\n  startedAt\n  finishedAt\n}\n\nquery CliList($after: String) {\n  batches(first: 20, after: $after) {\n    edges {\n      node {\n        ...CliBatch\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nsubscription CliWatch($id: ID!) {\n  batchProgress(id: $id) {\n    terminal\n    error {\n      code\n      message\n      backend\n    }\n    batch {\n      ...CliBatch\n      error {\n        code\n        message\n      }\n      steps {\n        name\n        label\n        status\n        messages {\n          severity\n          text\n        }\n      }\n    }\n  }\n}": typeof types.CliBatchFragmentDoc,
};
const documents: Documents = {
    "fragment CliBatch on Batch {\n  id\n  nativeId\n  name\n  state\n  nativeStatus\n  backend {\n    id\n  }\n  progress {\n    percent\n    completedItems\n    totalItems\n    failedItems\n    message\n  }\n  startedAt\n  finishedAt\n}\n\nquery CliList($after: String) {\n  batches(first: 20, after: $after) {\n    edges {\n      node {\n        ...CliBatch\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nsubscription CliWatch($id: ID!) {\n  batchProgress(id: $id) {\n    terminal\n    error {\n      code\n      message\n      backend\n    }\n    batch {\n      ...CliBatch\n      error {\n        code\n        message\n      }\n      steps {\n        name\n        label\n        status\n        messages {\n          severity\n          text\n        }\n      }\n    }\n  }\n}": types.CliBatchFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment CliBatch on Batch {\n  id\n  nativeId\n  name\n  state\n  nativeStatus\n  backend {\n    id\n  }\n  progress {\n    percent\n    completedItems\n    totalItems\n    failedItems\n    message\n  }\n  startedAt\n  finishedAt\n}\n\nquery CliList($after: String) {\n  batches(first: 20, after: $after) {\n    edges {\n      node {\n        ...CliBatch\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nsubscription CliWatch($id: ID!) {\n  batchProgress(id: $id) {\n    terminal\n    error {\n      code\n      message\n      backend\n    }\n    batch {\n      ...CliBatch\n      error {\n        code\n        message\n      }\n      steps {\n        name\n        label\n        status\n        messages {\n          severity\n          text\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.js').CliBatchFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
