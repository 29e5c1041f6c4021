import { createServer, type Server } from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing } from '../src/lib/tracing.js';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startEmulatorSet, startSample, type EmulatorSet } from './utils/emulators.js';
import { startTestGateway, type TestGateway } from './utils/gateway.js';
import { postGraphQL } from './utils/graphql.js';

/**
 * OpenTelemetry: a span per GraphQL operation and per upstream call, the client's W3C traceparent
 * continued and sent on to the backends. Spans go to an in-memory exporter here; `startTracing`
 * (OTLP export from OTEL_* variables) is checked against a local collector.
 */

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let emulators: EmulatorSet;
let gateway: TestGateway;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

beforeAll(async () => {
  provider.register();
  emulators = await startEmulatorSet();
  gateway = await startTestGateway({ backends: emulators.entries }, { fastFaults: true });
});

afterAll(async () => {
  await gateway?.close();
  await emulators?.close();
  await provider.shutdown();
  trace.disable();
});

describe('tracing', () => {
  // ML Server through got, the AWS backends through their SDK's middleware.
  it.each(['azureml', 'awsml', 'sagemaker'] as const)("continues the client's trace to %s: an operation span, a span per upstream call, traceparent sent to the backend", async (kind) => {
    exporter.reset();
    emulators.byKind[kind].http.clearRequests();
    const response = await postGraphQL(gateway.url, `query Lamps { batches(backend: "${kind}") { edges { node { id } } } }`, undefined, { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` });
    expect(response.status).toBe(200);

    await expect.poll(() => exporter.getFinishedSpans().find((span) => span.name === 'query Lamps')).toBeDefined();
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((span) => span.name === 'query Lamps')!;
    expect(operation.spanContext().traceId).toBe(TRACE_ID);
    expect(operation.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(operation.attributes['graphql.operation.type']).toBe('query');

    // Probes and pollers call the backend too, in traces of their own.
    const upstream = spans.filter((span) => span.attributes['batchgate.backend'] === kind && span.spanContext().traceId === TRACE_ID);
    expect(upstream.length).toBeGreaterThan(0);
    for (const span of upstream) {
      expect(span.parentSpanContext?.spanId).toBe(operation.spanContext().spanId);
      expect(span.attributes['http.response.status_code']).toBe(200);
    }
    const sent = emulators.byKind[kind].http.requests.map((request) => request.headers['traceparent']).filter(Boolean);
    expect(sent.length).toBeGreaterThan(0);
    const upstreamIds = new Set(upstream.map((span) => span.spanContext().spanId));
    expect(sent.some((header) => upstreamIds.has(String(header).split('-')[2]!) && String(header).includes(TRACE_ID))).toBe(true);
  });

  it("gives a WebSocket subscription a span of its own, child of the socket's traceparent, ended when it completes", async () => {
    exporter.reset();
    const { id } = await startSample(gateway.url, 'azureml');
    const traceparent = `00-${TRACE_ID}-${CLIENT_SPAN}-01`;
    class TracedSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { traceparent } });
      }
    }
    const client = createClient({ url: gateway.wsUrl, webSocketImpl: TracedSocket, lazy: true, retryAttempts: 0 });
    try {
      const events = client.iterate<{ batchProgress: { terminal: boolean } }>({ query: 'subscription Follow($id: ID!) { batchProgress(id: $id) { terminal } }', variables: { id } });
      for await (const event of events) if (event.data?.batchProgress.terminal) break;
    } finally {
      await client.dispose();
    }
    await expect.poll(() => exporter.getFinishedSpans().find((span) => span.name === 'subscription Follow')).toBeDefined();
    const span = exporter.getFinishedSpans().find((each) => each.name === 'subscription Follow')!;
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(span.attributes['graphql.operation.type']).toBe('subscription');
  });

  it('gives a subscription over Server-Sent Events a span of its own, child of the request\'s traceparent', async () => {
    exporter.reset();
    const { id } = await startSample(gateway.url, 'azureml');
    const client = createSseClient({ url: `${gateway.url}/stream`, retryAttempts: 0, headers: { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` } });
    try {
      const events = client.iterate<{ batchProgress: { terminal: boolean } }>({ query: 'subscription Stream($id: ID!) { batchProgress(id: $id) { terminal } }', variables: { id } });
      for await (const event of events) if (event.data?.batchProgress.terminal) break;
    } finally {
      client.dispose();
    }
    await expect.poll(() => exporter.getFinishedSpans().find((span) => span.name === 'subscription Stream')).toBeDefined();
    const span = exporter.getFinishedSpans().find((each) => each.name === 'subscription Stream')!;
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
  });

  it('marks a failing upstream call as an error span', async () => {
    exporter.reset();
    await emulators.byKind.azureml.http.setFaults([{ fault: { kind: 'status', status: 503 } }]);
    try {
      await postGraphQL(gateway.url, '{ batches(backend: "azureml") { edges { node { id } } } }');
    } finally {
      await emulators.byKind.azureml.http.setFaults([]);
    }
    await expect.poll(() => exporter.getFinishedSpans().some((span) => span.attributes['batchgate.backend'] === 'azureml' && span.status.code === SpanStatusCode.ERROR)).toBe(true);
  });
});

describe('startTracing', () => {
  it('is off without OTEL_* variables and refuses an unknown exporter', async () => {
    expect(await startTracing({})).toBeNull();
    expect(await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SDK_DISABLED: 'true' })).toBeNull();
    await expect(startTracing({ OTEL_TRACES_EXPORTER: 'zipkin' })).rejects.toThrow('OTEL_TRACES_EXPORTER: expected otlp, console or none, got "zipkin"');
  });

  it('exports over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const received: Array<{ path: string; bytes: number }> = [];
    const collector: Server = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ path: req.url ?? '', bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const port = (collector.address() as { port: number }).port;
    trace.disable();
    const handle = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'batchgate-test' }, '0.0.0');
    try {
      trace.getTracer('test').startSpan('exported').end();
      await handle!.shutdown();
      expect(received).toEqual([expect.objectContaining({ path: '/v1/traces' })]);
      expect(received[0]!.bytes).toBeGreaterThan(0);
    } finally {
      trace.disable();
      collector.close();
    }
  });
});
