import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** The one way tests subscribe: a graphql-ws client that never reconnects, and a recorder per subscription. */

/**
 * A client that never retries, so a test sees every close as it happens (codes in `closes`).
 * Lazy by default: it connects with its first subscription, so a refused socket fails that
 * subscription; `lazy: false` connects at once.
 */
export function openWsClient(wsUrl: string, options: { authorization?: string; lazy?: boolean } = {}): Client & { closes: number[] } {
  const closes: number[] = [];
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: options.lazy ?? true,
    onNonLazyError: () => undefined,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
  return Object.assign(client, { closes });
}

export interface Subscription<T = any> {
  /** Each result's root field value (`batchProgress`, `batchUpdates`, …), in order. */
  readonly events: T[];
  /** GraphQL errors in results, and the errors a refused or failed operation ended with. */
  readonly errors: unknown[];
  /** Settles when the server completes the operation ('complete') or it fails ('error'). */
  readonly done: Promise<'complete' | 'error'>;
  readonly settled: boolean;
  unsubscribe(): void;
}

/** Subscribes (or runs any operation over the socket) and records every result and error. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}, operationName?: string): Subscription<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let settled = false;
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<'complete' | 'error'>((resolve) => {
    const settle = (how: 'complete' | 'error') => {
      settled = true;
      resolve(how);
    };
    unsubscribe = client.subscribe<Record<string, T>>(
      { query, variables, ...(operationName === undefined ? {} : { operationName }) },
      {
        next: (value) => {
          if (value.errors) errors.push(...value.errors);
          if (value.data) events.push(Object.values(value.data)[0] as T);
        },
        error: (error) => {
          // graphql-ws hands refused operations over as an array of GraphQL errors.
          if (Array.isArray(error)) errors.push(...(error as unknown[]));
          else errors.push(error);
          settle('error');
        },
        complete: () => settle('complete'),
      },
    );
  });
  return {
    events,
    errors,
    done,
    get settled() {
      return settled;
    },
    unsubscribe: () => unsubscribe(),
  };
}

/**
 * Opens a raw graphql-transport-ws socket, sends `connection_init` with `payload`, and answers how the
 * server replied: its first message type, or the close code when it closed first.
 */
export function wsHandshake(wsUrl: string, payload: Record<string, unknown> = {}): Promise<{ ack: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.once('message', (data: Buffer) => {
      const ack = (JSON.parse(data.toString('utf8')) as { type: string }).type === 'connection_ack';
      socket.close(1000);
      resolve({ ack, code: null });
    });
    socket.once('close', (code) => resolve({ ack: false, code }));
    socket.once('error', reject);
  });
}
