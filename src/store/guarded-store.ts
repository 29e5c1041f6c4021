import { ErrorCode, GatewayError } from '../core/errors.js';
import type { Store } from './store.js';

export interface StoreGuardOptions {
  /** False while the connection is known to be down: calls then fail at once instead of queueing. */
  isConnected: () => boolean;
  /** A call that has not answered after this long fails. @default 2000 */
  timeoutMs?: number;
  /** Names the store in messages, e.g. "Redis". */
  name: string;
}

/**
 * A store whose every call fails fast with `STORE_UNAVAILABLE` while its connection is down or slow,
 * instead of waiting through the client's reconnects and surfacing the driver's own text. The
 * caller learns within `timeoutMs` and the client sees a code of the contract.
 */
export function guardStore(store: Store, { isConnected, timeoutMs = 2_000, name }: StoreGuardOptions): Store {
  const unavailable = (cause?: unknown) =>
    new GatewayError(ErrorCode.STORE_UNAVAILABLE, `The gateway's record store (${name}) is unreachable; try again shortly`, { cause });
  const guard =
    <Args extends unknown[], Result>(call: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      if (!isConnected()) throw unavailable();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(unavailable(new Error(`no answer within ${timeoutMs} ms`))), timeoutMs);
      });
      try {
        return await Promise.race([call(...args), deadline]);
      } catch (error) {
        throw error instanceof GatewayError ? error : unavailable(error);
      } finally {
        clearTimeout(timer);
      }
    };
  return {
    recordStarted: guard(store.recordStarted.bind(store)),
    recordCancelled: guard(store.recordCancelled.bind(store)),
    updateSnapshot: guard(store.updateSnapshot.bind(store)),
    get: guard(store.get.bind(store)),
    list: guard(store.list.bind(store)),
    claimIdempotency: guard(store.claimIdempotency.bind(store)),
    completeIdempotency: guard(store.completeIdempotency.bind(store)),
    releaseIdempotency: guard(store.releaseIdempotency.bind(store)),
    markIdempotencyUnknown: guard(store.markIdempotencyUnknown.bind(store)),
    ping: guard(store.ping.bind(store)),
    dispose: () => store.dispose(),
  };
}
