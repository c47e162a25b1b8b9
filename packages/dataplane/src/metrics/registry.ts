/**
 * A small Prometheus registry: counter and histogram families whose series are keyed by their
 * rendered label set (`a="x",b="y"`), so code that precomputes that string pays one map lookup
 * per update, and gauges read at scrape time.
 */

export class Counter {
  value = 0;
}

export class CounterFamily {
  private readonly series = new Map<string, Counter>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** The series for a rendered label set (see labelPair); created at 0 on first use. */
  get(labels: string): Counter {
    let counter = this.series.get(labels);
    if (!counter) {
      counter = new Counter();
      this.series.set(labels, counter);
    }
    return counter;
  }

  /** Sum over every series (tests, summaries). */
  total(): number {
    let sum = 0;
    for (const c of this.series.values()) sum += c.value;
    return sum;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`);
    for (const [labels, counter] of this.series) out.push(`${this.name}{${labels}} ${counter.value}\n`);
  }
}

/** One series of a histogram: cumulative buckets (one per bound, then +Inf), sum and count. */
export class HistogramSeries {
  /** Observations at or below each bound, then all of them (+Inf). */
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.buckets = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    const buckets = this.buckets;
    for (let i = bounds.length - 1; i >= 0 && value <= (bounds[i] as number); i--) buckets[i] = (buckets[i] as number) + 1;
    buckets[bounds.length] = (buckets[bounds.length] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

export class HistogramFamily {
  private readonly series = new Map<string, HistogramSeries>();
  private readonly le: readonly string[];

  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds of the buckets, ascending. */
    readonly bounds: readonly number[],
  ) {
    this.le = [...bounds.map((b) => `le="${b}"`), 'le="+Inf"'];
  }

  /** The series for a rendered label set (see labelPair; a trailing comma is fine); created empty on first use. */
  get(labels: string): HistogramSeries {
    let s = this.series.get(labels);
    if (!s) {
      s = new HistogramSeries(this.bounds);
      this.series.set(labels, s);
    }
    return s;
  }

  render(out: string[]): void {
    const name = this.name;
    out.push(`# HELP ${name} ${this.help}\n# TYPE ${name} histogram\n`);
    for (const [labels, s] of this.series) {
      const prefix = labels === '' || labels.endsWith(',') ? labels : `${labels},`;
      for (let i = 0; i < this.le.length; i++) out.push(`${name}_bucket{${prefix}${this.le[i]}} ${s.buckets[i]}\n`);
      const plain = labels.endsWith(',') ? labels.slice(0, -1) : labels;
      out.push(`${name}_sum{${plain}} ${s.sum}\n${name}_count{${plain}} ${s.count}\n`);
    }
  }
}

interface Gauge {
  name: string;
  help: string;
  read(): number;
}

export class MetricsRegistry {
  /** Counter and histogram families, rendered in the order they were registered. */
  private readonly families = new Map<string, CounterFamily | HistogramFamily>();
  private readonly gauges: Gauge[] = [];
  private readonly beforeRender: (() => void)[] = [];

  counter(name: string, help: string): CounterFamily {
    const family = this.families.get(name) ?? new CounterFamily(name, help);
    if (!(family instanceof CounterFamily)) throw new Error(`metric ${name} is already registered as a histogram`);
    this.families.set(name, family);
    return family;
  }

  /** A histogram family with these bucket bounds (ascending); Prometheus reads `_bucket`, `_sum` and `_count`. */
  histogram(name: string, help: string, bounds: readonly number[]): HistogramFamily {
    const family = this.families.get(name) ?? new HistogramFamily(name, help, bounds);
    if (!(family instanceof HistogramFamily)) throw new Error(`metric ${name} is already registered as a counter`);
    this.families.set(name, family);
    return family;
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push({ name, help, read });
  }

  /** Work to do before each scrape, such as moving live byte counts into counters. */
  onScrape(hook: () => void): void {
    this.beforeRender.push(hook);
  }

  /** The Prometheus text exposition (version 0.0.4). */
  render(): string {
    for (const hook of this.beforeRender) hook();
    const out: string[] = [];
    for (const family of this.families.values()) family.render(out);
    for (const g of this.gauges) out.push(`# HELP ${g.name} ${g.help}\n# TYPE ${g.name} gauge\n${g.name} ${g.read()}\n`);
    return out.join('');
  }
}

/** `name="value",` with the value escaped as the text format requires. */
export function labelPair(name: string, value: string): string {
  return `${name}="${escapeLabelValue(value)}",`;
}

function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
