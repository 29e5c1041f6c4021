import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { backoffDelay } from '../lib/backoff.js';

/** Where and how the CLI talks to a gateway. */
export interface CliTarget {
  /** `http(s)://host:port/graphql` */
  url: string;
  token?: string | undefined;
}

/** A GraphQL error from the gateway, keeping its contract code. */
export class CliGraphQLError extends Error {
  readonly code: string;
  readonly backend: string | null;
  constructor(message: string, code: string, backend: string | null = null) {
    super(message);
    this.name = 'CliGraphQLError';
    this.code = code;
    this.backend = backend;
  }
}

interface ErrorJson {
  message: string;
  extensions?: { code?: string; backend?: string };
}

export const toCliError = (error: ErrorJson): CliGraphQLError =>
  new CliGraphQLError(error.message, error.extensions?.code ?? 'INTERNAL_SERVER_ERROR', error.extensions?.backend ?? null);

/** POSTs one operation; data and errors both come back (a failing backend does not hide the others). */
export async function query<T>(target: CliTarget, document: string, variables: Record<string, unknown> = {}): Promise<{ data: T; errors: CliGraphQLError[] }> {
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      body: JSON.stringify({ query: document, variables }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliGraphQLError(`cannot reach ${target.url} (${causeOf(error)})`, 'CONNECTION_FAILED');
  }
  const body = (await response.json().catch(() => null)) as { data?: T | null; errors?: ErrorJson[] } | null;
  if (response.status === 401) throw new CliGraphQLError('the gateway wants a valid token (--token or BATCHGATE_TOKEN)', 'UNAUTHENTICATED');
  if (!body) throw new CliGraphQLError(`${target.url} answered HTTP ${response.status} without a GraphQL body`, 'BAD_RESPONSE');
  const errors = (body.errors ?? []).map(toCliError);
  if (body.data === undefined || body.data === null) throw errors[0] ?? new CliGraphQLError('the gateway returned no data', 'BAD_RESPONSE');
  return { data: body.data, errors };
}

/** A graphql-ws client for the gateway's socket, sending the token in `connectionParams`. */
export function subscriptionClient(target: CliTarget, options: { onClosed?: (code: number) => void; onConnected?: () => void } = {}): Client {
  return createClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    // A gateway restart should not end a watch: reconnect for about a minute, then give up.
    retryAttempts: 12,
    retryWait: (retries) => sleep(backoffDelay(retries, { baseMs: 500, maxMs: 5_000 })),
    // 4403 is the gateway refusing the token: retrying cannot help.
    shouldRetry: (event) => (event as { code?: number } | null)?.code !== 4403,
    connectionParams: target.token ? { authorization: `Bearer ${target.token}` } : {},
    on: {
      connected: () => options.onConnected?.(),
      closed: (event) => options.onClosed?.((event as { code?: number }).code ?? 1006),
    },
  });
}

const causeOf = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
};
