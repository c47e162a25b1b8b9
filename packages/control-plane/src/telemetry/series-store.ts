/**
 * The embedded back end's memory: bounded rings of samples, one per series, for at least the
 * retention window (an hour by default).
 *
 * Every scrape of a target gets a sequence number and one timestamp, kept once in the target's
 * Timeline; a series stores only values (8 bytes each), at index `seq % capacity`, NaN where the
 * series was absent from a scrape (a failed scrape, or a series that went away: PromQL staleness).
 *
 * Bounds: `samplesPerSeries` values per series (a ring: the oldest is overwritten) and at most
 * `maxSeries` scraped series. Past `maxSeries`, existing series keep recording and new ones are
 * not stored (counted in `droppedSeries`, per target and in total) until old series expire: a
 * series expires when its target's timeline no longer holds its last sample, or it is older than
 * the retention. Rings start small and double up to `samplesPerSeries`.
 */
import type { LabelSet } from './label-set';

const INITIAL_CAPACITY = 16;

/** Scrape times of one target: `seq` → time, for the last `capacity` scrapes. */
export class Timeline {
  private readonly times: Float64Array;
  /** Sequence number of the last scrape; -1 before the first. */
  lastSeq = -1;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
  }

  /** The oldest sequence number still held. */
  get firstSeq(): number {
    return Math.max(0, this.lastSeq - this.capacity + 1);
  }

  get lastTime(): number {
    return this.lastSeq < 0 ? Number.NEGATIVE_INFINITY : this.timeOf(this.lastSeq);
  }

  timeOf(seq: number): number {
    return this.times[seq % this.capacity] as number;
  }

  /** Starts a scrape at `time` (forced after the previous one, so times stay ascending); its seq. */
  advance(time: number): number {
    const last = this.lastTime;
    const seq = ++this.lastSeq;
    this.times[seq % this.capacity] = time > last ? time : last + 1;
    return seq;
  }

  /** The first seq with time > `afterMs`, or lastSeq + 1 when none. */
  firstAfter(afterMs: number): number {
    let lo = this.firstSeq;
    let hi = this.lastSeq + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(mid) > afterMs) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The last seq with time ≤ `atMs`, or firstSeq - 1 when none. */
  lastAtOrBefore(atMs: number): number {
    return this.firstAfter(atMs) - 1;
  }
}

export class Series {
  private values: Float64Array;
  /** Oldest seq whose value is held. */
  private firstSeq = -1;
  /** Seq of the last write; -1 before it. */
  lastSeq = -1;
  /** Set when the store let go of it. */
  removed = false;

  constructor(
    readonly name: string,
    readonly labels: LabelSet,
    readonly timeline: Timeline,
    /** The scraper's own series (`up`, …): outside the maxSeries bound. */
    readonly own: boolean,
  ) {
    this.values = new Float64Array(Math.min(INITIAL_CAPACITY, timeline.capacity));
  }

  get byteLength(): number {
    return this.values.byteLength;
  }

  /** Records `value` for scrape `seq` (seqs only grow; a second write for one seq is ignored). */
  write(seq: number, value: number): void {
    if (seq <= this.lastSeq) return;
    if (this.lastSeq < 0) {
      this.firstSeq = seq;
      this.lastSeq = seq - 1;
    }
    let cap = this.values.length;
    const span = seq - this.firstSeq + 1;
    if (span > cap && cap < this.timeline.capacity) {
      let next = cap * 2;
      while (next < span) next *= 2;
      this.grow(Math.min(next, this.timeline.capacity));
      cap = this.values.length;
    }
    const values = this.values;
    // Scrapes this series missed: absent.
    for (let s = Math.max(this.lastSeq + 1, seq - cap + 1); s < seq; s++) values[s % cap] = Number.NaN;
    values[seq % cap] = value;
    this.lastSeq = seq;
    if (seq - this.firstSeq + 1 > cap) this.firstSeq = seq - cap + 1;
  }

  /** The value of scrape `seq`, NaN when absent or no longer held. */
  valueAt(seq: number): number {
    if (seq > this.lastSeq || seq < this.firstSeq || seq < this.timeline.firstSeq) return Number.NaN;
    return this.values[seq % this.values.length] as number;
  }

  /** The first seq ≥ `from` this series may have a value for. */
  firstHeld(from: number): number {
    return Math.max(from, this.firstSeq, this.timeline.firstSeq);
  }

  private grow(capacity: number): void {
    const old = this.values;
    const next = new Float64Array(capacity);
    for (let s = Math.max(this.firstSeq, this.lastSeq - old.length + 1); s <= this.lastSeq; s++) {
      next[s % capacity] = old[s % old.length] as number;
    }
    this.values = next;
  }
}

export interface StoreLimits {
  /** Samples kept per series (ring size); ⌈retention / interval⌉ + 1 covers the retention. */
  samplesPerSeries: number;
  /** Scraped series stored at most; the scraper's own per-target series (`up`, …) do not count. */
  maxSeries: number;
}

export interface StoreStats {
  series: number;
  maxSeries: number;
  samplesPerSeries: number;
  /** New series refused because the store was full, since start. */
  droppedSeries: number;
  /** Bytes of sample values and scrape times held now (the bulk of the store's memory). */
  sampleBytes: number;
  /** The most the sample rings can take: (maxSeries + 3 per target) × samplesPerSeries × 8 bytes, plus timelines. */
  maxSampleBytes: number;
}

/** All series, indexed by metric name. */
export class SeriesStore {
  private readonly byName = new Map<string, Set<Series>>();
  private readonly timelines = new Set<Timeline>();
  private scraped = 0;
  droppedSeries = 0;

  constructor(readonly limits: StoreLimits) {}

  newTimeline(): Timeline {
    const timeline = new Timeline(this.limits.samplesPerSeries);
    this.timelines.add(timeline);
    return timeline;
  }

  get full(): boolean {
    return this.scraped >= this.limits.maxSeries;
  }

  /** A new series; `own` ones (the scraper's `up` etc.) are outside the maxSeries bound. Undefined when full. */
  add(name: string, labels: LabelSet, timeline: Timeline, own = false): Series | undefined {
    if (!own) {
      if (this.full) {
        this.droppedSeries++;
        return undefined;
      }
      this.scraped++;
    }
    const series = new Series(name, labels, timeline, own);
    let set = this.byName.get(name);
    if (!set) {
      set = new Set();
      this.byName.set(name, set);
    }
    set.add(series);
    return series;
  }

  remove(series: Series): void {
    const set = this.byName.get(series.name);
    if (!set?.delete(series)) return;
    series.removed = true;
    if (!series.own) this.scraped--;
    if (set.size === 0) this.byName.delete(series.name);
  }

  removeTimeline(timeline: Timeline): void {
    this.timelines.delete(timeline);
  }

  seriesNamed(name: string): ReadonlySet<Series> | undefined {
    return this.byName.get(name);
  }

  stats(targets: number): StoreStats {
    let bytes = 0;
    let count = 0;
    for (const set of this.byName.values()) {
      count += set.size;
      for (const s of set) bytes += s.byteLength;
    }
    for (const t of this.timelines) bytes += t.capacity * 8;
    const { maxSeries, samplesPerSeries } = this.limits;
    return {
      series: count,
      maxSeries,
      samplesPerSeries,
      droppedSeries: this.droppedSeries,
      sampleBytes: bytes,
      maxSampleBytes: ((maxSeries + 3 * targets) * samplesPerSeries + targets * samplesPerSeries) * 8,
    };
  }
}
