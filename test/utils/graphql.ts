/**
 * The one function tests send GraphQL over HTTP with, kept apart so it can be swapped for the shared
 * typed client without touching the tests.
 */

interface GraphQLErrorBody {
  message: string;
  path?: unknown[];
  extensions?: Record<string, any>;
}

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: GraphQLErrorBody[] };
}

/** POSTs one operation as a GraphQL client does (JSON in, JSON out); an empty body answers `{}`. */
export async function postGraphQL<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as never) : {} };
}
