import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  bulkhead,
  circuitBreaker,
  handleWhen,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { ErrorCode, GatewayError, isGatewayError, toGatewayError } from '../core/errors.js';

export interface ResilienceOptions {
  /** Most calls in flight to the backend at once. @default 64 */
  maxInFlight: number;
  /** Calls waiting for a slot beyond that; more are refused at once. @default 4 × maxInFlight */
  maxQueued?: number;
  /** Consecutive transport failures that open the circuit. @default 5 */
  failuresToOpen?: number;
  /** How long an open circuit refuses calls before letting one through. @default 5000 */
  halfOpenAfterMs?: number;
}

export interface BackendGuard {
  /** Runs a call under the bulkhead and circuit breaker; refusals become `BACKEND_UNAVAILABLE`. */
  run<T>(call: () => Promise<T>): Promise<T>;
  readonly circuitOpen: boolean;
  /** The breaker's state, for metrics. */
  readonly circuitState: 'closed' | 'half_open' | 'open';
  onStateChange(listener: (open: boolean) => void): void;
  dispose(): void;
}

/** Only the backend being unreachable or slow counts against the circuit; a 404 is a good answer. */
const isTransportFault = (error: unknown): boolean =>
  isGatewayError(error) && (error.code === ErrorCode.BACKEND_UNAVAILABLE || error.code === ErrorCode.BACKEND_TIMEOUT);

export function createBackendGuard(backend: string, options: ResilienceOptions): BackendGuard {
  const breaker = circuitBreaker(handleWhen(isTransportFault), {
    halfOpenAfter: options.halfOpenAfterMs ?? 5000,
    breaker: new ConsecutiveBreaker(options.failuresToOpen ?? 5),
  });
  const limiter = bulkhead(options.maxInFlight, options.maxQueued ?? options.maxInFlight * 4);
  const policy: IPolicy = wrap(limiter, breaker);
  const listeners: Array<(open: boolean) => void> = [];
  const subscription = breaker.onStateChange((state) => {
    for (const listener of listeners) listener(state === CircuitState.Open);
  });

  return {
    async run(call) {
      try {
        return await policy.execute(() => call());
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          throw new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" is failing; calls are paused briefly (circuit open)`, {
            backend,
          });
        }
        if (error instanceof BulkheadRejectedError) {
          throw new GatewayError(ErrorCode.BACKEND_UNAVAILABLE, `Backend "${backend}" has too many calls in flight; try again shortly`, {
            backend,
          });
        }
        throw error;
      }
    },
    get circuitOpen() {
      return breaker.state === CircuitState.Open;
    },
    get circuitState() {
      if (breaker.state === CircuitState.Open || breaker.state === CircuitState.Isolated) return 'open' as const;
      return breaker.state === CircuitState.HalfOpen ? ('half_open' as const) : ('closed' as const);
    },
    onStateChange(listener) {
      listeners.push(listener);
    },
    dispose() {
      subscription.dispose();
      listeners.length = 0;
    },
  };
}

/**
 * `call` within `timeoutMs` from now: after it the answer is `BACKEND_TIMEOUT` naming the backend,
 * `onTimeout` runs (to abort the call), and an answer that still comes is handed to `onLate`.
 */
export function withCallDeadline<T>(backend: string, call: Promise<T>, timeoutMs: number, onTimeout: () => void, onLate?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      onTimeout();
      reject(new GatewayError(ErrorCode.BACKEND_TIMEOUT, `Backend "${backend}" did not answer within ${timeoutMs} ms`, { backend, cause: new Error('deadline') }));
    }, timeoutMs);
    call.then(
      (value) => {
        clearTimeout(timer);
        if (late) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(toGatewayError(error, backend));
      },
    );
  });
}
