// In-memory counters, gauges and histograms rendered as Prometheus text (exposition format
// 0.0.4), and the xDS server's own metrics under Istio's names.

export type Labels = Readonly<Record<string, string>>;

interface Metric {
  render(lines: string[]): void;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}`, or '' without labels; also the key a series is stored under. */
function formatLabels(labels: Labels | undefined, extra?: string): string {
  const parts: string[] = [];
  if (labels) for (const key of Object.keys(labels)) parts.push(`${key}="${escapeLabelValue(labels[key] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function header(lines: string[], name: string, help: string, type: string): void {
  lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
}

export class Counter implements Metric {
  private readonly series = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels?: Labels, by = 1): void {
    const key = formatLabels(labels);
    this.series.set(key, (this.series.get(key) ?? 0) + by);
  }

  get(labels?: Labels): number {
    return this.series.get(formatLabels(labels)) ?? 0;
  }

  render(lines: string[]): void {
    header(lines, this.name, this.help, 'counter');
    for (const [key, value] of this.series) lines.push(`${this.name}${key} ${value}`);
  }
}

export class Gauge implements Metric {
  private readonly series = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(value: number, labels?: Labels): void {
    this.series.set(formatLabels(labels), value);
  }

  inc(labels?: Labels, by = 1): void {
    const key = formatLabels(labels);
    this.series.set(key, (this.series.get(key) ?? 0) + by);
  }

  dec(labels?: Labels, by = 1): void {
    this.inc(labels, -by);
  }

  get(labels?: Labels): number {
    return this.series.get(formatLabels(labels)) ?? 0;
  }

  render(lines: string[]): void {
    header(lines, this.name, this.help, 'gauge');
    if (this.series.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.series) lines.push(`${this.name}${key} ${value}`);
  }
}

interface HistogramSeries {
  readonly labels: Labels | undefined;
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series = new Map<string, HistogramSeries>();

  /** `buckets`: ascending upper bounds; +Inf is implied. */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels?: Labels): void {
    const key = formatLabels(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? Number.POSITIVE_INFINITY)) series.counts[i] = (series.counts[i] ?? 0) + 1;
    }
    series.sum += value;
    series.count += 1;
  }

  /** Number of observations so far. */
  count(labels?: Labels): number {
    return this.series.get(formatLabels(labels))?.count ?? 0;
  }

  render(lines: string[]): void {
    header(lines, this.name, this.help, 'histogram');
    for (const [key, series] of this.series) {
      this.buckets.forEach((bound, i) => {
        lines.push(`${this.name}_bucket${formatLabels(series.labels, `le="${bound}"`)} ${series.counts[i] ?? 0}`);
      });
      lines.push(`${this.name}_bucket${formatLabels(series.labels, 'le="+Inf"')} ${series.count}`);
      lines.push(`${this.name}_sum${key} ${series.sum}`, `${this.name}_count${key} ${series.count}`);
    }
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  /** Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics) metric.render(lines);
    return `${lines.join('\n')}\n`;
  }

  private add<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }
}

/** The xDS server's metrics, named as istiod names them so existing dashboards work. */
export class XdsMetrics {
  readonly registry = new MetricsRegistry();
  /** Responses sent, by short type (`lds`, `cds`, `wds`...). */
  readonly pushes = this.registry.counter('pilot_xds_pushes', 'xDS responses sent, by type.');
  /** Seconds to build and hand one response to the transport, by type. */
  readonly pushTime = this.registry.histogram(
    'pilot_xds_push_time',
    'Seconds to build and send one xDS response, by type.',
    [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  );
  /** Seconds from a configuration change until a proxy has answered (ACK or NACK) everything it was sent for it. */
  readonly convergence = this.registry.histogram(
    'pilot_proxy_convergence_time',
    'Seconds from a configuration change until a proxy acknowledged all resulting pushes.',
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 3, 5, 10, 30],
  );
  readonly connected = this.registry.gauge('pilot_xds', 'Connected xDS streams.');
  readonly rejects = this.registry.counter('pilot_total_xds_rejects', 'xDS responses rejected (NACKed) by proxies, by type.');
  readonly writeTimeouts = this.registry.counter('pilot_xds_write_timeout', 'xDS streams dropped because the proxy stopped reading.');

  render(): string {
    return this.registry.render();
  }
}
