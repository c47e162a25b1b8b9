import { describe, expect, it } from 'vitest';
import { type Bucket, bucketQuantile, parseBucketBound } from './histogram-quantile';

/** Rates of the waypoint histogram in exposition.test.ts, per second. */
function buckets(): Bucket[] {
  return [
    { upperBound: 10, count: 1010 },
    { upperBound: 0.5, count: 0 },
    { upperBound: Number.POSITIVE_INFINITY, count: 1030 },
    { upperBound: 1, count: 12 },
    { upperBound: 5, count: 830 },
  ];
}

describe('bucketQuantile', () => {
  it('interpolates inside the bucket that holds the rank, as computed by hand', () => {
    // p50: rank 515 falls in (1, 5]: 1 + 4 × (515 - 12) / (830 - 12).
    expect(bucketQuantile(0.5, buckets())).toBeCloseTo(1 + (4 * 503) / 818, 12);
    // p90: rank 927 falls in (5, 10]: 5 + 5 × (927 - 830) / (1010 - 830).
    expect(bucketQuantile(0.9, buckets())).toBeCloseTo(5 + (5 * 97) / 180, 12);
  });

  it('returns the highest finite bound when the rank is in the +Inf bucket', () => {
    // p99: rank 1019.7 > 1010.
    expect(bucketQuantile(0.99, buckets())).toBe(10);
  });

  it('interpolates from 0 in the lowest bucket', () => {
    expect(
      bucketQuantile(0.5, [
        { upperBound: 4, count: 10 },
        { upperBound: Number.POSITIVE_INFINITY, count: 10 },
      ]),
    ).toBe(2);
  });

  it('adds up buckets of equal bounds and forces counts to rise', () => {
    const split = [
      { upperBound: 1, count: 5 },
      { upperBound: 1, count: 5 },
      { upperBound: 2, count: 8 }, // below the bucket before it: read as 10
      { upperBound: Number.POSITIVE_INFINITY, count: 20 },
    ];
    expect(bucketQuantile(0.25, split)).toBe(0.5);
    expect(
      bucketQuantile(
        0.75,
        split.map((b) => ({ ...b })),
      ),
    ).toBe(2);
  });

  it('follows Prometheus at the edges', () => {
    expect(
      bucketQuantile(0.5, [
        { upperBound: 1, count: 0 },
        { upperBound: Number.POSITIVE_INFINITY, count: 0 },
      ]),
    ).toBeNaN();
    expect(
      bucketQuantile(0.5, [
        { upperBound: 1, count: 3 },
        { upperBound: 2, count: 3 },
      ]),
    ).toBeNaN(); // no +Inf
    expect(bucketQuantile(0.5, [{ upperBound: Number.POSITIVE_INFINITY, count: 3 }])).toBeNaN();
    expect(bucketQuantile(-0.1, buckets())).toBe(Number.NEGATIVE_INFINITY);
    expect(bucketQuantile(1.1, buckets())).toBe(Number.POSITIVE_INFINITY);
    expect(bucketQuantile(Number.NaN, buckets())).toBeNaN();
  });

  it('reads le labels', () => {
    expect(parseBucketBound('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseBucketBound('1e+06')).toBe(1_000_000);
    expect(parseBucketBound('0.5')).toBe(0.5);
    expect(parseBucketBound('')).toBeNaN();
    expect(parseBucketBound('x')).toBeNaN();
  });
});
