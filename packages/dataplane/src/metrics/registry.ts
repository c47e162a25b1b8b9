/**
 * A small Prometheus registry: counter families whose series are keyed by their rendered label
 * set (`a="x",b="y"`), so code that precomputes that string pays one map lookup per update.
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

interface Gauge {
  name: string;
  help: string;
  read(): number;
}

export class MetricsRegistry {
  private readonly counters = new Map<string, CounterFamily>();
  private readonly gauges: Gauge[] = [];
  private readonly beforeRender: (() => void)[] = [];

  counter(name: string, help: string): CounterFamily {
    let family = this.counters.get(name);
    if (!family) {
      family = new CounterFamily(name, help);
      this.counters.set(name, family);
    }
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
    for (const family of this.counters.values()) family.render(out);
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
