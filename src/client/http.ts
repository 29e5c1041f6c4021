import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import type { GraphQLFormattedError } from 'graphql';
import { GatewayError, toGatewayError, UNAUTHENTICATED_MESSAGE } from './errors.js';

/** A generated document (src/generated/client/): its text, with its result and variables types. */
export type TypedDocument<Result, Variables> = DocumentTypeDecoration<Result, Variables> & { toString(): string };

interface RequestOptions {
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string | null | undefined;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** @default 30_000 */
  timeoutMs?: number;
}

/** The gateway's answer as it came: nothing is thrown for GraphQL errors or HTTP statuses. */
export interface RawResult<Result> {
  status: number;
  headers: Headers;
  /** Absent when the body is not a GraphQL response (then `body` is null). */
  data?: Result | null;
  errors?: GraphQLFormattedError[];
  /** The parsed JSON body, null when the body is not JSON. */
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** What `request` and `query` send: the gateway's URL, a typed document, its variables, and how. */
type SendArgs<Result, Variables> = [url: string, document: TypedDocument<Result, Variables>, variables: Variables, options?: RequestOptions];

/**
 * POSTs one typed document and returns status, data and errors as they came. Throws only when no
 * answer arrives (GatewayError CONNECTION_FAILED: unreachable, refused, timed out).
 */
export async function request<Result, Variables>(...[url, document, variables, options = {}]: SendArgs<Result, Variables>): Promise<RawResult<Result>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query: document.toString(), variables }),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    throw new GatewayError(`cannot reach ${url} (${causeOf(error)})`, 'CONNECTION_FAILED');
  }
  const body: unknown = await response.json().catch(() => null);
  const result: RawResult<Result> = { status: response.status, headers: response.headers, body };
  if (isGraphQLBody<Result>(body)) {
    if ('data' in body) result.data = body.data ?? null;
    if (body.errors) result.errors = body.errors;
  }
  return result;
}

/** What `query` resolves to: data, and the errors beside it (one failing backend never hides the others). */
export interface QueryResult<Result> {
  data: Result;
  errors: GatewayError[];
}

/**
 * POSTs one typed document and returns its data with the errors beside it. Throws a GatewayError
 * when there is no data: CONNECTION_FAILED, UNAUTHENTICATED (HTTP 401), BAD_RESPONSE (not a GraphQL
 * answer), or the first GraphQL error.
 */
export async function query<Result, Variables>(...args: SendArgs<Result, Variables>): Promise<QueryResult<Result>> {
  const [url] = args;
  const result = await request(...args);
  if (result.status === 401) throw new GatewayError(UNAUTHENTICATED_MESSAGE, 'UNAUTHENTICATED');
  if (result.data === undefined && result.errors === undefined) {
    throw new GatewayError(`${url} answered HTTP ${result.status} without a GraphQL body`, 'BAD_RESPONSE');
  }
  const errors = (result.errors ?? []).map(toGatewayError);
  if (result.data === undefined || result.data === null) throw errors[0] ?? new GatewayError('the gateway returned no data', 'BAD_RESPONSE');
  return { data: result.data, errors };
}

function isGraphQLBody<Result>(body: unknown): body is { data?: Result | null; errors?: GraphQLFormattedError[] } {
  if (typeof body !== 'object' || body === null) return false;
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  return (data !== undefined && (data === null || typeof data === 'object')) || Array.isArray(errors);
}

const causeOf = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
};
