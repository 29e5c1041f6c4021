#!/usr/bin/env node
// Writes docs/config.schema.json (JSON Schema of the YAML config file, for editor completion) from
// the zod schemas the gateway validates with, so the two cannot drift apart.
// Usage: node scripts/config-schema.mjs [output path]
import { writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';
import { z } from 'zod';

register();
const { gatewayConfigSchema } = await import('../src/config/schema.ts');
const { backendModules } = await import('../src/backends/index.ts');

// `io: 'input'`: what a person writes (defaults make fields optional), not what the gateway holds after parsing.
const options = { io: 'input', unrepresentable: 'any' };
const schema = z.toJSONSchema(gatewayConfigSchema, options);
const backendSchemas = backendModules.map((module) => {
  const entry = z.toJSONSchema(module.configSchema, options);
  delete entry.$schema;
  return { title: `${module.kind} backend`, ...entry };
});
schema.properties.backends = {
  description: 'The backends to federate. With none listed, `npm start` runs the built-in emulators instead.',
  type: 'array',
  items: { oneOf: backendSchemas },
};
// zod keeps TSDoc out of the schema; the descriptions editors show are kept here, by path.
const DESCRIPTIONS = {
  listen: 'Where the gateway listens. PORT and HOST in the environment override it.',
  'listen.port': 'TCP port; 0 = any free port.',
  polling: 'How often the gateway polls backends for live progress.',
  'polling.intervalMs': 'Poll interval while a batch moves.',
  'polling.maxIntervalMs': 'Slowest poll interval for an idle batch, and the cap of error backoff.',
  'polling.listIntervalMs': 'How often the list of each backend is polled for batchUpdates.',
  store: "The gateway's own records (embedded database).",
  'store.path': 'Folder of the embedded database.',
  redis: 'Optional: several replicas share polling, events and records through Redis.',
  'redis.url': 'redis:// or rediss:// URL.',
  'redis.keyPrefix': 'Key prefix, so several gateways can share one Redis.',
  auth: 'Optional: clients must send Authorization: Bearer <token> (over graphql-ws: connectionParams.authorization).',
  'auth.tokens': 'Accepted client tokens; use ${VAR} to keep them out of the file.',
  cors: 'Cross-origin browser access.',
  'cors.origins': "Origins allowed to call the gateway from a browser; ['*'] for any; empty = same origin only.",
  upstream: 'How the gateway talks to backends.',
  'upstream.timeoutMs': 'Longest a backend call may take, retries and waiting for a connection included.',
  'upstream.maxStreams': 'Most artifact downloads streaming from one backend at once, on sockets apart from queries and polls.',
  'upstream.streamIdleMs': 'A download that moves no byte for this long (a stalled backend, or a client that stopped reading) is cut.',
  'upstream.maxInFlight': 'Most upstream requests in flight per backend.',
  'upstream.cacheTtlMs': 'How long identical reads share one answer (bounded by polling.intervalMs).',
  'upstream.probeIntervalMs': 'How often every backend is probed for /readyz and Backend.healthy.',
  'upstream.failuresToOpen': "Consecutive transport failures (refused, reset, 5xx, timeout) that open a backend's circuit.",
  'upstream.halfOpenAfterMs': 'How long an open circuit refuses calls before letting one trial call through.',
  'listen.host': 'Interface to bind; 0.0.0.0 for every interface.',
  'store.cacheMiB': "Page cache of the embedded database, in MiB.",
  limits: 'Abuse limits on GraphQL documents, request bodies and WebSocket traffic.',
  'limits.maxDepth': 'Deepest selection nesting of a GraphQL document.',
  'limits.maxAliases': 'Most aliases in one GraphQL document.',
  'limits.maxTokens': 'Most lexical tokens in one GraphQL document.',
  'limits.maxCost': 'Highest estimated cost of one operation (list fields multiply by their page size).',
  'limits.maxBodyBytes': 'Largest HTTP request body.',
  'limits.maxVariablesBytes': 'Largest JSON of the variables of one operation.',
  'limits.maxSubscriptionsPerConnection': 'Most subscriptions open at once on one WebSocket.',
  'limits.maxWsMessageBytes': 'Largest WebSocket message from a client.',
  'limits.maxWsMessagesPerSecond': 'Most WebSocket messages a client may send per second.',
  'limits.wsKeepAliveMs': 'Interval of WebSocket pings that keep idle subscriptions alive and find dead peers.',
  'limits.wsConnectionInitTimeoutMs': 'Time a WebSocket has to send connection_init before it is closed with 4408.',
  'limits.maxRootFields': 'Most fields selected at the root of an operation.',
  'limits.maxSelectionFields': 'Most fields in one selection set.',
  'limits.maxFields': 'Most fields in a document, fragments counted where they are spread.',
  'limits.maxHeight': 'Most distinct field paths in a document.',
  'limits.maxFieldRepeats': 'Most times one response name may be selected in one selection set, fragments inlined.',
  'limits.maxVariablesDepth': "Deepest nesting of the variables' JSON.",
  publicUrl: 'The address links (artifact downloads) are built with, e.g. https://batch.example.com; default: the listen address.',
  trustProxy: 'Honour X-Forwarded-Proto/-Host/-For from a reverse proxy in front of the gateway.',
  graphql: 'GraphQL features a production deployment may turn off.',
  'graphql.introspection': 'Answer introspection queries (the playground and codegen need it).',
  'graphql.playground': 'Serve the playground at GET /graphql for browsers.',
  dashboard: 'The dashboard at /.',
  'dashboard.enabled': 'Serve the dashboard.',
  websocket: 'GraphQL over WebSocket (graphql-ws).',
  'websocket.allowMutations': 'Run mutations sent over the socket; off by default (a page on another site cannot then start batches through a visitor).',
  metrics: 'The Prometheus endpoint.',
  'metrics.listen': 'Serve /metrics on an address of its own (host defaults to 127.0.0.1) instead of the main port; without it, /metrics needs a client token when auth.tokens is set.',
  log: 'Logging.',
  'log.level': 'Least severe level written (LOG_LEVEL in the environment overrides it).',
};
for (const [path, description] of Object.entries(DESCRIPTIONS)) {
  let node = schema;
  for (const key of path.split('.')) node = node?.properties?.[key];
  if (node) node.description = description;
}

const document = {
  $schema: schema.$schema,
  $id: 'https://batchgate.invalid/config.schema.json',
  title: 'batchgate config file',
  description: 'YAML config of the batchgate gateway. String values may use ${VAR} or ${VAR:-default} to read the environment.',
  ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
};
const out = process.argv[2] ?? new URL('../docs/config.schema.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(`wrote ${out instanceof URL ? out.pathname : out}\n`);
