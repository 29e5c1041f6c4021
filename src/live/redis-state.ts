import type { Store } from '../store/store.js';
import type { Coordinator } from './coordinator.js';

/** Redis-backed store and coordinator for several replicas (being written: see the live-progress issue). */
export async function createRedisState(
  _url: string,
  _keyPrefix: string,
): Promise<{ store: Store; coordinator: Coordinator; dispose: () => Promise<void> }> {
  throw new Error('Redis mode is not available yet');
}
