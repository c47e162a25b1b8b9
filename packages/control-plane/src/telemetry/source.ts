/**
 * The one interface everything above telemetry reads through. Two back ends implement it: the
 * embedded scraper (default) and, later, a Prometheus server's HTTP API. Every call maps to one
 * Prometheus API call, so nothing above this interface can tell them apart:
 *
 * - `instant(q, {at})`  → `GET /api/v1/query?query=<toPromQL(q)>&time=<at/1000>`
 * - `range(q, r)`       → `GET /api/v1/query_range?query=<toPromQL(q)>&start=<r.start/1000>&end=<r.end/1000>&step=<r.stepMs/1000>`
 * - `targets()`         → `GET /api/v1/targets` (activeTargets: health, lastError, lastScrape, lastScrapeDuration)
 *
 * Times are milliseconds since the epoch; values follow PromQL (NaN where PromQL gives NaN).
 */
import type { TelemetryQuery } from './query';

/** A series' labels; labels with an empty value are absent, as in Prometheus. */
export type SeriesLabels = Readonly<Record<string, string>>;

export interface VectorSample {
  readonly labels: SeriesLabels;
  readonly value: number;
}

/** The result of an instant query: one sample per group, evaluated at `at`. */
export interface InstantVector {
  readonly at: number;
  readonly samples: readonly VectorSample[];
}

export interface TimeRange {
  /** First evaluation time (ms). */
  readonly start: number;
  /** Last evaluation time (ms); evaluations run at start, start + step, … ≤ end. */
  readonly end: number;
  readonly stepMs: number;
}

export interface RangeSeries {
  readonly labels: SeriesLabels;
  /** One per timestamp of the matrix; null where the series had no value at that step. */
  readonly values: readonly (number | null)[];
}

/** The result of a range query: evaluation timestamps once, and each series' values aligned to them. */
export interface RangeMatrix {
  readonly timestamps: readonly number[];
  readonly series: readonly RangeSeries[];
}

export type TargetHealth = 'up' | 'down' | 'unknown';

/** One scrape target, as Prometheus' `/api/v1/targets` describes it. */
export interface TargetStatus {
  readonly name: string;
  readonly url: string;
  /** Labels added to every series of the target (`instance` and the target's own). */
  readonly labels: SeriesLabels;
  /** `unknown` until the first scrape finished. */
  readonly health: TargetHealth;
  readonly lastScrapeAt?: number;
  readonly lastScrapeDurationMs?: number;
  /** Why the last scrape failed. */
  readonly lastError?: string;
  /** Samples in the last successful scrape. */
  readonly samples?: number;
  /** Series of this target that were not stored because the store was full (embedded back end). */
  readonly droppedSeries?: number;
}

export interface InstantOptions {
  /** Evaluation time (ms); default now. Any time within the retained window (topology replay). */
  readonly at?: number;
}

export interface TelemetrySource {
  /** `embedded` or `prometheus`: for display only; callers must not branch on it. */
  readonly backend: string;
  instant(query: TelemetryQuery, options?: InstantOptions): Promise<InstantVector>;
  range(query: TelemetryQuery, range: TimeRange): Promise<RangeMatrix>;
  targets(): Promise<readonly TargetStatus[]>;
}

/** Prometheus refuses range queries of more than 11,000 points per series; so do we. */
export const MAX_RANGE_POINTS = 11_000;
