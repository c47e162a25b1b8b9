import { describe, expect, it } from 'vitest';
import { edgeLabel, isMutualTls } from './edge-label';
import type { TopologyEdge } from './graph-shape';

const http: TopologyEdge = {
  id: 'wl:demo/a->svc:demo/b',
  source: 'wl:demo/a',
  target: 'svc:demo/b',
  protocol: 'http',
  requestsPerSecond: 12.4,
  errorRate: 0.025,
  latencyMs: { p50: 4.2, p95: 20, p99: 31.7 },
  bytesPerSecond: 2048,
  security: { policy: 'mutual_tls' },
  health: 'healthy',
};

describe('edgeLabel', () => {
  it('shows what the user switched to: rate, errors, latency, security', () => {
    expect(edgeLabel(http, 'rate')).toBe('12 rps');
    expect(edgeLabel(http, 'errors')).toBe('2.5% err');
    expect(edgeLabel(http, 'latency')).toBe('p50 4 / p99 32 ms');
    expect(edgeLabel(http, 'security')).toBe('mTLS');
    expect(isMutualTls(http)).toBe(true);
  });

  it('TCP edges show throughput, and plaintext or mixed traffic gets no lock', () => {
    const tcp: TopologyEdge = {
      ...http,
      protocol: 'tcp',
      requestsPerSecond: 0,
      errorRate: null,
      bytesPerSecond: 3 * 1024,
      security: { policy: 'none' },
    };
    expect(edgeLabel(tcp, 'rate')).toBe('3.0 KiB/s');
    expect(edgeLabel(tcp, 'errors')).toBe('—');
    expect(edgeLabel(tcp, 'security')).toBe('plaintext');
    expect(isMutualTls(tcp)).toBe(false);
    expect(isMutualTls({ ...http, security: { policy: 'mixed' } })).toBe(false);
  });
});
