import { z } from 'zod';

/** A settings section: unknown fields refused, every field's default applied when it is absent. */
const section = <Shape extends z.ZodRawShape>(shape: Shape) => z.object(shape).strict().prefault({} as z.input<z.ZodObject<Shape, z.core.$strict>>);

/** A whole number of at least `min`, `fallback` when absent. */
const intAtLeast = (min: number, fallback: number) => z.number().int().min(min).default(fallback);

/**
 * The config file's shape (contract, "Config file"). Backend entries are validated by their own
 * module's schema (see `load.ts`), so this file knows nothing of backend kinds.
 */
export const gatewayConfigSchema = z
  .object({
    listen: section({
      /** @default '127.0.0.1' */
      host: z.string().min(1).default('127.0.0.1'),
      /** @default 4000; 0 = any free port */
      port: z.number().int().min(0).max(65535).default(4000),
    }),
    polling: section({
      /** Poll interval while a batch moves. @default 1000 */
      intervalMs: intAtLeast(10, 1000),
      /** Slowest poll interval for an idle batch, and the cap of error backoff. @default 30000 */
      maxIntervalMs: intAtLeast(10, 30000),
      /** How often the list of each backend is polled for `batchUpdates`. @default 5000 */
      listIntervalMs: intAtLeast(10, 5000),
    }).refine((p) => p.maxIntervalMs >= p.intervalMs, { message: 'expected maxIntervalMs >= intervalMs', path: ['maxIntervalMs'] }),
    store: section({
      /** Folder of the embedded database. @default './.batchgate' */
      path: z.string().min(1).default('./.batchgate'),
      /**
       * SQLite's page cache, MiB. The default is SQLite's own; better-sqlite3's build would
       * otherwise allow 16 MiB, which the process fills as the file grows and never gives back.
       * @default 2
       */
      cacheMiB: z.number().int().min(1).max(1024).default(2),
    }),
    redis: z
      .object({
        url: z.string().regex(/^rediss?:\/\//, { message: 'expected a redis:// or rediss:// URL' }),
        /** Key prefix, so several gateways can share one Redis. @default 'batchgate:' */
        keyPrefix: z.string().default('batchgate:'),
      })
      .strict()
      .optional(),
    auth: z
      .object({
        tokens: z.array(z.string().min(1, { message: 'expected a non-empty token' })).min(1, { message: 'expected at least one token' }),
      })
      .strict()
      .optional(),
    cors: section({
      /** Origins allowed to call the gateway from a browser; `['*']` for any. @default [] (same origin only) */
      origins: z.array(z.string()).default([]),
    }),
    upstream: section({
      /** Longest a backend call may take, retries and waiting for a connection included. @default 10000 */
      timeoutMs: intAtLeast(10, 10000),
      /** Most artifact downloads streaming from one backend at once, on sockets apart from queries and polls. @default 8 */
      maxStreams: intAtLeast(1, 8),
      /** A download that moves no byte for this long (a stalled backend, or a client that stopped reading) is cut. @default 30000 */
      streamIdleMs: intAtLeast(100, 30000),
      /** Most upstream requests in flight per backend; more wait in a short queue. @default 64 */
      maxInFlight: intAtLeast(1, 64),
      /** How long identical reads share one answer (bounded by polling.intervalMs). @default 250 */
      cacheTtlMs: intAtLeast(0, 250),
      /** How often every backend is probed for /readyz and Backend.healthy. @default 15000 */
      probeIntervalMs: intAtLeast(100, 15000),
      /** Consecutive transport failures (refused, reset, 5xx, timeout) that open a backend's circuit. @default 5 */
      failuresToOpen: intAtLeast(1, 5),
      /** How long an open circuit refuses calls before letting one trial call through. @default 5000 */
      halfOpenAfterMs: intAtLeast(10, 5000),
    }),
    limits: section({
      maxDepth: intAtLeast(1, 12),
      maxAliases: intAtLeast(1, 30),
      maxTokens: intAtLeast(10, 2000),
      maxCost: intAtLeast(1, 5000),
      /**
       * Largest request body. The default admits the largest SLV CSV import (5,000,000 characters)
       * in the variables, even with a short line (and so an escaped newline) every 4 characters.
       * @default 8500000
       */
      maxBodyBytes: intAtLeast(1024, 8_500_000),
      /** Largest variables (JSON text). @default 8000000 */
      maxVariablesBytes: intAtLeast(64, 8_000_000),
      /** Deepest nesting of the variables' JSON: deeper input is refused before anything walks it. @default 32 */
      maxVariablesDepth: intAtLeast(2, 32),
      /** Most fields selected at the root of an operation. @default 20 */
      maxRootFields: intAtLeast(1, 20),
      /** Most fields in one selection set. @default 50 */
      maxSelectionFields: intAtLeast(1, 50),
      /**
       * Most fields in a document, fragments counted where they are spread. GraphiQL's full
       * introspection query counts about 470. @default 600
       */
      maxFields: intAtLeast(1, 600),
      /** Most distinct field paths in a document (Apollo Router's `max_height`). @default 600 */
      maxHeight: intAtLeast(1, 600),
      /**
       * Most times one response name may be selected in one selection set, fragments inlined.
       * Validation compares such fields pairwise, sub-selections included. @default 8
       */
      maxFieldRepeats: intAtLeast(1, 8),
      maxSubscriptionsPerConnection: intAtLeast(1, 100),
      maxWsMessageBytes: intAtLeast(1024, 256_000),
      maxWsMessagesPerSecond: intAtLeast(1, 100),
      /** Interval of WebSocket pings that keep idle subscriptions alive and find dead peers. @default 12000 */
      wsKeepAliveMs: intAtLeast(10, 12_000),
      /** Time a WebSocket has to send `connection_init` before it is closed with 4408. @default 10000 */
      wsConnectionInitTimeoutMs: intAtLeast(10, 10_000),
    }).refine((l) => l.maxBodyBytes >= l.maxVariablesBytes, { message: 'expected maxBodyBytes >= maxVariablesBytes', path: ['maxBodyBytes'] }),
    /**
     * The address links (artifact downloads) are built with, e.g. `https://batch.example.com`.
     * @default the listen address
     */
    publicUrl: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL such as https://batch.example.com' }).optional(),
    /** Honour `X-Forwarded-Proto`/`-Host`/`-For` from a reverse proxy in front of the gateway. @default false */
    trustProxy: z.boolean().default(false),
    graphql: section({
      /** Answer introspection queries (the playground and codegen need it). @default true */
      introspection: z.boolean().default(true),
      /** Serve the playground at `GET /graphql` for browsers. @default true */
      playground: z.boolean().default(true),
    }),
    dashboard: section({
      /** Serve the dashboard at `/`. @default true */
      enabled: z.boolean().default(true),
    }),
    websocket: section({
      /** Run mutations sent over graphql-ws (HTTP always runs them). @default false */
      allowMutations: z.boolean().default(false),
    }),
    metrics: section({
      /**
       * Serve `/metrics` on an address of its own (and not on the main port), e.g. `{ port: 9464 }`.
       * Without it, `/metrics` is on the main port and needs a client token when `auth.tokens` is set.
       */
      listen: z
        .object({
          /** @default '127.0.0.1' */
          host: z.string().min(1).default('127.0.0.1'),
          /** 0 = any free port */
          port: z.number().int().min(0).max(65535),
        })
        .strict()
        .optional(),
    }),
    log: section({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    }),
    backends: z.array(z.unknown()).default([]),
  })
  .strict();

export type GatewayConfigBase = z.output<typeof gatewayConfigSchema>;
