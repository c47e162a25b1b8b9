/**
 * The default telemetry back end: scrapes every proxy's Prometheus text every few seconds into a
 * bounded in-memory store and answers the TelemetrySource queries from it.
 *
 * Like Prometheus, each target's series get the target's labels (`instance` = target name, plus
 * its own; a scraped label of the same name becomes `exported_<name>`), the scrape time as their
 * timestamp, and three series of the scraper's own: `up` (1, or 0 when the scrape failed),
 * `scrape_duration_seconds` and `scrape_samples_scraped`. A failed scrape marks every series of
 * the target absent at that time, and queries carry on with what was stored.
 *
 * Memory: see series-store.ts. With the defaults (5 s interval, 1 h retention, 10,000 series) the
 * sample rings hold at most 721 values (5.6 KiB) per series, ≈ 55 MiB when all are full, plus
 * about 3 KiB per series of labels and the series' scraped text for Istio's full label set
 * (measured by test/telemetry-store.test.ts): ≈ 85 MiB for a full store.
 */
import type { Logger } from 'pino';
import { evaluateInstant, evaluateRange } from './evaluate';
import { type ExpositionSample, parseExposition } from './exposition';
import { fetchExposition } from './http-scrape';
import { LabelSchemas, LabelSet } from './label-set';
import { type TelemetryQuery, validateQuery } from './query';
import { type Series, SeriesStore, type StoreStats, type Timeline } from './series-store';
import type { InstantOptions, InstantVector, RangeMatrix, SeriesLabels, TargetStatus, TelemetrySource, TimeRange } from './source';

export interface ScrapeTarget {
  /** Unique; becomes the `instance` label (unless `labels` sets one). */
  name: string;
  /** e.g. `http://127.11.0.1:15020/metrics` or `/stats/prometheus`. */
  url: string;
  /** Added to every series of the target, e.g. `{ proxy: 'ztunnel', node: 'node-1' }`. */
  labels?: Readonly<Record<string, string>>;
}

export interface EmbeddedTelemetryOptions {
  /** The targets to scrape, asked again at every scrape. */
  targets: () => readonly ScrapeTarget[];
  /** Default 5,000 ms. */
  intervalMs?: number;
  /** Per scrape; default the smaller of 4,000 ms and the interval. */
  timeoutMs?: number;
  /** How far back queries can look; default one hour. */
  retentionMs?: number;
  /** Scraped series stored at most; default 10,000. */
  maxSeries?: number;
  /** Default 16 MiB. */
  maxBodyBytes?: number;
  /** Which metric names to store; default all but the request/response size histograms' buckets. */
  keepMetric?: (name: string) => boolean;
  now?: () => number;
  fetch?: typeof fetch;
  logger?: Logger;
}

export const DEFAULT_SCRAPE_INTERVAL_MS = 5_000;
export const DEFAULT_RETENTION_MS = 60 * 60_000;
export const DEFAULT_MAX_SERIES = 10_000;

/** Nothing Ambit asks about reads them, and they are 2 × 11 series per label set. */
const UNQUERIED = new Set(['istio_request_bytes_bucket', 'istio_response_bytes_bucket']);

export function keepQueriedMetrics(name: string): boolean {
  return !UNQUERIED.has(name);
}

const SKIPPED_LIMIT = 50_000;

/** Copies strings held for long (a slice of a scrape body would keep the whole body alive) and shares equal ones. */
class StringPool {
  private readonly pool = new Map<string, string>();

  own(s: string): string {
    let owned = this.pool.get(s);
    if (owned === undefined) {
      owned = copyOf(s);
      if (this.pool.size > 200_000) this.pool.clear();
      this.pool.set(owned, owned);
    }
    return owned;
  }
}

/** A string of its own, not a slice of a larger one. */
function copyOf(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

type Skip = 'filtered' | 'refused';

class TargetState {
  readonly timeline: Timeline;
  /** Raw `name{labels}` text → series; text of series not stored is in `skipped`. */
  readonly byText = new Map<string, Series>();
  readonly skipped = new Map<string, Skip>();
  /** Order-independent hash of name and labels → series: two spellings of one series are one series. */
  readonly byHash = new Map<number, Series[]>();
  up: Series | undefined;
  duration: Series | undefined;
  scraped: Series | undefined;
  health: TargetStatus['health'] = 'unknown';
  lastScrapeAt: number | undefined;
  lastScrapeDurationMs: number | undefined;
  lastError: string | undefined;
  samples: number | undefined;

  constructor(
    readonly target: ScrapeTarget,
    /** `instance` and the target's own labels, added to each of its series. */
    readonly labels: SeriesLabels,
    /** The same, as the labels of the scraper's own series. */
    readonly ownLabels: LabelSet,
    timeline: Timeline,
  ) {
    this.timeline = timeline;
  }

  *series(): IterableIterator<Series> {
    for (const bucket of this.byHash.values()) yield* bucket;
  }
}

export class EmbeddedTelemetry implements TelemetrySource {
  readonly backend = 'embedded';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retentionMs: number;
  private readonly store: SeriesStore;
  private readonly states = new Map<string, TargetState>();
  private current: TargetState[] = [];
  private readonly strings = new StringPool();
  private readonly schemas = new LabelSchemas();
  private readonly keep: (name: string) => boolean;
  private readonly keepCache = new Map<string, boolean>();
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly maxBodyBytes: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = new AbortController();

  constructor(private readonly options: EmbeddedTelemetryOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? Math.min(4_000, this.intervalMs);
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.keep = options.keepMetric ?? keepQueriedMetrics;
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? fetch;
    this.store = new SeriesStore({
      samplesPerSeries: Math.ceil(this.retentionMs / this.intervalMs) + 1,
      maxSeries: options.maxSeries ?? DEFAULT_MAX_SERIES,
    });
  }

  /** Scrapes now, then every interval until stop(). */
  start(): void {
    if (this.timer) return;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    const tick = () => {
      this.scrapeOnce().catch((error: unknown) => this.options.logger?.warn({ err: error }, 'telemetry scrape cycle failed'));
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  /** Stops the timer, aborts scrapes in flight and waits for the cycle to end. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running?.catch(() => {});
  }

  /** One scrape of every target (concurrently); a cycle already running is joined, not doubled. */
  scrapeOnce(): Promise<void> {
    this.running ??= this.cycle().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async instant(query: TelemetryQuery, options: InstantOptions = {}): Promise<InstantVector> {
    validateQuery(query);
    const at = options.at ?? this.now();
    return { at, samples: evaluateInstant(this.store, query, at) };
  }

  async range(query: TelemetryQuery, range: TimeRange): Promise<RangeMatrix> {
    validateQuery(query);
    return evaluateRange(this.store, query, range);
  }

  async targets(): Promise<readonly TargetStatus[]> {
    return this.current.map((s) => {
      const status: {
        -readonly [K in keyof TargetStatus]: TargetStatus[K];
      } = { name: s.target.name, url: s.target.url, labels: s.labels, health: s.health, droppedSeries: refusedCount(s) };
      if (s.lastScrapeAt !== undefined) status.lastScrapeAt = s.lastScrapeAt;
      if (s.lastScrapeDurationMs !== undefined) status.lastScrapeDurationMs = s.lastScrapeDurationMs;
      if (s.lastError !== undefined) status.lastError = s.lastError;
      if (s.samples !== undefined) status.samples = s.samples;
      return status;
    });
  }

  /** What the store holds and its bound. */
  stats(): StoreStats & { targets: number } {
    return { ...this.store.stats(this.states.size), targets: this.states.size };
  }

  private async cycle(): Promise<void> {
    const seen = new Set<string>();
    const states: TargetState[] = [];
    for (const target of this.options.targets()) {
      if (seen.has(target.name)) continue; // names are identities: the first one wins
      seen.add(target.name);
      states.push(this.stateOf(target));
    }
    this.current = states;
    await Promise.all(states.map((s) => this.scrape(s)));
    this.expire(seen);
  }

  private stateOf(target: ScrapeTarget): TargetState {
    const existing = this.states.get(target.name);
    if (existing && existing.target.url === target.url && sameLabels(existing.target.labels, target.labels)) return existing;
    if (existing) this.drop(existing); // a new target under an old name: its series are new series
    const labels: Record<string, string> = Object.create(null);
    labels.instance = this.strings.own(target.name);
    for (const [k, v] of Object.entries(target.labels ?? {})) labels[this.strings.own(k)] = this.strings.own(v);
    const names = Object.keys(labels);
    const own = new LabelSet(
      this.schemas.of(names),
      names.map((n) => labels[n] as string),
    );
    const state = new TargetState(target, Object.freeze(labels), own, this.store.newTimeline());
    this.states.set(target.name, state);
    return state;
  }

  private async scrape(state: TargetState): Promise<void> {
    const startedAt = this.now();
    const started = performance.now();
    let text: string | undefined;
    let error: string | undefined;
    try {
      text = await fetchExposition({
        url: state.target.url,
        signal: this.stopping.signal,
        timeoutMs: this.timeoutMs,
        maxBodyBytes: this.maxBodyBytes,
        fetch: this.fetch,
      });
    } catch (e) {
      error = (e as Error).message;
    }
    if (this.stopping.signal.aborted) return;
    const seq = state.timeline.advance(startedAt);
    let samples = 0;
    if (text !== undefined) {
      try {
        samples = this.ingest(state, parseExposition(text).samples, seq);
      } catch (e) {
        error = (e as Error).message;
      }
    }
    const durationMs = performance.now() - started;
    const wasUp = state.health === 'up';
    state.health = error === undefined ? 'up' : 'down';
    state.lastScrapeAt = startedAt;
    state.lastScrapeDurationMs = durationMs;
    state.lastError = error;
    if (error === undefined) state.samples = samples;
    state.up ??= this.store.add('up', state.ownLabels, state.timeline, true);
    state.duration ??= this.store.add('scrape_duration_seconds', state.ownLabels, state.timeline, true);
    state.scraped ??= this.store.add('scrape_samples_scraped', state.ownLabels, state.timeline, true);
    state.up?.write(seq, error === undefined ? 1 : 0);
    state.duration?.write(seq, durationMs / 1000);
    state.scraped?.write(seq, samples);
    if (error !== undefined && wasUp)
      this.options.logger?.warn({ target: state.target.name, url: state.target.url, error }, 'scrape failed');
  }

  /**
   * Writes one successful scrape. A parse error (thrown before anything is written — parsing is
   * done first) fails the scrape as a whole, as in Prometheus.
   */
  private ingest(state: TargetState, samples: readonly ExpositionSample[], seq: number): number {
    for (const sample of samples) {
      let series = state.byText.get(sample.series);
      if (series === undefined) {
        if (state.skipped.has(sample.series)) continue;
        series = this.seriesFor(state, sample);
        if (series === undefined) continue;
      }
      series.write(seq, sample.value);
    }
    return samples.length;
  }

  private seriesFor(state: TargetState, sample: ExpositionSample): Series | undefined {
    const text = copyOf(sample.series);
    if (!this.keeps(sample.name)) return this.skip(state, text, 'filtered');
    const scraped = sample.labels;
    const names: string[] = [];
    for (const k in scraped) names.push(k);
    const values = new Array<string>(names.length + state.ownLabels.size);
    for (let i = 0; i < names.length; i++) {
      const k = names[i] as string;
      values[i] = this.strings.own(scraped[k] as string);
      names[i] = this.strings.own(k in state.labels ? `exported_${k}` : k);
    }
    for (const k in state.labels) {
      values[names.length] = state.labels[k] as string;
      names.push(k);
    }
    const labels = new LabelSet(this.schemas.of(names), values);
    const hash = labels.hashWith(sample.name);
    let bucket = state.byHash.get(hash);
    let series = bucket?.find((s) => s.name === sample.name && s.labels.equals(labels));
    if (!series) {
      series = this.store.add(this.strings.own(sample.name), labels, state.timeline);
      if (!series) return this.skip(state, text, 'refused');
      if (!bucket) {
        bucket = [];
        state.byHash.set(hash, bucket);
      }
      bucket.push(series);
    }
    state.byText.set(text, series);
    return series;
  }

  private skip(state: TargetState, text: string, why: Skip): undefined {
    if (state.skipped.size >= SKIPPED_LIMIT) state.skipped.clear();
    state.skipped.set(text, why);
    return undefined;
  }

  private keeps(name: string): boolean {
    let keep = this.keepCache.get(name);
    if (keep === undefined) {
      keep = this.keep(name);
      this.keepCache.set(name, keep);
    }
    return keep;
  }

  /** Removes series whose last sample is out of the window, and targets gone for longer than the retention. */
  private expire(active: ReadonlySet<string>): void {
    const oldest = this.now() - this.retentionMs;
    let freed = false;
    for (const state of [...this.states.values()]) {
      const timeline = state.timeline;
      if (!active.has(state.target.name) && timeline.lastTime < oldest) {
        this.drop(state);
        freed = true;
        continue;
      }
      let removed = 0;
      for (const [hash, bucket] of state.byHash) {
        const kept = bucket.filter((series) => series.lastSeq >= timeline.firstSeq && timeline.timeOf(series.lastSeq) >= oldest);
        if (kept.length === bucket.length) continue;
        for (const series of bucket) if (!kept.includes(series)) this.store.remove(series);
        removed += bucket.length - kept.length;
        if (kept.length === 0) state.byHash.delete(hash);
        else state.byHash.set(hash, kept);
      }
      if (removed === 0) continue;
      freed = true;
      for (const [text, series] of state.byText) if (series.removed) state.byText.delete(text);
    }
    // Room again: series refused earlier may be stored now.
    if (freed)
      for (const state of this.states.values()) for (const [text, why] of state.skipped) if (why === 'refused') state.skipped.delete(text);
  }

  private drop(state: TargetState): void {
    for (const series of state.series()) this.store.remove(series);
    for (const own of [state.up, state.duration, state.scraped]) if (own) this.store.remove(own);
    this.store.removeTimeline(state.timeline);
    this.states.delete(state.target.name);
  }
}

function refusedCount(state: TargetState): number {
  let n = 0;
  for (const why of state.skipped.values()) if (why === 'refused') n++;
  return n;
}

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ea = Object.entries(a ?? {});
  const eb = b ?? {};
  return ea.length === Object.keys(eb).length && ea.every(([k, v]) => eb[k] === v);
}
