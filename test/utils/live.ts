import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { encodeBatchId } from '../../src/core/ids.js';
import { startSlvEmulator, type SlvEmulatorHandle } from '../../src/backends/slv/index.js';
import { commissionControllerScript } from '../../src/backends/slv/emulator/scripts.js';

/**
 * Helpers for live-progress tests: an SLV emulator whose batches the test scripts directly, exact
 * counts of the gateway's polls of one batch, and graphql-ws subscribers that record what they get.
 */

/** The backend id live tests give the SLV emulator in their configs. */
export const LIVE_BACKEND = 'lights';

export async function startLiveEmulator(tickMs: number): Promise<SlvEmulatorHandle> {
  return startSlvEmulator({ tickMs, password: 'live-test-password' });
}

/** A config entry for the emulator under `LIVE_BACKEND`. */
export const backendEntry = (emulator: SlvEmulatorHandle) => ({ id: LIVE_BACKEND, kind: 'slv', ...emulator.connection });

/**
 * Creates a batch straight in the emulator (not through a gateway, so no gateway read is counted)
 * that runs four steps of `ticksPerStep` ticks, or fails at the end when `fail` is set.
 */
export function scriptBatch(emulator: SlvEmulatorHandle, ticksPerStep: number, options: { fail?: boolean } = {}): { id: string; nativeId: string } {
  const controller = options.fail ? 'offline-live' : 'live-controller';
  const wire = emulator.engine.create(commissionControllerScript(controller, 7, { login: 'admin', ticksPerStep }));
  const nativeId = String(wire['batchId']);
  return { id: encodeBatchId(LIVE_BACKEND, nativeId), nativeId };
}

/** Upstream polls of one batch: SLV `GET …/api/batch/getBatchResult?batchId=…`. */
export const batchPolls = (emulator: SlvEmulatorHandle, nativeId: string, since = 0): number =>
  emulator.http.count((request) => request.path.endsWith('/api/batch/getBatchResult') && request.query.get('batchId') === nativeId && request.at >= since);

export const PROGRESS = /* GraphQL */ `
  subscription Progress($id: ID!) {
    batchProgress(id: $id) { terminal error { code backend } batch { id state progress { percent completedItems } } }
  }
`;

export const UPDATES = /* GraphQL */ `
  subscription Updates($backend: ID, $states: [BatchState!]) {
    batchUpdates(backend: $backend, states: $states) { terminal batch { id nativeId state } }
  }
`;

export interface ProgressEvent {
  terminal: boolean;
  error: { code: string; backend: string | null } | null;
  batch: { id: string; state: string; progress: { percent: number | null; completedItems: number | null } };
}

/** A graphql-ws client that never retries, so a test sees every close as it happens. */
export function openClient(wsUrl: string, options: { authorization?: string } = {}): Client & { closes: number[] } {
  const closes: number[] = [];
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
  return Object.assign(client, { closes });
}

export interface Recorded<T> {
  readonly events: T[];
  /** GraphQL errors in results, and the error a failed subscription ended with. */
  readonly errors: unknown[];
  /** Settles when the server completes the subscription ('complete') or it fails ('error'). */
  readonly done: Promise<'complete' | 'error'>;
  readonly settled: boolean;
  unsubscribe(): void;
}

/** Subscribes and records every event, keyed by the root field (`batchProgress`, `batchUpdates`). */
export function record<T = ProgressEvent>(client: Client, query: string, variables: Record<string, unknown>): Recorded<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let settled = false;
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<'complete' | 'error'>((resolve) => {
    unsubscribe = client.subscribe<Record<string, T>>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) errors.push(...value.errors);
          if (value.data) events.push(Object.values(value.data)[0] as T);
        },
        error: (error) => {
          errors.push(error);
          settled = true;
          resolve('error');
        },
        complete: () => {
          settled = true;
          resolve('complete');
        },
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

/** Waits until `check` holds, checking every 20 ms; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
