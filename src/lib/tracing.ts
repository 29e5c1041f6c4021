import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';

/**
 * OpenTelemetry tracing. Code records spans through the global API (`@opentelemetry/api`), which
 * is a no-op until a provider is registered: `startTracing` registers one when the standard
 * `OTEL_*` environment variables ask for export, tests register their own in-memory one.
 *
 * Spans: one per GraphQL operation over HTTP (server kind, child of the client's W3C
 * `traceparent` when it sends one), one per upstream call (client kind, child of the operation;
 * the backend gets `traceparent` so its own spans join the trace).
 */

const TRACER_NAME = 'batchgate';

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface TracingHandle {
  /** Flushes spans not yet exported and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Starts exporting spans over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set (`OTEL_TRACES_EXPORTER=otlp` alone uses the default
 * endpoint, `console` prints spans); off otherwise, and with `OTEL_SDK_DISABLED=true` or
 * `OTEL_TRACES_EXPORTER=none`. The exporter reads the other `OTEL_EXPORTER_OTLP_*` variables
 * (headers, timeout, protocol details) itself; `OTEL_SERVICE_NAME` names the service (default
 * `batchgate`). Returns null when off.
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env, version = 'unknown'): Promise<TracingHandle | null> {
  if (env['OTEL_SDK_DISABLED']?.toLowerCase() === 'true') return null;
  const exporterName = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (exporterName === 'none' || (exporterName === '' && !endpoint)) return null;
  if (exporterName !== '' && exporterName !== 'otlp' && exporterName !== 'console') {
    throw new Error(`OTEL_TRACES_EXPORTER: expected otlp, console or none, got ${JSON.stringify(exporterName)}`);
  }
  // Loaded only when tracing is on: the SDK costs start-up time and memory otherwise.
  const [{ NodeTracerProvider }, { BatchSpanProcessor, ConsoleSpanExporter }, { OTLPTraceExporter }, { defaultResource, resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  // The exporter reads the OTEL_EXPORTER_OTLP_* variables of the process itself; the URL is passed
  // so that `env` decides it (the specification's rule: the generic endpoint gets `/v1/traces`).
  const tracesEndpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || (env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? `${env['OTEL_EXPORTER_OTLP_ENDPOINT'].replace(/\/+$/, '')}/v1/traces` : undefined);
  const exporter = exporterName === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter(tracesEndpoint ? { url: tracesEndpoint } : {});
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || TRACER_NAME, 'service.version': version })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Also installs the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  return { shutdown: () => provider.shutdown() };
}

/** One call to a backend, as a span; `headers` carry the trace context to send with the call. */
export interface UpstreamSpan {
  /** `traceparent` (and `tracestate`) to add to the outgoing request; empty while tracing is off. */
  readonly headers: Record<string, string>;
  /** Ends the span with the answer's status code, or with the error that ended the call. */
  end(outcome: { statusCode?: number | null; error?: unknown }): void;
}

/**
 * Starts the span of one upstream call, under whatever operation is active. For every transport:
 * the got hooks of `http-client.ts` use it, and an AWS SDK middleware can too (add `headers`
 * before signing, `end` after the response).
 */
export function startUpstreamSpan(backend: string, method: string, url: URL | string | undefined, attributes: Attributes = {}): UpstreamSpan {
  const target = typeof url === 'string' ? safeUrl(url) : url;
  const span = tracer().startSpan(`${method.toUpperCase()} ${backend}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method.toUpperCase(),
      'batchgate.backend': backend,
      ...(target ? { 'server.address': target.hostname, 'server.port': Number(target.port) || (target.protocol === 'https:' ? 443 : 80), 'url.path': target.pathname } : {}),
      ...attributes,
    },
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  let ended = false;
  return {
    headers,
    end({ statusCode, error }) {
      if (ended) return;
      ended = true;
      if (typeof statusCode === 'number') span.setAttribute('http.response.status_code', statusCode);
      if (error !== undefined || (typeof statusCode === 'number' && statusCode >= 400)) {
        span.setStatus({ code: SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) });
        if (error instanceof Error) span.setAttribute('error.type', (error as { code?: unknown }).code ? String((error as { code?: unknown }).code) : error.name);
      }
      span.end();
    },
  };
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
