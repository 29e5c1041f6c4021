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
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'batchgate_' });
  const requests = new Counter({
    name: 'batchgate_graphql_requests_total',
    help: 'GraphQL operations by operation name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'batchgate_graphql_request_duration_seconds',
    help: 'GraphQL operation durations',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstreamCalls = new Counter({
    name: 'batchgate_upstream_calls_total',
    help: 'HTTP calls to backends by backend and outcome',
    labelNames: ['backend', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'batchgate_upstream_call_duration_seconds',
    help: 'HTTP call durations to backends',
    labelNames: ['backend'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const backendWarnings = new Counter({
    name: 'batchgate_backend_warnings_total',
    help: 'Things a backend answered that a connector skipped or could not read, by backend and reason',
    labelNames: ['backend', 'reason'] as const,
    registers: [registry],
  });
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
    onBackendWarning(warning) {
      backendWarnings.inc({ backend: warning.backend, reason: warning.reason });
    },
    onUpstreamCall(call) {
      upstreamCalls.inc({ backend: call.backend, outcome: call.outcome });
      upstreamDuration.observe({ backend: call.backend }, call.durationMs / 1000);
    },
  };
}
