import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BackendWarning, UpstreamCall } from '../core/backend.js';

/** The gateway's Prometheus metrics, on a registry of its own (so tests can run several gateways). */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'operation' | 'type' | 'outcome'>;
  readonly requestDuration: Histogram<'operation' | 'type'>;
  readonly upstreamCalls: Counter<'backend' | 'outcome'>;
  readonly upstreamDuration: Histogram<'backend'>;
  readonly activeSubscriptions: Gauge;
  /** Where the active-subscription gauge reads its value at scrape time. */
  setSubscriptionSource(source: () => number): void;
  readonly onUpstreamCall: (call: UpstreamCall) => void;
  readonly backendWarnings: Counter<'backend' | 'reason'>;
  readonly onBackendWarning: (warning: BackendWarning) => void;
  /** Where the per-backend and live gauges read their values at scrape time. */
  setStateSources(sources: StateSources): void;
}

interface StateSources {
  backends(): Array<{ backend: string; up: boolean; circuit: 'closed' | 'half_open' | 'open' }>;
  live(): { batchPollers: number; listPollers: number; leasesHeld: number; eventsRelayed: number };
}

const CIRCUIT_STATES = ['closed', 'half_open', 'open'] as const;

/** prom-client's default gauges whose names end in `_total`, which Prometheus reserves for counters (their unsuffixed twins stay). */
const MISNAMED_DEFAULTS = ['nodejs_active_resources_total', 'nodejs_active_handles_total', 'nodejs_active_requests_total'];

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'batchgate_' });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(`batchgate_${name}`);
  let sources: StateSources = { backends: () => [], live: () => ({ batchPollers: 0, listPollers: 0, leasesHeld: 0, eventsRelayed: 0 }) };
  new Gauge({
    name: 'batchgate_backend_up',
    help: '1 when the backend answered its last probe and its circuit is not open, else 0',
    labelNames: ['backend'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { backend, up } of sources.backends()) this.set({ backend }, up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'batchgate_backend_circuit_state',
    help: "The backend's circuit breaker: 1 for its current state (closed, half_open, open), 0 for the others",
    labelNames: ['backend', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { backend, circuit } of sources.backends()) for (const state of CIRCUIT_STATES) this.set({ backend, state }, circuit === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'batchgate_live_pollers',
    help: 'Pollers running on this replica: kind="batch" (one per watched batch), kind="list" (one per batchUpdates filter)',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const live = sources.live();
      this.set({ kind: 'batch' }, live.batchPollers);
      this.set({ kind: 'list' }, live.listPollers);
    },
  });
  new Gauge({
    name: 'batchgate_live_leases_held',
    help: 'Batches this replica polls for every replica (leases held in Redis; 0 without Redis)',
    registers: [registry],
    collect() {
      this.set(sources.live().leasesHeld);
    },
  });
  let relayedSeen = 0;
  new Counter({
    name: 'batchgate_live_events_relayed_total',
    help: 'Live events this replica received from the replica polling the batch (Redis pub/sub)',
    registers: [registry],
    collect() {
      const relayed = sources.live().eventsRelayed;
      if (relayed > relayedSeen) this.inc(relayed - relayedSeen);
      relayedSeen = relayed;
    },
  });
  // The counters and histograms code updates (the gauges above are read at scrape time).
  const counter = <Label extends string>(name: string, help: string, labelNames: readonly Label[]) => new Counter({ name, help, labelNames, registers: [registry] });
  const histogram = <Label extends string>(name: string, help: string, labelNames: readonly Label[], buckets: number[]) =>
    new Histogram({ name, help, labelNames, buckets, registers: [registry] });
  const requests = counter('batchgate_graphql_requests_total', 'GraphQL operations by operation name, type and outcome', ['operation', 'type', 'outcome']);
  const requestDuration = histogram('batchgate_graphql_request_duration_seconds', 'GraphQL operation durations', ['operation', 'type'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  const upstreamCalls = counter('batchgate_upstream_calls_total', 'HTTP calls to backends by backend and outcome', ['backend', 'outcome']);
  const upstreamDuration = histogram('batchgate_upstream_call_duration_seconds', 'HTTP call durations to backends', ['backend'], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  const backendWarnings = counter(
    'batchgate_backend_warnings_total',
    'Things a backend answered that a connector skipped or could not read, by backend and reason',
    ['backend', 'reason'],
  );
  let subscriptionSource = () => 0;
  const activeSubscriptions = new Gauge({
    name: 'batchgate_active_subscriptions',
    help: 'GraphQL subscriptions currently open',
    registers: [registry],
    collect() {
      this.set(subscriptionSource());
    },
  });
  return {
    registry,
    requests,
    requestDuration,
    upstreamCalls,
    upstreamDuration,
    activeSubscriptions,
    setSubscriptionSource(source) {
      subscriptionSource = source;
    },
    backendWarnings,
    setStateSources(next) {
      sources = next;
    },
    onBackendWarning(warning) {
      backendWarnings.inc({ backend: warning.backend, reason: warning.reason });
    },
    onUpstreamCall(call) {
      upstreamCalls.inc({ backend: call.backend, outcome: call.outcome });
      upstreamDuration.observe({ backend: call.backend }, call.durationMs / 1000);
    },
  };
}
