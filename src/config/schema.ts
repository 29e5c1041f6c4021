import { z } from 'zod';

/**
 * The config file's shape (contract, "Config file"). Backend entries are validated by their own
 * module's schema (see `load.ts`), so this file knows nothing of backend kinds.
 */
export const gatewayConfigSchema = z
  .object({
    listen: z
      .object({
        /** @default '127.0.0.1' */
        host: z.string().min(1).default('127.0.0.1'),
        /** @default 4000; 0 = any free port */
        port: z.number().int().min(0).max(65535).default(4000),
      })
      .strict()
      .prefault({}),
    polling: z
      .object({
        /** Poll interval while a batch moves. @default 1000 */
        intervalMs: z.number().int().min(10).default(1000),
        /** Slowest poll interval for an idle batch, and the cap of error backoff. @default 30000 */
        maxIntervalMs: z.number().int().min(10).default(30000),
        /** How often the list of each backend is polled for `batchUpdates`. @default 5000 */
        listIntervalMs: z.number().int().min(10).default(5000),
      })
      .strict()
      .prefault({})
      .refine((p) => p.maxIntervalMs >= p.intervalMs, { message: 'expected maxIntervalMs >= intervalMs', path: ['maxIntervalMs'] }),
    store: z
      .object({
        /** Folder of the embedded database. @default './.batchgate' */
        path: z.string().min(1).default('./.batchgate'),
        /**
         * SQLite's page cache, MiB. The default is SQLite's own; better-sqlite3's build would
         * otherwise allow 16 MiB, which the process fills as the file grows and never gives back.
         * @default 2
         */
        cacheMiB: z.number().int().min(1).max(1024).default(2),
      })
      .strict()
      .prefault({}),
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
    cors: z
      .object({
        /** Origins allowed to call the gateway from a browser; `['*']` for any. @default [] (same origin only) */
        origins: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    upstream: z
      .object({
        /** Longest a backend call may take, retries and waiting for a connection included. @default 10000 */
        timeoutMs: z.number().int().min(10).default(10000),
        /** Most artifact downloads streaming from one backend at once, on sockets apart from queries and polls. @default 8 */
        maxStreams: z.number().int().min(1).default(8),
        /** A download that moves no byte for this long (a stalled backend, or a client that stopped reading) is cut. @default 30000 */
        streamIdleMs: z.number().int().min(100).default(30000),
        /** Most upstream requests in flight per backend; more wait in a short queue. @default 64 */
        maxInFlight: z.number().int().min(1).default(64),
        /** How long identical reads share one answer (bounded by polling.intervalMs). @default 250 */
        cacheTtlMs: z.number().int().min(0).default(250),
        /** How often every backend is probed for /readyz and Backend.healthy. @default 15000 */
        probeIntervalMs: z.number().int().min(100).default(15000),
        /** Consecutive transport failures (refused, reset, 5xx, timeout) that open a backend's circuit. @default 5 */
        failuresToOpen: z.number().int().min(1).default(5),
        /** How long an open circuit refuses calls before letting one trial call through. @default 5000 */
        halfOpenAfterMs: z.number().int().min(10).default(5000),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxDepth: z.number().int().min(1).default(12),
        maxAliases: z.number().int().min(1).default(30),
        maxTokens: z.number().int().min(10).default(2000),
        maxCost: z.number().int().min(1).default(5000),
        /**
         * Largest request body. The default admits the largest SLV CSV import (5,000,000 characters)
         * in the variables, even with a short line (and so an escaped newline) every 4 characters.
         * @default 8500000
         */
        maxBodyBytes: z.number().int().min(1024).default(8_500_000),
        /** Largest variables (JSON text). @default 8000000 */
        maxVariablesBytes: z.number().int().min(64).default(8_000_000),
        /** Deepest nesting of the variables' JSON: deeper input is refused before anything walks it. @default 32 */
        maxVariablesDepth: z.number().int().min(2).default(32),
        /** Most fields selected at the root of an operation. @default 20 */
        maxRootFields: z.number().int().min(1).default(20),
        /** Most fields in one selection set. @default 50 */
        maxSelectionFields: z.number().int().min(1).default(50),
        /**
         * Most fields in a document, fragments counted where they are spread. GraphiQL's full
         * introspection query counts about 470. @default 600
         */
        maxFields: z.number().int().min(1).default(600),
        /** Most distinct field paths in a document (Apollo Router's `max_height`). @default 600 */
        maxHeight: z.number().int().min(1).default(600),
        /**
         * Most times one response name may be selected in one selection set, fragments inlined.
         * Validation compares such fields pairwise, sub-selections included. @default 8
         */
        maxFieldRepeats: z.number().int().min(1).default(8),
        maxSubscriptionsPerConnection: z.number().int().min(1).default(100),
        maxWsMessageBytes: z.number().int().min(1024).default(256_000),
        maxWsMessagesPerSecond: z.number().int().min(1).default(100),
        /** Interval of WebSocket pings that keep idle subscriptions alive and find dead peers. @default 12000 */
        wsKeepAliveMs: z.number().int().min(10).default(12_000),
        /** Time a WebSocket has to send `connection_init` before it is closed with 4408. @default 10000 */
        wsConnectionInitTimeoutMs: z.number().int().min(10).default(10_000),
      })
      .strict()
      .prefault({})
      .refine((l) => l.maxBodyBytes >= l.maxVariablesBytes, { message: 'expected maxBodyBytes >= maxVariablesBytes', path: ['maxBodyBytes'] }),
    /**
     * The address links (artifact downloads) are built with, e.g. `https://batch.example.com`.
     * @default the listen address
     */
    publicUrl: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL such as https://batch.example.com' }).optional(),
    /** Honour `X-Forwarded-Proto`/`-Host`/`-For` from a reverse proxy in front of the gateway. @default false */
    trustProxy: z.boolean().default(false),
    graphql: z
      .object({
        /** Answer introspection queries (the playground and codegen need it). @default true */
        introspection: z.boolean().default(true),
        /** Serve the playground at `GET /graphql` for browsers. @default true */
        playground: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    dashboard: z
      .object({
        /** Serve the dashboard at `/`. @default true */
        enabled: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    websocket: z
      .object({
        /** Run mutations sent over graphql-ws (HTTP always runs them). @default false */
        allowMutations: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
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
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    backends: z.array(z.unknown()).default([]),
  })
  .strict();

export type GatewayConfigBase = z.output<typeof gatewayConfigSchema>;
