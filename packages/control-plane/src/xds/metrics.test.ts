import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics';

describe('Prometheus text exposition', () => {
  it('renders counters, gauges and cumulative histogram buckets', () => {
    const registry = new MetricsRegistry();
    const pushes = registry.counter('pilot_xds_pushes', 'xDS responses sent.');
    const connected = registry.gauge('pilot_xds', 'Connected streams.');
    const latency = registry.histogram('push_seconds', 'Push time.', [0.1, 1]);
    pushes.inc({ type: 'lds' });
    pushes.inc({ type: 'lds' });
    pushes.inc({ type: 'say "hi"\n' });
    connected.set(3);
    latency.observe(0.05);
    latency.observe(0.5);
    latency.observe(7);
    expect(registry.render()).toBe(
      [
        '# HELP pilot_xds_pushes xDS responses sent.',
        '# TYPE pilot_xds_pushes counter',
        'pilot_xds_pushes{type="lds"} 2',
        'pilot_xds_pushes{type="say \\"hi\\"\\n"} 1',
        '# HELP pilot_xds Connected streams.',
        '# TYPE pilot_xds gauge',
        'pilot_xds 3',
        '# HELP push_seconds Push time.',
        '# TYPE push_seconds histogram',
        'push_seconds_bucket{le="0.1"} 1',
        'push_seconds_bucket{le="1"} 2',
        'push_seconds_bucket{le="+Inf"} 3',
        'push_seconds_sum 7.55',
        'push_seconds_count 3',
        '',
      ].join('\n'),
    );
  });
});
