import { describe, expect, it } from 'vitest';
import { labelPair, MetricsRegistry } from './registry';

describe('metrics registry', () => {
  it('renders a histogram as Prometheus reads one: cumulative buckets up to +Inf, then sum and count', () => {
    const registry = new MetricsRegistry();
    const latency = registry.histogram('request_ms', 'Request latency', [1, 10, 100]);
    const series = latency.get(`${labelPair('code', '200')}${labelPair('method', 'GET')}`);
    for (const value of [0.5, 5, 5, 50, 500]) series.observe(value);
    expect(registry.render()).toBe(
      [
        '# HELP request_ms Request latency',
        '# TYPE request_ms histogram',
        'request_ms_bucket{code="200",method="GET",le="1"} 1',
        'request_ms_bucket{code="200",method="GET",le="10"} 3',
        'request_ms_bucket{code="200",method="GET",le="100"} 4',
        'request_ms_bucket{code="200",method="GET",le="+Inf"} 5',
        'request_ms_sum{code="200",method="GET"} 560.5',
        'request_ms_count{code="200",method="GET"} 5',
        '',
      ].join('\n'),
    );
  });

  it('keeps one family per name, and refuses a name registered as the other type', () => {
    const registry = new MetricsRegistry();
    expect(registry.counter('a_total', 'A')).toBe(registry.counter('a_total', 'A'));
    expect(() => registry.histogram('a_total', 'A', [1])).toThrow(/already registered as a counter/);
    registry.histogram('b', 'B', [1]);
    expect(() => registry.counter('b', 'B')).toThrow(/already registered as a histogram/);
  });
});
