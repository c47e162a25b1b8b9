import { describe, expect, it } from 'vitest';
import { backendLines, joinBackendMetrics } from './backend-metrics';

const series = (
  timestamps: number[],
  versions: { version: string; rate: (number | null)[]; errors?: (number | null)[]; p99?: (number | null)[] }[],
) => ({
  timestamps,
  versions: versions.map((v) => ({
    version: v.version,
    requestRate: v.rate,
    errorPercent: v.errors ?? v.rate.map(() => 0),
    p99Ms: v.p99 ?? v.rate.map(() => null),
  })),
});

describe('joinBackendMetrics', () => {
  it('measures each backend’s share of all the requests, step by step', () => {
    const joined = joinBackendMetrics([
      { name: 'reviews-v1', series: series([0, 5_000], [{ version: 'v1', rate: [5, 4.5], p99: [12, 14] }]) },
      { name: 'reviews-v2', series: series([0, 5_000], [{ version: 'v2', rate: [0, 0.5], p99: [null, 30] }]) },
    ]);
    expect(joined.timestamps).toEqual([0, 5_000]);
    expect(joined.backends.map((b) => b.share)).toEqual([
      [100, 90],
      [0, 10],
    ]);
    expect(joined.backends[1]?.p99Ms).toEqual([null, 30]);
  });

  it('weights the success rate of a backend’s versions by their traffic, and has none without requests', () => {
    const joined = joinBackendMetrics([
      {
        name: 'reviews',
        series: series(
          [0, 5_000],
          [
            { version: 'v1', rate: [3, 0], errors: [0, null] },
            { version: 'v2', rate: [1, 0], errors: [40, null] },
          ],
        ),
      },
    ]);
    expect(joined.backends[0]?.successRate).toEqual([90, null]);
    expect(joined.backends[0]?.requestRate).toEqual([4, 0]);
    expect(joined.backends[0]?.share).toEqual([100, null]);
  });

  it('aligns answers on their newest point and treats a backend without data as no traffic', () => {
    const joined = joinBackendMetrics([
      { name: 'a', series: series([1_000, 6_000, 11_000], [{ version: 'v1', rate: [1, 1, 3] }]) },
      { name: 'b', series: series([6_000, 11_000], [{ version: 'v2', rate: [1, 1] }]) },
      { name: 'c', series: undefined },
    ]);
    expect(joined.timestamps).toEqual([1_000, 6_000, 11_000]);
    expect(joined.backends.map((b) => b.share[2])).toEqual([75, 25, 0]);
    expect(joined.backends[1]?.requestRate).toEqual([null, 1, 1]);
    expect(joined.backends[2]?.versions).toEqual([]);
  });
});

describe('backendLines', () => {
  it('gives each backend one chart line of the chosen measure, and none without measurements', () => {
    const joined = joinBackendMetrics([{ name: 'reviews-primary', series: series([0, 5_000], [{ version: 'v1', rate: [1, 1] }]) }]);
    expect(backendLines(joined, 'share', ' measured')).toEqual([
      { name: 'reviews-primary measured', timestamps: [0, 5_000], values: [100, 100] },
    ]);
    expect(backendLines(undefined, 'p99Ms')).toEqual([]);
  });
});
