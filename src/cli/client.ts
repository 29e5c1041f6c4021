import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { createSubscriptionClient, query, type GatewayError, type QueryResult, type SubscriptionClient, type TypedDocument } from '../client/index.js';
import { backoffDelay } from '../lib/backoff.js';

/** Where and how the CLI talks to a gateway. */
export interface CliTarget {
  /** `http(s)://host:port/graphql` */
  url: string;
  token?: string | undefined;
}

/** POSTs one operation; data and errors both come back (a failing backend does not hide the others). */
export function cliQuery<Result, Variables>(target: CliTarget, document: TypedDocument<Result, Variables>, variables: Variables): Promise<QueryResult<Result>> {
  return query(target.url, document, variables, { token: target.token, timeoutMs: 30_000 });
}

/** A graphql-ws client for the gateway's socket, sending the token in `connectionParams`. */
export function subscriptionClient(target: CliTarget): SubscriptionClient {
  return createSubscriptionClient(target.url, {
    webSocketImpl: WebSocket,
    token: target.token,
    // A gateway restart should not end a watch: reconnect for about a minute, then give up.
    retryAttempts: 12,
    retryWait: (retries) => sleep(backoffDelay(retries, { baseMs: 500, maxMs: 5_000 })),
  });
}

/** `CODE message`, with where a token comes from when the gateway refused it. */
export function describeError(error: GatewayError): string {
  return `${error.code} ${error.message}${error.code === 'UNAUTHENTICATED' ? ' (--token or BATCHGATE_TOKEN)' : ''}`;
}
