import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pino, { type Logger } from 'pino';
import WebSocket from 'ws';
import { backendModules, type RegisteredKind } from '../../src/backends/index.js';
import { validateConfig, type GatewayConfig } from '../../src/config/load.js';
import type { BackendModule, EmulatorHandle } from '../../src/backends/module.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

/**
 * The real thing for reliability and security tests: an emulator of every registered kind on
 * loopback, and gateways federating them through their real connectors. Backend ids are the kinds.
 */

type BackendKind = RegisteredKind;
export const KINDS: readonly BackendKind[] = backendModules.map((module) => module.kind);
const moduleOf = (kind: BackendKind): BackendModule => backendModules.find((candidate) => candidate.kind === kind)!;

export interface EmulatorSet {
  readonly byKind: Record<BackendKind, EmulatorHandle>;
  readonly modules: Record<BackendKind, BackendModule>;
  /** Config entries pointing at the emulators, credentials included. */
  readonly entries: GatewayConfig['backends'];
  close(): Promise<void>;
}

/** Starts one emulator of every kind (no demo batches). `tickMs` sets how fast started batches move. */
export async function startEmulatorSet(options: { tickMs?: number } = {}): Promise<EmulatorSet> {
  const byKind = {} as Record<BackendKind, EmulatorHandle>;
  const modules = {} as Record<BackendKind, BackendModule>;
  const entries: GatewayConfig['backends'] = [];
  try {
    for (const kind of KINDS) {
      const module = moduleOf(kind);
      byKind[kind] = await module.startEmulator({ tickMs: options.tickMs ?? 100 });
      modules[kind] = module;
      entries.push({ id: kind, kind, ...byKind[kind].connection });
    }
  } catch (error) {
    await Promise.all(Object.values(byKind).map((emulator) => emulator.close()));
    throw error;
  }
  return {
    byKind,
    modules,
    entries,
    async close() {
      await Promise.all(Object.values(byKind).map((emulator) => emulator.close()));
    },
  };
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  readonly url: string;
  readonly wsUrl: string;
  /** Closes the gateway and removes its temp store (unless the caller passed `store.path`). */
  close(): Promise<void>;
}

/** Small timeouts and fast polling, so faults show quickly; `overrides` merge on top, deeply. */
export async function launchGateway(
  emulators: Pick<EmulatorSet, 'entries'>,
  overrides: Record<string, unknown> = {},
  dependencies: { logger?: Logger } = {},
): Promise<TestGateway> {
  const ownStore = !(isRecord(overrides['store']) && typeof overrides['store']['path'] === 'string');
  const folder = ownStore ? mkdtempSync(join(tmpdir(), 'batchgate-rel-')) : null;
  const raw = deepMerge(
    {
      listen: { host: '127.0.0.1', port: 0 },
      store: { path: folder },
      log: { level: 'silent' },
      polling: { intervalMs: 100, maxIntervalMs: 800, listIntervalMs: 200 },
      upstream: { timeoutMs: 300, probeIntervalMs: 200, halfOpenAfterMs: 200 },
      backends: emulators.entries,
    },
    overrides,
  );
  const config = validateConfig(raw, 'test', { modules: backendModules });
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, { logger: dependencies.logger ?? pino({ level: 'silent' }) });
  } catch (error) {
    if (folder) rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  const origin = gateway.url.replace(/\/graphql$/, '');
  return {
    gateway,
    config,
    origin,
    url: gateway.url,
    wsUrl: gateway.url.replace(/^http/, 'ws'),
    async close() {
      await gateway.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

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

/** POSTs one operation as a GraphQL client does (JSON in, JSON out). */
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

/** Starts the module's sample batch on a backend through the gateway, answering its global id. */
export async function startSample(url: string, kind: BackendKind, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const module = moduleOf(kind);
  const response = await postGraphQL(url, START_BATCH, { input: { backend: kind, ...graphqlStartInput(module), ...extra } }, headers);
  if (!response.body.data?.startBatch) throw new Error(`startBatch on ${kind} failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data.startBatch.batch as { id: string; nativeId: string; state: string };
}

export const START_BATCH = /* GraphQL */ `
  mutation Start($input: StartBatchInput!) {
    startBatch(input: $input) { batch { id nativeId state } }
  }
`;

/** The module's sample start input, shaped as `StartBatchInput` wants it. */
export function graphqlStartInput(module: BackendModule): Record<string, unknown> {
  return { [module.graphql.inputField]: module.fixtures.sampleGraphQLInput() };
}

/**
 * A graphql-ws client that never reconnects (tests want to see each close), closed by `dispose`.
 * Lazy: it connects with its first subscription, so a refused socket fails that subscription.
 */
export function openWsClient(
  wsUrl: string,
  options: { authorization?: string; onClosed?: (event: { code: number; reason: string }) => void } = {},
): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
    on: {
      closed: (event) => options.onClosed?.(event as { code: number; reason: string }),
    },
  });
}

export interface Subscription<T = any> {
  readonly events: T[];
  readonly errors: unknown[];
  /** Resolves when the server completes the subscription or fails it. */
  readonly done: Promise<'complete' | 'error'>;
  unsubscribe(): void;
}

/** Subscribes and records every event and error. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Subscription<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let unsubscribe = () => undefined as void;
  const done = new Promise<'complete' | 'error'>((resolve) => {
    unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) errors.push(...value.errors);
          if (value.data) events.push(value.data);
        },
        error: (error) => {
          // graphql-ws hands refused operations over as an array of GraphQL errors.
          if (Array.isArray(error)) errors.push(...(error as unknown[]));
          else errors.push(error);
          resolve('error');
        },
        complete: () => resolve('complete'),
      },
    );
  });
  return { events, errors, done, unsubscribe: () => unsubscribe() };
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

/** Polls `check` until it returns a truthy value (tries at most `attempts` times, `everyMs` apart). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, options: { attempts?: number; everyMs?: number } = {}): Promise<T> {
  const attempts = options.attempts ?? 100;
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
  throw new Error(`condition not met after ${attempts} attempts${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`);
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    merged[key] = isRecord(value) && isRecord(merged[key]) ? deepMerge(merged[key], value) : value;
  }
  return merged;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
