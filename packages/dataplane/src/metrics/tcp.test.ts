import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { toWorkload } from '../state/workload';
import { MetricsRegistry } from './registry';
import { ConnectionTracker, TcpMetrics } from './tcp';

describe('TCP metrics', () => {
  it('renders Istio names and labels, with the closing flag on the closed counter', () => {
    const registry = new MetricsRegistry();
    const tracker = new ConnectionTracker(new TcpMetrics(registry), pino({ level: 'silent' }));
    const destination = toWorkload({
      uid: 'u',
      name: 'cart-1',
      namespace: 'shop',
      addresses: ['10.0.0.2'],
      node: 'b',
      serviceAccount: 'cart',
      trustDomain: 'cluster.local',
      workloadName: 'cart',
      canonicalRevision: 'v"2',
    });
    const result = tracker.open({
      reporter: 'destination',
      security: 'mutual_tls',
      srcAddr: '10.0.0.1:1',
      dstAddr: '10.0.0.2:80',
      sourceIdentity: 'spiffe://cluster.local/ns/web/sa/frontend',
      destination,
    });
    result.close('DENY', 'denied', 'shop/deny');
    const text = registry.render();
    expect(text).toContain('# TYPE istio_tcp_connections_closed_total counter');
    const opened = text.split('\n').find((l) => l.startsWith('istio_tcp_connections_opened_total{'));
    expect(opened).toContain('reporter="destination",');
    expect(opened).toContain('source_principal="spiffe://cluster.local/ns/web/sa/frontend",');
    expect(opened).toContain('source_workload_namespace="web",');
    expect(opened).toContain('destination_workload="cart",');
    expect(opened).toContain('destination_version="v\\"2",');
    expect(opened).toContain('response_flags="-",connection_security_policy="mutual_tls"} 1');
    expect(text).toMatch(/istio_tcp_connections_closed_total\{[^}]*response_flags="DENY"[^}]*\} 1/);
    expect(tracker.size).toBe(0);
  });
});
