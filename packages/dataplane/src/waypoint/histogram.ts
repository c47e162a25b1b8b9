/**
 * Prometheus histograms on the shared registry, which knows counters: a histogram is the three
 * counter families Prometheus reads (`_bucket` with cumulative `le` buckets, `_sum`, `_count`).
 * Series are keyed by their rendered label set, like CounterFamily's.
 */
import type { Counter, CounterFamily, MetricsRegistry } from '../metrics/registry';

export class HistogramSeries {
  constructor(
    private readonly bounds: readonly number[],
    /** One per bound, then +Inf. */
    private readonly buckets: readonly Counter[],
    private readonly sum: Counter,
    private readonly count: Counter,
  ) {}

  observe(value: number): void {
    const bounds = this.bounds;
    for (let i = bounds.length - 1; i >= 0 && value <= (bounds[i] as number); i--) (this.buckets[i] as Counter).value++;
    (this.buckets[bounds.length] as Counter).value++;
    this.sum.value += value;
    this.count.value++;
  }
}

export class HistogramFamily {
  private readonly bucketFamily: CounterFamily;
  private readonly sumFamily: CounterFamily;
  private readonly countFamily: CounterFamily;
  private readonly le: readonly string[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    registry: MetricsRegistry,
    readonly name: string,
    help: string,
    private readonly bounds: readonly number[],
  ) {
    this.bucketFamily = registry.counter(`${name}_bucket`, `${help} (histogram buckets)`);
    this.sumFamily = registry.counter(`${name}_sum`, `${help} (histogram sum)`);
    this.countFamily = registry.counter(`${name}_count`, `${help} (histogram count)`);
    this.le = [...bounds.map((b) => `le="${b}"`), 'le="+Inf"'];
  }

  /** The series of a rendered label set (`a="x",b="y"`, no trailing comma). */
  seriesFor(labels: string): HistogramSeries {
    let s = this.series.get(labels);
    if (!s) {
      const buckets = this.le.map((le) => this.bucketFamily.get(`${labels},${le}`));
      s = new HistogramSeries(this.bounds, buckets, this.sumFamily.get(labels), this.countFamily.get(labels));
      this.series.set(labels, s);
    }
    return s;
  }
}
