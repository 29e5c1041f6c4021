import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, withJitter } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles per failure from the base and stops at the cap, even after very many failures', () => {
    const options = { baseMs: 1000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 10_000].map((failures) => backoffDelay(failures, options))).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

describe('withJitter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('keeps between the minimum share and all of the delay', () => {
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValue(0);
    expect([withJitter(1000), withJitter(1000, 0.25)]).toEqual([500, 250]);
    random.mockReturnValue(0.999_999);
    expect([withJitter(1000), withJitter(1000, 0.25)]).toEqual([1000, 1000]);
  });
});
