import { describe, expect, it } from 'vitest';
import { operationLabel } from './apollo-plugins.js';

describe('operation labels on metrics', () => {
  it('keeps well-formed names and folds malformed or excess ones into "other"', () => {
    expect(operationLabel('Batches')).toBe('Batches');
    expect(operationLabel('not a name {}')).toBe('other');
    expect(operationLabel('x'.repeat(65))).toBe('other');
    const labels = new Set(Array.from({ length: 500 }, (_, i) => operationLabel(`Op${i}`)));
    expect(labels.has('other')).toBe(true);
    expect(labels.size).toBeLessThanOrEqual(201);
    expect(operationLabel('Batches')).toBe('Batches');
  });
});
