import { createSubscriptionClient, GatewayError, query, type QueryResult, type TypedDocument } from '../client/index.js';

export interface DashboardApi {
  query<Result, Variables>(document: TypedDocument<Result, Variables>, variables: Variables): Promise<QueryResult<Result>>;
  /** Starts a subscription; returns a function that stops it. */
  subscribe<Result, Variables>(document: TypedDocument<Result, Variables>, variables: Variables, sink: SubscriptionSink<Result>): () => void;
  /** Called when the gateway refuses the token (HTTP 401 or WebSocket close 4403). */
  onUnauthenticated(listener: () => void): void;
  /** Called with true when the WebSocket is open, false while it reconnects. */
  onConnection(listener: (connected: boolean) => void): void;
  /** Drops the socket so the next subscription connects with the current token. */
  reconnect(): void;
}

interface SubscriptionSink<Result> {
  next(data: Result): void;
  error?(error: GatewayError): void;
  complete?(): void;
}

const TOKEN_KEY = 'batchgate:token';

/** The token lives in sessionStorage: it survives a reload but not the browser tab. */
export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string | null): void => {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export const authorizationHeader = (): Record<string, string> => {
  const token = tokenStore.get();
  return token ? { authorization: `Bearer ${token}` } : {};
};

/** HTTP for queries and mutations, one lazy graphql-ws socket for subscriptions, both on this origin. */
export function createDashboardApi(endpoint: string): DashboardApi {
  const httpUrl = new URL(endpoint, window.location.href).toString();
  const unauthenticated: Array<() => void> = [];
  const connection: Array<(connected: boolean) => void> = [];
  const refuse = () => unauthenticated.forEach((listener) => listener());

  const client = createSubscriptionClient(httpUrl, {
    webSocketImpl: WebSocket,
    // Keep retrying while the gateway restarts; the periodic re-query covers the gap.
    retryAttempts: Number.POSITIVE_INFINITY,
    token: () => tokenStore.get(),
    onConnected: () => connection.forEach((listener) => listener(true)),
    onClosed: (code) => {
      connection.forEach((listener) => listener(false));
      if (code === 4403) refuse();
    },
  });

  return {
    async query(document, variables) {
      try {
        return await query(httpUrl, document, variables, { token: tokenStore.get() });
      } catch (error) {
        if (error instanceof GatewayError && error.code === 'UNAUTHENTICATED') refuse();
        throw error;
      }
    },
    subscribe: (document, variables, sink) =>
      client.subscribe(document, variables, {
        next: (data) => sink.next(data),
        error: (error) => sink.error?.(error),
        complete: () => sink.complete?.(),
      }),
    onUnauthenticated: (listener) => void unauthenticated.push(listener),
    onConnection: (listener) => void connection.push(listener),
    reconnect: () => client.terminate(),
  };
}
