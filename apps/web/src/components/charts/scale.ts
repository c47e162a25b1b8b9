/**
 * The arithmetic of a line chart, kept apart from React so it can be tested: a y range that
 * ends on a round number, ticks on it, and SVG paths that break where a series has no value.
 */

/** The smallest 1, 2 or 5 × 10^k at or above `value` (and 1 for nothing to show). */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value * (1 - 1e-9)) return step * magnitude;
  return 10 * magnitude;
}

/** The largest value across series, ignoring gaps. */
export function seriesMax(series: readonly (readonly (number | null)[])[]): number {
  let max = 0;
  for (const values of series) for (const v of values) if (v !== null && v > max) max = v;
  return max;
}

export interface Plot {
  width: number;
  height: number;
  /** First and last time (ms) on the x axis. */
  start: number;
  end: number;
  /** Top of the y axis; the bottom is 0. */
  yMax: number;
}

/** `d` attribute of one series: a line through consecutive values, a new segment after every gap, a dot for a lone point. */
export function linePath(timestamps: readonly number[], values: readonly (number | null)[], plot: Plot): string {
  const span = plot.end - plot.start || 1;
  const parts: string[] = [];
  let inSegment = false;
  for (let i = 0; i < timestamps.length; i++) {
    const value = values[i];
    const time = timestamps[i];
    if (value === null || value === undefined || time === undefined) {
      inSegment = false;
      continue;
    }
    const x = ((time - plot.start) / span) * plot.width;
    const y = plot.height - (Math.min(value, plot.yMax) / plot.yMax) * plot.height;
    const next = values[i + 1];
    const lone = !inSegment && (next === null || next === undefined);
    // A point with no neighbour is drawn as a zero-length segment, which a round line cap shows as a dot.
    parts.push(`${inSegment ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}${lone ? 'h0' : ''}`);
    inSegment = true;
  }
  return parts.join('');
}

/** The newest value of a series, if it has any. */
export function latest(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** A value with up to three significant digits: 0.0123, 1.23, 12.3, 123, 1234. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toString();
  return Number(value.toPrecision(3)).toString();
}
