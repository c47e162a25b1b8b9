/**
 * The upper bounds (ms) of `istio_request_duration_milliseconds`' buckets, as Istio's proxies report
 * them: what the waypoint records into and what a quantile over its histogram can resolve.
 */
export const ISTIO_DURATION_BUCKETS_MS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

/** Which bucket a duration falls in: the index of the first bound at or above it (the length for +Inf). */
export function durationBucketOf(ms: number): number {
  const index = ISTIO_DURATION_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? ISTIO_DURATION_BUCKETS_MS.length : index;
}
