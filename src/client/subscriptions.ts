import { createClient, type Client } from 'graphql-ws';
import { GatewayError, toGatewayError, UNAUTHENTICATED_MESSAGE } from './errors.js';
import type { TypedDocument } from './http.js';

/** The gateway closes the socket with 4403 when it refuses the token: retrying cannot help. */
const REFUSED = 4403;

export interface SubscriptionOptions {
  /** The WebSocket class: `ws` in Node, the global `WebSocket` in a browser. */
  webSocketImpl: unknown;
  /** Read on every (re)connect, so a token set later is used by the next socket. */
  token?: string | null | undefined | (() => string | null | undefined);
  /** How many reconnects in a row before giving up. */
  retryAttempts: number;
  /** Waits before reconnect number `retries`; graphql-ws's randomised backoff when absent. */
  retryWait?: (retries: number) => Promise<void>;
  onConnected?: () => void;
  /** Called with the close code each time the socket closes. */
  onClosed?: (code: number) => void;
}

interface SubscriptionSink<Result> {
  next(data: Result): void;
  /** A GraphQL error, UNAUTHENTICATED (token refused) or CONNECTION_FAILED (reconnects gave up). */
  error(error: GatewayError): void;
  complete(): void;
}

export interface SubscriptionClient {
  /** Starts a subscription; returns a function that stops it. */
  subscribe<Result, Variables>(document: TypedDocument<Result, Variables>, variables: Variables, sink: SubscriptionSink<Result>): () => void;
  /** Drops the socket now (it reconnects lazily, with the current token, for the next subscription). */
  terminate(): void;
  dispose(): Promise<void>;
}

/** One lazy graphql-ws socket to the gateway at `url` (http(s) is turned into ws(s)). */
export function createSubscriptionClient(url: string, options: SubscriptionOptions): SubscriptionClient {
  const wsUrl = url.replace(/^http/, 'ws');
  let closedCode: number | null = null;
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    retryAttempts: options.retryAttempts,
    ...(options.retryWait ? { retryWait: options.retryWait } : {}),
    shouldRetry: (event) => closeCode(event) !== REFUSED,
    connectionParams: () => {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connected: () => {
        closedCode = null;
        options.onConnected?.();
      },
      closed: (event) => {
        closedCode = closeCode(event) ?? 1006;
        options.onClosed?.(closedCode);
      },
    },
  });

  return {
    subscribe<Result, Variables>(document: TypedDocument<Result, Variables>, variables: Variables, sink: SubscriptionSink<Result>): () => void {
      return client.subscribe<Result>(
        { query: document.toString(), variables: variables as Record<string, unknown> },
        {
          next: (result) => {
            if (result.data) return sink.next(result.data);
            const first = result.errors?.[0];
            sink.error(first ? toGatewayError(first) : new GatewayError('the gateway sent no data', 'BAD_RESPONSE'));
          },
          error: (error) => {
            if (Array.isArray(error) && error[0]) return sink.error(toGatewayError(error[0] as never));
            if (closedCode === REFUSED) return sink.error(new GatewayError(UNAUTHENTICATED_MESSAGE, 'UNAUTHENTICATED'));
            sink.error(new GatewayError(`cannot keep a WebSocket open to ${url}${closedCode ? ` (close code ${closedCode})` : ''}`, 'CONNECTION_FAILED'));
          },
          complete: () => sink.complete(),
        },
      );
    },
    terminate: () => client.terminate(),
    dispose: () => Promise.resolve(client.dispose()),
  };
}

const closeCode = (event: unknown): number | null => {
  const code = (event as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
};
