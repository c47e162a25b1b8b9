/**
 * Measured traffic per route backend. The waypoint labels each request with the backend Service it chose
 * (destination_service_name), so telemetry.versionSeries for each backend gives that backend's requests; the
 * shares of one backend among all of them is the split as measured.
 */

/** The part of telemetry.versionSeries's answer read here. */
export interface VersionSeriesLike {
  timestamps: readonly number[];
  versions: readonly {
    version: string;
    requestRate: readonly (number | null)[];
    errorPercent: readonly (number | null)[];
    p99Ms: readonly (number | null)[];
  }[];
}

export interface BackendSeries {
  name: string;
  versions: string[];
  requestRate: (number | null)[];
  /** Percent of the requests of all backends at that time; null when none had traffic. */
  share: (number | null)[];
  /** Percent of non-5xx answers (Flagger's request-success-rate); null without requests. */
  successRate: (number | null)[];
  /** Highest p99 of the backend's versions (exact for the usual one version per backend). */
  p99Ms: (number | null)[];
}

export interface BackendMetrics {
  timestamps: number[];
  backends: BackendSeries[];
}

/** The value `fromEnd` places before the end of `values` (ranges are aligned on their newest point). */
function fromEnd<T>(values: readonly T[], fromEnd: number): T | undefined {
  return values[values.length - 1 - fromEnd];
}

/**
 * Joins one versionSeries answer per backend. The answers come from separate queries whose ranges may end a
 * second apart; they have the same step, so they are aligned on their newest point.
 */
export function joinBackendMetrics(answers: readonly { name: string; series: VersionSeriesLike | undefined }[]): BackendMetrics {
  const length = Math.max(0, ...answers.map((a) => a.series?.timestamps.length ?? 0));
  const reference = answers.find((a) => (a.series?.timestamps.length ?? 0) === length)?.series?.timestamps ?? [];
  const timestamps = [...reference];
  const rates = answers.map(({ series }) =>
    timestamps.map((_, i) => {
      const back = length - 1 - i;
      let total: number | null = null;
      for (const v of series?.versions ?? []) {
        const rate = fromEnd(v.requestRate, back);
        if (rate !== null && rate !== undefined) total = (total ?? 0) + rate;
      }
      return total;
    }),
  );
  const backends = answers.map(({ name, series }, b): BackendSeries => {
    const versions = series?.versions ?? [];
    const requestRate = rates[b] ?? [];
    return {
      name,
      versions: versions.map((v) => v.version),
      requestRate,
      share: timestamps.map((_, i) => {
        const all = rates.reduce((sum, r) => sum + (r[i] ?? 0), 0);
        return all > 0 ? ((requestRate[i] ?? 0) / all) * 100 : null;
      }),
      successRate: timestamps.map((_, i) => {
        const back = length - 1 - i;
        let requests = 0;
        let failed = 0;
        for (const v of versions) {
          const rate = fromEnd(v.requestRate, back);
          if (rate === null || rate === undefined || rate <= 0) continue;
          requests += rate;
          failed += (rate * (fromEnd(v.errorPercent, back) ?? 0)) / 100;
        }
        return requests > 0 ? 100 - (failed / requests) * 100 : null;
      }),
      p99Ms: timestamps.map((_, i) => {
        let worst: number | null = null;
        for (const v of versions) {
          const p99 = fromEnd(v.p99Ms, length - 1 - i);
          if (p99 !== null && p99 !== undefined) worst = Math.max(worst ?? 0, p99);
        }
        return worst;
      }),
    };
  });
  return { timestamps, backends };
}

/** One chart line per backend for one measure, named after the backend (plus `suffix`). */
export function backendLines(metrics: BackendMetrics | undefined, measure: 'share' | 'successRate' | 'p99Ms', suffix = '') {
  return (metrics?.backends ?? []).map((b) => ({ name: `${b.name}${suffix}`, timestamps: metrics?.timestamps ?? [], values: b[measure] }));
}
