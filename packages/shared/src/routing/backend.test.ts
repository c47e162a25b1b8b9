import { describe, expect, it } from 'vitest';
import { pickBackend, WeightedSequence } from './backend';
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

describe('WeightedSequence', () => {
  /** Counts `n` picks along one sequence from `start`. */
  function picked(list: CompiledBackend[], n: number, start: number): Record<string, number> {
    const sequence = new WeightedSequence(start);
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const name = pickBackend({ backends: list }, sequence.next)?.name ?? 'none';
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  }

  it('keeps every run of picks within a few requests of the weights, from any start', () => {
    for (let k = 0; k < 50; k++) {
      const start = k / 50;
      const split = picked(backends(70, 30, 0), 500, start);
      expect(Math.abs((split.v0 ?? 0) - 350), `70/30 from ${start}`).toBeLessThanOrEqual(3);
      expect(split.v2).toBeUndefined();
      const canary = picked(backends(60, 40), 400, start);
      expect(Math.abs((canary.v1 ?? 0) - 160), `60/40 from ${start}`).toBeLessThanOrEqual(3);
      for (const n of [10, 37, 100]) {
        const few = picked(backends(80, 20), n, start);
        expect(Math.abs((few.v1 ?? 0) - n * 0.2), `80/20, ${n} picks from ${start}`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('stays in [0, 1)', () => {
    const sequence = new WeightedSequence(0.999_999);
    for (let i = 0; i < 10_000; i++) {
      const point = sequence.next();
      expect(point >= 0 && point < 1).toBe(true);
    }
  });
});
