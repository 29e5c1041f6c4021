import { describe, expect, it } from 'vitest';
import { nextPollDue } from './poll-schedule.js';

describe('nextPollDue', () => {
  it('keeps the period when the answer comes back slowly', () => {
    // Due at 0, went out at 0, answered at 300: the next is due at 1,000, not 1,300.
    expect(nextPollDue({ delayMs: 1000, previousDueAt: 0, previousStartedAt: 0, now: 300 })).toBe(1000);
  });

  it('polls at once when the previous answer came after the next due time', () => {
    expect(nextPollDue({ delayMs: 1000, previousDueAt: 0, previousStartedAt: 0, now: 1200 })).toBe(1000);
  });

  it('keeps two polls nine tenths of the delay apart after a late start', () => {
    // The timer fired 250 ms late: the next poll waits until 250 + 900, not 1,000.
    expect(nextPollDue({ delayMs: 1000, previousDueAt: 0, previousStartedAt: 250, now: 260 })).toBe(1150);
  });

  it('restarts the phase instead of catching up after a whole missed period', () => {
    expect(nextPollDue({ delayMs: 1000, previousDueAt: 0, previousStartedAt: 0, now: 2500 })).toBe(2500);
  });
});
