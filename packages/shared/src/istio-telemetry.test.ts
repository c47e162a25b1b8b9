import { describe, expect, it } from 'vitest';
import { durationBucketOf, ISTIO_DURATION_BUCKETS_MS } from './istio-telemetry';

describe('Istio duration buckets', () => {
  it('places a duration in the first bucket whose upper bound holds it, bounds inclusive, beyond the last in +Inf', () => {
    expect(durationBucketOf(0.2)).toBe(0);
    expect(durationBucketOf(5)).toBe(2);
    expect(durationBucketOf(9.74)).toBe(3);
    expect(durationBucketOf(21.44)).toBe(4);
    expect(durationBucketOf(4_000_000)).toBe(ISTIO_DURATION_BUCKETS_MS.length);
  });
});
