/**
 * The embedded back end's PromQL: evaluates the four query shapes (query.ts) over the series
 * store with Prometheus' semantics — left-open windows (start, end], rate() with counter resets
 * and extrapolation, sum by label sets, histogram_quantile over summed bucket rates, 5-minute
 * lookback and staleness for instant values. Results are sorted by their labels.
 */
import { AmbitError } from '@ambit/shared/errors';
import { counterRate } from './counter-rate';
import { type Bucket, bucketQuantile, parseBucketBound } from './histogram-quantile';
import type { LabelSchema, LabelSet } from './label-set';
import type { LabelMatcher, TelemetryQuery } from './query';
import type { Series, SeriesStore, Timeline } from './series-store';
import { MAX_RANGE_POINTS, type RangeMatrix, type RangeSeries, type SeriesLabels, type TimeRange, type VectorSample } from './source';

/** Prometheus' default lookback for instant values. */
const LOOKBACK_MS = 5 * 60_000;

interface CompiledMatcher {
  label: string;
  op: LabelMatcher['op'];
  value: string;
  regex: RegExp | undefined;
}

function compile(matchers: readonly LabelMatcher[]): CompiledMatcher[] {
  return matchers.map((m) => ({
    label: m.label,
    op: m.op,
    value: m.value,
    // PromQL regexes are fully anchored.
    regex: m.op === '=~' || m.op === '!~' ? new RegExp(`^(?:${m.value})$`) : undefined,
  }));
}

/** An absent label reads as the empty string, as in PromQL. */
function matchesAll(labels: LabelSet, matchers: readonly CompiledMatcher[]): boolean {
  for (const m of matchers) {
    const v = labels.get(m.label) ?? '';
    switch (m.op) {
      case '=':
        if (v !== m.value) return false;
        break;
      case '!=':
        if (v === m.value) return false;
        break;
      case '=~':
        if (!m.regex?.test(v)) return false;
        break;
      case '!~':
        if (m.regex?.test(v)) return false;
        break;
    }
  }
  return true;
}

/**
 * Where the `by` labels sit in a series' values, found once per label schema (all of a proxy's
 * series of one metric share one), so grouping reads values by position.
 */
class Grouping {
  private readonly positions = new Map<LabelSchema, Int32Array>();

  constructor(readonly by: readonly string[]) {}

  private positionsIn(schema: LabelSchema): Int32Array {
    let positions = this.positions.get(schema);
    if (!positions) {
      positions = Int32Array.from(this.by, (name) => schema.indexOf(name) ?? -1);
      this.positions.set(schema, positions);
    }
    return positions;
  }

  key(labels: LabelSet): string {
    const positions = this.positionsIn(labels.schema);
    const values = labels.values;
    let key = '';
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i] as number;
      if (i > 0) key += '\u0000';
      if (p >= 0) key += values[p] as string;
    }
    return key;
  }

  /** The `by` labels as a plain-data object; empty values are absent, as in Prometheus. */
  labels(labels: LabelSet): SeriesLabels {
    const positions = this.positionsIn(labels.schema);
    const out: Record<string, string> = Object.create(null);
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i] as number;
      const v = p >= 0 ? (labels.values[p] as string) : '';
      if (v !== '') out[this.by[i] as string] = v;
    }
    return out;
  }
}

/** Reads the samples of series at one evaluation time; seq ranges are found once per timeline. */
class WindowReader {
  private readonly ranges = new Map<Timeline, readonly [number, number]>();
  private times: Float64Array;
  private values: Float64Array;

  constructor(
    readonly startMs: number,
    readonly endMs: number,
    capacity: number,
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  private range(timeline: Timeline): readonly [number, number] {
    let r = this.ranges.get(timeline);
    if (!r) {
      r = [timeline.firstAfter(this.startMs), timeline.lastAtOrBefore(this.endMs)];
      this.ranges.set(timeline, r);
    }
    return r;
  }

  /** `rate()` of the series over (startMs, endMs]; NaN when it has fewer than two samples there. */
  rate(series: Series): number {
    const timeline = series.timeline;
    const [windowFrom, windowTo] = this.range(timeline);
    const from = series.firstHeld(windowFrom);
    const to = Math.min(windowTo, series.lastSeq);
    if (to - from + 1 > this.times.length) {
      this.times = new Float64Array(to - from + 1);
      this.values = new Float64Array(to - from + 1);
    }
    let n = 0;
    for (let s = from; s <= to; s++) {
      const v = series.valueAt(s);
      if (Number.isNaN(v)) continue;
      this.times[n] = timeline.timeOf(s);
      this.values[n] = v;
      n++;
    }
    return counterRate(this.times, this.values, n, this.startMs, this.endMs);
  }

  /** The series' value at endMs: its latest scrape within the lookback, if it was present in it. */
  latest(series: Series): number {
    const timeline = series.timeline;
    const seq = timeline.lastAtOrBefore(this.endMs);
    if (seq < timeline.firstSeq || timeline.timeOf(seq) < this.endMs - LOOKBACK_MS) return Number.NaN;
    return series.valueAt(seq);
  }
}

interface Group {
  labels: SeriesLabels;
  value: number;
  /** ratio: the numerator; quantile: the buckets. */
  part: number;
  buckets: Bucket[] | undefined;
}

export function evaluateInstant(store: SeriesStore, query: TelemetryQuery, at: number): VectorSample[] {
  return evaluateGroups(store, query, at).map((g) => g.sample);
}

/** The samples of `query` at `at`, each with its group key, sorted by it. */
function evaluateGroups(store: SeriesStore, query: TelemetryQuery, at: number): { key: string; sample: VectorSample }[] {
  const metric = query.kind === 'quantile' ? `${query.histogram}_bucket` : query.metric;
  const series = store.seriesNamed(metric);
  if (!series || series.size === 0) return [];
  const matchers = compile(query.matchers);
  const numerator = query.kind === 'ratio' ? compile(query.numerator) : [];
  const windowMs = query.kind === 'sum' ? LOOKBACK_MS : query.windowSeconds * 1000;
  const reader = new WindowReader(at - windowMs, at, store.limits.samplesPerSeries);
  const grouping = new Grouping(query.by);
  const groups = new Map<string, Group>();

  for (const s of series) {
    if (!matchesAll(s.labels, matchers)) continue;
    const value = query.kind === 'sum' ? reader.latest(s) : reader.rate(s);
    if (Number.isNaN(value)) continue;
    let bound = 0;
    if (query.kind === 'quantile') {
      const le = s.labels.get('le');
      if (le === undefined) continue;
      bound = parseBucketBound(le);
      if (Number.isNaN(bound)) continue;
    }
    const key = grouping.key(s.labels);
    let group = groups.get(key);
    if (!group) {
      group = { labels: grouping.labels(s.labels), value: 0, part: 0, buckets: query.kind === 'quantile' ? [] : undefined };
      groups.set(key, group);
    }
    if (group.buckets) group.buckets.push({ upperBound: bound, count: value });
    else group.value += value;
    if (query.kind === 'ratio' && matchesAll(s.labels, numerator)) group.part += value;
  }

  const out: { key: string; sample: VectorSample }[] = [];
  for (const [key, g] of groups) {
    let value = g.value;
    if (query.kind === 'ratio') value = g.part / g.value;
    else if (query.kind === 'quantile') value = bucketQuantile(query.quantile, g.buckets as Bucket[]);
    out.push({ key, sample: { labels: g.labels, value } });
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

export function rangeTimestamps(range: TimeRange): number[] {
  const { start, end, stepMs } = range;
  if (!(stepMs > 0) || !Number.isFinite(start) || !Number.isFinite(end) || end < start) {
    throw new AmbitError('InvalidArgument', `invalid time range: start ${start}, end ${end}, step ${stepMs} ms`, [
      { path: 'range', message: 'end must not be before start, and the step must be positive' },
    ]);
  }
  const points = Math.floor((end - start) / stepMs) + 1;
  if (points > MAX_RANGE_POINTS) {
    throw new AmbitError('InvalidArgument', `the range asks for ${points} points per series; at most ${MAX_RANGE_POINTS}`, [
      { path: 'range.stepMs', message: 'use a larger step or a shorter range' },
    ]);
  }
  const timestamps = new Array<number>(points);
  for (let i = 0; i < points; i++) timestamps[i] = start + i * stepMs;
  return timestamps;
}

export function evaluateRange(store: SeriesStore, query: TelemetryQuery, range: TimeRange): RangeMatrix {
  const timestamps = rangeTimestamps(range);
  const matrix = new Map<string, { labels: SeriesLabels; values: (number | null)[] }>();
  timestamps.forEach((t, i) => {
    for (const { key, sample } of evaluateGroups(store, query, t)) {
      let row = matrix.get(key);
      if (!row) {
        row = { labels: sample.labels, values: new Array<number | null>(timestamps.length).fill(null) };
        matrix.set(key, row);
      }
      row.values[i] = sample.value;
    }
  });
  const keys = [...matrix.keys()].sort();
  const series: RangeSeries[] = keys.map((k) => matrix.get(k) as RangeSeries);
  return { timestamps, series };
}
