/**
 * An HDR-style latency histogram: microsecond values in log-linear buckets (exact below 2,048 µs,
 * then 1,024 sub-buckets per power of two, ≤ 0.1 % error), so recording is an index and an increment.
 */
const SUB_BUCKET_BITS = 10;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
const MAGNITUDES = 24;

export class LatencyHistogram {
  private readonly counts = new Float64Array(SUB_BUCKETS * 2 + SUB_BUCKETS * MAGNITUDES);
  count = 0;
  max = 0;

  recordMicros(value: number): void {
    const v = value < 0 ? 0 : Math.floor(value);
    this.counts[indexOf(v)] = (this.counts[indexOf(v)] ?? 0) + 1;
    this.count++;
    if (v > this.max) this.max = v;
  }

  /** The value at percentile `p` (0-100), in microseconds (the bucket's lower bound). */
  percentileMicros(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let index = 0; index < this.counts.length; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) return bucketValue(index);
    }
    return this.max;
  }
}

function indexOf(value: number): number {
  if (value < SUB_BUCKETS * 2) return value;
  const magnitude = Math.floor(Math.log2(value)) - SUB_BUCKET_BITS;
  const sub = Math.floor(value / 2 ** magnitude) - SUB_BUCKETS;
  return SUB_BUCKETS * 2 + (magnitude - 1) * SUB_BUCKETS + sub;
}

function bucketValue(index: number): number {
  if (index < SUB_BUCKETS * 2) return index;
  const offset = index - SUB_BUCKETS * 2;
  const magnitude = Math.floor(offset / SUB_BUCKETS) + 1;
  return ((offset % SUB_BUCKETS) + SUB_BUCKETS) * 2 ** magnitude;
}
