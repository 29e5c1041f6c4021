import { request } from '../../src/client/index.js';

/** The one function tests send GraphQL over HTTP with: any document text, through the shared client. */

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

/** POSTs one operation through the shared client (`src/client`); a body that is not JSON answers `{}`. */
export async function postGraphQL<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const result = await request<T, Record<string, unknown> | undefined>(url, query, variables, { headers });
  return { status: result.status, headers: result.headers, body: (result.body ?? {}) };
}
