/**
 * PromQL's `rate()` of one counter series: the increase between the first and last sample in the
 * window (a drop in value is a counter reset — a restarted proxy — and counts from zero),
 * extrapolated towards the window's edges the way Prometheus does, per second.
 */

/**
 * `times` (ms, ascending) and `values` hold `count` samples inside the window (start, end].
 * NaN when fewer than two samples: PromQL gives no result for such a series.
 */
export function counterRate(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  count: number,
  rangeStartMs: number,
  rangeEndMs: number,
): number {
  if (count < 2) return Number.NaN;
  const firstValue = values[0] as number;
  let previous = firstValue;
  let correction = 0;
  for (let i = 1; i < count; i++) {
    const v = values[i] as number;
    if (v < previous) correction += previous;
    previous = v;
  }
  let increase = previous - firstValue + correction;
  const firstT = times[0] as number;
  const lastT = times[count - 1] as number;
  let toStart = (firstT - rangeStartMs) / 1000;
  const toEnd = (rangeEndMs - lastT) / 1000;
  const sampled = (lastT - firstT) / 1000;
  if (sampled <= 0) return Number.NaN;
  const averageGap = sampled / (count - 1);
  // A counter cannot go below zero: extrapolate no further back than where it would reach zero.
  if (increase > 0 && firstValue >= 0) {
    const toZero = sampled * (firstValue / increase);
    if (toZero < toStart) toStart = toZero;
  }
  const threshold = averageGap * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : averageGap / 2;
  interval += toEnd < threshold ? toEnd : averageGap / 2;
  increase *= interval / sampled;
  return increase / ((rangeEndMs - rangeStartMs) / 1000);
}
