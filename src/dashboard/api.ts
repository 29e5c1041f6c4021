import { createClient, type Client } from 'graphql-ws';

/** A GraphQL error as the gateway sends it: the code is what the UI reacts to. */
export class DashboardApiError extends Error {
  readonly code: string;
  readonly backend: string | null;
  constructor(message: string, code: string, backend: string | null = null) {
    super(message);
    this.name = 'DashboardApiError';
    this.code = code;
    this.backend = backend;
  }
}

interface GraphQLErrorJson {
  message: string;
  extensions?: { code?: string; backend?: string };
}

interface QueryResult<T> {
  data: T;
  /** Errors beside data: one failing backend never hides the others' batches. */
  errors: DashboardApiError[];
}

export interface DashboardApi {
  query<T>(document: string, variables?: Record<string, unknown>): Promise<QueryResult<T>>;
  /** Starts a subscription; returns a function that stops it. */
  subscribe<T>(document: string, variables: Record<string, unknown>, sink: SubscriptionSink<T>): () => void;
  /** Called when the gateway refuses the token (HTTP 401 or WebSocket close 4403). */
  onUnauthenticated(listener: () => void): void;
  /** Called with true when the WebSocket is open, false while it reconnects. */
  onConnection(listener: (connected: boolean) => void): void;
  /** Drops the socket so the next subscription connects with the current token. */
  reconnect(): void;
}

interface SubscriptionSink<T> {
  next(data: T): void;
  error?(error: DashboardApiError): void;
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

const toApiError = (error: GraphQLErrorJson): DashboardApiError =>
  new DashboardApiError(error.message, error.extensions?.code ?? 'INTERNAL_SERVER_ERROR', error.extensions?.backend ?? null);

/** HTTP for queries and mutations, one lazy graphql-ws socket for subscriptions, both on this origin. */
export function createDashboardApi(endpoint: string): DashboardApi {
  const httpUrl = new URL(endpoint, window.location.href).toString();
  const unauthenticated: Array<() => void> = [];
  const connection: Array<(connected: boolean) => void> = [];
  const refuse = () => unauthenticated.forEach((listener) => listener());

  const client: Client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    lazy: true,
    // Keep retrying while the gateway restarts; the periodic re-query covers the gap.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => !(event instanceof CloseEvent && event.code === 4403),
    // Read on every (re)connect, so a token entered later is used by the next socket.
    connectionParams: () => {
      const header = authorizationHeader()['authorization'];
      return header ? { authorization: header } : {};
    },
    on: {
      connected: () => connection.forEach((listener) => listener(true)),
      closed: (event) => {
        connection.forEach((listener) => listener(false));
        if (event instanceof CloseEvent && event.code === 4403) refuse();
      },
    },
  });

  return {
    async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<QueryResult<T>> {
      const response = await fetch(httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...authorizationHeader() },
        body: JSON.stringify({ query: document, variables }),
      });
      if (response.status === 401) {
        refuse();
        throw new DashboardApiError('A valid token is required', 'UNAUTHENTICATED');
      }
      const body = (await response.json().catch(() => null)) as { data?: T | null; errors?: GraphQLErrorJson[] } | null;
      if (!body) throw new DashboardApiError(`The gateway answered HTTP ${response.status}`, 'INTERNAL_SERVER_ERROR');
      const errors = (body.errors ?? []).map(toApiError);
      if (body.data === undefined || body.data === null) throw errors[0] ?? new DashboardApiError('No data', 'INTERNAL_SERVER_ERROR');
      return { data: body.data, errors };
    },
    subscribe<T>(document: string, variables: Record<string, unknown>, sink: SubscriptionSink<T>): () => void {
      return client.subscribe<T>(
        { query: document, variables },
        {
          next: (result) => {
            if (result.data) sink.next(result.data);
            else if (result.errors?.[0]) sink.error?.(toApiError(result.errors[0]));
          },
          error: (error) => {
            const first = Array.isArray(error) ? (error[0] as GraphQLErrorJson | undefined) : undefined;
            sink.error?.(first ? toApiError(first) : new DashboardApiError('The live connection failed', 'CONNECTION_CLOSED'));
          },
          complete: () => sink.complete?.(),
        },
      );
    },
    onUnauthenticated: (listener) => void unauthenticated.push(listener),
    onConnection: (listener) => void connection.push(listener),
    reconnect: () => void client.terminate(),
  };
}
