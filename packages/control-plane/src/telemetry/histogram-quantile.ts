/**
 * PromQL's `histogram_quantile()` over classic (`le`) buckets: the quantile is found in the first
 * bucket whose cumulative count reaches q × total and interpolated linearly inside it (from 0 for
 * the lowest bucket); in the +Inf bucket the highest finite bound is returned. The embedded
 * back end and the topology builder both use it, so their numbers agree with Prometheus'.
 */

export interface Bucket {
  /** The `le` bound; +Infinity for the last bucket. */
  upperBound: number;
  /** Cumulative count (or rate) of observations ≤ upperBound. */
  count: number;
}

/** `le` label text as a bound (`+Inf`, `0.5`, `1e+06`); NaN when it is not a number. */
export function parseBucketBound(le: string): number {
  if (le === '+Inf' || le === 'Inf' || le === '+inf' || le === 'inf') return Number.POSITIVE_INFINITY;
  return le.trim() === '' ? Number.NaN : Number(le);
}

/**
 * NaN when there are no observations, fewer than two buckets, no +Inf bucket, or q is NaN;
 * -Inf for q < 0 and +Inf for q > 1. Sorts `buckets` in place and merges equal bounds into the
 * first of them.
 */
export function bucketQuantile(q: number, buckets: Bucket[]): number {
  // Insertion sort: buckets nearly always arrive sorted, and it allocates nothing.
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i] as Bucket;
    let j = i - 1;
    while (j >= 0 && (buckets[j] as Bucket).upperBound > b.upperBound) {
      buckets[j + 1] = buckets[j] as Bucket;
      j--;
    }
    buckets[j + 1] = b;
  }
  // Equal bounds (series that differ only in labels summed away) add up.
  let n = 0;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i] as Bucket;
    const last = n > 0 ? (buckets[n - 1] as Bucket) : undefined;
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets[n++] = b;
  }
  buckets.length = n;
  const bounds = new Array<number>(n);
  const counts = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    bounds[i] = (buckets[i] as Bucket).upperBound;
    counts[i] = (buckets[i] as Bucket).count;
  }
  return sortedBucketQuantile(q, bounds, counts);
}

/**
 * The same over buckets given as parallel arrays, sorted by distinct ascending upper bounds.
 * Counts that fall are read as the highest count below them (Prometheus' monotonicity fix).
 */
export function sortedBucketQuantile(q: number, bounds: ArrayLike<number>, counts: ArrayLike<number>): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const n = bounds.length;
  if (n < 2 || bounds[n - 1] !== Number.POSITIVE_INFINITY) return Number.NaN;
  let observations = 0;
  for (let i = 0; i < n; i++) if ((counts[i] as number) > observations) observations = counts[i] as number;
  if (!(observations > 0)) return Number.NaN;
  const rank = q * observations;
  let below = 0;
  for (let b = 0; b < n - 1; b++) {
    const count = Math.max(below, counts[b] as number);
    if (count >= rank) {
      const upper = bounds[b] as number;
      if (b === 0 && upper <= 0) return upper;
      const lower = b === 0 ? 0 : (bounds[b - 1] as number);
      return lower + (upper - lower) * ((rank - below) / (count - below));
    }
    below = count;
  }
  return bounds[n - 2] as number;
}
