import { describe, expect, it } from 'vitest';
import { pickBackend } from './backend';
import type { CompiledBackend } from './types';

function backends(...weights: number[]): CompiledBackend[] {
  return weights.map((weight, i) => ({ group: '', kind: 'Service', name: `v${i}`, namespace: 'default', port: 80, weight, filters: [] }));
}

/** Picks `n` times with evenly spread random numbers and counts how often each backend was chosen. */
function distribution(list: CompiledBackend[], n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = pickBackend({ backends: list }, () => (i + 0.5) / n)?.name ?? 'none';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe('pickBackend', () => {
  it('sends traffic in proportion to the weights', () => {
    expect(distribution(backends(90, 10), 1000)).toEqual({ v0: 900, v1: 100 });
    expect(distribution(backends(1, 2, 1), 400)).toEqual({ v0: 100, v1: 200, v2: 100 });
  });

  it('never picks a weight-0 backend', () => {
    expect(distribution(backends(0, 1, 0), 100)).toEqual({ v1: 100 });
  });

  it('gives undefined (500) when every weight is 0 or there is no backend', () => {
    expect(pickBackend({ backends: backends(0, 0) }, () => 0.5)).toBeUndefined();
    expect(pickBackend({ backends: [] }, () => 0.5)).toBeUndefined();
  });

  it('stays in range at the top of the random interval', () => {
    expect(pickBackend({ backends: backends(1, 1) }, () => 0.999_999_999_999)?.name).toBe('v1');
  });
});
