import { describe, expect, it } from 'vitest';
import { counterRate } from './counter-rate';

const s = (seconds: number) => seconds * 1000;

describe('counterRate', () => {
  it('gives the steady rate of a counter sampled every 5 s', () => {
    // (0, 20 s]: 100, 110, 120, 130 at 5…20 s; extrapolated 5 s back to the window start: 40 over 20 s.
    expect(counterRate([s(5), s(10), s(15), s(20)], [100, 110, 120, 130], 4, 0, s(20))).toBeCloseTo(2, 12);
  });

  it('counts a drop in value as a restart from zero (counter reset)', () => {
    // 10 → 20, restart, 5 → 15: increase 15 - 10 + 20 = 25 over 15 s sampled; extrapolated to 20 s: 33.33, per second 1.667.
    const rate = counterRate([s(5), s(10), s(15), s(20)], [10, 20, 5, 15], 4, 0, s(20));
    expect(rate).toBeCloseTo((25 * (20 / 15)) / 20, 12);
  });

  it('does not extrapolate below zero: a counter that just started counts from where it was 0', () => {
    // 1 → 11 over 10 s; zero would be 1 s before the first sample, closer than the window start (6 s away).
    const rate = counterRate([s(16), s(21), s(26)], [1, 6, 11], 3, s(10), s(30));
    // interval = 10 sampled + 1 (to zero) + 4 (to end, < 5.5 threshold) = 15; 10 × 15/10 / 20 s.
    expect(rate).toBeCloseTo((10 * (15 / 10)) / 20, 12);
  });

  it('extrapolates only half a gap towards an edge far from the samples', () => {
    // Samples 1 s apart at 50…52 s in a (0, 60 s] window: +0.5 s each side.
    const rate = counterRate([s(50), s(51), s(52)], [1000, 1010, 1020], 3, 0, s(60));
    expect(rate).toBeCloseTo((20 * (3 / 2)) / 60, 12);
  });

  it('is NaN with fewer than two samples', () => {
    expect(counterRate([s(5)], [1], 1, 0, s(60))).toBeNaN();
    expect(counterRate([], [], 0, 0, s(60))).toBeNaN();
  });
});
