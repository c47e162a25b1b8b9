/**
 * The Prometheus back end of TelemetrySource: each call is one request to a Prometheus server's
 * HTTP API with the query's PromQL (toPromQL), so the topology, the mTLS audit and the canary
 * analysis read Prometheus data — scraped from Ambit's proxies or from a real Istio — unchanged.
 */
import { AmbitError } from '@ambit/shared/errors';
import { rangeTimestamps } from '../evaluate';
import { parseGoFloat } from '../exposition';
import { toPromQL } from '../promql';
import { type TelemetryQuery, validateQuery } from '../query';
import type {
  InstantOptions,
  InstantVector,
  RangeMatrix,
  RangeSeries,
  SeriesLabels,
  TargetHealth,
  TargetStatus,
  TelemetrySource,
  TimeRange,
  VectorSample,
} from '../source';

export interface PrometheusTelemetryOptions {
  /** The server's base URL, e.g. `http://prometheus.istio-system:9090` (a path prefix is kept). */
  url: string;
  /** Per request; default 10,000 ms. */
  timeoutMs?: number;
  /** Extra request headers, e.g. `authorization` for a Prometheus behind a proxy. */
  headers?: Readonly<Record<string, string>>;
  now?: () => number;
  fetch?: typeof fetch;
}

/** `[<unix seconds>, "<value>"]`, as the API writes a sample. */
type ApiSample = [number, string];

interface ApiVectorResult {
  metric: Record<string, string>;
  value: ApiSample;
}

interface ApiMatrixResult {
  metric: Record<string, string>;
  values: ApiSample[];
}

interface ApiTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

export class PrometheusTelemetry implements TelemetrySource {
  readonly backend = 'prometheus';
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: PrometheusTelemetryOptions) {
    this.base = options.url.endsWith('/') ? options.url : `${options.url}/`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? fetch;
  }

  async instant(query: TelemetryQuery, options: InstantOptions = {}): Promise<InstantVector> {
    validateQuery(query);
    const at = options.at ?? this.now();
    const data = await this.request<{ resultType: string; result: ApiVectorResult[] }>('api/v1/query', {
      query: toPromQL(query),
      time: seconds(at),
    });
    const samples: VectorSample[] = [];
    if (data.resultType === 'vector')
      for (const r of data.result) samples.push({ labels: labelsOf(r.metric), value: sampleValue(r.value) });
    return { at, samples: sortByGroup(samples, query.by) };
  }

  async range(query: TelemetryQuery, range: TimeRange): Promise<RangeMatrix> {
    validateQuery(query);
    const timestamps = rangeTimestamps(range);
    const data = await this.request<{ resultType: string; result: ApiMatrixResult[] }>('api/v1/query_range', {
      query: toPromQL(query),
      start: seconds(range.start),
      end: seconds(range.end),
      step: seconds(range.stepMs),
    });
    const series: RangeSeries[] = [];
    for (const r of data.resultType === 'matrix' ? data.result : []) {
      const values = new Array<number | null>(timestamps.length).fill(null);
      for (const sample of r.values) {
        // Prometheus evaluates at start + k·step, as we do; round away float noise in the seconds.
        const index = Math.round((sample[0] * 1000 - range.start) / range.stepMs);
        if (index >= 0 && index < values.length) values[index] = sampleValue(sample);
      }
      series.push({ labels: labelsOf(r.metric), values });
    }
    return { timestamps, series: sortByGroup(series, query.by) };
  }

  async targets(): Promise<readonly TargetStatus[]> {
    const data = await this.request<{ activeTargets: ApiTarget[] }>('api/v1/targets', { state: 'active' }, 'GET');
    return data.activeTargets
      .map((t): TargetStatus => {
        const { job: _job, ...labels } = t.labels;
        const health: TargetHealth = t.health === 'up' || t.health === 'down' ? t.health : 'unknown';
        const scrapedAt = Date.parse(t.lastScrape);
        // Prometheus writes the zero time (year 1) for a target not scraped yet.
        const scraped = Number.isFinite(scrapedAt) && scrapedAt > 0;
        return {
          name: labels.instance ?? t.scrapeUrl,
          url: t.scrapeUrl,
          labels,
          health,
          ...(scraped ? { lastScrapeAt: scrapedAt, lastScrapeDurationMs: t.lastScrapeDuration * 1000 } : {}),
          ...(t.lastError ? { lastError: t.lastError } : {}),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Queries go as POST forms (the API takes both): the topology's PromQL is long for a URL. */
  private async request<T>(path: string, params: Record<string, string>, method: 'GET' | 'POST' = 'POST'): Promise<T> {
    const url = new URL(path, this.base);
    const form = new URLSearchParams(params);
    if (method === 'GET') url.search = form.toString();
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: { accept: 'application/json', ...this.options.headers },
        ...(method === 'POST' ? { body: form } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AmbitError('Unavailable', `Prometheus at ${this.options.url} cannot be reached: ${(error as Error).message}`);
    }
    let body: ApiResponse<T>;
    try {
      body = (await response.json()) as ApiResponse<T>;
    } catch {
      throw new AmbitError('Unavailable', `Prometheus at ${this.options.url} answered ${response.status} without the API's JSON`);
    }
    if (body.status === 'success' && body.data !== undefined) return body.data;
    const message = `Prometheus at ${this.options.url} refused ${path}: ${body.errorType ?? response.status}: ${body.error ?? 'no reason given'}`;
    // bad_data is the query's fault; timeouts, cancellation and server errors are the server's.
    throw new AmbitError(body.errorType === 'bad_data' ? 'InvalidArgument' : 'Unavailable', message);
  }
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

function sampleValue(sample: ApiSample): number {
  return parseGoFloat(sample[1]) ?? Number.NaN;
}

/** Empty values are absent and `__name__` is not a label of a result, as with the embedded back end. */
function labelsOf(metric: Record<string, string>): SeriesLabels {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(metric)) if (v !== '' && k !== '__name__') out[k] = v;
  return out;
}

/** The embedded back end's order: by the `by` labels' values, in `by` order. */
function sortByGroup<T extends { labels: SeriesLabels }>(rows: T[], by: readonly string[]): T[] {
  const key = (labels: SeriesLabels) => by.map((name) => labels[name] ?? '').join('\u0000');
  return rows
    .map((row) => ({ row, key: key(row.labels) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.row);
}
