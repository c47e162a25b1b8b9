/**
 * Each telemetry query as the PromQL a Prometheus server evaluates: the embedded back end computes
 * the same values itself, and a Prometheus back end sends this text.
 */
import type { LabelMatcher, TelemetryQuery } from './query';

export function toPromQL(query: TelemetryQuery): string {
  switch (query.kind) {
    case 'rate':
      return sumBy(query.by, rateOf(query.metric, query.matchers, query.windowSeconds));
    case 'ratio': {
      const all = sumBy(query.by, rateOf(query.metric, query.matchers, query.windowSeconds));
      const part = sumBy(query.by, rateOf(query.metric, [...query.matchers, ...query.numerator], query.windowSeconds));
      return `(${part} or 0 * ${all}) / ${all}`;
    }
    case 'quantile':
      return `histogram_quantile(${query.quantile}, ${sumBy(['le', ...query.by], rateOf(`${query.histogram}_bucket`, query.matchers, query.windowSeconds))})`;
    case 'sum':
      return sumBy(query.by, selector(query.metric, query.matchers));
  }
}

function sumBy(by: readonly string[], expression: string): string {
  return by.length === 0 ? `sum(${expression})` : `sum by (${by.join(', ')}) (${expression})`;
}

function rateOf(metric: string, matchers: readonly LabelMatcher[], windowSeconds: number): string {
  return `rate(${selector(metric, matchers)}[${promDuration(windowSeconds)}])`;
}

export function selector(metric: string, matchers: readonly LabelMatcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}"${escapePromString(m.value)}"`).join(', ')}}`;
}

/** A PromQL duration: whole seconds as `60s`, anything finer in milliseconds. */
export function promDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/** A PromQL double-quoted string body (Go escapes): backslash, quote and line feed. */
export function escapePromString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
